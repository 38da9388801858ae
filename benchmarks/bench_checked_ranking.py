"""Does the ranking's first choice beat the median candidate, by the critic alone and by
the critic with the musical checks (``models.ranking``)?  Over a split (validation by
default), 16 candidates of 8 bars per melody, several seeds; a tie counts half.

Each line is the share of melodies whose first choice beats the median candidate on one
measure.  Measures are marked:

- ``[shaping]``: the checks the ranking combines with the critic
  (``models.musical_checks.SHAPING_MEASURES``, fewer per bar is better) and their
  weighted sum: the ranking was built to lower these, so they show it works as built,
  not that it ranks well;
- ``[held out]``: measures no part of the ranking saw: agreement with Bach's own harmony
  for the melody, beat by beat (``harmonic_agreement.harmonic_agreement``), closeness to Bach's
  average window metrics (``metrics.distance_to_reference``, the old target), and the
  bass on the chord's root (``bass_on_root``, described but not ranked on).

Then two tests of the score itself, against the targets of issue 18: Bach's own
accompaniment put among the 16 candidates scores above their median (90%), and real Bach
scores above each spoiled copy of it (``models.negatives``, 90% each).

The published judging measures (PCS, CTnCTR, MCTD) are written apart, in another
benchmark; run it too.

Usage: python benchmarks/bench_checked_ranking.py [--model PATH] [--split valid]
       [--seeds 3] [--weights JSON]
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

from composer_gui.core.engine import default_model_path
from models.build_dataset import default_cache_dir, load_split
from models.checkpoint import load_model
from models.evaluate import _beats_median, bach_reference, windows
from models.harmonic_agreement import harmonic_agreement
from models.metrics import distance_to_reference, track_metrics
from models.musical_checks import SHAPING_MEASURES, shaping_rates
from models.negatives import KINDS
from models.ranking import WEIGHTS, critic_units, ranking_scores, weight_vector
from models.ranking_sets import candidate_sets


def judge(sets, quantiles, weights: dict[str, float]) -> dict[str, dict[str, float]]:
    """For the critic alone and the checked ranking: measure -> share of melodies."""
    rankers = {"critic": dict.fromkeys(SHAPING_MEASURES, 0.0), "checked": weights}
    out: dict[str, dict[str, list[float]]] = {name: {} for name in rankers}
    reference = bach_reference([s.window for s in sets])
    for s in sets:
        k, real = s.k, s.rolls[s.bach]
        rates = shaping_rates(s.checks)
        held_out = {
            "harmony": np.array([harmonic_agreement(r, real) for r in s.rolls[:k]]),
            "metrics": -np.array(
                [
                    distance_to_reference(track_metrics(r, s.window.steps_per_bar), reference)
                    for r in s.rolls[:k]
                ]
            ),
            "bass_on_root": np.array([c.bass_on_root / max(1, c.bass_bars) for c in s.checks[:k]]),
        }
        for name, w in rankers.items():
            score = ranking_scores(s.critic, s.checks, quantiles, w)
            top = int(np.argmax(score[:k]))
            hits = out[name]
            for j, measure in enumerate(SHAPING_MEASURES):
                hits.setdefault(measure, []).append(_beats_median(rates[top, j], rates[:k, j]))
            faults = rates[:k] @ weight_vector(weights)
            hits.setdefault("weighted faults", []).append(_beats_median(faults[top], faults))
            for measure, values in held_out.items():
                hits.setdefault(measure, []).append(
                    _beats_median(values[top], values, lower_is_better=False)
                )
            hits.setdefault("Bach above the median", []).append(
                float(score[s.bach] > np.median(score[:k]))
            )
            for kind in KINDS:
                hits.setdefault(f"Bach above {kind}", []).append(
                    float(score[s.bach] > score[s.spoiled(kind)])
                )
    return {
        name: {m: float(np.mean(v)) if v else math.nan for m, v in hits.items()}
        for name, hits in out.items()
    }


LABELS = {
    **{m: f"[shaping] fewer {m.replace('_', ' ')}" for m in SHAPING_MEASURES},
    "weighted faults": "[shaping] fewer faults, weighted as ranked",
    "harmony": "[held out] closer to Bach's harmony for the melody",
    "metrics": "[held out] closer to Bach's average metrics",
    "bass_on_root": "[held out] bass on the root in more bars",
    "Bach above the median": "score: Bach's own above the candidates' median (90%)",
    **{f"Bach above {k}": f"score: Bach above Bach spoiled by {k} (90%)" for k in KINDS},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--split", default="valid", choices=["train", "valid", "test"])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--weights", type=json.loads, default=None, help="JSON, as WEIGHTS")
    args = parser.parse_args()

    started = time.perf_counter()
    generator, critic, card = load_model(args.model or default_model_path())
    quantiles = card["calibration"]["quantiles"]
    weights = dict(WEIGHTS, **(args.weights or {}))
    data = load_split(args.data, args.split)
    per_seed, spreads = [], []
    for seed in range(args.seeds):
        sets = candidate_sets(generator, critic, data, 16, 8, 1000 * seed)
        per_seed.append(judge(sets, quantiles, weights))
        spreads += [critic_units(s.critic[: s.k], quantiles).std() for s in sets]
    n = len(windows(data, 8))
    print(f"{n} {args.split} melodies x {args.seeds} seeds, 16 candidates of 8 bars")
    print(f"weights (critic units per fault per bar): {weights}")
    print(f"{'first choice beats the median candidate on':<62} {'critic':>14} {'checked':>14}")
    for measure, label in LABELS.items():
        cells = []
        for ranker in ("critic", "checked"):
            values = [100 * r[ranker][measure] for r in per_seed]
            cells.append(f"{np.mean(values):3.0f}% ({min(values):.0f}-{max(values):.0f})")
        print(f"{label:<62} {cells[0]:>14} {cells[1]:>14}")
    print(
        f"(a take's critic units spread {np.mean(spreads):.2f} (standard deviation); "
        f"{time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
