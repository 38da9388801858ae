"""The musical checks on hand-written four-part snippets, where the right answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from models.musical_checks import (
    SHAPING_MEASURES,
    check_rolls,
    check_voices,
    shaping_rates,
    voices_of_rolls,
)
from models.pianoroll import LOWEST_PITCH, STEPS_PER_BEAT, Meter

REST = None


def part(*pitches: int | None) -> list[int]:
    """Quarter notes (MIDI pitches; None a rest) as grid steps of pitch indices or -1."""
    steps = []
    for pitch in pitches:
        steps += [-1 if pitch is None else pitch - LOWEST_PITCH] * STEPS_PER_BEAT
    return steps


def voices(*parts: list[int]) -> np.ndarray:
    """One candidate ``(1, 4, step)`` from melody, alto, tenor and bass parts."""
    return np.array([parts])


# A clean C-major cadence: I - IV - V - I, contrary and oblique motion, no faults.
MELODY = part(76, 77, 74, 72)
ALTO = part(67, 69, 67, 67)
TENOR = part(60, 60, 59, 60)
BASS = part(48, 53, 55, 48)


def test_a_clean_cadence_has_no_faults():
    result = check_voices(voices(MELODY, ALTO, TENOR, BASS))[0]
    # Block chords: no passing note inside any of the four beats, and nothing else.
    assert result.counts == {name: 0 for name in SHAPING_MEASURES} | {"no_passing": 4}
    assert {f.check for f in result.findings} == {"no_passing"}
    assert result.n_bars == 1


def test_parallel_fifths_are_found_with_their_bar_and_voices():
    # Bar 2: alto and bass move C-D over F-G, a fifth to a fifth.
    melody = part(72, 72, 72, 72, 79, 79, 79, 79)
    alto = part(64, 64, 64, 64, 72, 74, 74, 74)
    tenor = part(64, 64, 64, 64, 64, 65, 65, 65)
    bass = part(48, 48, 48, 48, 53, 55, 55, 55)
    result = check_voices(voices(melody, alto, tenor, bass))[0]
    assert result.counts["parallels"] == 1
    assert result.bars("parallels") == [2]
    (finding,) = [f for f in result.findings if f.check == "parallels"]
    assert finding.detail == "fifths (alto and bass)"


def test_contrary_motion_from_an_octave_is_fine_but_similar_motion_to_one_is_not():
    contrary = check_voices(voices(part(72, 74), part(67, 65), part(64, 62), part(60, 57)))[0]
    assert contrary.counts["parallels"] == 0
    octaves = check_voices(voices(part(72, 74), part(67, 67), part(64, 65), part(60, 62)))[0]
    assert octaves.counts["parallels"] == 1
    assert "octaves (melody and bass)" in [f.detail for f in octaves.findings]


def test_clashes_on_strong_beats_are_told_from_weak_beats():
    # Beat 1: the alto a major seventh under the melody (C#4 under C5); beat 2: a tritone,
    # a weak beat; beat 3 (strong in 4/4): a minor second (B4 under C5).
    melody = part(72, 72, 72, 72)
    alto = part(61, 66, 71, 67)
    result = check_voices(voices(melody, alto, part(55, 55, 55, 55), part(48, 48, 48, 48)))[0]
    assert result.counts["strong_beat_clashes"] == 2
    assert result.counts["other_beat_clashes"] == 1
    details = [f.detail for f in result.findings if f.check == "strong_beat_clashes"]
    assert details == [
        "major seventh (alto against the melody)",
        "minor second (alto against the melody)",
    ]


def test_three_four_has_one_strong_beat_a_bar():
    melody = part(72, 72, 72, 72, 72, 72)
    alto = part(71, 71, 71, 71, 71, 71)  # a minor second on every beat of two 3/4 bars
    result = check_voices(
        voices(melody, alto, part(*[None] * 6), part(*[None] * 6)), Meter.of((3, 4))
    )[0]
    assert result.counts["strong_beat_clashes"] == 2
    assert result.counts["other_beat_clashes"] == 4
    assert result.bars("strong_beat_clashes") == [1, 2]


def test_crossing_spacing_and_leaps():
    melody = part(72, 72, 72, 72)
    alto = part(67, 74, 67, 55)  # above the melody on beat 2; 17 below it on beat 4
    tenor = part(64, 64, 52, 52)  # a leap of 12, and 15 below the alto on beat 3
    bass = part(48, 48, 48, 48)
    result = check_voices(voices(melody, alto, tenor, bass))[0]
    assert result.counts["voice_crossings"] >= 1
    assert "alto above melody" in [f.detail for f in result.findings]
    assert result.counts["wide_spacing"] == 2
    assert {f.detail for f in result.findings if f.check == "wide_spacing"} == {
        "tenor far from alto",
        "alto far from melody",
    }
    assert result.counts["large_leaps"] == 2  # alto 67 -> 74 is 7 (fine), 67 -> 55 is 12
    assert {f.detail for f in result.findings if f.check == "large_leaps"} == {
        "tenor leaps 12 semitones",
        "alto leaps 12 semitones",
    }


def test_notes_out_of_the_melody_key():
    melody = part(60, 62, 64, 65, 67, 69, 71, 72)  # C major scale
    alto = part(55, 55, 54, 54, 55, 57, 55, 55)  # F#: out of C major
    result = check_voices(voices(melody, alto, part(*[None] * 8), part(*[None] * 8)))[0]
    assert result.counts["out_of_key"] == 1
    assert [f.detail for f in result.findings if f.check == "out_of_key"] == ["alto plays F#"]


def test_bass_on_the_root_against_an_inversion():
    root = check_voices(voices(part(72), part(67), part(64), part(48)))[0]
    inversion = check_voices(voices(part(72), part(67), part(60), part(52)))[0]
    assert (root.bass_on_root, root.bass_bars) == (1, 1)
    assert (inversion.bass_on_root, inversion.bass_bars) == (0, 1)


def test_rolls_and_voices_agree_and_rates_are_per_bar():
    v = np.concatenate(
        [
            voices(MELODY * 2, ALTO * 2, TENOR * 2, BASS * 2),
            voices(MELODY * 2, part(71, 71, 71, 71) * 2, TENOR * 2, BASS * 2),
        ]
    )
    rolls = np.zeros((*v.shape, 64), dtype=bool)
    c, t, s = np.nonzero(v >= 0)
    rolls[c, t, s, v[c, t, s]] = True
    assert np.array_equal(voices_of_rolls(rolls), v)
    from_rolls = check_rolls(rolls)
    assert [r.counts for r in from_rolls] == [r.counts for r in check_voices(v)]
    rates = shaping_rates(from_rolls)
    assert rates.shape == (2, len(SHAPING_MEASURES))
    clashes = SHAPING_MEASURES.index("strong_beat_clashes")
    assert rates[0, clashes] == 0
    assert rates[1, clashes] == from_rolls[1].counts["strong_beat_clashes"] / 2


def test_a_bad_shape_is_refused():
    with pytest.raises(ValueError, match="candidate, 4 tracks, step"):
        check_voices(np.zeros((2, 3, 16), dtype=int))
