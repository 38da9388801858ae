"""A tiny random-weight band model file (bass, piano, drums; styles pop and swing).

Built from ``models``' own networks (``GanConfig(tracks=..., styles=...)``) and saved as a
model file like the shipped ones, so the engine and ``accompany`` load it by the path a
trained band model takes. Its critic calibration is the quantiles of its own scores of
its own draws: enough for ranks and percentiles to be defined, not a measure of anything.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.pianoroll import Meter
from models.tracks import TrackSpec
from tests.support.model_files import TINY

BAND = (
    TrackSpec("bass", "bass", 28, 55, 33),
    TrackSpec("piano", "chords", 48, 79, 4),
    TrackSpec("drums", "drums"),
)
BAND_CONFIG = TINY.replace(tracks=tuple(t.to_dict() for t in BAND), styles=("pop", "swing"))


def write_band_model(
    stem: Path, seed: int = 0, tracks: tuple = BAND, styles: tuple = ("pop", "swing")
) -> Path:
    """Save a random-weight band model as ``stem.safetensors`` plus its card; returns the
    weights' path. For trying the band path by hand before a trained band
    model ships; ``tracks`` and ``styles`` make one shaped like a dataset's."""
    import torch

    from models.checkpoint import model_tensors, new_card, save_tensors_and_card
    from models.critic import Critic
    from models.generator import Generator
    from models.sampling import (
        candidate_probabilities,
        clean_candidates,
        critic_scores,
        melody_condition,
    )

    torch.manual_seed(seed)
    config = TINY.replace(tracks=tuple(t.to_dict() for t in tracks), styles=tuple(styles))
    generator, critic = Generator(config).eval(), Critic(config).eval()
    t = 64
    scores = []
    for style in range(len(styles)):
        cond = melody_condition(
            np.full(t, 30), np.ones(t, bool), Meter(4, 4), 0, t, "cpu", style, len(styles)
        )
        probs = candidate_probabilities(generator, cond, 16, style, 0.5)
        scores += list(critic_scores(critic, cond, clean_candidates(probs, 0.5, t, tracks)))
    card = new_card(config, name=stem.name, iterations=0)
    card["tracks"] = [t.to_dict() for t in tracks]
    described = {
        "pop": {"name": "pop", "description": "Straight eighths, a chord a half bar."},
        "swing": {
            "name": "swing",
            "description": "Ride cymbal and walking bass.",
            "harmonic_rhythm": "bar",
        },
    }
    card["styles"] = [described.get(name, {"name": name}) for name in styles]
    card["calibration"] = {"quantiles": list(np.quantile(scores, np.linspace(0, 1, 101)))}
    save_tensors_and_card(model_tensors(generator, critic), card, stem)
    return stem.with_suffix(".safetensors")


@pytest.fixture(scope="session")
def band_model(tmp_path_factory):
    """A band model file: random weights, its card listing tracks and styles."""
    return write_band_model(tmp_path_factory.mktemp("band") / "tiny-band")
