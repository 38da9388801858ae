"""The models trained here: named in the Train window, renamed or removed in Preferences.

A finished run is stood in for by the shipped chorale model copied into a run folder (a
chorale run's export has that card's format); ``test_train_window`` trains a real one
through the Name box.  Renaming and removing go through Preferences' own buttons and
the real confirmation dialogs, and the main window's Style box follows.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from composer_gui.core.styles import CHORALE_STYLE, model_styles
from composer_gui.core.trained_models import name_problem
from composer_gui.core.training_measure import install_model
from composer_gui.core.training_plan import TrainingPlan
from composer_gui.paths import resource_path
from composer_gui.ui import preferences, settings
from composer_gui.ui.preferences import PreferencesDialog

pytestmark = pytest.mark.gui


def finished_run(tmp_path: Path, name: str) -> Path:
    """A run folder holding an exported model, with the Name box's name in its plan."""
    run = tmp_path / "runs" / name.replace(" ", "-")
    run.mkdir(parents=True)
    shipped = resource_path("weights", "composer-chorales.safetensors")
    shutil.copyfile(shipped, run / "model.safetensors")
    shutil.copyfile(shipped.with_suffix(".json"), run / "model.json")
    (run / "plan.json").write_text(json.dumps({"name": name}) + "\n")
    return run


def use(run: Path, models: Path) -> str:
    """What "Use this model" does with a run (``TrainWindow.use_model``)."""
    plan = TrainingPlan.from_dict(json.loads((run / "plan.json").read_text()))
    path = str(install_model(run, models, plan.name))
    settings.remember_trained_model(path)
    return path


def test_a_name_must_be_given_and_not_a_shipped_ones(tmp_path):
    models = tmp_path / "models"
    assert "Give the model a name" in name_problem("  ", models)
    for shipped in ("Rock", "bossa-nova", "chorale", "composer-band"):
        assert "shipped style or model" in name_problem(shipped, models), shipped
    assert name_problem("my rock", models) == ""
    use(finished_run(tmp_path, "my rock"), models)
    assert "already trained here" in name_problem("My Rock", models)
    assert name_problem("my rock", models, keep=models / "my rock.safetensors") == ""


def test_the_plans_name_is_the_models_name_in_its_card_and_the_style_box(tmp_path):
    path = Path(use(finished_run(tmp_path, "my chorales: take 2"), tmp_path / "models"))
    assert path.name == "my chorales- take 2.safetensors"  # no ":" in a file name
    card = json.loads(path.with_suffix(".json").read_text())
    assert card["name"] == "my chorales: take 2"
    assert [s.name for s in model_styles(path)] == ["my chorales: take 2"]


def answer_next_dialog(answer) -> None:
    """Answer the modal dialog the next click opens, as the musician would."""

    def reply() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, reply)
            return
        answer(dialog)

    QTimer.singleShot(0, reply)


def test_rename_and_remove_in_preferences_and_the_style_box_follows(
    qtbot, window, tmp_path, monkeypatch
):
    monkeypatch.setattr(
        preferences, "describe_compute_device", lambda: "No GPU found: the model runs on the CPU."
    )
    models = tmp_path / "models"
    first = use(finished_run(tmp_path, "my rock"), models)
    second = use(finished_run(tmp_path, "my swing"), models)
    settings.put(settings.MODEL_FILE, first)
    window.apply_output_settings()
    assert window.current_style().name == "my rock"
    assert window.style_box.findData("my swing") >= 0

    dialog = PreferencesDialog(window)
    qtbot.addWidget(dialog)
    box = dialog.trained_models
    assert [box.itemText(i) for i in range(1, box.count())] == ["my rock", "my swing"]
    assert not dialog.rename_button.isEnabled()  # nothing chosen yet

    # rename the one in use: the file, the card, the list, the model file and the Style box
    box.setCurrentIndex(1)

    def rename(input_dialog: QInputDialog) -> None:
        assert input_dialog.textValue() == "my rock"
        input_dialog.setTextValue("our rock")
        input_dialog.accept()

    answer_next_dialog(rename)
    dialog.rename_button.click()
    renamed = str(models / "our rock.safetensors")
    assert Path(renamed).is_file() and not Path(first).exists()
    assert settings.trained_models() == [renamed, second]
    assert settings.get(settings.MODEL_FILE) == renamed == dialog.model_file.text()
    assert window.style_box.findData("my rock") < 0
    assert window.current_style().name == "our rock"
    assert window.style_model() == renamed
    # a shipped style's name is refused in one sentence, nothing renamed
    dialog.rename_trained("Waltz")
    assert "shipped style" in dialog.trained_note.text()
    assert Path(renamed).is_file()

    # remove it, once confirmed: the model in use falls back to the shipped one
    box.setCurrentIndex(box.findData(renamed))
    answer_next_dialog(lambda question: question.button(QMessageBox.No).click())
    dialog.remove_button.click()
    assert Path(renamed).is_file()  # "No" keeps it
    answer_next_dialog(lambda question: question.button(QMessageBox.Yes).click())
    dialog.remove_button.click()
    assert not Path(renamed).exists() and not Path(renamed).with_suffix(".json").exists()
    assert "shipped one again" in dialog.trained_note.text()
    assert settings.trained_models() == [second]
    assert settings.get(settings.MODEL_FILE) == "" == dialog.model_file.text()
    assert [box.itemText(i) for i in range(1, box.count())] == ["my swing"]
    assert window.style_box.findData("our rock") < 0
    assert window.document.style == CHORALE_STYLE
    assert "was removed" in window.statusBar().currentMessage()
    assert window.style_model() == ""  # the shipped chorale model
    dialog.accept()
    assert settings.get(settings.MODEL_FILE) == ""
