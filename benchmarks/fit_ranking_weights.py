"""Choose models.ranking's weights on the validation split: how many critic units each fault
per bar (or graded beat) costs.

For every validation melody (8-bar windows, the first of each chorale) the app's 16
candidates, Bach's own accompaniment and Bach spoiled five ways (``models.negatives``)
are scored by the critic and checked (``models.musical_checks``).  A pairwise logistic
fit then asks: which non-negative penalties, added to the critic, best put real Bach
above each candidate and above each spoiled copy of the same melody?  The two kinds of
pair weigh alike.  The critic's coefficient is held at 1, so the printed
weights are in critic units (``models.ranking.critic_units``) per fault per bar (graded
checks: per unit of mean grade per beat), ready to paste into ``models.ranking.WEIGHTS``;
an L2 shrinkage is chosen by 3-fold cross-validation over the melodies (the loss on the
melodies left out), because without it the nearly separable fit has no finite answer.

The label is Bach, not any measure the benchmark judges with (PCS, CTnCTR, MCTD, the bass
on chord tones), and only validation melodies are used: the test split and the folk tunes
of ``bench_ranking_heldout.py`` stay held out.  (The first weights were fitted on the
training split; issue 18 asked for validation, which the GAN never trained on, so the
critic's scores there are the ones the app will see.)

Usage: python benchmarks/fit_ranking_weights.py [--model PATH] [--split valid] [--seeds 4]
       [--steps 1500]
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


def mean_rates(sets) -> dict[str, np.ndarray]:
    """Each check's mean rate for Bach, the candidates and the spoiled copies: what the
    fit had to tell apart (a check Bach commits as often as the model cannot help)."""
    groups: dict[str, list[np.ndarray]] = {"bach": [], "candidates": [], "spoiled": []}
    for s in sets:
        rates = shaping_rates(s.checks)
        groups["bach"].append(rates[s.bach])
        groups["candidates"].append(rates[: s.k].mean(axis=0))
        groups["spoiled"].append(rates[s.k + 1 :].mean(axis=0))
    return {name: np.mean(rows, axis=0) for name, rows in groups.items()}


def fit(pairs, l2: float = 0.0, steps: int = 1500) -> tuple[np.ndarray, float]:
    """Non-negative weights (log-parametrised) in critic units, and the final pairwise loss.

    The critic's coefficient is held at 1: the critic stays the basis of the score and
    one critic unit is the logistic's temperature.  Without the ``l2`` shrinkage the fit
    is nearly separable (the critic alone puts Bach above 98% of the candidates), and
    the weights grow without bound (parallels 34, inner discord 97 critic units)."""
    log_weights = torch.full((len(SHAPING_MEASURES),), -3.0, requires_grad=True)
    optimizer = torch.optim.Adam([log_weights], lr=0.05)
    for _ in range(steps):
        weights = log_weights.exp()
        loss = pair_loss(pairs, weights)
        optimizer.zero_grad()
        (loss + l2 * (weights**2).sum()).backward()
        optimizer.step()
    return log_weights.exp().detach().numpy(), float(loss.detach())


def pair_loss(pairs, weights) -> torch.Tensor:
    """Mean logistic loss of Bach over the others, each kind of pair weighing alike."""
    weights = torch.as_tensor(weights, dtype=torch.float32)
    return sum(
        torch.nn.functional.softplus(-(dz - dr @ weights)).mean() for dz, dr in pairs.values()
    ) / len(pairs)


def choose_l2(sets, quantiles, folds: int = 3, steps: int = 1500) -> tuple[float, dict]:
    """The shrinkage with the least pairwise loss on melodies left out, ``folds``-fold
    over validation melodies (every seed of one melody in the same fold)."""
    melodies = sorted({s.window.name for s in sets})
    fold_of = {m: i % folds for i, m in enumerate(melodies)}
    losses = {}
    for l2 in L2_GRID:
        held = []
        for f in range(folds):
            fit_sets = [s for s in sets if fold_of[s.window.name] != f]
            left_out = [s for s in sets if fold_of[s.window.name] == f]
            weights, _ = fit(pair_differences(fit_sets, quantiles), l2, steps)
            held.append(float(pair_loss(pair_differences(left_out, quantiles), weights)))
        losses[l2] = float(np.mean(held))
    return min(losses, key=losses.get), losses


L2_GRID = (0.0, 3e-5, 1e-4, 3e-4, 1e-3, 1e-2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--split", default="valid", choices=["train", "valid"])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--steps", type=int, default=1500)
    args = parser.parse_args()

    started = time.perf_counter()
    torch.manual_seed(0)
    generator, critic, card = load_model(args.model or default_model_path())
    quantiles = card["calibration"]["quantiles"]
    data = load_split(args.data, args.split)
    sets = []
    for seed in range(args.seeds):
        sets += candidate_sets(generator, critic, data, k=16, bars=8, seed=1000 * seed)
    l2, losses = choose_l2(sets, quantiles, steps=args.steps)
    vector, loss = fit(pair_differences(sets, quantiles), l2, args.steps)
    weights = {n: round(float(w), 2) for n, w in zip(SHAPING_MEASURES, vector)}
    print(f"{len(sets)} {args.split} sets ({args.seeds} seeds), pairwise loss {loss:.3f}")
    print("left-out loss by shrinkage: " + ", ".join(f"{k:g} {v:.4f}" for k, v in losses.items()))
    print(f"chosen shrinkage {l2:g}")
    rates = mean_rates(sets)
    print(f"{'check':<22}{'bach':>8}{'candidates':>12}{'spoiled':>9}")
    for i, name in enumerate(SHAPING_MEASURES):
        print(f"{name:<22}" + "".join(f"{rates[g][i]:>{w}.3f}" for g, w in zip(rates, (8, 12, 9))))
    print("WEIGHTS = {")
    for name, weight in weights.items():
        print(f'    "{name}": {weight},')
    print("}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
