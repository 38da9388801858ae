"""Session 17's mends in the window, each with the real window and dialogs (offscreen).

The file dialogs themselves are modal and native, so a test answers them in their place
(as test_window_session16 does) and records where each was asked to open.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QPushButton

pytestmark = pytest.mark.gui


def test_the_model_file_and_the_train_folder_dialogs_open_in_the_last_folder_used(
    qtbot, window, melody_file, tmp_path, monkeypatch
):
    """Preferences' Browse and the Train window's Choose opened where the app was
    started, not where the last Open, Save As or Export was; nor did they record theirs."""
    from composer_gui.ui.preferences import PreferencesDialog
    from composer_gui.ui.train_source import SOURCES
    from composer_gui.ui.train_window import TrainWindow

    projects, models, songs = (tmp_path / name for name in ("projects", "models", "songs"))
    for folder in (projects, models, songs):
        folder.mkdir()
    (models / "mine.safetensors").write_bytes(b"")
    offered: list[tuple[str, Path]] = []

    def answer(kind: str, chosen: Path | str):
        def dialog(*args):
            offered.append((kind, Path(args[2])))
            return str(chosen) if kind == "folder" else (str(chosen), "")

        return dialog

    assert window.open_file(melody_file)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer("save", projects / "song.composer"))
    assert window.save_as()

    preferences = PreferencesDialog(window)
    qtbot.addWidget(preferences)
    browse = preferences.model_file.parentWidget().findChild(QPushButton)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", answer("model", models / "mine.safetensors")
    )
    browse.click()
    assert offered[-1] == ("model", projects)
    assert preferences.model_file.text() == str(models / "mine.safetensors")
    browse.click()  # again: at the file chosen, in its folder
    assert offered[-1] == ("model", models / "mine.safetensors")
    preferences.reject()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", answer("open", ""))
    window.choose_and_open()
    assert offered[-1] == ("open", models)

    train = TrainWindow(runs_dir=tmp_path / "runs", models_dir=tmp_path / "trained")
    qtbot.addWidget(train)
    source = train.source
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))  # a folder
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", answer("folder", songs))
    source.choose_button.click()
    assert offered[-1] == ("folder", models)
    assert source.folder_edit.text() == str(songs)
    source.close_preview()
    window.choose_and_open()
    assert offered[-1] == ("open", songs)  # the folder of songs itself: its files
