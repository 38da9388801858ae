"""Which track a step or two late does a band's ranking miss?  A diagnostic of
``models.band_negatives.track_late`` (session 12, docs/benchmarks/band-ranking.md).

On ``bench_band_ranking``'s validation windows (10 per style and meter), each playing
track of MMA's own rendering is moved one and two steps late, and the share of windows
where the real rendering scores above the late copy is printed per track and lateness,
by the take's ranking score and by the critic alone, for each model given.

    python benchmarks/band_late_tracks.py MODEL.safetensors [MODEL ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_band_ranking as bb  # noqa: E402

from composer_gui.core.engine import Engine  # noqa: E402
from composer_gui.core.melody_grid import melody_on_grid  # noqa: E402
from models.band_evaluate import band_windows, spread  # noqa: E402
from models.band_pieces import load_band_split  # noqa: E402
from models.band_styles import STYLES  # noqa: E402


def late_copies(window, tracks) -> tuple[list, list[tuple[str, int]]]:
    """Every playing track of the window one and two steps late, and which it is."""
    copies, keys = [], []
    for t, track in enumerate(tracks):
        if not window.tracks[t][0].any():
            continue
        for steps in (1, 2):
            late = list(window.tracks)
            late[t] = (np.roll(late[t][0], steps, 0), np.roll(late[t][1], steps, 0))
            copies.append(late)
            keys.append((track.name, steps))
    return copies, keys


def main() -> None:
    data = load_band_split(bb.band_data_dir(), "valid")
    windows = band_windows(data, 8)
    for model in sys.argv[1:]:
        engine = Engine(Path(model), "cpu")
        engine.load()
        below: dict[tuple, list[float]] = {}
        for style in STYLES:
            index = list(data.styles).index(style.name)
            for signature in style.grooves:
                pool = [w for w in windows if w.style == index and w.meter.signature == signature]
                pool = spread([w for w in map(bb.from_first_bar, pool) if bb.on_own_grid(w)], 10)
                for window in pool:
                    grid = melody_on_grid(bb.window_melody(window))
                    copies, keys = late_copies(window, engine.tracks)
                    for raw in (False, True):
                        s = bb.take_scores(engine, grid, index, [window.tracks, *copies], raw)
                        for key, score in zip(keys, s[1:], strict=True):
                            below.setdefault((raw, *key), []).append(float(s[0] > score))
        print(model)
        for (raw, name, steps), values in sorted(below.items()):
            by = "critic alone" if raw else "ranking"
            print(f"  {by:12} {name:7} {steps} late: {100 * np.mean(values):.0f}% of {len(values)}")


if __name__ == "__main__":
    main()
