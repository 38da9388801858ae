"""The Train window: train or fine-tune a model on the chorales, the band data or your songs.

It only shows and asks; ``core/training_run.py`` runs the training in processes of its
own (so the window never waits on torch), ``ui/train_source.py`` asks what to learn
from and reads a folder in a child process too (``core/training_preview.py``), and
``core/training_measure.py`` times a few iterations for the estimate.  A timer polls the
run folder four times a second and redraws the plots only when the log has new rows;
the newest live sample is read and drawn on a thread of its own (``ui/train_sample.py``).

Closing the window pauses the run (a checkpoint is written); opening it again offers
the last run, which Resume continues.  The controllers live in this module's ``_runs``
for the app's lifetime, so the window closed and reopened keeps its child processes.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

# Imported here, not in the slots that use them: a module's first import in a slot
# (compiled where no bytecode is cached, and checked by PySide's import hook) froze the
# window for 40-50 ms when Start was pressed (bench_train_window_gap --profile)
from composer_gui.core import training_run as tr
from composer_gui.core.trained_models import name_problem
from composer_gui.core.training_listen import sample_arrangement
from composer_gui.core.training_log import MetricsTail
from composer_gui.core.training_measure import Estimate, SpeedMeasurement, install_model
from composer_gui.core.training_words import (
    TREND_ROWS,
    WORDS_MEANING,
    exact_figures,
    progress_words,
)
from composer_gui.ui import theme
from composer_gui.ui.train_plots import TrainPlots
from composer_gui.ui.train_sample import SampleReader
from composer_gui.ui.train_source import TrainSource, WrappedLabel, narrow
from composer_gui.ui.workers import musician_message
from models.train_samples import METRICS_NAME, SAMPLES_DIR, read_reference

POLL_MS = 250
INIT_STYLE_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # a fine-tune start's new style
REDRAW_SECONDS = 1.0
LOSS_CHOICES = (
    ("WGAN-GP (Wasserstein, gradient penalty)", "wgan-gp"),
    ("WGAN with weight clipping", "wgan-clip"),
    ("BCE (the original GAN loss)", "bce"),
)
_runs: dict[Path, tr.TrainingRun] = {}


def run_for(run_dir: Path) -> tr.TrainingRun:
    """The one controller of a run folder in this app (it may hold a child process)."""
    run_dir = Path(run_dir).resolve()
    if run_dir not in _runs:
        _runs[run_dir] = tr.TrainingRun(run_dir)
    return _runs[run_dir]


def _building_words(plan: tr.TrainingPlan) -> str:
    if plan.source == tr.BAND:
        if plan.style or plan.band_charts:
            return "Building the band data of one style with MMA (a few minutes, once)…"
        return "Building the band data with MMA (11-15 minutes on two cores, once)…"
    if plan.folder:
        return "Reading the songs into a dataset…"
    return "Building the chorale dataset (about a minute, once)…"


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class TrainWindow(QWidget):
    """``model_chosen(path)`` when the musician presses "Use this model"."""

    model_chosen = Signal(str)
    sample_play_requested = Signal(object)  # an Arrangement: the newest sample, to hear

    def __init__(
        self,
        parent: QWidget | None = None,
        runs_dir: Path | None = None,
        models_dir: Path | None = None,
    ) -> None:
        super().__init__(parent, Qt.Window)
        self.setWindowTitle("Train a Model — Composer")
        self.runs_dir = Path(runs_dir or tr.default_runs_dir())
        self.models_dir = Path(models_dir or tr.user_models_dir())
        # Plan fields the window does not show (tests make the model tiny here).
        self.plan_defaults: dict = {}
        self.run: tr.TrainingRun | None = None
        self.measurement: SpeedMeasurement | None = None
        self.estimate_result: Estimate | None = None  # the last one measured, for its plan
        self._shown_rows = -1
        self.samples: SampleReader | None = None  # the run's newest sample, read off-thread
        self._drawn_at = 0.0
        self._build()
        self.timer = QTimer(self, interval=POLL_MS, timeout=self.tick)
        last = tr.latest_run(self.runs_dir) if self.runs_dir.is_dir() else None
        if last is not None:
            self.open_run(last)
        self.update_buttons()
        # a measured estimate holds for its plan: its sentence follows the iterations, and
        # a change of what is trained, or how, makes it stale
        self.iterations_box.valueChanged.connect(self._show_estimate)
        for box in (self.loss_box, self.init_box, self.source.source_box):
            box.currentIndexChanged.connect(self._estimate_stale)
        for box in (self.source.style_box, self.source.layout_box, self.source.phrase_box):
            box.currentIndexChanged.connect(self._estimate_stale)
        for box in self.source.kind_boxes.values():
            box.toggled.connect(self._estimate_stale)
        self.source.folder_edit.editingFinished.connect(self._estimate_stale)

    # --- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        self.source = TrainSource()
        self.source.previewed.connect(self.update_buttons)

        how = QGroupBox("How")
        how_form = QFormLayout(how)
        self.loss_box = QComboBox()
        for words, value in LOSS_CHOICES:
            self.loss_box.addItem(words, value)
        how_form.addRow("Loss", self.loss_box)
        self.iterations_box = QSpinBox(minimum=10, maximum=100_000, singleStep=100, value=1000)
        how_form.addRow("Iterations", self.iterations_box)
        self.init_box = QComboBox()
        self.init_box.addItem("Fresh weights", "")
        for path, style in tr.fine_tune_starts(self._model_files()):
            words = f", a new style from its {style}" if style else ""
            self.init_box.addItem(f"Fine-tune {path.stem}{words}", str(path))
            self.init_box.setItemData(self.init_box.count() - 1, style, INIT_STYLE_ROLE)
        how_form.addRow("Start from", self.init_box)
        for box in (self.loss_box, self.init_box):
            narrow(box)
        estimate_row = QHBoxLayout()
        self.estimate_button = QPushButton("Estimate the time", clicked=self.estimate)
        self.estimate_label = WrappedLabel("")
        estimate_row.addWidget(self.estimate_button)
        how_form.addRow(estimate_row)
        how_form.addRow(self.estimate_label)

        buttons = QHBoxLayout()
        self.start_button = QPushButton("Start", clicked=self.start)
        self.pause_button = QPushButton("Pause", clicked=self.pause)
        self.resume_button = QPushButton("Resume", clicked=self.resume)
        self.cancel_button = QPushButton("Cancel", clicked=self.cancel)
        for button in (self.start_button, self.pause_button, self.resume_button):
            buttons.addWidget(button)
        buttons.addWidget(self.cancel_button)
        self.use_button = QPushButton("Use this model", clicked=self.use_model)
        self.state_label = WrappedLabel("No run yet.")
        self.progress_bar = QProgressBar()
        self.eta_label = QLabel("")
        self.eta_label.setStyleSheet(f"color: {theme.DIM_TEXT.name()};")
        # the newest logged figures in words (core.training_words); the tooltip has each
        # figure by its log.csv name
        self.figures_label = WrappedLabel("")

        left = QWidget()
        column = QVBoxLayout(left)
        column.addWidget(self.source, 1)
        column.addWidget(how)
        column.addLayout(buttons)
        column.addWidget(self.progress_bar)
        column.addWidget(self.eta_label)
        column.addWidget(self.state_label)
        column.addWidget(self.figures_label)
        column.addWidget(self.use_button)
        self.plots = TrainPlots()
        self.plots.play_button.clicked.connect(self.play_sample)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.plots)
        splitter.setSizes([440, 840])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.resize(1280, 800)

    def _model_files(self) -> list[Path]:
        from composer_gui.paths import resource_path

        found = sorted(resource_path("weights").glob("*.safetensors"))
        if self.models_dir.is_dir():
            found += sorted(self.models_dir.glob("*.safetensors"))
        return found

    # --- the run ----------------------------------------------------------------------

    def plan(self) -> tr.TrainingPlan:
        values = self.source.plan_values() | {
            "loss": self.loss_box.currentData(),
            "iterations": self.iterations_box.value(),
            "init_from": self.init_box.currentData(),
            "init_style": self.init_box.currentData(INIT_STYLE_ROLE) or "",
        }
        return tr.TrainingPlan.from_dict(values | self.plan_defaults)

    def open_run(self, run_dir: Path) -> None:
        self.run = run_for(run_dir)
        self._metrics = MetricsTail(self.run.run_dir / SAMPLES_DIR / METRICS_NAME)
        self._shown_rows = -1
        if self.samples is not None:
            self.samples.close()
        self.samples = SampleReader(self.run.run_dir)
        self.timer.start()
        self.tick()

    def start(self) -> None:
        plan = self.plan()
        if not plan.source:
            self.state_label.setText("Choose a folder of MIDI files first.")
            return
        if problem := self.source.problem():
            self.state_label.setText(problem)
            return
        if problem := name_problem(plan.name, self.models_dir):
            self.state_label.setText(problem)
            return
        if self.measurement is not None:  # the run itself says how fast it goes now
            self.measurement.close()
            self.measurement = None
            self.estimate_label.setText("")
        run = tr.TrainingRun.create(self.runs_dir, plan)
        _runs[run.run_dir.resolve()] = run
        self.open_run(run.run_dir)
        self._act(run.start)

    def pause(self) -> None:
        if self.run is not None:
            self._act(self.run.pause if self.run.process else self.run.pause_attached)

    def resume(self) -> None:
        if self.run is not None:
            self._act(self.run.resume)

    def cancel(self) -> None:
        if self.run is not None:
            self._act(self.run.cancel if self.run.process else self.run.pause_attached)

    def _act(self, action) -> None:
        try:
            action()
        except Exception as error:  # one sentence for the musician, as every window does
            self.state_label.setText(musician_message(error))
        self.timer.start()
        self.tick()

    def use_model(self) -> None:
        """Copy the calibrated model among the user's models and make it the one in use."""
        if self.run is None or self.run.state != "done":
            return
        name = self.run.plan.name or f"trained-{self.run.run_dir.name}"  # (an older run)
        path = install_model(self.run.run_dir, self.models_dir, name)
        from composer_gui.ui import settings

        settings.remember_trained_model(str(path))  # offered in the Style box from now on
        self.state_label.setText(
            f"Now in use: {name}, in the Style box with its card (and in Preferences)."
        )
        self.model_chosen.emit(str(path))

    def play_sample(self) -> None:
        """Hear the sample on show (the app's audition plays it: ``sample_play_requested``)."""
        sample = self.plots.sample if self.run is not None else None
        if sample is None:
            return
        self.sample_play_requested.emit(
            sample_arrangement(sample, self.plots.tracks, self.run.plan.style or None)
        )

    def estimate(self) -> None:
        if self.measurement is not None:
            self.measurement.close()
        self.estimate_result = None
        self.measurement = SpeedMeasurement(self.plan())
        self.estimate_label.setText("Measuring a few iterations on this machine…")
        self.update_buttons()
        self.timer.start()

    # --- the timer ----------------------------------------------------------------------

    def tick(self) -> None:
        if self.measurement is not None:
            self._measure_tick()
        if self.run is None:
            self.update_buttons()  # the Estimate button, before any run
            if self.measurement is None:
                self.timer.stop()
            return
        progress = self.run.poll()
        total = max(progress.total, 1)
        self.progress_bar.setMaximum(total)
        self.progress_bar.setValue(min(progress.iteration, total))
        status = progress.message or (
            _building_words(self.run.plan)
            if progress.state == "building"
            else progress.state.capitalize()
        )
        self.state_label.setText(
            f"{status} (iteration {progress.iteration} of {progress.total})"
            if progress.state == "training"
            else status
        )
        eta = progress.eta_seconds
        self.eta_label.setText(f"About {_clock(eta)} left" if eta is not None else "")
        # new rows at most once a second; the plots then draw one a tick (train_plots)
        due = time.monotonic() - self._drawn_at >= REDRAW_SECONDS or not self.run.running
        if len(progress.rows) != self._shown_rows and due:
            self._shown_rows, self._drawn_at = len(progress.rows), time.monotonic()
            reference = read_reference(self.run.run_dir)
            band = reference and not any(k.startswith("val_") for k in reference)
            metric_rows = self._metrics.read() if band else None
            self.plots.show_rows(progress.rows, reference, metric_rows)
            self.show_figures(progress.rows)
        self.plots.paint_next()
        if shown := self.samples.poll(self.run.running):
            self.plots.tracks = shown.tracks  # each track's colour
            self.plots.show_sample(shown.sample, (shown.image, shown.bottom))
        self.update_buttons()
        idle = not (self.plots.pending or self.samples.busy)
        if not self.run.running and self.measurement is None and idle:
            self.timer.stop()

    def show_figures(self, rows: list[dict]) -> None:
        """The newest row's figures in words, and which way they went; each figure by its
        log.csv name in the tooltip (the last rows only: a long run logs thousands)."""
        recent = rows[-4 * TREND_ROWS :]
        words = progress_words(recent)
        self.figures_label.setText(f"Now {words}." if words else "")
        exact = exact_figures(recent[-1]) if recent else ""
        self.figures_label.setToolTip(
            f"{WORDS_MEANING}\n\nIteration {recent[-1]['iteration']:.0f} in log.csv:\n{exact}"
            if words
            else ""
        )

    def _show_estimate(self) -> None:
        if self.estimate_result is not None:
            self.estimate_label.setText(self.estimate_result.sentence(self.iterations_box.value()))

    def _estimate_stale(self) -> None:
        if self.estimate_result is not None and self.measurement is None:
            self.estimate_result = None
            self.estimate_label.setText("Changed since the estimate: press Estimate again.")

    def _measure_tick(self) -> None:
        estimate = self.measurement.poll()
        if self.measurement.run.state == "building":  # no data yet: it is built first
            words = _building_words(self.measurement.run.plan).removesuffix("…")
            self.estimate_label.setText(f"{words}, then measuring a few iterations…")
        elif estimate is not None:
            self.estimate_result = estimate
            self._show_estimate()
        elif self.measurement.finished:
            self.estimate_label.setText(self.measurement.error)
        if self.measurement.finished:
            self.measurement.close()
            self.measurement = None

    def update_buttons(self) -> None:
        run = self.run
        running = run is not None and run.running
        state = run.state if run is not None else "new"
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running and state != "pausing")
        self.cancel_button.setEnabled(running)
        resumable = state in ("paused", "cancelled", "failed")
        self.resume_button.setEnabled(run is not None and not running and resumable)
        self.use_button.setEnabled(state == "done")
        self.estimate_button.setEnabled(self.measurement is None)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Closing pauses: the checkpoint keeps the run, which Resume continues later."""
        if self.run is not None and self.run.running:
            self.pause()
        if self.measurement is not None:
            self.measurement.close()
            self.measurement = None
        self.source.close_preview()
        self.timer.stop()  # (the sample reader stays: a window shown again goes on with it)
        super().closeEvent(event)
