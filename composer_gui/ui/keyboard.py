"""Playing notes without a MIDI keyboard: an on-screen piano and the computer keyboard.

The computer keyboard works as in DAWs: the home row A S D F G H J K L ; are the white
keys from C, W E T Y U O P the black keys above them, Z and X move an octave down and
up. ``ComputerKeyboard`` is an application-wide event filter that is only active while
the musician switches it on (the "Computer keyboard" button), so letters keep their
shortcuts otherwise.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from composer_gui.ui import theme

# Semitones above the current octave's C for each key (Qt key codes of the letters).
KEY_SEMITONES = {
    Qt.Key_A: 0,
    Qt.Key_W: 1,
    Qt.Key_S: 2,
    Qt.Key_E: 3,
    Qt.Key_D: 4,
    Qt.Key_F: 5,
    Qt.Key_T: 6,
    Qt.Key_G: 7,
    Qt.Key_Y: 8,
    Qt.Key_H: 9,
    Qt.Key_U: 10,
    Qt.Key_J: 11,
    Qt.Key_K: 12,
    Qt.Key_O: 13,
    Qt.Key_L: 14,
    Qt.Key_P: 15,
    Qt.Key_Semicolon: 16,
}
OCTAVE_DOWN, OCTAVE_UP = Qt.Key_Z, Qt.Key_X
DEFAULT_BASE_PITCH = 60  # middle C on the A key
VELOCITY = 90
WHITE_SEMITONES = (0, 2, 4, 5, 7, 9, 11)


class ComputerKeyboard(QObject):
    """Turns letter keys into note on/off while enabled."""

    note_on = Signal(int, int)  # pitch, velocity
    note_off = Signal(int)
    octave_changed = Signal(int)  # the pitch of the A key

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = False
        self.base_pitch = DEFAULT_BASE_PITCH
        self._held: dict[int, int] = {}  # Qt key -> pitch it started

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        if not enabled:
            self.release_all()

    def release_all(self) -> None:
        for pitch in self._held.values():
            self.note_off.emit(pitch)
        self._held.clear()

    def handle_key(self, key: int, pressed: bool, auto_repeat: bool = False) -> bool:
        """True when the key is one of ours (so the event is consumed)."""
        if key in (OCTAVE_DOWN, OCTAVE_UP):
            if pressed and not auto_repeat:
                step = -12 if key == OCTAVE_DOWN else 12
                self.base_pitch = max(12, min(108, self.base_pitch + step))
                self.octave_changed.emit(self.base_pitch)
            return True
        semitones = KEY_SEMITONES.get(key)
        if semitones is None:
            return False
        if auto_repeat:
            return True
        if pressed and key not in self._held:
            pitch = min(127, self.base_pitch + semitones)
            self._held[key] = pitch
            self.note_on.emit(pitch, VELOCITY)
        elif not pressed and key in self._held:
            self.note_off.emit(self._held.pop(key))
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if not self.enabled:
            return False
        kind = event.type()
        if kind not in (QEvent.KeyPress, QEvent.KeyRelease, QEvent.ShortcutOverride):
            return False
        if event.modifiers() & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier):
            return False
        key = event.key()
        if key not in KEY_SEMITONES and key not in (OCTAVE_DOWN, OCTAVE_UP):
            return False
        if QApplication.activeModalWidget() is not None:
            return False  # typing in a dialog
        if kind == QEvent.ShortcutOverride:
            event.accept()  # the letter plays a note instead of firing a shortcut
            return True
        # consumed here, so the key never reaches a widget and is handled exactly once
        return self.handle_key(key, kind == QEvent.KeyPress, event.isAutoRepeat())


class PianoWidget(QWidget):
    """A clickable piano, lighting the keys that sound (from any source)."""

    note_on = Signal(int, int)
    note_off = Signal(int)

    def __init__(self, low_pitch: int = 48, octaves: int = 3, parent: QWidget | None = None):
        super().__init__(parent)
        self.low_pitch = low_pitch
        self.octaves = octaves
        self.lit: set[int] = set()
        self.marked_base: int | None = None  # the A key's pitch while the letter keys play
        self._mouse_pitch: int | None = None
        self.setMinimumHeight(54)
        self.setMaximumHeight(80)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setAccessibleName("On-screen piano")

    @property
    def high_pitch(self) -> int:
        return self.low_pitch + 12 * self.octaves  # the top C

    def white_pitches(self) -> list[int]:
        return [p for p in range(self.low_pitch, self.high_pitch + 1) if p % 12 in WHITE_SEMITONES]

    def key_rects(self) -> dict[int, QRectF]:
        """White keys first, then black keys on top: the order hit-testing needs reversed."""
        whites = self.white_pitches()
        width = self.width() / len(whites)
        rects: dict[int, QRectF] = {}
        for i, pitch in enumerate(whites):
            rects[pitch] = QRectF(i * width, 0, width, self.height() - 1)
        for i, pitch in enumerate(whites):
            if (pitch + 1) % 12 in WHITE_SEMITONES or pitch + 1 > self.high_pitch:
                continue
            rects[pitch + 1] = QRectF(
                (i + 1) * width - width * 0.3, 0, width * 0.6, self.height() * 0.6
            )
        return rects

    def pitch_at(self, x: float, y: float) -> int | None:
        rects = self.key_rects()
        for pitch in sorted(rects, key=lambda p: p % 12 in WHITE_SEMITONES):
            if rects[pitch].contains(x, y):
                return pitch
        return None

    def set_lit(self, pitch: int, lit: bool) -> None:
        if lit:
            self.lit.add(pitch)
        else:
            self.lit.discard(pitch)
        self.update()

    def set_marked_base(self, pitch: int | None) -> None:
        self.marked_base = pitch
        self.update()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        pitch = self.pitch_at(event.position().x(), event.position().y())
        if pitch is not None:
            self._mouse_pitch = pitch
            self.note_on.emit(pitch, VELOCITY)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._mouse_pitch is None:
            return
        pitch = self.pitch_at(event.position().x(), event.position().y())
        if pitch is not None and pitch != self._mouse_pitch:
            self.note_off.emit(self._mouse_pitch)
            self._mouse_pitch = pitch
            self.note_on.emit(pitch, VELOCITY)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._mouse_pitch is not None:
            self.note_off.emit(self._mouse_pitch)
            self._mouse_pitch = None

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        rects = self.key_rects()
        for pitch, rect in rects.items():
            white = pitch % 12 in WHITE_SEMITONES
            if pitch in self.lit:
                colour = theme.ACCENT if white else theme.ACCENT.darker(130)
            else:
                colour = QColor("#e8e8e4") if white else QColor("#1b1c1f")
            painter.setPen(QPen(QColor("#5a5e66"), 1))
            painter.setBrush(colour)
            painter.drawRect(rect)
            if white and pitch % 12 == 0:
                painter.setPen(QColor("#777"))
                painter.drawText(
                    rect.adjusted(0, 0, 0, -3),
                    Qt.AlignHCenter | Qt.AlignBottom,
                    f"C{pitch // 12 - 1}",
                )
            if pitch == self.marked_base:
                painter.setPen(Qt.NoPen)
                painter.setBrush(theme.PLAYHEAD)
                painter.drawEllipse(rect.center().x() - 3, rect.top() + 4, 6, 6)
        painter.end()
