"""How much the held-out "drums shuffled between bars" changes the drums it spoils.

``bench_band_ranking`` asks that MMA's own rendering be scored above a copy of it with each
drum instrument's bars put in another order, for 90% of windows. MMA's drums repeat a
groove (humanised: a hit here and there differs), so shuffling the bars of a steady groove
moves few hits. Before any judge is blamed for missing the shuffle, this reads, on the
benchmark's own windows (the same choice per style and meter as ``bench_band_ranking``),
how much each shuffle changed: the share of the real drum hits (step, instrument) that the
copy no longer has, and the benchmark's steady-groove measure (the best Jaccard agreement
of each bar with a bar near it) before and after. A copy that keeps nearly every hit is
the same music, and no critic can be asked to tell it from the real one.

Both shuffles are read: ``models.band_negatives.drums_shuffled`` (held out) and the
benchmark's own ``band_ranking_measures.spoil`` one; and, beside them, the trained groove
kind ``drums_displaced`` (session 14). ``--draws`` shuffles per window (each window's
draws from its own seed, not the benchmark's stream: this reads the spoiler, not one run).

Session 23 adds, per draw, what a listener would hear: whether the copy is the real drums
exactly (audibly identical), the share of its bars that differ from the real bar in the same
place, and whether every bar of the copy is one of the real window's own kit bars (then the
shuffle only put the groove's own bars in another order); and, per window, the real drums'
own bar-to-bar variation: the share of a bar's hits that the most alike bar one or two
away lacks, averaged over the window's bars (1 less its steadiness, by hits rather than
Jaccard). **The rule for the audible shuffle's threshold** (``band_negatives.
AUDIBLE_MOVED``), written before this reading: X is the median, over the validation
windows, of that own variation, rounded up to the next 5%. A shuffle that moves no more of
the hits than the groove's own bars differ from their neighbours stays inside what MMA's
drummer varies anyway; one that moves more changes the groove beyond it. No critic score
enters it.

``--models A,B``: also, per model, how often its critic alone scores MMA's own above each
held-out shuffle, by the share of hits the shuffle moved (a diagnostic: it chooses nothing).

Usage: .venv/bin/python benchmarks/band_shuffle_change.py [--split valid] [--data DIR]
       [--pieces 10] [--draws 20] [--out JSON] [--models A.safetensors,B.safetensors]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import band_ranking_measures as brm  # noqa: E402
import bench_band_ranking as bench  # noqa: E402
from bench_band_ranking import band_data_dir, from_first_bar, on_own_grid  # noqa: E402

from models.band_evaluate import band_windows, spread  # noqa: E402
from models.band_negatives import spoil_window  # noqa: E402
from models.band_pieces import load_band_split  # noqa: E402
from models.band_styles import STYLES  # noqa: E402
from models.pianoroll import meter_positions  # noqa: E402

THRESHOLDS = (0.0, 0.05, 0.10, 0.20)  # "changed at most this share of the hits"
BINS = (0.0, 0.05, 0.10, 0.20, 0.30, 1.01)  # the diagnostic's bins of hits moved


def drum_hits(tracks, window_tracks) -> np.ndarray:
    """``(step, rows)`` bool: every drum track's hits side by side."""
    return np.concatenate([o for t, (_, o) in zip(tracks, window_tracks) if t.is_drums], axis=1)


def kit_bars(hits: np.ndarray, bar_steps: int) -> list[bytes]:
    """Each whole bar of ``hits`` ``(step, rows)`` as bytes (the whole kit's bar)."""
    n_bars = hits.shape[0] // bar_steps
    return [hits[i * bar_steps : (i + 1) * bar_steps].tobytes() for i in range(n_bars)]


def heard(real: np.ndarray, copy: np.ndarray, bar_steps: int) -> dict[str, float]:
    """What a listener hears of a copy against the real drums (both ``(step, rows)``):
    ``identical`` 1 when every hit is the real one; ``bars_changed`` the share of whole
    bars that differ from the real bar in the same place; ``own_bars_only`` 1 when every
    bar of the copy is one of the real window's bars (the groove's bars reordered)."""
    a, b = kit_bars(real, bar_steps), kit_bars(copy, bar_steps)
    return {
        "identical": float(np.array_equal(real, copy)),
        "bars_changed": float(np.mean([x != y for x, y in zip(a, b, strict=True)])) if a else 0.0,
        "own_bars_only": float(set(b) <= set(a)),
    }


def own_variation(real: np.ndarray, bar_steps: int) -> float:
    """The share of a bar's hits that the most alike whole bar one or two away lacks,
    averaged over the whole bars (NaN under two bars): how much the groove varies itself."""
    n_bars = real.shape[0] // bar_steps
    if n_bars < 2:
        return float("nan")
    bars = [real[i * bar_steps : (i + 1) * bar_steps] for i in range(n_bars)]
    values = []
    for i, bar in enumerate(bars):
        n = int(bar.sum())
        if n == 0:
            continue
        near = [j for j in (i - 2, i - 1, i + 1, i + 2) if 0 <= j < n_bars]
        values.append(min(int((bar & ~bars[j]).sum()) for j in near) / n)
    return float(np.mean(values)) if values else float("nan")


def steadiness(hits: np.ndarray, bar_starts: np.ndarray) -> float:
    steps, rows = np.nonzero(hits)
    return brm.groove_steadiness(list(zip(steps.tolist(), rows.tolist())), bar_starts)


def spoiled_copies(kind: str, tracks, window, positions, rng):
    if kind == "benchmark drums_shuffled":
        return brm.spoil("drums_shuffled", tracks, window.tracks, None, window.meter, rng)
    return spoil_window(kind, tracks, window.tracks, positions, rng)


KINDS = ("drums_shuffled", "benchmark drums_shuffled", "drums_displaced")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("valid", "test"), default="valid")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--pieces", type=int, default=10)
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--models", default="", help="critics to read by hits moved")
    args = parser.parse_args()
    engines = []
    for path in filter(None, args.models.split(",")):
        from composer_gui.core.engine import Engine

        engine = Engine(Path(path), "cpu")
        engine.load()
        engines.append((path, engine))
    rejected = defaultdict(list)  # (model, kind) -> (share moved, real above the copy)
    data_dir = args.data or band_data_dir()
    data = load_band_split(data_dir, args.split)
    tracks = data.tracks
    windows = band_windows(data, 8)
    shares = defaultdict(list)  # kind -> per window, the mean share over its draws
    per_draw = defaultdict(list)  # kind -> every draw's share
    groove = defaultdict(list)  # kind -> (real, spoiled) steadiness per draw
    per_style = defaultdict(lambda: defaultdict(list))
    listened = defaultdict(lambda: defaultdict(list))  # kind -> heard()'s key -> per draw
    variation = []  # per window, the real drums' own bar-to-bar variation
    for style in STYLES:
        index = list(data.styles).index(style.name)
        for signature in style.grooves:
            pool = [w for w in windows if w.style == index and w.meter.signature == signature]
            pool = spread([w for w in map(from_first_bar, pool) if on_own_grid(w)], args.pieces)
            for j, window in enumerate(pool):
                positions = np.stack(meter_positions([(0, window.meter)], window.n_steps, 0))
                real = drum_hits(tracks, window.tracks)
                before = steadiness(real, positions[1] == 2)
                bar_steps = window.meter.bar_steps
                variation.append(own_variation(real, bar_steps))
                for kind in KINDS:
                    rng = np.random.default_rng(1000 * index + 10 * j + KINDS.index(kind))
                    draws, copies = [], []
                    for _ in range(args.draws):
                        copy = spoiled_copies(kind, tracks, window, positions, rng)
                        hits = drum_hits(tracks, copy)
                        draws.append(brm.moved_hits(tracks, window.tracks, copy))
                        for key, value in heard(real, hits, bar_steps).items():
                            listened[kind][key].append(value)
                        groove[kind].append((before, steadiness(hits, positions[1] == 2)))
                        copies.append(copy)
                    for path, engine in engines:
                        grid = bench.melody_on_grid(bench.window_melody(window))
                        raw = bench.take_scores(engine, grid, index, [window.tracks, *copies], True)
                        for moved, score in zip(draws, raw[1:], strict=True):
                            if moved > 0:  # an identical copy is left out, as the benchmark does
                                rejected[(path, kind)].append((moved, above(raw[0], score)))
                    per_draw[kind] += draws
                    shares[kind].append(float(np.nanmean(draws)))
                    meter = f"{signature[0]}/{signature[1]}"
                    per_style[kind][(style.name, meter)] += draws
    result = {"split": args.split, "data": str(data_dir), "draws": args.draws, "kinds": {}}
    for kind in KINDS:
        values = np.array([v for v in per_draw[kind] if not np.isnan(v)])
        real_g, spoiled_g = np.array(groove[kind], dtype=float).T
        ok = ~np.isnan(real_g) & ~np.isnan(spoiled_g)
        row = {
            "windows": len(shares[kind]),
            "draws": int(values.size),
            "mean_changed": float(values.mean()),
            "quartiles_changed": [float(q) for q in np.percentile(values, (25, 50, 75))],
            "draws_at_most": {f"{t:.0%}": float((values <= t).mean()) for t in THRESHOLDS},
            "groove_real": float(real_g[ok].mean()),
            "groove_spoiled": float(spoiled_g[ok].mean()),
            "heard": {key: float(np.mean(v)) for key, v in listened[kind].items()},
            "per_style_median": {
                f"{s} {m}": float(np.nanmedian(v)) for (s, m), v in per_style[kind].items()
            },
        }
        result["kinds"][kind] = row
        print(
            f"{kind}: {row['windows']} windows x {args.draws} draws; hits changed mean "
            f"{row['mean_changed']:.1%}, quartiles "
            + ", ".join(f"{q:.1%}" for q in row["quartiles_changed"])
            + "; draws changing at most "
            + ", ".join(f"{k}: {v:.0%}" for k, v in row["draws_at_most"].items())
            + f"; steady groove {row['groove_real']:.3f} -> {row['groove_spoiled']:.3f}"
        )
        print(
            "    heard: "
            + ", ".join(f"{k} {v:.0%}" for k, v in row["heard"].items())
            + " (identical: the real drums exactly; bars_changed: mean share of bars;"
            " own_bars_only: every bar one of the window's own)"
        )
        for name, median in row["per_style_median"].items():
            print(f"    {name}: median {median:.1%}")
    own = np.array([v for v in variation if not np.isnan(v)])
    result["own_variation"] = {
        "windows": int(own.size),
        "median": float(np.median(own)),
        "quartiles": [float(q) for q in np.percentile(own, (25, 50, 75))],
        "threshold": audible_threshold(own),
    }
    print(
        f"the real drums' own bar-to-bar variation over {own.size} windows: quartiles "
        + ", ".join(f"{q:.1%}" for q in result["own_variation"]["quartiles"])
        + f"; the rule's threshold (median rounded up to 5%): {audible_threshold(own):.0%}"
    )
    result["critic_rejects_by_moved"] = by_moved(rejected)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


def audible_threshold(own: np.ndarray) -> float:
    """The rule (module docstring): the median own variation, rounded up to the next 5%."""
    return math.ceil(float(np.median(own)) * 20 - 1e-9) / 20


def above(real: float, copy: float) -> float:
    """1 where MMA's own scores above the copy, a tie half (as the benchmark counts)."""
    return 0.5 if real == copy else float(real > copy)


def by_moved(rejected: dict) -> dict:
    """Per model and kind, the critic alone's share of copies scored below MMA's own in
    each bin of hits moved, printed as a table."""
    out = {}
    for (path, kind), pairs in rejected.items():
        moved, real_above = np.array(pairs).T
        cells = {}
        for lo, hi in zip(BINS[:-1], BINS[1:], strict=True):
            inside = (moved > lo if lo == 0 else moved >= lo) & (moved < hi)
            if inside.any():
                cells[f"{lo:.0%}-{min(hi, 1):.0%}"] = (
                    float(real_above[inside].mean()),
                    int(inside.sum()),
                )
        out[f"{Path(path).parent.name}/{Path(path).name} {kind}"] = cells
        print(f"{path}, {kind}: critic alone above the copy, by hits moved: " + ", ".join(
            f"{k} {100 * v:.0f}% ({n})" for k, (v, n) in cells.items()))  # fmt: skip
    return out


if __name__ == "__main__":
    main()
