"""Clean-up of network output: fragments become notes, density is monotone, rests stay silent."""

from __future__ import annotations

import numpy as np
import pytest

from models.cleanup import (
    REST,
    clean_voices,
    labels_to_roll,
    roll_to_note_list,
    threshold_roll,
    voice_labels,
    voices_to_roll,
)
from models.metrics import note_runs
from models.pianoroll import LOWEST_PITCH, N_PITCHES

_ = REST  # written as "_" in the label sequences below
C4, D4, E4, G4 = 60 - LOWEST_PITCH, 62 - LOWEST_PITCH, 64 - LOWEST_PITCH, 67 - LOWEST_PITCH


def one_hot_voices(*voices: list[int], confidence: float = 0.9) -> np.ndarray:
    """Per-step categoricals ``(track, step, pitch + rest)`` whose argmax is the given labels."""
    n_steps = len(voices[0])
    probs = np.full((len(voices), n_steps, N_PITCHES + 1), (1 - confidence) / N_PITCHES)
    for track, labels in enumerate(voices):
        for step, label in enumerate(labels):
            column = N_PITCHES if label == REST else label
            probs[track, step, column] = confidence
    return probs


def voice_notes(*voices: list[int], min_steps: int = 2) -> list[tuple[int, int, int, int]]:
    roll, onsets = voices_to_roll(one_hot_voices(*voices), min_steps=min_steps)
    return roll_to_note_list(roll, onsets)


def midi(pitch_index: int) -> int:
    return pitch_index + LOWEST_PITCH


def test_neutral_density_is_plain_argmax():
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(N_PITCHES + 1) * 0.3, size=(3, 32))
    labels = voice_labels(probs, 0.5)
    argmax = probs.argmax(axis=-1)
    assert np.array_equal(labels, np.where(argmax == N_PITCHES, REST, argmax))


def test_a_one_step_rest_inside_a_note_is_bridged():
    A = E4
    assert voice_notes([A, A, A, _, A, A, A]) == [(0, midi(A), 0, 7)]


def test_a_one_step_different_pitch_inside_a_note_is_bridged():
    A = E4
    assert voice_notes([A, A, A, G4, A, A, A]) == [(0, midi(A), 0, 7)]


def test_a_short_fragment_joins_the_neighbour_of_nearest_pitch():
    # D4 (1 step) sits between C4 (2 semitones away) and G4 (5 away): it joins C4.
    assert voice_notes([C4, C4, C4, D4, G4, G4, G4, G4]) == [
        (0, midi(C4), 0, 4),
        (0, midi(G4), 4, 4),
    ]
    # With no note before it, it joins the note after it.
    assert voice_notes([_, _, D4, G4, G4, G4]) == [(0, midi(G4), 2, 4)]


def test_an_isolated_fragment_becomes_rest():
    assert voice_notes([_, _, E4, _, _, _]) == []
    # min_steps 3: a 2-step note between rests is too short.
    assert voice_notes([E4, E4, _, _, G4, G4, G4], min_steps=3) == [(0, midi(G4), 4, 3)]


def test_repeated_notes_after_a_real_rest_stay_two_notes():
    roll, onsets = voices_to_roll(one_hot_voices([E4, E4, E4, _, _, E4, E4, E4]))
    assert onsets[0, :, E4].tolist() == [1, 0, 0, 0, 0, 1, 0, 0]
    assert roll_to_note_list(roll, onsets) == [(0, midi(E4), 0, 3), (0, midi(E4), 5, 3)]


def test_cleaned_voices_are_monophonic_with_no_short_notes():
    rng = np.random.default_rng(7)
    probs = rng.dirichlet(np.ones(N_PITCHES + 1) * 0.05, size=(3, 128))  # very fragmented
    for min_steps in (2, 3):
        roll, onsets = voices_to_roll(probs, min_steps=min_steps)
        assert roll.sum(axis=2).max() <= 1
        notes = roll_to_note_list(roll, onsets)
        assert notes
        assert min(note[-1] for note in notes) >= min_steps
        assert sum(note[-1] for note in notes) == roll.sum()


def test_density_moves_the_note_count_monotonically():
    # Eight 4-step notes alternating C4/G4 behind 2-step rests; note i rests with
    # probability i/9, so density d keeps exactly the notes with i/9 < d.
    n_notes, note_steps, gap_steps = 8, 4, 2
    period = note_steps + gap_steps
    probs = np.zeros((1, n_notes * period, N_PITCHES + 1))
    probs[0, :, N_PITCHES] = 1.0
    for i in range(n_notes):
        rest = i / 9
        steps = slice(i * period, i * period + note_steps)
        probs[0, steps, N_PITCHES] = rest
        probs[0, steps, C4 if i % 2 == 0 else G4] = 1 - rest
    counts = [
        len(roll_to_note_list(*voices_to_roll(probs, density)))
        for density in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95)
    ]
    assert counts == sorted(counts)
    assert counts[0] < counts[3] < counts[-1] == n_notes


@pytest.mark.parametrize("seed", range(3))
def test_density_moves_the_sounding_steps_monotonically(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(3, 64, N_PITCHES + 1)) * 2
    probs = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    voice_steps = [voices_to_roll(probs, d)[0].sum() for d in np.linspace(0.05, 0.95, 10)]
    assert voice_steps == sorted(voice_steps) and voice_steps[0] < voice_steps[-1]
    free = rng.random((2, 64, N_PITCHES)) ** 3
    free_cells = [threshold_roll(free, d)[0].sum() for d in np.linspace(0.05, 0.95, 10)]
    assert free_cells == sorted(free_cells) and free_cells[0] < free_cells[-1]


def test_all_rest_input_stays_silent_at_every_density():
    probs = np.zeros((3, 32, N_PITCHES + 1))
    probs[..., N_PITCHES] = 1.0
    for density in (0.0, 0.5, 1.0):
        roll, onsets = voices_to_roll(probs, density)
        assert not roll.any() and not onsets.any()
        assert roll_to_note_list(roll, onsets) == []
        assert not threshold_roll(np.zeros((3, 32, N_PITCHES)), density)[0].any()


def test_bad_density_and_min_length_are_refused():
    probs = one_hot_voices([E4, E4])
    with pytest.raises(ValueError, match="between 0 and 1"):
        voices_to_roll(probs, density=1.5)
    with pytest.raises(ValueError, match="at least 1 step"):
        voices_to_roll(probs, min_steps=0)


def free_probs(n_steps: int, *cells: tuple[int, int, int]) -> np.ndarray:
    """A one-track probability roll, 0.9 on each ``(pitch, start, end)`` span, 0.05 elsewhere."""
    probs = np.full((1, n_steps, N_PITCHES), 0.05)
    for pitch, start, end in cells:
        probs[0, start:end, pitch] = 0.9
    return probs


def test_free_track_chord_with_a_dropout_becomes_held_notes():
    probs = free_probs(8, (C4, 0, 8), (E4, 0, 3), (E4, 4, 8), (G4, 0, 8))
    roll, onsets = threshold_roll(probs)
    assert roll_to_note_list(roll, onsets) == [
        (0, midi(C4), 0, 8),
        (0, midi(E4), 0, 8),
        (0, midi(G4), 0, 8),
    ]


def test_free_track_fragments_merge_or_vanish():
    # A 1-step flicker to D4 inside a C4 note, and a lone 1-step blip far away.
    probs = free_probs(16, (C4, 0, 4), (D4, 4, 5), (C4, 5, 9), (G4, 13, 14))
    roll, onsets = threshold_roll(probs)
    assert roll_to_note_list(roll, onsets) == [(0, midi(C4), 0, 9)]
    # A 1-step note touching the end of another moves onto it.
    roll, onsets = threshold_roll(free_probs(8, (C4, 0, 5), (D4, 5, 6)))
    assert roll_to_note_list(roll, onsets) == [(0, midi(C4), 0, 6)]


def test_free_tracks_have_no_short_notes():
    rng = np.random.default_rng(3)
    roll, _onsets = threshold_roll(rng.random((2, 64, N_PITCHES)) ** 4, min_steps=2)
    *_where, lengths = note_runs(roll)
    assert roll.any() and lengths.min() >= 2


def test_note_list_splits_runs_at_onsets():
    roll = np.zeros((2, 8, N_PITCHES), dtype=bool)
    roll[1, 0:8, E4] = True
    roll[0, 2:4, C4] = True
    assert roll_to_note_list(roll) == [(0, midi(C4), 2, 2), (1, midi(E4), 0, 8)]
    onsets = np.zeros_like(roll)
    onsets[1, [0, 4], E4] = True  # two half notes on one pitch, a repeat
    onsets[0, 5, G4] = True  # an onset where nothing sounds is ignored
    assert roll_to_note_list(roll, onsets) == [
        (0, midi(C4), 2, 2),
        (1, midi(E4), 0, 4),
        (1, midi(E4), 4, 4),
    ]


def test_sampled_labels_are_cleaned_the_same_way():
    labels = np.array([[E4, E4, E4, _, E4, E4, _, _, G4, _, _, _]])
    roll, onsets = clean_voices(labels)
    assert roll_to_note_list(roll, onsets) == [(0, midi(E4), 0, 6)]
    assert np.array_equal(clean_voices(labels)[0], voices_to_roll(one_hot_voices(*labels))[0])


def test_labels_to_roll_keeps_the_fragments_for_measuring_the_network():
    labels = np.array([[E4, _, E4, G4], [_, _, _, _]])
    roll = labels_to_roll(labels)
    assert roll.shape == (2, 4, N_PITCHES)
    assert roll[0, :, E4].tolist() == [True, False, True, False]
    assert roll[0, 3, G4] and roll.sum() == 3
