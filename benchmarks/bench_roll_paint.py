"""What one playhead step costs the window while a 32-bar, 4-track accompaniment plays.

    .venv/bin/python benchmarks/bench_roll_paint.py [--frames 60]

The playhead moves about 30 times a second (``main_window.PLAYHEAD_MS``), each time
asking the roll to paint. The roll keeps its drawing of everything but the playhead, so a
step only puts that drawing back and draws one line. The baseline, measured in the same
run, draws the whole roll again on every step (``refresh()``), as the roll did before it
kept its drawing. Painted synchronously (``repaint()``) under offscreen Qt at 1240x400,
zoomed out to all 32 bars (the roll opens on 16; paging to the playhead redraws once a page).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from composer_gui.core.arrangement import Arrangement, Note, Track  # noqa: E402
from composer_gui.ui.piano_roll import ArrangementView  # noqa: E402


def busy_arrangement(bars: int = 32) -> Arrangement:
    """Four tracks of eighth notes: 256 notes a track at 32 bars of 4/4."""
    rng = random.Random(0)
    names = ["melody", "alto", "tenor", "bass"]
    return Arrangement(
        [
            Track(
                name,
                [
                    Note(rng.randint(64 - 8 * i, 76 - 8 * i), step * 0.5, 0.5)
                    for step in range(bars * 8)
                ],
                channel=i,
            )
            for i, name in enumerate(names)
        ]
    )


def step_milliseconds(view: ArrangementView, frames: int, redraw_all: bool) -> list[float]:
    times = []
    for frame in range(frames):
        view.set_playhead(frame * 0.25)
        if redraw_all:
            view.refresh()
        started = time.perf_counter()
        view.repaint()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    view = ArrangementView()
    view.resize(1240, 400)
    view.show()
    app.processEvents()
    view.set_arrangement(busy_arrangement(), [True] * 4)
    view.zoom_to_fit()  # all 32 bars in view, the most to draw (a roll opens on 16)
    view.repaint()
    kept = step_milliseconds(view, args.frames, redraw_all=False)
    redrawn = step_milliseconds(view, args.frames, redraw_all=True)
    for label, times in (("kept drawing", kept), ("redrawn (baseline)", redrawn)):
        print(
            f"{label:>19}: median {statistics.median(times):6.2f} ms, max {max(times):6.2f} ms "
            f"per playhead step"
        )
    ratio = statistics.median(redrawn) / statistics.median(kept)
    print(f"baseline/kept: x{ratio:.0f} at the median")


if __name__ == "__main__":
    main()
