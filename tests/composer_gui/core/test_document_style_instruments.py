"""Two band styles with the same tracks (pop ballad and rock: drums, bass, chords, pad)
are two sets of strips (session 20, issue 17): a take in rock is heard in rock's
instruments, not in the pop ballad take's before it; going back to a pop ballad take (or,
before a take, to the pop ballad style) brings back the strips as the musician left them,
a hand-chosen kit included; a style's strips seen for the first time take the style's
instruments, and the volume, mute and solo of the same tracks on show."""

from __future__ import annotations

import json

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.document import Document
from composer_gui.core.instruments import PRESETS, track_programs
from composer_gui.core.styles import find_style
from tests.composer_gui.ui.stand_in_engine import StandInEngine

MELODY = [Note(60 + i % 5, float(i), 1.0, 90) for i in range(8)]
BAND = ["melody", "drums", "bass", "chords", "pad"]
BRUSH_KIT = 40  # a GM kit the musician picks by hand (Brush), not a style's own


def programs_of(name: str) -> list[int]:
    style = find_style(name)
    return list(track_programs("organ", style.tracks, style.name))


def band_take(doc: Document, name: str) -> None:
    """A take as the engine writes one in ``name`` (its tracks, programs, channels)."""
    style = find_style(name)
    engine = StandInEngine(tracks=style.tracks, styles=(style.name,))
    melody = Arrangement([Track("melody", list(MELODY))], tempo_bpm=100.0)
    doc.add_take(engine.generate(melody, k=2, preset=doc.preset, style=style.name), MELODY)


def exported_programs(doc: Document) -> list[int]:
    return [t.program for t in doc.export_arrangement().tracks[1:]]


def pop_then_rock() -> Document:
    """Pop ballad chosen, its bass turned down and pad muted, Generate; a brush kit on
    the pop ballad take; rock chosen, Generate."""
    assert programs_of("pop ballad") != programs_of("rock")  # else the test says nothing
    doc = Document()
    doc.set_melody(MELODY)
    doc.set_generate_settings(style="pop ballad")
    doc.set_track_mix(2, volume=0.4)
    doc.set_track_mix(4, mute=True)
    band_take(doc, "pop ballad")
    doc.set_track_mix(1, program=BRUSH_KIT)
    doc.set_generate_settings(style="rock")
    band_take(doc, "rock")
    return doc


def test_a_rock_take_after_a_pop_ballad_take_is_in_rocks_instruments():
    doc = pop_then_rock()
    assert doc.track_names() == BAND
    assert [m.program for m in doc.mix[1:]] == programs_of("rock")
    assert [m.volume for m in doc.mix[1:]] == [1.0, 0.4, 1.0, 1.0]  # the same tracks' settings
    assert [m.mute for m in doc.mix[1:]] == [False, False, False, True]
    doc.pick_candidate(0)
    heard = doc.heard_arrangement()  # what Play sounds and Send to DAW sends
    assert [t.program for t in heard.tracks[1:]] == programs_of("rock")
    assert exported_programs(doc) == programs_of("rock")[:3]  # the pad muted, left out


def test_each_take_sounds_as_it_was_made_going_back_and_forth():
    doc = pop_then_rock()
    doc.set_track_mix(3, solo=True)  # the rock take's chords soloed
    doc.show_take(0)  # the pop ballad take: its instruments, the brush kit, no solo
    assert [m.program for m in doc.mix[1:]] == [BRUSH_KIT, *programs_of("pop ballad")[1:]]
    assert not any(m.solo for m in doc.mix)
    assert [m.volume for m in doc.mix[1:]] == [1.0, 0.4, 1.0, 1.0]
    doc.pick_candidate(0)
    assert exported_programs(doc) == [BRUSH_KIT, *programs_of("pop ballad")[1:3]]
    doc.show_take(1)  # and the rock take as the musician left it
    assert [m.program for m in doc.mix[1:]] == programs_of("rock")
    assert [m.solo for m in doc.mix[1:]] == [False, False, True, False]
    band_take(doc, "pop ballad")  # a new pop ballad take: pop ballad's strips as left
    assert [m.program for m in doc.mix[1:]] == [BRUSH_KIT, *programs_of("pop ballad")[1:]]
    band_take(doc, "pop ballad")  # another of the same style keeps what is on show
    doc.set_track_mix(2, program=34)
    band_take(doc, "pop ballad")
    assert doc.mix[2].program == 34


def test_before_a_take_a_hand_chosen_kit_comes_back_with_its_style():
    doc = Document()
    doc.set_generate_settings(style="pop ballad")
    doc.set_track_mix(1, program=BRUSH_KIT)
    doc.set_track_mix(2, volume=0.5, mute=True)
    doc.set_generate_settings(style="chorale")
    assert doc.track_names() == ["melody", "alto", "tenor", "bass"]
    doc.set_generate_settings(style="pop ballad")  # the kit back, and the bass's settings
    assert [m.program for m in doc.mix[1:]] == [BRUSH_KIT, *programs_of("pop ballad")[1:]]
    assert (doc.mix[2].volume, doc.mix[2].mute) == (0.5, True)

    doc.set_generate_settings(style="rock")  # rock's instruments, the same tracks' settings
    assert [m.program for m in doc.mix[1:]] == programs_of("rock")
    assert (doc.mix[2].volume, doc.mix[2].mute) == (0.5, True)
    doc.set_track_mix(3, program=29)  # an overdriven guitar for rock's chords
    doc.set_generate_settings(style="pop ballad")
    assert [m.program for m in doc.mix[1:]] == [BRUSH_KIT, *programs_of("pop ballad")[1:]]
    doc.set_generate_settings(style="rock")
    assert doc.mix[3].program == 29
    doc.set_generate_settings(style="pop ballad")
    band_take(doc, "pop ballad")  # the take keeps the strips set before it
    assert doc.mix[1].program == BRUSH_KIT


def test_saving_and_opening_keeps_each_styles_strips(tmp_path):
    doc = pop_then_rock()
    path = doc.save(tmp_path / "two bands.composer")
    data = json.loads(path.read_text())
    assert {e["style"] for e in data["set_aside_mixes"]} == {"chorale", "pop ballad"}
    opened = Document()
    opened.open_project(path)
    assert list(opened.mix) == list(doc.mix)
    opened.show_take(0)
    assert [m.program for m in opened.mix[1:]] == [BRUSH_KIT, *programs_of("pop ballad")[1:]]
    opened.show_take(1)
    assert [m.program for m in opened.mix[1:]] == programs_of("rock")

    before = Document()  # and before a take
    before.set_generate_settings(style="pop ballad")
    before.set_track_mix(1, program=BRUSH_KIT)
    before.set_generate_settings(style="rock")
    path = before.save(tmp_path / "no take.composer")
    opened = Document()
    opened.open_project(path)
    assert [m.program for m in opened.mix[1:]] == programs_of("rock")
    opened.set_generate_settings(style="pop ballad")
    assert opened.mix[1].program == BRUSH_KIT


def test_new_forgets_the_styles_strips():
    doc = Document()
    doc.set_generate_settings(style="pop ballad")
    doc.set_track_mix(1, program=BRUSH_KIT)
    doc.set_generate_settings(style="rock")
    doc.new(discard=True)
    doc.set_generate_settings(style="pop ballad")
    assert [m.program for m in doc.mix[1:]] == programs_of("pop ballad")


def test_a_style_first_seen_takes_the_last_same_tracks_settings():
    """pop ballad (drums muted) -> chorale -> rock: rock's strips, first seen, take the
    band's drums' mute from the last strips with its tracks, not from the chorale's."""
    doc = Document()
    doc.set_generate_settings(style="pop ballad")
    doc.set_track_mix(1, mute=True, program=BRUSH_KIT)
    doc.set_generate_settings(style="chorale")
    doc.set_track_mix(2, solo=True)
    doc.set_generate_settings(style="rock")
    assert [m.program for m in doc.mix[1:]] == programs_of("rock")
    assert [m.mute for m in doc.mix[1:]] == [True, False, False, False]
    assert not any(m.solo for m in doc.mix)


def test_a_sound_preset_chosen_while_a_band_is_on_show_dresses_the_chorale_when_it_returns():
    """The Sound box names the chorale voices' instruments: chosen while pop ballad's
    strips are on show, it is what the voices are in when the chorale comes back (their
    volume, mute and solo as the musician left them), before a take and after one."""
    doc = Document()
    doc.set_melody(MELODY)
    doc.set_generate_settings(style="chorale")
    doc.set_track_mix(2, mute=True)
    doc.set_generate_settings(style="pop ballad")
    doc.set_generate_settings(preset="strings")
    assert [m.program for m in doc.mix[1:]] == programs_of("pop ballad")  # a band's own
    doc.set_generate_settings(style="chorale")
    assert [m.program for m in doc.mix[1:]] == list(PRESETS["strings"])
    assert [m.mute for m in doc.mix[1:]] == [False, True, False]


def test_a_style_and_a_sound_preset_set_in_one_call_dress_the_chorale_as_one_after_another():
    """``set_generate_settings(style=..., preset=...)`` (read_settings makes one such
    call) is the two changes in turn: chorale -> rock with strings sets the chorale's
    voices aside in strings (they were set aside in the old preset), and rock -> chorale
    with piano brings them back in piano (it raised ValueError: the preset was fitted to
    rock's five strips as though they were the chorale's four)."""
    doc = Document()
    doc.set_track_mix(2, mute=True)
    doc.set_generate_settings(style="rock", preset="strings")
    assert [m.program for m in doc.mix[1:]] == programs_of("rock")
    doc.set_generate_settings(style="chorale")
    assert [m.program for m in doc.mix[1:]] == list(PRESETS["strings"])
    assert [m.mute for m in doc.mix[1:]] == [False, True, False]
    doc.set_generate_settings(style="rock")
    doc.set_generate_settings(style="chorale", preset="piano")
    assert [m.program for m in doc.mix[1:]] == list(PRESETS["piano"])
    assert [m.mute for m in doc.mix[1:]] == [False, True, False]
