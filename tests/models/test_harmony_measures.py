"""The judging measures on hand-made cases whose answers a musician can check by ear."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.harmony_measures import (
    bass_on_chord_tone_share,
    crossing_share,
    ctnctr,
    ctnctr_steps,
    empty_bar_shares,
    judge,
    leap_share,
    mctd,
    meter_steps,
    metric_grid,
    parallel_perfects,
    pcs,
    pcs_treated,
    spacing_share,
    texture_from_notes,
    texture_from_voices,
    tonal_centroid,
    voice_leading_faults,
    wrong_note_share,
)

C4, E4, G4 = 60, 64, 67
C3, D3, E3, G3, A3 = 48, 50, 52, 55, 57


def held(pitch: int, start: int = 0, end: int = 16) -> list[tuple[int, int, int]]:
    return [(start, end, pitch)]


def triad_under(melody: list[tuple[int, int, int]], n_steps: int = 16):
    """A C major triad held in three parts under ``melody``."""
    parts = [held(G3, 0, n_steps), held(E3, 0, n_steps), held(C3, 0, n_steps)]
    return texture_from_notes(melody, parts, n_steps=n_steps)


# ---------------------------------------------------------------------------------------
# PCS


def test_a_triad_under_its_third_and_fifth_scores_pcs_one():
    assert pcs(triad_under(held(E4 + 12))) == 1.0
    assert pcs(triad_under(held(G4))) == 1.0


def test_a_melody_on_the_root_scores_two_thirds_the_fifth_below_it_a_fourth():
    # C over G is a fourth (0), over C a unison (+1), over E a minor sixth (+1).
    assert pcs(triad_under(held(C4 + 12))) == pytest.approx(2 / 3)
    # C, E, G in turn over the triad: (2/3 + 1 + 1) / 3.
    melody = [(0, 4, C4), (4, 8, E4), (8, 16, G4)]
    assert pcs(triad_under(melody)) == pytest.approx((2 / 3 * 4 + 4 + 8) / 16)


def test_a_minor_second_scores_minus_one_and_a_fourth_zero():
    second = texture_from_notes(held(61), [held(C3)])
    fourth = texture_from_notes(held(65), [held(C3)])
    tritone = texture_from_notes(held(66), [held(C3)])
    assert pcs(second) == -1.0
    assert pcs(fourth) == 0.0
    assert pcs(tritone) == -1.0


def test_pcs_treated_credits_a_suspension_held_over_the_beat_and_resolved_by_step():
    # Over a held C5, the part holds D4 from the downbeat over beat 2, then steps down to
    # C4: the second beat's seventh is a suspension; the downbeat's, unprepared, is not.
    melody, part = held(C4 + 12), [(0, 6, D3 + 12), (6, 16, C3 + 12)]
    texture = texture_from_notes(melody, [part], n_steps=16)
    assert pcs(texture, on_beats=True) == pytest.approx(0.0)  # (-1 - 1 + 1 + 1) / 4
    assert pcs_treated(texture) == pytest.approx(0.5)  # (-1 + 1 + 1 + 1) / 4


def test_pcs_treated_still_counts_a_dissonance_reached_and_left_by_leap():
    # G3, then D4 on beat 2 against C5 (reached and left by leaps), then G3 again.
    part = [(0, 4, G3), (4, 6, D3 + 12), (6, 16, G3)]
    texture = texture_from_notes(held(C4 + 12), [part], n_steps=16)
    assert pcs_treated(texture) == pytest.approx(pcs(texture, on_beats=True))
    assert pcs_treated(texture) == pytest.approx(-0.25)


def test_pcs_on_beats_ignores_an_offbeat_clash():
    # Beats start at 0, 4, 8, 12 in 4/4; a C# on the second 16th of each beat clashes.
    melody = []
    for beat in range(4):
        melody += [(4 * beat, 4 * beat + 1, E4), (4 * beat + 1, 4 * beat + 4, 61)]
    texture = texture_from_notes(melody, [held(C3)])
    assert pcs(texture, on_beats=True) == 1.0
    assert pcs(texture) == pytest.approx((4 * 1 - 12) / 16)


def test_nothing_to_measure_is_nan_never_a_made_up_score():
    silent = texture_from_notes(held(E4), [[]])
    assert math.isnan(pcs(silent))
    assert math.isnan(ctnctr(silent))
    assert math.isnan(mctd(silent))


def test_harmony_measures_do_not_depend_on_the_key():
    rng = np.random.default_rng(3)
    melody = [(2 * i, 2 * i + 2, int(p)) for i, p in enumerate(rng.integers(60, 80, 16))]
    parts = [
        [(4 * i, 4 * i + 4, int(p)) for i, p in enumerate(rng.integers(lo, lo + 12, 8))]
        for lo in (55, 48, 40)
    ]
    base = judge(texture_from_notes(melody, parts, n_steps=32))
    for shift in (1, 5, 7):
        moved = texture_from_notes(
            [(a, b, p + shift) for a, b, p in melody],
            [[(a, b, p + shift) for a, b, p in notes] for notes in parts],
            n_steps=32,
        )
        for name, value in judge(moved).items():
            assert value == pytest.approx(base[name], nan_ok=True), name


# ---------------------------------------------------------------------------------------
# CTnCTR and MCTD


def test_ctnctr_counts_a_passing_note_resolved_by_step_as_proper():
    # C (chord tone), D (not in C-E-G, resolves up a tone to E, a chord tone), E.
    passing = triad_under([(0, 4, C4), (4, 8, 62), (8, 16, E4)])
    assert ctnctr(passing) == 1.0


def test_ctnctr_counts_a_non_chord_tone_left_by_leap_against_it():
    # D left by a leap to A: 4 of 16 steps improper, A (4 steps) also not a chord tone
    # and followed by nothing.
    leap = triad_under([(0, 8, C4), (8, 12, 62), (12, 16, 69)])
    assert ctnctr(leap) == pytest.approx(8 / 16)


def test_ctnctr_steps_say_which_steps_are_chord_tones_and_which_proper():
    # C (chord tone), D resolved up to E (proper), E, then D left by leap to A: neither.
    texture = triad_under([(0, 2, C4), (2, 4, 62), (4, 8, E4), (8, 12, 62), (12, 16, 69)])
    counted, chord_tone, proper = ctnctr_steps(texture)
    assert counted.all()
    assert chord_tone.tolist() == [True] * 2 + [False] * 2 + [True] * 4 + [False] * 8
    assert proper.tolist() == [False] * 2 + [True] * 2 + [False] * 12
    assert ctnctr(texture) == pytest.approx((chord_tone.sum() + proper.sum()) / 16)


def test_ctnctr_skips_a_repeated_note_to_find_the_resolution():
    # D struck twice, then E: the next *different* note resolves it.
    repeated = triad_under([(0, 4, 62), (4, 8, 62), (8, 16, E4)])
    assert ctnctr(repeated) == 1.0


def test_mctd_is_zero_for_a_unison_and_grows_with_dissonance():
    unison = texture_from_notes(held(C4), [held(C3)])
    assert mctd(unison) == pytest.approx(0.0)
    third = mctd(triad_under(held(E4)))
    tritone = mctd(triad_under(held(66)))
    assert 0 < third < tritone


def test_tonal_centroid_is_harte_s_projection():
    c = np.zeros(12)
    c[0] = 1
    assert tonal_centroid(c) == pytest.approx([0, 1, 0, 1, 0, 0.5])
    assert tonal_centroid(np.zeros(12)) == pytest.approx(np.zeros(6))


# ---------------------------------------------------------------------------------------
# Voice leading


def two_voices(upper: list[int], lower: list[int], step_length: int = 4, melody=None):
    """Two accompaniment parts moving note by note, under a silent (or given) melody."""

    def notes(pitches):
        return [(i * step_length, (i + 1) * step_length, p) for i, p in enumerate(pitches)]

    n_steps = step_length * len(upper)
    return texture_from_notes(melody or [], [notes(upper), notes(lower)], n_steps=n_steps)


def test_a_textbook_parallel_fifth_is_counted_once():
    assert parallel_perfects(two_voices([G3, A3], [C3, D3], step_length=8)) == 1


def test_fifths_by_contrary_or_oblique_motion_and_repeated_fifths_are_not_parallels():
    assert parallel_perfects(two_voices([G3, G3 + 12], [C3, C3 + 12 + 7 - 12])) == 0
    assert parallel_perfects(two_voices([G3, A3], [C3, C3])) == 0  # oblique
    assert parallel_perfects(two_voices([G3, G3], [C3, C3])) == 0  # repeated


def test_parallel_octaves_and_compound_fifths_count_as_well():
    assert parallel_perfects(two_voices([C4, D3 + 12], [C3, D3])) == 1  # octaves
    assert parallel_perfects(two_voices([G4, A3 + 12], [C3, D3])) == 1  # twelfths
    # C-G, D-A, E-B: two motions, two faults.
    assert parallel_perfects(two_voices([G3, A3, 59], [C3, D3, E3])) == 2


def test_parallels_between_the_melody_and_a_part_are_counted():
    melody = [(0, 4, 72), (4, 8, 74)]
    texture = texture_from_notes(melody, [[(0, 4, 60), (4, 8, 62)]], n_steps=8)
    assert parallel_perfects(texture) == 1


def test_crossing_share_counts_the_steps_a_lower_part_sounds_above():
    # Alto G3 over tenor C3, then alto C3 under tenor G3.
    assert crossing_share(two_voices([G3, C3], [C3, G3], melody=[(0, 8, 72)])) == 0.5


def test_spacing_flags_upper_voices_over_an_octave_apart_but_not_the_bass():
    wide_top = texture_from_notes(held(76), [held(G3), held(E3), held(C3)])
    wide_bass = texture_from_notes(held(G4), [held(E4), held(C4), held(36)])
    assert spacing_share(wide_top) == 1.0
    assert spacing_share(wide_bass) == 0.0
    assert math.isnan(spacing_share(texture_from_notes(held(G4), [held(C3)])))


def test_leaps_over_a_fifth_in_upper_parts_and_over_an_octave_in_the_bass():
    # Upper part: C4 -> A4 (9: a leap), A4 -> G4 (step).  Bass: C3 -> C2 (12: allowed).
    texture = two_voices([60, 69, 67], [48, 36, 36])
    assert leap_share(texture) == pytest.approx(1 / 3)


def test_voice_leading_faults_count_each_fault_once_per_bar():
    # Two bars of 4/4, quarter notes.  Upper part: C4 C4 G4 G4 | A4 E4 E4 E4; lower part
    # (the bass): C3 C3 C4 C4 | D4 A4 A4 A4.  The bass leaps an octave C3 -> C4 and the
    # upper part a fifth C4 -> G4: neither is over the composite's limits; G4/C4 -> A4/D4
    # is a parallel fifth (1); the bass crosses above the upper part at bar 2 beat 2 and
    # stays there three beats (one crossing, 1).  So 2 faults in 2 bars.
    texture = two_voices(
        [C4, C4, G4, G4, A3 + 12, E4, E4, E4],
        [C3, C3, C4, C4, D3 + 12, A3 + 12, A3 + 12, A3 + 12],
    )
    assert voice_leading_faults(texture) == pytest.approx(2 / 2)
    # An upper part leaping a minor seventh (C4 -> Bb4) is a fault; a major sixth is not.
    assert voice_leading_faults(two_voices([C4, C4 + 10, C4 + 10, C4 + 10], [C3] * 4)) == 1.0
    assert voice_leading_faults(two_voices([C4, C4 + 9, C4 + 9, C4 + 9], [C3] * 4)) == 0.0
    # ... and a bass leap over an octave (C3 -> D4) is, an octave (C3 -> C4) is not.
    assert voice_leading_faults(two_voices([G4] * 4, [C3, C3 + 14, C3 + 14, C3 + 14])) == 1.0
    assert voice_leading_faults(two_voices([G4] * 4, [C3, C4, C4, C4])) == 0.0
    assert judge(texture)["voice_leading"] == voice_leading_faults(texture)


def test_wrong_notes_are_semitones_and_tritones_on_the_beat_only():
    melody = held(72)  # C5
    on_beat = texture_from_notes(melody, [held(59), held(54), held(52)])  # B, F#, E
    assert wrong_note_share(on_beat) == pytest.approx(2 / 3)
    # C# only on off-beat 16ths: not counted.
    off = [(4 * b + 1, 4 * b + 2, 61) for b in range(4)] + [
        (4 * b, 4 * b + 1, 64) for b in range(4)
    ]
    assert wrong_note_share(texture_from_notes(melody, [off])) == 0.0


def test_bass_on_a_chord_tone_on_downbeats():
    good = texture_from_notes(held(E4), [held(G3), held(C3)])
    first_inversion = texture_from_notes(held(C4), [held(G3), held(E3)])
    bad = texture_from_notes(held(E4), [held(G3), held(D3)])  # D under E: a ninth
    six_four = texture_from_notes(held(E4), [held(C4), held(G3 - 12)])  # C a 4th over G
    assert bass_on_chord_tone_share(good) == 1.0
    assert bass_on_chord_tone_share(first_inversion) == 1.0
    assert bass_on_chord_tone_share(bad) == 0.0
    assert bass_on_chord_tone_share(six_four) == 0.0


def test_empty_bars_per_part():
    texture = texture_from_notes(held(72, 0, 32), [held(60, 0, 16), held(48, 0, 32)])
    assert empty_bar_shares(texture) == pytest.approx([0.5, 0.0])


def test_a_tune_with_a_pickup_ends_with_its_last_bar_and_its_pickup_is_no_bar():
    # 3/4 with a one-beat pickup (phase 8): bars at 4 and 16; the melody ends at 28.
    texture = texture_from_notes(held(72, 0, 28), [held(60, 4, 28)], [(0, 3, 4)], bar_phase=8)
    assert texture.n_steps == 28
    assert empty_bar_shares(texture) == pytest.approx([0.0])


# ---------------------------------------------------------------------------------------
# Meters


@pytest.mark.parametrize(
    "meter, beat, bar",
    [
        ((4, 4), 4, 16),
        ((3, 4), 4, 12),
        ((2, 4), 4, 8),
        ((2, 2), 8, 16),
        ((3, 2), 8, 24),
        ((6, 8), 6, 12),
        ((9, 8), 6, 18),
        ((12, 8), 6, 24),
        ((6, 4), 12, 24),
        ((3, 8), 6, 6),
        ((5, 4), 4, 20),
        ((7, 8), 2, 14),
    ],
)
def test_meter_steps(meter, beat, bar):
    assert meter_steps(*meter) == (beat, bar)


def test_metric_grid_follows_a_meter_change_and_a_pickup():
    beats, bars = metric_grid(20, [(0, 2, 4), (8, 6, 8)])
    assert list(np.flatnonzero(bars)) == [0, 8]
    assert list(np.flatnonzero(beats)) == [0, 4, 8, 14]
    beats, bars = metric_grid(16, [(0, 3, 4)], bar_phase=8)  # a one-beat pickup in 3/4
    assert list(np.flatnonzero(bars)) == [4]
    assert list(np.flatnonzero(beats)) == [0, 4, 8, 12]


def test_an_upbeat_cut_off_by_a_restated_signature_is_no_bar_of_its_own():
    # 6/8 with a one-eighth pickup (phase 10 of 12 steps): bars at 2, 14; the signature
    # restated at 16 leaves 14-16 (a section's upbeat), which joins the bar before it.
    beats, bars = metric_grid(30, [(0, 6, 8), (16, 6, 8)], bar_phase=10)
    assert list(np.flatnonzero(bars)) == [2, 16, 28]
    assert list(np.flatnonzero(beats)) == [2, 8, 16, 22, 28]


def test_texture_from_voices_matches_texture_from_notes():
    voices = np.array([[72, 72, 74, 74], [67, 67, 67, 67], [64, 64, 65, 65], [48, 48, -1, 50]])
    a = texture_from_voices(voices, steps_per_bar=4)
    notes = [[(s, s + 1, int(p)) for s, p in enumerate(v) if p >= 0] for v in voices]
    b = texture_from_notes(notes[0], notes[1:], n_steps=4, signatures=[(0, 1, 4)])
    assert np.array_equal(a.melody, b.melody) and np.array_equal(a.parts, b.parts)
    assert judge(a) == pytest.approx(judge(b), nan_ok=True)


def test_untreated_dissonance_counts_the_unprepared_clash_and_not_the_suspension():
    from models.harmony_measures import untreated_dissonance

    # The suspension case above: the downbeat's seventh is unprepared (1 of 4 pairs), the
    # second beat's is held over and resolved by step (treated, not counted).
    melody, part = held(C4 + 12), [(0, 6, D3 + 12), (6, 16, C3 + 12)]
    suspension = texture_from_notes(melody, [part], n_steps=16)
    assert untreated_dissonance(suspension) == pytest.approx(0.25)
    # Reached and left by leaps: the clash on beat 2 is untreated.
    part = [(0, 4, G3), (4, 6, D3 + 12), (6, 16, G3)]
    leapt = texture_from_notes(held(C4 + 12), [part], n_steps=16)
    assert untreated_dissonance(leapt) == pytest.approx(0.25)
    # Consonant throughout: none.
    assert untreated_dissonance(texture_from_notes(held(C4 + 12), [held(G3)])) == 0.0
