"""The seeds' experiment's measures, on synthetic series whose answers are known, and its
report on a tiny real run plus made-up ones (missing, unfinished, finished)."""

import math

import numpy as np
import pytest

from models.seeds_report import (
    VARIETIES,
    change_spearman,
    collect,
    distance_levels,
    diversity_at,
    expected_runs,
    lag1_autocorrelation,
    run_kind,
    sweep,
    tracking,
)
from models.seeds_writeup import write
from models.train import train
from tests.support.model_files import TINY


def test_lag1_autocorrelation_tells_a_trend_from_noise_and_flip_flopping():
    rng = np.random.default_rng(0)
    assert lag1_autocorrelation(np.linspace(0, 1, 200)) == pytest.approx(1.0, abs=0.01)
    assert abs(lag1_autocorrelation(rng.normal(size=4000))) < 0.05
    assert lag1_autocorrelation(np.tile([1.0, -1.0], 100)) == pytest.approx(-1.0)
    assert math.isnan(lag1_autocorrelation(np.ones(10)))
    assert math.isnan(lag1_autocorrelation(np.array([1.0, np.nan, 2.0])))


def test_change_spearman_sees_through_a_shared_trend():
    rng = np.random.default_rng(1)
    trend = np.linspace(1, 0, 300)
    a = trend + 0.05 * rng.normal(size=300)
    b = trend + 0.05 * rng.normal(size=300)  # same trend, independent wiggles
    assert change_spearman(a, b) == pytest.approx(0.0, abs=0.15)
    wiggles = 0.05 * rng.normal(size=300)
    assert change_spearman(trend + wiggles, 2 * trend + 3 * wiggles) > 0.9


def test_diversity_is_read_at_a_distance_only_inside_a_runs_curve():
    distances = [0.03, 0.01, 0.02]  # unsorted, as a sweep over varieties may be
    diversities = [0.6, 0.2, 0.4]
    assert diversity_at(distances, diversities, 0.015) == pytest.approx(0.3)
    assert diversity_at(distances, diversities, 0.03) == pytest.approx(0.6)
    assert math.isnan(diversity_at(distances, diversities, 0.005))
    assert math.isnan(diversity_at(distances, diversities, 0.031))


def test_distance_levels_lie_among_the_pooled_sweeps():
    curves = [(np.linspace(0.01, 0.02, 6), np.zeros(6)), (np.linspace(0.02, 0.04, 6), None)]
    levels = distance_levels(curves)
    assert len(levels) == 4 and levels == sorted(levels)
    assert levels[0] > 0.01 and levels[-1] < 0.04
    assert distance_levels([]) == []


def _rows(estimate, critic_loss, distance, eval_every=5):
    rows = []
    for i, (w, c) in enumerate(zip(estimate, critic_loss)):
        it = 2 * (i + 1)
        evaluated = (i + 1) % eval_every == 0
        rows.append(
            {
                "iteration": it,
                "seconds": float(it),
                "critic_loss": c,
                "generator_loss": -w,
                "wasserstein": w,
                "gradient_penalty": 0.0,
                "reconstruction": 1.0 + distance[i],
                "val_distance_to_bach": distance[i] if evaluated else math.nan,
                "val_diversity": 0.5 if evaluated else math.nan,
            }
        )
    return rows


def test_tracking_finds_an_estimate_that_follows_the_music_and_a_loss_that_does_not():
    rng = np.random.default_rng(2)
    n = 500
    distance = np.linspace(0.1, 0.02, n) + 0.01 * np.sin(np.arange(n) / 15)
    tracking_estimate = 30 * distance + 0.02 * rng.normal(size=n)
    flip_flop = np.tile([1.0, -1.0], n // 2) + 0.1 * rng.normal(size=n)
    good = tracking(_rows(tracking_estimate, -tracking_estimate, distance), "wgan-gp")
    assert good["rho_estimate"] > 0.95 and good["rho_change_estimate"] > 0.5
    assert good["rho_iteration"] < -0.9
    assert good["lag1_critic_loss"] > 0.5
    bad = tracking(_rows(flip_flop, flip_flop, distance), "wgan-gp")
    assert abs(bad["rho_estimate"]) < 0.3
    assert bad["lag1_critic_loss"] < -0.5 and bad["tv_critic_loss"] > good["tv_critic_loss"]
    assert bad["final_distance"] == pytest.approx(distance[-1])


def test_bce_runs_are_judged_by_their_jensen_shannon_estimate():
    distance = np.linspace(0.1, 0.02, 100)
    critic_loss = 2 * distance  # log 2 - L_D / 2 then falls with the distance
    t = tracking(_rows(np.zeros(100), critic_loss, distance), "bce-pure")
    assert t["rho_estimate"] == pytest.approx(-1.0)


def test_reconstruction_only_has_no_estimate():
    distance = np.linspace(0.1, 0.02, 50)
    rows = _rows(np.full(50, math.nan), np.full(50, math.nan), distance)
    t = tracking(rows, "recon")
    assert math.isnan(t["rho_estimate"]) and t["rho_reconstruction"] == pytest.approx(1.0)


def test_run_names_follow_the_scripts_order():
    assert run_kind("wgan-clip-pure-s3") == ("wgan-clip-pure", 3)
    assert expected_runs([0, 1], [0])[:5] == [
        "wgan-gp-s0",
        "wgan-clip-s0",
        "bce-s0",
        "recon-s0",
        "wgan-gp-s1",
    ]
    assert expected_runs([0], [0])[-1] == "bce-pure-s0"


def test_the_report_marks_missing_and_unfinished_runs_and_keeps_its_reading(chorale_data, tmp_path):
    data_dir = chorale_data[0]
    from models.build_dataset import load_split
    from models.evaluate import training_evaluator

    evaluator = training_evaluator(load_split(data_dir, "valid"), n_windows=2, bars=2)
    for name, iterations in (("wgan-gp-s0", 4), ("bce-s0", 2)):
        config = TINY.replace(loss=name.split("-s")[0], iterations=iterations)
        train(
            config, data_dir, tmp_path / name, "cpu", log_every=1, eval_every=1, evaluate=evaluator
        )
    first = sweep(tmp_path / "wgan-gp-s0", data_dir)
    assert [p["variety"] for p in first["points"]] == list(VARIETIES)
    assert all(0 <= p["diversity"] <= 1 for p in first["points"])
    assert sweep(tmp_path / "wgan-gp-s0", data_dir) == first  # cached for its checkpoint

    runs = collect(tmp_path, [0], 4, data_dir, pure_seeds=[])
    assert "tracking" in runs["wgan-gp-s0"] and "tracking" not in runs["bce-s0"]
    out = tmp_path / "docs"
    page = write(runs, out, 4).read_text()
    assert "| bce-s0 | **in progress (2 of 4)** |" in page
    assert "| recon-s0 | **missing** |" in page
    assert (out / "seeds-experiment-tracking.png").is_file()
    assert (out / "seeds-experiment-diversity.png").is_file()

    edited = page.replace("(Not yet written: read the figures below.)", "WGAN-GP tracks.")
    (out / "seeds-experiment.md").write_text(edited)
    assert "WGAN-GP tracks." in write(runs, out, 4).read_text()


def test_a_runs_checkpoint_iteration_is_the_weights_card_not_the_lagging_json(tmp_path):
    """Session 21 put a checkpoint's card inside its weights, which commit it; the JSON
    beside them can be one save behind (a stop between the two writes).  The report reads
    the card the weights hold."""
    import json

    import torch

    from models.build_dataset import grid_dict
    from models.checkpoint import FORMAT_VERSION, save_checkpoint_files
    from models.seeds_report import checkpoint_iteration

    run = tmp_path / "wgan-gp-s0"
    assert checkpoint_iteration(run) == 0  # no checkpoint yet
    card = {"format_version": FORMAT_VERSION, "grid": grid_dict(), "iteration": 20}
    save_checkpoint_files({"x": torch.zeros(1)}, card, run / "checkpoint")
    (run / "checkpoint.json").write_text(json.dumps(card | {"iteration": 10}))  # one behind
    assert checkpoint_iteration(run) == 20
