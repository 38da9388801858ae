"""Time from launching ``composer-gui`` to a usable window, against a bare Qt window.

    .venv/bin/python benchmarks/bench_app_start.py [--runs 5]

Each run is a fresh Python process (as when a musician double-clicks the app): it imports
the app through the same entry module, sets up logging, the theme and the main window,
shows it and processes the first round of events (layout and first paint). The child
prints the wall-clock moment it got there; the parent subtracts the moment it launched
the process. The baseline, measured in the same run, is a process that shows an empty
QMainWindow, so the ratio shows what the app adds over Qt itself. Runs offscreen unless
QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP_CHILD = """
import sys, time, tempfile
sys.path.insert(0, {root!r})
import composer_gui.cli  # the console script's module, as `composer-gui` imports it
from composer_gui.ui.app import make_application, set_up_logging
from PySide6.QtCore import QSettings
QSettings.setDefaultFormat(QSettings.IniFormat)
QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
set_up_logging()
app = make_application()
from composer_gui.ui.main_window import MainWindow
window = MainWindow(data_dir=tempfile.mkdtemp())
window.show()
app.processEvents()
print(time.time())
heavy = sorted({{"torch", "music21", "composer_gui.core.engine"}} & set(sys.modules))
print(",".join(heavy))
window.ask_before_closing = False
window.close()
"""

BASELINE_CHILD = """
import time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
window.show()
app.processEvents()
print(time.time())
print("")
"""


def time_child(code: str) -> tuple[float, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr}")
    ready, heavy = (
        done.stdout.strip().splitlines()[-2:]
        if "\n" in done.stdout.strip()
        else (done.stdout.strip(), "")
    )
    return float(ready) - started, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app_times, base_times, heavy = [], [], ""
    time_child(APP_CHILD.format(root=str(ROOT)))  # warm the disk cache once, not counted
    for _ in range(args.runs):
        seconds, heavy = time_child(APP_CHILD.format(root=str(ROOT)))
        app_times.append(seconds)
        base_times.append(time_child(BASELINE_CHILD)[0])
    app_median, base_median = statistics.median(app_times), statistics.median(base_times)
    print(
        f"runs: {args.runs}, platform: {os.environ.get('QT_QPA_PLATFORM', 'offscreen')}, "
        f"CPUs: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}"
    )
    print(
        f"Composer to a usable window: median {app_median:.2f} s "
        f"(min {min(app_times):.2f}, max {max(app_times):.2f})"
    )
    print(
        f"bare Qt window (baseline):   median {base_median:.2f} s "
        f"(min {min(base_times):.2f}, max {max(base_times):.2f})"
    )
    print(
        f"ratio: {app_median / base_median:.1f}x the bare window; "
        f"target < 2 s: {'met' if app_median < 2.0 else 'NOT met'}"
    )
    print(f"heavy modules imported at start-up: {heavy or 'none'}")


if __name__ == "__main__":
    main()
