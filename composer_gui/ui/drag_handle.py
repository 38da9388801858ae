"""A handle the musician drags into a DAW track: it carries a .mid file of what they hear.

On drag start the handle asks its provider for the arrangement, writes it to a fresh
temporary .mid (``midi_writer.write_arrangement``) and offers that file's URL, which is
what DAWs accept when a file is dropped from a file manager.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from composer_gui.core.arrangement import Arrangement

log = logging.getLogger(__name__)

DRAG_FOLDER = Path(tempfile.gettempdir()) / "composer-drag"


def write_drag_file(arrangement: Arrangement, stem: str = "Composer") -> Path:
    """Write the arrangement to a new file in the drag folder; the DAW copies it from there."""
    from composer_gui.core.midi_writer import write_arrangement

    DRAG_FOLDER.mkdir(parents=True, exist_ok=True)
    path = DRAG_FOLDER / f"{stem} {time.strftime('%H-%M-%S')}.mid"
    write_arrangement(arrangement, path)
    return path


def mime_for_file(path: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


class DragHandle(QLabel):
    """Shows "Drag MIDI"; dragging it out carries the file."""

    failed = Signal(str)

    def __init__(
        self,
        provider: Callable[[], Arrangement | None],
        name: Callable[[], str] = lambda: "Composer",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("\u2630  Drag MIDI", parent)
        self.provider = provider
        self.name = name  # the file's stem: a DAW names the dropped clip after it
        self.setAlignment(Qt.AlignCenter)
        self.setMinimumHeight(30)
        self.setMinimumWidth(104)
        self.setCursor(Qt.OpenHandCursor)
        self.setToolTip("Drag this into a DAW track to drop what you hear there as a MIDI file")
        self.setStyleSheet(
            "QLabel { background: #32363e; border: 1px dashed #f0a53a; border-radius: 4px;"
            " color: #f0a53a; padding: 2px 8px; }"
            "QLabel:disabled { border-color: #555; color: #666b74; }"
        )
        self._press: QPoint | None = None
        self.last_file: Path | None = None

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.LeftButton:
            self._press = event.position().toPoint()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._press is None:
            return
        moved = (event.position().toPoint() - self._press).manhattanLength()
        if moved < QApplication.startDragDistance():
            return
        self._press = None
        self.start_drag()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._press = None

    def make_mime(self) -> QMimeData | None:
        arrangement = self.provider()
        if arrangement is None:
            self.failed.emit("There is nothing to drag yet: record or open a melody first.")
            return None
        try:
            self.last_file = write_drag_file(arrangement, self.name())
        except OSError as error:
            log.warning("Could not write the drag file: %s", error)  # a full disk: no bug
            self.failed.emit(f"The MIDI file to drag could not be written: {error.strerror}.")
            return None
        return mime_for_file(self.last_file)

    def start_drag(self) -> None:
        mime = self.make_mime()
        if mime is None:
            return
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(self.grab())
        drag.exec(Qt.CopyAction)
