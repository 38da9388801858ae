"""The keyboard gutter of the piano rolls: the pitch rows, a tiny keyboard on the left
and the Cs named in it, drawn for any ``roll_view.RollView`` (its geometry: rows, grid).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter

from composer_gui.ui import theme

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
BLACK_KEYS = {1, 3, 6, 8, 10}


def pitch_name(pitch: int) -> str:
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def paint_key_rows(view, painter: QPainter) -> None:
    """The pitch rows, black keys' darker, an octave line under each C, and the gutter:
    a tiny keyboard with the Cs named."""
    grid = view.grid_rect()
    row_height = view.row_height()
    font = QFont(view.font())
    font.setPointSizeF(max(6.0, min(8.0, row_height * 0.75)))
    painter.setFont(font)
    for pitch in range(view.low_pitch, view.high_pitch + 1):
        y = view.y_for_pitch(pitch)
        black = pitch % 12 in BLACK_KEYS
        painter.fillRect(
            QRectF(grid.left(), y, grid.width(), row_height),
            theme.BLACK_KEY_ROW if black else theme.WHITE_KEY_ROW,
        )
        # the gutter: a tiny keyboard with the Cs named
        painter.fillRect(
            QRectF(0, y, view.GUTTER - 2, row_height),
            QColor("#15171a") if black else QColor("#c9ccd1"),
        )
        if pitch % 12 == 0:
            painter.setPen(theme.GRID_BAR)
            painter.drawLine(
                QPointF(grid.left(), y + row_height), QPointF(grid.right(), y + row_height)
            )
    paint_octave_names(view, painter)


def paint_octave_names(view, painter: QPainter) -> None:
    """The Cs named in the gutter, after every row so no key paints over a name.

    Rows thinner than the text (the candidate roll spans the band's whole range in a
    short panel: 2 px a row) cut the names to specks; there the name sits on a plate
    of white-key colour as tall as the text, ending at its C's row and kept inside the
    pitch rows."""
    row_height = view.row_height()
    text_height = painter.fontMetrics().height()
    pitched = view.grid_rect().adjusted(0, 0, 0, -view.lane_height())
    for pitch in range(view.low_pitch, view.high_pitch + 1):
        if pitch % 12:
            continue
        y = view.y_for_pitch(pitch)
        box = QRectF(2, y, view.GUTTER - 6, row_height)
        if row_height < text_height:
            top = min(max(y + row_height - text_height, pitched.top()), pitched.bottom())
            box = QRectF(0, top, view.GUTTER - 2, min(text_height, pitched.bottom() - top))
            painter.fillRect(box, QColor("#c9ccd1"))
            box = box.adjusted(2, 0, -4, 0)
        painter.setPen(QColor("#2a2d33"))
        painter.drawText(box, Qt.AlignVCenter | Qt.AlignRight, pitch_name(pitch))
