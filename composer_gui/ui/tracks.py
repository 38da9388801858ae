"""Per-track strips: colour, name, mute, solo, General MIDI instrument and volume.

The panel only shows and edits a list of ``TrackMix`` values; the main window turns them
into the synth's ``Mix`` and into the programs written to exported files.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QToolButton,
    QWidget,
)

from composer_gui.core.instruments import DRUM_KITS, GM_PROGRAM_NAMES, programs_by_family
from composer_gui.core.project import TrackMix
from composer_gui.ui import theme
from models.pianoroll import TRACKS


def instrument_box() -> QComboBox:
    """The 128 General MIDI instruments under their 16 family headings (Piano, Organ, ...).

    A heading is a bold row that cannot be chosen; each instrument row holds its program
    (0-127) as item data and reads "20  Church Organ", numbered as musicians count.
    """
    box = QComboBox()
    model = box.model()  # a QStandardItemModel for a plain combo box
    heading_font = box.font()
    heading_font.setBold(True)
    for family, programs in programs_by_family():
        box.addItem(family)
        heading = model.item(box.count() - 1)
        heading.setFlags(Qt.NoItemFlags)
        heading.setFont(heading_font)
        for program in programs:
            box.addItem(f"{program + 1}  {GM_PROGRAM_NAMES[program]}", program)
    box.setMaxVisibleItems(24)
    box.setCurrentIndex(box.findData(0))
    return box


def drum_kit_box() -> QComboBox:
    """The drum kits of a drums track (channel 10): programs of the GM percussion bank,
    General MIDI's Standard kit first; the other GS kits where the soundfont has them."""
    box = QComboBox()
    for program, name in DRUM_KITS:
        box.addItem(f"{program + 1}  {name}", program)
    box.setCurrentIndex(0)
    return box


class TrackStrip:
    """The widgets of one track's row (they live in the panel's grid)."""

    def __init__(self, panel: TracksPanel, index: int, name: str, is_drum: bool = False) -> None:
        self.index = index
        self.name = name
        swatch = QFrame()
        swatch.setFixedSize(10, 22)
        swatch.setStyleSheet(f"background: {theme.track_colour(index).name()}; border-radius: 2px;")
        self.swatch = swatch
        self.label = QLabel(name.capitalize())
        self.label.setMinimumWidth(52)
        self.mute = QToolButton(text="M", checkable=True, objectName="mute")
        self.mute.setToolTip(f"Mute the {name}")
        self.solo = QToolButton(text="S", checkable=True, objectName="solo")
        self.solo.setToolTip(f"Solo the {name}: hear only soloed tracks")
        self.is_drum = is_drum
        self.instrument = drum_kit_box() if is_drum else instrument_box()
        self.instrument.setMinimumContentsLength(16)
        self.instrument.setToolTip(f"General MIDI instrument of the {name}")
        self.volume = QSlider(Qt.Horizontal)
        self.volume.setRange(0, 127)
        self.volume.setValue(100)
        self.volume.setMinimumWidth(60)
        self.volume.setToolTip(f"Volume of the {name}")
        for widget in (self.mute, self.solo):
            widget.setFixedWidth(26)
            widget.toggled.connect(panel.emit_changed)
        # Only a row that is an instrument is a choice to pass on: a box emptied as its
        # window is destroyed reports index -1, a family heading has no program (a mix
        # read then had none: the window-states test met it as the window closed)
        self.instrument.currentIndexChanged.connect(
            lambda index: (
                panel.emit_changed() if self.instrument.itemData(index) is not None else None
            )
        )
        self.volume.valueChanged.connect(panel.emit_changed)

    def widgets(self) -> list[QWidget]:
        return [self.swatch, self.label, self.mute, self.solo, self.instrument, self.volume]

    def mix(self) -> TrackMix:
        chosen = self.instrument.currentData()  # None only while the box is emptied
        return TrackMix(
            program=int(chosen) if chosen is not None else 0,
            volume=self.volume.value() / 127,
            mute=self.mute.isChecked(),
            solo=self.solo.isChecked(),
        )

    def set_mix(self, mix: TrackMix) -> None:
        program = max(0, min(127, mix.program))
        found = self.instrument.findData(program)
        self.instrument.setCurrentIndex(found if found >= 0 else self.instrument.findData(0))
        self.volume.setValue(round(mix.volume * 127))
        self.mute.setChecked(mix.mute)
        self.solo.setChecked(mix.solo)


class TracksPanel(QWidget):
    """One strip per track: the melody, then the tracks the model writes (the window
    sets them from the document's ``track_names``: the chosen style's before any take,
    the take's after; ``set_tracks``); emits ``changed`` on any edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(4)
        self._grid.setColumnStretch(4, 3)
        self._grid.setColumnStretch(5, 1)
        self.strips: list[TrackStrip] = []
        self.set_tracks(list(TRACKS))

    def names(self) -> list[str]:
        return [strip.name for strip in self.strips]

    def set_tracks(self, names: list[str], drums: list[bool] | None = None) -> None:
        """A strip per name, in order (kept as they are when the names are the same); a
        drums track's strip offers drum kits."""
        drums = list(drums or []) + [False] * (len(names) - len(drums or []))
        if names == self.names() and drums == [s.is_drum for s in self.strips]:
            return
        for strip in self.strips:
            for widget in strip.widgets():
                self._grid.removeWidget(widget)
                widget.hide()  # deleted from the event loop: not painted until then
                widget.deleteLater()
        self.strips = [
            TrackStrip(self, index, name, drum)
            for index, (name, drum) in enumerate(zip(names, drums))
        ]
        for row, strip in enumerate(self.strips):
            for column, widget in enumerate(strip.widgets()):
                self._grid.addWidget(widget, row, column)
                widget.show()  # at once: the layout would show it from the event loop

    def emit_changed(self, *_args) -> None:
        if not self._quiet:
            self.changed.emit()

    def mixes(self) -> list[TrackMix]:
        return [strip.mix() for strip in self.strips]

    def set_mixes(self, mixes: list[TrackMix]) -> None:
        """Show these settings without emitting ``changed`` once per widget."""
        self._quiet = True
        try:
            for strip, mix in zip(self.strips, mixes, strict=False):
                strip.set_mix(mix)
        finally:
            self._quiet = False
        self.changed.emit()

    def set_programs(self, programs: list[int]) -> None:
        mixes = self.mixes()
        for mix, program in zip(mixes, programs, strict=False):
            mix.program = program
        self.set_mixes(mixes)

    def audible(self) -> list[bool]:
        """Which tracks sound under the current mute and solo buttons."""
        mixes = self.mixes()
        any_solo = any(m.solo for m in mixes)
        return [not m.mute and (m.solo or not any_solo) for m in mixes]


class TracksArea(QScrollArea):
    """The strips in a scroll area that asks for all of them but can make do with two.

    A band's five strips and the stale row asked for more height than a 1280x720 screen
    leaves the chosen candidate's panel, and Qt then laid the strips over the candidate
    roll (seen under Xvfb, session 14); now the strips scroll instead.
    """

    MIN_ROWS = 2

    def __init__(self, tracks: TracksPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(tracks)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setFocusPolicy(Qt.NoFocus)  # Tab goes through the strips, not the area
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.viewport().setAutoFillBackground(False)
        tracks.setAutoFillBackground(False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Every strip: the layout gives the area this much when there is room."""
        hint = self.widget().sizeHint()
        return QSize(hint.width(), hint.height() + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        strips = self.widget().strips[: self.MIN_ROWS]
        height = sum(max(w.sizeHint().height() for w in s.widgets()) for s in strips)
        spacing = self.widget().layout().verticalSpacing() * max(0, len(strips) - 1)
        return QSize(self.widget().minimumSizeHint().width(), height + spacing)
