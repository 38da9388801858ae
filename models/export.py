"""From a training run to a model file: the EMA generator and the critic, with their card."""

from __future__ import annotations

import json
from pathlib import Path

from models.build_dataset import read_manifest
from models.checkpoint import (
    model_tensors,
    new_card,
    read_card,
    read_tensors,
    save_tensors_and_card,
)
from models.config import GanConfig
from models.critic import Critic
from models.errors import ModelFileError
from models.generator import Generator


def export_model(run_dir: Path, out: Path, data_dir: Path, name: str | None = None) -> Path:
    """Write ``out`` (.safetensors + .json) from ``run_dir/checkpoint``.

    The card gets the config, grid, data manifest hash, iterations, seed, wall time and
    hardware now; ``composer-gui evaluate --update-card`` adds metrics and calibration.
    """
    run_dir, out = Path(run_dir), Path(out).with_suffix(".safetensors")
    card = read_card(run_dir / "checkpoint")
    tensors = read_tensors(run_dir / "checkpoint")
    config = GanConfig.from_dict(json.loads((run_dir / "config.json").read_text()))
    generator, critic = Generator(config), Critic(config)
    for module, prefix in ((generator, "ema."), (critic, "critic.")):
        state = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        if not state:
            raise ModelFileError(f"{run_dir} has no {prefix[:-1]} weights in its checkpoint.")
        module.load_state_dict(state)
    manifest = read_manifest(data_dir)
    model_card = new_card(
        config,
        name=name or out.stem,
        description=(
            "Writes alto, tenor and bass for a melody; trained on the Bach chorales in "
            "music21 (soprano as melody). Weights: EMA of the generator, and the critic."
        ),
        data={
            "source": manifest["source"],
            "content_hash": manifest["content_hash"],
            "counts": manifest["counts"],
        },
        iterations=card["iteration"],
        seed=config.seed,
        training_seconds=round(card["seconds"], 1),
        hardware=card.get("hardware", ""),
        world_size=card.get("world_size", 1),
        **({"initialized_from": card["initialized_from"]} if "initialized_from" in card else {}),
    )
    save_tensors_and_card(model_tensors(generator, critic), model_card, out.with_suffix(""))
    return out
