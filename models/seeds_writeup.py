"""The seeds' experiment's markdown and plots, from ``models.seeds_report.collect``.

The file is rewritten whole each time but for the block between ``<!-- reading -->``
and ``<!-- /reading -->``, which a person writes after looking at the figures and which
is kept as it is.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from models.seeds_report import (
    ALL_KINDS,
    COLOURS,
    LABELS,
    SERIES,
    SWEEP_BARS,
    SWEEP_CANDIDATES,
    VARIETIES,
    distance_levels,
    diversity_at,
    series,
)

NAME = "seeds-experiment"
READING = re.compile(r"<!-- reading -->.*?<!-- /reading -->", re.S)
EMPTY_READING = "<!-- reading -->\n(Not yet written: read the figures below.)\n<!-- /reading -->"
SERIES_TITLES = {
    "estimate": "distance estimate",
    "critic_loss": "critic loss",
    "generator_loss": "generator loss",
    "reconstruction": "reconstruction",
}


def _f(value: float, digits: int = 2) -> str:
    """A table cell: correlations signed to 2 places, other figures to ``digits``."""
    if value is None or math.isnan(value):
        return "–"
    return f"{value:+.2f}" if digits == 2 else f"{value:.{digits}f}"


def _mean_over_seeds(runs: list[dict], key) -> str:
    """``mean (a, b, ...)`` of a figure over a kind's finished seeds."""
    values = [key(r) for r in runs]
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return "–"
    each = ", ".join("–" if math.isnan(v) else f"{v:.3f}" for v in values)
    return f"{np.mean(finite):.3f} ({each})"


def _sweep_curve(run: dict) -> tuple[np.ndarray, np.ndarray]:
    points = run["sweep"]["points"]
    return (
        np.array([p["distance_to_bach"] for p in points]),
        np.array([p["diversity"] for p in points]),
    )


def _at_variety(run: dict, variety: float, key: str) -> float:
    for p in run["sweep"]["points"]:
        if p["variety"] == variety:
            return p[key]
    return math.nan


# --- Plots ----------------------------------------------------------------------------


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_tracking(finished: list[dict], path: Path) -> None:
    """Per run: the loss's own estimate (reconstruction loss for reconstruction only)
    against the distance of the music to Bach, over training."""
    plt = _plt()
    seeds = sorted({r["seed"] for r in finished})
    kinds = [k for k in ALL_KINDS if any(r["kind"] == k for r in finished)]
    fig, axes = plt.subplots(
        len(kinds), len(seeds), figsize=(5 * len(seeds), 2.6 * len(kinds)), squeeze=False
    )
    for run in finished:
        ax = axes[kinds.index(run["kind"]), seeds.index(run["seed"])]
        rows = run["rows"]
        it = np.array([r["iteration"] for r in rows])
        name = "reconstruction" if run["kind"] == "recon" else "estimate"
        values = series(rows, run["kind"])[name]
        ax.plot(it, values, lw=0.6, color=COLOURS[run["kind"]], alpha=0.8)
        ax.set_ylabel(SERIES_TITLES[name], fontsize=8)
        twin = ax.twinx()
        evaluated = [r for r in rows if not math.isnan(r.get("val_distance_to_bach", math.nan))]
        twin.plot(
            [r["iteration"] for r in evaluated],
            [r["val_distance_to_bach"] for r in evaluated],
            color="tab:orange",
            lw=1.2,
        )
        twin.set_ylabel("distance to Bach", color="tab:orange", fontsize=8)
        rho = run["tracking"][f"rho_{name}"]
        ax.set_title(f"{LABELS[run['kind']]}, seed {run['seed']}: ρ = {_f(rho)}", fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes[-1]:
        ax.set_xlabel("generator iteration")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_losses(finished: list[dict], path: Path) -> None:
    """The raw critic and generator losses of each adversarial run, seeds overlaid."""
    plt = _plt()
    kinds = [k for k in ALL_KINDS if k != "recon" and any(r["kind"] == k for r in finished)]
    if not kinds:
        return
    fig, axes = plt.subplots(len(kinds), 2, figsize=(11, 2.6 * len(kinds)), squeeze=False)
    for run in finished:
        if run["kind"] not in kinds:
            continue
        row = axes[kinds.index(run["kind"])]
        it = [r["iteration"] for r in run["rows"]]
        for ax, key in zip(row, ("critic_loss", "generator_loss")):
            ax.plot(it, [r[key] for r in run["rows"]], lw=0.6, label=f"seed {run['seed']}")
            ax.set_title(f"{LABELS[run['kind']]}: {SERIES_TITLES[key]}", fontsize=9)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    for ax in axes[-1]:
        ax.set_xlabel("generator iteration")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def plot_diversity(finished: list[dict], levels: list[float], path: Path) -> None:
    """Diversity against distance to Bach: the final generators' sweep over varieties
    (lines; the variety-0 point ringed), and the training evaluator's points (faint)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 5.5))
    markers = "osD^v"
    for run in finished:
        colour, marker = COLOURS[run["kind"]], markers[run["seed"] % len(markers)]
        evaluated = [
            r for r in run["rows"] if not math.isnan(r.get("val_distance_to_bach", math.nan))
        ]
        ax.scatter(
            [r["val_distance_to_bach"] for r in evaluated],
            [r["val_diversity"] for r in evaluated],
            s=4,
            color=colour,
            alpha=0.15,
        )
        d, v = _sweep_curve(run)
        ax.plot(
            d,
            v,
            marker=marker,
            ms=4,
            color=colour,
            ls="--" if run["kind"].endswith("-pure") else "-",
            label=f"{LABELS[run['kind']]}, s{run['seed']}",
        )
        ax.scatter(d[:1], v[:1], s=80, facecolors="none", edgecolors=colour)
    for level in levels:
        ax.axvline(level, color="gray", ls=":", lw=1)
    ax.set_xlabel("distance of the candidates' metrics to Bach's (lower is closer)")
    ax.set_ylabel("diversity between candidates (1 − Jaccard)")
    ax.set_title("Diversity at equal quality (lines: final models over sampling variety)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


# --- Markdown -------------------------------------------------------------------------


def write(runs: dict[str, dict], out: Path, iterations: int) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{NAME}.md"
    previous = path.read_text() if path.is_file() else ""
    found = READING.search(previous)
    reading = found.group(0) if found else EMPTY_READING
    finished = [r for r in runs.values() if "tracking" in r]
    by_kind = {k: [r for r in finished if r["kind"] == k] for k in ALL_KINDS}

    lines = [
        "# The seeds' claims on our data",
        "",
        "Made by `scripts/seeds_experiment.sh` (models/seeds_report.py); rerun it to "
        "finish missing runs and rewrite this page.",
        "",
        reading,
        "",
        "## Runs",
        "",
        f"Every run is the `composer-gui train` default (GanConfig: the chorales, 4-bar "
        f"windows, batch 16, 5 critic steps for every loss, best-of-2 reconstruction "
        f"weight 10 beside the adversarial term) for {iterations} generator iterations, "
        "but for its loss and seed; *reconstruction only* is the same model with "
        "`adversarial_weight` 0 (no critic trained or asked); *no reconstruction* runs are "
        "the three losses with `recon_weight` 0, the pure GAN the seeds describe. WGAN "
        "with clipped weights uses RMSprop at 5e-5 (models/train.py), the others Adam at "
        "5e-4. Budgets are equal in generator iterations, not in time: reconstruction "
        "only trains no critic.",
        "",
        "| run | status | minutes | distance at first eval | best | final | final diversity |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs.values():
        if "tracking" in run:
            t = run["tracking"]
            minutes = run["rows"][-1]["seconds"] / 60
            lines.append(
                f"| {run['name']} | done | {minutes:.1f} | {_f(t['first_distance'], 3)} | "
                f"{_f(t['best_distance'], 3)} | {_f(t['final_distance'], 3)} | "
                f"{_f(t['final_diversity'], 3)} |"
            )
        else:
            state = f"in progress ({run['done']} of {iterations})" if run["done"] else "missing"
            lines.append(f"| {run['name']} | **{state}** | | | | | |")
    lines += [
        "",
        "**Distance to Bach** (the quality measure, lower is better): at every evaluation "
        "point (every 10 iterations) the training evaluator (models/evaluate.py, "
        "`training_evaluator`) draws 2 candidates at the app's default variety 0.5 for "
        "each of 24 four-bar validation windows, cleans and binarizes them like the app, "
        "and takes the mean relative deviation of five metrics (empty-bar rate, pitch "
        "classes per bar, qualified-note rate, polyphony, in-key ratio) from Bach's own "
        "accompaniment of the same windows (models/metrics.py, `distance_to_reference`). "
        "It is logged as `val_distance_to_bach`; no loss is trained on it.",
        "",
    ]
    if not finished:
        path.write_text("\n".join(lines) + "\n")
        return path

    plot_tracking(finished, out / f"{NAME}-tracking.png")
    plot_losses(finished, out / f"{NAME}-losses.png")
    lines += _tracking_section(runs, finished)
    lines += _diversity_section(finished, by_kind, out)
    lines += _adversarial_section(by_kind)
    path.write_text("\n".join(lines) + "\n")
    return path


def _tracking_section(runs: dict, finished: list[dict]) -> list[str]:
    lines = [
        "## (a) Does the loss track the music?",
        "",
        "ρ: Spearman correlation, over the evaluation points of one run, between a series "
        "(averaged over the log rows since the previous evaluation) and the distance to "
        "Bach; positive means the series falls as the music comes closer to Bach. The "
        "**estimate** is what the loss says of the distance between real and generated "
        "music: the critic's Wasserstein estimate, mean D(real) − D(fake), for both WGANs; "
        "log 2 − L_D / 2 (the Jensen-Shannon estimate) for BCE. Any two series that trend "
        "over training correlate in level, so the table also gives ρ of iteration with the "
        "distance (how much of it is trend) and **Δρ**, the correlation of the changes "
        "between consecutive evaluation points (does the series move with the music?).",
        "",
        "| run | ρ iteration | ρ estimate | Δρ estimate | ρ critic loss | ρ generator "
        "loss | ρ reconstruction | Δρ reconstruction |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in finished:
        t = run["tracking"]
        lines.append(
            f"| {run['name']} | {_f(t['rho_iteration'])} | {_f(t['rho_estimate'])} | "
            f"{_f(t['rho_change_estimate'])} | {_f(t['rho_critic_loss'])} | "
            f"{_f(t['rho_generator_loss'])} | {_f(t['rho_reconstruction'])} | "
            f"{_f(t['rho_change_reconstruction'])} |"
        )
    lines += [
        "",
        f"![tracking]({NAME}-tracking.png)",
        "",
        "### Oscillation",
        "",
        "Over every logged step (every 2 iterations, one batch each): **TV**, the mean "
        "absolute step-to-step change over the series' 5-95% range (0 is a flat line, "
        "about 0.3-0.5 is white noise, more is a saw-tooth); **lag-1**, the series' "
        "autocorrelation one logged step apart (near 1 smooth, near 0 noise, negative "
        "flip-flopping).",
        "",
        "| run | " + " | ".join(f"TV {SERIES_TITLES[s]} | lag-1" for s in SERIES) + " |",
        "|---|" + "---|---|" * len(SERIES),
    ]
    for run in finished:
        t = run["tracking"]
        cells = " | ".join(f"{_f(t[f'tv_{s}'], 3)} | {_f(t[f'lag1_{s}'])}" for s in SERIES)
        lines.append(f"| {run['name']} | {cells} |")
    lines += ["", f"![losses]({NAME}-losses.png)", ""]
    return lines


def _diversity_section(finished: list[dict], by_kind: dict, out: Path) -> list[str]:
    curves = [_sweep_curve(r) for r in finished]
    levels = distance_levels(curves)
    plot_diversity(finished, levels, out / f"{NAME}-diversity.png")
    melodies = finished[0]["sweep"]["melodies"]
    lines = [
        "## (b) Diversity between candidates at equal quality",
        "",
        f"Each finished run's final EMA generator draws {SWEEP_CANDIDATES} candidates for "
        f"each of the {melodies} validation melodies ({SWEEP_BARS} bars) at sampling "
        f"varieties {', '.join(str(v) for v in VARIETIES)} (0: the network's own choice "
        "per noise vector, so diversity there comes from its noise input alone, and a "
        "collapsed generator scores near 0). **Diversity** is the mean pairwise 1 − "
        "Jaccard of the candidates' accompaniment cells (models/metrics.py); more variety "
        "moves both diversity and distance, so runs are compared at equal distance: each "
        "run's diversity read off its curve (linearly between its points) at four "
        "distances, the 20-80% quantiles of all the sweeps' distances (the dotted lines; "
        "– where a run's curve does not reach), and at variety 0.",
        "",
    ]
    header = ["run", "diversity at variety 0", "distance at variety 0"]
    header += [f"diversity at distance {level:.3f}" for level in levels]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for run in finished:
        d, v = _sweep_curve(run)
        cells = [
            run["name"],
            _f(_at_variety(run, 0.0, "diversity"), 3),
            _f(_at_variety(run, 0.0, "distance_to_bach"), 3),
        ]
        cells += [_f(diversity_at(d, v, level), 3) for level in levels]
        lines.append("| " + " | ".join(cells) + " |")
    if not levels:
        lines += ["", "The runs' sweeps reach no common distance to Bach."]
    lines += ["", f"![diversity]({NAME}-diversity.png)", ""]
    return lines


def _adversarial_section(by_kind: dict) -> list[str]:
    lines = [
        "## (c) What the adversarial term adds over reconstruction alone",
        "",
        "Means over finished seeds (each seed in brackets). Distance and diversity at "
        "variety 0.5 (the app's default) from the sweep; distance to Bach, lower is closer.",
        "",
        "| model | seeds | final distance (training log) | distance at 0.5 | diversity at "
        "0.5 | diversity at 0 |",
        "|---|---|---|---|---|---|",
    ]
    for kind in ALL_KINDS:
        runs = by_kind[kind]
        if not runs:
            lines.append(f"| {LABELS[kind]} | **none finished** | | | | |")
            continue
        lines.append(
            f"| {LABELS[kind]} | {len(runs)} | "
            f"{_mean_over_seeds(runs, lambda r: r['tracking']['final_distance'])} | "
            f"{_mean_over_seeds(runs, lambda r: _at_variety(r, 0.5, 'distance_to_bach'))} | "
            f"{_mean_over_seeds(runs, lambda r: _at_variety(r, 0.5, 'diversity'))} | "
            f"{_mean_over_seeds(runs, lambda r: _at_variety(r, 0.0, 'diversity'))} |"
        )
    lines.append("")
    return lines
