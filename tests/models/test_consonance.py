"""The graded harmony of every beat, on hand-written four-part beats in C major."""

from __future__ import annotations

import numpy as np

from models.consonance import DISCORD, beat_steps, grade_beats
from models.musical_checks import check_voices
from models.pianoroll import LOWEST_PITCH, Meter
from models.ranking import reasons

BEAT = 4  # steps per quarter


def chorale(*chords: tuple[int, int, int, int]) -> np.ndarray:
    """(track, step) pitch indices: one chord (soprano, alto, tenor, bass MIDI) per beat."""
    steps = [np.repeat(np.array(chord) - LOWEST_PITCH, BEAT).reshape(4, BEAT) for chord in chords]
    return np.concatenate(steps, axis=1)


C_MAJOR = (72, 67, 64, 48)  # C5 G4 E4 C3: root position, complete
FIRST_INVERSION = (72, 67, 60, 52)  # E in the bass
SIX_FOUR = (72, 64, 60, 43)  # G in the bass under C E
BARE = (72, 72, 60, 48)  # C alone, four octaves


def grades(*candidates: np.ndarray, meter: Meter | None = None):
    meters = [(0, meter or Meter())]
    return grade_beats(np.stack(candidates), meters)


def test_intervals_are_graded_from_consonant_to_harsh():
    thirds_fifths_octaves = DISCORD[[0, 3, 4, 7, 8, 9]]
    assert (thirds_fifths_octaves == 0).all()
    assert 0 < DISCORD[2] == DISCORD[10] < DISCORD[6] < DISCORD[1] == DISCORD[11] == 1


def test_a_clean_root_position_chord_grades_zero_everywhere():
    (g,) = grades(chorale(*[C_MAJOR] * 4))
    assert all(g.rate(name) == 0.0 for name in g.grades if name != "no_passing")
    # Block chords: nothing moves inside any beat.
    assert g.rate("no_passing") == 1.0


def test_a_passing_note_inside_a_beat_is_heard_and_a_leap_is_not():
    block = chorale(C_MAJOR, (72, 65, 62, 47), C_MAJOR, C_MAJOR)  # G7 on beat 2
    passing = block.copy()
    passing[1, 2:4] = 66 - LOWEST_PITCH  # G4 -> F#4 (a semitone) -> F4 (a semitone)
    leap = block.copy()
    leap[1, 2:4] = 60 - LOWEST_PITCH  # G4 -> C4 -> F4: leaps, not a passing note
    b, p, j = grades(block, passing, leap)
    assert b.rate("no_passing") == j.rate("no_passing") == 1.0
    assert p.grades["no_passing"].tolist() == [0.0, 1.0, 1.0, 1.0]


def test_a_dissonance_that_resolves_by_step_grades_half():
    # Beat 2: the alto holds F4 under the melody's E5 (a major seventh), then resolves.
    held = chorale(C_MAJOR, (76, 65, 60, 48), (76, 64, 60, 48), C_MAJOR)
    unresolved = chorale(C_MAJOR, (76, 65, 60, 48), (76, 72, 60, 48), C_MAJOR)
    resolved, leaps = grades(held, unresolved)
    assert resolved.grades["melody_discord"][1] == 0.5
    assert leaps.grades["melody_discord"][1] == 1.0


def test_the_bass_supports_from_the_root_less_from_the_third_least_from_the_fifth():
    root, first, six_four = grades(
        chorale(*[C_MAJOR] * 4), chorale(*[FIRST_INVERSION] * 4), chorale(*[SIX_FOUR] * 4)
    )
    assert root.rate("weak_bass") < first.rate("weak_bass") < six_four.rate("weak_bass")
    # The six-four's fourth above the bass (G up to C) is a dissonance among the voices.
    assert six_four.rate("inner_discord") > root.rate("inner_discord") == 0


def test_a_minor_second_against_the_melody_is_harsher_than_a_major_second():
    semitone = chorale(C_MAJOR, (72, 71, 64, 48), C_MAJOR, C_MAJOR)  # B4 under C5
    tone = chorale(C_MAJOR, (72, 70, 64, 48), C_MAJOR, C_MAJOR)  # Bb4 under C5
    clean, sharp, mild = grades(chorale(*[C_MAJOR] * 4), semitone, tone)
    assert clean.rate("melody_discord") < mild.rate("melody_discord")
    assert mild.rate("melody_discord") < sharp.rate("melody_discord")


def test_a_thin_beat_is_named_with_its_beat_and_bar():
    thin_third = chorale(C_MAJOR, C_MAJOR, BARE, C_MAJOR, *[C_MAJOR] * 4)
    checks = check_voices(np.stack([chorale(*[C_MAJOR] * 8)] * 3 + [thin_third]))
    assert checks[3].counts["thin_beats"] == 1 and checks[0].counts["thin_beats"] == 0
    assert any(r.startswith("thin on beat 3 of bar 1") for r in reasons(checks, 3))
    # Two in one bar: the count once, then the bar and its beats.
    thin_two = chorale(C_MAJOR, BARE, BARE, C_MAJOR, *[C_MAJOR] * 4)
    checks = check_voices(np.stack([chorale(*[C_MAJOR] * 8)] * 3 + [thin_two]))
    assert any(r.startswith("thin on 2 beats in bar 1 (2 and 3)") for r in reasons(checks, 3))


def test_beats_follow_the_meter():
    steps, bar, beat = beat_steps(24, [(0, Meter(6, 8))])  # two bars of two dotted quarters
    assert steps.tolist() == [0, 6, 12, 18]
    assert bar.tolist() == [1, 1, 2, 2] and beat.tolist() == [1, 2, 1, 2]
    steps, bar, beat = beat_steps(16, [(0, Meter())], bar_phase=12)  # a one-beat pickup
    assert bar.tolist() == [1, 2, 2, 2] and beat.tolist() == [1, 1, 2, 3]
