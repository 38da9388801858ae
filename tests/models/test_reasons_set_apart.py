"""A score that says why (issue 18): each candidate's reasons name what costs it its
place, in ranking-score units, chorale and band alike (``models.ranking.set_apart``).

The band take is hand-made on the lead's 6/8 melody (session 19): the chords of the
lower candidates play C major under the melody's A on the second beat of bar 3, a major
second on a weak beat, milder than a named clash. Before, their reasons read the count
of named clashes (none) and said "no clash of the chords with the melody on a beat"
while that very check cost them their place."""

from __future__ import annotations

import numpy as np

from models.band_ranking import BAND_CHECKS, band_checks, band_ranking, band_reasons
from models.musical_checks import check_voices
from models.pianoroll import LOWEST_PITCH, Meter
from models.ranking import reasons, set_apart
from models.tracks import kit_row
from tests.support.band_data import TOY_TRACKS

METER = Meter(6, 8)  # 12 steps a bar, two dotted-quarter beats
# The lead's melody: (MIDI pitch, length in eighths), 5 bars.
MELODY = [(67, 2), (69, 1), (71, 2), (72, 1), (76, 3), (71, 3), (72, 2), (71, 1), (69, 2)]
MELODY += [(66, 1), (64, 3), (66, 3), (67, 6)]
G, EM, C, AM, D = (55, 59, 62), (52, 55, 59), (48, 52, 55), (57, 60, 64), (50, 54, 57)
# A chord for each beat: the first choice's, and the lower candidates' (C, not Am, in bar 3).
GOOD = [G, G, EM, EM, C, AM, EM, D, G, G]
RUB = [G, G, EM, EM, C, C, EM, D, G, G]


def melody() -> np.ndarray:
    line = np.concatenate([np.full(2 * n, p - LOWEST_PITCH) for p, n in MELODY])
    assert line.size == 5 * METER.bar_steps
    return line


def band(chords) -> list[tuple[np.ndarray, np.ndarray]]:
    """The toy band (bass, piano, drums): the chord held a beat, its root in the bass, the
    same drum bar every bar."""
    n = 5 * METER.bar_steps
    bass, piano, drums = TOY_TRACKS
    tracks = [(np.zeros((n, t.n_rows), bool), np.zeros((n, t.n_rows), bool)) for t in TOY_TRACKS]
    for b, chord in enumerate(chords):
        start = 6 * b
        for track, pitches in ((0, [chord[0] - 12]), (1, [p + 12 for p in chord])):
            rows = [TOY_TRACKS[track].pitch_row(p) for p in pitches]
            tracks[track][0][start : start + 6, rows] = True
            tracks[track][1][start, rows] = True
        kit = kit_row(36 if b % 2 == 0 else 38)
        tracks[2][0][start, kit] = tracks[2][1][start, kit] = True
    return tracks


def take():
    return band_checks(TOY_TRACKS, melody(), [band(GOOD)] * 3 + [band(RUB)] * 3, METER)


def test_lower_band_candidates_are_told_the_check_that_costs_them_and_where():
    checks = take()
    ranked = band_ranking(np.zeros(6), checks, np.linspace(-1, 1, 101))
    assert ranked[3] < ranked[0]  # the ranking itself: the check costs them their place
    assert checks[3].band_counts[BAND_CHECKS.index("chord_discord")] == 0  # no named clash
    said = band_reasons(list(checks), 3)
    assert (
        said[0]
        == "the chords rub against the melody on beat 2 of bar 3, harder than the first choice"
    )
    # The first choice is told apart from the take's median, here the rubbing ones.
    assert band_reasons(list(checks), 0) == ["no clash of the chords with the melody, unlike most"]
    assert band_reasons(list(checks), 1) == []  # the first choice's equal


def test_the_rule_weighs_the_cost_not_the_count():
    """A check that differs more in rate but weighs little comes after one that costs more."""
    costs = np.array([[0.0, 0.0], [0.3, 0.5], [0.3, 0.5]]) * np.array([10.0, 1.0])
    assert [j for j, _ in set_apart(costs, None, 1)] == [0, 1]
    # A first choice worse than the take's median on both: its losses are said, costliest first.
    said = set_apart(np.array([[0.5, 3.0], [0.0, 0.0], [0.0, 0.0]]), None, 0)
    assert [(j, round(g, 2)) for j, g in said] == [(1, 3.0), (0, 0.5)]


def test_a_candidate_set_apart_by_the_critic_alone_gets_the_critics_sentence():
    checks = take()[:3]  # three equal bands
    critic = np.array([0.6, 0.6, 0.2])
    assert band_reasons(checks, 2, critic=critic) == [
        "the critic hears it as less like the style's real bands than the first choice"
    ]
    assert band_reasons(checks, 1, critic=critic) == []
    voices = np.zeros((2, 4, 32), dtype=np.int64)
    voices[:] = np.array([72, 64, 55, 48])[None, :, None] - LOWEST_PITCH
    chorale = check_voices(voices)
    assert reasons(chorale, 1, critic=np.array([0.4, -0.1])) == [
        "the critic hears it as less like Bach's chorales than the first choice"
    ]
    assert reasons(chorale, 0, critic=np.array([0.4, -0.1])) == [
        "the critic hears it as more like Bach's chorales than most"
    ]


def test_the_bass_and_the_drums_are_named_where_they_cost():
    """The brief's words: the bass off the chords in the bars it is, the drums losing their
    pattern in the bar they do (a hi-hat bar among kick-and-snare ones)."""
    good = band(GOOD)
    off = [(s.copy(), o.copy()) for s, o in good]
    for start in (24, 48):  # the first beats of bars 3 and 5: the bass a tone up
        rows = np.flatnonzero(off[0][0][start]) + 2
        off[0][0][start : start + 6], off[0][1][start : start + 6] = False, False
        off[0][0][start : start + 6, rows], off[0][1][start, rows] = True, True
    loose = [(s.copy(), o.copy()) for s, o in good]
    loose[2][0][36:48], loose[2][1][36:48] = False, False
    loose[2][0][36:48:2, kit_row(42)] = loose[2][1][36:48:2, kit_row(42)] = True
    checks = list(band_checks(TOY_TRACKS, melody(), [good, good, off, loose], METER))
    assert band_reasons(checks, 2)[0] == (
        "the bass off the chords on 2 beats in bars 3 and 5, more than the first choice"
    )
    assert band_reasons(checks, 3)[0] == (
        "the drums lose their pattern in bar 4, more than the first choice"
    )
