"""Piano rolls: the melody editor and the read-only multi-track view of a candidate.

Both draw the same grid (that of ``models.pianoroll``: bars, beats, 16th steps) with a
bar ruler on top, a keyboard gutter on the left and a playhead. The editor lets the
musician add (click an empty cell, drag to set the length), move (drag a note), resize
(drag its right edge) and delete (right-click or double-click, or Delete) notes, snapped
to the grid; every edit is one command on a QUndoStack, so Ctrl+Z takes it back.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QSizePolicy, QWidget

from composer_gui.core.arrangement import Arrangement, Note
from composer_gui.ui import theme
from models.pianoroll import STEPS_PER_BEAT, Meter

STEP_BEATS = 1.0 / STEPS_PER_BEAT
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
BLACK_KEYS = {1, 3, 6, 8, 10}
LOWEST_SHOWN = 21  # A0: a performed melody keeps its own register, even outside the model's
HIGHEST_SHOWN = 108  # C8
MIN_SPAN = 18  # semitones shown at least, so a few notes are not drawn as huge bars


def pitch_name(pitch: int) -> str:
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumHeight(140)
        self.meter = Meter()
        self.length_beats = 4 * self.meter.bar_beats
        self.low_pitch = 55
        self.high_pitch = 55 + MIN_SPAN
        self.playhead_beats: float | None = None
        self.empty_text = ""
        self._drawn: QPixmap | None = None  # all but the playhead; None: draw again

    # --- geometry -------------------------------------------------------------------
    def set_length(self, length_beats: float, meter: Meter | None = None) -> None:
        """Show whole bars of ``meter`` (the current one if None) holding ``length_beats``."""
        self.meter = meter or self.meter
        bar = self.meter.bar_steps
        bars = max(1, -(-round(length_beats * STEPS_PER_BEAT) // bar))
        self.length_beats = bars * self.meter.bar_beats
        self.refresh()

    @property
    def beats_per_bar(self) -> float:
        """Bar length in quarter notes (3.0 in 6/8), for code that counts in beats."""
        return self.meter.bar_beats

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
        return QRectF(
            self.GUTTER, self.RULER, self.width() - self.GUTTER - 1, self.height() - self.RULER - 1
        )

    def row_height(self) -> float:
        return self.grid_rect().height() / (self.high_pitch - self.low_pitch + 1)

    def beat_width(self) -> float:
        return self.grid_rect().width() / self.length_beats

    def x_for_beat(self, beat: float) -> float:
        return self.GUTTER + beat * self.beat_width()

    def beat_for_x(self, x: float) -> float:
        return (x - self.GUTTER) / self.beat_width()

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
        if beats != self.playhead_beats:
            self.playhead_beats = beats
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
        """The wheel scrolls the pitches shown, like a DAW's vertical scroll."""
        steps = 2 if event.angleDelta().y() > 0 else -2
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
        self._paint_rows(painter)
        self._paint_grid(painter)
        self._paint_ruler(painter)
        painter.setRenderHint(QPainter.Antialiasing, True)
        self.paint_notes(painter)
        painter.setRenderHint(QPainter.Antialiasing, False)
        if self.empty_text and self.is_empty():
            painter.setPen(theme.DIM_TEXT)
            font = QFont(self.font())
            font.setPointSizeF(font.pointSizeF() * 1.15)
            painter.setFont(font)
            painter.drawText(self.grid_rect(), Qt.AlignCenter | Qt.TextWordWrap, self.empty_text)

    def _paint_rows(self, painter: QPainter) -> None:
        grid = self.grid_rect()
        row_height = self.row_height()
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, min(8.0, row_height * 0.75)))
        painter.setFont(font)
        for pitch in range(self.low_pitch, self.high_pitch + 1):
            y = self.y_for_pitch(pitch)
            black = pitch % 12 in BLACK_KEYS
            painter.fillRect(
                QRectF(grid.left(), y, grid.width(), row_height),
                theme.BLACK_KEY_ROW if black else theme.WHITE_KEY_ROW,
            )
            # the gutter: a tiny keyboard with the Cs named
            painter.fillRect(
                QRectF(0, y, self.GUTTER - 2, row_height),
                QColor("#15171a") if black else QColor("#c9ccd1"),
            )
            if pitch % 12 == 0:
                painter.setPen(QColor("#2a2d33"))
                painter.drawText(
                    QRectF(2, y, self.GUTTER - 6, row_height),
                    Qt.AlignVCenter | Qt.AlignRight,
                    pitch_name(pitch),
                )
                painter.setPen(theme.GRID_BAR)
                painter.drawLine(
                    QPointF(grid.left(), y + row_height), QPointF(grid.right(), y + row_height)
                )

    def _paint_grid(self, painter: QPainter) -> None:
        grid = self.grid_rect()
        steps = int(round(self.length_beats * STEPS_PER_BEAT))
        step_width = self.beat_width() / STEPS_PER_BEAT
        # The meter's own beats: 6/8 is drawn as two beats of three eighths.
        beat_starts = set(self.meter.beat_starts)
        for step in range(steps + 1):
            if step % self.meter.bar_steps == 0:
                colour = theme.GRID_BAR
            elif step % self.meter.bar_steps in beat_starts:
                colour = theme.GRID_BEAT
            elif step_width >= 6:
                colour = theme.GRID_STEP
            else:
                continue
            x = self.x_for_beat(step / STEPS_PER_BEAT)
            painter.setPen(colour)
            painter.drawLine(QPointF(x, grid.top()), QPointF(x, grid.bottom()))

    def _paint_ruler(self, painter: QPainter) -> None:
        painter.fillRect(QRectF(0, 0, self.width(), self.RULER), theme.PANEL)
        painter.setPen(theme.DIM_TEXT)
        font = QFont(self.font())
        font.setPointSizeF(8)
        painter.setFont(font)
        bars = round(self.length_beats / self.beats_per_bar)
        bar_width = self.beats_per_bar * self.beat_width()
        every = 1 if bar_width >= 28 else (2 if bar_width >= 14 else 4)
        for bar in range(bars):
            if bar % every:
                continue
            x = self.x_for_beat(bar * self.beats_per_bar)
            painter.drawLine(QPointF(x, self.RULER - 6), QPointF(x, self.RULER))
            painter.drawText(
                QRectF(x + 3, 0, bar_width * every, self.RULER - 2),
                Qt.AlignVCenter | Qt.AlignLeft,
                str(bar + 1),
            )

    def _paint_playhead(self, painter: QPainter) -> None:
        if self.playhead_beats is None:
            return
        x = self.x_for_beat(self.playhead_beats)
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


class SetNotesCommand(QUndoCommand):
    """One edit of the melody, stored as the notes before and after."""

    def __init__(
        self, editor: MelodyEditor, before: list[Note], after: list[Note], text: str
    ) -> None:
        super().__init__(text)
        self.editor = editor
        self.before = list(before)
        self.after = list(after)

    def redo(self) -> None:
        self.editor.apply_notes(self.after)

    def undo(self) -> None:
        self.editor.apply_notes(self.before)


class MelodyEditor(RollView):
    """The melody, editable with the mouse; every change goes through the undo stack."""

    notes_changed = Signal()
    note_auditioned = Signal(int)  # a pitch to sound briefly while editing

    EDGE_PX = 5  # grab zone for resizing at a note's right edge

    def __init__(self, undo_stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.notes: list[Note] = []
        self.selected: int | None = None
        self.default_duration_beats = 1.0
        self._drag: dict | None = None  # mode, index, original note, press beat and pitch
        self._preview: Note | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.ClickFocus)
        self.empty_text = ""
        self.setAccessibleName("Melody piano roll")

    # --- state --------------------------------------------------------------------
    def set_notes(
        self,
        notes: list[Note],
        length_beats: float | None = None,
        meter: Meter | None = None,
    ) -> None:
        """Replace the melody without an undo step (a file was opened or a take recorded)."""
        self.notes = sorted(notes, key=lambda n: (n.start_beat, n.pitch))
        self.selected = None
        end = max((n.start_beat + n.duration_beats for n in self.notes), default=0.0)
        meter = meter or self.meter
        self.set_length(max(length_beats or 0.0, end, meter.bar_beats), meter)
        self.fit_pitches([n.pitch for n in self.notes])
        self.notes_changed.emit()

    def apply_notes(self, notes: list[Note]) -> None:
        """Called by undo commands: show these notes, keep the view where it is."""
        self.notes = sorted(notes, key=lambda n: (n.start_beat, n.pitch))
        self.selected = None
        end = max((n.start_beat + n.duration_beats for n in self.notes), default=0.0)
        if end > self.length_beats:
            self.set_length(end)
        self.refresh()
        self.notes_changed.emit()

    def edit(self, after: list[Note], text: str) -> None:
        self.undo_stack.push(SetNotesCommand(self, self.notes, after, text))

    def note_at(self, pos: QPointF) -> int | None:
        for index in reversed(range(len(self.notes))):
            if self.note_rect(self.notes[index]).adjusted(0, -1, 2, 1).contains(pos):
                return index
        return None

    # --- mouse --------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.ruler_click(event):
            return
        pos = event.position()
        if not self.grid_rect().contains(pos):
            return
        index = self.note_at(pos)
        if event.button() == Qt.RightButton:
            if index is not None:
                self.delete_note(index)
            return
        if event.button() != Qt.LeftButton:
            return
        beat = self.beat_for_x(pos.x())
        pitch = self.pitch_for_y(pos.y())
        if index is None:
            start = max(0.0, snap_beat(beat - STEP_BEATS / 2))
            note = Note(pitch, start, self.default_duration_beats, 90)
            self._drag = {
                "mode": "create",
                "index": None,
                "note": note,
                "beat": start,
                "pitch": pitch,
            }
            self._preview = note
            self.note_auditioned.emit(pitch)
        else:
            note = self.notes[index]
            self.selected = index
            right = self.note_rect(note).right()
            mode = "resize" if right - pos.x() <= self.EDGE_PX else "move"
            self._drag = {"mode": mode, "index": index, "note": note, "beat": beat, "pitch": pitch}
            self._preview = note
        self.refresh()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        pos = event.position()
        if self._drag is None:
            self._update_cursor(pos)
            return
        beat = self.beat_for_x(pos.x())
        pitch = self.pitch_for_y(pos.y())
        drag, note = self._drag, self._drag["note"]
        if drag["mode"] in ("create", "resize"):
            end = snap_beat(beat + STEP_BEATS / 2)
            duration = max(STEP_BEATS, end - note.start_beat)
            self._preview = replace(note, duration_beats=duration)
        else:
            delta_beats = snap_beat(beat - drag["beat"])
            start = max(0.0, note.start_beat + delta_beats)
            new_pitch = min(HIGHEST_SHOWN, max(LOWEST_SHOWN, note.pitch + pitch - drag["pitch"]))
            if new_pitch != self._preview.pitch:
                self.note_auditioned.emit(new_pitch)
            self._preview = replace(note, start_beat=start, pitch=new_pitch)
        self.refresh()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        drag, preview = self._drag, self._preview
        self._drag, self._preview = None, None
        if drag is None or preview is None:
            return
        if drag["mode"] == "create":
            self.default_duration_beats = preview.duration_beats
            self.edit(self.notes + [preview], "Add note")
            self.selected = self.notes.index(preview) if preview in self.notes else None
        elif preview != drag["note"]:
            after = list(self.notes)
            after[drag["index"]] = preview
            if drag["mode"] == "resize":
                self.default_duration_beats = preview.duration_beats
            self.edit(after, "Resize note" if drag["mode"] == "resize" else "Move note")
            self.selected = self.notes.index(preview) if preview in self.notes else None
        self.refresh()

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        index = self.note_at(event.position())
        if index is not None:
            self._drag, self._preview = None, None
            self.delete_note(index)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key_Delete, Qt.Key_Backspace) and self.selected is not None:
            self.delete_note(self.selected)
            return
        super().keyPressEvent(event)

    def delete_note(self, index: int) -> None:
        after = list(self.notes)
        del after[index]
        self.edit(after, "Delete note")

    def _update_cursor(self, pos: QPointF) -> None:
        index = self.note_at(pos)
        if index is None:
            self.setCursor(Qt.CrossCursor if self.grid_rect().contains(pos) else Qt.ArrowCursor)
        elif self.note_rect(self.notes[index]).right() - pos.x() <= self.EDGE_PX:
            self.setCursor(Qt.SizeHorCursor)
        else:
            self.setCursor(Qt.OpenHandCursor)

    # --- drawing --------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self.notes and self._preview is None

    def paint_notes(self, painter: QPainter) -> None:
        colour = theme.track_colour(0)
        hidden = self._drag["index"] if self._drag else None
        for index, note in enumerate(self.notes):
            if index == hidden:
                continue
            shade = colour.lighter(125) if index == self.selected else colour
            outline = QColor("white") if index == self.selected else None
            self.draw_note(painter, note, shade, outline)
        if self._preview is not None:
            self.draw_note(painter, self._preview, colour.lighter(135), QColor("white"))


class ArrangementView(RollView):
    """A whole candidate, read-only: one colour per track, muted tracks faded."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arrangement: Arrangement | None = None
        self.audible: list[bool] = []
        self.setAccessibleName("Candidate piano roll")

    def set_arrangement(
        self, arrangement: Arrangement | None, audible: list[bool] | None = None
    ) -> None:
        self.arrangement = arrangement
        if arrangement is None:
            self.audible = []
            self.refresh()
            return
        self.audible = list(audible) if audible else [True] * len(arrangement.tracks)
        meter = arrangement.meter()
        self.set_length(max(meter.bar_beats, arrangement.length_beats()), meter)
        self.fit_pitches([n.pitch for t in arrangement.tracks for n in t.notes])

    def set_audible(self, audible: list[bool]) -> None:
        self.audible = list(audible)
        self.refresh()

    def is_empty(self) -> bool:
        return self.arrangement is None

    def paint_notes(self, painter: QPainter) -> None:
        if self.arrangement is None:
            return
        # the melody last, so it stays on top where voices cross
        order = list(range(1, len(self.arrangement.tracks))) + [0]
        for index in order:
            track = self.arrangement.tracks[index]
            colour = QColor(theme.track_colour(index))
            if index < len(self.audible) and not self.audible[index]:
                colour.setAlpha(45)
            for note in track.notes:
                self.draw_note(painter, note, colour)
