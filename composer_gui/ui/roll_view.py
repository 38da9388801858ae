"""The piano-roll canvas both rolls share: grid, ruler, gutter, playhead, time zoom.

It draws the grid of ``models.pianoroll`` (bars, beats, 16th steps) with a bar ruler on
top, a keyboard gutter on the left and a playhead; ``piano_roll.py`` builds the melody
editor and the candidate view on it.

While a take records, the melody roll starts with the count-in's bars, before bar 1
(negative beats, dimmed, named "count-in" in the ruler), so a musician sees where a
pickup played into it lands; a tune's own bars start at beat 0.

Time zooms and scrolls like a DAW's arrange view: Ctrl+wheel zooms around the pointer,
Shift+wheel (or a horizontal wheel) and the scrollbar under the grid scroll, and the
plain wheel scrolls the pitches. A long tune opens showing DEFAULT_VISIBLE_BARS bars, so
32 bars are not squeezed into one width; while playing, the view pages to the playhead.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget

from composer_gui.core.arrangement import Note
from composer_gui.core.bar_lines import Bar, BarLines
from composer_gui.ui import theme
from composer_gui.ui.roll_gutter import paint_key_rows
from models.pianoroll import STEPS_PER_BEAT, Meter

STEP_BEATS = 1.0 / STEPS_PER_BEAT
LOWEST_SHOWN = 0  # every MIDI pitch a track can hold (a band's bass or pad past the piano's A0-C8)
HIGHEST_SHOWN = 127
MIN_SPAN = 18  # semitones shown at least, so a few notes are not drawn as huge bars
DEFAULT_VISIBLE_BARS = 16  # a longer tune opens scrolled, not squeezed (16 bars: 60+ px a bar)
ZOOM_STEP = 1.25  # one wheel notch of Ctrl+wheel
COUNT_IN_DIM = QColor(0, 0, 0, 110)  # laid over a take's count-in bars
RULER_GAP = 6  # px at least between two bar names: "1" and "2" two pixels apart read "12"


def snap_beat(beat: float) -> float:
    return round(beat / STEP_BEATS) * STEP_BEATS


class RollView(QWidget):
    """Grid, ruler, gutter and playhead; subclasses draw notes and handle the mouse.

    A click in the bar ruler asks to move the playhead there (``seek_requested``).
    Everything but the playhead is drawn once into a pixmap and kept until something
    drawn changes (``refresh()``) or the size does: the playhead moves 30 times a second
    while playing, and redrawing a 32-bar roll each time kept the window's event loop busy
    for up to 16 ms a frame.
    """

    seek_requested = Signal(float)  # beat

    GUTTER = 38  # px, pitch names
    RULER = 20  # px, bar numbers
    SCROLLBAR = 12  # px, under the grid, shown only when the tune is wider than the view

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        # 80, not 140: at 1280x720 the two rolls, a band's strips and the stale row
        # needed 80 px (session 15: 100), and at 1024x600 the window fits only with 80
        # (its height follows its layout's minimum); a taller window gives them the rest.
        self.setMinimumHeight(80)
        self.meter = Meter()
        self.bar_lines = BarLines.regular(self.meter)  # what the grid and the ruler draw
        self.length_beats = 4 * self.meter.bar_beats
        self.first_beat = 0.0  # where the shown bars start: before 0 for a count-in's
        self.low_pitch = 55
        self.high_pitch = 55 + MIN_SPAN
        self.playhead_beats: float | None = None
        self.empty_text = ""
        self._drawn: QPixmap | None = None  # all but the playhead; None: draw again
        # The time shown: from view_start_beats, visible_beats wide (both in beats).
        self.view_start_beats = 0.0
        self.visible_beats = self.length_beats
        self._chosen_visible_beats: float | None = None  # set by zooming; None: default
        self.scrollbar = QScrollBar(Qt.Horizontal, self)
        self.scrollbar.setAccessibleName("Scroll in time")
        self.scrollbar.valueChanged.connect(self._scrolled)
        self.scrollbar.hide()

    # --- geometry -------------------------------------------------------------------
    def set_length(self, length_beats: float, bars: Meter | BarLines | None = None) -> None:
        """Show whole bars holding ``length_beats``: the bars a melody is accompanied on
        (``core.bar_lines``, a pickup's short bar first), bars of one meter, or (None)
        the bars shown now. Bars that start before beat 0 (a take's count-in) are shown
        before bar 1, and the view starts with them when they first appear."""
        if isinstance(bars, Meter):
            bars = BarLines.regular(bars)
        self.bar_lines = bars or self.bar_lines
        self.meter = self.bar_lines.bars[0].meter
        first, self.first_beat = self.first_beat, min(0.0, self.bar_lines.bars[0].start_beat)
        self.length_beats = self.bar_lines.whole_bars(max(length_beats, STEP_BEATS))
        wanted = self._chosen_visible_beats or DEFAULT_VISIBLE_BARS * self.meter.bar_beats
        start = self.first_beat if self.first_beat < first else self.view_start_beats
        self._set_view(start, wanted)

    @property
    def span_beats(self) -> float:
        """The beats shown from the first bar (a count-in's too) to the tune's end."""
        return self.length_beats - self.first_beat

    @property
    def beats_per_bar(self) -> float:
        """A whole bar's length in quarter notes (3.0 in 6/8), the unit of zoom and scroll."""
        return self.meter.bar_beats

    def shown_bars(self) -> list[tuple[int, Bar, float]]:
        """``(number from 0, bar, its end beat)`` of every bar in the tune's span."""
        return [
            (n, bar, end) for n, (bar, end) in enumerate(self.bar_lines.spans(self.length_beats))
        ]

    def bar_labels(self) -> list[tuple[Bar, str]]:
        """Each shown bar and its name in the ruler: numbers from 1 for the bar at beat 0
        (a pickup's short bar counted, as the bars box counts it), "count-in" before it."""
        shown = self.shown_bars()
        before = sum(1 for _n, bar, _end in shown if bar.start_beat < -1e-9)
        return [(bar, "count-in" if n < before else str(n - before + 1)) for n, bar, _end in shown]

    # --- time zoom and scroll -------------------------------------------------------
    def _set_view(self, start_beats: float, visible_beats: float) -> None:
        """Show ``visible_beats`` from ``start_beats``, kept within the tune, and redraw."""
        visible = max(float(self.beats_per_bar), min(self.span_beats, visible_beats))
        start = max(self.first_beat, min(self.length_beats - visible, start_beats))
        self.visible_beats, self.view_start_beats = visible, start
        steps = round((self.span_beats - visible) * STEPS_PER_BEAT)
        self.scrollbar.blockSignals(True)
        self.scrollbar.setRange(0, steps)
        self.scrollbar.setPageStep(round(visible * STEPS_PER_BEAT))
        self.scrollbar.setSingleStep(self.meter.bar_steps)
        self.scrollbar.setValue(round((start - self.first_beat) * STEPS_PER_BEAT))
        self.scrollbar.blockSignals(False)
        if self.scrollbar.isHidden() != (steps == 0):
            self.scrollbar.setVisible(steps > 0)
        self._place_scrollbar()
        self.refresh()

    def _scrolled(self, value: int) -> None:
        self._set_view(self.first_beat + value / STEPS_PER_BEAT, self.visible_beats)

    def _place_scrollbar(self) -> None:
        self.scrollbar.setGeometry(
            self.GUTTER, self.height() - self.SCROLLBAR, self.width() - self.GUTTER, self.SCROLLBAR
        )

    def zoom(self, factor: float, around_beat: float | None = None) -> None:
        """Show ``factor`` times fewer beats (above 1 zooms in), keeping ``around_beat``
        (default: the middle of the view) under the same spot on screen."""
        if around_beat is None:
            around_beat = self.view_start_beats + self.visible_beats / 2
        visible = self.visible_beats / factor
        share = (around_beat - self.view_start_beats) / self.visible_beats
        self._chosen_visible_beats = max(float(self.beats_per_bar), min(self.span_beats, visible))
        self._set_view(around_beat - share * self._chosen_visible_beats, visible)

    def zoom_to_fit(self) -> None:
        """The whole tune in the view's width."""
        self._chosen_visible_beats = self.span_beats
        self._set_view(self.first_beat, self.span_beats)

    def scroll_to_beat(self, beat: float) -> None:
        """Scroll, if needed, so ``beat`` is in view (a page at a time, as a DAW follows)."""
        end = self.view_start_beats + self.visible_beats
        if not self.view_start_beats <= beat < end:
            bar = self.beats_per_bar
            self._set_view(beat // bar * bar, self.visible_beats)

    def fit_pitches(self, pitches: list[int]) -> None:
        """Show the notes' range with a little air, at least an octave and a half."""
        if pitches:
            low, high = min(pitches) - 3, max(pitches) + 3
        else:
            low, high = 60 - MIN_SPAN // 2, 60 + MIN_SPAN // 2
        while high - low < MIN_SPAN:
            low, high = low - 1, high + 1
        shift = max(0, LOWEST_SHOWN - low) - max(0, high - HIGHEST_SHOWN)
        self.low_pitch, self.high_pitch = low + shift, high + shift
        self.refresh()

    def grid_rect(self) -> QRectF:
        bottom = self.SCROLLBAR if self.scrollbar.isVisibleTo(self) else 0
        return QRectF(
            self.GUTTER,
            self.RULER,
            self.width() - self.GUTTER - 1,
            self.height() - self.RULER - 1 - bottom,
        )

    def lane_height(self) -> float:
        """Height kept under the pitch rows for rows of another kind (the candidate
        view's drum lane); none here."""
        return 0.0

    def row_height(self) -> float:
        pitched = self.grid_rect().height() - self.lane_height()
        return pitched / (self.high_pitch - self.low_pitch + 1)

    def beat_width(self) -> float:
        return self.grid_rect().width() / self.visible_beats

    def x_for_beat(self, beat: float) -> float:
        return self.GUTTER + (beat - self.view_start_beats) * self.beat_width()

    def beat_for_x(self, x: float) -> float:
        return self.view_start_beats + (x - self.GUTTER) / self.beat_width()

    def y_for_pitch(self, pitch: int) -> float:
        """Top edge of the pitch's row."""
        return self.RULER + (self.high_pitch - pitch) * self.row_height()

    def pitch_for_y(self, y: float) -> int:
        return self.high_pitch - int((y - self.RULER) // self.row_height())

    def note_rect(self, note: Note) -> QRectF:
        x = self.x_for_beat(note.start_beat)
        width = max(3.0, note.duration_beats * self.beat_width() - 1)
        return QRectF(x, self.y_for_pitch(note.pitch) + 1, width, max(2.0, self.row_height() - 2))

    def set_playhead(self, beats: float | None) -> None:
        """Move the playhead; only the playhead is drawn again, unless it left the view and
        the view pages after it (a full redraw once a page)."""
        if beats != self.playhead_beats:
            self.playhead_beats = beats
            if beats is not None:
                self.scroll_to_beat(min(beats, self.length_beats - STEP_BEATS))
            self.update()

    def ruler_click(self, event) -> bool:
        """Handle a press in the ruler; True when it was one."""
        pos = event.position()
        if pos.y() >= self.RULER or pos.x() < self.GUTTER:
            return False
        if event.button() == Qt.LeftButton:
            beat = max(0.0, min(self.length_beats, snap_beat(self.beat_for_x(pos.x()))))
            self.seek_requested.emit(beat)
        return True

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.ruler_click(event)

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Ctrl+wheel zooms time, Shift+wheel or a sideways wheel scrolls it; the plain
        wheel scrolls the pitches shown, like a DAW's vertical scroll."""
        delta = event.angleDelta()
        modifiers = event.modifiers()
        if modifiers & Qt.ControlModifier:
            notches = (delta.y() or delta.x()) / 120
            beat = self.beat_for_x(event.position().x())
            self.zoom(ZOOM_STEP**notches, around_beat=beat)
            return
        # Some systems turn Shift+wheel into a sideways wheel themselves.
        sideways = delta.x() if delta.x() else (delta.y() if modifiers & Qt.ShiftModifier else 0)
        if sideways:
            bars = -sideways / 120  # one notch: one bar, wheel down moves later
            self._set_view(self.view_start_beats + bars * self.beats_per_bar, self.visible_beats)
            return
        if not delta.y():
            return
        steps = 2 if delta.y() > 0 else -2
        if self.low_pitch + steps < LOWEST_SHOWN or self.high_pitch + steps > HIGHEST_SHOWN:
            return
        self.low_pitch += steps
        self.high_pitch += steps
        self.refresh()

    # --- drawing --------------------------------------------------------------------
    def refresh(self) -> None:
        """Something drawn (not the playhead) changed: draw it all again on the next paint."""
        self._drawn = None
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._drawn = None
        self._place_scrollbar()
        super().resizeEvent(event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.width() <= 0 or self.height() <= 0:
            return
        ratio = self.devicePixelRatioF()
        if self._drawn is None or self._drawn.devicePixelRatioF() != ratio:
            pixmap = QPixmap(round(self.width() * ratio), round(self.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            painter = QPainter(pixmap)
            self._paint_still(painter)
            painter.end()
            self._drawn = pixmap
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._drawn)
        self._paint_playhead(painter)
        painter.end()

    def _paint_still(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.fillRect(self.rect(), theme.BACKGROUND)
        painter.fillRect(QRectF(0, 0, self.GUTTER, self.RULER), theme.PANEL)
        self._paint_rows(painter)
        painter.save()
        painter.setClipRect(self.grid_rect().adjusted(0, -self.RULER, 1, 1))
        self._paint_grid(painter)
        self._paint_ruler(painter)
        painter.setRenderHint(QPainter.Antialiasing, True)
        self.paint_notes(painter)
        painter.restore()
        if self.empty_text and self.is_empty():
            painter.setPen(theme.DIM_TEXT)
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.15)
            painter.setFont(font)
            painter.drawText(self.grid_rect(), Qt.AlignCenter | Qt.TextWordWrap, self.empty_text)

    def _paint_rows(self, painter: QPainter) -> None:
        """The pitch rows and the keyboard gutter (``roll_gutter``)."""
        paint_key_rows(self, painter)

    def _paint_grid(self, painter: QPainter) -> None:
        grid = self.grid_rect()
        view_end = self.view_start_beats + self.visible_beats
        step_width = self.beat_width() / STEPS_PER_BEAT

        def line(beat: float, colour: QColor) -> None:
            x = self.x_for_beat(beat)
            painter.setPen(colour)
            painter.drawLine(QPointF(x, grid.top()), QPointF(x, grid.bottom()))

        for _number, bar, end in self.shown_bars():
            if end < self.view_start_beats or bar.start_beat > view_end:
                continue
            # The meter's own beats: 6/8 is drawn as two beats of three eighths.
            beats = [beat for beat in bar.beat_beats() if beat < end - 1e-9]
            if step_width >= 6:
                marked = {round(beat * STEPS_PER_BEAT) for beat in [bar.start_beat, *beats]}
                first, last = round(bar.start_beat * STEPS_PER_BEAT), round(end * STEPS_PER_BEAT)
                for step in sorted(set(range(first, last)) - marked):
                    line(step * STEP_BEATS, theme.GRID_STEP)
            for beat in beats:
                line(beat, theme.GRID_BEAT)
            line(bar.start_beat, theme.GRID_BAR)
        line(self.length_beats, theme.GRID_BAR)  # the tune's end
        if self.first_beat < 0:  # a count-in: dimmed, its notes drawn over it
            left, right = self.x_for_beat(self.first_beat), self.x_for_beat(0.0)
            painter.fillRect(QRectF(left, grid.top(), right - left, grid.height()), COUNT_IN_DIM)

    def ruler_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(8)
        return font

    def ruler_labels(self) -> list[tuple[QRectF, str]]:
        """The bar names the ruler draws and the rects they take, left to right: every
        bar where there is room, else every second or fourth number, and never one that
        would print over the one before (a one-eighth pickup bar's "1" and bar 2 read
        "12": that bar 2 is left unnamed, bar 3 is). A count-in too narrow for its name
        goes unnamed (it is dimmed), so bar 1 keeps its number."""
        metrics = QFontMetricsF(self.ruler_font())
        bar_width = self.beats_per_bar * self.beat_width()
        every = 1 if bar_width >= 28 else (2 if bar_width >= 14 else 4)
        view_end = self.view_start_beats + self.visible_beats
        labels: list[tuple[QRectF, str]] = []
        named = self.bar_labels()
        last_right = -float(RULER_GAP)
        for index, (bar, label) in enumerate(named):
            end = bar.start_beat + bar.length_beats
            skipped = label.isdigit() and (int(label) - 1) % every
            if skipped or end < self.view_start_beats or bar.start_beat > view_end:
                continue
            left = self.x_for_beat(bar.start_beat) + 3
            width = metrics.horizontalAdvance(label)
            if not label.isdigit():  # "count-in", whole or not at all: bar 1 keeps its number
                bar_one = next((b for b, name in named[index:] if name.isdigit()), None)
                room = (self.x_for_beat(bar_one.start_beat) if bar_one else self.width()) - left
                if width > room - RULER_GAP:
                    continue  # the dimmed bars say it
            if left < last_right + RULER_GAP:
                continue  # would print over, or run into, the name before
            labels.append((QRectF(left, 0, width, self.RULER - 2), label))
            last_right = left + width
        return labels

    def _paint_ruler(self, painter: QPainter) -> None:
        """The bars' names (``ruler_labels``), each with a tick at its barline."""
        painter.fillRect(QRectF(self.GUTTER, 0, self.width(), self.RULER), theme.PANEL)
        painter.setPen(theme.DIM_TEXT)
        painter.setFont(self.ruler_font())
        for rect, label in self.ruler_labels():
            x = rect.left() - 3
            painter.drawLine(QPointF(x, self.RULER - 6), QPointF(x, self.RULER))
            painter.drawText(rect, Qt.AlignVCenter | Qt.AlignLeft | Qt.TextDontClip, label)

    def _paint_playhead(self, painter: QPainter) -> None:
        if self.playhead_beats is None:
            return
        x = self.x_for_beat(self.playhead_beats)
        if x < self.GUTTER:
            return
        painter.setPen(QPen(theme.PLAYHEAD, 2))
        painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))

    def paint_notes(self, painter: QPainter) -> None:
        """Drawn by subclasses."""

    def is_empty(self) -> bool:
        """True when there is nothing to draw, so the hint text shows instead."""
        return True

    def draw_note(
        self, painter: QPainter, note: Note, colour: QColor, outline: QColor | None = None
    ) -> None:
        rect = self.note_rect(note)
        painter.setPen(QPen(outline or colour.darker(160), 1))
        painter.setBrush(colour)
        painter.drawRoundedRect(rect, 2, 2)
