"""The Train window's "The bass strikes repeated notes" box (``train --onsets bass``).

It applies to a band's bass only (the band data, or a folder kept whole whose bass is
learnt); what it says reaches the child, and a run started from the window with it
checked trains, with the real child, a model whose bass has an onset output.
"""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from composer_gui.core import training_plan as tp
from composer_gui.core.training_run import TrainingRun
from composer_gui.ui.train_source import LAYOUTS, SOURCES
from tests.support.real_parts import require
from tests.support.training import SONGS, TINY_CONFIG

pytestmark = pytest.mark.gui


def _window(qtbot, tmp_path):
    from composer_gui.ui.train_window import TrainWindow

    train = TrainWindow(runs_dir=tmp_path / "runs", models_dir=tmp_path / "models")
    qtbot.addWidget(train)
    return train


def _command(train, tmp_path) -> list[str]:
    return TrainingRun.create(tmp_path / "runs", train.plan())._train_command()


def test_the_box_applies_to_a_bands_bass_and_reaches_the_child(qtbot, tmp_path):
    train = _window(qtbot, tmp_path)
    source, box = train.source, train.source.onsets_box
    assert not box.isEnabled() and train.plan().onsets == ()  # the chorales: voices
    assert "--onsets" not in _command(train, tmp_path)
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(tp.BAND))
    assert box.isEnabled() and box.isChecked()  # on by default, as the shipped band's
    command = _command(train, tmp_path)
    assert command[command.index("--onsets") + 1] == "bass"
    box.setChecked(False)
    assert train.plan().onsets == () and "--onsets" not in _command(train, tmp_path)
    box.setChecked(True)
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))
    assert box.isEnabled() and train.plan().onsets == ("bass",)
    source.kind_boxes["bass"].setChecked(False)  # no bass learnt: nothing to strike
    assert not box.isEnabled() and train.plan().onsets == ()
    source.kind_boxes["bass"].setChecked(True)
    assert box.isEnabled()
    source.layout_box.setCurrentIndex([v for _, v in LAYOUTS].index("voices"))
    assert not box.isEnabled() and train.plan().onsets == ()


def test_a_run_started_with_the_box_trains_a_bass_with_an_onset_output(qtbot, tmp_path):
    require(SONGS.is_dir(), "openttd-openmsx")
    train = _window(qtbot, tmp_path)
    train.plan_defaults = {"config": TINY_CONFIG, "threads": 1, "log_every": 2,
                           "eval_every": 4, "sample_every": 0}  # fmt: skip
    source = train.source
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))
    source.folder_edit.setText(str(SONGS))
    for name, kind_box in source.kind_boxes.items():  # a drums-and-bass model: quick
        kind_box.setChecked(name in ("drums", "bass"))
    assert source.onsets_box.isChecked()
    train.iterations_box.setValue(4)
    qtbot.mouseClick(train.start_button, Qt.LeftButton)
    run = train.run
    qtbot.waitUntil(lambda: run.poll().state in ("done", "failed"), timeout=300000)
    assert run.poll().state == "done", run.poll().message
    card = json.loads(run.model_path.with_suffix(".json").read_text())
    tracks = {t["name"]: t.get("onsets", False) for t in card["config"]["tracks"]}
    assert tracks == {"drums": False, "bass": True}
    assert "--onsets bass" in (run.run_dir / "output.log").read_text()
