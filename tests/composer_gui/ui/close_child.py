"""The app as the close-while-reading test and benchmark run it: a real window
(offscreen) that saves a tune, opens a score and is closed while the score is read.

``python -m tests.composer_gui.ui.close_child DATA_DIR PROJECT SCORE CLOSE_AFTER [--never]``
types a melody and saves it to PROJECT, opens SCORE (read on the window's file reader
thread, as Open does; ``-`` opens nothing, a plain close), closes the window CLOSE_AFTER
seconds later and leaves the event loop. ``--never`` reads with a reader that never
returns (a score music21 would take forever on). It prints ``SAVED sha1`` (the project
written), ``READING t``, ``CLOSING t`` and ``CLOSED t`` (around ``close()``) and
``LEFT t`` (the event loop left), t on the system's monotonic clock, so the parent can
time the exit that follows. Settings are a scratch .ini under DATA_DIR.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from pathlib import Path

from composer_gui.core.arrangement import Note


def say(*words: object) -> None:
    print(*words, flush=True)


def main(data_dir: str, project: str, score: str, close_after: str, *flags: str) -> int:
    from PySide6.QtCore import QSettings, QTimer

    from composer_gui.ui import window_files
    from composer_gui.ui.app import make_application
    from composer_gui.ui.main_window import MainWindow
    from tests.composer_gui.ui.stand_in_engine import StandInEngine

    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(Path(data_dir) / "settings"))
    app = make_application()
    if "--never" in flags:
        window_files.read_melody_file = lambda _path: threading.Event().wait()
    window = MainWindow(data_dir=Path(data_dir))
    window.ask_before_closing = False
    window.engine.engine = StandInEngine()
    window.show()
    window.document.set_melody([Note(60 + i, float(i), 1.0, 90) for i in range(4)], "Add notes")
    assert window.save_to(Path(project))
    say("SAVED", hashlib.sha1(Path(project).read_bytes()).hexdigest())

    def close() -> None:
        say("CLOSING", time.monotonic())
        window.close()
        say("CLOSED", time.monotonic(), len(window.document.melody))

    if score != "-":  # "-": nothing read, the baseline of a plain close
        window.open_file(Path(score))
    say("READING", time.monotonic())
    QTimer.singleShot(int(float(close_after) * 1000), close)
    code = app.exec()
    say("LEFT", time.monotonic())
    return code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
