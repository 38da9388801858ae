"""The chord naming scores every span of a candidate at once (a matrix of chord
templates); this checks it names exactly what the one-chord-at-a-time rule it replaced
names, on random rolls in three meters and on weights with ties and fractions. The
oracle below is that rule written plainly, kept here only as the reference."""

from __future__ import annotations

import numpy as np
import pytest

from models import chord_symbols as cs
from models.pianoroll import Meter


def _oracle_score(weights, root, intervals, bass):
    total = sum(weights) or 1.0
    tones = {(root + i) % 12 for i in intervals}
    inside = sum(weights[pc] for pc in tones)
    missing = sum(1 for pc in tones if weights[pc] <= 0)
    score = (inside - (total - inside)) / total - 0.15 * missing
    score -= 0.25 * max(0, len(intervals) - 3)
    if len(intervals) == 2:
        score -= 0.1
    if root != bass:
        score -= 0.04
    return score


def oracle_name(weights, bass):
    """The chord a span was named before: quality by quality, root by root, the first
    to score more than 1e-9 above the best so far."""
    weights = [float(w) for w in weights]
    sounding = [pc for pc in range(12) if weights[pc] > 0]
    if not sounding:
        return cs.NO_CHORD
    bass = (sounding[0] if bass is None else bass) % 12
    if len(sounding) == 1:
        return cs.pitch_name(sounding[0])
    best, best_score = ("", sounding[0]), float("-inf")
    for suffix, intervals in cs.QUALITIES:
        for root in sounding:
            score = _oracle_score(weights, root, intervals, bass)
            if score > best_score + 1e-9:
                best, best_score = (suffix, root), score
    suffix, root = best
    name = cs.pitch_name(root) + suffix
    if bass != root:
        name += "/" + cs.spell_above(cs.pitch_name(root), (bass - root) % 12)
    return name


def oracle_span(roll):
    active = np.flatnonzero(roll.any(axis=1))
    if active.size == 0:
        return cs.NO_CHORD
    first = roll[active[0]]
    per_pitch = roll.sum(axis=0).astype(float) + first * len(roll)
    weights = [float(per_pitch[pc::12].sum()) for pc in range(12)]
    return oracle_name(weights, int(np.flatnonzero(first)[0]))


@pytest.mark.parametrize("fractional", [False, True])
def test_weights_are_named_as_one_chord_at_a_time_named_them(fractional):
    rng = np.random.default_rng(7)
    for _ in range(3000):
        weights = rng.integers(0, 5, 12) * (rng.random(12) < 0.4)
        if fractional:
            weights = weights * rng.random(12)
        bass = None if rng.random() < 0.3 else int(rng.integers(0, 12))
        assert cs.name_weighted(list(weights), bass) == oracle_name(weights, bass)


@pytest.mark.parametrize(
    "meters", [[(0, Meter(4, 4))], [(0, Meter(6, 8))], [(0, Meter(3, 4)), (24, Meter(2, 4))]]
)
def test_every_span_of_a_roll_is_named_as_alone(meters):
    rng = np.random.default_rng(len(meters[0][1].__repr__()))
    for trial in range(300):
        steps = int(rng.integers(1, 80))
        roll = rng.random((steps, 128)) < rng.uniform(0, 0.2) * (rng.random(128) < 0.15)
        for per in cs.RHYTHMS:
            starts = cs.span_starts(meters, steps, trial % 3, per)
            ends = [*starts[1:], steps]
            expected = [(a, oracle_span(roll[a:b])) for a, b in zip(starts, ends) if b > a]
            got = cs.chord_symbols_of_pitches(roll, meters, trial % 3, per, merge=False)
            assert got == expected
