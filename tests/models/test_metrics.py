"""Metrics on hand-made rolls whose answers are worked out by hand, and on real Bach."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.metrics import (
    DISTANCE_KEYS,
    METRIC_NAMES,
    batch_metrics,
    distance_to_reference,
    diversity,
    note_runs,
    piece_metrics,
    track_metrics,
)
from models.pianoroll import (
    ACCOMPANIMENT_TRACKS,
    LOWEST_PITCH,
    N_PITCHES,
    N_TRACKS,
    STEPS_PER_BAR,
    STEPS_PER_BEAT,
    empty_roll,
)
from models.tonality import estimate_key, key_pitch_classes, pitch_class_histogram

C4, D4, E4, F4, G4, A4, B4, C5 = 60, 62, 64, 65, 67, 69, 71, 72
C_MAJOR_SCALE = (C4, D4, E4, F4, G4, A4, B4, C5)
ALTO, TENOR, BASS = 1, 2, 3


def put(roll: np.ndarray, track: int, midi_pitch: int, start: int, n_steps: int) -> None:
    roll[track, start : start + n_steps, midi_pitch - LOWEST_PITCH] = True


def scale_roll() -> np.ndarray:
    """Melody and alto both play the C major scale in quarter notes over two bars."""
    roll = empty_roll(2 * STEPS_PER_BAR)
    for i, pitch in enumerate(C_MAJOR_SCALE):
        put(roll, 0, pitch, i * STEPS_PER_BEAT, STEPS_PER_BEAT)
        put(roll, ALTO, pitch, i * STEPS_PER_BEAT, STEPS_PER_BEAT)
    return roll


def chord_roll() -> np.ndarray:
    """A C major chord held for two bars: melody C5, alto E4, tenor G3, bass C3."""
    roll = empty_roll(2 * STEPS_PER_BAR)
    for track, pitch in enumerate((C5, E4, 55, 48)):
        put(roll, track, pitch, 0, 2 * STEPS_PER_BAR)
    return roll


def test_metric_keys_are_flat_and_stable():
    keys = set(track_metrics(chord_roll()))
    expected = set(METRIC_NAMES) | {
        f"{track}/{name}" for track in ACCOMPANIMENT_TRACKS for name in METRIC_NAMES
    }
    assert keys == expected
    assert set(DISTANCE_KEYS) <= set(METRIC_NAMES)


def test_empty_roll_is_all_empty_bars_and_nothing_else_measured():
    metrics = track_metrics(empty_roll(4 * STEPS_PER_BAR))
    assert metrics["empty_bar_rate"] == 1.0
    assert metrics["bass/empty_bar_rate"] == 1.0
    for name in METRIC_NAMES[1:]:
        assert math.isnan(metrics[name]), name


def test_c_major_scale_by_hand():
    metrics = track_metrics(scale_roll())
    assert metrics["alto/empty_bar_rate"] == 0.0
    assert metrics["tenor/empty_bar_rate"] == 1.0
    assert metrics["empty_bar_rate"] == pytest.approx(2 / 3)
    assert metrics["alto/pitch_classes_per_bar"] == 4.0  # C D E F | G A B C
    assert metrics["pitch_classes_per_bar"] == 4.0  # silent tracks have no bars to average
    assert metrics["qualified_note_rate"] == 1.0
    assert metrics["alto/polyphony"] == 1.0
    assert metrics["polyphony"] == 1.0
    assert metrics["in_key_ratio"] == 1.0
    assert metrics["alto/tonal_distance"] == pytest.approx(0.0, abs=1e-6)
    assert math.isnan(metrics["tenor/tonal_distance"])


def test_held_chord_by_hand():
    metrics = track_metrics(chord_roll())
    assert metrics["empty_bar_rate"] == 0.0
    assert metrics["pitch_classes_per_bar"] == 1.0
    assert metrics["qualified_note_rate"] == 1.0
    assert metrics["polyphony"] == 3.0
    for track in ACCOMPANIMENT_TRACKS:
        assert metrics[f"{track}/polyphony"] == 1.0
    assert metrics["in_key_ratio"] == 1.0
    # Tonal centroids (Harte 2006) of C (0, 1, 0, 1, 0, .5) and E (.87, -.5, 0, 1, .43, -.25):
    # squared distance 3/4 + 9/4 + 0 + 0 + 3/16 + 9/16.
    assert metrics["alto/tonal_distance"] == pytest.approx(math.sqrt(3.75), abs=1e-5)
    assert metrics["bass/tonal_distance"] == pytest.approx(0.0, abs=1e-6)  # C against C
    # A fifth sits closer to C than the major third; the G is in the tenor.
    assert 0 < metrics["tenor/tonal_distance"] < metrics["alto/tonal_distance"]


def test_fragmented_roll_by_hand():
    roll = empty_roll(STEPS_PER_BAR)
    put(roll, 0, C5, 0, STEPS_PER_BAR)
    # Alto notes of 1, 1, 2 and 3 steps with rests between: two of four qualify.
    for start, n_steps in ((0, 1), (2, 1), (4, 2), (8, 3)):
        put(roll, ALTO, E4, start, n_steps)
    metrics = track_metrics(roll)
    assert metrics["alto/qualified_note_rate"] == 0.5
    assert metrics["qualified_note_rate"] == 0.5
    assert metrics["polyphony"] == 1.0


def test_note_runs_finds_every_run():
    roll = empty_roll(8)
    put(roll, ALTO, E4, 0, 3)
    put(roll, ALTO, E4, 5, 3)
    put(roll, BASS, C4, 2, 1)
    tracks, pitches, starts, lengths = note_runs(roll)
    assert tracks.tolist() == [ALTO, ALTO, BASS]
    assert (pitches + LOWEST_PITCH).tolist() == [E4, E4, C4]
    assert starts.tolist() == [0, 5, 2]
    assert lengths.tolist() == [3, 3, 1]


def test_in_key_ratio_counts_notes_outside_the_melody_key():
    roll = scale_roll()
    roll[ALTO] = False
    for i, pitch in enumerate((C4, D4, 66, E4)):  # F sharp is outside C major
        put(roll, ALTO, pitch, i * STEPS_PER_BEAT, STEPS_PER_BEAT)
    assert track_metrics(roll)["in_key_ratio"] == 0.75


def test_minor_key_includes_the_harmonic_leading_tone():
    # A harmonic minor melody, tonic and dominant long: A B C D E F G# A.
    roll = empty_roll(4 * STEPS_PER_BAR)
    melody = [(57, 8), (59, 2), (60, 4), (62, 2), (64, 8), (65, 2), (68, 4), (69, 8)]
    step = 0
    for pitch, n_steps in melody:
        put(roll, 0, pitch, step, n_steps)
        step += n_steps
    histogram = np.zeros(12)
    for pitch, n_steps in melody:
        histogram[pitch % 12] += n_steps
    assert estimate_key(histogram) == (9, True)
    assert key_pitch_classes(9, True).sum() == 8
    put(roll, ALTO, 56, 0, 8)  # G sharp: in key
    put(roll, ALTO, 54, 8, 8)  # F sharp (melodic minor only): out of key
    assert track_metrics(roll)["in_key_ratio"] == 0.5


def test_key_estimate_of_a_c_major_melody_and_of_silence():
    histogram = np.zeros(12)
    histogram[[0, 2, 4, 5, 7, 9, 11]] = [4, 1, 3, 1, 3, 1, 1]
    assert estimate_key(histogram) == (0, False)
    assert estimate_key(np.zeros(12)) is None
    scale = scale_roll()[0]  # C major scale, quarter notes, C twice
    expected = np.zeros(12)
    expected[[0, 2, 4, 5, 7, 9, 11]] = STEPS_PER_BEAT
    expected[0] *= 2
    assert np.array_equal(pitch_class_histogram(scale), expected)
    assert estimate_key(pitch_class_histogram(scale)) == (0, False)


def test_metrics_do_not_depend_on_transposition():
    roll = chord_roll()
    roll[ALTO] = False
    for i, pitch in enumerate((E4, F4, G4, E4)):
        put(roll, ALTO, pitch, i * STEPS_PER_BAR // 2, STEPS_PER_BAR // 2)
    metrics = track_metrics(roll)
    up_a_third = track_metrics(np.roll(roll, 4, axis=2))
    for name in METRIC_NAMES:
        assert up_a_third[name] == pytest.approx(metrics[name], abs=1e-6), name


def test_bar_length_follows_the_meter_and_a_partial_bar_counts():
    roll = empty_roll(24)
    put(roll, 0, C5, 0, 24)
    put(roll, ALTO, E4, 0, 12)
    assert track_metrics(roll, steps_per_bar=12)["alto/empty_bar_rate"] == 0.5
    # 24 steps in 4/4 are one bar and a half bar: the half bar is silent for the alto.
    assert track_metrics(roll)["alto/empty_bar_rate"] == 0.5
    roll = empty_roll(20)
    put(roll, ALTO, E4, 16, 4)
    assert track_metrics(roll)["alto/empty_bar_rate"] == 0.5


def test_bad_roll_shapes_are_refused():
    with pytest.raises(ValueError, match="track, step, pitch"):
        track_metrics(np.zeros((16, N_PITCHES), dtype=bool))
    with pytest.raises(ValueError, match="at least one"):
        track_metrics(np.zeros((1, 16, N_PITCHES), dtype=bool))


def test_batch_metrics_is_the_mean_over_pieces_of_any_length():
    pieces = [scale_roll(), chord_roll(), empty_roll(3 * STEPS_PER_BAR)]
    batch = batch_metrics(pieces)
    singles = [track_metrics(piece) for piece in pieces]
    assert batch["empty_bar_rate"] == pytest.approx(np.mean([m["empty_bar_rate"] for m in singles]))
    # The silent piece has no polyphony to measure; it is left out, not counted as 0.
    assert batch["polyphony"] == pytest.approx((1.0 + 3.0) / 2)
    for each, single in zip(piece_metrics(pieces), singles, strict=True):
        assert each == pytest.approx(single, nan_ok=True)
    stacked = np.stack([scale_roll(), chord_roll()])
    assert batch_metrics(stacked) == pytest.approx(batch_metrics(list(stacked)), nan_ok=True)


def test_diversity_by_hand():
    one = chord_roll()
    assert diversity(np.stack([one, one, one])) == 0.0
    other = one.copy()
    other[1:] = np.roll(one[1:], 1, axis=2)  # every accompaniment cell moves a semitone
    assert diversity([one, other]) == 1.0
    # A: cells {E held, G held}; B: {G held, C held}: Jaccard 1/3, distance 2/3.
    a, b = empty_roll(8), empty_roll(8)
    put(a, ALTO, E4, 0, 8)
    put(a, TENOR, G4, 0, 8)
    put(b, TENOR, G4, 0, 8)
    put(b, BASS, C4, 0, 8)
    b[0] = True  # the melody track does not count
    assert diversity([a, b]) == pytest.approx(2 / 3)
    assert diversity([empty_roll(8), empty_roll(8)]) == 0.0
    assert math.isnan(diversity([a]))


def test_distance_to_reference_by_hand():
    reference = {
        "empty_bar_rate": 0.0,
        "pitch_classes_per_bar": 3.0,
        "qualified_note_rate": 0.9,
        "polyphony": 3.0,
        "in_key_ratio": 0.95,
    }
    assert distance_to_reference(reference, reference) == 0.0
    model = {
        "empty_bar_rate": 0.1,  # 0.1 / floor 0.05 = 2.0
        "pitch_classes_per_bar": 3.3,  # 0.1
        "qualified_note_rate": 0.45,  # 0.5
        "polyphony": 1.5,  # 0.5
        "in_key_ratio": 0.95,  # 0
    }
    assert distance_to_reference(model, reference) == pytest.approx(3.1 / 5)
    silent = dict(model, polyphony=math.nan)
    assert distance_to_reference(silent, reference) == pytest.approx(3.6 / 5)


# ---------------------------------------------------------------- real Bach


BACH_CHORALES = (  # 4/4 chorales with soprano, alto, tenor and bass parts
    "bwv347",
    "bwv153.1",
    "bwv86.6",
    "bwv267",
    "bwv244.3",
    "bwv26.6",
    "bwv66.6",
    "bwv40.8",
)


def chorale_roll(bwv: str) -> np.ndarray:
    """A chorale from music21's corpus as a roll, bars aligned (a pickup is padded)."""
    from music21 import corpus

    score = corpus.parse(f"bach/{bwv}")
    parts = score.parts[:N_TRACKS]
    first_bar = parts[0].getElementsByClass("Measure")[0]
    pickup_steps = round(first_bar.paddingLeft * STEPS_PER_BEAT)
    n_steps = pickup_steps + round(score.highestTime * STEPS_PER_BEAT)
    roll = empty_roll(n_steps)
    for track, part in enumerate(parts):
        for note in part.flatten().notes:
            start = pickup_steps + round(note.offset * STEPS_PER_BEAT)
            end = pickup_steps + round((note.offset + note.quarterLength) * STEPS_PER_BEAT)
            for pitch in note.pitches:
                roll[track, start:end, pitch.midi - LOWEST_PITCH] = True
    return roll


@pytest.fixture(scope="module")
def bach_rolls() -> list[np.ndarray]:
    return [chorale_roll(bwv) for bwv in BACH_CHORALES]


def test_bach_figures_are_plausible(bach_rolls):
    metrics = batch_metrics(bach_rolls)
    assert metrics["empty_bar_rate"] < 0.05
    assert 2.5 < metrics["pitch_classes_per_bar"] < 4.5
    assert metrics["qualified_note_rate"] > 0.85
    assert 2.8 < metrics["polyphony"] <= 3.0
    assert metrics["in_key_ratio"] > 0.9
    for track in ACCOMPANIMENT_TRACKS:
        assert metrics[f"{track}/polyphony"] == 1.0  # each chorale voice is monophonic


def test_bach_accompaniment_is_closer_to_its_own_melody_than_to_another(bach_rolls):
    own = batch_metrics(bach_rolls)["tonal_distance"]
    shuffled = []
    for i, roll in enumerate(bach_rolls):
        other = bach_rolls[(i + 1) % len(bach_rolls)]
        n_steps = min(roll.shape[1], other.shape[1])
        shuffled.append(np.concatenate([other[:1, :n_steps], roll[1:, :n_steps]]))
    assert own < 0.9 * batch_metrics(shuffled)["tonal_distance"]


def test_distance_to_reference_prefers_bach_over_fragmented_bach(bach_rolls):
    reference = batch_metrics(bach_rolls[:4])
    held_out = bach_rolls[4:]
    fragmented = [roll.copy() for roll in held_out]
    for roll in fragmented:
        roll[1:, 1::2] = False  # every other step silenced: 1-step notes everywhere
    bach_distance = distance_to_reference(batch_metrics(held_out), reference)
    assert bach_distance < 0.15
    assert distance_to_reference(batch_metrics(fragmented), reference) > 3 * bach_distance


def test_different_chorales_are_diverse(bach_rolls):
    windows = np.stack([roll[:, : 4 * STEPS_PER_BAR] for roll in bach_rolls])
    assert diversity(windows) > 0.8


def _voices_roll(*voices):
    """A (track, step, pitch) roll from per-track lists of grid pitch indices (-1 rest)."""
    from models.pianoroll import N_PITCHES

    steps = len(voices[0])
    roll = np.zeros((len(voices), steps, N_PITCHES), dtype=bool)
    for track, pitches in enumerate(voices):
        for step, pitch in enumerate(pitches):
            if pitch >= 0:
                roll[track, step, pitch] = True
    return roll


def test_parallel_perfect_rate_counts_parallel_octaves_and_fifths_not_thirds():
    from models.metrics import parallel_perfect_rate

    melody = [40, 40, 42, 42, 44, 44, 45, 45]
    octaves = _voices_roll(melody, [28, 28, 30, 30, 32, 32, 33, 33])
    thirds = _voices_roll(melody, [36, 36, 38, 38, 40, 40, 41, 41])
    contrary = _voices_roll(melody, [40, 40, 38, 38, 36, 36, 35, 35])
    assert parallel_perfect_rate(octaves) == 1.0
    assert parallel_perfect_rate(thirds) == 0.0
    assert parallel_perfect_rate(contrary) == 0.0  # octaves reached by contrary motion
    fifths = _voices_roll(melody, [33, 33, 35, 35, 37, 37, 38, 38])
    assert parallel_perfect_rate(fifths) == 1.0
    assert np.isnan(parallel_perfect_rate(_voices_roll([40] * 8, [28] * 8)))  # nothing moves


def test_harmonic_agreement_compares_the_pitch_classes_of_each_beat():
    from models.harmonic_agreement import harmonic_agreement

    melody = [40] * 8
    # grid index = MIDI - 28: G4 39, E4 36, C3 20; C5 44, G4 39, E3 24; D4 34
    c_major = _voices_roll(melody, [39] * 8, [36] * 8, [20] * 8)  # two beats of C major
    voiced_apart = _voices_roll(melody, [44] * 8, [39] * 8, [24] * 8)  # C major, revoiced
    other = _voices_roll(melody, [34] * 4 + [39] * 4, [36] * 8, [20] * 8)  # C E D, then C E G
    assert harmonic_agreement(c_major, c_major) == 1.0
    assert harmonic_agreement(voiced_apart, c_major) == 1.0  # same harmony, other voicing
    assert harmonic_agreement(other, c_major) == (2 + 3) / (4 + 3)


def test_harmony_consensus_marks_the_draw_whose_harmony_the_others_do_not_share():
    from models.harmonic_agreement import harmonic_agreement, harmony_consensus

    melody = [40] * 8
    c_major = _voices_roll(melody, [39] * 8, [36] * 8, [20] * 8)
    voiced_apart = _voices_roll(melody, [44] * 8, [39] * 8, [24] * 8)  # same harmony
    other = _voices_roll(melody, [34] * 4 + [39] * 4, [36] * 8, [20] * 8)
    consensus = harmony_consensus(np.stack([c_major, voiced_apart, other]))
    # Each is the mean of its agreement with the other two, as harmonic_agreement counts it.
    odd = harmonic_agreement(other, c_major)
    assert consensus == pytest.approx([(1 + odd) / 2, (1 + odd) / 2, odd])
    assert int(np.argmin(consensus)) == 2
    assert np.isnan(harmony_consensus(c_major[None])).all()  # one draw: nothing to agree with
