"""Model files: safetensors weights plus a JSON model card; never pickles.

A shipped model is ``<name>.safetensors`` (generator EMA and critic weights, keys
prefixed ``generator.`` and ``critic.``) next to ``<name>.json``, the card: format
version, the grid it was trained for, the GanConfig, data manifest hash, steps, seed,
wall time, hardware, metrics and the critic's calibration.  Loading refuses a card whose
grid or config does not match this code and names the field.

Training checkpoints (resumable) use the same two-file form with optimiser state and
random-number state added, and the whole card is also stored in the weights' own
safetensors metadata.  Each file is written to a temporary name and renamed, the weights
first: that rename commits the checkpoint, and the card read on resume is the one inside
the weights, so Cancel, a crash or Quit between the two renames cannot pair new weights
with the old card's iteration, optimiser groups and numpy RNG state.  ``checkpoint.json``
is then a readable copy that lags by at most one checkpoint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from models.build_dataset import grid_dict
from models.config import GanConfig
from models.critic import Critic
from models.encoding import POSITION_ENCODING, widen_v1_condition_weight
from models.errors import ModelFileError
from models.generator import Generator

FORMAT_VERSION = 1


def _atomic_write_bytes(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # a model file is read by whoever runs the app
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def save_tensors_and_card(tensors: dict[str, torch.Tensor], card: dict, stem: Path) -> None:
    """Write ``stem.safetensors`` then ``stem.json``, each atomically."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    _atomic_write_bytes(stem.with_suffix(".safetensors"), lambda p: save_file(tensors, str(p)))
    _atomic_write_bytes(
        stem.with_suffix(".json"), lambda p: p.write_text(json.dumps(card, indent=2) + "\n")
    )


# The safetensors metadata key under which a training checkpoint keeps its own card.
CHECKPOINT_CARD_KEY = "composer.checkpoint_card"


def save_checkpoint_files(tensors: dict[str, torch.Tensor], card: dict, stem: Path) -> None:
    """A training checkpoint: the card inside the weights too; the weights' rename commits."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    metadata = {CHECKPOINT_CARD_KEY: json.dumps(card)}
    _atomic_write_bytes(
        stem.with_suffix(".safetensors"), lambda p: save_file(tensors, str(p), metadata=metadata)
    )
    _atomic_write_bytes(
        stem.with_suffix(".json"), lambda p: p.write_text(json.dumps(card, indent=2) + "\n")
    )


def read_checkpoint_card(stem: Path) -> dict:
    """The card that belongs to a checkpoint's weights: the one stored inside them (the
    JSON beside them may be one save behind), or, for a checkpoint written before session
    21 without one, the JSON card."""
    path = Path(stem).with_suffix(".safetensors")
    if not path.is_file():
        raise ModelFileError(f"The checkpoint weights {path.name} are missing.")
    try:
        with safe_open(str(path), framework="pt") as weights:
            metadata = weights.metadata() or {}
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        raise ModelFileError(
            f"The checkpoint weights {path.name} are damaged or truncated ({error})."
        ) from None
    if CHECKPOINT_CARD_KEY not in metadata:
        return read_card(path)
    try:
        card = json.loads(metadata[CHECKPOINT_CARD_KEY])
    except json.JSONDecodeError as error:
        raise ModelFileError(f"The card inside {path.name} is not valid JSON ({error}).") from None
    return check_card(card, path.name)


def read_card(path: Path) -> dict:
    """The model card beside a weights file (``x.safetensors`` → ``x.json``)."""
    card_path = Path(path).with_suffix(".json")
    if not card_path.is_file():
        raise ModelFileError(f"The model card {card_path} is missing; a model needs both files.")
    try:
        card = json.loads(card_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelFileError(f"The model card {card_path} is not valid JSON ({error}).") from None
    return check_card(card, card_path)


def check_card(card: dict, card_path) -> dict:
    """Refuse a card for another format version or grid, naming the field."""
    card_path = Path(card_path)
    if card.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{card_path} has format version {card.get('format_version')}, "
            f"this Composer reads version {FORMAT_VERSION}."
        )
    grid = card.get("grid", {})
    for key, value in grid_dict().items():
        if grid.get(key) != value:
            raise ModelFileError(
                f"{card_path.name} was trained for {key} = {grid.get(key)}, "
                f"but this Composer uses {value}; use a model made for this version."
            )
    return card


# What a fine-tune's card says of the model it started from: its file's name, and the
# iterations that model had had in all (``training_iterations`` of its card; session 23).
START_FIELDS = ("initialized_from", "initialized_from_iterations")


def training_iterations(card: dict) -> int | None:
    """All the training a model's weights have had: its own ``iterations`` and, for a
    fine-tune, those of the model it started from (``initialized_from_iterations``);
    None where the card does not say (no iterations, or a fine-tune from before session
    23, whose card names its start but not how trained it was)."""
    if card.get("iterations") is None:
        return None
    own = int(card["iterations"])
    if not card.get("initialized_from"):
        return own
    start = card.get("initialized_from_iterations")
    return None if start is None else own + int(start)


def position_encoding_of(card: dict) -> int:
    """The card's position-feature encoding; cards from before meters (no field) are 1."""
    return int(card.get("grid", {}).get("position_encoding", 1))


# The layers that read the condition; the only ones whose shape the encoding changes.
CONDITION_LAYERS = ("generator.stem.0.weight", "critic.body.0.weight")


def widen_v1_tensors(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """A model file made before meters, mapped onto this encoding (in 4/4 and 3/4 it
    then computes what it did; other meters are new to it)."""
    widened = dict(tensors)
    for key in CONDITION_LAYERS:
        if key in widened:
            widened[key] = widen_v1_condition_weight(widened[key])
    return widened


def read_tensors(path: Path) -> dict[str, torch.Tensor]:
    path = Path(path).with_suffix(".safetensors")
    if not path.is_file():
        raise ModelFileError(f"The model weights {path} are missing.")
    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        raise ModelFileError(
            f"The model weights {path.name} are damaged or truncated ({error})."
        ) from None


def _load_state(module: torch.nn.Module, tensors: dict[str, torch.Tensor], prefix: str, name):
    state = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    if missing:
        raise ModelFileError(f"{name} lacks {prefix}{missing[0]}; it was made for another model.")
    for key, value in state.items():
        if key not in expected or expected[key].shape != value.shape:
            raise ModelFileError(
                f"{name} has {prefix}{key} shaped {tuple(value.shape)}, which does not fit "
                "this model's configuration."
            )
    module.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()})


def load_model(path: Path, device: str | torch.device = "cpu"):
    """Read a shipped or trained model: ``(generator, critic, card)``, in eval mode."""
    path = Path(path)
    card = read_card(path)
    try:
        config = GanConfig.from_dict(card["config"])
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(
            f"{path.with_suffix('.json').name} has a bad config: {error}."
        ) from None
    tensors = read_tensors(path)
    encoding = position_encoding_of(card)
    if encoding == 1:
        tensors = widen_v1_tensors(tensors)
    elif encoding != POSITION_ENCODING:
        raise ModelFileError(
            f"{path.name} uses position encoding {encoding}, this Composer reads "
            f"{POSITION_ENCODING} (or 1); use a model made for this version."
        )
    generator, critic = Generator(config), Critic(config)
    _load_state(generator, tensors, "generator.", path.name)
    _load_state(critic, tensors, "critic.", path.name)
    generator.to(device).eval()
    critic.to(device).eval()
    return generator, critic, card


def model_tensors(generator: torch.nn.Module, critic: torch.nn.Module, half: bool = True):
    """Weights for a shipped file; fp16 halves the size and costs nothing audible."""
    dtype = torch.float16 if half else torch.float32
    tensors = {f"generator.{k}": v.to(dtype) for k, v in generator.state_dict().items()}
    tensors.update({f"critic.{k}": v.to(dtype) for k, v in critic.state_dict().items()})
    return tensors


def model_grid() -> dict:
    """The grid a model file written now records: the dataset grid and the encoding."""
    return {**grid_dict(), "position_encoding": POSITION_ENCODING}


def new_card(config: GanConfig, **fields) -> dict:
    card = {"format_version": FORMAT_VERSION, "grid": model_grid(), "config": config.to_dict()}
    card.update(fields)
    return card
