"""A band's bass plays in every bar (``models.track_cleanup.bass_in_every_bar``)."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from models.pianoroll import Meter
from models.track_cleanup import clean_track, first_beats
from models.tracks import TrackSpec

ROOT = Path(__file__).resolve().parents[2]
BASS = TrackSpec("bass", "bass", 31, 51, 32)


def _bass_probs(n_steps: int, silent: slice) -> np.ndarray:
    """A bass that plays row 5 a beat at each bar start (3/4), except where ``silent``
    gives the rest the most probability."""
    probs = np.full((n_steps, BASS.n_outputs), 0.01)
    probs[:, -1] = 0.6
    for bar in range(0, n_steps, 12):
        probs[bar : bar + 4, 5] = 0.9
        probs[bar : bar + 4, -1] = 0.05
    probs[silent, :-1] = 0.01
    probs[silent, 7] = 0.3  # the network's second choice, under the rest
    probs[silent, -1] = 0.6
    return probs / probs.sum(axis=1, keepdims=True)


def test_first_beats_cover_bars_and_a_pickup():
    assert first_beats(Meter(3, 4), 30, bar_phase=8) == [
        (0, 4, 4),
        (4, 8, 16),
        (16, 20, 28),
        (28, 30, 30),
    ]
    assert first_beats(Meter(6, 8), 24)[:2] == [(0, 6, 12), (12, 18, 24)]


def test_a_bar_the_rest_would_win_plays_its_first_beat():
    probs = _bass_probs(48, slice(12, 24))
    bars = first_beats(Meter(3, 4), 48)
    before, _ = clean_track(probs, BASS, bars=None)
    assert not before[12:24].any()  # the bar the clean-up left silent
    after, onsets = clean_track(probs, BASS, bars=bars)
    assert after[12:16, 7].all() and onsets[12, 7]  # the network's own pitch, on the one
    assert not after[16:24].any()  # the rest of the bar rests, as chosen
    np.testing.assert_array_equal(after[:12], before[:12])  # bars that play: untouched
    np.testing.assert_array_equal(after[24:], before[24:])


def test_the_shipped_band_model_keeps_its_bass_in_every_bar_of_a_real_tune():
    """essenFolksong erk30 #449 in country 3/4: the model left its bass out of a bar."""
    from music21 import corpus

    from composer_gui.core.engine import Engine
    from composer_gui.core.melody_grid import melody_on_grid
    from composer_gui.core.midi_file import melody_of, read_arrangement
    from composer_gui.paths import resource_path
    from models.sampling import (
        candidate_probabilities,
        clean_candidates,
        melody_condition,
        pad_length,
    )

    spec = importlib.util.spec_from_file_location(
        "corpus_tunes", ROOT / "benchmarks" / "corpus_tunes.py"
    )
    ct = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_tunes", ct)
    spec.loader.exec_module(ct)
    path = str(corpus.getWork("essenFolksong/erk30.abc"))
    tune = ct.parse_tune(ct.TuneRef("essenFolksong", path, 449, "3/4"))
    engine = Engine(resource_path("weights", "composer-band.safetensors"), "cpu")
    engine.load()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "tune.mid"
        ct.write_midi(tune, source)
        grid = melody_on_grid(melody_of(read_arrangement(source), None, source.name))
    generator = engine._generator
    n = pad_length(grid.n_steps, generator.config.time_multiple)
    cond = melody_condition(
        grid.voice, grid.onsets, grid.meters, grid.bar_phase, n, "cpu",
        engine.style_index("country"), generator.config.n_style_channels,
    )  # fmt: skip
    with torch.inference_mode():
        probs = candidate_probabilities(generator, cond, 8, 0, 0.5)
    tracks = engine.tracks
    bass = [t.name for t in tracks].index("bass")
    cleaned = clean_candidates(
        probs, 0.5, grid.n_steps, tracks, meters=grid.meters, bar_phase=grid.bar_phase
    )
    for candidate in cleaned:
        sounding = candidate[bass][0].any(axis=1)
        for start, _, end in first_beats(grid.meters, grid.n_steps, grid.bar_phase):
            assert sounding[start:end].any(), (start, end)
