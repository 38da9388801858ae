"""Fixtures: a small real dataset (a dozen music21 chorales) and tiny random-weight models.

Unit tests of the model and the engine run on these so they take seconds; integration
tests use the shipped model in resources/weights/.
"""

from __future__ import annotations

import pytest

from models.config import GanConfig

TINY = GanConfig(
    window_bars=2,
    g_channels=(16, 16, 32, 32),
    noise_channels=8,
    d_channels=(16, 16, 32, 32),
    batch_size=4,
    critic_steps=2,
    iterations=3,
)


def loaded_engine(model_path):
    """An ``Engine`` on the CPU with the model at ``model_path`` loaded."""
    from composer_gui.core.engine import Engine

    engine = Engine(model_path, "cpu")
    engine.load()
    return engine


@pytest.fixture(scope="session")
def chorale_data(tmp_path_factory):
    """``(data_dir, manifest, report)`` built from the first 14 chorales of the corpus."""
    from models.build_dataset import build_chorales

    out = tmp_path_factory.mktemp("data") / "chorales"
    manifest, report = build_chorales(out, limit=14)
    return out, manifest, report


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, chorale_data):
    """A model file with random weights, exported and calibrated like the shipped one."""
    import json

    import torch

    from models.build_dataset import load_split
    from models.checkpoint import model_tensors, new_card, save_tensors_and_card
    from models.critic import Critic
    from models.evaluate import critic_calibration
    from models.generator import Generator

    data_dir = chorale_data[0]
    torch.manual_seed(0)
    generator, critic = Generator(TINY).eval(), Critic(TINY).eval()
    stem = tmp_path_factory.mktemp("model") / "tiny"
    card = new_card(TINY, name="tiny", iterations=0)
    card["calibration"] = {
        "split": "train",
        "bars": 4,
        "quantiles": critic_calibration(critic, load_split(data_dir, "train"), bars=4),
    }
    save_tensors_and_card(model_tensors(generator, critic), card, stem)
    assert json.loads(stem.with_suffix(".json").read_text())["calibration"]
    return stem.with_suffix(".safetensors")
