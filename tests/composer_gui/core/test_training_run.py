"""The training run controller with its real child processes, on real songs.

The songs are openttd-openmsx's multi-track MIDI files (installed by
scripts/system-deps.sh), kept whole (melody, drums, bass, chords, other) unless a test
asks for the voices layout; the model is tiny (``tests/support/training.py``) so a run
of a few hundred iterations takes seconds on two cores.  Nothing here is mocked:
``composer-gui dataset build --songs`` and ``composer-gui train --export`` (which
calibrates) run as the app runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from composer_gui.core.training_run import TrainingPlan, TrainingRun, latest_run
from tests.support.real_parts import needs
from tests.support.training import SONGS, TINY_CONFIG

needs_songs = needs(SONGS.is_dir(), "openttd-openmsx")


def tiny_plan(iterations: int = 300, **changes) -> TrainingPlan:
    values = {
        "source": str(SONGS),
        "iterations": iterations,
        "sample_every": 50,
        "log_every": 5,
        "eval_every": 100,
        "threads": 1,
        "config": TINY_CONFIG,
    }
    return TrainingPlan(**(values | changes))


def wait_for(run: TrainingRun, condition, timeout_seconds: float = 60.0):
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        progress = run.poll()
        if condition(progress):
            return progress
        if not run.running:
            break
        time.sleep(0.1)
    raise AssertionError(f"not reached: state {run.state!r}, {run.message!r}")


def logged_iterations(run: TrainingRun) -> list[int]:
    return [int(r["iteration"]) for r in run.poll().rows]


@needs_songs
def test_pause_resume_finishes_a_calibrated_band_model(tmp_path):
    from models.tracks import DRUM_KIT
    from models.train_samples import band_metric_rows, latest_sample

    run = TrainingRun.create(tmp_path, tiny_plan(roles=("Flute=chords",)))
    run.start()
    wait_for(run, lambda p: p.iteration >= 40)
    assert run.state == "training"
    run.pause()
    paused = run.wait(30)
    assert paused.state == "paused", paused.message
    at = run.checkpoint_iteration()
    assert 40 <= at < 300
    assert f"iteration {at} of 300" in paused.message
    assert run.process is None

    run.resume()
    done = run.wait(120)
    assert done.state == "done", done.message
    assert logged_iterations(run) == list(range(5, 301, 5))  # resumed, nothing twice
    card = json.loads(run.model_path.with_suffix(".json").read_text())
    assert len(card["calibration"]["quantiles"]) == 101  # export calibrated it
    assert [t["kind"] for t in card["config"]["tracks"]] == ["drums", "bass", "chords", "chords"]
    output = (run.run_dir / "output.log").read_text()
    assert "--songs" in output and "--role Flute=chords" in output
    assert "boogi_marabi_redfarn.mid: Flute [ch4] = chords" in output  # the override held
    samples = sorted(p.name for p in (run.run_dir / "samples").glob("*.npz"))
    assert samples == [f"iteration_{i:06d}.npz" for i in range(50, 301, 50)]
    sample = latest_sample(run.run_dir)
    assert [str(n) for n in sample["names"]] == ["melody", "bass", "chords", "other"]
    assert sample["drums"].shape == (sample["roll"].shape[1], len(DRUM_KIT))
    # the band's metrics per track, one row a sample, against the data's own values
    reference = json.loads((run.run_dir / "reference.json").read_text())
    assert "drums: notes a bar" in reference and "bass: notes a bar" in reference
    rows = band_metric_rows(run.run_dir)
    assert [r["iteration"] for r in rows] == list(range(50, 301, 50))
    assert set(reference) <= set(rows[-1])


@needs_songs
def test_the_voices_layout_still_trains_three_voices(tmp_path):
    run = TrainingRun.create(tmp_path, tiny_plan(60, layout="voices", eval_every=30))
    run.start()
    done = run.wait(120)
    assert done.state == "done", done.message
    assert "--from-midi" in (run.run_dir / "output.log").read_text()
    card = json.loads(run.model_path.with_suffix(".json").read_text())
    assert "calibration" in card
    assert {t["kind"] for t in card["config"].get("tracks") or [{"kind": "voice"}]} == {"voice"}
    reference = json.loads((run.run_dir / "reference.json").read_text())
    assert set(reference) <= set(done.rows[-1]) and all(k.startswith("val_") for k in reference)

    # a run finished before the export calibrated: Start again exports it calibrated
    card.pop("calibration")
    run.model_path.with_suffix(".json").write_text(json.dumps(card))
    run.start()
    assert run.state == "training" and run.wait(120).state == "done", run.message
    assert "calibration" in json.loads(run.model_path.with_suffix(".json").read_text())
    assert logged_iterations(run)[-1] == 60  # nothing trained twice


@pytest.mark.slow  # the whole chorale build: 43 s quiet, 194 s at load 4
def test_the_chorales_source_builds_its_cache_once_and_trains_with_live_samples(
    tmp_path, monkeypatch
):
    """The window's first source: the chorale dataset built by the run into the dataset
    cache (a scratch one here) when it is not there, then trained, sampled against the
    validation metrics' reference, and exported calibrated; a second run reuses it."""
    from composer_gui.core.training_plan import CHORALES

    pytest.importorskip("music21")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the child's too
    plan = tiny_plan(40, source=CHORALES, sample_every=20, eval_every=20)
    run = TrainingRun.create(tmp_path / "runs", plan)
    assert run.data_dir.is_relative_to(tmp_path / "cache")
    run.start()
    assert run.state == "building"
    done = run.wait(600)
    assert done.state == "done", done.message
    assert (run.data_dir / "manifest.json").is_file()
    reference = json.loads((run.run_dir / "reference.json").read_text())
    assert reference and all(k.startswith("val_") for k in reference)
    assert set(reference) <= set(done.rows[-1])  # the plots' ratios have their values
    samples = sorted(p.name for p in (run.run_dir / "samples").glob("*.npz"))
    assert samples == ["iteration_000020.npz", "iteration_000040.npz"]
    assert "calibration" in json.loads(run.model_path.with_suffix(".json").read_text())
    again = TrainingRun.create(tmp_path / "runs", plan)
    again.start()
    assert again.state == "training"  # the cache is there: no second build
    again.cancel()


@needs_songs
def test_the_trained_model_accompanies_a_melody(tmp_path):
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.engine import Engine

    run = TrainingRun.create(tmp_path, tiny_plan(60, sample_every=0, eval_every=60))
    run.start()
    assert run.wait(120).state == "done", run.message
    engine = Engine(run.model_path, device="cpu")
    notes = [Note(60 + (2 * i) % 12, float(i), 0.9, 80) for i in range(16)]
    candidates = engine.generate(Arrangement([Track("lead", notes)], 100.0, (4, 4)), k=3, seed=1)
    assert len(candidates) == 3
    assert engine.card["calibration"]["split"] in ("valid", "train")

    # and on the command line, straight from the run: no calibration step between
    from composer_gui.core.midi_file import read_arrangement
    from composer_gui.core.midi_writer import write_arrangement
    from composer_gui.core.training_plan import composer_command

    melody, out = tmp_path / "tune.mid", tmp_path / "band.mid"
    write_arrangement(Arrangement([Track("lead", notes)], 100.0, (4, 4)), melody)
    result = subprocess.run(
        [*composer_command(), "accompany", str(melody), "-o", str(out),
         "--model", str(run.model_path), "--candidates", "2", "--seed", "1", "--device", "cpu"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    written = read_arrangement(out)
    assert any(t.is_drum for t in written.tracks)  # the band came with its drums
    assert len([t for t in written.tracks if t.notes]) >= 2


@needs_songs
def test_cancel_then_resume_from_a_new_controller(tmp_path):
    """Cancel keeps the last periodic checkpoint; a window opened later resumes from it."""
    run = TrainingRun.create(tmp_path, tiny_plan(400))
    run.start()
    wait_for(run, lambda p: p.iteration >= 260)  # past the checkpoint at 250
    run.cancel()
    assert run.state == "cancelled"
    assert run.checkpoint_iteration() == 250

    again = TrainingRun(latest_run(tmp_path))  # the window was closed and opened again
    assert again.state == "cancelled" and "iteration 250 of 400" in again.message
    again.resume()
    assert again.wait(120).state == "done", again.message
    assert logged_iterations(again)[-1] == 400
    assert logged_iterations(again).count(255) == 1  # the rows after 250 were logged again


@needs_songs
def test_a_run_outlives_the_app_and_is_found_again(tmp_path):
    """The app dies while training: the child goes on; a new controller attaches by pid."""
    first = TrainingRun.create(tmp_path, tiny_plan(2000))
    first.start()
    wait_for(first, lambda p: p.iteration >= 20)
    child = first.process
    del first  # the app is gone; its child is in a session of its own and trains on

    again = TrainingRun(latest_run(tmp_path))
    assert again.running and again.process is None
    before = again.poll().iteration
    # Still learning with nobody watching: told by the count going on, not by a fixed
    # second (a child starved on a loaded machine may log no iteration in one).
    wait_for(again, lambda p: p.iteration > before)
    again.pause_attached()
    child.wait(60)  # reap it: in the real case init does, here this test is its parent
    settled = again.wait(60)
    assert settled.state == "paused", settled.message
    assert again.checkpoint_iteration() > before


@needs_songs
def test_a_crashed_training_child_fails_in_one_sentence_and_resumes(tmp_path):
    """The training process dies unasked (the kernel's out-of-memory killer, a crash):
    the run says so in one sentence, keeps its last checkpoint, and Resume finishes it."""
    import signal

    run = TrainingRun.create(tmp_path, tiny_plan(80))
    run.start()
    wait_for(run, lambda p: p.iteration >= 10, 180)
    run.pause()  # a checkpoint to keep, sooner than the periodic one at 250
    assert run.wait(60).state == "paused", run.message
    kept = run.checkpoint_iteration()
    run.resume()
    wait_for(run, lambda p: p.iteration >= kept + 5, 180)
    os.kill(run.process.pid, signal.SIGKILL)  # not through cancel: nobody asked
    failed = run.wait(30)
    assert failed.state == "failed"
    assert failed.message == (
        "The training process stopped unexpectedly (exit code -9). "
        f"The checkpoint at iteration {kept} of 80 is kept."
    )
    assert run.checkpoint_iteration() == kept
    run.resume()
    done = run.wait(180)
    assert done.state == "done", done.message
    assert logged_iterations(run) == list(range(5, 81, 5)) and run.model_path.is_file()


@needs_songs
def test_a_folder_without_songs_fails_in_one_sentence(tmp_path):
    empty = tmp_path / "no songs"
    empty.mkdir()
    (empty / "notes.txt").write_text("not music")
    run = TrainingRun.create(tmp_path / "runs", tiny_plan(source=str(empty)))
    run.start()
    failed = run.wait(60)
    assert failed.state == "failed"
    assert failed.message.startswith("There are no MIDI files in")
    assert "Traceback" not in failed.message and failed.message.count(".") <= 3


@needs_songs
def test_bad_files_in_the_folder_are_listed_skipped_and_the_run_trains(tmp_path, bad_midi_files):
    """A folder of real songs with a file that is no MIDI at all and one cut in half: the
    preview (the window's child process) lists both as skipped with the reader's reason,
    and the run builds from the rest, trains and exports; the dataset records the skips."""
    from composer_gui.core.training_plan import module_command

    folder = tmp_path / "my songs"
    folder.mkdir()
    for song in SONGS.glob("*.mid"):
        (folder / song.name).symlink_to(song)
    shutil.copy(bad_midi_files["garbage"], folder / "garbage.mid")
    shutil.copy(bad_midi_files["truncated"], folder / "half a song.mid")
    preview = subprocess.run(
        [*module_command("composer_gui.core.training_preview"), str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert preview.returncode == 0, preview.stderr
    listed = {p["name"]: p for p in json.loads(preview.stdout)}
    assert len(listed) == len(list(SONGS.glob("*.mid"))) + 2
    for bad in ("garbage.mid", "half a song.mid"):
        assert not listed[bad]["kept"] and bad in listed[bad]["reason"], listed[bad]
    assert "not a MIDI file" in listed["garbage.mid"]["reason"]
    assert listed["boogi_marabi_redfarn.mid"]["kept"]

    run = TrainingRun.create(tmp_path / "runs", tiny_plan(20, source=str(folder)))
    run.start()
    done = run.wait(300)
    assert done.state == "done", done.message
    manifest = json.loads((run.data_dir / "manifest.json").read_text())
    skipped = {s["name"]: s["reason"] for s in manifest["skipped"]}
    for bad in ("garbage.mid", "half a song.mid"):
        assert skipped[bad] == listed[bad]["reason"]  # the preview said what the build did
    assert "skipped garbage.mid" in (run.run_dir / "output.log").read_text()
    assert run.model_path.is_file()


@needs_songs
@pytest.mark.slow  # the shipped band model's own size: 33-144 s at load 3-5
def test_the_shipped_band_model_fine_tunes_on_songs_and_accompanies_in_their_style(tmp_path):
    """The shipped band model (drums, bass, chords, pad) on songs kept whole (drums, bass,
    chords, other; wider ranges): refused until session 13, now re-encoded into its
    tracks, said in one sentence, fine-tuned by the real child with a new style started
    as its rock, exported, named as "Use this model" names it, listed by ``styles`` and
    accompanying with ``accompany --model --style``."""
    from composer_gui.core.styles import styles_with
    from composer_gui.core.training_measure import install_model
    from composer_gui.core.training_plan import composer_command
    from composer_gui.paths import resource_path

    shipped = resource_path("weights", "composer-band.safetensors")
    plan = tiny_plan(
        4, init_from=str(shipped), init_style="rock", config={}, sample_every=2, name="my songs"
    )
    run = TrainingRun.create(tmp_path / "runs", plan)
    run.start()
    done = run.wait(400)
    assert done.state == "done", done.message
    output = (run.run_dir / "output.log").read_text()
    assert "--init-style rock" in output
    assert "The data was fitted to composer-band's tracks: other is played as pad; " in output
    assert " notes moved by octaves into its ranges, " in output
    assert "a new style songs started from its rock." in output
    # the window's state line says it too, after "Done"
    assert done.message.startswith("Done: 4 iterations. The data was fitted to composer-band")
    card = json.loads(run.model_path.with_suffix(".json").read_text())
    assert card["offered_styles"] == ["songs"] and card["iterations"] == 4
    assert card["config"]["critic_only"] is False  # the generator learnt too
    model = install_model(run.run_dir, tmp_path / "models", plan.name)
    own = [s.shown for s in styles_with(model) if s.model_path == model]
    assert own == ["my songs"]  # its one style, by the Name box's name

    listed = subprocess.run(
        [*composer_command(), "styles", "--model", str(model)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    assert [line for line in listed.stdout.splitlines() if line.startswith("my songs: ")]
    melody = resource_path("melodies", "amazing_grace.mid")
    out = tmp_path / "take.mid"
    played = subprocess.run(
        [*composer_command(), "accompany", str(melody), "-o", str(out), "--model", str(model),
         "--style", "my songs", "--candidates", "2", "--device", "cpu", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert played.returncode == 0, played.stderr
    import mido

    tracks = mido.MidiFile(out).tracks
    assert any(m.type == "note_on" and m.channel == 9 for t in tracks for m in t)  # drums
    refused = subprocess.run(
        [*composer_command(), "accompany", str(melody), "-o", str(tmp_path / "no.mid"),
         "--model", str(model), "--style", "my songs (x)"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert refused.returncode != 0 and "Traceback" not in refused.stderr


@pytest.fixture
def small_disk(tmp_path):
    """A 6 MB file system of its own (tmpfs), or a skip where mounting is not allowed."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


@needs_songs
def test_a_full_disk_stops_with_one_sentence_and_the_checkpoint_intact(small_disk):
    from models.checkpoint import read_card, read_tensors

    run = TrainingRun.create(small_disk, tiny_plan(2000))
    run.start()
    wait_for(run, lambda p: run.checkpoint_iteration() == 250, 120)
    filler = small_disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:  # fill the disk, as another program might
        while os.write(descriptor, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(descriptor)
    failed = run.wait(60)
    assert failed.state == "failed"
    assert failed.message.startswith("No space left on device"), failed.message
    assert "checkpoint at iteration 250 of 2000 is kept" in failed.message
    stem = run.run_dir / "checkpoint"
    assert read_card(stem)["iteration"] == 250
    assert "generator.head.weight" in read_tensors(stem) or read_tensors(stem)
    filler.unlink()
    run.resume()  # space again: it goes on from 250
    wait_for(run, lambda p: p.iteration >= 300)
    run.cancel()


@needs_songs
def test_the_time_estimate_is_measured_here_and_names_the_device(tmp_path):
    from composer_gui.core.training_measure import SpeedMeasurement

    measurement = SpeedMeasurement(tiny_plan(1000), tmp_path)
    deadline = time.monotonic() + 90
    estimate = None
    while estimate is None and not measurement.finished and time.monotonic() < deadline:
        time.sleep(0.2)
        estimate = measurement.poll()
    estimate = estimate or measurement.poll()
    measurement.close()
    assert estimate is not None, measurement.error
    assert 0.0 < estimate.seconds_per_iteration < 5.0
    words = estimate.sentence(1000)
    assert words.startswith("About ") and "for 1000 iterations on " in words
    assert "CPU" in estimate.device or "CUDA" in estimate.device
    assert not measurement.scratch.exists()  # the scratch run is gone


@pytest.mark.skipif(not os.path.exists("/proc/self/autogroup"), reason="no Linux autogroups")
def test_the_child_yields_the_cpu_to_the_window_across_sessions(tmp_path):
    """The child runs in a session of its own; with autogroups a nice counts only within
    a session, so its session's share is lowered too (else it takes a core's share from
    the window: bench_train_window_gap --profile)."""
    run = TrainingRun.create(tmp_path / "runs", tiny_plan())
    run._launch("train", ["sleep", "30"])
    try:
        assert os.getpriority(os.PRIO_PROCESS, run.process.pid) >= 10
        own = Path("/proc/self/autogroup").read_text().split()
        child = Path(f"/proc/{run.process.pid}/autogroup").read_text().split()
        # The kernel prints nothing for a task whose group is not an autogroup (autogroups
        # switched off, or the machine's cgroups place it): there the nice above is all
        # that orders the CPU. CI's machines showed both an empty line for the child and,
        # another time, an empty line for the test's own process with one for the child
        if child:
            assert int(child[-1]) == 10  # "nice 10": its session yields to the window's
        if child and own:
            assert child[0] != own[0]  # a session, so an autogroup, of its own
    finally:
        run.process.kill()
        run.process.wait()


@needs(shutil.which("mma") is not None, "MMA (mma)")
@pytest.mark.slow  # the MMA build, a run, a fine-tune of the band model: 21-160 s at load 2-5
def test_the_band_data_of_one_style_builds_trains_exports_and_joins_the_style_box(tmp_path):
    """The band data path end to end with the real MMA build: one style (rock) rendered
    from the first 13 chorales (the 12th is the first in the validation split, which the
    export calibrates on), into the run's own folder, never the shared cache; trained,
    exported calibrated, installed as "Use this model" does, listed beside the shipped
    rock, and it accompanies a melody."""
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.engine import Engine
    from composer_gui.core.styles import styles_with
    from composer_gui.core.training_measure import install_model
    from composer_gui.core.training_plan import BAND

    plan = tiny_plan(40, source=BAND, style="rock", band_charts=13, sample_every=20)
    run = TrainingRun.create(tmp_path / "runs", plan)
    assert run.data_dir == run.run_dir / "data"
    run.start()
    done = run.wait(420)
    assert done.state == "done", done.message
    output = (run.run_dir / "output.log").read_text()
    assert "--band" in output and "--style rock --limit 13" in output
    manifest = json.loads((run.data_dir / "manifest.json").read_text())
    assert manifest["styles"] == ["rock"] and manifest["counts"]["valid"] >= 1
    card = json.loads(run.model_path.with_suffix(".json").read_text())
    assert [t["kind"] for t in card["config"]["tracks"]] == ["drums", "bass", "chords", "chords"]
    assert card["config"]["styles"] == ["rock"]
    assert len(card["calibration"]["quantiles"]) == 101
    samples = sorted(p.name for p in (run.run_dir / "samples").glob("*.npz"))
    assert samples == ["iteration_000020.npz", "iteration_000040.npz"]

    model = install_model(run.run_dir, tmp_path / "models", "trained-rock")
    shown = [s.shown for s in styles_with(model)]
    assert "rock" in shown and "rock (trained-rock)" in shown  # beside the shipped rock
    engine = Engine(model, device="cpu")
    notes = [Note(60 + (2 * i) % 12, float(i), 0.9, 80) for i in range(16)]
    melody = Arrangement([Track("lead", notes)], 100.0, (4, 4))
    candidates = engine.generate(melody, k=2, seed=1, style="rock")
    assert len(candidates) == 2 and candidates[0].style == "rock"
    assert any(t.is_drum and t.notes for t in candidates[0].arrangement.tracks)

    # "Fine-tune composer-band" on one style's data: the same tracks by name, but ranges
    # measured from less music (refused until session 13); re-encoded into the model's
    # tracks, its rock column trained, and the fine-tune offers its rock alone
    from composer_gui.core.training_plan import composer_command
    from composer_gui.paths import resource_path

    shipped = resource_path("weights", "composer-band.safetensors")
    tuned = tmp_path / "my-rock.safetensors"
    fine_tune = subprocess.run(
        [*composer_command(), "train", "--data", str(run.data_dir), "--iterations", "2",
         "--threads", "1", "--run-dir", str(tmp_path / "fine-tune"), "--init-from",
         str(shipped), "--export", str(tuned)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert fine_tune.returncode == 0, fine_tune.stderr
    assert "The data was fitted to composer-band's tracks: 0 of " in fine_tune.stdout
    assert "its own rock learns from the data." in fine_tune.stdout
    card = json.loads(tuned.with_suffix(".json").read_text())
    assert (
        card["config"]["styles"]
        == json.loads(shipped.with_suffix(".json").read_text())["config"]["styles"]
    )  # its six styles kept
    assert card["offered_styles"] == ["rock"]
    assert [s.shown for s in styles_with(tuned) if s.model_path == tuned] == ["rock (my-rock)"]


def test_the_checkpoint_iteration_is_the_one_its_weights_record(tmp_path):
    """A save interrupted between its two renames leaves checkpoint.json one save behind;
    the window says (and _done_training judges) what Resume will actually go on from."""
    import torch

    from models.checkpoint import new_card, save_checkpoint_files
    from models.config import GanConfig

    run = TrainingRun.create(tmp_path, tiny_plan(400))
    stem = run.run_dir / "checkpoint"
    save_checkpoint_files({"x": torch.zeros(2)}, new_card(GanConfig(), iteration=250), stem)
    card = json.loads(stem.with_suffix(".json").read_text())
    stem.with_suffix(".json").write_text(json.dumps({**card, "iteration": 200}))  # the old card
    assert run.checkpoint_iteration() == 250
