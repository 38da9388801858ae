"""Does the band's critic hear a groove spoilt?  Issue 18's "each kind of spoiled real music
scored below the real one 90% or more", read for the drums with spoils always audible.

Recorded command (figures in docs/benchmarks/band-ranking.md, session 23; the test split
read once, with the shipped band model):

    python benchmarks/band_groove_spoils.py --split test --pieces 30

The held-out "drums shuffled between bars" often changes nothing a listener hears (MMA's
grooves repeat bar for bar: ``band_shuffle_change.py``), so its 90% target asks a judge to
reject music that is not wrong. The groove judges of ``models.band_negatives.JUDGE_KINDS``
(declared, with which is the target's reading, before this was run on the test split) are
audible whenever they change anything: the whole kit an eighth late, kick and snare
swapped, and the shuffle restricted to copies moving ``AUDIBLE_MOVED`` of the hits or more.
Beside them, for comparison on the same windows, the held-out shuffle as it is and the
trial kind ``drums_displaced``.

Windows: per style and each meter it plays, the first window (from its first bar, on the
engine's own grid) of up to ``--pieces`` pieces spread over the split, as
``bench_band_ranking`` chooses them (``--pieces 10`` gives its windows). Per window and
kind, one spoiled copy from a seed of its own (style, window, kind), so adding a kind
changes no other kind's copies. A copy identical to the real drums is left out and
counted. Printed per kind: the share of copies MMA's own rendering is scored above, by the
take's ranking score (``bench_band_ranking.take_scores``: the critic less the band checks)
and by the critic alone, a tie half, each with its bootstrap 90% interval over melodies
(a soprano MMA renders in several styles is one melody), and per style and meter.

Usage: .venv/bin/python benchmarks/band_groove_spoils.py [--split valid|test] [--pieces 30]
       [--data DIR] [--model PATH] [--styles a,b] [--out JSON]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_band_ranking as bench  # noqa: E402
from band_ranking_report import interval  # noqa: E402

from composer_gui.core.engine import Engine  # noqa: E402
from composer_gui.core.melody_grid import melody_on_grid  # noqa: E402
from models.band_evaluate import band_windows, spread  # noqa: E402
from models.band_negatives import JUDGE_KINDS, moved_share, spoil_window  # noqa: E402
from models.band_pieces import load_band_split  # noqa: E402
from models.band_styles import STYLES  # noqa: E402
from models.pianoroll import meter_positions  # noqa: E402

COMPARED = ("drums_shuffled", "drums_displaced")  # read beside the judges, not judges
KINDS = JUDGE_KINDS + COMPARED
TARGET = 0.9


def above(real: float, copy: float) -> float:
    """1 where MMA's own scores above the copy, a tie half (as the benchmark counts)."""
    return 0.5 if real == copy else float(real > copy)


def read(args) -> dict:
    from composer_gui.paths import resource_path

    model = args.model or Path(resource_path("weights", "composer-band.safetensors"))
    engine = Engine(model, "cpu")
    engine.load()
    data = load_band_split(args.data or bench.band_data_dir(), args.split)
    tracks = engine.tracks
    windows = band_windows(data, 8)
    wanted = set(args.styles.split(",")) if args.styles else None
    # kind -> list of (style meter, melody, ranked above, critic above, hits moved)
    judged, unchanged = defaultdict(list), defaultdict(int)
    for style in STYLES:
        if wanted and style.name not in wanted:
            continue
        index = list(data.styles).index(style.name)
        for signature in style.grooves:
            meter = f"{signature[0]}/{signature[1]}"
            pool = [w for w in windows if w.style == index and w.meter.signature == signature]
            usable = [w for w in map(bench.from_first_bar, pool) if bench.on_own_grid(w)]
            for j, window in enumerate(spread(usable, args.pieces)):
                grid = melody_on_grid(bench.window_melody(window))
                positions = np.stack(meter_positions([(0, window.meter)], window.n_steps, 0))
                copies, kinds = [], []
                for k, kind in enumerate(KINDS):
                    rng = np.random.default_rng([23, index, j, k])
                    copy = spoil_window(kind, tracks, window.tracks, positions, rng)
                    same = all(
                        np.array_equal(a[1], b[1]) and np.array_equal(a[0], b[0])
                        for a, b in zip(copy, window.tracks, strict=True)
                    )
                    if same:
                        unchanged[kind] += 1
                        continue
                    copies.append(copy)
                    kinds.append(kind)
                if not copies:
                    continue
                candidates = [window.tracks, *copies]
                ranked = bench.take_scores(engine, grid, index, candidates)
                raw = bench.take_scores(engine, grid, index, candidates, True)
                melody = bench.window_melody_name(window)
                for i, (kind, copy) in enumerate(zip(kinds, copies, strict=True)):
                    judged[kind].append(
                        (
                            f"{style.name} {meter}",
                            melody,
                            above(ranked[0], ranked[1 + i]),
                            above(raw[0], raw[1 + i]),
                            moved_share(tracks, window.tracks, copy),
                        )
                    )
            print(f"{style.name} {meter}: done", flush=True)
    return {"judged": judged, "unchanged": unchanged, "model": engine.model_path.name}


def _span(bounds) -> str:
    return "" if bounds is None else f" [{100 * bounds[0]:.0f}-{100 * bounds[1]:.0f}]"


def report(args, readings: dict, seconds: float) -> tuple[list[str], dict]:
    judged, unchanged = readings["judged"], readings["unchanged"]
    command = " ".join(["python", *sys.argv])
    text = [
        f"`{command}`, {seconds:.0f} s; model `{readings['model']}`; split {args.split}.",
        "",
        "MMA's own rendering scored above each spoiled copy (target 90%), [bootstrap 90% "
        "interval over melodies]; copies identical to the real drums left out:",
        "",
        "| spoiled | role | ranking | critic alone | copies | left out (unchanged) "
        "| hits moved, median |",
        "|---|---|---|---|---|---|---|",
    ]
    result = {"command": command, "split": args.split, "model": readings["model"], "kinds": {}}
    result["seconds"] = round(seconds)
    for kind in KINDS:
        rows = judged.get(kind, [])
        role = "**judge (s23)**" if kind in JUDGE_KINDS else "compared"
        if not rows:
            text.append(f"| {kind} | {role} | - | - | 0 | {unchanged[kind]} | - |")
            continue
        _, melodies, ranked, critic, moved = (list(c) for c in zip(*rows, strict=True))
        spans = {"ranking": interval(ranked, melodies), "critic": interval(critic, melodies)}
        text.append(
            f"| {kind} | {role} | {100 * np.mean(ranked):.0f}%{_span(spans['ranking'])} | "
            f"{100 * np.mean(critic):.0f}%{_span(spans['critic'])} | {len(rows)} | "
            f"{unchanged[kind]} | {100 * np.median(moved):.0f}% |"
        )
        per_style = defaultdict(list)
        for name, _, r, c, _ in rows:
            per_style[name].append((r, c))
        result["kinds"][kind] = {
            "ranking": float(np.mean(ranked)),
            "critic": float(np.mean(critic)),
            "ranking_interval": spans["ranking"],
            "critic_interval": spans["critic"],
            "copies": len(rows),
            "unchanged": unchanged[kind],
            "moved_median": float(np.median(moved)),
            "per_style": {
                name: {
                    "ranking": float(np.mean([r for r, _ in v])),
                    "critic": float(np.mean([c for _, c in v])),
                    "copies": len(v),
                }
                for name, v in per_style.items()
            },
        }
    names = sorted({n for k in result["kinds"].values() for n in k["per_style"]})
    text += [
        "",
        "Per style and meter, ranking / critic alone (copies in brackets):",
        "",
        "| style meter | " + " | ".join(KINDS) + " |",
        "|---|" + "---|" * len(KINDS),
    ]
    for name in names:
        cells = []
        for kind in KINDS:
            cell = result["kinds"].get(kind, {}).get("per_style", {}).get(name)
            cells.append(
                "-"
                if cell is None
                else f"{100 * cell['ranking']:.0f} / {100 * cell['critic']:.0f}% ({cell['copies']})"
            )
        text.append(f"| {name} | " + " | ".join(cells) + " |")
    return text, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("valid", "test"), default="valid")
    parser.add_argument("--pieces", type=int, default=30, help="windows per style and meter")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--styles", default=None, help="comma-separated (quick runs)")
    parser.add_argument("--out", type=Path, default=None, help="json")
    args = parser.parse_args()
    started = time.perf_counter()
    readings = read(args)
    text, result = report(args, readings, time.perf_counter() - started)
    print("\n".join(text))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
