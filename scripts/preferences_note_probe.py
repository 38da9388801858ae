"""Open Preferences from the real window and say whether the GPU note shows whole.

    xvfb-run -a -s "-screen 0 1280x720x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python scripts/preferences_note_probe.py

Session 14 saw the note cut to half its two lines under Xvfb (the dialog 595 px wide, the
label 23 px high against the 32 its text needs); a pytest of the same dialog, offscreen or
under Xvfb, laid it out 560 px wide and never showed it, so this probe is the check: it
prints the label's height, the height its text needs, and exits 1 when they differ.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer


def main() -> int:
    from composer_gui.ui.app import make_application
    from composer_gui.ui.main_window import MainWindow
    from composer_gui.ui.preferences import PreferencesDialog

    app = make_application()
    window = MainWindow()
    window.ask_before_closing = False
    window.show()
    result = {}

    def open_dialog() -> None:
        dialog = PreferencesDialog(window)
        dialog.show()
        looking = dialog.device_found.text()

        def look() -> None:
            label = dialog.device_found
            if label.text() == looking:  # torch still importing in the probe's child
                QTimer.singleShot(500, look)
                return
            result["shown"] = label.height()
            result["needed"] = label.heightForWidth(label.width())
            print(f"{label.text()!r}: {result['shown']} px shown, {result['needed']} needed")
            app.quit()

        QTimer.singleShot(500, look)

    QTimer.singleShot(300, open_dialog)
    app.exec()
    return 0 if result.get("shown", 0) >= result.get("needed", 1) else 1


if __name__ == "__main__":
    sys.exit(main())
