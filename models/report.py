"""``composer-gui train-report``: plots of a training run and the seeds' comparison.

For one run: loss curves (critic, generator, Wasserstein estimate, gradient penalty,
reconstruction) and metric curves (validation metrics over iterations).

For several runs (one per loss, same data and budget): the figure the seeds talk about.
Each loss gives a distance estimate: the Wasserstein estimate for the WGANs, and for the
BCE GAN the Jensen-Shannon estimate log 2 - L_D / 2 (what an optimal discriminator's loss
measures).  We report how well each tracks the music's distance to Bach over training
(Spearman correlation with ``val_distance_to_bach``; higher is better) and how much it
oscillates (mean step-to-step change over the curve's 5-95% range; lower is calmer).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from models.run_log import read_log


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Rank correlation (average ranks for ties); NaN when either side is constant."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    if x.size < 3:
        return math.nan

    def ranks(v):
        order = np.argsort(v, kind="stable")
        r = np.empty(v.size)
        r[order] = np.arange(v.size)
        for value in np.unique(v):  # average ties
            tied = v == value
            r[tied] = r[tied].mean()
        return r

    rx, ry = ranks(x), ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return math.nan
    return float(np.corrcoef(rx, ry)[0, 1])


def oscillation(values: np.ndarray) -> float:
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    if values.size < 3:
        return math.nan
    spread = np.percentile(values, 95) - np.percentile(values, 5)
    return float(np.mean(np.abs(np.diff(values))) / spread) if spread > 0 else 0.0


def distance_estimate(row: dict, loss: str) -> float:
    if loss == "bce":
        return math.log(2) - row["critic_loss"] / 2
    return row["wasserstein"]


def at_evaluations(rows: list[dict], values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(values, distance to Bach)`` at each evaluated log row, each value averaged over
    the log rows since the previous evaluation, so that a single noisy batch does not
    stand for the model at that point."""
    evaluated = [
        i for i, r in enumerate(rows) if not math.isnan(r.get("val_distance_to_bach", math.nan))
    ]
    values = np.asarray(values, float)
    windows, start = [], 0
    for i in evaluated:
        since = values[start : i + 1]
        since = since[~np.isnan(since)]
        windows.append(float(since.mean()) if since.size else math.nan)
        start = i + 1
    return np.array(windows), np.array([rows[i]["val_distance_to_bach"] for i in evaluated])


def negatives_start(rows: list[dict]) -> int | None:
    """The iteration after which the critic's fakes included spoiled chorales
    (``GanConfig.critic_negatives``, the shipped model's second stage; the last logged
    iteration without them), or None: the critic's loss jumps there, and a reader of the
    curves should see why."""
    previous = 0
    for row in rows:
        if not math.isnan(row.get("negative_gap", math.nan)):
            return previous
        previous = int(row["iteration"])
    return None


def run_summary(run_dir: Path) -> dict:
    run_dir = Path(run_dir)
    config = json.loads((run_dir / "config.json").read_text())
    rows = read_log(run_dir / "log.csv")
    loss = config["loss"]
    estimate = np.array([distance_estimate(r, loss) for r in rows])
    windows, quality = at_evaluations(rows, estimate)
    return {
        "run": run_dir.name,
        "loss": loss,
        "iterations": int(rows[-1]["iteration"]) if rows else 0,
        "seconds": rows[-1]["seconds"] if rows else math.nan,
        "spearman_with_distance_to_bach": spearman(np.array(windows), quality),
        "oscillation": oscillation(estimate),
        "final_distance_to_bach": float(quality[-1]) if quality.size else math.nan,
        "negatives_after": negatives_start(rows),
        "negatives_share": config.get("critic_negatives", 0.0),
    }


def _mark_stage(ax, start: int | None) -> None:
    if start is not None:
        ax.axvline(start, color="tab:gray", ls="--", lw=1)
        ax.annotate(
            "spoiled chorales\nfrom here",
            (start, 1),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            va="top",
            fontsize=7,
            color="tab:gray",
        )


def _plot_run(run_dir: Path, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = read_log(Path(run_dir) / "log.csv")
    it = np.array([r["iteration"] for r in rows])
    name = Path(run_dir).name
    stage = negatives_start(rows)
    written = []

    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    for ax, key in zip(
        axes.flat, ["critic_loss", "generator_loss", "wasserstein", "reconstruction"]
    ):
        ax.plot(it, [r[key] for r in rows], lw=1)
        _mark_stage(ax, stage)
        ax.set_title(key.replace("_", " "))
        ax.set_xlabel("generator iteration")
        ax.grid(alpha=0.3)
    fig.suptitle(f"{name}: losses")
    fig.tight_layout()
    path = out / f"{name}-losses.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    written.append(path)

    metric_keys = [k for k in rows[0] if k.startswith("val_")] if rows else []
    evaluated = [r for r in rows if not math.isnan(r.get("val_distance_to_bach", math.nan))]
    if metric_keys and evaluated:
        cols = 4
        n_rows = math.ceil(len(metric_keys) / cols)
        fig, axes = plt.subplots(n_rows, cols, figsize=(13, 3 * n_rows))
        for ax, key in zip(np.atleast_1d(axes).flat, metric_keys):
            ax.plot(
                [r["iteration"] for r in evaluated], [r[key] for r in evaluated], marker="o", ms=3
            )
            _mark_stage(ax, stage)
            ax.set_title(key[4:].replace("_", " "))
            ax.grid(alpha=0.3)
        for ax in list(np.atleast_1d(axes).flat)[len(metric_keys) :]:
            ax.axis("off")
        fig.suptitle(f"{name}: validation metrics (binarized, cleaned music)")
        fig.tight_layout()
        path = out / f"{name}-metrics.png"
        fig.savefig(path, dpi=90)
        plt.close(fig)
        written.append(path)
    return written


def _plot_comparison(run_dirs: list[Path], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(run_dirs), 1, figsize=(10, 3 * len(run_dirs)), squeeze=False)
    for ax, run_dir in zip(axes[:, 0], run_dirs):
        config = json.loads((Path(run_dir) / "config.json").read_text())
        rows = read_log(Path(run_dir) / "log.csv")
        it = [r["iteration"] for r in rows]
        ax.plot(
            it,
            [distance_estimate(r, config["loss"]) for r in rows],
            lw=1,
            label=f"{config['loss']}: distance estimate",
        )
        ax.set_ylabel("estimate")
        twin = ax.twinx()
        evaluated = [r for r in rows if not math.isnan(r.get("val_distance_to_bach", math.nan))]
        twin.plot(
            [r["iteration"] for r in evaluated],
            [r["val_distance_to_bach"] for r in evaluated],
            color="tab:red",
            marker="o",
            ms=3,
            label="distance of the music to Bach",
        )
        twin.set_ylabel("distance to Bach", color="tab:red")
        ax.set_title(config["loss"])
        ax.legend(loc="upper right", fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("generator iteration")
    fig.tight_layout()
    path = out / "loss-comparison.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def write_report(run_dirs: list[Path], out: Path) -> Path:
    """PNGs and ``report.md`` into ``out``; returns the markdown's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    run_dirs = [Path(r) for r in run_dirs]
    lines = ["# Training report", ""]
    for run_dir in run_dirs:
        s = run_summary(run_dir)
        stage_text = (
            f" After iteration {s['negatives_after']}, {s['negatives_share']:.0%} of the "
            "critic's fakes were spoiled real chorales (the dashed line)."
            if s["negatives_after"] is not None
            else ""
        )
        lines += [
            f"## {s['run']} ({s['loss']})",
            "",
            f"{s['iterations']} generator iterations in {s['seconds'] / 60:.1f} min; "
            f"final distance of the music to Bach {s['final_distance_to_bach']:.3f}.{stage_text}",
            "",
        ]
        for png in _plot_run(run_dir, out):
            lines += [f"![{png.stem}]({png.name})", ""]
    if len(run_dirs) > 1:
        png = _plot_comparison(run_dirs, out)
        lines += [
            "## Does the loss track the music?",
            "",
            "Spearman correlation between each loss's distance estimate and the distance "
            "of the generated music to Bach's metrics, over training (higher: the curve "
            "tells you how training goes), and oscillation of the estimate (mean change "
            "per logged step over its 5-95% range; lower: calmer).",
            "",
            "| run | loss | Spearman with distance to Bach | oscillation |",
            "|---|---|---|---|",
        ]
        for run_dir in run_dirs:
            s = run_summary(run_dir)
            lines.append(
                f"| {s['run']} | {s['loss']} | {s['spearman_with_distance_to_bach']:.2f}"
                f" | {s['oscillation']:.3f} |"
            )
        lines += ["", f"![comparison]({png.name})", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path
