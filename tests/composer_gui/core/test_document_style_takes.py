"""Takes of two styles in one tune: the mix follows the take on show, and no setting of
either is lost going back and forth (the window showed an earlier chorale take with the
band's strips and instruments, found by the window's state machine with the Style box)."""

from __future__ import annotations

import json
from dataclasses import replace

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.document import Document
from composer_gui.core.styles import installed_styles
from models.tracks import CHORALE_TRACKS
from tests.composer_gui.ui.stand_in_engine import StandInEngine

MELODY = [Note(60 + i % 5, float(i), 1.0, 90) for i in range(8)]


def test_each_takes_tracks_keep_their_own_mix():
    band = next(s for s in installed_styles() if s.tracks != CHORALE_TRACKS)
    doc = Document()
    doc.set_melody(MELODY)
    melody = Arrangement([Track("melody", list(MELODY))], tempo_bpm=100.0)
    doc.add_take(StandInEngine().generate(melody, k=2), MELODY)
    assert doc.track_names() == ["melody", "alto", "tenor", "bass"]
    doc.set_track_mix(2, mute=True)  # the tenor muted
    doc.set_track_mix(0, volume=0.5)  # the melody's strip, shared by every take

    band_engine = StandInEngine(tracks=band.tracks, styles=(band.name,))
    doc.add_take(band_engine.generate(melody, k=2, style=band.name), MELODY)
    names = ["melody", *(t.name for t in band.tracks)]
    assert doc.track_names() == names and len(doc.mix) == len(names)
    assert not any(m.mute for m in doc.mix)  # the band's own strips, afresh
    doc.set_track_mix(len(names) - 1, program=88)

    doc.show_take(0)  # back to the chorale take: its strips, with the tenor still muted
    assert doc.track_names() == ["melody", "alto", "tenor", "bass"]
    assert [m.mute for m in doc.mix] == [False, False, True, False]
    assert doc.mix[0].volume == 0.5
    doc.pick_candidate(1)
    exported = doc.export_arrangement()
    assert [t.name for t in exported.tracks] == ["melody", "alto", "bass"]  # tenor muted

    doc.show_take(1)  # and the band's again, its pad's instrument kept
    assert doc.track_names() == names and doc.mix[-1].program == 88
    doc.add_take(StandInEngine().generate(melody, k=1), MELODY)  # a new chorale take
    assert [m.mute for m in doc.mix] == [False, False, True, False]


def test_a_saved_tune_keeps_the_mix_of_the_style_not_on_show(tmp_path, engine, band_engine):
    """Generate in the chorale, mix, switch to a band, generate, save, open, go back to the
    chorale take: its mix is there (the real engines, tiny random-weight models)."""
    melody = Arrangement([Track("melody", list(MELODY))], tempo_bpm=100.0)
    doc = Document()
    doc.set_melody(MELODY)
    doc.add_take(engine.generate(melody, k=2, seed=1), MELODY)
    chorale_names = doc.track_names()
    doc.set_track_mix(2, mute=True, volume=0.3)
    doc.set_track_mix(3, program=42, solo=True)
    chorale_mix = [replace(m) for m in doc.mix]

    band_style = band_engine.card["config"]["styles"][1]
    doc.set_generate_settings(style=band_style)
    doc.add_take(band_engine.generate(melody, k=2, seed=1, style=band_style), MELODY)
    assert doc.track_names() != chorale_names
    doc.set_track_mix(1, volume=0.6)  # the band's drums, on show when saved
    band_mix = [replace(m) for m in doc.mix]
    path = doc.save(tmp_path / "two styles.composer")

    opened = Document()
    opened.open_project(path)
    assert list(opened.mix) == band_mix  # the take on show when saved, with its own mix
    opened.show_take(0)
    assert opened.track_names() == chorale_names
    assert list(opened.mix) == chorale_mix  # muted tenor, its volume, the bass's organ and solo
    opened.show_take(1)
    assert list(opened.mix) == band_mix


def test_a_file_without_set_aside_mixes_opens_and_the_other_take_gets_its_own(
    tmp_path, engine, band_engine
):
    """A project saved before the set-aside mixes were kept opens; the take of the other
    tracks then starts from its own instruments, as in a fresh document."""
    melody = Arrangement([Track("melody", list(MELODY))], tempo_bpm=100.0)
    doc = Document()
    doc.set_melody(MELODY)
    doc.add_take(engine.generate(melody, k=1, seed=2), MELODY)
    doc.set_track_mix(2, mute=True)
    doc.add_take(band_engine.generate(melody, k=1, seed=2), MELODY)
    path = doc.save(tmp_path / "old.composer")
    data = json.loads(path.read_text())
    assert data["set_aside_mixes"][0]["tracks"] == ["melody", "alto", "tenor", "bass"]
    del data["set_aside_mixes"]  # as a file of session 10 was written
    path.write_text(json.dumps(data))

    opened = Document()
    opened.open_project(path)
    opened.show_take(0)
    assert opened.track_names() == ["melody", "alto", "tenor", "bass"]
    assert not any(m.mute for m in opened.mix)
    assert [m.program for m in opened.mix[1:]] == [
        t.program for t in opened.shown_take().candidates[0].arrangement.tracks[1:]
    ]
