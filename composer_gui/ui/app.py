"""Starting the app: the QApplication, the dark theme, logging, the window, restore offer.

Startup imports only Qt and the light parts of the core; torch, music21 and the engine
load on the worker after the window is on screen (``MainWindow.warm_up_engine``), so the
window is usable in well under two seconds.
"""

from __future__ import annotations

import gc
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from composer_gui import APP_NAME, __version__
from composer_gui.core.errors import ComposerError
from composer_gui.paths import resource_path
from composer_gui.ui import settings

log = logging.getLogger("composer_gui")


def log_path() -> Path:
    """The log file, in the platform's log folder (e.g. ~/.local/state/Composer/log)."""
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False)) / "composer.log"


def set_up_logging() -> Path:
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def install_excepthook(window_getter) -> None:
    """An unexpected error goes to the log and a dialog, never a silent crash."""
    from composer_gui.ui.errors import show_error
    from composer_gui.ui.workers import log_failure, musician_message

    def hook(kind, error, trace) -> None:
        log_failure(log, "An action", error.with_traceback(trace))
        window = window_getter()
        if window is not None:
            show_error(window, musician_message(error))

    sys.excepthook = hook


def make_application(argv: list[str] | None = None) -> QApplication:
    from composer_gui.ui.theme import apply_dark_theme

    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    QCoreApplication.setOrganizationName(settings.ORGANIZATION)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource_path("icons", "composer-256.png"))))
    apply_dark_theme(app)
    return app


def freeze_long_lived() -> None:
    """Leave every object that exists now out of Python's full garbage collections.

    A full (generation 2) collection walks every object the process holds: the app's
    Qt wrappers and modules, 23 000-37 000 objects once the main window is built, and
    another 40 000-50 000 once the Train window has imported pyqtgraph.  It comes at a
    moment of its own choosing and took 10-20 ms on a quiet machine and 13-54 ms on two
    busy cores while the Train window's plots update (``bench_train_window_gap
    --profile``, session 10).  What exists at these points lives as long as the app
    (windows built once, modules), so it is frozen: called once the main window is
    built, and again when the app first builds its Train window.  Objects made later
    are collected as usual.
    """
    gc.freeze()


def check_display() -> None:
    """On Linux without X11 or Wayland, Qt would abort with a page of plugin errors."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise ComposerError(
            "No display found: the Composer window needs a desktop session; the command line "
            "works without one (composer-gui --help)."
        )


def run_app(files: list[str]) -> int:
    """Open the main window (and any files given) and run until it closes."""
    check_display()
    path = set_up_logging()
    log.info("Starting %s %s; log at %s", APP_NAME, __version__, path)
    app = make_application()
    from composer_gui.ui.main_window import MainWindow

    window = MainWindow()
    freeze_long_lived()  # the window and the modules it imported live as long as the app
    install_excepthook(lambda: window)
    window.show()

    def after_show() -> None:
        window.offer_restore()  # first: a crashed session's work before any file
        for name in files:
            window.open_file(Path(name))
        window.refresh_inputs()
        window.open_daw_port()
        window.warm_up_engine()

    QTimer.singleShot(0, after_show)
    return app.exec()
