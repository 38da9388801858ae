"""The window the screenshot scripts grab: offscreen, 1280x800, with scratch settings.

``take_screenshots.py`` and ``pickup_screenshots.py`` both start the real app this way,
so nothing a musician set on this machine shows in the shots and nothing the scripts set
leaks into it; they import this module from their own folder:

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from window_shots import ROOT, generate_and_wait, offscreen_window, settle
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer  # noqa: E402

SIZE = (1280, 800)


def settle(ms: int = 150) -> None:
    """Let layouts and paints happen before a grab."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def offscreen_window(prefix: str = "composer-shots-"):
    """``(app, window, scratch folder)``: the main window shown at ``SIZE``, its settings
    and data in a new scratch folder, closing without asking."""
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "settings"))
    from composer_gui.ui.app import make_application
    from composer_gui.ui.main_window import MainWindow

    app = make_application()
    QCoreApplication.setOrganizationName("ComposerScreenshots")
    window = MainWindow(data_dir=scratch / "data")
    window.ask_before_closing = False
    window.resize(*SIZE)
    window.show()
    return app, window, scratch


def generate_and_wait(app, window) -> bool:
    """Generate as the Generate button does and wait for it; False (said on stderr) when
    it failed."""
    done = []
    window.generation_done.connect(lambda: done.append(True))
    window.generate()
    while not done and window.generate_job is not None:
        app.processEvents(QEventLoop.AllEvents, 50)
    if not done:
        print(f"generation failed: {window.last_error}", file=sys.stderr)
    return bool(done)
