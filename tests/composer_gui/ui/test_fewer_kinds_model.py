"""A model of fewer kinds, used from the main window: drums and bass only, end to end.

``tests/composer_gui/core/test_training_kinds.py`` trains a tiny drums-and-bass model on
openttd-openmsx's songs (the real ``dataset build --songs --kinds`` and ``train
--export`` children) and accompanies with it from the command line.  Here the same kind
of model goes the musician's way: the Train window opens the finished run, "Use this
model" puts it in the Style box, and Generate in the main window writes candidates that
hold the melody, drums and bass and nothing else, each with notes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from composer_gui.core import training_run
from composer_gui.paths import resource_path
from composer_gui.ui import settings
from tests.support.real_parts import require
from tests.support.training import SONGS, train_tiny_on_songs

pytestmark = pytest.mark.gui


def test_a_drums_and_bass_model_generates_only_those_tracks_in_the_main_window(
    qtbot, window, tmp_path, monkeypatch
):
    require(SONGS.is_dir(), "openttd-openmsx")
    monkeypatch.setattr(training_run, "default_runs_dir", lambda: tmp_path / "runs")
    monkeypatch.setattr(training_run, "user_models_dir", lambda: tmp_path / "models")
    run = train_tiny_on_songs(tmp_path / "runs", ("drums", "bass"), name="drums and bass")

    window.show_train_window()  # it opens the newest run: the finished one
    train = window.train_window
    qtbot.waitExposed(train)
    assert train.run is not None and train.run.run_dir == run.run_dir
    qtbot.waitUntil(train.use_button.isEnabled, timeout=10000)
    with qtbot.waitSignal(train.model_chosen, timeout=5000) as chosen:
        qtbot.mouseClick(train.use_button, Qt.LeftButton)
    model = Path(chosen.args[0])
    assert settings.get(settings.MODEL_FILE) == str(model)
    style = window.current_style()
    assert style is not None and style.name == "drums and bass"
    assert [t.kind for t in style.tracks] == ["drums", "bass"]
    train.close()

    assert window.open_file(resource_path("melodies", "twinkle_twinkle.mid"))
    window.activateWindow()
    with qtbot.waitSignal(window.generation_done, timeout=120000):
        window.generate()
    assert window.last_error is None
    assert window.engine.model_path == str(model)
    assert window.candidates.tree.topLevelItemCount() >= 1
    # every candidate: the melody, then the model's two tracks, and the mix follows
    assert window.document.track_names() == ["melody", "drums", "bass"]
    candidates = window.document.shown_take().candidates
    for candidate in candidates:
        tracks = candidate.arrangement.tracks
        assert [t.name for t in tracks] == ["melody", "drums", "bass"]
        assert tracks[1].is_drum and not tracks[2].is_drum
    best = candidates[0].arrangement.tracks
    assert all(t.notes for t in best), [len(t.notes) for t in best]
