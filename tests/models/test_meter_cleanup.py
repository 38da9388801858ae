"""Clean-up on the meter's grid: voices move on the eighths, no voice rests a bar long,
and in a compound beat a voice holds its note, moving inside the beat only by step."""

from __future__ import annotations

import numpy as np

from models.cleanup import REST, roll_to_note_list, voice_labels, voices_to_roll
from models.meter_cleanup import (
    accompaniment_voices,
    beat_spans,
    compound_beat,
    meter_grid,
    on_eighths,
    play_through_long_rests,
)
from models.pianoroll import Meter
from tests.models.test_cleanup import C4, D4, E4, G4, midi, one_hot_voices

_ = REST


def resting_voice(rest_steps: int, second: int = E4, flicker: int | None = None) -> np.ndarray:
    """One voice: 8 steps of C4, ``rest_steps`` where rest is likeliest and ``second`` the
    likeliest pitch (at ``flicker``, one step where a lone G4 wins), 8 steps of C4."""
    labels = [C4] * 8 + [_] * rest_steps + [C4] * 8
    if flicker is not None:
        labels[8 + flicker] = G4
    probs = one_hot_voices(labels, confidence=0.6)
    for step in range(8, 8 + rest_steps):
        probs[0, step, second] = 0.3
    return probs


def test_a_rest_a_bar_long_plays_the_next_likeliest_pitch():
    bar = np.full(40, 16)
    filled = play_through_long_rests(resting_voice(16), bar)
    assert voice_labels(filled)[0].tolist() == [C4] * 8 + [E4] * 16 + [C4] * 8
    # The probabilities stay probabilities: only the rest class went, elsewhere unchanged.
    assert (filled[0, 8:24, -1] == 0).all()
    assert np.array_equal(filled[0, :8], resting_voice(16)[0, :8])


def test_a_rest_shorter_than_a_bar_stays():
    probs = resting_voice(15)
    assert np.array_equal(play_through_long_rests(probs, np.full(31, 16)), probs)


def test_a_rest_is_measured_after_clean_up_and_by_the_meter_in_force():
    # A lone one-step G4 would split the rest into 5 + 6 steps; clean-up rests it, so
    # the voice would be silent for 12 steps: a whole 6/8 bar, not a 4/4 one.
    probs = resting_voice(12, flicker=5)
    assert np.array_equal(play_through_long_rests(probs, np.full(28, 16)), probs)
    filled = play_through_long_rests(probs, np.full(28, 12))
    roll, onsets = voices_to_roll(filled)
    assert roll_to_note_list(roll, onsets)[1][1:] == (midi(E4), 8, 12)


def test_the_eighths_follow_the_meter_and_a_pickup():
    eighths, bars = meter_grid([(0, Meter(6, 8)), (12, Meter(2, 4))], 20)
    assert eighths.tolist() == [True, False] * 10
    assert bars.tolist() == [12] * 12 + [8] * 8
    eighths, _ = meter_grid(Meter(6, 8), 6, bar_phase=11)  # a sixteenth before the bar
    assert eighths.tolist() == [False, True, False, True, False, True]


def test_a_note_starting_a_sixteenth_late_starts_on_the_eighth_after():
    labels = np.array([[C4, C4, C4, E4, E4, E4, E4, E4]])
    assert on_eighths(labels, np.array([True, False] * 4)).tolist() == [
        [C4, C4, C4, C4, E4, E4, E4, E4]
    ]


def test_candidate_voices_start_notes_only_on_eighths():
    rng = np.random.default_rng(3)
    probs = rng.dirichlet(np.full(65, 0.05), size=(3, 48))  # a restless network
    roll, onsets = accompaniment_voices(probs, Meter(6, 8))
    starts = np.flatnonzero(onsets.any(axis=(0, 2)))
    assert starts.size > 10 and (starts % 2 == 0).all()
    roll, onsets = accompaniment_voices(probs, Meter(6, 8), held=compound_beat)
    starts = np.flatnonzero(onsets.any(axis=(0, 2)))
    assert starts.size > 5 and (starts % 2 == 0).all()
    plain_roll, plain_onsets = voices_to_roll(probs)
    assert (np.flatnonzero(plain_onsets.any(axis=(0, 2))) % 2 == 1).any()  # it could fail


def voice_of(probs: np.ndarray, meter: Meter, held=True) -> list[int]:
    """The one voice's pitch index at each step after the meter's clean-up."""
    roll, _ = accompaniment_voices(probs, meter, held=compound_beat if held else None)
    return np.where(roll[0].any(axis=1), roll[0].argmax(axis=1), REST).tolist()


def test_the_beats_are_the_meters_own_and_a_pickup_is_one():
    assert beat_spans(Meter(6, 8), 24) == [(0, 6), (6, 12), (12, 18), (18, 24)]
    assert beat_spans([(0, Meter(6, 8)), (12, Meter(2, 2))], 28) == [
        (0, 6),
        (6, 12),
        (12, 20),
        (20, 28),
    ]
    assert beat_spans(Meter(6, 8), 8, bar_phase=4) == [(0, 2), (2, 8)]


def test_a_leap_inside_a_dotted_beat_is_held_but_a_passing_line_moves():
    # 6/8: C4 on the beat, a leap to G4 on its second eighth, back to C4 on the next beat.
    leap = one_hot_voices([C4] * 2 + [G4] * 2 + [C4] * 2 + [C4] * 6)
    assert voice_of(leap, Meter(6, 8), held=False)[2] == G4  # what it was before
    assert voice_of(leap, Meter(6, 8)) == [C4] * 12
    # C4 D4 E4 stepping up to the next beat's F4: passing notes stay.
    f4 = E4 + 1
    line = one_hot_voices([C4] * 2 + [D4] * 2 + [E4] * 2 + [f4] * 6)
    assert voice_of(line, Meter(6, 8)) == [C4] * 2 + [D4] * 2 + [E4] * 2 + [f4] * 6
    # A neighbour note (C4 D4 C4) stays; a step that cannot reach the next beat does not.
    neighbour = one_hot_voices([C4] * 2 + [D4] * 2 + [C4] * 2 + [C4] * 6)
    assert voice_of(neighbour, Meter(6, 8))[2:4] == [D4] * 2
    away = one_hot_voices([E4] * 2 + [D4] * 2 + [D4] * 2 + [G4 + 5] * 6)
    assert voice_of(away, Meter(6, 8))[:6] == [E4] * 6


def test_the_beats_note_is_chosen_over_the_whole_beat():
    # The network prefers E4 on the beat's first step only, C4 on the other five steps.
    probs = one_hot_voices([C4] * 12, confidence=0.6)
    probs[0, 0, E4], probs[0, 0, C4] = 0.5, 0.4
    assert voice_of(probs, Meter(6, 8), held=False)[:2] == [E4] * 2
    assert voice_of(probs, Meter(6, 8))[:6] == [C4] * 6


def test_simple_meters_are_not_held_and_the_engine_holds_none():
    rng = np.random.default_rng(5)
    probs = rng.dirichlet(np.full(65, 0.05), size=(3, 64))
    for meter in (Meter(4, 4), Meter(3, 4), Meter(2, 4), Meter(2, 2), Meter(3, 2)):
        held, _ = accompaniment_voices(probs, meter, held=compound_beat)
        eighths, _ = accompaniment_voices(probs, meter)
        assert np.array_equal(held, eighths), meter
    held, _ = accompaniment_voices(probs, Meter(6, 8), held=compound_beat)
    eighths, _ = accompaniment_voices(probs, Meter(6, 8))
    assert not np.array_equal(held, eighths)  # it could fail
