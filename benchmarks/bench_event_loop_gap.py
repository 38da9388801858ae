"""The longest pause of the Qt event loop while the app generates: is the window responsive?

    .venv/bin/python benchmarks/bench_event_loop_gap.py [--model STEM] [--runs 5]

A 1 ms QTimer records when the event loop gets to run; the longest interval between two
ticks is the longest time the window could not react (a click, a repaint, the playhead).
It is measured as the window opens (its first paint), with the app idle (baseline, same
run), during the first generation (which
imports torch and loads the model on the worker) and during warm generations of the
default number of candidates for a shipped 8-bar sample melody, through the real window,
worker and engine. The shipped model is used; without one, ``--random-model`` builds a
random-weight model of the default size (timings representative, rankings meaningless).
Aim: under 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

SAMPLE = "ode_to_joy.mid"


class GapMeter:
    """Longest interval between ticks of a 1 ms timer, since the last ``reset``."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.last = time.perf_counter()
        self.longest = 0.0
        self.intervals: list[float] = []

    def _tick(self) -> None:
        now = time.perf_counter()
        self.intervals.append(now - self.last)
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0
        self.intervals = []

    def p99(self) -> float:
        ordered = sorted(self.intervals)
        return ordered[int(0.99 * (len(ordered) - 1))] if ordered else 0.0

    def start(self) -> None:
        self.reset()
        self.timer.start()


def spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def random_model(folder: Path) -> Path:
    """A default-size model with random weights, shaped and carded like the shipped one."""
    import torch

    from models.checkpoint import model_tensors, new_card, save_tensors_and_card
    from models.config import GanConfig
    from models.critic import Critic
    from models.generator import Generator

    torch.manual_seed(0)
    config = GanConfig()
    stem = folder / "random-default"
    card = new_card(config, name="random-default", iterations=0)
    # placeholder calibration: percentiles are meaningless for random weights
    card["calibration"] = {
        "split": "none",
        "bars": 8,
        "quantiles": [(q - 50) / 10 for q in range(101)],
    }
    save_tensors_and_card(
        model_tensors(Generator(config).eval(), Critic(config).eval()), card, stem
    )
    return stem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model stem (default: shipped)")
    parser.add_argument(
        "--random-model", action="store_true", help="use a random-weight model of the default size"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="composer-gap-"))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "settings"))
    from composer_gui.paths import resource_path
    from composer_gui.ui.app import make_application
    from composer_gui.ui.main_window import MainWindow

    app = make_application()
    model = args.model
    if args.random_model:
        model = random_model(scratch)
    elif model is None:
        shipped = sorted(resource_path("weights").glob("composer-chorales.safetensors"))
        if not shipped:
            print(
                "No shipped model in resources/weights; pass --model or --random-model.",
                file=sys.stderr,
            )
            return 1
        model = shipped[0].with_suffix("")
    window = MainWindow(data_dir=scratch / "data")
    window.ask_before_closing = False
    window.resize(1280, 800)
    window.show()
    window.engine.configure(str(model), "auto")
    if not window.open_file(resource_path("melodies", SAMPLE)):
        print(window.last_error, file=sys.stderr)
        return 1
    meter = GapMeter()
    meter.start()
    spin(0.5)  # the window's first paint, once after it opens
    first_paint = meter.longest
    meter.reset()
    spin(2.0)
    idle, idle_p99 = meter.longest, meter.p99()

    def one_generation() -> tuple[float, float, float]:
        done = []
        window.generation_done.connect(lambda: done.append(True))
        meter.reset()
        started = time.perf_counter()
        window.generate()
        while not done:
            if window.generate_job is None and not done:
                raise SystemExit(f"generation failed: {window.last_error}")
            app.processEvents(QEventLoop.AllEvents, 5)
        seconds = time.perf_counter() - started
        window.generation_done.disconnect()
        return meter.longest, seconds, meter.p99()

    cold_gap, cold_seconds, _ = one_generation()
    warm = [one_generation() for _ in range(args.runs)]
    gaps = [gap for gap, _, _ in warm]
    seconds = [s for _, s, _ in warm]
    p99s = [p for _, _, p in warm]
    engine = window.engine.engine
    bars = window.transport.bars.value()
    print(
        f"model: {Path(model).name} on {engine.device_name}; melody: {SAMPLE} ({bars} bars); "
        f"{window.count.value()} candidates; CPUs: {os.cpu_count()}, "
        f"load average: {os.getloadavg()[0]:.1f}"
    )
    print(f"window opening (first paint): longest event-loop gap {first_paint * 1000:.0f} ms")
    print(
        f"idle window (baseline):       longest event-loop gap {idle * 1000:.0f} ms, "
        f"99th percentile {idle_p99 * 1000:.1f} ms"
    )
    print(
        f"first generation (cold load): longest gap {cold_gap * 1000:.0f} ms, "
        f"{cold_seconds:.2f} s to candidates"
    )
    print(
        f"warm generations (x{args.runs}):     longest gap median "
        f"{statistics.median(gaps) * 1000:.0f} ms, max {max(gaps) * 1000:.0f} ms; "
        f"{statistics.median(seconds) * 1000:.0f} ms to candidates (median); "
        f"99th percentile of ticks {statistics.median(p99s) * 1000:.1f} ms"
    )
    print(f"target < 50 ms while generating: {'met' if max(gaps) < 0.05 else 'NOT met'}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
