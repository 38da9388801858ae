"""Do a style's 2/4 bars alternate two patterns? (issue 17: why rock and swing in 2/4 are
named worse than in 4/4)

Up to band-mma-v2, ``models.band_styles`` rendered 2/4 with each style's 4-beat MMA groove
barred in two, so every other 2/4 bar was the groove's second half; since v3 a 2/4 bar is
the groove cut to its first half (``Groove.cut_to``), and what is left to differ between
odd and even bars is the groove's own two-bar figure. This prints, per style, the mean
difference between the odd and even bars of its 2/4 training pieces on the
style classifier's rhythm features (kit groups struck per step, chord onsets per step),
and the kick, snare and hi-hat per step of each half. Data only; judges nothing.

Usage: python benchmarks/band_bar_halves.py [DATA] (default /work/data/band-mma-v2)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from models.band_pieces import load_band_split
from models.track_metrics import KIT_GROUP_ROWS

BAR = 8  # steps in a 2/4 bar


def halves(data, style: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean features of the style's 2/4 bars that start a groove bar and that end one."""
    found: dict[int, list[np.ndarray]] = {0: [], 1: []}
    chords = [t.name for t in data.tracks].index("chords")
    for i in range(len(data)):
        if int(data.piece_styles[i]) != style or tuple(data.meters[i]) != (2, 4):
            continue
        piece = data.piece(i)
        first = (BAR - piece.bar_phase) % BAR
        n = (piece.n_steps - first) // BAR
        span = slice(first, first + n * BAR)
        drums = piece.onsets[0][span].reshape(n, BAR, -1)
        kit = np.stack([drums[:, :, rows].any(axis=2) for rows in KIT_GROUP_ROWS.values()], 2)
        struck = piece.onsets[chords][span].reshape(n, BAR, -1).any(axis=2)
        for bar in range(n):
            found[bar % 2].append(np.concatenate([kit[bar].T.ravel(), struck[bar]]))
    return np.mean(found[0], axis=0), np.mean(found[1], axis=0)


def main() -> None:
    data = load_band_split(
        Path(sys.argv[1] if len(sys.argv) > 1 else "/work/data/band-mma-v2"), "train"
    )
    groups = list(KIT_GROUP_ROWS)
    for index, style in enumerate(data.styles):
        if not any(
            int(s) == index and tuple(m) == (2, 4) for s, m in zip(data.piece_styles, data.meters)
        ):
            continue
        a, b = halves(data, index)
        print(f"{style}: mean |first half - second half| {np.abs(a - b).mean():.3f}")
        for g, name in enumerate(groups[:3]):
            row = slice(g * BAR, (g + 1) * BAR)
            print(f"  {name:6s} first {np.round(a[row], 1)} second {np.round(b[row], 1)}")


if __name__ == "__main__":
    main()
