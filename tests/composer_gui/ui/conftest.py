"""Fixtures of the app's tests: a scratch settings store and data folder, and the window.

Every test runs with its own QSettings (an .ini file under tmp_path) so nothing a musician
set on this machine leaks in, and nothing a test sets leaks out. ``melody_file`` is the
flows' tune (``tunes.MELODY``) as a MIDI file.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings

from composer_gui.core.arrangement import Arrangement, Track
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.ui.theme import apply_dark_theme
from tests.composer_gui.ui.tunes import MELODY


@pytest.fixture(autouse=True)
def scratch_settings(qapp, tmp_path):
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    QCoreApplication.setOrganizationName("ComposerTests")
    QCoreApplication.setApplicationName("Composer")
    apply_dark_theme(qapp)
    yield
    QSettings().clear()


@pytest.fixture
def window(qtbot, tmp_path):
    from composer_gui.ui.main_window import MainWindow

    win = MainWindow(data_dir=tmp_path / "data")
    win.ask_before_closing = False
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    # Delete the window while Qt is alive: left to the interpreter's final garbage
    # collection, PySide can free its wrappers in the wrong order and crash at exit.
    win.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    gc.collect()


@pytest.fixture
def melody_file(tmp_path) -> Path:
    path = tmp_path / "tune.mid"
    write_arrangement(Arrangement([Track("melody", list(MELODY))], tempo_bpm=96.0), path)
    return path
