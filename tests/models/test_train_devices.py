"""What a GPU changes in training, checked on the CPU (no GPU here): the device chosen,
bf16 autocast's code path (run under the CPU's own bf16 autocast), a checkpoint holding
bf16 tensors read on a CPU-only machine, and the estimate's device sentence.

What only a GPU can show (CUDA's autocast op lists, NCCL, the speed) is listed as
untested in docs/training.md."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import models.train as train_module
from composer_gui.core.training_measure import Estimate, device_words
from models import losses
from models.checkpoint import load_model, read_card
from models.errors import ModelError
from models.export import export_model
from models.run_log import read_log
from models.train import train
from models.train_devices import mixed_precision, pick_device
from tests.support.model_files import TINY


def test_a_cuda_device_is_the_processs_own_gpu_and_a_missing_one_is_one_sentence(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    monkeypatch.setenv("LOCAL_RANK", "2")  # torchrun's third process on this machine
    assert pick_device("auto") == torch.device("cuda", 2)
    assert pick_device("cuda") == torch.device("cuda", 2)  # was cuda: every rank on GPU 0
    assert pick_device("cuda:3") == torch.device("cuda", 3)
    assert pick_device("cpu") == torch.device("cpu")
    with pytest.raises(ModelError, match="no CUDA device 5 here .this machine has 4"):
        pick_device("cuda:5")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert pick_device("auto") == torch.device("cpu")
    with pytest.raises(ModelError, match="no CUDA device 2 here .this machine has 0"):
        pick_device("cuda")
    for name in ("mps", "gpu"):
        with pytest.raises(ModelError, match=f"auto, cpu or cuda, not '{name}'"):
            pick_device(name)


def test_bf16_only_on_a_gpu_that_has_it_in_hardware(monkeypatch):
    assert not mixed_precision(torch.device("cpu"))
    for major, bf16 in ((7, False), (8, True), (9, True)):  # V100 / A100 / H100, H200
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda d, m=major: (m, 0))
        assert mixed_precision(torch.device("cuda", 0)) is bf16


@pytest.fixture(scope="module")
def bf16_run(chorale_data, tmp_path_factory):
    """Four iterations with the loop's bf16 autocast on (the CPU's autocast, as a GPU's
    would be), every loss term and the gradient penalty on."""
    run = tmp_path_factory.mktemp("bf16") / "run"
    score_dtypes: dict[str, set] = {}
    autocast_seen: set = set()

    def spy(name):
        original = getattr(losses, name)

        def recorded(*args):
            scores = [a for a in args if isinstance(a, torch.Tensor)]
            score_dtypes.setdefault(name, set()).update(a.dtype for a in scores)
            if torch.is_autocast_enabled("cpu"):
                autocast_seen.add(torch.get_autocast_dtype("cpu"))
            return original(*args)

        return recorded

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train_module, "mixed_precision", lambda device: True)
        for name in ("critic_loss", "generator_loss", "wasserstein_estimate"):
            patch.setattr(losses, name, spy(name))
        train(TINY.replace(iterations=4), chorale_data[0], run, "cpu", log_every=1)
    return SimpleNamespace(path=run, score_dtypes=score_dtypes, autocast_seen=autocast_seen)


def test_the_bf16_path_trains_logs_fp32_losses_and_checkpoints_fp32_weights(bf16_run):
    rows = read_log(bf16_run.path / "log.csv")
    assert [r["iteration"] for r in rows] == [1, 2, 3, 4]
    for key in ("critic_loss", "generator_loss", "wasserstein", "gradient_penalty"):
        assert all(math.isfinite(r[key]) for r in rows), key
    card = read_card(bf16_run.path / "checkpoint")
    assert card["precision"] == "bf16 autocast" and card["device"] == "cpu"
    weights = load_file(str(bf16_run.path / "checkpoint.safetensors"))
    assert {t.dtype for k, t in weights.items() if k.startswith("generator.")} == {torch.float32}


def test_the_scores_reach_the_losses_in_fp32_under_bf16_autocast(bf16_run):
    """Autocast hands the critic's scores back in bf16, whose mean rounds the Wasserstein
    estimate to 8 bits (two means near 12 differ by multiples of 1/16): the loop takes
    them in fp32 before every loss and the logged estimate."""
    dtypes = bf16_run.score_dtypes
    assert set(dtypes) == {"critic_loss", "generator_loss", "wasserstein_estimate"}
    assert all(d == {torch.float32} for d in dtypes.values()), dtypes
    assert bf16_run.autocast_seen == {torch.bfloat16}  # the networks did run in bf16


def test_a_checkpoint_of_bf16_tensors_resumes_and_exports_on_the_cpu(
    bf16_run, chorale_data, tmp_path
):
    """A checkpoint whose weights and optimizer state are bf16 (what a GPU run's modules
    would write if kept in bf16; the loop keeps fp32 weights, but a file is a file):
    safetensors stores no device, so it reads on a CPU-only machine, resumes in fp32
    and exports a model that loads on the CPU with the bf16 values."""
    import shutil

    run = tmp_path / "run"
    shutil.copytree(bf16_run.path, run)
    weights = load_file(str(run / "checkpoint.safetensors"))
    as_bf16 = {
        k: v.to(torch.bfloat16) if v.is_floating_point() and k != "rng.torch" else v
        for k, v in weights.items()
    }
    save_file(as_bf16, str(run / "checkpoint.safetensors"))

    out, _ = export_model(run, tmp_path / "m.safetensors", chorale_data[0], calibrated=False)
    generator, _, _ = load_model(out)
    first = next(k for k in as_bf16 if k.startswith("ema.") and as_bf16[k].ndim > 1)
    loaded = generator.state_dict()[first[len("ema.") :]]
    assert loaded.dtype == torch.float32 and loaded.device.type == "cpu"
    assert torch.allclose(loaded, as_bf16[first].float(), atol=1e-3)  # fp16 in the file

    train(TINY.replace(iterations=6), chorale_data[0], run, "cpu", log_every=1, resume=True)
    assert [r["iteration"] for r in read_log(run / "log.csv")][-2:] == [5, 6]
    resumed = load_file(str(run / "checkpoint.safetensors"))
    assert resumed[first].dtype == torch.float32
    assert np.isfinite(resumed[first].numpy()).all()


def test_the_estimate_names_the_device_the_run_measured(bf16_run):
    """From the checkpoint's card: this machine's CPU, or the GPU and its precision."""
    cpu_card = read_card(bf16_run.path / "checkpoint")
    threads = cpu_card["hardware"].rsplit(", ", 1)[1].split()[0]
    assert device_words(cpu_card).startswith("this CPU (") and f", {threads} thread" in (
        device_words(cpu_card)
    )
    one = {"hardware": "x86_64 CPU, 1 threads", "device": "cpu"}  # the card's own words
    assert device_words(one) == "this CPU (x86_64, 1 thread)"
    assert device_words(one | {"hardware": "arm CPU, 8 threads"}) == "this CPU (arm, 8 threads)"
    gpu = {"hardware": "NVIDIA H200", "device": "cuda:0", "precision": "bf16 autocast"}
    assert device_words(gpu) == "CUDA (NVIDIA H200, bf16)"
    assert device_words(gpu | {"hardware": "Tesla V100-SXM2-16GB", "precision": "fp32"}) == (
        "CUDA (Tesla V100-SXM2-16GB, fp32)"
    )
    assert device_words({"hardware": "NVIDIA H200"}) == "CUDA (NVIDIA H200, bf16)"  # older
    assert device_words({}) == "an unknown device"
    sentence = Estimate(0.034, device_words(gpu)).sentence(300)
    assert sentence == (
        "About 10 s for 300 iterations on CUDA (NVIDIA H200, bf16): 34 ms each, measured."
    )


def test_train_on_a_missing_gpu_says_so_in_one_sentence(chorale_data, tmp_path, capsys):
    from composer_gui.cli import main

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    command = ["train", "--data", str(chorale_data[0]), "--run-dir", str(tmp_path / "run")]
    assert main([*command, "--iterations", "2", "--device", "cuda"]) == 2
    error = capsys.readouterr().err
    assert "There is no CUDA device 0 here (this machine has 0)" in error
    assert "Traceback" not in error
