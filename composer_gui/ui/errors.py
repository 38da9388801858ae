"""Telling the musician what went wrong: a dialog with one sentence, details in the log.

Like Anki's ``show_exception``: the core raises errors whose text is meant for people;
anything else becomes a generic sentence pointing at the log file (see ``app.log_path``).
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


def show_error(parent: QWidget | None, message: str, title: str = "Composer") -> QMessageBox:
    """A window-modal warning that does not block the caller (the music keeps playing)."""
    log.info("Shown to the user: %s", message)
    box = QMessageBox(QMessageBox.Warning, title, message, QMessageBox.Ok, parent)
    box.setObjectName("errorDialog")
    box.open()
    return box
