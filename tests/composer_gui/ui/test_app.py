"""``run_app``: what `composer-gui` does with no subcommand, run in this process."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_file import write_arrangement
from composer_gui.ui import app as app_module
from composer_gui.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def test_run_app_opens_the_files_given_and_returns_when_quit(qtbot, tmp_path, monkeypatch):
    melody = tmp_path / "tune.mid"
    write_arrangement(Arrangement([Track("melody", [Note(60, 0.0, 4.0)])]), melody)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_app installs its own
    monkeypatch.setattr(app_module, "log_path", lambda: tmp_path / "log" / "composer.log")
    monkeypatch.setattr(MainWindow, "default_data_dir", staticmethod(lambda: tmp_path / "data"))
    warmed = []
    monkeypatch.setattr(MainWindow, "warm_up_engine", lambda self: warmed.append(self))
    seen = {}

    def look_and_quit() -> None:
        (window,) = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        seen["notes"] = list(window.melody_editor.notes)
        seen["title"] = window.windowTitle()
        window.ask_before_closing = False
        window.close()
        QApplication.instance().quit()

    QTimer.singleShot(500, look_and_quit)
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        assert app_module.run_app([str(melody)]) == 0
    finally:
        for handler in root.handlers[len(handlers) :]:  # the app's log file handler
            root.removeHandler(handler)
            handler.close()
    assert seen["notes"] == [Note(60, 0.0, 4.0, 80)]
    assert "Composer" in seen["title"]
    assert len(warmed) == 1  # the model starts loading once the window is up
    assert "Starting Composer" in (tmp_path / "log" / "composer.log").read_text()
