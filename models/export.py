"""From a training run to a model file: the EMA generator and the critic, with their card.

The card says what the model is (its tracks and styles are in its config), what data it
learnt from with that data's licence, and the critic's calibration on the validation
split, so a model written by ``train --export`` ranks with readable percentiles at once.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.band_pieces import is_band_dataset, load_band_split, style_meters
from models.build_dataset import load_split, read_manifest
from models.checkpoint import (
    START_FIELDS,
    model_tensors,
    new_card,
    read_checkpoint_card,
    read_tensors,
    save_tensors_and_card,
)
from models.config import GanConfig
from models.critic import Critic
from models.errors import ModelFileError
from models.generator import Generator

CALIBRATION_BARS = 8
CHORALE_DESCRIPTION = (
    "Writes alto, tenor and bass for a melody; trained on the Bach chorales in "
    "music21 (soprano as melody). Weights: EMA of the generator, and the critic."
)


def _data_card(data_dir: Path) -> tuple[dict, str]:
    """The card's ``data`` entry and the model's description, from the dataset's manifest."""
    if not is_band_dataset(data_dir):
        manifest = read_manifest(data_dir)
        data = {k: manifest[k] for k in ("source", "content_hash", "counts")}
        return data, CHORALE_DESCRIPTION
    manifest = json.loads((Path(data_dir) / "manifest.json").read_text())
    data = {
        k: manifest[k]
        for k in ("source", "licence", "counts", "steps", "styles", "tracks")
        if k in manifest
    }
    data.update(
        {
            k: manifest[k]
            for k in ("made_by", "licences", "description", "fine_tune")
            if k in manifest
        }
    )
    data["style_meters"] = style_meters(data_dir)  # what each style can be asked to play
    tracks = ", ".join(f"{t['name']} ({t['kind']})" for t in manifest["tracks"])
    fine_tune = manifest.get("fine_tune") or {}
    styles = ", ".join(fine_tune.get("offered_styles") or manifest.get("styles", ()))
    tuned = f"fine-tuned from {fine_tune['model']} on " if fine_tune else "trained on "
    description = (
        f"Writes {tracks} for a melody, in {styles or 'one style'}; {tuned}"
        f"{manifest['source']}. Weights: EMA of the generator, and the critic."
    )
    return data, description


def calibrate(generator, critic, data_dir: Path) -> dict:
    """The critic's quantiles on the validation split's real music and on the model's
    own candidates (``Candidate.percentile`` reads ``quantiles``)."""
    generator.eval()
    critic.eval()
    if is_band_dataset(data_dir):
        from models.band_evaluate import band_calibration

        # a folder of a few songs may have none in its validation split: the critic's
        # scale is then read on the training songs, and the card says so
        split = "valid"
        data = load_band_split(data_dir, split)
        if len(data) == 0:
            split, data = "train", load_band_split(data_dir, "train")
        calibration = band_calibration(generator, critic, data, CALIBRATION_BARS)
        return {"split": split, **calibration}
    from models.evaluate import candidate_calibration, critic_calibration, percentile

    held_out = load_split(data_dir, "valid")
    real = critic_calibration(critic, held_out, CALIBRATION_BARS)
    candidates = candidate_calibration(generator, critic, held_out, CALIBRATION_BARS)
    return {
        "split": "valid",
        "bars": CALIBRATION_BARS,
        "quantiles": real,
        "candidate_quantiles": candidates,
        "candidate_median_on_real_scale": percentile(candidates[50], real),
    }


def export_model(
    run_dir: Path, out: Path, data_dir: Path, name: str | None = None, calibrated: bool = True
) -> tuple[Path, dict]:
    """Write ``out`` (.safetensors + .json) from ``run_dir/checkpoint``; the file's path
    and its card (as ``load_model`` hands back the card), so a caller need not read it back.

    The card gets the config, grid, data (with its licence), iterations, seed, wall time,
    hardware and, unless ``calibrated`` is False, the critic's calibration on the
    validation split; ``composer-gui evaluate --update-card`` adds metrics.
    """
    run_dir, out = Path(run_dir), Path(out).with_suffix(".safetensors")
    card = read_checkpoint_card(run_dir / "checkpoint")  # the card that fits the weights
    tensors = read_tensors(run_dir / "checkpoint")
    config = GanConfig.from_dict(json.loads((run_dir / "config.json").read_text()))
    generator, critic = Generator(config), Critic(config)
    for module, prefix in ((generator, "ema."), (critic, "critic.")):
        state = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        if not state:
            raise ModelFileError(f"{run_dir} has no {prefix[:-1]} weights in its checkpoint.")
        module.load_state_dict(state)
    from models.fine_tune import prepared

    data_dir = prepared(run_dir, data_dir, None, config)[0]  # a fine-tune's fitted data
    data, description = _data_card(data_dir)
    model_card = new_card(
        config,
        name=name or out.stem,
        description=description,
        data=data,
        iterations=card["iteration"],
        seed=config.seed,
        training_seconds=round(card["seconds"], 1),
        hardware=card.get("hardware", ""),
        world_size=card.get("world_size", 1),
        **{key: card[key] for key in START_FIELDS if key in card},
    )
    fine_tune = data.pop("fine_tune", None)
    if fine_tune:  # the styles its data played (models.fine_tune): the ones it offers
        offered = fine_tune.pop("offered_styles", [])
        model_card["fine_tune"] = fine_tune
        if offered:
            model_card["offered_styles"] = offered
    if calibrated:
        model_card["calibration"] = calibrate(generator, critic, data_dir)
    save_tensors_and_card(model_tensors(generator, critic), model_card, out.with_suffix(""))
    return out, model_card


def recalibrate(model_path: Path, data_dir: Path) -> dict:
    """Write a model card's calibration again from ``data_dir``'s validation split, as
    export does (after a change to how candidates are ranked, so the number shown stays
    on the scale the take is ranked on); the weights are not touched."""
    from models.checkpoint import load_model

    model_path = Path(model_path)
    generator, critic, _ = load_model(model_path)
    card_path = model_path.with_suffix(".json")
    card = json.loads(card_path.read_text())
    card["calibration"] = calibrate(generator, critic, Path(data_dir))
    tmp = card_path.with_name(card_path.name + ".tmp")
    tmp.write_text(json.dumps(card, indent=2) + "\n")
    tmp.replace(card_path)
    return card["calibration"]
