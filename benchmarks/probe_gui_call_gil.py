"""Does a PySide6 call keep Python's interpreter lock while Qt works?

The recorder's reader (``midi_io.PolledInput``) is a Python thread: while another thread
holds the lock, no message is stamped. Here a thread wakes every 1 ms and notes its
longest gap while the main thread sleeps (the baseline), grabs a large text window 20
times (``QWidget.grab``, a render in C++), or makes one builtin call known to keep the
lock (``sum`` over a range). A gap as long as one grab says the grab keeps the lock.
Run from the repository root:

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/probe_gui_call_gil.py
"""

from __future__ import annotations

import sys
import threading
import time

from PySide6.QtWidgets import QApplication, QPlainTextEdit


def longest_gap_during(work) -> tuple[float, float]:
    """(seconds ``work`` took, the ticker thread's longest gap between wakeups)."""
    stop = threading.Event()
    worst = [0.0]

    def ticker() -> None:
        last = time.perf_counter()
        while not stop.wait(0.001):
            now = time.perf_counter()
            worst[0] = max(worst[0], now - last)
            last = now

    thread = threading.Thread(target=ticker)
    thread.start()
    time.sleep(0.05)
    began = time.perf_counter()
    work()
    took = time.perf_counter() - began
    stop.set()
    thread.join()
    return took, worst[0]


def main() -> None:
    app = QApplication(sys.argv)
    window = QPlainTextEdit()
    window.setPlainText("note " * 200_000)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    trials = (
        ("sleep 0.3 s", lambda: time.sleep(0.3)),
        ("QWidget.grab x20", lambda: [window.grab() for _ in range(20)]),
        ("sum(range(15e6))", lambda: sum(range(15_000_000))),
    )
    for label, work in trials:
        took, gap = longest_gap_during(work)
        print(f"{label:18s} took {took * 1000:6.0f} ms, longest ticker gap {gap * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
