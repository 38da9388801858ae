"""Choose models.ranking's weights on the training split: how many critic units each fault
per bar costs.

For every training melody (8-bar windows, the first of each chorale) the app's 16
candidates, Bach's own accompaniment and Bach spoiled five ways (``models.negatives``)
are scored by the critic and checked (``models.musical_checks``).  A pairwise logistic
fit then asks: which non-negative penalties, added to the critic, best put real Bach
above each candidate and above each spoiled copy of the same melody?  The two kinds of
pair weigh alike.  The critic's own coefficient is fitted too and divided out, so the
printed weights are in critic units (``models.ranking.critic_units``) per fault per bar,
ready to paste into ``models.ranking.WEIGHTS``.

The label is Bach, not any measure the benchmark judges with, and only training melodies
are used: validation and test stay held out.

Usage: python benchmarks/fit_ranking_weights.py [--model PATH] [--seeds 2] [--steps 1500]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from composer_gui.core.engine import default_model_path
from models.build_dataset import default_cache_dir, load_split
from models.checkpoint import load_model
from models.musical_checks import SHAPING_MEASURES, shaping_rates
from models.negatives import KINDS
from models.ranking import critic_units
from models.ranking_sets import candidate_sets


def pair_differences(sets, quantiles) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """For each kind of pair, (Bach minus other) in critic units and in fault rates."""
    out: dict[str, tuple[list, list]] = {"candidates": ([], []), "spoiled": ([], [])}
    for s in sets:
        z, rates = critic_units(s.critic, quantiles), shaping_rates(s.checks)
        others = {
            "candidates": range(s.k),
            "spoiled": [s.spoiled(kind) for kind in KINDS],
        }
        for name, indices in others.items():
            for j in indices:
                out[name][0].append(z[s.bach] - z[j])
                out[name][1].append(rates[s.bach] - rates[j])
    return {
        name: (
            torch.tensor(np.array(dz), dtype=torch.float32),
            torch.tensor(np.array(dr), dtype=torch.float32),
        )
        for name, (dz, dr) in out.items()
    }


def fit(pairs, steps: int = 1500) -> tuple[dict[str, float], float]:
    """Non-negative weights (log-parametrised) in critic units, and the final loss."""
    log_scale = torch.zeros(1, requires_grad=True)
    log_weights = torch.full((len(SHAPING_MEASURES),), -3.0, requires_grad=True)
    optimizer = torch.optim.Adam([log_scale, log_weights], lr=0.05)
    for _ in range(steps):
        scale, weights = log_scale.exp(), log_weights.exp()
        loss = sum(
            torch.nn.functional.softplus(-(scale * dz - dr @ weights)).mean()
            for dz, dr in pairs.values()
        ) / len(pairs)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    weights = (log_weights.exp() / log_scale.exp()).detach().numpy()
    return {n: round(float(w), 2) for n, w in zip(SHAPING_MEASURES, weights)}, float(loss.detach())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()

    started = time.perf_counter()
    torch.manual_seed(0)
    generator, critic, card = load_model(args.model or default_model_path())
    quantiles = card["calibration"]["quantiles"]
    data = load_split(args.data, "train")
    sets = []
    for seed in range(args.seeds):
        sets += candidate_sets(generator, critic, data, k=16, bars=8, seed=1000 * seed)
    weights, loss = fit(pair_differences(sets, quantiles), args.steps)
    print(f"{len(sets)} training sets ({args.seeds} seeds), pairwise loss {loss:.3f}")
    print("WEIGHTS = {")
    for name, weight in weights.items():
        print(f'    "{name}": {weight},')
    print("}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
