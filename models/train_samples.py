"""Live samples of a training run: what the model writes for one fixed melody, every N.

The app's Train window shows the musician the model learning, as DeepComposer's console
did: every ``every`` iterations the training loop (one hook line in ``models/train.py``)
writes ``run_dir/samples/iteration_NNNNNN.npz`` with the EMA generator's cleaned
accompaniment of the same melody: of the validation split's first 24 windows (the
training split's when that is empty), the one whose melody plays most.  The first call
also writes ``run_dir/reference.json``: the data's own values of the metrics the log's ``val_*``
columns hold, so the window can plot the model against them.

Nothing happens unless ``run_dir/samples.json`` (``{"every": N, "bars": B}``) asks for
it, so ``composer-gui train`` on the command line pays nothing.  Every file is written
atomically: a run killed mid-write leaves the previous sample whole.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

SPEC_NAME = "samples.json"
SAMPLES_DIR = "samples"
REFERENCE_NAME = "reference.json"

# run folder -> (spec or None, the fixed window or None); read once per process
_runs: dict[Path, tuple[dict | None, object]] = {}


def request_samples(run_dir: Path, every: int, bars: int = 4) -> None:
    """Ask the training process of ``run_dir`` for a sample every ``every`` iterations."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    _atomic_text(run_dir / SPEC_NAME, json.dumps({"every": int(every), "bars": int(bars)}))


def after_iteration(run_dir: Path, data_dir: Path, generator, iteration: int) -> None:
    """The training loop's hook: write a sample when one is due (cheap when not)."""
    run_dir = Path(run_dir)
    if run_dir not in _runs:
        _runs[run_dir] = _prepare(run_dir, Path(data_dir))
    spec, window = _runs[run_dir]
    if spec is None or window is None or iteration % spec["every"] != 0:
        return
    write_sample(run_dir, generator, window, iteration)


def _prepare(run_dir: Path, data_dir: Path) -> tuple[dict | None, object]:
    spec_path = run_dir / SPEC_NAME
    if not spec_path.is_file():
        return None, None
    spec = json.loads(spec_path.read_text())
    if int(spec.get("every", 0)) < 1:
        return None, None
    from models.build_dataset import REST, load_split
    from models.evaluate import HEADLINE, bach_reference, windows

    bars = int(spec.get("bars", 4))
    data = load_split(data_dir, "valid")
    if len(data) == 0:
        data = load_split(data_dir, "train")
    wins = windows(data, bars)
    if not wins:
        return spec, None
    # the same windows as models.evaluate.training_evaluator, so the values compare
    reference = bach_reference(windows(data, 4)[:24])
    values = {f"val_{k}": reference[k] for k in HEADLINE}  # the columns the log has
    _atomic_text(run_dir / REFERENCE_NAME, json.dumps(values))
    # the fixed melody: of the first windows, the one whose melody plays most (a song's
    # window can open on a drum intro, and a roll of rests shows nothing learning)
    return spec, max(wins[:24], key=lambda w: int((w.voices[0] != REST).sum()))


def write_sample(run_dir: Path, generator, window, iteration: int) -> Path:
    """Write the generator's accompaniment of ``window``'s melody; returns the file."""
    import torch

    from models.evaluate import generate_for_window
    from models.pianoroll import LOWEST_PITCH

    was_training = generator.training
    generator.eval()
    with torch.no_grad():
        _, rolls = generate_for_window(generator, window, 1, seed=0)
    generator.train(was_training)
    out = Path(run_dir) / SAMPLES_DIR / f"iteration_{iteration:06d}.npz"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as f:
        np.savez_compressed(
            f,
            roll=rolls[0].astype(np.uint8),  # (track, step, pitch), melody first
            lowest_pitch=np.int64(LOWEST_PITCH),
            steps_per_bar=np.int64(window.steps_per_bar),
            iteration=np.int64(iteration),
        )
    os.replace(tmp, out)
    return out


def latest_sample(run_dir: Path) -> dict | None:
    """The newest sample as ``{"roll", "lowest_pitch", "steps_per_bar", "iteration"}``."""
    files = sorted((Path(run_dir) / SAMPLES_DIR).glob("iteration_*.npz"))
    if not files:
        return None
    with np.load(files[-1]) as f:
        return {k: (f[k] if k == "roll" else int(f[k])) for k in f.files}


def read_reference(run_dir: Path) -> dict[str, float]:
    path = Path(run_dir) / REFERENCE_NAME
    return json.loads(path.read_text()) if path.is_file() else {}


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n")
    os.replace(tmp, path)
