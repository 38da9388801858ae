"""A band's bass plays in every bar (``models.track_cleanup.bass_in_every_bar``) and on
the chords' tones on the one (``bass_on_the_chord``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import torch

from models.pianoroll import LOWEST_PITCH, Meter
from models.track_cleanup import bass_on_the_chord, clean_band, clean_track, first_beats
from models.tracks import TrackSpec
from tests.support.scripts import load_script

BASS = TrackSpec("bass", "bass", 31, 51, 32)
CHORDS = TrackSpec("chords", "chords", 48, 72, 0)


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

    ct = load_script("benchmarks/corpus_tunes.py")
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
        generator.config.phrase_bars,
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


def _chord_rolls(n_steps: int, pitches_per_bar: list[list[int]], bar: int) -> tuple:
    """A chords track sounding ``pitches_per_bar[i]`` (MIDI) through bar i, struck on its one."""
    sounding = np.zeros((n_steps, CHORDS.n_rows), dtype=bool)
    onsets = np.zeros_like(sounding)
    for i, pitches in enumerate(pitches_per_bar):
        for pitch in pitches:
            sounding[i * bar : (i + 1) * bar, CHORDS.pitch_row(pitch)] = True
            onsets[i * bar, CHORDS.pitch_row(pitch)] = True
    return sounding, onsets


def test_a_bass_off_the_chord_on_the_one_moves_to_the_likeliest_chord_tone():
    bars = first_beats(Meter(3, 4), 36)
    chords = _chord_rolls(36, [[60, 64, 67], [65, 69, 72], [62, 67, 71]], 12)  # C F G
    probs = np.full((36, BASS.n_outputs), 0.01)
    d, e, f, a, c = (BASS.pitch_row(p) for p in (38, 40, 41, 45, 48))
    probs[0:4, c] = 0.9  # bar 1: C on the one, a chord tone: kept
    probs[4:8, d] = 0.9  # a passing D on beat two: kept (not a downbeat)
    probs[12:16, e] = 0.6  # bar 2 (F): E on the one, then A second likeliest
    probs[12:16, a] = 0.3
    probs[12:16, f] = 0.05
    probs[24:30, e] = 0.9  # bar 3 (G): E from the one over beat two, struck once
    probs[16:24, -1] = probs[8:12, -1] = probs[30:, -1] = 0.9
    probs /= probs.sum(axis=1, keepdims=True)
    bass = clean_track(probs, BASS, bars=bars)
    band = clean_band([probs, np.zeros((36, CHORDS.n_outputs))], (BASS, CHORDS), bars=bars)
    assert band[1][0].sum() == 0  # (the chords are cleaned from their own probabilities)
    sounding, onsets = bass_on_the_chord(bass, probs, BASS, [(chords, CHORDS)], bars)
    assert sounding[0:4, c].all() and sounding[4:8, d].all()  # on the chord, or off the one
    assert sounding[12:16, a].all() and onsets[12, a] and not sounding[12:16, e].any()
    g, b = BASS.pitch_row(43), BASS.pitch_row(47)
    moved = np.flatnonzero(sounding[24])
    assert moved.size == 1 and moved[0] in (g, b, BASS.pitch_row(50), BASS.pitch_row(31))
    assert sounding[24:30, moved[0]].all() and onsets[24, moved[0]]  # the whole note, once
    assert onsets.sum() == bass[1].sum() and sounding.sum() == bass[0].sum()  # rhythm kept


def test_a_note_held_over_the_bar_line_is_left_as_it_is():
    bars = first_beats(Meter(3, 4), 24)
    chords = _chord_rolls(24, [[60, 64, 67], [65, 69, 72]], 12)
    sounding = np.zeros((24, BASS.n_rows), dtype=bool)
    onsets = np.zeros_like(sounding)
    e = BASS.pitch_row(40)
    sounding[8:16, e], onsets[8, e] = True, True  # E from beat three into the F bar
    probs = np.full((24, BASS.n_outputs), 1.0 / BASS.n_outputs)
    out = bass_on_the_chord((sounding, onsets), probs, BASS, [(chords, CHORDS)], bars)
    np.testing.assert_array_equal(out[0], sounding)
    np.testing.assert_array_equal(out[1], onsets)


def test_pitch_classes_reads_one_step_a_take_and_candidates_alike():
    """The one reading of a track's pitch classes (the clean-up's per step, the ranking's
    per candidate, the metrics' per take) agrees with the rows' pitches, folded."""
    from models.track_cleanup import pitch_classes

    rng = np.random.default_rng(3)
    take = rng.random((2, 10, CHORDS.n_rows)) < 0.1  # (candidate, step, rows)
    folded = pitch_classes(take, CHORDS)
    assert folded.shape == (2, 10, 12) and folded.dtype == bool
    for c in range(2):
        assert np.array_equal(pitch_classes(take[c], CHORDS), folded[c])
        for step in range(10):
            by_hand = {CHORDS.row_pitch(int(r)) % 12 for r in np.flatnonzero(take[c, step])}
            assert set(np.flatnonzero(pitch_classes(take[c, step], CHORDS))) == by_hand


def test_the_ranking_counts_a_bass_off_the_chords_on_the_beats_they_both_sound():
    """``band_ranking``'s bass_off_chord, read through the shared ``pitch_classes``: 4/4,
    the chords hold C-E-G; the bass plays C, then D (off), then E, then rests."""
    from models.band_ranking import BAND_CHECKS, band_faults

    n = 16
    chords = np.zeros((n, CHORDS.n_rows), dtype=bool)
    chords[:, [60 - 48, 64 - 48, 67 - 48]] = True
    bass = np.zeros((n, BASS.n_rows), dtype=bool)
    for beat, pitch in enumerate((36, 38, 40)):
        bass[beat * 4 : beat * 4 + 4, pitch - 31] = True
    onsets = np.zeros_like(bass)
    onsets[[0, 4, 8], [36 - 31, 38 - 31, 40 - 31]] = True
    chord_onsets = np.zeros_like(chords)
    chord_onsets[0] = chords[0]
    candidate = [(bass, onsets), (chords, chord_onsets)]
    melody = np.full(n, 60 - LOWEST_PITCH)  # a held C, on the shipped grid
    faults = band_faults((BASS, CHORDS), melody, [candidate], Meter(4, 4))
    assert faults.shape == (1, len(BAND_CHECKS))
    assert faults[0, BAND_CHECKS.index("bass_off_chord")] == 1 / 3
