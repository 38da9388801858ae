"""``run_app``: what `composer-gui` does with no subcommand.

It runs in a child process: once a QApplication's ``exec()`` has returned, Qt's event
loops stop running in that process, which would break every later test of the session.
The XDG folders point at tmp_path, so settings, autosave and the log stay out of the
user's own.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_writer import write_arrangement

pytestmark = pytest.mark.gui

CHILD = """
import gc
import sys
from PySide6.QtCore import QTimer
from composer_gui.ui.app import make_application, run_app
from composer_gui.ui.main_window import MainWindow

MainWindow.warm_up_engine = lambda self: print("warm-up requested", flush=True)
app = make_application()

def look_and_quit():
    (window,) = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    print("notes", [(n.pitch, n.start_beat, n.duration_beats) for n in window.melody_editor.notes])
    print("title", window.windowTitle())
    print("frozen at start", gc.get_freeze_count() > 20_000)
    before = gc.get_freeze_count()
    window.show_train_window()  # built once: it and pyqtgraph's modules are frozen too
    print("frozen with the Train window", gc.get_freeze_count() > before + 20_000)
    window.ask_before_closing = False
    window.close()
    app.quit()

QTimer.singleShot(1000, look_and_quit)
sys.exit(run_app(sys.argv[1:]))
"""


def test_run_app_opens_the_files_given_and_returns_when_quit(tmp_path):
    melody = tmp_path / "tune.mid"
    write_arrangement(Arrangement([Track("melody", [Note(60, 0.0, 4.0)])]), melody)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        **{
            name: str(tmp_path / name)
            for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
        },
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(melody)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "notes [(60, 0.0, 4.0)]" in done.stdout
    assert "title tune \u2014 Composer" in done.stdout  # named after the file it opened
    assert done.stdout.count("warm-up requested") == 1  # the model loads once shown
    # Python's full collections skip what lives as long as the app (app.freeze_long_lived)
    assert "frozen at start True" in done.stdout
    assert "frozen with the Train window True" in done.stdout
    log = tmp_path / "XDG_STATE_HOME" / "Composer" / "log" / "composer.log"
    assert "Starting Composer" in log.read_text()
