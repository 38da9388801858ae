"""The longest pause of the Qt event loop while the Train window trains: does it freeze?

    .venv/bin/python benchmarks/bench_train_window_gap.py [--seconds 40] [--tiny]
        [--source chorales|FOLDER] [--voices] [--shots DIR] [--profile]
        [--freeze-at-start-only]

The Train window trains the default-size model (``--tiny``: the tests' tiny one,
``tests/support/training.py``) on a folder of real songs (openttd-openmsx's, by default,
kept whole: melody, drums, bass, chords, other; ``--voices``: the chorale layout) or the
chorales, through the real child processes, while a 1 ms QTimer records when the event
loop gets to run (``bench_event_loop_gap.GapMeter``).  Printed: the longest gap and the
99th percentile with the window idle (baseline, same run), while the folder is
previewed, and while it trains (the child's torch import, dataset build, training, the
plots redrawn as rows come), and how many times the plots were redrawn.  ``--shots``
saves screenshots of the window during the run; ``--profile`` says what filled each pause
over 30 ms (``gap_profile.py``: the window's slots, paints, collections, events, the
main thread's CPU in the pause and its Python stack, sampled).  Python's full
collections skip what the app froze (``app.freeze_long_lived``: at start, and once the
Train window is built, as the app does); ``--freeze-at-start-only`` leaves the Train
window's objects in them.  Aim: under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_event_loop_gap import GapMeter, spin  # noqa: E402
from gap_profile import EventNotes, ProfiledGapMeter, Timeline, explain  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from tests.support.training import SONGS, TINY_CONFIG  # noqa: E402


def line(label: str, meter: GapMeter) -> str:
    seconds = sum(meter.intervals) or 1.0
    over = sum(1 for i in meter.intervals if i > 0.05) / seconds * 60
    return (
        f"{label:<24} longest {1000 * meter.longest:6.1f} ms   p99 {1000 * meter.p99():5.1f} ms"
        f"   gaps over 50 ms: {over:4.1f} a minute"
    )


class TickClock:
    """The longest time the window's own timer handler (poll, plots, sample) took."""

    def __init__(self, window) -> None:
        self.longest = 0.0
        original = window.tick

        def timed() -> None:
            started = time.perf_counter()
            original()
            self.longest = max(self.longest, time.perf_counter() - started)

        window.timer.timeout.disconnect()
        window.timer.timeout.connect(timed)


def _plot_title(widget) -> str:
    """A plot's title, first words (the sample's roll has none)."""
    return " ".join(widget.getPlotItem().titleLabel.text.split()[:2]) or "sample roll"


def profile(app) -> Timeline:
    """Time the window's slots and pyqtgraph's paints, and note every event."""
    import pyqtgraph as pg

    import models.train_samples as samples
    from composer_gui.core.training_run import TrainingRun
    from composer_gui.ui.train_plots import TrainPlots
    from composer_gui.ui.train_sample import SampleReader
    from composer_gui.ui.train_window import TrainWindow

    timeline = Timeline()
    for owner, names in (
        (TrainWindow, ("tick", "update_buttons")),
        (TrainingRun, ("poll", "progress")),
        (TrainPlots, ("show_rows", "paint_next", "_draw_sample")),
        (SampleReader, ("poll", "_look")),  # _look runs on the reader's own thread
        (samples, ("read_reference", "band_metric_rows", "read_sample")),
        (pg.PlotCurveItem, ("paint",)),
        (pg.ImageItem, ("paint",)),
        (pg.AxisItem, ("paint",)),
        (pg.LegendItem, ("paint",)),
    ):
        for name in names:
            timeline.wrap(owner, name)
    timeline.wrap(pg.PlotWidget, "paintEvent", describe=_plot_title)
    notes = EventNotes(timeline)
    app.installEventFilter(notes)
    app._gap_notes = notes  # kept alive with the app
    return timeline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="how long to train")
    parser.add_argument("--tiny", action="store_true", help="the tests' tiny model")
    parser.add_argument("--source", default=str(SONGS), help="'chorales' or a MIDI folder")
    parser.add_argument("--voices", action="store_true", help="a folder as three voices")
    parser.add_argument("--shots", type=Path, default=None, help="save screenshots here")
    parser.add_argument("--profile", action="store_true", help="explain pauses over 30 ms")
    parser.add_argument(
        "--freeze-at-start-only",
        action="store_true",
        help="diagnosis: leave the Train window's objects in Python's full collections",
    )
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="composer-train-gap-"))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "settings"))
    from composer_gui.ui.app import freeze_long_lived, make_application
    from composer_gui.ui.train_source import SOURCES
    from composer_gui.ui.train_window import TrainWindow

    app = make_application()
    timeline = profile(app) if args.profile else None
    freeze_long_lived()  # as run_app does once the main window is built
    window = TrainWindow(runs_dir=scratch / "runs", models_dir=scratch / "models")
    if not args.freeze_at_start_only:
        freeze_long_lived()  # as MainWindow.show_train_window does once it is built
    window.plan_defaults = {"log_every": 5, "eval_every": 100, "sample_every": 25}
    if args.tiny:
        window.plan_defaults["config"] = TINY_CONFIG
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    meter = ProfiledGapMeter() if timeline else GapMeter()

    def report(label: str) -> None:
        print(line(label, meter))
        if timeline is not None:
            print("\n".join(explain(meter, timeline, label)))

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other programs too)")
    meter.start()
    spin(min(args.seconds, 20.0))
    report("idle (baseline)")

    source = window.source
    if args.source != "chorales":
        source.source_box.setCurrentIndex(len(SOURCES) - 1)  # a folder
        source.layout_box.setCurrentIndex(1 if args.voices else 0)
        source.folder_edit.setText(args.source)
        meter.start()
        source.preview_folder()
        while source.preview_process is not None:
            spin(0.1)
        report("previewing the folder")
    window.iterations_box.setValue(100_000)  # it trains for the whole measurement
    clock = TickClock(window)
    meter.start()
    window.start()
    spin(args.seconds)
    progress = window.run.poll()
    report("training")
    print(f"the window's own work per poll: longest {1000 * clock.longest:.1f} ms")
    if args.shots:  # after the measurement: grabbing the window takes tens of ms
        args.shots.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(args.shots / "train_window.png"))
    print(
        f"trained {progress.iteration} iterations in {args.seconds:.0f} s "
        f"({window.run.plan.config and 'tiny' or 'default-size'} model, "
        f"{os.cpu_count()} cores); plots redrawn {window.plots.updates} times; "
        f"state {progress.state}"
    )
    window.close()  # pauses: the child writes its checkpoint and exits
    window.run.wait(60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
