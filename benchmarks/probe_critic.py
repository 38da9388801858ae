"""What does the critic judge?  Its scores of real test-split chorales against the same
chorales spoiled (models/negatives.py) and against the model's own candidates.

A critic that knows harmony scores each real accompaniment above its spoiled copies
(another chorale's accompaniment, the same one moved a few semitones or a beat against
the melody, the passing notes removed).  A critic that only learned to spot the
generator's accent scores spoiled Bach as highly as real Bach, and then cannot rank the
generator's candidates either: that is how the first shipped critic failed.

Usage: python benchmarks/probe_critic.py [--model PATH] [--bars 8] [--split test]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from composer_gui.core.engine import default_model_path
from models.build_dataset import REST, default_cache_dir, load_split
from models.checkpoint import load_model
from models.encoding import REST_CLASS
from models.evaluate import generate_for_window, windows
from models.negatives import KINDS, spoiled_window
from models.sampling import critic_scores, melody_condition, pad_length, real_accompaniment_channels


def critic_score(critic, cond: torch.Tensor, accompaniment: torch.Tensor) -> float:
    """Score of one accompaniment ``(3, T)`` of class indices against its melody."""
    voices = torch.where(accompaniment == REST_CLASS, REST, accompaniment).numpy()
    with torch.no_grad():
        return float(critic(cond, real_accompaniment_channels(voices, cond.shape[-1])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--split", default="test", choices=["train", "valid", "test"])
    parser.add_argument("--bars", type=int, default=8)
    args = parser.parse_args()

    generator, critic, _ = load_model(args.model or default_model_path())
    wins = windows(load_split(args.data, args.split), args.bars)
    generator_rng = torch.Generator().manual_seed(0)
    classes = [
        torch.from_numpy(np.where(w.voices[1:] == REST, REST_CLASS, w.voices[1:])) for w in wins
    ]
    scores: dict[str, list[float]] = {"real": [], **{k: [] for k in KINDS}}
    scores |= {"candidates (mean)": [], "candidates (best)": []}
    for i, w in enumerate(wins):
        n = pad_length(w.voices.shape[1], generator.config.time_multiple)
        cond = melody_condition(w.voices[0], w.onsets[0], w.meter, 0, n)

        scores["real"].append(critic_score(critic, cond, classes[i]))
        for kind in KINDS:
            spoiled = spoiled_window(kind, classes, i, generator_rng)
            scores[kind].append(critic_score(critic, cond, spoiled))
        cond_k, rolls = generate_for_window(generator, w, 16, i)
        own = critic_scores(critic, cond_k, rolls[:, 1:].astype(np.float32))
        scores["candidates (mean)"].append(float(own.mean()))
        scores["candidates (best)"].append(float(own.max()))

    real = np.array(scores["real"])
    print(
        f"{len(wins)} {args.split} windows of {args.bars} bars; critic score (higher = more real)"
    )
    print(f"{'':>20}  {'mean':>7}  {'real above it':>13}")
    for name, values in scores.items():
        values = np.array(values)
        above = "" if name == "real" else f"{100 * np.mean(real > values):12.0f}%"
        print(f"{name:>20}  {values.mean():7.3f}  {above:>13}")


if __name__ == "__main__":
    main()
