"""The one tempo map, and the document's tempo, meter and fields built on it."""

from __future__ import annotations

import dataclasses

import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.document import Document
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.core.playback import schedule_from_arrangement
from composer_gui.core.synth import beat_at
from composer_gui.core.tempo_map import TempoMap
from tests.composer_gui.ui.stand_in_engine import StandInEngine


def test_beats_and_seconds_are_inverse_across_changes():
    tempo = TempoMap(120.0, [(4.0, 60.0), (6.0, 240.0)])
    # 4 beats at 0.5 s, 2 at 1 s, then 0.25 s a beat.
    assert [tempo.seconds_at(b) for b in (0.0, 4.0, 5.0, 6.0, 8.0)] == [0.0, 2.0, 3.0, 4.0, 4.5]
    for beat in (0.0, 1.5, 4.0, 4.25, 6.0, 9.75):
        assert tempo.beat_at(tempo.seconds_at(beat)) == pytest.approx(beat)
    assert tempo.bpm_at(5.0) == 60.0 and tempo.bpm_at(7.0) == 240.0


def test_scaling_keeps_every_change_in_proportion():
    tempo = TempoMap(120.0, [(4.0, 60.0)]).scaled(240.0)
    assert (tempo.first_bpm, tempo.changes) == (240.0, [(4.0, 120.0)])
    assert tempo.seconds_at(6.0) == pytest.approx(
        TempoMap(120.0, [(4.0, 60.0)]).seconds_at(6.0) / 2
    )


def test_playback_the_synths_playhead_and_the_file_share_the_arrangements_map(tmp_path):
    song = Arrangement(
        [Track("melody", [Note(60 + i, float(i), 1.0) for i in range(8)])],
        tempo_bpm=120.0,
        tempo_changes=[(4.0, 60.0)],
    )
    tempo = song.tempo_map()
    schedule = schedule_from_arrangement(song)
    for event in schedule.events:
        assert schedule.tempo.seconds_at(event.beat) == pytest.approx(tempo.seconds_at(event.beat))
    assert beat_at(song, 3.0) == pytest.approx(5.0)
    write_arrangement(song, tmp_path / "song.mid")
    again = read_arrangement(tmp_path / "song.mid")
    assert (again.tempo_bpm, again.tempo_changes) == (120.0, [(4.0, 60.0)])


def tune_with_tempo_change(tmp_path) -> Document:
    path = tmp_path / "tune.mid"
    notes = [Note(60 + i, float(i), 1.0, 90) for i in range(8)]
    write_arrangement(Arrangement([Track("tune", notes)], 100.0, tempo_changes=[(4.0, 50.0)]), path)
    doc = Document()
    doc.open_midi(path)
    return doc


def test_the_tempo_box_scales_a_files_tempo_changes_and_export_carries_them(tmp_path):
    doc = tune_with_tempo_change(tmp_path)
    assert doc.tempo_changes == ((4.0, 50.0),)
    doc.set_tempo(200.0)  # twice as fast throughout, as the player plays it live
    assert (doc.tempo_bpm, doc.tempo_changes) == (200.0, ((4.0, 100.0),))
    exported = doc.export_arrangement()
    assert exported.tempo_map().seconds_at(8.0) == pytest.approx(doc.tempo_map().seconds_at(8.0))
    assert doc.tempo_map().seconds_at(8.0) == pytest.approx((4 * 0.6 + 4 * 1.2) / 2)


def test_a_meter_change_marks_the_take_stale_and_changing_back_clears_it(tmp_path):
    doc = tune_with_tempo_change(tmp_path)
    doc.add_take(StandInEngine().generate(doc.melody_arrangement(), k=2), doc.melody)
    doc.pick_candidate(0)
    assert not doc.stale
    doc.set_meter((3, 4))
    assert doc.stale and doc.take_is_stale(0)
    doc.set_meter((4, 4))
    assert not doc.stale


def test_the_documents_fields_cannot_be_changed_behind_its_back(tmp_path):
    doc = tune_with_tempo_change(tmp_path)
    doc.add_take(StandInEngine().generate(doc.melody_arrangement(), k=2), doc.melody)
    with pytest.raises(AttributeError):
        doc.tempo_bpm = 90.0
    with pytest.raises(TypeError):
        doc.mix[1] = dataclasses.replace(doc.mix[1], mute=True)  # a tuple
    doc.mix[1].mute = True  # a copy: the document's own mix is untouched
    doc.takes[0].candidates.clear()
    assert not doc.mix[1].mute and len(doc.candidates) == 2
    assert doc.audible()[1]
