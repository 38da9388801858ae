import json

import numpy as np
import pytest

from composer_gui.cli import main
from models.build_dataset import load_split
from models.checkpoint import load_model
from models.evaluate import (
    critic_calibration,
    evaluation_table,
    generate_for_window,
    percentile,
    targets_met,
    windows,
)


@pytest.fixture(scope="module")
def test_data(chorale_data):
    return load_split(chorale_data[0], "train")


def test_windows_start_on_downbeats_and_have_the_asked_length(test_data):
    for w in windows(test_data, bars=2):
        assert w.voices.shape[1] <= 2 * w.steps_per_bar
        assert w.bar_phase == 0


def test_the_table_has_the_four_rows_and_real_bach_looks_like_bach(tiny_model, test_data):
    generator, _, _ = load_model(tiny_model)
    table = evaluation_table(generator, test_data, k=2, bars=4)
    assert set(table) == {"bach", "model", "shuffled melody", "untrained"}
    bach = table["bach"]
    assert bach["polyphony"] == pytest.approx(3.0, abs=0.1)
    assert bach["qualified_note_rate"] > 0.9 and bach["empty_bar_rate"] < 0.02
    # Real voices with the wrong melody are further from it than with their own.
    assert table["shuffled melody"]["tonal_distance"] > bach["tonal_distance"]
    assert 0 <= table["model"]["diversity"] <= 1
    met = targets_met(table)
    assert set(met) >= {"polyphony", "in_key_ratio", "tonal_distance_below_shuffled"}


def test_calibration_is_monotonic_and_percentile_reads_it(tiny_model, test_data):
    _, critic, _ = load_model(tiny_model)
    quantiles = critic_calibration(critic, test_data, bars=4)
    assert len(quantiles) == 101 and np.all(np.diff(quantiles) >= 0)
    assert percentile(quantiles[0] - 1, quantiles) == 0.0
    assert percentile(quantiles[-1] + 1, quantiles) == 100.0
    assert 40 <= percentile(quantiles[50], quantiles) <= 60


def test_evaluate_command_prints_and_saves_the_table_and_updates_the_card(
    tiny_model, chorale_data, tmp_path, capsys
):
    model = tmp_path / "m.safetensors"
    model.write_bytes(tiny_model.read_bytes())
    model.with_suffix(".json").write_bytes(tiny_model.with_suffix(".json").read_bytes())
    out = tmp_path / "table.json"
    code = main(
        [
            "evaluate",
            "--model",
            str(model),
            "--data",
            str(chorale_data[0]),
            "--split",
            "test",
            "--candidates",
            "2",
            "--bars",
            "2",
            "--out",
            str(out),
            "--update-card",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "shuffled melody" in printed and "transposition" in printed
    saved = json.loads(out.read_text())
    assert {"bach", "model", "shuffled melody", "untrained", "model (raw network)"} <= set(
        saved["table"]
    )
    card = json.loads(model.with_suffix(".json").read_text())
    calibration = card["calibration"]
    assert calibration["split"] == "valid" and len(calibration["quantiles"]) == 101
    assert len(calibration["candidate_quantiles"]) == 101
    assert 0.0 <= calibration["candidate_median_on_real_scale"] <= 100.0
    assert "test" in card["metrics"]


def test_evaluate_without_a_dataset_says_how_to_build_one(tiny_model, tmp_path, capsys):
    code = main(["evaluate", "--model", str(tiny_model), "--data", str(tmp_path)])
    assert code == 2 and "dataset build" in capsys.readouterr().err


def test_a_window_draws_through_the_engines_path_and_its_condition_takes_gradients(
    tiny_model, test_data
):
    """``generate_for_window`` is ``sampling.draw_candidates`` (whose network pass runs in
    inference mode) stacked with the melody; the ranking stage trains the critic on its
    condition, so that must be a plain tensor autograd can save for backward."""
    import torch

    from models.encoding import accompaniment_channels
    from models.sampling import draw_candidates, stack_voices

    generator, critic, _ = load_model(tiny_model)
    w = windows(test_data, bars=2)[0]
    cond, rolls = generate_for_window(generator, w, 3, seed=5, density=0.4, variety=0.8)
    _, cleaned = draw_candidates(
        generator, w.voices[0], w.onsets[0], w.meter, w.bar_phase, 3, 5, 0.4, 0.8
    )
    assert np.array_equal(rolls[:, 1:], stack_voices(cleaned)[0])
    assert rolls.shape == (3, 4, w.voices.shape[1], rolls.shape[-1])
    assert not cond.is_inference()

    critic.train()
    padded = np.zeros((3, 3, cond.shape[-1], rolls.shape[-1]), dtype=np.float32)
    padded[:, :, : rolls.shape[2]] = rolls[:, 1:]
    accompaniment = accompaniment_channels(torch.from_numpy(padded)).requires_grad_(True)
    score = critic(cond.expand(3, -1, -1), accompaniment).sum()
    (gradient,) = torch.autograd.grad(score, accompaniment, create_graph=True)
    (score + gradient.square().sum()).backward()  # a gradient penalty's double backward
    assert all(p.grad is not None for p in critic.parameters() if p.requires_grad)
