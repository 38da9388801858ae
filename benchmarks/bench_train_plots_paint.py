"""What one plot of the Train window costs to paint when a new row comes: CPU, per plot.

    .venv/bin/python benchmarks/bench_train_plots_paint.py [--rows 40] [--rounds 3]

The Train window (offscreen) is given a run's rows (losses, the Wasserstein estimate,
the penalty, a band's metrics: made-up values of a training's shape, since only the
drawing is timed), then a row at a time as a run logs them; after each, the plots'
work is done as the window does it (``paint_next``) and each plot changed is painted
at once (``viewport().repaint()``).  Printed per plot: the main thread's CPU time for
its ``setData`` and its paint (median of 12 new rows), as the window draws now (major
ticks only, their labels and grid lines; a dense curve one pixel wide) and as it drew
before session 13 (every tick level labelled and gridded, pyqtgraph's default; every
curve two pixels wide), alternating in the same run; and the ratio.  CPU time, not
wall time, so a busy machine slows it less; it is still only a ratio within a run.
--rows 2000 is a run of 10 000 or 20 000 iterations (a row every 5 or 10).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

REFERENCE = {  # a drums-and-bass band's metrics, as reference.json holds them
    "drums: notes a bar": 8.0,
    "drums: empty bars": 0.1,
    "bass: notes a bar": 4.0,
    "bass: empty bars": 0.1,
    "bass on a chord tone": 0.7,
}
NEW_ROWS = 12
DENSE_POINTS = 120  # the window's (ui/train_plots.py), kept here to restore it


def _row(i: int, rng) -> dict[str, float]:
    return {
        "iteration": 5.0 * i,
        "critic_loss": -3 + math.sin(i / 5) + rng.normal() * 0.1,
        "generator_loss": 2 + rng.normal() * 0.3,
        "wasserstein": 3 * math.exp(-i / 30) + rng.normal() * 0.1,
        "gradient_penalty": abs(rng.normal()) * 0.2,
        "seconds": float(i),
    }


def _metric_row(iteration: float, rng) -> dict[str, float]:
    return {"iteration": iteration} | {
        k: v * (1 + rng.normal() * 0.3) for k, v in REFERENCE.items()
    }


def measure(app, rows_at_start: int, before: bool) -> dict[str, list[tuple[float, float]]]:
    from composer_gui.ui import train_plots
    from composer_gui.ui.train_window import TrainWindow

    scratch = Path(tempfile.mkdtemp(prefix="composer-plots-paint-"))
    window = TrainWindow(runs_dir=scratch / "runs", models_dir=scratch / "models")
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    plots = window.plots
    named = {
        ("critic_loss", "generator_loss"): ("loss", plots.loss_plot),
        ("wasserstein",): ("wasserstein", plots.w_plot),
        ("gradient_penalty",): ("penalty", plots.gp_plot),
        ("metrics",): ("metrics", plots.metric_plot),
    }
    train_plots.DENSE_POINTS = 10**9 if before else DENSE_POINTS  # before: pens 2 px wide
    if before:  # pyqtgraph's default: every tick level, labelled and gridded
        for _, plot in named.values():
            for side in ("left", "bottom"):
                plot.getAxis(side).setStyle(maxTickLevel=2)
        plots.metric_plot.getAxis("left").setTicks(None)  # its ratios found, not fixed
    rng = np.random.default_rng(0)
    rows = [_row(i, rng) for i in range(rows_at_start)]
    metric_rows = [_metric_row(r["iteration"], rng) for r in rows[::5]]
    plots.show_rows(rows, REFERENCE, metric_rows)
    while plots.pending:
        plots.paint_next()
        app.processEvents()
    costs: dict[str, list[tuple[float, float]]] = {}
    for _ in range(NEW_ROWS):
        rows = [*rows, _row(len(rows), rng)]
        metric_rows = [*metric_rows, _metric_row(rows[-1]["iteration"], rng)]
        plots.show_rows(rows, REFERENCE, metric_rows)
        while plots.pending:
            work = plots._dirty[0]
            started = time.thread_time()
            plots.paint_next()
            set_seconds = time.thread_time() - started
            if work not in named:
                continue
            name, plot = named[work]
            started = time.thread_time()
            plot.getViewWidget().viewport().repaint()
            costs.setdefault(name, []).append((set_seconds, time.thread_time() - started))
    window.close()
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40, help="rows logged before timing")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of each")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    results: dict[str, dict[str, list]] = {"now": {}, "before": {}}
    for _ in range(args.rounds):
        for label, before in (("now", False), ("before", True)):
            for name, costs in measure(app, args.rows, before).items():
                results[label].setdefault(name, []).extend(costs)
    print(f"load average {os.getloadavg()[0]:.1f}; {args.rows} rows, then {NEW_ROWS} new ones")
    print(f"{'plot':<12} {'now':>22} {'before':>22}   ratio")
    for name in results["now"]:
        now = [1000 * statistics.median(c[i] for c in results["now"][name]) for i in (0, 1)]
        old = [1000 * statistics.median(c[i] for c in results["before"][name]) for i in (0, 1)]
        print(
            f"{name:<12} set {now[0]:4.1f} paint {now[1]:5.1f} ms   set {old[0]:4.1f} "
            f"paint {old[1]:5.1f} ms   {now[1] / old[1]:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
