"""The main window's panels, built once: widgets only, no state and no decisions.

Top to bottom: the transport bar; the melody piano roll (with the melody-track choice
when a MIDI file has several tracks); beside each other the generate controls with the
ranked candidates, and the chosen candidate's roll with its track strips, the stale
warning and the output buttons; the on-screen piano. ``build_panels`` hangs every
widget the flows need on the window as an attribute.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from composer_gui.core.file_suffixes import READABLE_SUFFIXES
from composer_gui.paths import resource_path
from composer_gui.ui import settings
from composer_gui.ui.candidates import CandidatesPanel
from composer_gui.ui.chord_lane import ChordLane
from composer_gui.ui.drag_handle import DragHandle
from composer_gui.ui.keyboard import PianoWidget
from composer_gui.ui.piano_roll import ArrangementView, MelodyEditor
from composer_gui.ui.theme import hide_spin_arrows
from composer_gui.ui.tracks import TracksArea, TracksPanel
from composer_gui.ui.transport import PickupBox, TransportBar, tool_button

PRESET_FALLBACK = ("organ", "strings", "choir", "piano trio")
EMPTY_MELODY_TEXT = (
    "Record a melody (R), play it on the keys below, open a MIDI, ABC or MusicXML file "
    "(or drop one here), or pick a sample from File > Samples.\nClick in the grid to add "
    "notes; drag to move or resize them; right-click to delete."
)
STALE_TEXTS = {  # by what changed (Document.stale_change): the meter box's change was
    # called a change of the melody
    "melody": "The melody changed after these candidates were written for it.",
    "meter": "The meter changed after these candidates were written.",
    "pickup": "The pickup changed after these candidates were written.",
}


def panel(title: str) -> tuple[QFrame, QVBoxLayout, QHBoxLayout]:
    """A titled panel: its layout, and its title row, where the panel's first controls
    sit beside the title rather than on a row of their own (at 1024x600 the window's
    minimum height was 641 px; each row of its own cost the panels 20 px or more)."""
    frame = QFrame(objectName="panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(8, 6, 8, 8)
    layout.setSpacing(6)
    title_row = QHBoxLayout()
    title_row.addWidget(QLabel(title, objectName="panelTitle"))
    layout.addLayout(title_row)
    return frame, layout, title_row


PRESET_TIP = "Instruments of the accompaniment"
BAND_PRESET_TIP = (
    "A band style brings its own instruments: change them per track, in the strips "
    "under the chosen candidate"
)


def percent_slider(value: float, tip: str) -> QSlider:
    slider = QSlider(Qt.Horizontal)
    slider.setRange(0, 100)
    slider.setValue(round(value * 100))
    slider.setToolTip(tip)
    return slider


def preset_names() -> list[str]:
    try:
        from composer_gui.core.instruments import PRESETS
    except ImportError:
        return list(PRESET_FALLBACK)
    return list(PRESETS)


STYLE_TIP = "The style the accompaniment is written in: the chorale or a band"


def mark_style_box(box: QComboBox, styles: list, tune) -> None:
    """Grey out each style that never learnt a meter of ``tune`` (an ``Arrangement``:
    ``core.style_meters``), its tooltip the sentence saying why and who plays the tune;
    a greyed style cannot be chosen, and its name says the meter ("rock (not in 6/8)").
    One already chosen (a saved document's) stays shown so, the box's tooltip says the
    sentence, and Generate says it instead of generating. The item's data stays the
    style's name (``Style.shown``), which the document keeps."""
    from composer_gui.core.style_meters import meter_refusal, unlearnt

    model = box.model()
    current = ""
    for index, style in enumerate(styles[: box.count()]):
        refusal = meter_refusal(style, tune, styles)
        model.item(index).setEnabled(refusal is None)
        missing = ", ".join(str(m) for m in unlearnt(style, tune))
        box.setItemText(index, f"{style.shown} (not in {missing})" if missing else style.shown)
        tip = style.line() if refusal is None else f"{refusal}\n\n{style.line()}"
        box.setItemData(index, tip, Qt.ToolTipRole)
        if index == box.currentIndex() and refusal:
            current = refusal
    box.setToolTip(current or STYLE_TIP)


def fill_style_box(box: QComboBox, styles: list) -> None:
    """The styles (``core.styles.Style``) as items: the name shown (``Style.shown``,
    unique: "rock (my-model)" beside the shipped rock) and kept as data, the tracks and
    description as the item's tooltip."""
    box.blockSignals(True)
    box.clear()
    for style in styles:
        box.addItem(style.shown, style.shown)
        box.setItemData(box.count() - 1, style.line(), Qt.ToolTipRole)
    box.blockSignals(False)


def sample_melodies() -> list[Path]:
    folder = resource_path("melodies")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in READABLE_SUFFIXES)


def build_panels(w) -> None:
    """Create the window's widgets (``w`` is the MainWindow) and lay them out."""
    a = w.actions
    w.transport = TransportBar(a)

    w.melody_editor = MelodyEditor(w.document.set_melody)
    w.melody_editor.empty_text = EMPTY_MELODY_TEXT
    w.melody_panel, melody_layout, track_row = panel("Melody")
    track_row.addSpacing(12)
    w.melody_track_label = QLabel("Melody from track")
    w.melody_track_box = QComboBox()
    w.melody_track_box.setToolTip("Which track of the MIDI file is the melody")
    track_row.addWidget(w.melody_track_label)
    track_row.addWidget(w.melody_track_box)
    track_row.addStretch(1)
    w.pickup_box = PickupBox()  # the melody's own: where its first downbeat is
    track_row.addWidget(w.pickup_box)
    melody_layout.addWidget(w.melody_editor, 1)

    # generate controls and the ranked list
    w.generate_button = QPushButton("Generate", objectName="primary")
    w.generate_button.setToolTip(a.generate.toolTip())
    w.generate_button.setMinimumHeight(34)
    w.generate_button.clicked.connect(a.generate.trigger)
    w.progress = QProgressBar()
    w.progress.setRange(0, 100)
    w.progress.setVisible(False)
    w.cancel_button = QPushButton("Cancel")
    w.cancel_button.clicked.connect(a.cancel.trigger)
    w.cancel_button.setVisible(False)
    w.generate_panel, gen_layout, row = panel("Accompaniments")
    row.addSpacing(12)
    row.addWidget(w.generate_button, 1)
    row.addWidget(w.progress, 1)
    row.addWidget(w.cancel_button)
    w.density = percent_slider(settings.DENSITY.default, "Few notes (left) or many (right)")
    w.variety = percent_slider(
        settings.VARIETY.default, "Safe, similar candidates (left) or adventurous ones (right)"
    )
    w.preset = QComboBox()
    w.preset.addItems(preset_names())
    w.preset.setToolTip(PRESET_TIP)
    w.count = QSpinBox()
    w.count.setRange(1, 16)
    w.count.setToolTip("How many candidates to write at once")
    hide_spin_arrows(w.count)
    w.count.setAlignment(Qt.AlignCenter)
    w.count.setMinimumWidth(48)
    w.count.editingFinished.connect(w.count.clearFocus)
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    # density and variety share a row: one row less for the 1024x600 screen
    sliders = QHBoxLayout()
    sliders.addWidget(w.density, 1)
    sliders.addWidget(QLabel("Variety"))
    sliders.addWidget(w.variety, 1)
    form.addRow("Density", sliders)
    sounds = QHBoxLayout()
    sounds.addWidget(w.preset, 1)
    sounds.addWidget(QLabel("Candidates"))
    sounds.addWidget(w.count)
    w.style_box = QComboBox()
    w.style_box.setToolTip(STYLE_TIP)
    form.addRow("Style", w.style_box)
    form.addRow("Sound", sounds)
    w.candidates = CandidatesPanel()
    gen_layout.addLayout(form)
    gen_layout.addWidget(w.candidates, 1)

    # the chosen candidate, its tracks, the stale warning and the outputs
    w.arrangement_view = ArrangementView()
    w.arrangement_view.empty_text = "The chosen candidate appears here, one colour per track."
    w.tracks = TracksPanel()
    w.tracks_area = TracksArea(w.tracks)
    w.stale_label = QLabel(STALE_TEXTS["melody"], objectName="hint")
    w.stale_label.setWordWrap(True)
    w.regenerate_button = QPushButton("Generate Again")
    w.regenerate_button.clicked.connect(a.generate.trigger)
    w.drag_handle = DragHandle(w.export_arrangement, lambda: w.document.export_stem)
    w.daw_button = tool_button(a.send_to_daw, "\u21e2  Send to DAW")
    export_button = tool_button(a.export, "Export MIDI...")
    w.leave_compact_button = QPushButton("Full Window")
    w.leave_compact_button.setToolTip("Back to the full window with its menus")
    w.leave_compact_button.clicked.connect(lambda: a.compact.setChecked(False))
    w.leave_compact_button.setVisible(False)
    w.transport.first_row.addWidget(w.leave_compact_button)  # right of Rec, Play, Loop
    outputs = QHBoxLayout()
    outputs.addStretch(1)
    outputs.addWidget(w.daw_button)
    outputs.addWidget(export_button)
    outputs.addWidget(w.drag_handle)
    w.chord_lane = ChordLane(w.arrangement_view)
    w.candidate_panel, cand_layout, stale_row = panel("Chosen candidate")
    w.candidate_title = w.candidate_panel.findChild(QLabel, "panelTitle")
    stale_row.addSpacing(12)
    stale_row.addWidget(w.stale_label, 1)
    stale_row.addWidget(w.regenerate_button)
    roll = QVBoxLayout()
    roll.setSpacing(0)
    roll.addWidget(w.chord_lane)
    roll.addWidget(w.arrangement_view, 1)
    cand_layout.addLayout(roll, 1)
    cand_layout.addWidget(w.tracks_area)
    cand_layout.addLayout(outputs)

    w.piano = PianoWidget(low_pitch=48, octaves=3)

    lower = QSplitter(Qt.Horizontal)
    lower.addWidget(w.generate_panel)
    lower.addWidget(w.candidate_panel)
    lower.setStretchFactor(0, 0)
    lower.setStretchFactor(1, 1)
    lower.setSizes([400, 860])
    w.lower_splitter = lower
    vertical = QSplitter(Qt.Vertical)
    vertical.addWidget(w.melody_panel)
    vertical.addWidget(lower)
    vertical.setStretchFactor(0, 2)
    vertical.setStretchFactor(1, 3)
    vertical.setSizes([260, 400])
    w.vertical_splitter = vertical

    central = QWidget()
    layout = QVBoxLayout(central)
    # 6 and 2 px at the top and bottom, 4 between: 10 px less height, so that with a
    # take's stale row and a window manager's title bar (about 30 px) the window still
    # fits a 1024x600 screen (573 + 30 px was 3 px too tall)
    layout.setContentsMargins(8, 6, 8, 2)
    layout.setSpacing(4)
    layout.addWidget(w.transport)
    layout.addWidget(vertical, 1)
    layout.addWidget(w.piano)
    w.setCentralWidget(central)
    w.device_label = QLabel("Model not loaded yet")
    w.statusBar().addPermanentWidget(w.device_label)


def set_compact(w, on: bool) -> None:
    """A small always-on-top window: transport, generate, candidates and the outputs,
    with a Full Window button, since the menu bar is hidden."""
    for widget in (
        w.melody_panel,
        w.arrangement_view,
        w.chord_lane,
        w.tracks_area,
        w.piano,
        w.menuBar(),
        w.device_label,  # else the status bar cuts its messages short against it
        *w.transport.full_only,
    ):
        widget.setVisible(not on)
    w.leave_compact_button.setVisible(on)
    w.transport.stretch_in_compact.setVisible(on)
    w.transport.stretch_in_compact.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
    # the chosen candidate's panel keeps only its output buttons, under the list
    w.lower_splitter.setOrientation(Qt.Vertical if on else Qt.Horizontal)
    w.candidate_title.setText("Send or drag" if on else "Chosen candidate")
    w.lower_splitter.setSizes([1000, 1] if on else [400, 860])
    w.setWindowFlag(Qt.WindowStaysOnTopHint, on)
    if on:
        w._full_geometry = w.saveGeometry()
        w.setMinimumSize(380, 420)
        w.resize(440, 600)
    else:
        w.setMinimumSize(900, 0)  # 0: the height is the layout's minimum again
        if getattr(w, "_full_geometry", None) is not None:
            w.restoreGeometry(w._full_geometry)
    w.show()
