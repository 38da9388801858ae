"""Piano rolls: the melody editor and the read-only multi-track view of a candidate.

Both are a ``roll_view.RollView`` (grid, ruler, gutter, playhead, time zoom and scroll).
The editor lets the musician add (click an empty cell, drag to set the length), move
(drag a note), resize (drag its right edge) and delete (right-click or double-click, or
Delete) notes, snapped to the grid; every edit goes as one intent to ``on_edit`` (the
document, which keeps the undo history), so Ctrl+Z takes it back. While a take records
the editor draws the take instead (``show_take``), and edits nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QWidget

from composer_gui.core.arrangement import Arrangement, Note
from composer_gui.core.bar_lines import BarLines, file_bar_lines
from composer_gui.core.take_notes import TakeSoFar
from composer_gui.ui import theme
from composer_gui.ui.roll_view import HIGHEST_SHOWN, LOWEST_SHOWN, STEP_BEATS, RollView, snap_beat
from models.pianoroll import Meter
from models.tracks import DRUM_KIT


class MelodyEditor(RollView):
    """The melody, editable with the mouse; every change is sent to ``on_edit``.

    ``on_edit(notes, text)`` receives the whole melody after the edit and a name for the
    undo step; it must show the result (``apply_notes``). Without one the editor applies
    its edits itself (a bare editor, as in its own tests).
    """

    notes_changed = Signal()
    note_auditioned = Signal(int)  # a pitch to sound briefly while editing

    EDGE_PX = 5  # grab zone for resizing at a note's right edge

    def __init__(
        self,
        on_edit: Callable[[list[Note], str], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.on_edit = on_edit
        self.notes: list[Note] = []
        self.selected: int | None = None
        self.default_duration_beats = 1.0
        self._drag: dict | None = None  # mode, index, original note, press beat and pitch
        self._preview: Note | None = None
        self.take: TakeSoFar | None = None  # drawn instead of the melody while recording
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
        """Show these notes after an edit or an undo, keeping the view where it is."""
        self.notes = sorted(notes, key=lambda n: (n.start_beat, n.pitch))
        self.selected = None
        end = max((n.start_beat + n.duration_beats for n in self.notes), default=0.0)
        if end > self.length_beats:
            self.set_length(end)
        self.refresh()
        self.notes_changed.emit()

    def show_take(self, take: TakeSoFar | None) -> None:
        """Draw a take as it records: the count-in's bars before bar 1, dimmed, and the
        notes played so far, those played into the count-in too; None: the melody again
        (the window then gives its bars back with ``set_length``)."""
        self.take = take
        self._drag, self._preview = None, None
        if take is None:
            self.refresh()
            return
        self.set_length(take.length_beats, take.bar_lines)
        pitches = [note.pitch for note in take.notes]
        if any(not self.low_pitch <= pitch <= self.high_pitch for pitch in pitches):
            self.fit_pitches([*pitches, self.low_pitch + 3, self.high_pitch - 3])

    def edit(self, after: list[Note], text: str) -> None:
        if self.on_edit is None:
            self.apply_notes(after)
        else:
            self.on_edit(list(after), text)

    def note_at(self, pos: QPointF) -> int | None:
        for index in reversed(range(len(self.notes))):
            if self.note_rect(self.notes[index]).adjusted(0, -1, 2, 1).contains(pos):
                return index
        return None

    # --- mouse --------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.take is not None or self.ruler_click(event):
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
        return not self.notes and self._preview is None and self.take is None

    def paint_notes(self, painter: QPainter) -> None:
        colour = theme.track_colour(0)
        if self.take is not None:
            for note in self.take.notes:
                self.draw_note(painter, note, colour)
            return
        hidden = self._drag["index"] if self._drag else None
        for index, note in enumerate(self.notes):
            if index == hidden:
                continue
            shade = colour.lighter(125) if index == self.selected else colour
            outline = QColor("white") if index == self.selected else None
            self.draw_note(painter, note, shade, outline)
        if self._preview is not None:
            self.draw_note(painter, self._preview, colour.lighter(135), QColor("white"))


# The drum lane's row names in the gutter (the kit of models.tracks.DRUM_KIT), short
# enough for it; a hit on another key is named by its number.
KIT_LABELS = {
    36: "Kick",
    38: "Snare",
    37: "Stick",
    39: "Clap",
    42: "HH",
    44: "Ped HH",
    46: "Open HH",
    41: "Tom 1",
    45: "Tom 2",
    47: "Tom 3",
    50: "Tom 4",
    49: "Crash",
    51: "Ride",
    53: "Bell",
    54: "Tamb",
    56: "Cowbell",
    70: "Shaker",
    64: "Conga L",
    63: "Conga H",
    75: "Claves",
}
KIT_ORDER = [pitch for _name, pitch in DRUM_KIT]
DRUM_ROW = 9.0  # px a drum row at most
DRUM_SHARE = 0.35  # of the roll's height, at most, for the drum lane


class ArrangementView(RollView):
    """A whole candidate, read-only: one colour per track, muted tracks faded.

    Drum hits are not pitches: a drums track is drawn in a lane of its own under the
    pitch rows, one row per kit piece it plays (kick at the bottom), named in the gutter;
    the pitch rows fit the pitched tracks alone."""

    view_changed = Signal()  # redrawn: the time axis may have moved (the chord lane follows)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arrangement: Arrangement | None = None
        self.audible: list[bool] = []
        self.drum_keys: list[int] = []  # the lane's rows, top to bottom
        self.setAccessibleName("Candidate piano roll")

    def set_arrangement(
        self,
        arrangement: Arrangement | None,
        audible: list[bool] | None = None,
        bar_lines: BarLines | None = None,
    ) -> None:
        """Show ``arrangement`` on ``bar_lines``, the bars its take was written on
        (``Document.take_bar_lines``: a pickup's short bar first); by default the bars
        its own time signatures draw."""
        self.arrangement = arrangement
        if arrangement is None:
            self.audible, self.drum_keys = [], []
            self.refresh()
            return
        self.audible = list(audible) if audible else [True] * len(arrangement.tracks)
        keys = {n.pitch for t in arrangement.tracks if t.is_drum for n in t.notes}
        rank = lambda k: KIT_ORDER.index(k) if k in KIT_ORDER else len(KIT_ORDER) + k  # noqa: E731
        self.drum_keys = sorted(keys, key=rank, reverse=True)
        bar_lines = bar_lines or file_bar_lines(arrangement)
        self.set_length(arrangement.length_beats(), bar_lines)
        self.fit_pitches([n.pitch for t in arrangement.tracks if not t.is_drum for n in t.notes])

    # --- the drum lane --------------------------------------------------------------
    def drum_row_height(self) -> float:
        if not self.drum_keys:
            return 0.0
        return min(DRUM_ROW, self.grid_rect().height() * DRUM_SHARE / len(self.drum_keys))

    def lane_height(self) -> float:
        return self.drum_row_height() * len(self.drum_keys)

    def drum_row_y(self, key: int) -> float:
        """Top edge of the kit piece's row in the drum lane."""
        lane_top = self.grid_rect().bottom() - self.lane_height()
        return lane_top + self.drum_keys.index(key) * self.drum_row_height()

    def drum_hit_rect(self, note: Note) -> QRectF:
        """A hit is drawn short, at its start: a drum's length is not heard."""
        x = self.x_for_beat(note.start_beat)
        width = max(2.0, min(5.0, self.beat_width() / 4 - 1))
        height = self.drum_row_height()
        return QRectF(x, self.drum_row_y(note.pitch) + 1, width, max(1.5, height - 2))

    def _paint_rows(self, painter: QPainter) -> None:
        super()._paint_rows(painter)
        if not self.drum_keys:
            return
        grid, height = self.grid_rect(), self.drum_row_height()
        font = QFont(self.font())
        font.setPointSizeF(max(5.0, min(7.0, height * 0.75)))
        painter.setFont(font)
        for row, key in enumerate(self.drum_keys):
            y = self.drum_row_y(key)
            shade = theme.WHITE_KEY_ROW if row % 2 else theme.BLACK_KEY_ROW
            painter.fillRect(QRectF(grid.left(), y, grid.width(), height), shade)
            painter.fillRect(QRectF(0, y, self.GUTTER - 2, height), theme.PANEL)
            if height >= 6:
                painter.setPen(theme.DIM_TEXT)
                painter.drawText(
                    QRectF(2, y, self.GUTTER - 6, height),
                    Qt.AlignVCenter | Qt.AlignRight,
                    KIT_LABELS.get(key, str(key)),
                )
        painter.setPen(theme.GRID_BAR)
        top = self.drum_row_y(self.drum_keys[0])
        painter.drawLine(QPointF(0, top), QPointF(grid.right(), top))

    def set_audible(self, audible: list[bool]) -> None:
        self.audible = list(audible)
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        self.view_changed.emit()

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
            if track.is_drum:
                painter.setPen(Qt.NoPen)
                painter.setBrush(colour)
                for note in track.notes:
                    if note.pitch in self.drum_keys:
                        painter.drawRect(self.drum_hit_rect(note))
                continue
            for note in track.notes:
                self.draw_note(painter, note, colour)
