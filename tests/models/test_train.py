import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from models.build_dataset import load_split
from models.checkpoint import load_model, read_card
from models.errors import ModelFileError
from models.evaluate import training_evaluator
from models.export import export_model
from models.report import oscillation, spearman, write_report
from models.run_log import read_log
from models.train import train
from tests.support.model_files import TINY


def _weights(run_dir):
    from safetensors.torch import load_file

    return load_file(str(run_dir / "checkpoint.safetensors"))


@pytest.fixture(scope="module")
def tiny_run(chorale_data, tmp_path_factory):
    data_dir = chorale_data[0]
    run = tmp_path_factory.mktemp("runs") / "straight"
    evaluator = training_evaluator(load_split(data_dir, "valid"), n_windows=2, bars=2)
    train(
        TINY.replace(iterations=4),
        data_dir,
        run,
        "cpu",
        log_every=1,
        eval_every=2,
        evaluate=evaluator,
    )
    return run


def test_training_logs_losses_and_metrics_and_checkpoints(tiny_run):
    rows = read_log(tiny_run / "log.csv")
    assert [r["iteration"] for r in rows] == [1, 2, 3, 4]
    for key in (
        "critic_loss",
        "generator_loss",
        "wasserstein",
        "gradient_penalty",
        "reconstruction",
    ):
        assert all(np.isfinite(r[key]) for r in rows)
    assert np.isfinite(rows[1]["val_distance_to_bach"]) and np.isnan(
        rows[0]["val_distance_to_bach"]
    )
    assert read_card(tiny_run / "checkpoint")["iteration"] == 4


def test_resuming_gives_the_same_weights_as_training_straight(tiny_run, chorale_data, tmp_path):
    data_dir = chorale_data[0]
    run = tmp_path / "resumed"
    train(TINY.replace(iterations=2), data_dir, run, "cpu")
    train(TINY.replace(iterations=4), data_dir, run, "cpu", resume=True)
    straight, resumed = _weights(tiny_run), _weights(run)
    for key in ("ema.head.weight", "generator.head.weight", "critic.score.weight"):
        torch.testing.assert_close(resumed[key], straight[key])


def test_a_save_interrupted_between_its_two_files_resumes_consistently(
    tiny_run, chorale_data, tmp_path, monkeypatch
):
    """Cancel, a crash or Quit between the weights and the card of one checkpoint: Resume
    must go on from a pair that belongs together (the weights' own iteration), so it ends
    where training straight does."""
    import models.checkpoint

    data_dir = chorale_data[0]
    run = tmp_path / "interrupted"
    real_replace, renames = os.replace, []

    def replace(src, dst):  # the 4th checkpoint file: the iteration-4 checkpoint's second
        if Path(dst).name.startswith("checkpoint."):
            renames.append(dst)
            if len(renames) == 4:
                raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(models.checkpoint.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        train(TINY.replace(iterations=4), data_dir, run, "cpu", checkpoint_every=2)
    monkeypatch.setattr(models.checkpoint.os, "replace", real_replace)
    train(TINY.replace(iterations=4), data_dir, run, "cpu", resume=True)
    straight, resumed = _weights(tiny_run), _weights(run)
    for key in ("ema.head.weight", "generator.head.weight", "critic.score.weight"):
        torch.testing.assert_close(resumed[key], straight[key])
    assert read_card(run / "checkpoint")["iteration"] == 4


def test_a_checkpoint_that_cannot_be_resumed_says_so_in_one_sentence(
    tiny_run, chorale_data, tmp_path
):
    import shutil

    run = tmp_path / "damaged"
    shutil.copytree(tiny_run, run)
    weights = run / "checkpoint.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(ModelFileError) as caught:
        train(TINY.replace(iterations=6), chorale_data[0], run, "cpu", resume=True)
    message = str(caught.value)
    assert "cannot be resumed" in message and str(run) in message
    assert message.count(". ") == 0 and "\n" not in message


@pytest.mark.parametrize("loss", ["wgan-clip", "bce"])
def test_every_loss_trains(loss, chorale_data, tmp_path):
    train(TINY.replace(loss=loss, iterations=2), chorale_data[0], tmp_path, "cpu", log_every=1)
    rows = read_log(tmp_path / "log.csv")
    assert len(rows) == 2 and all(np.isfinite(r["critic_loss"]) for r in rows)


def test_reconstruction_only_leaves_the_critic_untrained_and_logs_no_critic(chorale_data, tmp_path):
    config = TINY.replace(adversarial_weight=0.0)
    short, longer = tmp_path / "short", tmp_path / "longer"
    train(config.replace(iterations=1), chorale_data[0], short, "cpu", log_every=1)
    train(config.replace(iterations=3), chorale_data[0], longer, "cpu", log_every=1)
    a, b = _weights(short), _weights(longer)
    critic_keys = [k for k in a if k.startswith("critic.")]
    assert critic_keys and all(torch.equal(a[k], b[k]) for k in critic_keys)
    assert not torch.equal(a["generator.head.weight"], b["generator.head.weight"])
    assert not any(k.startswith("opt_d.") for k in b)  # the critic never stepped
    rows = read_log(longer / "log.csv")
    for key in ("critic_loss", "generator_loss", "wasserstein", "gradient_penalty"):
        assert all(math.isnan(r[key]) for r in rows)
    assert all(np.isfinite(r["reconstruction"]) for r in rows)


def test_an_adversarial_weight_must_leave_something_to_learn():
    with pytest.raises(ValueError, match="adversarial_weight"):
        TINY.replace(adversarial_weight=-1.0)
    with pytest.raises(ValueError, match="recon_weight"):
        TINY.replace(adversarial_weight=0.0, recon_weight=0.0)


def test_resuming_drops_rows_logged_after_the_checkpoint(tiny_run, chorale_data, tmp_path):
    import shutil

    run = tmp_path / "killed"
    shutil.copytree(tiny_run, run)
    # As if the run had logged iteration 5 and was killed before its next checkpoint.
    with open(run / "log.csv", "a") as f:
        f.write("5,9.0,1,1,1,0,1\n")
    train(TINY.replace(iterations=6), chorale_data[0], run, "cpu", log_every=1, resume=True)
    assert [r["iteration"] for r in read_log(run / "log.csv")] == [1, 2, 3, 4, 5, 6]


def test_a_later_stage_adds_spoiled_chorales_and_sampled_voices_to_the_critic(
    tiny_run, chorale_data, tmp_path
):
    import shutil

    run = tmp_path / "staged"
    shutil.copytree(tiny_run, run)
    staged = TINY.replace(iterations=6, critic_negatives=0.5, train_variety=1.0)
    train(staged, chorale_data[0], run, "cpu", log_every=1, resume=True)
    rows = read_log(run / "log.csv")
    assert [r["iteration"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert np.isnan(rows[3]["negative_gap"]) and all(
        np.isfinite(r["negative_gap"]) for r in rows[4:]
    )
    assert json.loads((run / "config.json").read_text())["critic_negatives"] == 0.5
    assert read_card(run / "checkpoint")["config"]["train_variety"] == 1.0


def test_a_critic_trial_with_beat_dissonance_leaves_the_generator_and_refuses_band_kinds(
    tiny_run, chorale_data, tmp_path
):
    import shutil

    from models.negatives import KINDS, TRIAL_KINDS

    run = tmp_path / "critic-trial"
    shutil.copytree(tiny_run, run)
    trial = TINY.replace(
        iterations=6,
        critic_negatives=0.5,
        critic_only=True,
        critic_negative_kinds=(*KINDS, *TRIAL_KINDS),
        critic_negative_gp=False,
    )
    train(trial, chorale_data[0], run, "cpu", log_every=1, resume=True)
    before, after = _weights(tiny_run), _weights(run)
    assert all(torch.equal(before[k], after[k]) for k in before if k.startswith("ema."))
    assert any(not torch.equal(before[k], after[k]) for k in before if k.startswith("critic."))
    assert all(np.isfinite(r["negative_gap"]) for r in read_log(run / "log.csv")[4:])
    band_kind = TINY.replace(critic_negatives=0.5, critic_negative_kinds=("drums_thinned",))
    with pytest.raises(ValueError, match="drums_thinned spoil bands, not chorales"):
        train(band_kind, chorale_data[0], tmp_path / "refused", "cpu")


def test_export_writes_a_model_that_loads_and_a_card_that_says_what_it_is(
    tiny_run, chorale_data, tmp_path
):
    out, _ = export_model(tiny_run, tmp_path / "m.safetensors", chorale_data[0])
    generator, critic, card = load_model(out)
    assert card["iterations"] == 4 and card["config"]["g_channels"] == [16, 16, 32, 32]
    assert card["data"]["content_hash"] == chorale_data[1]["content_hash"]
    assert out.stat().st_size < 20 * 2**20


def test_a_truncated_or_mismatched_model_is_refused_with_one_sentence(tiny_model, tmp_path):
    weights = tiny_model.read_bytes()
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(weights[: len(weights) // 2])
    broken.with_suffix(".json").write_bytes(tiny_model.with_suffix(".json").read_bytes())
    with pytest.raises(ModelFileError, match="damaged or truncated"):
        load_model(broken)

    other = tmp_path / "other.safetensors"
    other.write_bytes(weights)
    card = json.loads(tiny_model.with_suffix(".json").read_text())
    card["grid"]["lowest_pitch"] = 21
    other.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="lowest_pitch"):
        load_model(other)

    card = json.loads(tiny_model.with_suffix(".json").read_text())
    card["config"]["g_channels"] = [32, 32, 64, 64]
    other.with_suffix(".json").write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="does not fit"):
        load_model(other)


def test_train_report_writes_plots_and_the_loss_comparison(tiny_run, chorale_data, tmp_path):
    other = tmp_path / "bce"
    evaluator = training_evaluator(load_split(chorale_data[0], "valid"), n_windows=2, bars=2)
    train(
        TINY.replace(loss="bce", iterations=4),
        chorale_data[0],
        other,
        "cpu",
        log_every=1,
        eval_every=1,
        evaluate=evaluator,
    )
    report = write_report([tiny_run, other], tmp_path / "report")
    text = report.read_text()
    assert "| bce |" in text and "| wgan-gp |" in text
    for png in ("straight-losses.png", "bce-metrics.png", "loss-comparison.png"):
        assert (tmp_path / "report" / png).stat().st_size > 5000


def test_train_report_marks_where_the_critic_met_spoiled_chorales():
    from models.report import negatives_start

    rows = [{"iteration": i, "negative_gap": math.nan} for i in (10, 20)]
    assert negatives_start(rows) is None
    rows += [{"iteration": 30, "negative_gap": 0.4}, {"iteration": 40, "negative_gap": 0.5}]
    assert negatives_start(rows) == 20  # the last iteration without them
    assert negatives_start([{"iteration": 10}]) is None  # logs from before the column


def test_spearman_and_oscillation():
    assert spearman(np.arange(5), np.arange(5) ** 2) == pytest.approx(1.0)
    assert spearman(np.arange(5), -np.arange(5)) == pytest.approx(-1.0)
    assert oscillation(np.array([0, 1, 0, 1, 0.0])) > oscillation(np.linspace(0, 1, 5))


def test_two_processes_train_together_with_gloo(chorale_data, tmp_path):
    """The same command under torchrun: 2 CPU processes average gradients with gloo."""
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY.replace(iterations=2).to_dict()))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            "29517",
            "-m",
            "composer_gui.cli",
            "train",
            "--data",
            str(chorale_data[0]),
            "--run-dir",
            str(tmp_path / "ddp"),
            "--config",
            str(config),
            "--device",
            "cpu",
            "--eval-every",
            "1",
            "--export",
            str(tmp_path / "model.safetensors"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    card = read_card(tmp_path / "ddp" / "checkpoint")
    assert card["world_size"] == 2 and card["iteration"] == 2
    # the documented command exports once, from rank 0's checkpoint (every process did,
    # and the one without the checkpoint yet failed the run)
    model = read_card(tmp_path / "model")
    assert model["iterations"] == 2 and len(model["calibration"]["quantiles"]) == 101
    assert done.stdout.count("Model written to") == 1


def test_ctrl_c_saves_a_checkpoint_and_exits_cleanly(chorale_data, tmp_path):
    import signal
    import time

    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY.replace(iterations=10_000).to_dict()))
    run = tmp_path / "run"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "composer_gui.cli",
            "train",
            "--data",
            str(chorale_data[0]),
            "--run-dir",
            str(run),
            "--config",
            str(config),
            "--device",
            "cpu",
            "--log-every",
            "1",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (run / "log.csv").is_file() and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr and "--resume" in stderr
    card = read_card(run / "checkpoint")
    assert 1 <= card["iteration"] < 10_000
    assert not list(run.glob("*.tmp"))  # nothing half-written
