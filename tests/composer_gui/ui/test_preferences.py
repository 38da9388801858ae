"""Preferences: values come from QSettings, go back on OK, and the GPU answer is shown."""

from __future__ import annotations

import pytest

from composer_gui.ui import preferences, settings
from composer_gui.ui.preferences import PreferencesDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot, monkeypatch):
    monkeypatch.setattr(
        preferences, "describe_compute_device", lambda: "No GPU found: the model runs on the CPU."
    )
    settings.put(settings.SOUNDFONT, "/fonts/old.sf2")
    settings.put(settings.COMPUTE_DEVICE, "cpu")
    widget = PreferencesDialog()
    qtbot.addWidget(widget)
    return widget


def test_settings_are_shown_and_saved_on_ok(qtbot, dialog):
    assert dialog.soundfont.text() == "/fonts/old.sf2"
    assert dialog.device.currentData() == "cpu"
    dialog.soundfont.setText("/fonts/new.sf2")
    dialog.device.setCurrentIndex(dialog.device.findData("auto"))
    dialog.preset.setCurrentIndex(dialog.preset.count() - 1)
    chosen_preset = dialog.preset.currentText()
    dialog.accept()
    assert settings.get(settings.SOUNDFONT) == "/fonts/new.sf2"
    assert settings.get(settings.COMPUTE_DEVICE) == "auto"
    assert settings.get(settings.PRESET) == chosen_preset


def test_cancel_keeps_the_old_values(qtbot, dialog):
    dialog.soundfont.setText("/fonts/new.sf2")
    dialog.reject()
    assert settings.get(settings.SOUNDFONT) == "/fonts/old.sf2"


def test_whether_a_gpu_was_found_is_shown(qtbot, dialog):
    qtbot.waitUntil(lambda: dialog.device_found.text().startswith("No GPU found"), timeout=5000)


def test_the_output_list_offers_the_built_in_synth_first(qtbot, dialog):
    assert dialog.midi_output.itemData(0) == ""
    assert "Built-in synth" in dialog.midi_output.itemText(0)


def test_settings_read_back_with_their_types(qtbot):
    settings.store().setValue(settings.BARS.name, "12")  # as an .ini file hands it back
    settings.store().setValue(settings.METRONOME.name, "false")
    settings.store().setValue(settings.DENSITY.name, "0.25")
    assert settings.get(settings.BARS) == 12
    assert settings.get(settings.METRONOME) is False
    assert settings.get(settings.DENSITY) == 0.25


LONG_GPU_NOTE = (
    "No GPU found: the model runs on the CPU. Generating 8 candidates for 8 bars takes "
    "about 4 s here; a CUDA GPU (NVIDIA, 4 GB or more) would be about ten times faster."
)


def shown_whole(label, dialog) -> bool:
    """The label has the height its wrapped text needs and lies inside the dialog."""
    bottom = label.mapTo(dialog, label.rect().bottomLeft()).y()
    return label.height() >= label.heightForWidth(label.width()) and bottom < dialog.height()


def test_the_gpu_note_and_the_midi_problem_wrap_and_show_whole(qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(preferences, "describe_compute_device", lambda: LONG_GPU_NOTE)
    problem = (
        "No MIDI system is available; start ALSA or JACK (or your OS's MIDI service) and try again."
    )
    monkeypatch.setattr(preferences, "midi_port_lists", lambda api: ([], [], [], problem))
    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.device_found.text() == LONG_GPU_NOTE, timeout=5000)
    qtbot.wait(50)  # let the layout settle as it would on screen
    dialog.grab().save(str(tmp_path / "preferences.png"))  # to look at when this fails
    for label in (dialog.device_found, dialog.midi_problem):
        assert label.wordWrap()
        assert shown_whole(label, dialog), (label.text(), label.height(), dialog.height())


def test_the_models_trained_here_are_offered_as_the_model_file(qtbot, monkeypatch, tmp_path):
    """Each model "Use this model" installed is listed, so a musician goes back to one
    without browsing to the models folder (there was a file box only)."""
    monkeypatch.setattr(
        preferences, "describe_compute_device", lambda: "No GPU found: the model runs on the CPU."
    )
    first, second = tmp_path / "trained-a.safetensors", tmp_path / "trained-b.safetensors"
    for path in (first, second):
        path.write_bytes(b"")
        settings.remember_trained_model(str(path))
    settings.remember_trained_model(str(tmp_path / "trained-gone.safetensors"))  # deleted
    settings.put(settings.MODEL_FILE, str(second))
    dialog = PreferencesDialog()
    qtbot.addWidget(dialog)
    box = dialog.trained_models
    assert [box.itemText(i) for i in range(1, box.count())] == ["trained-a", "trained-b"]
    box.activated.emit(1)  # as a click on "trained-a" does
    assert dialog.model_file.text() == str(first)
    dialog.accept()
    assert settings.get(settings.MODEL_FILE) == str(first)
