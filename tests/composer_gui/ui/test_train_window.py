"""The Train window with the real training process, on real songs, then the model in use.

openttd-openmsx's songs, a tiny model, a few hundred iterations: the files and their
roles and skips are listed, the plots and the sample follow the log, pause, resume and
cancel drive the child process, a window opened after the first was closed resumes the
run, and "Use this model" makes the main window generate with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from composer_gui.core import training_run
from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.ui import settings
from tests.composer_gui.core.test_training_run import SONGS, TINY_CONFIG
from tests.support.real_parts import require

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _songs_installed():
    require(SONGS.is_dir(), "openttd-openmsx")


PLAN = {"config": TINY_CONFIG, "threads": 1, "log_every": 5, "eval_every": 50, "sample_every": 50}


def open_train_window(window, qtbot):
    window.show_train_window()
    train = window.train_window
    qtbot.waitExposed(train)
    train.plan_defaults = dict(PLAN)
    return train


def test_train_watch_pause_resume_cancel_reopen_and_use(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setattr(training_run, "default_runs_dir", lambda: tmp_path / "runs")
    monkeypatch.setattr(training_run, "user_models_dir", lambda: tmp_path / "models")
    train = open_train_window(window, qtbot)
    assert train.resume_button.isEnabled() is False

    # the source: every file listed, kept ones with their tracks' roles, skips with reasons
    train.source_box.setCurrentIndex(1)
    train.folder_edit.setText(str(SONGS))
    train.preview_folder()
    qtbot.waitUntil(lambda: "files kept" in train.files_summary.text(), timeout=30000)
    items = [train.files_tree.topLevelItem(i) for i in range(train.files_tree.topLevelItemCount())]
    assert len(items) == len(list(SONGS.glob("*.mid")))
    skipped = [i for i in items if i.text(1).startswith("skipped: ")]
    assert any("5/4" in i.text(1) for i in skipped)
    kept = [i for i in items if i.text(1) == "kept"]
    roles = [kept[0].child(j).text(1) for j in range(kept[0].childCount())]
    assert roles.count("melody") == 1 and any("voice" in r for r in roles)

    train.iterations_box.setValue(400)
    qtbot.mouseClick(train.start_button, Qt.LeftButton)
    run = train.run
    qtbot.waitUntil(
        lambda: (
            train.plots.curves["critic_loss"].getData()[0] is not None
            and len(train.plots.curves["critic_loss"].getData()[0]) >= 8
        ),
        timeout=60000,
    )
    updates = train.plots.updates
    qtbot.waitUntil(lambda: train.plots.updates > updates + 2, timeout=30000)  # it moves
    qtbot.waitUntil(lambda: "at iteration" in train.plots.sample_title.text(), timeout=30000)
    assert int(train.plots.sample_title.text().rsplit(" ", 1)[1]) % 50 == 0  # every 50
    assert len(train.plots.curves["wasserstein"].getData()[0]) >= 8
    assert train.eta_label.text().startswith("About ")

    qtbot.mouseClick(train.pause_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: run.state == "paused", timeout=30000)
    assert train.resume_button.isEnabled() and "Resume continues" in train.state_label.text()
    paused_at = run.checkpoint_iteration()
    qtbot.mouseClick(train.resume_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: run.poll().iteration > paused_at + 20, timeout=60000)
    qtbot.mouseClick(train.cancel_button, Qt.LeftButton)
    assert run.state == "cancelled" and train.resume_button.isEnabled()

    # close the window; a new one finds the run and resumes it to the end
    train.close()
    window.train_window = None
    again = open_train_window(window, qtbot)
    assert again is not train and again.run is run
    assert again.resume_button.isEnabled()
    qtbot.mouseClick(again.resume_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: run.state == "done", timeout=120000)
    assert again.use_button.isEnabled()
    assert "iteration 400" in again.plots.sample_title.text()

    with qtbot.waitSignal(again.model_chosen, timeout=5000) as chosen:
        qtbot.mouseClick(again.use_button, Qt.LeftButton)
    model = Path(chosen.args[0])
    assert model.parent == tmp_path / "models" and model.with_suffix(".json").is_file()
    assert settings.get(settings.MODEL_FILE) == str(model)
    assert window.engine.model_path == str(model)

    melody = tmp_path / "tune.mid"
    notes = [Note(60 + (i * 5) % 12, float(i), 0.9, 80) for i in range(16)]
    write_arrangement(Arrangement([Track("melody", notes)], tempo_bpm=100.0), melody)
    assert window.open_file(melody)
    again.close()
    window.activateWindow()
    with qtbot.waitSignal(window.generation_done, timeout=90000):
        window.generate()
    assert window.last_error is None
    # a tiny model writes some candidates alike, and alike ones are shown once
    assert 1 <= window.candidates.tree.topLevelItemCount() <= window.count.value()
