"""``benchmarks/band_phrase_bars.py``'s count: note starts a bar per bar of four, from a
track's onsets, where any row starts (a chord's attack, a drum hit, counted once)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import band_phrase_bars as bpb  # noqa: E402


def test_starts_are_counted_per_bar_of_four_and_a_chord_once():
    bar, n_bars = 12, 8
    onsets = np.zeros((bar * n_bars, 5), bool)
    for b in range(n_bars):
        onsets[b * bar, [0, 2, 4]] = True  # a chord on the one: one start
        if b % 4 == 3:  # bar 4 of 4 walks: beats 2 and 3
            onsets[b * bar + 4, 1] = onsets[b * bar + 8, 3] = True
    assert bpb.starts_per_bar(onsets, bar, n_bars).tolist() == [1.0, 1.0, 1.0, 3.0]
    onsets[-1, 0] = True  # one more start in bar 8 (the second bar 4): half a start more
    assert bpb.starts_per_bar(onsets, bar, n_bars).tolist() == [1.0, 1.0, 1.0, 3.5]
    # a roll longer than the bars asked for: only those bars count
    assert bpb.starts_per_bar(onsets, bar, 4).tolist() == [1.0, 1.0, 1.0, 3.0]
