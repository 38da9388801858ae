"""The seeds' experiment, measured (``scripts/seeds_experiment.sh``, issue 18).

The seeds claim that the Wasserstein critic's estimate tracks learning while a BCE GAN's
losses oscillate, and that the Wasserstein loss resists mode collapse.  Given run folders
named ``<kind>-s<seed>`` (kinds: the three losses, and ``recon``, the same model without
the adversarial term), this module measures, per finished run:

(a) tracking: the Spearman correlation, over the evaluation points of training, between
    each loss series and the distance of the generated music's metrics to Bach's
    (``val_distance_to_bach``, logged by the training evaluator), and how much each loss
    oscillates (normalised total variation, lag-1 autocorrelation);
(b) diversity at equal quality: the final EMA generator's candidates for every
    validation melody at several sampling varieties, giving a curve of diversity against
    distance to Bach per run, read at distances every run reaches;
(c) what the adversarial term adds over reconstruction alone: (a) and (b) side by side.

Runs that are missing or unfinished are listed as such; the analysis uses finished runs.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from models.report import at_evaluations, distance_estimate, oscillation, spearman
from models.run_log import read_log

KINDS = ("wgan-gp", "wgan-clip", "bce", "recon")
# The three losses again without the reconstruction term (recon_weight 0): the GAN the
# seeds describe, beside the product's hybrid.
PURE_KINDS = ("wgan-gp-pure", "wgan-clip-pure", "bce-pure")
ALL_KINDS = KINDS + PURE_KINDS
LABELS = {
    "wgan-gp": "WGAN-GP",
    "wgan-clip": "WGAN, clipped weights",
    "bce": "BCE",
    "recon": "reconstruction only",
    "wgan-gp-pure": "WGAN-GP, no reconstruction",
    "wgan-clip-pure": "WGAN clipped, no reconstruction",
    "bce-pure": "BCE, no reconstruction",
}
COLOURS = {"wgan-gp": "tab:blue", "wgan-clip": "tab:green", "bce": "tab:red", "recon": "k"}
COLOURS |= {f"{k}-pure": COLOURS[k] for k in KINDS[:3]}
# Sampling varieties of the candidate sweep (models/sampling.py; the app's default is 0.5)
# and its size: every validation melody, 4 bars, 8 candidates each.
VARIETIES = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
SWEEP_CANDIDATES = 8
SWEEP_BARS = 4
# The loss series whose tracking and oscillation are measured.
SERIES = ("estimate", "critic_loss", "generator_loss", "reconstruction")


# --- Measures on series (tested on synthetic ones) ------------------------------------


def lag1_autocorrelation(values: np.ndarray) -> float:
    """Pearson correlation of a series with itself one step later, NaNs dropped.

    Near 1: the series moves smoothly (a trend); near 0: step-to-step noise; negative:
    it flips up and down from one logged step to the next (oscillation).
    """
    v = np.asarray(values, float)
    v = v[~np.isnan(v)]
    if v.size < 4 or np.std(v[:-1]) == 0 or np.std(v[1:]) == 0:
        return math.nan
    return float(np.corrcoef(v[:-1], v[1:])[0, 1])


def change_spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman correlation of the step-to-step changes of two series: whether one goes
    up and down with the other, not only along the same trend over training (any two
    series that both fall as training goes correlate in level)."""
    return spearman(np.diff(np.asarray(x, float)), np.diff(np.asarray(y, float)))


def diversity_at(distances, diversities, level: float) -> float:
    """A run's diversity at distance ``level`` to Bach, linearly between the sweep's
    points sorted by distance; NaN where the run's candidates never come that close
    (or never go that far)."""
    d, v = np.asarray(distances, float), np.asarray(diversities, float)
    keep = ~(np.isnan(d) | np.isnan(v))
    d, v = d[keep], v[keep]
    if d.size == 0 or level < d.min() or level > d.max():
        return math.nan
    order = np.argsort(d)
    return float(np.interp(level, d[order], v[order]))


def distance_levels(curves: list[tuple[np.ndarray, np.ndarray]], n: int = 4) -> list[float]:
    """Distances to Bach at which to compare runs' diversity: ``n`` quantiles (from 20%
    to 80%) of all the sweeps' distances pooled, rounded to 3 places, so each level is
    reached by several runs though not necessarily by all (those read as NaN)."""
    pooled = np.concatenate([np.asarray(d, float) for d, _ in curves]) if curves else []
    pooled = np.asarray(pooled)[~np.isnan(pooled)] if len(pooled) else np.array([])
    if pooled.size == 0:
        return []
    quantiles = np.quantile(pooled, np.linspace(0.2, 0.8, n))
    return sorted({round(float(q), 3) for q in quantiles})


# --- One run --------------------------------------------------------------------------


def run_kind(run_dir: Path) -> tuple[str, int]:
    """``(kind, seed)`` from a folder name such as ``wgan-clip-s1``."""
    kind, _, seed = Path(run_dir).name.rpartition("-s")
    return kind, int(seed)


def series(rows: list[dict], kind: str) -> dict[str, np.ndarray]:
    """The loss series of a run's log; the estimate is what its loss says of the distance
    between real and generated music (models.report.distance_estimate), NaN for
    reconstruction only, which has no critic."""
    loss = "bce" if kind.startswith("bce") else "wgan-gp"
    return {
        "estimate": np.array(
            [math.nan if kind == "recon" else distance_estimate(r, loss) for r in rows]
        ),
        **{key: np.array([r[key] for r in rows]) for key in SERIES[1:]},
    }


def tracking(rows: list[dict], kind: str) -> dict[str, float]:
    """Part (a) for one run: Spearman of each series with the distance to Bach at the
    evaluation points (and of their changes), oscillation and lag-1 autocorrelation of
    each series over every logged step, and the trend of the distance itself."""
    out: dict[str, float] = {}
    for name, values in series(rows, kind).items():
        at, distance = at_evaluations(rows, values)
        out[f"rho_{name}"] = spearman(at, distance)
        out[f"rho_change_{name}"] = change_spearman(at, distance)
        out[f"tv_{name}"] = oscillation(values)
        out[f"lag1_{name}"] = lag1_autocorrelation(values)
    evaluated = [r for r in rows if not math.isnan(r.get("val_distance_to_bach", math.nan))]
    distance = np.array([r["val_distance_to_bach"] for r in evaluated])
    out["rho_iteration"] = spearman(np.array([r["iteration"] for r in evaluated]), distance)
    out["first_distance"] = float(distance[0]) if distance.size else math.nan
    out["best_distance"] = float(distance.min()) if distance.size else math.nan
    out["final_distance"] = float(distance[-1]) if distance.size else math.nan
    out["final_diversity"] = float(evaluated[-1]["val_diversity"]) if evaluated else math.nan
    return out


def sweep(run_dir: Path, data_dir: Path) -> dict:
    """Part (b) for one run, cached in ``run_dir/sweep.json`` for its checkpoint: at each
    variety, the mean distance to Bach and mean diversity of the EMA generator's
    candidates over the validation melodies."""
    import torch

    from models.build_dataset import load_split
    from models.checkpoint import read_checkpoint_card, read_tensors
    from models.config import GanConfig
    from models.evaluate import _row, bach_reference, generate_for_window, windows
    from models.generator import Generator
    from models.metrics import distance_to_reference, diversity

    run_dir = Path(run_dir)
    iteration = read_checkpoint_card(run_dir / "checkpoint")["iteration"]
    settings = {
        "iteration": iteration,
        "varieties": list(VARIETIES),
        "candidates": SWEEP_CANDIDATES,
        "bars": SWEEP_BARS,
    }
    cache = run_dir / "sweep.json"
    if cache.is_file():
        cached = json.loads(cache.read_text())
        if cached.get("settings") == settings:
            return cached
    config = GanConfig.from_dict(json.loads((run_dir / "config.json").read_text()))
    generator = Generator(config)
    tensors = read_tensors(run_dir / "checkpoint")
    generator.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("ema.")})
    generator.eval()
    wins = windows(load_split(data_dir, "valid"), SWEEP_BARS)
    spb = [w.steps_per_bar for w in wins]
    reference = bach_reference(wins)
    points = []
    with torch.no_grad():
        for variety in VARIETIES:
            rolls = [
                generate_for_window(generator, w, SWEEP_CANDIDATES, i, variety=variety)[1]
                for i, w in enumerate(wins)
            ]
            points.append(
                {
                    "variety": variety,
                    "distance_to_bach": distance_to_reference(_row(rolls, spb), reference),
                    "diversity": float(np.nanmean([diversity(r) for r in rolls])),
                }
            )
    result = {"settings": settings, "melodies": len(wins), "points": points}
    cache.write_text(json.dumps(result, indent=2) + "\n")
    return result


# --- The report -----------------------------------------------------------------------


def expected_runs(seeds: list[int], pure_seeds: list[int] = ()) -> list[str]:
    """The script's runs in its order: each seed of the four kinds, then the pure GANs."""
    runs = [f"{kind}-s{seed}" for seed in seeds for kind in KINDS]
    return runs + [f"{kind}-s{seed}" for seed in pure_seeds for kind in PURE_KINDS]


def checkpoint_iteration(run_dir: Path) -> int:
    """The iteration of a run's last checkpoint, from the card its weights hold (the JSON
    beside them may be one save behind: ``models.checkpoint.read_checkpoint_card``); 0
    when it has none."""
    from models.checkpoint import read_checkpoint_card

    stem = Path(run_dir) / "checkpoint"
    if not stem.with_suffix(".safetensors").is_file():
        return 0
    return int(read_checkpoint_card(stem)["iteration"])


def run_status(run_dir: Path) -> int:
    """How far a run got: its checkpoint's iteration, or its log's last one when that is
    later (a run under way, or killed between checkpoints); 0 when it has neither."""
    done, log = checkpoint_iteration(run_dir), Path(run_dir) / "log.csv"
    rows = read_log(log) if log.is_file() else []
    return max(done, int(rows[-1]["iteration"])) if rows else done


def collect(
    out_dir: Path, seeds: list[int], iterations: int, data_dir: Path, pure_seeds=()
) -> dict:
    """Everything the report shows: per expected run, its status and, when finished, its
    tracking figures, its log and its sweep."""
    runs = {}
    for name in expected_runs(seeds, pure_seeds):
        run_dir = Path(out_dir) / name
        done = run_status(run_dir)
        entry = {"name": name, "kind": run_kind(run_dir)[0], "seed": run_kind(run_dir)[1]}
        entry["done"] = done
        if checkpoint_iteration(run_dir) >= iterations:
            rows = [r for r in read_log(run_dir / "log.csv") if r["iteration"] <= iterations]
            entry |= {
                "rows": rows,
                "tracking": tracking(rows, entry["kind"]),
                "sweep": sweep(run_dir, data_dir),
            }
        runs[name] = entry
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, help="the experiment's folder (runs/seeds)")
    parser.add_argument("--iterations", type=int, default=1000, help="a finished run's budget")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--pure-seeds", type=int, nargs="*", default=[0, 1])
    parser.add_argument("--data", type=Path, default=None, help="default: RUNS/data")
    parser.add_argument("--out", type=Path, default=Path("docs/training"))
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from models.seeds_writeup import write

    data = args.data or args.runs / "data"
    runs = collect(args.runs, args.seeds, args.iterations, data, args.pure_seeds)
    path = write(runs, args.out, args.iterations)
    print(f"Report written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
