"""A live sample heard: the sample as the training loop writes it, played as music.

The sample is written by ``models/train_samples._write`` (the loop's own writer) and
read back by ``latest_sample``, so a sample whose layout changed would fail here.
"""

from __future__ import annotations

import json

import numpy as np

from composer_gui.core.instruments import track_programs
from composer_gui.core.training_listen import MELODY_PROGRAM, run_tracks, sample_arrangement
from composer_gui.paths import resource_path
from models.tracks import CHORALE_TRACKS, DRUM_CHANNEL, DRUM_KIT
from models.train_samples import _write, latest_sample


def band_run(tmp_path, steps_per_bar: int = 16):
    """A run folder with the shipped band model's config and one sample of 2 bars."""
    card = json.loads(resource_path("weights", "composer-band.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps(card["config"]))
    low, steps = 28, 2 * steps_per_bar
    roll = np.zeros((4, steps, 64), dtype=np.uint8)  # melody, bass, chords, pad
    roll[0, 0:4, 72 - low] = 1  # a C5 for a quarter
    roll[1, 0:8, 36 - low] = 1  # the bass's C2 for a half
    for pitch in (60, 64, 67):
        roll[2, 4:6, pitch - low] = 1  # a C major chord, an eighth
    drums = np.zeros((steps, len(DRUM_KIT)), dtype=np.uint8)
    drums[0, 0] = drums[8, 1] = 1  # kick on 1, snare on 3
    names = ["melody", "bass", "chords", "pad"]
    _write(tmp_path, 50, roll, drums, names, low, steps_per_bar)
    return latest_sample(tmp_path)


def test_a_band_sample_is_heard_with_its_tracks_instruments_and_drums(tmp_path):
    sample = band_run(tmp_path)
    tracks = run_tracks(tmp_path)
    assert [t.name for t in tracks] == ["drums", "bass", "chords", "pad"]
    heard = sample_arrangement(sample, tracks, "rock")
    assert [t.name for t in heard.tracks] == ["melody", "bass", "chords", "pad", "drums"]
    melody, bass, chords, pad, drums = heard.tracks
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in melody.notes] == [(72, 0.0, 1.0)]
    assert [(n.pitch, n.duration_beats) for n in bass.notes] == [(36, 2.0)]
    assert sorted(n.pitch for n in chords.notes) == [60, 64, 67]  # every note of the chord
    assert {n.start_beat for n in chords.notes} == {1.0} and not pad.notes
    assert drums.is_drum and drums.channel == DRUM_CHANNEL
    assert [(n.pitch, n.start_beat) for n in drums.notes] == [(36, 0.0), (38, 2.0)]
    # the instruments a generation in rock gives these tracks; the melody apart
    rock = dict(zip((t.name for t in tracks), track_programs("organ", tracks, "rock")))
    assert melody.program == MELODY_PROGRAM
    assert (bass.program, chords.program, pad.program) == (
        rock["bass"],
        rock["chords"],
        rock["pad"],
    )
    assert len({t.channel for t in heard.tracks}) == 5 and melody.channel == 0
    assert heard.time_signature == (4, 4)


def test_a_bar_of_eighths_and_a_run_not_yet_training(tmp_path):
    """A sample knows its bar's steps, not its meter: 6 steps are 3/8 (12 read as 3/4)."""
    sample = band_run(tmp_path, steps_per_bar=6)
    assert sample_arrangement(sample, run_tracks(tmp_path)).time_signature == (3, 8)
    assert run_tracks(tmp_path / "no run yet") == CHORALE_TRACKS
