"""The Train window's Phrase box (``train --phrase-bars N``): which bar of an N-bar phrase
the band plays, for band data only, offering the range the CLI accepts (one definition,
``models.config.PHRASE_BARS_RANGE``), 4 bars by default as the shipped band reads."""

from __future__ import annotations

import pytest

from composer_gui.core import training_plan as tp
from composer_gui.core.training_run import TrainingRun
from composer_gui.ui.train_source import LAYOUTS, SOURCES
from models.config import PHRASE_BARS_RANGE, GanConfig

pytestmark = pytest.mark.gui


def _window(qtbot, tmp_path):
    from composer_gui.ui.train_window import TrainWindow

    train = TrainWindow(runs_dir=tmp_path / "runs", models_dir=tmp_path / "models")
    qtbot.addWidget(train)
    return train


def _command(train, tmp_path) -> list[str]:
    return TrainingRun.create(tmp_path / "runs", train.plan())._train_command()


def test_the_phrase_box_applies_to_band_data_and_reaches_the_child(qtbot, tmp_path):
    train = _window(qtbot, tmp_path)
    source, box = train.source, train.source.phrase_box
    assert not box.isEnabled() and train.plan().phrase_bars == 0  # the chorales
    assert "--phrase-bars" not in _command(train, tmp_path)
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(tp.BAND))
    assert box.isEnabled() and train.plan().phrase_bars == 4  # as the shipped band reads
    command = _command(train, tmp_path)
    assert command[command.index("--phrase-bars") + 1] == "4"
    offered = [box.itemData(i) for i in range(box.count())]
    low, high = PHRASE_BARS_RANGE
    assert offered == [0, *range(low, high + 1)]  # none, or what the CLI accepts
    box.setCurrentIndex(box.findData(8))
    command = _command(train, tmp_path)
    assert command[command.index("--phrase-bars") + 1] == "8"
    box.setCurrentIndex(box.findData(0))
    assert "--phrase-bars" not in _command(train, tmp_path)
    box.setCurrentIndex(box.findData(4))
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))  # a folder
    assert box.isEnabled() and train.plan().phrase_bars == 4  # its songs kept whole
    source.layout_box.setCurrentIndex([v for _, v in LAYOUTS].index("voices"))
    assert not box.isEnabled() and train.plan().phrase_bars == 0


@pytest.mark.parametrize("bars", [1, PHRASE_BARS_RANGE[1] + 1])
def test_the_cli_refuses_a_phrase_outside_the_range_in_one_sentence(tmp_path, bars):
    from models.errors import DatasetError
    from models.phrase_widen import phrase_start

    with pytest.raises(DatasetError) as refused:
        phrase_start(GanConfig(), tmp_path, tmp_path / "run", bars)
    low, high = PHRASE_BARS_RANGE
    assert f"--phrase-bars {bars}" in str(refused.value) and f"{low} to {high}" in str(
        refused.value
    )
