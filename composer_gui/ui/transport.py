"""The transport bar: record, play/stop, loop, metronome, tempo, bars, MIDI input.

Buttons show the shared actions of ``ui/actions.py``; the bar itself holds no logic.
The count-in display (``show_count``) lights up during the bar before recording starts.
The clock box chooses whose tempo the transport keeps: its own, or a DAW's MIDI clock
arriving at a port (``show_clock`` shows what that clock says).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpacerItem,
    QSpinBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from composer_gui.core.melody_grid import PICKUP_AUTO, PICKUP_NONE, Pickup, pickup_words
from composer_gui.core.tune import NEW_BARS_MAX, NEW_MELODY_METERS
from composer_gui.ui.actions import Actions
from composer_gui.ui.theme import hide_spin_arrows
from models.pianoroll import Meter

NO_INPUT = "No MIDI keyboard"
OWN_CLOCK = "Own tempo"
CLOCK_WAITING = "waiting for the DAW"


def clock_words(bpm: float, running: bool) -> str:
    """What the followed clock says beside the clock box."""
    return f"DAW {bpm:.0f} BPM, {'playing' if running else 'stopped'}"


def widest_clock_pixels(label: QLabel) -> int:
    """The room the clock's words may ever need (any three-digit tempo, either state):
    reserved while following, so the row's width never depends on the digits shown (a
    DAW near 100 BPM flipped the transport between one and two rows every look)."""
    texts = [CLOCK_WAITING] + [
        clock_words(float(digit * 3), running)
        for digit in "0123456789"
        for running in (True, False)
    ]
    return max(label.fontMetrics().horizontalAdvance(text) for text in texts)


def tool_button(action: QAction, text: str | None = None, name: str = "") -> QToolButton:
    button = QToolButton()
    if text:
        # the button's own label, as the action's icon text: a label set on the button
        # went back to the action's menu text at its next change (Rec read "Record"
        # after a take); menus keep ``text()``
        action.setIconText(text)
    button.setDefaultAction(action)
    if name:
        button.setObjectName(name)
    button.setFocusPolicy(Qt.NoFocus)  # Space must reach the Play shortcut, not the button
    button.setToolButtonStyle(Qt.ToolButtonTextOnly)
    button.setMinimumHeight(30)
    return button


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.VLine)
    line.setStyleSheet("color: #3a3e46;")
    return line


class PortBox(QComboBox):
    """A box of MIDI ports that asks for room for its whole current text, and cuts a
    name too long for the room it gets in the middle (a port's name ends in what tells
    two ports apart, and a state such as "(not connected)"); the tooltip has it all.
    The Input box cut "FeederKeys:keys (not connected)" to "FeederKeys:keys (r"."""

    MOST_PIXELS = 300  # the most a name may ask for: a longer one is cut in the middle

    def __init__(self) -> None:
        super().__init__()
        self.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.setMinimumContentsLength(1)
        self.tip = ""  # the box's own tooltip, shown after the full text
        self.currentTextChanged.connect(lambda _text: self.current_changed())

    def set_tip(self, tip: str) -> None:
        self.tip = tip
        self.current_changed()

    def current_changed(self) -> None:
        """The tooltip and the room asked for follow the current text (call it after
        changing the items with signals blocked)."""
        text = self.currentText()
        self.setToolTip(text if text and self.currentIndex() > 0 else self.tip)
        self.updateGeometry()

    def _option(self) -> QStyleOptionComboBox:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        return option

    def shown_text(self) -> str:
        """The current text as drawn: whole, or cut in the middle to the room there is."""
        return self.fontMetrics().elidedText(
            self.currentText(), Qt.ElideMiddle, self._field_width()
        )

    def _field_width(self) -> int:
        """The width the style gives the box's text."""
        field = self.style().subControlRect(
            QStyle.CC_ComboBox, self._option(), QStyle.SC_ComboBoxEditField, self
        )
        return field.width()

    def sizeHint(self):  # noqa: N802 - Qt override
        """Room for the current text whole, not for the longest item (which sized the
        row for a port no one chose)."""
        hint = super().sizeHint()
        text = self.fontMetrics().horizontalAdvance(self.currentText())
        hint.setWidth(max(self.minimumWidth(), self.width() - self._field_width() + text + 2))
        return hint.boundedTo(QSize(self.MOST_PIXELS, hint.height())).expandedTo(
            QSize(self.minimumWidth(), 0)
        )

    def minimumSizeHint(self):  # noqa: N802 - Qt override
        """The whole text up to MOST_PIXELS: a row short of that wraps (TransportBar.arrange)
        rather than squeezing the box; a longer name is cut in the middle."""
        hint = super().minimumSizeHint()
        hint.setWidth(min(self.sizeHint().width(), self.MOST_PIXELS))
        return hint

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt override
        painter = QStylePainter(self)
        option = self._option()
        option.currentText = self.shown_text()
        painter.drawComplexControl(QStyle.CC_ComboBox, option)
        painter.drawControl(QStyle.CE_ComboBoxLabel, option)


class TransportBar(QFrame):
    input_chosen = Signal(str)  # "" for none
    clock_chosen = Signal(str)  # the port whose MIDI clock to follow; "" for our own tempo
    refresh_requested = Signal()

    def __init__(self, actions: Actions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        # One row where it fits; below that width (about 1260 px with "No MIDI keyboard";
        # the window's minimum is 900) the input and clock boxes take a second row, or
        # every control was cut ("●...c", "▶...y"). ``arrange`` chooses.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(8, 6, 8, 6)
        rows.setSpacing(6)
        self.first_row = layout = QHBoxLayout()
        layout.setSpacing(6)
        self.second_row = QHBoxLayout()
        self.second_row.setSpacing(6)
        rows.addLayout(self.first_row)
        rows.addLayout(self.second_row)
        self.record = tool_button(actions.record, "\u25cf  Rec", "record")
        self.play = tool_button(actions.play, "\u25b6  Play")
        actions.play.toggled.connect(
            lambda on: actions.play.setIconText("\u25a0  Stop" if on else "\u25b6  Play")
        )
        self.loop = tool_button(actions.loop, "\u21bb  Loop")
        self.metronome = tool_button(actions.metronome, "Metronome")
        self.count_in = tool_button(actions.count_in, "Count-in")
        for widget in (self.record, self.play, self.loop):
            layout.addWidget(widget)
        self.full_only: list[QWidget] = []  # hidden in compact mode
        self.full_only.append(separator())
        layout.addWidget(self.full_only[-1])
        layout.addWidget(self.metronome)
        layout.addWidget(self.count_in)
        self.count_label = QLabel("")
        self.count_label.setMinimumWidth(32)  # "12" at 13 pt: the longest count-in
        self.count_label.setStyleSheet("color: #e5484d; font-weight: bold; font-size: 13pt;")
        layout.addWidget(self.count_label)
        self.full_only.append(separator())
        layout.addWidget(self.full_only[-1])

        self.tempo = QDoubleSpinBox()
        self.tempo.setRange(30.0, 300.0)
        self.tempo.setDecimals(0)
        self.tempo.setSuffix(" BPM")
        self.tempo.setKeyboardTracking(False)
        self.bars = QSpinBox()
        self.bars.setRange(1, NEW_BARS_MAX)
        self.bars.setSuffix(" bars")
        self.bars.setToolTip("How many bars to record; type or scroll")
        self.tempo.setToolTip("Tempo for recording and playback; type or scroll")
        for box in (self.tempo, self.bars):
            hide_spin_arrows(box)
            box.setAlignment(Qt.AlignCenter)
            box.setMinimumWidth(84)
            # after typing a value, Enter hands the keys back to the shortcuts
            box.editingFinished.connect(box.clearFocus)
        # The meter of a new melody (and of the one shown: changing it re-bars the notes).
        self.meter = QComboBox()
        self.meter.setToolTip("The meter: 6/8 counts two beats of three eighths")
        for numerator, denominator in NEW_MELODY_METERS:
            self.meter.addItem(f"{numerator}/{denominator}")
        self.meter.setCurrentIndex(NEW_MELODY_METERS.index((4, 4)))
        layout.addWidget(self.tempo)
        layout.addWidget(self.bars)
        layout.addWidget(self.meter)

        # the input and the clock: beside the rest, or on a row of their own
        self.input_row = QWidget()
        ports = QHBoxLayout(self.input_row)
        ports.setContentsMargins(0, 0, 0, 0)
        ports.setSpacing(6)
        self.input_separator = separator()
        ports.addWidget(self.input_separator)
        self.input = PortBox()
        # Room for "No MIDI keyboard" whole: at 1280 px the row was 70 px short and cut it
        # to "No MIDI keybo". A longer port name asks for its room (the row wraps when it
        # lacks it), and one longer than the room there is is cut in the middle.
        self.input.setMinimumWidth(self.input.fontMetrics().horizontalAdvance(NO_INPUT) + 44)
        self.input.set_tip("The MIDI keyboard to record from")
        self.input.addItem(NO_INPUT, "")
        self.input.currentIndexChanged.connect(
            lambda _i: self.input_chosen.emit(self.input.currentData() or "")
        )
        refresh = QToolButton(text="\u27f3")
        refresh.setToolTip("Look for MIDI keyboards again")
        refresh.setFocusPolicy(Qt.NoFocus)
        refresh.clicked.connect(self.refresh_requested)
        self.keyboard = tool_button(actions.computer_keyboard, "\u2328  Keys")
        ports.addWidget(QLabel("Input"))
        ports.addWidget(self.input, 1)
        ports.addWidget(refresh)
        ports.addWidget(self.keyboard)
        # Follow a DAW: its start, stop and continue drive Play (or a waiting take), and
        # its tempo (from the 24 clocks a beat) sets ours.
        self.clock = PortBox()
        self.clock.set_tip("Follow the MIDI clock a DAW sends to this port: start, stop, tempo")
        self.clock.addItem(OWN_CLOCK, "")
        self.clock.currentIndexChanged.connect(
            lambda _i: self.clock_chosen.emit(self.clock.currentData() or "")
        )
        self.clock_label = QLabel("")
        self.clock_label.setObjectName("clock")
        ports.addWidget(self.clock)
        ports.addWidget(self.clock_label)
        self.input_row.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.full_only += [
            self.metronome,
            self.count_in,
            self.count_label,
            self.tempo,
            self.bars,
            self.meter,
            self.input_row,
        ]
        self.one_row = True
        layout.addWidget(self.input_row, 1)
        self.first_row_end = QSpacerItem(0, 0, QSizePolicy.Expanding, QSizePolicy.Minimum)
        self.second_row.addStretch(1)
        self.stretch_in_compact = QWidget()  # keeps the buttons left when the rest is hidden
        layout.addWidget(self.stretch_in_compact, 0)
        self.stretch_in_compact.setVisible(False)

    @staticmethod
    def _room_needed(widget: QWidget) -> int:
        """The width a control needs for its text whole: a button or box its size hint,
        a spin box (which hints wider than its number) its minimum; at least the width
        reserved for it (the clock's words)."""
        if isinstance(widget, QAbstractSpinBox):
            return max(widget.minimumWidth(), widget.minimumSizeHint().width())
        return max(widget.minimumWidth(), widget.sizeHint().width())

    def _row_width(self, layout: QHBoxLayout, leave_out: QWidget | None = None) -> int:
        widgets = [
            item.widget()
            for item in (layout.itemAt(i) for i in range(layout.count()))
            if item.widget() is not None and item.widget() is not leave_out
        ]
        # the separator counts though a second row hides it: one row has it
        shown = [w for w in widgets if not w.isHidden() or w is self.input_separator]
        return sum(self._room_needed(w) for w in shown) + layout.spacing() * (len(shown) - 1)

    def one_row_width(self) -> int:
        """The width the whole bar needs on one row, every label whole."""
        margins = self.layout().contentsMargins()
        first = self._row_width(self.first_row, leave_out=self.input_row)
        ports = self._row_width(self.input_row.layout())
        return margins.left() + first + self.first_row.spacing() + ports + margins.right()

    def arrange(self, width: int | None = None) -> None:
        """One row, or the input and clock on a second row when one lacks the room."""
        width = self.width() if width is None else width
        one_row = self.input_row.isHidden() or width >= self.one_row_width()
        if one_row == self.one_row:
            return
        self.one_row = one_row
        if one_row:
            self.second_row.removeWidget(self.input_row)
            self.first_row.removeItem(self.first_row_end)
            self.first_row.insertWidget(self.first_row.indexOf(self.meter) + 1, self.input_row, 1)
        else:
            self.first_row.removeWidget(self.input_row)
            at = self.first_row.indexOf(self.meter) + 1
            self.first_row.insertItem(at, self.first_row_end)  # the buttons stay left
            self.first_row.setStretch(at, 1)
            self.second_row.insertWidget(0, self.input_row)  # its own width; the rest empty
        self.input_separator.setVisible(one_row)  # a row's start needs no separator
        # the window lays out again for the new height: from inside a resize it kept the
        # two rows' height under one row, an empty band above the melody
        self.layout().activate()
        self.updateGeometry()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.arrange(event.size().width())
        super().resizeEvent(event)

    def set_inputs(self, names: list[str], chosen: str) -> None:
        self.input.blockSignals(True)
        self.input.clear()
        self.input.addItem(NO_INPUT, "")
        for name in names:
            self.input.addItem(name, name)
            self.input.setItemData(self.input.count() - 1, name, Qt.ToolTipRole)
        index = self.input.findData(chosen)
        if chosen and index < 0:  # remembered but unplugged: keep it visible
            self.input.addItem(f"{chosen} (not connected)", chosen)
            index = self.input.count() - 1
        self.input.setCurrentIndex(max(0, index))
        self.input.blockSignals(False)
        self.input.current_changed()
        following = self.clock.currentData() or ""
        self.clock.blockSignals(True)
        self.clock.clear()
        self.clock.addItem(OWN_CLOCK, "")
        for name in names:
            self.clock.addItem(f"Clock: {name}", name)
        index = self.clock.findData(following)
        if following and index < 0:  # the DAW went away: keep it visible while followed
            self.clock.addItem(f"Clock: {following} (not connected)", following)
            index = self.clock.count() - 1
        self.clock.setCurrentIndex(max(0, index))
        self.clock.blockSignals(False)
        self.clock.current_changed()
        self.arrange()  # a longer name may need the second row

    def show_clock(self, text: str) -> None:
        """What the followed clock says ("DAW 98 BPM, playing"); "" when not following.
        While following, the label keeps the room of its widest words, so the rows change
        when following starts or ends, never with the tempo's digits."""
        self.clock_label.setText(text)
        self.clock_label.setMinimumWidth(widest_clock_pixels(self.clock_label) if text else 0)
        self.arrange()  # following may need the second row

    def show_bars(self, bars: int) -> None:
        """Show the melody's bars whole: a loaded tune longer than a new melody's range
        widens the box rather than being clipped to it."""
        self.bars.setMaximum(max(NEW_BARS_MAX, bars))
        self.bars.setValue(bars)

    def show_meter(self, signature: tuple[int, int]) -> None:
        """Show a piece's meter without emitting a change: the box offers a new melody's
        meters, and an opened tune's own (5/4) after them while it is shown (it stayed
        for good, and chosen after New the next start read it back as 4/4)."""
        self.meter.blockSignals(True)
        text = f"{signature[0]}/{signature[1]}"
        while self.meter.count() > len(NEW_MELODY_METERS):
            self.meter.removeItem(self.meter.count() - 1)
        index = self.meter.findText(text)
        if index < 0:
            self.meter.addItem(text)
            index = self.meter.count() - 1
        self.meter.setCurrentIndex(index)
        self.meter.blockSignals(False)

    def chosen_meter(self) -> tuple[int, int]:
        numerator, denominator = self.meter.currentText().split("/")
        return int(numerator), int(denominator)

    def show_count(self, text: str) -> None:
        self.count_label.setText(text)


class PickupBox(QComboBox):
    """Where the melody's first downbeat is: the document's pickup setting, offered as
    auto, none and every eighth under a bar of the meter in its own units ("1 eighth",
    "1 beat"). It sits in the melody panel's top row: at 1280 pixels the transport row
    beside the meter box has no room left (a box there elided Metronome and the clock)."""

    def __init__(self) -> None:
        super().__init__()
        self.setToolTip(
            "Pickup: how long the melody plays before its first downbeat, counted from "
            "its first note; auto finds it from the notes, none keeps the file's barlines"
        )
        self.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.show_pickup(PICKUP_AUTO, Meter(4, 4))

    def show_pickup(self, pickup: Pickup, meter: Meter, auto_found: str = "") -> None:
        """Offer the setting's choices under ``meter``, showing ``pickup``, without
        emitting a change; ``auto_found`` is what auto finds in the melody, in words
        ("found: 1 beat", "none found": ``bar_lines.Reading.auto_words``)."""
        self.blockSignals(True)
        self.clear()
        found = f" ({auto_found})" if auto_found else ""
        self.addItem(f"Pickup: {PICKUP_AUTO}{found}", PICKUP_AUTO)
        self.addItem(f"Pickup: {PICKUP_NONE}", PICKUP_NONE)
        lengths = list(range(2, meter.bar_steps, 2))
        if isinstance(pickup, int) and pickup not in lengths:
            lengths = sorted([*lengths, pickup])  # a sixteenth's, or over a bar of this meter
        for steps in lengths:
            self.addItem(f"Pickup: {pickup_words(steps, meter)}", steps)
        self.setCurrentIndex(max(0, self.findData(pickup)))
        self.blockSignals(False)

    def chosen(self) -> Pickup:
        return self.currentData()
