"""The Train window with the real training process, on real songs, then the model in use.

openttd-openmsx's songs kept whole (melody, drums, bass, chords, other), a tiny model, a
few hundred iterations: the files and each part's role and the skips are listed, the
plots and the sample (drums in their lane) follow the log, pause, resume and cancel
drive the child process, a window opened after the first was closed resumes the run,
and "Use this model" puts the band model in the Style box, with its card, and the main
window generates with it: drums, bass and chords.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt

from composer_gui.core import training_run
from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.ui import settings
from composer_gui.ui.train_source import SOURCES
from models.checkpoint import read_card, read_tensors
from models.config import GanConfig
from models.run_log import read_log
from models.train import train
from tests.support.real_parts import require
from tests.support.sound import rms
from tests.support.training import SONGS, TINY_CONFIG

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def _songs_installed():
    require(SONGS.is_dir(), "openttd-openmsx")


PLAN = {"config": TINY_CONFIG, "threads": 1, "log_every": 5, "eval_every": 50, "sample_every": 50}


def assert_trains_straight_to(run_dir: Path, data_dir: Path, expected: dict, out: Path) -> None:
    """Train the run's config from scratch in this process (one thread, as the child) to
    the iteration of ``expected`` (the child's checkpoint after its pause and resume) and
    compare the networks: training is seeded, so a resume that went on from fresh weights,
    or from part of the checkpoint, differs (``tests/models/test_train.py`` shows a resume
    in one process equal to a run straight through)."""
    iteration = int(read_card(run_dir / "checkpoint")["iteration"])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        config = GanConfig.from_dict(json.loads((run_dir / "config.json").read_text()))
        train(config.replace(iterations=iteration), data_dir, out, "cpu")
    finally:
        torch.set_num_threads(threads)
    ours = read_tensors(out / "checkpoint")
    networks = [k for k in expected if k.split(".")[0] in ("generator", "critic", "ema")]
    assert networks and set(networks) <= set(ours)
    for key in networks:
        torch.testing.assert_close(ours[key], expected[key], msg=key)


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

    # the source: every file listed, kept ones with each part's role, skips with reasons
    source = train.source
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))
    assert source.layout_box.currentData() == "band" and source.roles_edit.isEnabled()
    source.folder_edit.setText(str(SONGS))
    source.roles_edit.setText("Flute=chords")
    source.preview_folder()
    qtbot.waitUntil(lambda: "files kept" in source.files_summary.text(), timeout=30000)
    tree = source.files_tree
    items = {
        tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
    }
    assert len(items) == len(list(SONGS.glob("*.mid")))
    assert "5/4" in items["5432gone_redfarn.mid"].text(1)  # skipped, with the reason
    song = items["boogi_marabi_redfarn.mid"]
    roles = {song.child(j).text(0): song.child(j).text(1) for j in range(song.childCount())}
    assert roles["Flute [ch4]"] == "chords"  # the musician's override
    assert roles["Drum Kit [ch10]"] == "drums"
    assert [r for r in roles.values() if r.startswith("melody")] == [
        "melody (what the model is given)"
    ]

    # the model's name: the folder's until the musician types one; a shipped style's name
    # is refused in one sentence before anything starts
    assert source.name_edit.text() == SONGS.name
    qtbot.keyClicks(source.name_edit, "x")  # typed: the name no longer follows the source
    source.name_edit.setText("Rock")
    train.iterations_box.setValue(400)
    qtbot.mouseClick(train.start_button, Qt.LeftButton)
    assert train.run is None and "shipped style" in train.state_label.text()
    source.name_edit.setText("my openmsx songs")
    qtbot.mouseClick(train.start_button, Qt.LeftButton)
    run = train.run
    assert run.plan.name == "my openmsx songs"
    qtbot.waitUntil(
        lambda: (
            train.plots.curves["critic_loss"].getData()[0] is not None
            and len(train.plots.curves["critic_loss"].getData()[0]) >= 8
        ),
        timeout=180000,  # the child builds the songs first, at nice 10 behind everything
    )
    updates = train.plots.updates
    qtbot.waitUntil(lambda: train.plots.updates > updates + 2, timeout=30000)  # it moves
    qtbot.waitUntil(lambda: "at iteration" in train.plots.sample_title.text(), timeout=30000)
    assert int(train.plots.sample_title.text().rsplit(" ", 1)[1]) % 50 == 0  # every 50
    title = train.plots.sample_title.text()
    names = ("melody", "bass", "chords", "other", "drums")  # each in its colour
    assert [w for w in names if f">{w}</span>" in title] == list(names)
    assert train.plots.drums_lane  # the drums have their lane
    assert len(train.plots.curves["wasserstein"].getData()[0]) >= 8
    # the newest figures in words with which way they go; each by its log.csv name in the
    # tooltip (session 20's walk: "W +70.91 rec 116.89" meant nothing)
    said = train.figures_label.text()
    assert said.startswith("Now the critic puts its music ") and "from the songs' own (" in said
    assert "wasserstein: " in train.figures_label.toolTip()
    assert "reconstruction: " in train.figures_label.toolTip()
    # the band's metrics per track, as a ratio to the songs' own
    qtbot.waitUntil(
        lambda: (
            "bass: notes a bar" in train.plots.curves
            and train.plots.curves["bass: notes a bar"].getData()[0] is not None
            and len(train.plots.curves["bass: notes a bar"].getData()[0]) >= 1
        ),
        timeout=30000,
    )
    assert train.eta_label.text().startswith("About ")

    qtbot.mouseClick(train.pause_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: run.state == "paused", timeout=30000)
    assert train.resume_button.isEnabled() and "Resume continues" in train.state_label.text()
    paused_at = run.checkpoint_iteration()
    logged = read_log(run.run_dir / "log.csv")
    qtbot.mouseClick(train.resume_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: run.poll().iteration > paused_at + 20, timeout=120000)
    # paused again: Resume went on from the checkpoint, not from the start
    qtbot.mouseClick(train.pause_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: run.state == "paused", timeout=30000)
    resumed_to = run.checkpoint_iteration()
    assert resumed_to > paused_at + 20
    rows = read_log(run.run_dir / "log.csv")
    # the rows before the pause are kept as they were, and the count goes on after them
    kept = [r for r in rows if r["iteration"] <= paused_at]
    assert len(kept) == len(logged) and all(
        a == pytest.approx(b, nan_ok=True) for a, b in zip(kept, logged)
    )
    after = [r["iteration"] for r in rows[len(kept) :]]
    assert after == list(range(paused_at + 5 - paused_at % 5, resumed_to + 1, 5))
    assert rows[len(kept)]["seconds"] >= logged[-1]["seconds"]  # its clock goes on too
    # the weights it went on from are the checkpoint's: it ends where a run straight
    # through to the same iteration ends
    expected = read_tensors(run.run_dir / "checkpoint")
    assert_trains_straight_to(run.run_dir, run.data_dir, expected, tmp_path / "straight")
    qtbot.mouseClick(train.resume_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: run.poll().iteration > resumed_to + 5, timeout=120000)
    qtbot.mouseClick(train.cancel_button, Qt.LeftButton)
    assert run.state == "cancelled" and train.resume_button.isEnabled()

    # close the window; a new one finds the run and resumes it to the end
    train.close()
    window.train_window = None
    again = open_train_window(window, qtbot)
    assert again is not train and again.run is run
    assert again.resume_button.isEnabled()
    qtbot.mouseClick(again.resume_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: run.state == "done", timeout=240000)
    assert again.use_button.isEnabled()
    # the window shows the run's last sample at its next tick after the run ends
    qtbot.waitUntil(lambda: "iteration 400" in again.plots.sample_title.text(), timeout=10000)

    with qtbot.waitSignal(again.model_chosen, timeout=5000) as chosen:
        qtbot.mouseClick(again.use_button, Qt.LeftButton)
    model = Path(chosen.args[0])
    assert model.parent == tmp_path / "models" and model.with_suffix(".json").is_file()
    assert model.stem == "my openmsx songs"  # the Name box's, carried in the plan
    assert settings.get(settings.MODEL_FILE) == str(model)
    assert window.engine.model_path == str(model)
    # the band model is in the Style box, chosen, with its card's tracks and description
    style = window.current_style()
    assert style is not None and style.name == "my openmsx songs"
    assert window.style_box.findData(model.stem) >= 0
    assert [t.kind for t in style.tracks] == ["drums", "bass", "chords", "chords"]
    assert "trained on" in style.description and str(SONGS) in style.description
    # a second model used later: the first stays in the Style box, and choosing its
    # style runs its model again (it was left out, found only by browsing in Preferences)
    from composer_gui.core.training_measure import install_model

    second = install_model(run.run_dir, tmp_path / "models", "trained-second")
    again.model_chosen.emit(str(second))  # as "Use this model" of a later run does
    assert settings.get(settings.MODEL_FILE) == str(second)
    assert window.style_box.findData(model.stem) >= 0
    assert window.style_box.findData("trained-second") >= 0
    window.choose_style(model.stem)
    assert window.style_model() == str(model)

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
    assert window.request_style() == model.stem
    assert window.document.track_names()[1:] == ["drums", "bass", "chords", "other"]


def test_the_band_data_source_offers_one_style_or_every_one(qtbot, tmp_path):
    from composer_gui.core.training_plan import BAND
    from composer_gui.ui.train_window import TrainWindow

    train = TrainWindow(runs_dir=tmp_path / "runs", models_dir=tmp_path / "models")
    qtbot.addWidget(train)
    source = train.source
    assert not source.style_box.isEnabled()  # the chorales have one style
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(BAND))
    assert source.style_box.isEnabled() and "11-15 minutes" in source.files_summary.text()
    assert train.plan().style == ""  # every style by default, into the shared cache
    source.style_box.setCurrentIndex(source.style_box.findData("bossa nova"))
    plan = train.plan()
    assert plan.source == BAND and plan.style == "bossa nova"
    run = training_run.TrainingRun.create(tmp_path / "runs", plan)
    assert run.data_dir.name == "band-mma-bossa_nova"  # its own data, built once
    command = run._build_command()
    assert command[command.index("--band") :] == [
        "--band", "--out", str(run.data_dir), "--style", "bossa nova",
    ]  # fmt: skip


def test_the_loss_budget_and_start_point_chosen_reach_the_training_command(qtbot, tmp_path):
    """What the How box says is what the child is told: the loss, the iterations, and
    the model a run fine-tunes (every shipped model is offered; the band model once
    plainly and once per style, the style a folder's new style starts as)."""
    from composer_gui.paths import resource_path
    from composer_gui.ui.train_window import INIT_STYLE_ROLE, LOSS_CHOICES, TrainWindow
    from models.band_styles import STYLE_NAMES

    train = TrainWindow(runs_dir=tmp_path / "runs", models_dir=tmp_path / "models")
    qtbot.addWidget(train)
    offered = [train.init_box.itemData(i) for i in range(train.init_box.count())]
    shipped = sorted(str(p) for p in resource_path("weights").glob("*.safetensors"))
    assert offered[0] == "" and sorted(set(offered[1:])) == shipped  # fresh, or each shipped
    band = str(resource_path("weights", "composer-band.safetensors"))
    starts = [
        train.init_box.itemData(i, INIT_STYLE_ROLE) or ""
        for i in range(train.init_box.count())
        if offered[i] == band
    ]
    assert starts == ["", *STYLE_NAMES]
    swing = train.init_box.findText("Fine-tune composer-band, a new style from its swing")
    assert swing > 0
    train.init_box.setCurrentIndex(swing)
    command = training_run.TrainingRun.create(tmp_path / "runs", train.plan())._train_command()
    assert command[command.index("--init-from") + 1] == band
    assert command[command.index("--init-style") + 1] == "swing"
    plain = offered.index(band)
    train.init_box.setCurrentIndex(plain)
    command = training_run.TrainingRun.create(tmp_path / "runs", train.plan())._train_command()
    assert command[command.index("--init-from") + 1] == band and "--init-style" not in command
    for words, loss in LOSS_CHOICES:
        train.loss_box.setCurrentText(words)
        train.iterations_box.setValue(1234)
        train.init_box.setCurrentIndex(1)
        run = training_run.TrainingRun.create(tmp_path / "runs", train.plan())
        command = run._train_command()
        assert command[command.index("--loss") + 1] == loss
        assert command[command.index("--iterations") + 1] == "1234"
        assert command[command.index("--init-from") + 1] == offered[1]


def test_the_estimate_is_measured_from_the_window_and_follows_the_plan(qtbot, tmp_path):
    """The "Estimate the time" button runs the plan's real child for a few iterations
    and names the device; the sentence then follows the iterations box, and a change of
    what is trained or how says the estimate no longer holds (it said the old plan's
    figure before)."""
    from composer_gui.ui.train_window import TrainWindow

    train = TrainWindow(runs_dir=tmp_path / "runs", models_dir=tmp_path / "models")
    qtbot.addWidget(train)
    train.plan_defaults = dict(PLAN)
    source = train.source
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))
    source.folder_edit.setText(str(SONGS))
    train.iterations_box.setValue(300)
    qtbot.mouseClick(train.estimate_button, Qt.LeftButton)
    assert not train.estimate_button.isEnabled()  # one measurement at a time
    qtbot.waitUntil(lambda: train.measurement is None, timeout=180000)
    words = train.estimate_label.text()
    assert words.startswith("About ") and " for 300 iterations on " in words, words
    assert "on this CPU (" in words or "on CUDA (" in words
    # the live samples the run will draw (every 50 here) are measured too: a band's
    # were most of a tiny model's time, and the estimate left them out
    assert " ms each and " in words and " s a live sample (every 50), measured." in words
    assert train.estimate_button.isEnabled()
    measured = train.estimate_result
    assert measured.seconds_per_sample > 0 and measured.sample_every == 50
    train.iterations_box.setValue(3000)
    assert " for 3000 iterations on " in train.estimate_label.text()
    assert measured.total_seconds(3000) == pytest.approx(
        3000 * measured.seconds_per_iteration + 60 * measured.seconds_per_sample
    )
    assert measured.total_seconds(3000) == pytest.approx(10 * measured.total_seconds(300))
    train.loss_box.setCurrentIndex(train.loss_box.findData("bce"))
    assert train.estimate_label.text() == "Changed since the estimate: press Estimate again."
    assert train.estimate_result is None


def test_play_sounds_the_sample_on_show_through_the_apps_output(
    qtbot, window, pulse_server, soundfont, pulse_recording, tmp_path, monkeypatch
):
    """The sample roll's Play: the newest sample (written by the training loop's own
    writer) is heard through the app's built-in synth, recorded from a real audio sink."""
    from tests.composer_gui.core.test_training_listen import band_run

    settings.put(settings.AUDIO_DRIVER, "pulseaudio")
    window.apply_output_settings()
    monkeypatch.setattr(training_run, "default_runs_dir", lambda: tmp_path / "runs")
    run = training_run.TrainingRun.create(tmp_path / "runs", training_run.TrainingPlan())
    band_run(run.run_dir)  # the shipped band model's tracks, one sample at iteration 50
    train = open_train_window(window, qtbot)
    assert train.run.run_dir == run.run_dir
    qtbot.waitUntil(lambda: "at iteration 50" in train.plots.sample_title.text(), timeout=10000)
    assert train.plots.play_button.isEnabled()
    qtbot.mouseClick(train.plots.play_button, Qt.LeftButton)
    assert window.audition.is_playing, window.last_error
    qtbot.wait(1500)
    assert rms(pulse_recording.stop()) > 0.005
    assert window.last_error is None
