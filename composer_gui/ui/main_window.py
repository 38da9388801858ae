"""The main window: shows the document and turns the musician's gestures into intents.

The work itself (melody and its undo history, takes, pick, mix, tempo, file, dirty state)
lives in ``core/document.Document``; the window redraws from it in ``show_document``
whenever it changes, and every widget sends its change to it rather than keeping state.
The flows are split by what the musician is doing, one mixin a file:
``window_files`` (New, Open, Save, autosave and restore), ``window_generation``
(Generate and choosing candidates), ``window_audition`` (Play and live notes),
``window_transport`` (tempo, bars, recording), ``window_output`` (Export, Send to
DAW, drag-out) and ``window_settings`` (saved defaults, Preferences). The panels are
built in ``window_layout``.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from composer_gui import APP_NAME
from composer_gui.core.autosave import Autosave
from composer_gui.core.document import (
    EVERYTHING,
    FILE,
    MELODY,
    MIX,
    PICK,
    SETTINGS,
    SOURCE,
    TAKES,
    TEMPO,
    Document,
)
from composer_gui.ui import settings
from composer_gui.ui.actions import Actions
from composer_gui.ui.audition import Audition
from composer_gui.ui.engine_process import EngineProcess
from composer_gui.ui.errors import show_error
from composer_gui.ui.keyboard import ComputerKeyboard
from composer_gui.ui.window_audition import AuditionFlow
from composer_gui.ui.window_files import FilesFlow
from composer_gui.ui.window_generation import GenerationFlow
from composer_gui.ui.window_layout import (
    STALE_TEXTS,
    build_panels,
    sample_melodies,
    set_compact,
)
from composer_gui.ui.window_output import OutputFlow
from composer_gui.ui.window_settings import SettingsFlow
from composer_gui.ui.window_transport import TransportFlow
from composer_gui.ui.workers import LazyEngine, TaskRunner

log = logging.getLogger(__name__)

AUTOSAVE_MS = 5000
PLAYHEAD_MS = 30


class MainWindow(
    FilesFlow, GenerationFlow, AuditionFlow, TransportFlow, OutputFlow, SettingsFlow, QMainWindow
):
    generation_done = Signal()  # for tests and benchmarks: candidates are shown

    def __init__(self, data_dir: Path | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.setMinimumWidth(900)  # the height: the layout's own minimum, or panels overlap
        self.data_dir = Path(data_dir) if data_dir else self.default_data_dir()
        self.document = Document()
        self.autosaver = Autosave(self.data_dir)
        if self.autosaver.leftover() is not None:
            self.autosaver.hold()  # a crashed session's copy waits for offer_restore
        self.last_error: str | None = None
        self.synth_problem_said = False
        self.take = None  # ui.take.Take while recording
        self.clock = self.clock_events = self.clock_timer = None  # a DAW's clock followed
        self.generate_job = None
        self.ask_before_closing = True  # tests turn the questions off
        self.start_beat = 0.0  # where Play starts; a click in a ruler moves it
        self._showing = False  # True while widgets are set from the document
        self.runner = TaskRunner(self)
        # scores are read here (window_files), on a thread that never holds the exit
        self.file_reader = TaskRunner(self, daemon=True)
        self.reading_files: list[Path] = []  # the scores being read, in order
        # the engine runs in a child process (no GIL shared with the window), except in a
        # frozen bundle, where spawning a child would start the app again
        self.engine = LazyEngine() if getattr(sys, "frozen", False) else EngineProcess()
        self.audition = Audition()
        self.actions = Actions(self)
        self.computer_keyboard = ComputerKeyboard(self)
        build_panels(self)
        self._build_menus()
        self._connect()
        self.read_settings()
        self.document.listen(self.show_document)
        self.show_document(frozenset({MELODY, TAKES, PICK, MIX, TEMPO, FILE, SETTINGS, SOURCE}))
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self.playhead_timer = QTimer(self)
        self.playhead_timer.setInterval(PLAYHEAD_MS)
        self.playhead_timer.timeout.connect(self._follow_playhead)
        self.melody_editor.setFocus()  # not a text field: letters stay shortcuts

    @staticmethod
    def default_data_dir() -> Path:
        from platformdirs import user_data_dir

        return Path(user_data_dir(APP_NAME, appauthor=False))

    @property
    def project(self) -> Document:
        """The document under its older name (tests and scripts read ``pick``, ``candidates``)."""
        return self.document

    # ------------------------------------------------------------------ construction
    def _build_menus(self) -> None:
        a = self.actions
        self.undo_action = QAction("&Undo", self, shortcut=QKeySequence.Undo)
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.next_candidate = QAction("&Next Candidate", self, shortcut=QKeySequence("]"))
        self.previous_candidate = QAction("&Previous Candidate", self, shortcut=QKeySequence("["))
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
        generate.addActions([*a.pick, self.next_candidate, self.previous_candidate])
        generate.addSeparator()
        generate.addAction(a.train_model)
        view = bar.addMenu("&View")
        view.addAction(a.compact)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([a.open_log_folder, a.about])
        # shortcuts must work even when the menu bar is hidden (compact mode)
        self.addActions(
            [
                self.undo_action,
                self.redo_action,
                self.next_candidate,
                self.previous_candidate,
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
        a, doc = self.actions, self.document
        a.new.triggered.connect(self.new_project)
        a.open.triggered.connect(self.choose_and_open)
        a.save.triggered.connect(self.save)
        a.save_as.triggered.connect(self.save_as)
        a.export.triggered.connect(self.choose_and_export)
        a.preferences.triggered.connect(self.show_preferences)
        a.train_model.triggered.connect(self.show_train_window)
        a.quit.triggered.connect(self.close)
        a.play.toggled.connect(self.set_playing)
        a.record.toggled.connect(self.set_recording)
        a.loop.toggled.connect(self._loop_changed)
        a.send_to_daw.toggled.connect(self.set_sending_to_daw)
        a.generate.triggered.connect(self.generate)
        a.cancel.triggered.connect(self.cancel_generation)
        for number, action in enumerate(a.pick):
            action.triggered.connect(lambda _checked=False, n=number: self.pick_and_play(n))
        self.next_candidate.triggered.connect(lambda: self.step_candidate(1))
        self.previous_candidate.triggered.connect(lambda: self.step_candidate(-1))
        self.undo_action.triggered.connect(doc.undo)
        self.redo_action.triggered.connect(doc.redo)
        a.clear_melody.triggered.connect(lambda: doc.set_melody([], "Clear melody"))
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
        self.runner.busy_changed.connect(lambda _busy: self.update_enabled())
        self.candidates.chosen.connect(self._list_chose)
        self.melody_editor.seek_requested.connect(self.seek)
        self.arrangement_view.seek_requested.connect(self.seek)
        self.tracks.changed.connect(self._mix_edited)
        self.melody_track_box.currentIndexChanged.connect(
            lambda index: None if self._showing or index < 0 else self.choose_melody_track(index)
        )
        self.transport.tempo.valueChanged.connect(self._tempo_changed)
        self.transport.bars.valueChanged.connect(self._bars_changed)
        self.transport.meter.currentIndexChanged.connect(
            lambda _index: None if self._showing else doc.set_meter(self.transport.chosen_meter())
        )
        self.pickup_box.activated.connect(lambda _i: doc.set_pickup(self.pickup_box.chosen()))
        self.transport.input_chosen.connect(self._input_chosen)
        self.transport.clock_chosen.connect(self._clock_chosen)
        self.transport.refresh_requested.connect(self.refresh_inputs)
        self.preset.currentTextChanged.connect(lambda p: doc.set_generate_settings(preset=p))
        self.style_box.activated.connect(lambda i: self.choose_style(self.style_box.itemData(i)))
        self.density.valueChanged.connect(lambda v: doc.set_generate_settings(density=v / 100))
        self.variety.valueChanged.connect(lambda v: doc.set_generate_settings(variety=v / 100))
        self.drag_handle.failed.connect(self.report_error)

    def _mix_edited(self) -> None:
        if self._showing:
            return
        for index, mix in enumerate(self.tracks.mixes()):
            self.document.set_track_mix(index, **vars(mix))

    # ------------------------------------------------------------------ the view
    def show_document(self, aspects: frozenset[str]) -> None:
        """Redraw what changed in the document; widgets are set without echoing back."""
        doc = self.document
        self._showing = True
        try:
            meter = doc.meter()
            if MELODY in aspects:
                self.melody_editor.apply_notes(list(doc.melody))
                if aspects != EVERYTHING:  # an edit, not New or Open (they stop playing)
                    self.play_on_edit()
            if TEMPO in aspects:
                self.transport.tempo.setValue(doc.tempo_bpm)
                self.transport.show_bars(doc.bars)
                self.transport.show_meter(doc.bars_signature())
            if aspects & {MELODY, TEMPO}:  # the bars as accompanied: the notes and the pickup
                self.pickup_box.show_pickup(doc.pickup, meter, doc.auto_pickup_words())
                self.melody_editor.set_length(doc.length_beats(), doc.bar_lines())
                self.mark_styles()  # a style that never learnt the meter is greyed
            if SETTINGS in aspects:
                self.show_style(doc.style)
                self.preset.setCurrentText(doc.preset)
                self.density.setValue(round(doc.density * 100))
                self.variety.setValue(round(doc.variety * 100))
            if MIX in aspects:
                self.tracks.set_tracks(doc.track_names()[: len(doc.mix)], doc.track_drums())
                self.tracks.set_mixes(doc.mix)
            if TAKES in aspects or PICK in aspects:
                pick = doc.pick
                self.candidates.set_generations(
                    doc.generations,
                    doc.current_take,
                    pick[1] if pick and pick[0] == doc.current_take else None,
                )
            if aspects & {MELODY, PICK, MIX, TAKES, TEMPO}:  # TEMPO: a meter change
                heard = doc.heard_arrangement() if doc.pick is not None else None
                picked = doc.picked if doc.pick is not None else None
                self.chord_lane.set_chords(picked.chords if picked is not None else [])
                self.arrangement_view.set_arrangement(heard, doc.audible(), doc.take_bar_lines())
                if heard is None:  # the empty view spans the melody
                    self.arrangement_view.set_length(doc.length_beats(), doc.bar_lines())
                stale = doc.stale
                if stale:
                    self.stale_label.setText(STALE_TEXTS[doc.stale_change])
                self.stale_label.setVisible(stale)
                self.regenerate_button.setVisible(stale)
                if MIX in aspects and self.audition.is_playing:
                    # the instruments and volumes too, heard at once
                    self.audition.set_mix(self.synth_mix(), doc.heard_arrangement(), doc)
            if SOURCE in aspects:
                source = doc.source
                self.melody_track_box.clear()
                several = source is not None and len(source.tracks) > 1
                if several:
                    self.melody_track_box.addItems(source.labels())
                    self.melody_track_box.setCurrentIndex(source.index)
                self.melody_track_box.setVisible(several)
                self.melody_track_label.setVisible(several)
        finally:
            self._showing = False
        self.undo_action.setEnabled(doc.can_undo)
        self.undo_action.setText(f"&Undo {doc.undo_text}".rstrip())
        self.redo_action.setEnabled(doc.can_redo)
        self.redo_action.setText(f"&Redo {doc.redo_text}".rstrip())
        self.update_title()
        self.update_enabled()

    def update_title(self) -> None:
        changed = " *" if self.document.dirty else ""
        self.setWindowTitle(f"{self.document.name}{changed} \u2014 {APP_NAME}")

    def update_enabled(self) -> None:
        busy = self.runner.busy and self.generate_job is not None
        has_melody = bool(self.document.melody)
        self.actions.generate.setEnabled(not busy and self.take is None)
        self.generate_button.setEnabled(not busy and self.take is None and has_melody)
        self.generate_button.setVisible(not busy)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.actions.cancel.setEnabled(busy)
        has_music = has_melody or self.document.picked is not None
        self.actions.export.setEnabled(has_music)
        self.drag_handle.setEnabled(has_music)
        self.actions.send_to_daw.setEnabled(has_music or self.actions.send_to_daw.isChecked())

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
        set_compact(self, on)

    # ------------------------------------------------------------------ Qt events
    def show_train_window(self) -> None:
        from composer_gui.ui.train_window import TrainWindow

        if getattr(self, "train_window", None) is None:
            from composer_gui.ui.app import freeze_long_lived

            self.train_window = TrainWindow(self)
            self.train_window.model_chosen.connect(self.use_trained_model)
            self.train_window.sample_play_requested.connect(self.play_training_sample)
            freeze_long_lived()  # built once, with pyqtgraph's modules: kept for good
        self.train_window.show()
        self.train_window.raise_()

    def use_trained_model(self, path: str) -> None:
        """A model trained in the Train window is the one in use from the next generation."""
        settings.put(settings.MODEL_FILE, path)
        self.apply_output_settings()
        self.statusBar().showMessage(f"Using the model you trained: {Path(path).stem}", 8000)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if not self.confirm_discard("closing"):
            event.ignore()
            return
        if getattr(self, "train_window", None) is not None:
            self.train_window.close()  # pauses a run: its checkpoint is written
        self.write_settings()
        if self.take is not None:
            self.take.cancel()
        self._stop_following()
        # a score still being read is dropped: music21 cannot be interrupted, and the
        # app used to exit only once it had read the score (seconds, or minutes)
        self.file_reader.abandon()
        self.reading_files.clear()
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
        self.autosaver.discard()  # a clean exit leaves no autosave behind
        super().closeEvent(event)
