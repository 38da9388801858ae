"""The main window: arranges the panels and starts operations; the work happens in core/.

Layout, top to bottom: the transport bar; the melody piano roll; beside each other the
generate controls with the ranked candidates, and the chosen candidate's multi-track roll
with its track strips and the output buttons; the on-screen piano. Generation runs on
the single worker of ``ui/workers.py``; playback and recording run on the core's own
threads. The project autosaves, and a leftover autosave at start means the last session
did not end cleanly, so the app offers to restore it.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from composer_gui import APP_NAME
from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import ComposerError
from composer_gui.core.project import (
    PROJECT_SUFFIX,
    Project,
    load_project,
    save_project,
)
from composer_gui.paths import resource_path
from composer_gui.ui import settings
from composer_gui.ui.actions import Actions
from composer_gui.ui.audition import Audition
from composer_gui.ui.candidates import CandidatesPanel
from composer_gui.ui.drag_handle import DragHandle
from composer_gui.ui.engine_process import EngineProcess
from composer_gui.ui.errors import show_error
from composer_gui.ui.keyboard import ComputerKeyboard, PianoWidget
from composer_gui.ui.piano_roll import ArrangementView, MelodyEditor
from composer_gui.ui.theme import hide_spin_arrows
from composer_gui.ui.tracks import TracksPanel
from composer_gui.ui.transport import TransportBar, tool_button
from composer_gui.ui.workers import LazyEngine, TaskRunner, generate_candidates
from models.pianoroll import BEATS_PER_BAR, MAX_BARS, TRACKS, Meter

log = logging.getLogger(__name__)

MIDI_SUFFIXES = (".mid", ".midi", ".smf")
AUTOSAVE_MS = 5000
PLAYHEAD_MS = 30
DEFAULT_PROGRAMS = (0, 19, 19, 19)  # piano melody, church organ accompaniment
PRESET_FALLBACK = ("organ", "strings", "choir", "piano trio")
NO_MELODY = "There is no melody yet: record one, open a MIDI file or pick a sample first."
EMPTY_MELODY_TEXT = (
    "Record a melody (R), play it on the keys below, open a MIDI file (or drop one here), "
    "or pick a sample from File > Samples.\nClick in the grid to add notes; drag to move or "
    "resize them; right-click to delete."
)


def panel(title: str, body: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame(objectName="panel")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(8, 6, 8, 8)
    layout.setSpacing(6)
    label = QLabel(title, objectName="panelTitle")
    layout.addWidget(label)
    if body is not None:
        layout.addWidget(body, 1)
    return frame, layout


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


def sample_melodies() -> list[Path]:
    folder = resource_path("melodies")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in MIDI_SUFFIXES)


class MainWindow(QMainWindow):
    generation_done = Signal()  # for tests and benchmarks: candidates are shown

    def __init__(self, data_dir: Path | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.setMinimumSize(900, 600)
        self.data_dir = Path(data_dir) if data_dir else self.default_data_dir()
        self.project = Project()
        self.project_path: Path | None = None
        self.time_signature: tuple[int, int] = (BEATS_PER_BAR, 4)
        self.meter_changes: list[tuple[float, tuple[int, int]]] = []  # an opened file's
        self.dirty = False
        self.last_error: str | None = None
        self.synth_problem_said = False
        self.take = None  # ui.take.Take while recording
        self.generate_job = None
        self.ask_before_closing = True  # tests turn the question off
        self.start_beat = 0.0  # where Play starts; a click in a ruler moves it
        self.undo_stack = QUndoStack(self)
        self.runner = TaskRunner(self)
        # the engine runs in a child process (no GIL shared with the window), except in a
        # frozen bundle, where spawning a child would start the app again
        self.engine = LazyEngine() if getattr(sys, "frozen", False) else EngineProcess()
        self.audition = Audition()
        self.actions = Actions(self)
        self.computer_keyboard = ComputerKeyboard(self)
        self._build_widgets()
        self._build_menus()
        self._connect()
        self.read_settings()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self.playhead_timer = QTimer(self)
        self.playhead_timer.setInterval(PLAYHEAD_MS)
        self.playhead_timer.timeout.connect(self._follow_playhead)
        self.update_title()
        self.update_enabled()
        self.melody_editor.setFocus()  # not a text field: letters stay shortcuts

    # ------------------------------------------------------------------ construction
    @staticmethod
    def default_data_dir() -> Path:
        from platformdirs import user_data_dir

        return Path(user_data_dir(APP_NAME, appauthor=False))

    @property
    def autosave_path(self) -> Path:
        return self.data_dir / f"autosave{PROJECT_SUFFIX}"

    def _build_widgets(self) -> None:
        a = self.actions
        self.transport = TransportBar(a)

        self.melody_editor = MelodyEditor(self.undo_stack)
        self.melody_editor.empty_text = EMPTY_MELODY_TEXT
        self.melody_panel, melody_layout = panel("Melody", self.melody_editor)

        # generate controls and the ranked list
        self.generate_button = QPushButton("Generate", objectName="primary")
        self.generate_button.setToolTip(a.generate.toolTip())
        self.generate_button.setMinimumHeight(34)
        self.generate_button.clicked.connect(a.generate.trigger)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(a.cancel.trigger)
        self.cancel_button.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.generate_button, 1)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        self.density = percent_slider(settings.DENSITY.default, "Few notes (left) or many (right)")
        self.variety = percent_slider(
            settings.VARIETY.default, "Safe, similar candidates (left) or adventurous ones (right)"
        )
        self.preset = QComboBox()
        self.preset.addItems(preset_names())
        self.preset.setToolTip("Instruments of the accompaniment")
        self.count = QSpinBox()
        self.count.setRange(1, 16)
        self.count.setToolTip("How many candidates to write at once")
        hide_spin_arrows(self.count)
        self.count.setAlignment(Qt.AlignCenter)
        self.count.setMinimumWidth(48)
        self.count.editingFinished.connect(self.count.clearFocus)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Density", self.density)
        form.addRow("Variety", self.variety)
        sounds = QHBoxLayout()
        sounds.addWidget(self.preset, 1)
        sounds.addWidget(QLabel("Candidates"))
        sounds.addWidget(self.count)
        form.addRow("Sound", sounds)
        self.candidates = CandidatesPanel()
        self.generate_panel, gen_layout = panel("Accompaniments")
        gen_layout.addLayout(row)
        gen_layout.addLayout(form)
        gen_layout.addWidget(self.candidates, 1)

        # the chosen candidate, its tracks and the outputs
        self.arrangement_view = ArrangementView()
        self.arrangement_view.empty_text = (
            "The chosen candidate appears here, one colour per track."
        )
        self.tracks = TracksPanel()
        self.drag_handle = DragHandle(self.export_arrangement)
        self.daw_button = tool_button(a.send_to_daw, "\u21e2  Send to DAW")
        export_button = tool_button(a.export, "Export MIDI...")
        outputs = QHBoxLayout()
        outputs.addStretch(1)
        outputs.addWidget(self.daw_button)
        outputs.addWidget(export_button)
        outputs.addWidget(self.drag_handle)
        self.candidate_panel, cand_layout = panel("Chosen candidate", self.arrangement_view)
        self.candidate_title = self.candidate_panel.findChild(QLabel, "panelTitle")
        cand_layout.addWidget(self.tracks)
        cand_layout.addLayout(outputs)

        self.piano = PianoWidget(low_pitch=48, octaves=3)

        lower = QSplitter(Qt.Horizontal)
        lower.addWidget(self.generate_panel)
        lower.addWidget(self.candidate_panel)
        lower.setStretchFactor(0, 0)
        lower.setStretchFactor(1, 1)
        lower.setSizes([400, 860])
        self.lower_splitter = lower
        vertical = QSplitter(Qt.Vertical)
        vertical.addWidget(self.melody_panel)
        vertical.addWidget(lower)
        vertical.setStretchFactor(0, 2)
        vertical.setStretchFactor(1, 3)
        vertical.setSizes([260, 400])
        self.vertical_splitter = vertical

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.transport)
        layout.addWidget(vertical, 1)
        layout.addWidget(self.piano)
        self.setCentralWidget(central)
        self.device_label = QLabel("Model not loaded yet")
        self.statusBar().addPermanentWidget(self.device_label)

    def _build_menus(self) -> None:
        a = self.actions
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([a.new, a.open])
        self.samples_menu = file_menu.addMenu("Sa&mples")
        self.samples_menu.aboutToShow.connect(self._fill_samples_menu)
        self._fill_samples_menu()
        file_menu.addSeparator()
        file_menu.addActions([a.save, a.save_as, a.export])
        file_menu.addSeparator()
        file_menu.addAction(a.preferences)
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addAction(a.clear_melody)
        transport = bar.addMenu("&Transport")
        transport.addActions(
            [a.play, a.record, a.loop, a.metronome, a.count_in, a.computer_keyboard, a.send_to_daw]
        )
        generate = bar.addMenu("&Generate")
        generate.addActions([a.generate, a.cancel])
        generate.addSeparator()
        generate.addActions(a.pick)
        view = bar.addMenu("&View")
        view.addAction(a.compact)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([a.open_log_folder, a.about])
        # shortcuts must work even when the menu bar is hidden (compact mode)
        self.addActions(
            [
                self.undo_action,
                self.redo_action,
                *a.pick,
                a.play,
                a.record,
                a.generate,
                a.cancel,
                a.loop,
                a.export,
                a.computer_keyboard,
                a.send_to_daw,
                a.compact,
            ]
        )

    def _fill_samples_menu(self) -> None:
        self.samples_menu.clear()
        samples = sample_melodies()
        for path in samples:
            action = self.samples_menu.addAction(path.stem.replace("_", " ").title())
            action.triggered.connect(lambda _checked=False, p=path: self.open_file(p))
        if not samples:
            self.samples_menu.addAction("No sample melodies installed").setEnabled(False)

    def _connect(self) -> None:
        a = self.actions
        a.new.triggered.connect(self.new_project)
        a.open.triggered.connect(self.choose_and_open)
        a.save.triggered.connect(self.save)
        a.save_as.triggered.connect(self.save_as)
        a.export.triggered.connect(self.choose_and_export)
        a.preferences.triggered.connect(self.show_preferences)
        a.quit.triggered.connect(self.close)
        a.play.toggled.connect(self.set_playing)
        a.record.toggled.connect(self.set_recording)
        a.loop.toggled.connect(self._loop_changed)
        a.send_to_daw.toggled.connect(self.set_sending_to_daw)
        a.generate.triggered.connect(self.generate)
        a.cancel.triggered.connect(self.cancel_generation)
        for number, action in enumerate(a.pick):
            action.triggered.connect(lambda _checked=False, n=number: self.candidates.select(n))
        a.clear_melody.triggered.connect(
            lambda: (
                self.melody_editor.edit([], "Clear melody") if self.melody_editor.notes else None
            )
        )
        a.compact.toggled.connect(self.set_compact)
        a.computer_keyboard.toggled.connect(self.computer_keyboard.set_enabled)
        a.open_log_folder.triggered.connect(self.open_log_folder)
        a.about.triggered.connect(self.show_about)
        QApplication.instance().installEventFilter(self.computer_keyboard)
        self.computer_keyboard.note_on.connect(self.play_note)
        self.computer_keyboard.note_off.connect(self.release_note)
        self.computer_keyboard.octave_changed.connect(self.piano.set_marked_base)
        a.computer_keyboard.toggled.connect(
            lambda on: self.piano.set_marked_base(self.computer_keyboard.base_pitch if on else None)
        )
        self.piano.note_on.connect(self.play_note)
        self.piano.note_off.connect(self.release_note)
        self.runner.busy_changed.connect(self._busy_changed)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.melody_editor.notes_changed.connect(self._melody_changed)
        self.candidates.chosen.connect(self.choose_candidate)
        self.melody_editor.seek_requested.connect(self.seek)
        self.arrangement_view.seek_requested.connect(self.seek)
        self.tracks.changed.connect(self._mix_changed)
        self.transport.tempo.valueChanged.connect(self._tempo_changed)
        self.transport.bars.valueChanged.connect(self._bars_changed)
        self.transport.meter.currentIndexChanged.connect(self._meter_changed)
        self.transport.input_chosen.connect(lambda name: settings.put(settings.MIDI_INPUT, name))
        self.transport.refresh_requested.connect(self.refresh_inputs)
        self.preset.currentTextChanged.connect(self._preset_changed)
        self.drag_handle.failed.connect(self.report_error)

    # ------------------------------------------------------------------ settings
    def read_settings(self) -> None:
        geometry = settings.get(settings.GEOMETRY)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.transport.tempo.setValue(settings.get(settings.TEMPO_BPM))
        self.transport.bars.setValue(settings.get(settings.BARS))
        self.actions.metronome.setChecked(settings.get(settings.METRONOME))
        self.actions.count_in.setChecked(settings.get(settings.COUNT_IN))
        self.density.setValue(round(settings.get(settings.DENSITY) * 100))
        self.variety.setValue(round(settings.get(settings.VARIETY) * 100))
        self.count.setValue(settings.get(settings.CANDIDATE_COUNT))
        self.preset.blockSignals(True)
        self.preset.setCurrentText(settings.get(settings.PRESET))
        self.preset.blockSignals(False)
        self.tracks.set_programs(self.preset_programs(self.preset.currentText()))
        self.apply_output_settings()
        self.transport.set_inputs([], settings.get(settings.MIDI_INPUT))

    def write_settings(self) -> None:
        settings.put(settings.GEOMETRY, self.saveGeometry())
        settings.put(settings.TEMPO_BPM, self.transport.tempo.value())
        settings.put(settings.BARS, self.transport.bars.value())
        settings.put(settings.METRONOME, self.actions.metronome.isChecked())
        settings.put(settings.COUNT_IN, self.actions.count_in.isChecked())
        settings.put(settings.DENSITY, self.density.value() / 100)
        settings.put(settings.VARIETY, self.variety.value() / 100)
        settings.put(settings.CANDIDATE_COUNT, self.count.value())
        settings.put(settings.PRESET, self.preset.currentText())

    def apply_output_settings(self) -> None:
        self.audition.configure(
            settings.get(settings.MIDI_OUTPUT),
            settings.get(settings.MIDI_API),
            settings.get(settings.SOUNDFONT),
            settings.get(settings.AUDIO_DRIVER),
        )
        self.engine.configure(
            settings.get(settings.MODEL_FILE), settings.get(settings.COMPUTE_DEVICE)
        )

    def refresh_inputs(self) -> None:
        """List MIDI keyboards (after the window shows: the MIDI system can be slow)."""
        from composer_gui.ui.preferences import midi_port_lists

        _apis, inputs, _outputs, problem = midi_port_lists(settings.get(settings.MIDI_API))
        self.transport.set_inputs(inputs, settings.get(settings.MIDI_INPUT))
        if problem:
            self.statusBar().showMessage(problem, 8000)

    def preset_programs(self, preset: str) -> list[int]:
        """GM programs per track for a preset; the melody keeps its own instrument."""
        try:
            from composer_gui.core.instruments import PRESETS

            programs = list(PRESETS[preset])
        except (ImportError, KeyError, TypeError):
            return list(DEFAULT_PROGRAMS)
        melody = self.tracks.mixes()[0].program if hasattr(self, "tracks") else 0
        if len(programs) == len(TRACKS) - 1:
            programs = [melody] + programs
        return [int(p) for p in programs][: len(TRACKS)]

    # ------------------------------------------------------------------ state
    def melody_arrangement(self) -> Arrangement | None:
        notes = self.melody_editor.notes
        if not notes:
            return None
        program = self.tracks.mixes()[0].program
        return Arrangement(
            [Track("melody", list(notes), program=program, channel=0)],
            tempo_bpm=self.transport.tempo.value(),
            time_signature=self.time_signature,
            meter_changes=list(self.meter_changes),
        )

    def picked(self) -> Any | None:
        return self.project.picked

    def heard_arrangement(self) -> Arrangement | None:
        """What Play sounds: the chosen candidate with the instruments shown, or the melody."""
        candidate = self.picked()
        if candidate is None:
            return self.melody_arrangement()
        source: Arrangement = candidate.arrangement
        mixes = self.tracks.mixes()
        tracks = [
            Track(
                t.name,
                list(t.notes),
                program=mixes[i].program if i < len(mixes) else t.program,
                channel=t.channel,
                is_drum=t.is_drum,
            )
            for i, t in enumerate(source.tracks)
        ]
        return Arrangement(
            tracks, tempo_bpm=self.transport.tempo.value(), time_signature=source.time_signature
        )

    def export_arrangement(self) -> Arrangement | None:
        """What export and drag write: the tracks you hear (muted ones left out)."""
        heard = self.heard_arrangement()
        if heard is None:
            return None
        audible = self.tracks.audible()
        tracks = [t for i, t in enumerate(heard.tracks) if i >= len(audible) or audible[i]]
        if not tracks:
            return None
        return Arrangement(tracks, tempo_bpm=heard.tempo_bpm, time_signature=heard.time_signature)

    def synth_mix(self):
        from composer_gui.core.synth import Mix

        mixes = self.tracks.mixes()
        return Mix(
            muted=frozenset(i for i, m in enumerate(mixes) if m.mute),
            soloed=frozenset(i for i, m in enumerate(mixes) if m.solo),
            volumes={i: round(m.volume * 127) for i, m in enumerate(mixes)},
        )

    def mark_dirty(self) -> None:
        self.dirty = True
        self.update_title()

    def update_title(self) -> None:
        name = self.project_path.stem if self.project_path else "Untitled"
        changed = self.dirty or not self.undo_stack.isClean()
        self.setWindowTitle(f"{name}{' *' if changed else ''} \u2014 {APP_NAME}")

    def _busy_changed(self, _busy: bool) -> None:
        self.update_enabled()

    def _clean_changed(self, _clean: bool) -> None:
        self.update_title()

    def update_enabled(self) -> None:
        busy = self.runner.busy and self.generate_job is not None
        has_melody = bool(self.melody_editor.notes)
        self.actions.generate.setEnabled(not busy and self.take is None)
        self.generate_button.setEnabled(not busy and self.take is None and has_melody)
        self.generate_button.setVisible(not busy)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.actions.cancel.setEnabled(busy)
        has_music = has_melody or self.picked() is not None
        self.actions.export.setEnabled(has_music)
        self.drag_handle.setEnabled(has_music)
        self.actions.send_to_daw.setEnabled(has_music or self.actions.send_to_daw.isChecked())

    def _melody_changed(self) -> None:
        self.project.melody = self.melody_arrangement()
        meter = Meter.of(self.time_signature)
        bars = max(1, round(self.melody_editor.length_beats / meter.bar_beats))
        if self.arrangement_view.arrangement is None:  # the empty view spans the melody
            self.arrangement_view.set_length(self.melody_editor.length_beats, meter)
        if bars != self.transport.bars.value() and self.melody_editor.notes:
            self.transport.bars.blockSignals(True)
            self.transport.bars.setValue(min(MAX_BARS, bars))
            self.transport.bars.blockSignals(False)
        self.mark_dirty()
        self.update_enabled()

    def _tempo_changed(self, bpm: float) -> None:
        self.project.tempo_bpm = bpm
        self.mark_dirty()
        if self.actions.play.isChecked():  # go on from the same beat at the new tempo
            self.start_playback(self.audition.position_beats())

    def _bars_changed(self, bars: int) -> None:
        self.project.bars = bars
        end = max((n.end_beat for n in self.melody_editor.notes), default=0.0)
        meter = Meter.of(self.time_signature)
        self.melody_editor.set_length(max(end, bars * meter.bar_beats), meter)

    def _meter_changed(self, _index: int) -> None:
        """The meter box: a new melody's meter; notes already there keep their beats."""
        self.time_signature = self.transport.chosen_meter()
        self.meter_changes = []  # one meter throughout, as chosen
        self._bars_changed(self.transport.bars.value())
        self._melody_changed()

    def _preset_changed(self, preset: str) -> None:
        self.tracks.set_programs(self.preset_programs(preset))

    def _mix_changed(self) -> None:
        self.project.mix = self.tracks.mixes()
        self.arrangement_view.set_audible(self.tracks.audible())
        if self.audition.is_playing:
            self.audition.set_mix(self.synth_mix())
        self.mark_dirty()

    def _loop_changed(self, _on: bool) -> None:
        if self.actions.play.isChecked():  # restart so the new mode takes effect
            self.set_playing(False)
            self.set_playing(True)

    # ------------------------------------------------------------------ generating
    def generate(self) -> None:
        if self.runner.busy and self.generate_job is not None:
            return
        melody = self.melody_arrangement()
        if melody is None:
            self.report_error(NO_MELODY)
            return
        allow_long = None  # any length is accompanied whole (in sections past MAX_BARS)
        self.progress.setValue(0)
        self.statusBar().showMessage("Writing accompaniments...")
        self.generate_job = self.runner.run(
            generate_candidates,
            self.engine,
            melody,
            self.count.value(),
            self.density.value() / 100,
            self.variety.value() / 100,
            self.preset.currentText(),
            allow_long=allow_long,
            on_done=self._generated,
            on_error=self._generation_failed,
            on_progress=lambda f: self.progress.setValue(round(100 * f)),
        )
        self.update_enabled()

    def cancel_generation(self) -> None:
        if self.generate_job is not None:
            self.generate_job.cancel()
            self.statusBar().showMessage("Generation cancelled.", 4000)
            self.generate_job = None
            self.update_enabled()

    def _generated(self, candidates: list) -> None:
        job, self.generate_job = self.generate_job, None
        self.update_enabled()
        if job is None or job.cancelled or not candidates:
            return
        engine = self.engine.engine
        if engine is not None:
            self.device_label.setText(f"Model on {engine.device_name}")
        first = not self.project.generations
        self.project.generations.append(list(candidates))
        if first:  # the preset's instruments, as the engine wrote them
            programs = [t.program for t in candidates[0].arrangement.tracks]
            programs[0] = self.tracks.mixes()[0].program
            self.tracks.set_programs(programs)
        self.candidates.add_generation(list(candidates))
        self.statusBar().showMessage(
            f"{len(candidates)} accompaniments, best first. Press 1-{min(9, len(candidates))}"
            " to hear them.",
            6000,
        )
        self.mark_dirty()
        self.generation_done.emit()

    def _generation_failed(self, message: str) -> None:
        job, self.generate_job = self.generate_job, None
        self.update_enabled()
        self.statusBar().clearMessage()
        if job is not None and not job.cancelled:
            self.report_error(message)

    def warm_up_engine(self) -> None:
        """Load the model in the background so the first Generate is quick."""
        self.runner.run(
            self.engine.get,
            on_done=self._engine_ready,
            on_error=lambda message: self.device_label.setText("Model not loaded: " + message),
        )

    def _engine_ready(self, engine) -> None:
        log.info("Model ready on %s", engine.device_name)
        self.device_label.setText(f"Model ready on {engine.device_name}")

    def choose_candidate(self, generation: int, index: int) -> None:
        if index < 0:
            return
        self.project.pick = (generation, index)
        candidate = self.picked()
        self.arrangement_view.set_arrangement(candidate.arrangement, self.tracks.audible())
        self.update_enabled()
        self.mark_dirty()
        if self.actions.play.isChecked():  # audition the new choice from where we are
            position = self.audition.position_beats()
            self.start_playback(position)

    # ------------------------------------------------------------------ playing
    def seek(self, beat: float) -> None:
        """A click in a ruler: play from there (now, if playing; else at the next Play)."""
        self.start_beat = beat
        if self.actions.play.isChecked():
            self.start_playback(beat)
        else:
            self.melody_editor.set_playhead(beat)
            self.arrangement_view.set_playhead(beat)

    def set_playing(self, on: bool) -> None:
        if on:
            if self.take is not None:
                self.actions.play.setChecked(False)
                return
            self.start_playback(self.start_beat)
        else:
            self.audition.stop()
            self.playhead_timer.stop()
            marker = self.start_beat or None  # back to where Play starts, as in a DAW
            self.melody_editor.set_playhead(marker)
            self.arrangement_view.set_playhead(marker)

    def start_playback(self, start_beat: float = 0.0, to_daw: bool = False) -> bool:
        arrangement = self.heard_arrangement()
        if arrangement is None:
            self.statusBar().showMessage("Nothing to play yet: record or open a melody.", 5000)
            self.actions.play.setChecked(False)
            return False
        try:
            self.audition.play(
                arrangement,
                self.synth_mix(),
                start_beat=start_beat,
                loop=self.actions.loop.isChecked(),
                to_daw=to_daw,
            )
        except ComposerError as error:
            self._sound_problem(str(error))
            self.actions.play.setChecked(False)
            return False
        self.playhead_timer.start()
        return True

    def set_sending_to_daw(self, on: bool) -> None:
        if on:
            self.actions.play.setChecked(False)
            if self.start_playback(0.0, to_daw=True):
                self.statusBar().showMessage(
                    "Playing into the MIDI port 'Composer': arm a track in your DAW to record."
                )
            else:
                self.actions.send_to_daw.setChecked(False)
        else:
            self.audition.stop()
            self.playhead_timer.stop()

    def open_daw_port(self) -> None:
        """Create the 'Composer' MIDI port at start, so a DAW can connect to it before playing."""
        try:
            name = self.audition.open_daw_port()
        except ComposerError as error:
            log.warning("No virtual MIDI port: %s", error)
            self.actions.send_to_daw.setToolTip(str(error))
            return
        log.info("Virtual MIDI port '%s' is open for DAWs", name)

    def _sound_problem(self, message: str) -> None:
        """Say once that there is no sound; later it only goes to the status bar."""
        self.statusBar().showMessage(message, 8000)
        if not self.synth_problem_said:
            self.synth_problem_said = True
            self.report_error(message)

    def _follow_playhead(self) -> None:
        if self.take is not None:
            return
        beats = self.audition.position_beats()
        self.melody_editor.set_playhead(beats)
        self.arrangement_view.set_playhead(beats)
        if not self.audition.is_playing:
            self.actions.play.setChecked(False)
            self.actions.send_to_daw.setChecked(False)

    def play_note(self, pitch: int, velocity: int) -> None:
        """A note from the letter keys or the on-screen piano: light, record, sound it."""
        import mido

        self.piano.set_lit(pitch, True)
        if self.take is not None:
            self.take.note_on(pitch, velocity)
        self.audition.send_live(mido.Message("note_on", note=pitch, velocity=velocity))

    def release_note(self, pitch: int) -> None:
        import mido

        self.piano.set_lit(pitch, False)
        if self.take is not None:
            self.take.note_off(pitch)
        self.audition.send_live(mido.Message("note_off", note=pitch))

    # ------------------------------------------------------------------ recording
    def set_recording(self, on: bool) -> None:
        if not on:
            if self.take is not None:
                self.take.stop()
            return
        from composer_gui.core.recording import RecordingSetup
        from composer_gui.ui.take import Take

        self.actions.play.setChecked(False)
        setup = RecordingSetup(
            tempo_bpm=self.transport.tempo.value(),
            bars=self.transport.bars.value(),
            time_signature=self.time_signature,
            count_in_bars=1 if self.actions.count_in.isChecked() else 0,
        )
        clicks = self._start_clicks if self.actions.metronome.isChecked() else None
        self.take = Take(
            setup,
            settings.get(settings.MIDI_INPUT),
            settings.get(settings.MIDI_API) or None,
            start_clicks=clicks,
            thru=self.audition.send_live if settings.get(settings.MIDI_THRU) else None,
            parent=self,
        )
        self.take.counting.connect(self.transport.show_count)
        self.take.position.connect(self._recording_position)
        self.take.finished.connect(self._take_finished)
        self.melody_editor.set_length(setup.length_beats, Meter.of(self.time_signature))
        try:
            self.take.start()
        except ComposerError as error:
            self.take = None
            self.actions.record.setChecked(False)
            self.report_error(str(error))
            return
        self.update_enabled()
        self.statusBar().showMessage("Recording: play your melody after the count-in.")

    def _start_clicks(self, setup) -> float | None:
        """Start the metronome; returns the perf_counter moment of its first click.

        Through the chosen MIDI output when there is one (a Player of the click schedule),
        else through the built-in synth as a drum track of wood-block clicks.
        """
        from composer_gui.core.recording import click_schedule

        schedule = click_schedule(setup)
        if self.audition.output_name:
            return self.audition.play_schedule(schedule)
        notes: list[Note] = []
        starts = {}
        for event in schedule.events:
            message = event.message
            if message.type == "note_on":
                starts[message.note] = (event.beat, message.velocity)
            elif message.note in starts:
                beat, velocity = starts.pop(message.note)
                notes.append(Note(message.note, beat, event.beat - beat, velocity))
        clicks = Arrangement(
            [Track("click", notes, channel=9, is_drum=True)],
            tempo_bpm=setup.tempo_bpm,
            time_signature=setup.time_signature,
        )
        synth = self.audition.synth()
        if synth is None:
            self._sound_problem(self.audition.problem or "The metronome cannot sound.")
            return None
        started = time.perf_counter()
        synth.play(clicks)
        return started

    def _recording_position(self, beats: float) -> None:
        self.melody_editor.set_playhead(max(0.0, beats))

    def _take_finished(self, take: Arrangement) -> None:
        self.take = None
        self.audition.stop()
        self.actions.record.blockSignals(True)
        self.actions.record.setChecked(False)
        self.actions.record.blockSignals(False)
        self.melody_editor.set_playhead(None)
        notes = take.tracks[0].notes
        if notes:
            self.melody_editor.edit(list(notes), "Record take")
            self.melody_editor.fit_pitches([n.pitch for n in notes])
            self.statusBar().showMessage(
                f"Recorded {len(notes)} notes. Press G to write accompaniments.", 6000
            )
        else:
            self.statusBar().showMessage("No notes were played during the take.", 6000)
        self.update_enabled()

    # ------------------------------------------------------------------ files
    def new_project(self) -> None:
        self.actions.play.setChecked(False)
        self.apply_project(Project(tempo_bpm=self.transport.tempo.value()), None)

    def choose_and_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open a melody or a project",
            settings.get(settings.LAST_FOLDER),
            f"Melodies and projects (*.mid *.midi *{PROJECT_SUFFIX});;All files (*)",
        )
        if path:
            settings.put(settings.LAST_FOLDER, str(Path(path).parent))
            self.open_file(Path(path))

    def open_file(self, path: Path) -> bool:
        """Open a .mid as the melody, or a .composer project; errors go to a dialog."""
        path = Path(path)
        self.reading_note = ""  # how the melody was read, said beside "Opened"
        try:
            if path.suffix.lower() == PROJECT_SUFFIX:
                self.apply_project(load_project(path), path)
            else:
                self.open_melody(path)
        except ComposerError as error:
            self.report_error(str(error))
            return False
        note = self.reading_note
        self.statusBar().showMessage(f"Opened {path.name}. {note}".strip(), 15000 if note else 5000)
        return True

    def open_melody(self, path: Path) -> None:
        from composer_gui.core.midi_file import read_melody

        melody = read_melody(path)
        self.actions.play.setChecked(False)
        self.start_beat = 0.0
        self.time_signature = tuple(melody.time_signature)
        self.meter_changes = list(melody.meter_changes)
        self.transport.show_meter(self.time_signature)
        self.transport.tempo.setValue(melody.tempo_bpm)
        notes = melody.tracks[0].notes
        self.melody_editor.set_notes(list(notes), meter=Meter.of(self.time_signature))
        bars = melody.bar_count()
        self.transport.bars.setValue(min(MAX_BARS, bars))
        self.undo_stack.clear()
        self.project.generations = []
        self.project.pick = None
        self.candidates.set_generations([])
        self.arrangement_view.set_arrangement(None)
        from composer_gui.core.melody_grid import melody_warnings, unsupported_meter_message

        unsupported = [meter for meter in melody.meters() if not meter.accompanied]
        if unsupported:  # said when it opens, not at Generate
            self.report_error(unsupported_meter_message(unsupported[0]))
        else:  # chords read as their top line, a far register
            self.reading_note = " ".join(melody_warnings(melody))

    def apply_project(self, project: Project, path: Path | None) -> None:
        self.actions.play.setChecked(False)
        self.start_beat = 0.0
        self.project = project
        self.project_path = path
        melody = project.melody
        self.time_signature = tuple(melody.time_signature) if melody else (BEATS_PER_BAR, 4)
        self.meter_changes = list(melody.meter_changes) if melody else []
        self.transport.show_meter(self.time_signature)
        self.transport.tempo.setValue(project.tempo_bpm)
        self.transport.bars.setValue(project.bars)
        self.density.setValue(round(project.density * 100))
        self.variety.setValue(round(project.variety * 100))
        self.preset.blockSignals(True)
        self.preset.setCurrentText(project.preset)
        self.preset.blockSignals(False)
        self.melody_editor.set_notes(
            list(melody.tracks[0].notes) if melody else [],
            project.bars * Meter.of(self.time_signature).bar_beats,
            Meter.of(self.time_signature),
        )
        if project.mix:
            self.tracks.set_mixes(project.mix)
        pick = project.pick
        self.candidates.set_generations(
            project.generations, pick[0] if pick else None, pick[1] if pick else None
        )
        if pick is None:
            self.arrangement_view.set_arrangement(None)
        self.project.pick = pick
        self.undo_stack.clear()
        self.dirty = False
        self.update_title()
        self.update_enabled()

    def current_project(self) -> Project:
        p = self.project
        p.melody = self.melody_arrangement()
        p.mix = self.tracks.mixes()
        p.tempo_bpm = self.transport.tempo.value()
        p.bars = self.transport.bars.value()
        p.preset = self.preset.currentText()
        p.density = self.density.value() / 100
        p.variety = self.variety.value() / 100
        return p

    def save(self) -> bool:
        if self.project_path is None:
            return self.save_as()
        return self.save_to(self.project_path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the project",
            str(Path(settings.get(settings.LAST_FOLDER)) / "Untitled"),
            f"Composer projects (*{PROJECT_SUFFIX})",
        )
        return bool(path) and self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:
            self.project_path = save_project(self.current_project(), path)
        except OSError as error:
            self.report_error(
                f"The project could not be saved ({error.strerror}); choose another folder."
            )
            return False
        self.undo_stack.setClean()
        self.dirty = False
        self.update_title()
        self.statusBar().showMessage(f"Saved {self.project_path.name}.", 4000)
        return True

    def choose_and_export(self) -> None:
        if self.export_arrangement() is None:
            self.report_error("There is nothing to export yet: record or open a melody first.")
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export MIDI",
            str(Path(settings.get(settings.LAST_FOLDER)) / "Composer.mid"),
            "MIDI files (*.mid)",
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        from composer_gui.core.midi_file import write_arrangement

        arrangement = self.export_arrangement()
        if arrangement is None:
            self.report_error("There is nothing to export yet: record or open a melody first.")
            return False
        if path.suffix.lower() not in MIDI_SUFFIXES:
            path = path.with_name(path.name + ".mid")
        try:
            write_arrangement(arrangement, path)
        except (OSError, ComposerError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            self.report_error(
                f"The MIDI file could not be written ({reason}); choose another folder."
            )
            return False
        self.statusBar().showMessage(f"Exported {path.name}.", 5000)
        return True

    def autosave(self) -> None:
        if not (self.dirty or not self.undo_stack.isClean()):
            return
        try:
            save_project(self.current_project(), self.autosave_path)
        except OSError as error:
            log.warning("Autosave failed: %s", error)

    def offer_restore(self, ask=None) -> bool:
        """After a crash the autosave is still there: offer it back. ``ask`` is for tests."""
        if not self.autosave_path.is_file():
            return False
        if ask is None:
            answer = QMessageBox.question(
                self,
                "Restore your work?",
                "Composer did not close properly last time. Restore the melody and "
                "candidates you had then?",
            )
            restore = answer == QMessageBox.Yes
        else:
            restore = ask()
        if not restore:
            self.autosave_path.unlink(missing_ok=True)
            return False
        try:
            self.apply_project(load_project(self.autosave_path), None)
        except ComposerError as error:
            self.report_error(str(error))
            return False
        self.dirty = True
        self.update_title()
        return True

    # ------------------------------------------------------------------ other windows
    def show_preferences(self) -> None:
        from composer_gui.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self)
        if dialog.exec():
            self.apply_output_settings()
            self.refresh_inputs()
            self.synth_problem_said = False

    def open_log_folder(self) -> None:
        from composer_gui.ui.app import log_path

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_path().parent)))

    def show_about(self) -> None:
        from composer_gui import __version__

        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME} {__version__}</b><br>"
            "Play a melody; a GAN on your own computer writes accompaniments, "
            "ranked by its Wasserstein critic.",
        )

    def choose(self, title: str, question: str, answers: dict[str, str]) -> str | None:
        """Ask a question with the given answers (key: button text); None if cancelled.
        Tests replace this."""
        box = QMessageBox(QMessageBox.Question, title, question, QMessageBox.Cancel, self)
        buttons = {
            box.addButton(text, QMessageBox.AcceptRole): key for key, text in answers.items()
        }
        box.exec()
        return buttons.get(box.clickedButton())

    def report_error(self, message: str) -> None:
        self.last_error = message
        self.statusBar().showMessage(message, 8000)
        show_error(self, message)

    def set_compact(self, on: bool) -> None:
        """A small always-on-top window: transport, generate, candidates and the outputs."""
        for widget in (
            self.melody_panel,
            self.arrangement_view,
            self.tracks,
            self.piano,
            self.menuBar(),
            *self.transport.full_only,
        ):
            widget.setVisible(not on)
        self.transport.stretch_in_compact.setVisible(on)
        self.transport.stretch_in_compact.setSizePolicy(
            QSizePolicy.Expanding, QSizePolicy.Preferred
        )
        # the chosen candidate's panel keeps only its output buttons, under the list
        self.lower_splitter.setOrientation(Qt.Vertical if on else Qt.Horizontal)
        self.candidate_title.setText("Send or drag" if on else "Chosen candidate")
        self.lower_splitter.setSizes([1000, 1] if on else [400, 860])
        self.setWindowFlag(Qt.WindowStaysOnTopHint, on)
        if on:
            self._full_geometry = self.saveGeometry()
            self.setMinimumSize(380, 420)
            self.resize(440, 600)
        else:
            self.setMinimumSize(900, 600)
            if getattr(self, "_full_geometry", None) is not None:
                self.restoreGeometry(self._full_geometry)
        self.show()

    # ------------------------------------------------------------------ Qt events
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        path = self._dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.open_file(path)

    @staticmethod
    def _dropped_file(mime) -> Path | None:
        for url in mime.urls() if mime.hasUrls() else []:
            path = Path(url.toLocalFile())
            if path.suffix.lower() in (*MIDI_SUFFIXES, PROJECT_SUFFIX):
                return path
        return None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if (
            self.ask_before_closing
            and (self.dirty or not self.undo_stack.isClean())
            and self.melody_editor.notes
        ):
            answer = QMessageBox.question(
                self,
                "Save your work?",
                "Save the melody and candidates before closing?",
                QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            )
            if answer == QMessageBox.Cancel or (answer == QMessageBox.Save and not self.save()):
                event.ignore()
                return
        self.write_settings()
        if self.take is not None:
            self.take.cancel()
        self.runner.cancel_all()
        if hasattr(self.engine, "terminate"):
            self.engine.terminate()
        self.audition.close()
        self.computer_keyboard.set_enabled(False)
        QApplication.instance().removeEventFilter(self.computer_keyboard)
        self.autosave_timer.stop()
        self.runner.wait(10000)
        if hasattr(self.engine, "close"):
            self.engine.close()
        self.autosave_path.unlink(missing_ok=True)  # a clean exit leaves no autosave behind
        super().closeEvent(event)
