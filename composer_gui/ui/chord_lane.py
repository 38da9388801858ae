"""The chord lane: a candidate's chord symbols in a strip above its piano roll.

Each symbol (``Candidate.chords``: ``(beat, "G/B")``) is written where its chord starts,
on the roll's own time axis (``RollView.x_for_beat``), so it follows the roll's zoom and
scroll; the roll says when that axis moved (``ArrangementView.view_changed``).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from composer_gui.ui import theme
from composer_gui.ui.roll_view import RollView

LANE_HEIGHT = 22  # px


def shortened(symbol: str, room: float, fits) -> str:
    """The symbol as written in ``room`` pixels (``fits(text, room)`` says whether it
    fits): whole if it fits, else without its bass note ("Em7/D" as "Em7"), else its root,
    with "m" for a minor chord ("Asus4" as "A", "Bm7" as "Bm"): the harmony before its
    detail, where chords change each beat. The lane's tooltip lists them whole."""
    if fits(symbol, room):
        return symbol
    chord = symbol.split("/")[0]
    if fits(chord, room):
        return chord
    root = chord[:2] if chord[1:2] in ("#", "b") else chord[:1]
    minor = chord[len(root) :].startswith("m") and not chord[len(root) :].startswith("maj")
    for text in (root + "m", root) if minor else (root,):
        if fits(text, room):
            return text
    return root


class ChordLane(QWidget):
    """Chord symbols over ``view``'s beats; empty (a dim dash) when there are none."""

    def __init__(self, view: RollView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.chords: list[tuple[float, str]] = []
        self.setFixedHeight(LANE_HEIGHT)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setAccessibleName("Chord symbols")
        view.view_changed.connect(self.update)

    def set_chords(self, chords: list[tuple[float, str]]) -> None:
        self.chords = list(chords)
        self.setToolTip(
            "Chords of the chosen candidate: " + " ".join(s for _, s in self.chords)
            if self.chords
            else "No candidate chosen"
        )
        self.update()

    def symbols_in_view(self) -> list[tuple[float, str]]:
        """``(x, symbol)`` of each chord whose start is in the roll's view."""
        view = self.view
        end = view.view_start_beats + view.visible_beats
        return [
            (view.x_for_beat(beat), symbol)
            for beat, symbol in self.chords
            if view.view_start_beats - 1e-9 <= beat < end
        ]

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.PANEL)
        gutter = self.view.GUTTER
        small = QFont(self.font())
        small.setPointSizeF(7)
        painter.setFont(small)
        painter.setPen(theme.DIM_TEXT)
        painter.drawText(QRectF(0, 0, gutter - 2, self.height()), Qt.AlignCenter, "chords")
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(8.5)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        fits = lambda text, room: metrics.horizontalAdvance(text) <= room  # noqa: E731
        placed = self.symbols_in_view()
        painter.setClipRect(QRectF(gutter, 0, self.width() - gutter, self.height()))
        ends = [x for x, _ in placed[1:]] + [float(self.width())] if placed else []
        for (x, symbol), next_x in zip(placed, ends, strict=True):
            painter.setPen(QPen(theme.GRID_BAR, 1))
            painter.drawLine(int(x), 3, int(x), self.height() - 3)
            painter.setPen(theme.TEXT if symbol != "N.C." else theme.DIM_TEXT)
            # Shortened, then cut, at the next chord, so a quick change of chords does not
            # overprint; the root always shows (zoom in for the rest).
            room = QRectF(x + 3, 0, max(0.0, next_x - x - 4), self.height())
            text = shortened(symbol, room.width(), fits)
            painter.save()
            painter.setClipRect(room, Qt.IntersectClip)
            painter.drawText(room, Qt.AlignVCenter | Qt.AlignLeft | Qt.TextDontClip, text)
            painter.restore()
        painter.end()
