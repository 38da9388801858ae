"""Preferences: MIDI ports and API, audio output, compute device, model, soundfont, sounds.

The dialog reads every value from ``ui/settings.py`` when it opens and writes them back
on OK (``load_settings``/``save_settings``, as Frescobaldi's panels do). Looking for a GPU
imports torch, which takes a second or two, so it runs on a worker and the label fills
in when the answer comes.
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from composer_gui.ui import settings
from composer_gui.ui.workers import TaskRunner

log = logging.getLogger(__name__)

PRESET_NAMES_FALLBACK = ("organ", "strings", "choir", "piano trio")
DEVICES = (("auto", "Automatic (GPU if found)"), ("cpu", "CPU"), ("cuda", "GPU (CUDA)"))


def describe_compute_device() -> str:
    """One line saying whether a GPU was found; call it off the UI thread.

    Importing torch takes seconds and holds the interpreter lock most of that time, so
    it is done in a short-lived child process; only a frozen bundle (which cannot start
    Python children) imports torch here.
    """
    if not getattr(sys, "frozen", False):
        code = "from composer_gui.ui.preferences import probe_device; print(probe_device())"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip().splitlines()[-1]
        log.warning("GPU check failed: %s", done.stderr[-500:])
        return "Could not check for a GPU; the model runs on the CPU."
    return probe_device()


def probe_device() -> str:
    import torch

    if torch.cuda.is_available():
        return f"GPU found: {torch.cuda.get_device_name(0)}. The model runs on it."
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "Apple GPU (MPS) found. The model runs on it."
    return "No GPU found: the model runs on the CPU (fast enough for a few bars)."


def preset_names() -> list[str]:
    try:
        from composer_gui.core.instruments import PRESETS
    except ImportError:
        return list(PRESET_NAMES_FALLBACK)
    return list(PRESETS)


def midi_port_lists(api: str) -> tuple[list[str], list[str], list[str], str]:
    """(apis, inputs, outputs, problem) without raising: the dialog must open regardless.
    The inputs are the keyboards one may record from: the app's own ports left out."""
    try:
        from composer_gui.core import midi_io

        apis = midi_io.compiled_apis()
        ports = midi_io.list_ports(api or None)
        keyboards = [name for name in ports.inputs if not midi_io.is_own_port(name)]
        return apis, keyboards, list(ports.outputs), ""
    except Exception as error:  # noqa: BLE001 - a missing MIDI system is shown, not raised
        log.warning("MIDI ports could not be listed: %s", error)
        return [], [], [], str(error)


def file_row(edit: QLineEdit, caption: str, pattern: str, parent: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    browse = QPushButton("Browse...")

    def choose() -> None:
        start = settings.dialog_start(edit.text())
        path, _ = QFileDialog.getOpenFileName(parent, caption, start, pattern)
        if path:
            settings.remember_folder(Path(path))
            edit.setText(path)

    browse.clicked.connect(choose)
    layout.addWidget(browse)
    return row


class PreferencesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        midi = QGroupBox("MIDI")
        form = QFormLayout(midi)
        self.midi_api = QComboBox()
        self.midi_input = QComboBox()
        self.midi_output = QComboBox()
        self.midi_thru = QCheckBox("Play what I record through the output (MIDI thru)")
        self.midi_problem = QLabel("", objectName="hint")
        self.midi_problem.setWordWrap(True)
        form.addRow("MIDI system", self.midi_api)
        form.addRow("Keyboard (input)", self.midi_input)
        form.addRow("Play through", self.midi_output)
        form.addRow("", self.midi_thru)
        form.addRow("", self.midi_problem)
        layout.addWidget(midi)

        audio = QGroupBox("Built-in synth")
        form = QFormLayout(audio)
        self.audio_driver = QComboBox()
        self.audio_driver.setEditable(True)
        self.soundfont = QLineEdit()
        self.soundfont.setPlaceholderText("Found automatically (FluidR3 GM or similar)")
        form.addRow("Audio output", self.audio_driver)
        form.addRow(
            "Soundfont",
            file_row(self.soundfont, "Choose a soundfont", "SoundFonts (*.sf2 *.sf3)", self),
        )
        layout.addWidget(audio)

        model = QGroupBox("Model")
        form = QFormLayout(model)
        self.device = QComboBox()
        for value, label in DEVICES:
            self.device.addItem(label, value)
        self.device_found = QLabel("Looking for a GPU...", objectName="hint")
        self.device_found.setWordWrap(True)
        self.model_file = QLineEdit()
        self.model_file.setPlaceholderText("The model shipped with Composer")
        self.preset = QComboBox()
        self.preset.addItems(preset_names())
        form.addRow("Compute on", self.device)
        form.addRow("", self.device_found)
        form.addRow(
            "Model file",
            file_row(self.model_file, "Choose a model", "Model weights (*.safetensors)", self),
        )
        # the models "Use this model" installed: one click back to any of them, and
        # each renamed or removed here (the settings own the list: ui/settings.py)
        self.trained_models = QComboBox()
        self.trained_models.activated.connect(self._use_trained)
        self.trained_models.currentIndexChanged.connect(self._trained_buttons)
        self.rename_button = QPushButton("Rename…", clicked=lambda: self.rename_trained())
        self.remove_button = QPushButton("Remove…", clicked=lambda: self.remove_trained())
        self.trained_note = QLabel("", objectName="hint")
        self.trained_note.setWordWrap(True)
        trained_row = QWidget()
        row = QHBoxLayout(trained_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.trained_models, 1)
        row.addWidget(self.rename_button)
        row.addWidget(self.remove_button)
        self.list_trained()
        form.addRow("Trained here", trained_row)
        form.addRow("", self.trained_note)
        form.addRow("Default instruments", self.preset)
        layout.addWidget(model)

        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.load_settings()
        self.midi_api.currentIndexChanged.connect(lambda _i: self._fill_ports())
        self._probe = TaskRunner(self)
        self._probe.run(
            describe_compute_device,
            on_done=self._show_device,
            on_error=lambda _m: self._show_device(
                "Could not check for a GPU; the model runs on the CPU."
            ),
        )

    def _show_device(self, text: str) -> None:
        # the dialog may be gone before torch finished importing
        with contextlib.suppress(RuntimeError):
            self.device_found.setText(text)
            self.fit_notes()

    def fit_notes(self) -> None:
        """Grow the dialog so every wrapped note shows whole.

        A word-wrapped QLabel gets its height from the width Qt guessed when the dialog
        was first laid out; a longer text arriving later (the GPU answer, a MIDI problem)
        wraps onto more lines than that height holds and its last line is cut off. The
        height the layout needs at the dialog's real width is asked for again here.
        """
        layout = self.layout()
        # The new text's layout request first: until it is handled the top layout keeps
        # the group box's old height cached and asks for no more than it had (session
        # 14: the real note, one line longer than laid out, was cut to half its lines).
        QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
        layout.invalidate()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _fill_ports(self, chosen_input: str = "", chosen_output: str = "") -> None:
        api = self.midi_api.currentData() or ""
        _apis, inputs, outputs, problem = midi_port_lists(api)
        self.midi_input.clear()
        self.midi_input.addItem("None", "")
        for name in inputs:
            self.midi_input.addItem(name, name)
        self.midi_output.clear()
        self.midi_output.addItem("Built-in synth (this computer's speakers)", "")
        for name in outputs:
            self.midi_output.addItem(name, name)
        for combo, chosen in ((self.midi_input, chosen_input), (self.midi_output, chosen_output)):
            if chosen and combo.findData(chosen) < 0:
                combo.addItem(f"{chosen} (not connected)", chosen)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
        self.midi_problem.setText(problem)
        self.midi_problem.setVisible(bool(problem))
        self.fit_notes()

    def list_trained(self, chosen: str = "") -> None:
        """The trained models whose files are there, by their card's name."""
        from composer_gui.core.trained_models import model_name

        self.trained_models.clear()
        self.trained_models.addItem("Choose a model you trained…", "")
        for path in settings.trained_models():
            if Path(path).is_file():
                self.trained_models.addItem(model_name(Path(path)), path)
        self.trained_models.setEnabled(self.trained_models.count() > 1)
        self.trained_models.setCurrentIndex(max(0, self.trained_models.findData(chosen)))
        self._trained_buttons()

    def _trained_buttons(self) -> None:
        chosen = bool(self.trained_models.currentData())
        self.rename_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    def rename_trained(self, name: str | None = None) -> None:
        """Rename the model chosen in "Trained here" (asks for the name when not given)."""
        from PySide6.QtWidgets import QInputDialog

        from composer_gui.ui.workers import musician_message

        path = self.trained_models.currentData()
        if not path:
            return
        if name is None:
            old = self.trained_models.currentText()
            name, ok = QInputDialog.getText(self, "Rename the model", "New name", text=old)
            if not ok:
                return
        try:
            new = settings.rename_trained_model(path, name)
        except Exception as error:  # one sentence: a shipped style's name, a name taken
            self.trained_note.setText(musician_message(error))
            self.fit_notes()
            return
        if settings.same_model(self.model_file.text().strip(), path):
            self.model_file.setText(new)
        self.list_trained(new)
        self.trained_note.setText(f'Renamed: the Style box shows it as "{name.strip()}".')
        self.fit_notes()

    def remove_trained(self) -> None:
        """Delete the model chosen in "Trained here", its file too, once confirmed; the
        model in use falls back to the shipped one."""
        from PySide6.QtWidgets import QMessageBox

        path = self.trained_models.currentData()
        if not path:
            return
        name = self.trained_models.currentText()
        asked = QMessageBox.question(
            self,
            "Remove the model",
            f'Remove "{name}"? Its file is deleted; a run in the Train window can make it again.',
        )
        if asked != QMessageBox.Yes:
            return
        in_use = settings.remove_trained_model(path)
        if in_use or settings.same_model(self.model_file.text().strip(), path):
            self.model_file.setText("")
            in_use = True
        self.list_trained()
        self.trained_note.setText(
            f'Removed "{name}": it was the model in use, so Composer uses the shipped one again.'
            if in_use
            else f'Removed "{name}".'
        )
        self.fit_notes()

    def _use_trained(self, index: int) -> None:
        if path := self.trained_models.itemData(index):
            self.model_file.setText(path)

    def load_settings(self) -> None:
        api = settings.get(settings.MIDI_API)
        apis, _inputs, _outputs, _problem = midi_port_lists(api)
        self.midi_api.clear()
        self.midi_api.addItem("Automatic", "")
        for name in apis:
            self.midi_api.addItem(name, name)
        self.midi_api.setCurrentIndex(max(0, self.midi_api.findData(api)))
        self._fill_ports(settings.get(settings.MIDI_INPUT), settings.get(settings.MIDI_OUTPUT))
        self.midi_thru.setChecked(settings.get(settings.MIDI_THRU))
        try:
            from composer_gui.core.synth_install import default_audio_drivers

            drivers = list(default_audio_drivers())
        except ImportError:
            drivers = []
        self.audio_driver.clear()
        self.audio_driver.addItem("Automatic", "")
        for name in drivers:
            self.audio_driver.addItem(name, name)
        driver = settings.get(settings.AUDIO_DRIVER)
        if driver and self.audio_driver.findData(driver) < 0:
            self.audio_driver.addItem(driver, driver)
        self.audio_driver.setCurrentIndex(max(0, self.audio_driver.findData(driver)))
        self.soundfont.setText(settings.get(settings.SOUNDFONT))
        self.device.setCurrentIndex(
            max(0, self.device.findData(settings.get(settings.COMPUTE_DEVICE)))
        )
        self.model_file.setText(settings.get(settings.MODEL_FILE))
        self.preset.setCurrentText(settings.get(settings.PRESET))

    def save_settings(self) -> None:
        settings.put(settings.MIDI_API, self.midi_api.currentData() or "")
        settings.put(settings.MIDI_INPUT, self.midi_input.currentData() or "")
        settings.put(settings.MIDI_OUTPUT, self.midi_output.currentData() or "")
        settings.put(settings.MIDI_THRU, self.midi_thru.isChecked())
        driver = self.audio_driver.currentData()
        if driver is None:  # typed by hand
            driver = self.audio_driver.currentText()
        settings.put(settings.AUDIO_DRIVER, "" if driver == "Automatic" else driver)
        settings.put(settings.SOUNDFONT, self.soundfont.text().strip())
        settings.put(settings.COMPUTE_DEVICE, self.device.currentData())
        settings.put(settings.MODEL_FILE, self.model_file.text().strip())
        settings.put(settings.PRESET, self.preset.currentText())

    def accept(self) -> None:
        self.save_settings()
        super().accept()
