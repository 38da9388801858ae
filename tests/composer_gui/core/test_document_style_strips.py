"""Before any take the strips are the chosen style's tracks (session 19's walk, "Left" 2:
with pop ballad chosen, New and Open showed the chorale's Alto, Tenor, Bass on Church
Organ until a generation said drums, bass, chords, pad), and what a musician set on them
before generating is the take's where the track is the same."""

from __future__ import annotations

import json

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.document import Document
from composer_gui.core.instruments import DRUM_KITS, track_programs
from composer_gui.core.styles import find_style
from models.tracks import CHORALE_TRACKS
from tests.composer_gui.ui.stand_in_engine import StandInEngine

MELODY = [Note(60 + i % 5, float(i), 1.0, 90) for i in range(8)]
CHORALE = ["melody", "alto", "tenor", "bass"]


def band(name: str = "pop ballad"):
    return find_style(name)


def band_take(doc: Document, style_name: str = "pop ballad", k: int = 2) -> None:
    """A take as the engine writes one in that style (its tracks, programs, channels)."""
    style = band(style_name)
    engine = StandInEngine(tracks=style.tracks, styles=(style.name,))
    melody = Arrangement([Track("melody", list(MELODY))], tempo_bpm=100.0)
    doc.add_take(engine.generate(melody, k=k, preset=doc.preset, style=style.name), MELODY)


def test_the_strips_before_a_take_are_the_chosen_bands():
    style = band()
    doc = Document()
    assert doc.track_names() == CHORALE  # the shipped default, the chorale
    doc.set_generate_settings(style="pop ballad")
    names = ["melody", *(t.name for t in style.tracks)]
    assert names == ["melody", "drums", "bass", "chords", "pad"]
    assert doc.track_names() == names and len(doc.mix) == len(names)
    assert doc.track_drums() == [False, True, False, False, False]
    # the instruments the engine will dress the take in (the style's own), not organ
    programs = track_programs(doc.preset, style.tracks, style.name)
    assert [m.program for m in doc.mix[1:]] == list(programs)
    assert programs != track_programs(doc.preset, CHORALE_TRACKS)
    doc.set_generate_settings(style="rock")  # same tracks, rock's instruments
    assert doc.track_names() == names
    assert [m.program for m in doc.mix[1:]] == list(
        track_programs(doc.preset, style.tracks, "rock")
    )


def test_a_kit_and_settings_chosen_before_generating_are_the_takes():
    doc = Document()
    doc.set_generate_settings(style="pop ballad")
    doc.set_melody(MELODY)
    brush = dict((name, program) for program, name in DRUM_KITS)["Brush kit"]
    doc.set_track_mix(1, program=brush)  # the drums' kit
    doc.set_track_mix(2, program=35, volume=0.4)  # a fretless bass, softer
    doc.set_track_mix(4, mute=True)  # the pad muted
    band_take(doc)
    assert doc.track_names() == ["melody", "drums", "bass", "chords", "pad"]
    assert doc.mix[1].program == brush
    assert (doc.mix[2].program, doc.mix[2].volume) == (35, 0.4)
    assert doc.mix[4].mute
    doc.pick_candidate(0)
    heard = {t.name: t for t in doc.heard_arrangement().tracks}
    assert heard["drums"].program == brush and heard["drums"].is_drum
    assert heard["bass"].program == 35
    exported = [t.name for t in doc.export_arrangement().tracks]
    assert exported == ["melody", "drums", "bass", "chords"]  # the pad muted
    # after a take, the take's tracks stay on the strips whatever the Style box says
    doc.set_generate_settings(style="chorale")
    assert doc.track_names() == ["melody", "drums", "bass", "chords", "pad"]
    assert doc.mix[1].program == brush


def test_switching_styles_back_and_forth_before_a_take():
    doc = Document()
    chorale_programs = [m.program for m in doc.mix]
    doc.set_generate_settings(style="pop ballad")
    doc.set_track_mix(1, mute=True)  # drums muted
    doc.set_track_mix(2, volume=0.3)  # the bass softer
    doc.set_generate_settings(style="chorale")  # the chorale's voices, on organ
    assert doc.track_names() == CHORALE and doc.track_drums() == [False] * 4
    assert [m.program for m in doc.mix] == chorale_programs
    assert not any(m.mute for m in doc.mix)
    doc.set_track_mix(2, mute=True)  # the tenor muted
    doc.set_generate_settings(style="pop ballad")  # the band's settings are back
    assert doc.track_names()[1] == "drums" and doc.mix[1].mute and doc.mix[2].volume == 0.3
    doc.set_generate_settings(style="chorale")  # and the chorale's
    assert [m.mute for m in doc.mix] == [False, False, True, False]
    # a chorale take then keeps the tenor's mute, as a band take would the drums'
    chorale = Arrangement([Track("melody", list(MELODY))], tempo_bpm=100.0)
    doc.set_melody(MELODY)
    doc.add_take(StandInEngine().generate(chorale, k=1), MELODY)
    assert doc.track_names() == CHORALE and [m.mute for m in doc.mix] == [False, False, True, False]


def test_new_open_and_a_saved_project_without_a_take_keep_the_styles_strips(tmp_path):
    doc = Document()
    doc.set_generate_settings(style="pop ballad")
    doc.new(discard=True)
    assert doc.track_names()[1:] == ["drums", "bass", "chords", "pad"] and len(doc.mix) == 5
    doc.set_melody(MELODY)
    doc.set_track_mix(1, program=40)  # the jazz kit
    path = doc.save(tmp_path / "no take.composer")

    opened = Document()
    opened.open_project(path)
    assert opened.style == "pop ballad"
    assert opened.track_names() == doc.track_names() and list(opened.mix) == list(doc.mix)

    # a file saved before the strips followed the style: the chorale's four strips
    data = json.loads(path.read_text())
    data["mix"] = data["mix"][:4]
    old = tmp_path / "old.composer"
    old.write_text(json.dumps(data))
    opened.open_project(old, discard=True)
    assert opened.track_names()[1:] == ["drums", "bass", "chords", "pad"]
    assert [m.program for m in opened.mix[1:]] == [m.program for m in fresh_strips("pop ballad")]

    midi = tmp_path / "tune.mid"
    from composer_gui.core.midi_writer import write_arrangement

    write_arrangement(Arrangement([Track("melody", list(MELODY), program=73)]), midi)
    opened.open_midi(midi, discard=True)  # Open of a MIDI file: the style's strips too
    assert opened.track_names()[1:] == ["drums", "bass", "chords", "pad"]
    assert opened.mix[0].program == 73


def fresh_strips(style: str):
    """The strips after the melody of a fresh document in ``style``."""
    doc = Document()
    doc.set_generate_settings(style=style)
    return doc.mix[1:]


def test_a_style_not_offered_shows_the_chorales_voices_and_set_styles_follows():
    """A project naming a style this machine lacks (a model of someone's own) shows the
    chorale's voices; told the styles (the Style box's list), the strips follow."""
    doc = Document(styles=[find_style("chorale")])
    doc.set_generate_settings(style="pop ballad")
    assert doc.track_names() == CHORALE
    revision = doc.revision
    doc.set_styles([find_style("chorale"), band()])
    assert doc.track_names()[1:] == ["drums", "bass", "chords", "pad"]
    assert len(doc.mix) == 5 and doc.revision == revision  # the list is not the tune's work
