"""The meters on real tunes, for choosing: the validation set (``validation_tunes.py``)
through ``composer-gui accompany`` with each model given, judged by the corpus
benchmark's code, per meter and against the 4/4 row.

Recorded commands (docs/meters.md):

    python benchmarks/validation_tunes.py --out docs/benchmarks/meter-validation-set.json
    python benchmarks/bench_meter_validation.py --model A.safetensors --model B.safetensors \\
        --json docs/benchmarks/meter-validation.json

The first writes the set (names per meter; parsing the corpus benchmark's 383 tunes to
exclude them takes about 2 minutes); the second reads it, checks it again against the
corpus benchmark's recorded tunes (``docs/benchmarks/corpus.json``), and accompanies
each tune with each model as ``bench_corpus.run_tune`` does (4 candidates, seed 0), the
CLI's ``main`` called in this process (``--jobs N``: N processes, as the corpus bench).
Per model it prints the corpus benchmark's table; then, per meter, PCS, PCS on the beats
and CTnCTR of every model side by side with the gap to that model's own 4/4 row.
This set shapes choices; the corpus benchmark judges them.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_corpus as bc  # noqa: E402
import corpus_tunes as ct  # noqa: E402
import validation_tunes as vt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SET_FILE = ROOT / "docs" / "benchmarks" / "meter-validation-set.json"
KEYS = ("pcs", "pcs_beats", "ctnctr")


def run_model(model: Path | None, tunes: dict[str, list[ct.Tune]], work: Path, jobs: int | None):
    """Every tune accompanied by ``model`` (None: the shipped one); (rows, records).
    ``jobs`` None: one at a time through the CLI's ``main`` in this process."""
    work.mkdir(parents=True, exist_ok=True)
    flat = [t for meter in tunes for t in tunes[meter]]
    if jobs is None:
        records = [bc.run_tune(t, work, model, in_process=True) for t in flat]
    else:
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            records = list(pool.map(lambda t: bc.run_tune(t, work, model), flat))
    for record, tune in zip(records, flat, strict=True):
        record["meter"] = tune.ref.meter  # 12/8: the re-barred copy, not its 6/8 header
    rows = []
    for meter in tunes:
        mine = [r for r in records if r["meter"] == meter]
        judged = [r for r in mine if r["accompanied"]]
        refusals = Counter(r["refusal"] for r in mine if not r["accompanied"])
        rows.append(bc.summarise(meter, judged, len(mine), refusals))
    return rows, records


def use_held_beat() -> None:
    """The engine's clean-up with the compound beat held, in this process: the rule
    chosen on the re-timed chorales that the corpus benchmark found worse (docs/meters.md)."""
    from functools import partial

    from models import meter_cleanup, sampling

    sampling.accompaniment_voices = partial(
        meter_cleanup.accompaniment_voices, held=meter_cleanup.compound_beat
    )


def gap(row: dict, ref: dict, key: str) -> float:
    return row[key] / ref[key] - 1 if ref[key] else math.nan


def print_comparison(names: list[str], results: list[list[dict]]) -> None:
    """Per meter, each model's PCS / PCS on the beats / CTnCTR and its gap to its own 4/4."""
    print(f"\n{'meter':>6} " + " ".join(f"{n[:30]:>32}" for n in names))
    for i, meter in enumerate(r["row"] for r in results[0]):
        cells = []
        for rows in results:
            row, ref = rows[i], next(r for r in rows if r["row"] == "4/4")
            cells.append(
                " ".join(f"{row[k]:.3f}({100 * gap(row, ref, k):+.0f})" for k in KEYS).rjust(32)
            )
        print(f"{meter:>6} " + " ".join(cells))
    print("(PCS, PCS on the beats, CTnCTR; in brackets % against the same model's 4/4 row)")
    for name, rows in zip(names, results, strict=True):
        ref = next(r for r in rows if r["row"] == "4/4")
        weak = [r for r in rows if r["row"] != "4/4"]
        worst = {k: min(gap(r, ref, k) for r in weak) for k in ("pcs", "ctnctr")}
        mean = {k: float(np.mean([r[k] for r in weak])) for k in KEYS}
        print(
            f"{name}: weak meters' mean PCS {mean['pcs']:.3f}, on the beats "
            f"{mean['pcs_beats']:.3f}, CTnCTR {mean['ctnctr']:.3f}; worst gap to 4/4 "
            f"PCS {100 * worst['pcs']:+.1f}%, CTnCTR {100 * worst['ctnctr']:+.1f}%; "
            f"meters within 5% on both: "
            + ", ".join(
                r["row"]
                for r in weak
                if all(abs(gap(r, ref, k)) <= bc.TOLERANCE for k in ("pcs", "ctnctr"))
            )
        )


def print_paired(base: str, base_tunes: list[dict], name: str, tunes: list[dict]) -> None:
    """Per meter, the mean per-tune difference ``name`` - ``base`` on the same tunes, with
    its standard error: the tunes differ far more among themselves (PCS sd 0.04-0.11 a
    meter) than two models on one tune, so only the paired difference tells models apart
    on 12 tunes a meter."""
    before = {(r["tune"], r["meter"]): r for r in base_tunes if r["accompanied"]}
    after = {(r["tune"], r["meter"]): r for r in tunes if r["accompanied"]}
    meters = list(dict.fromkeys(r["meter"] for r in base_tunes))
    print(f"\n{name} - {base}, per tune (mean +- standard error):")
    print(f"{'meter':>6} {'tunes':>5} " + " ".join(f"{k:>16}" for k in KEYS))
    weak: dict[str, list[float]] = {k: [] for k in KEYS}
    for meter in [*meters, "weak"]:
        cells = []
        for key in KEYS:
            if meter == "weak":
                diffs = weak[key]
            else:
                diffs = [
                    after[k][key] - before[k][key]
                    for k in before
                    if k[1] == meter and k in after
                    if before[k][key] is not None and after[k][key] is not None
                ]
                diffs = [d for d in diffs if not math.isnan(d)]
                if meter != "4/4":
                    weak[key] += diffs
            se = np.std(diffs, ddof=1) / math.sqrt(len(diffs)) if len(diffs) > 1 else math.nan
            cells.append(f"{np.mean(diffs):+.3f} +- {se:.3f}".rjust(16))
        print(f"{meter:>6} {len(diffs):>5} " + " ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", default=None)
    parser.add_argument("--set", type=Path, default=SET_FILE, help="the set's names per meter")
    parser.add_argument("--limit", type=int, default=None, help="tunes per meter (quick run)")
    parser.add_argument(
        "--jobs", type=int, default=None, help="CLI processes at once (default: in this process)"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_meter_validation"))
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--against",
        type=Path,
        default=None,
        help="an earlier run's JSON: its first model is "
        "the baseline of the paired differences (else this run's first model)",
    )
    parser.add_argument(
        "--held",
        action="store_true",
        help="the compound beat held (meter_cleanup.compound_beat, not shipped): does this "
        "set see what the corpus benchmark saw of it? (in this process only)",
    )
    args = parser.parse_args()
    if args.held:
        if args.jobs is not None:
            parser.error("--held changes the clean-up in this process: leave out --jobs")
        use_held_beat()

    started = time.perf_counter()
    tunes = vt.read_set(args.set, args.limit)
    recorded = json.loads((ROOT / "docs" / "benchmarks" / "corpus.json").read_text())
    vt.assert_disjoint(tunes, {r["tune"] for r in recorded["tunes"]})
    print(
        f"validation set {args.set.name}: "
        + ", ".join(f"{m} {len(t)}" for m, t in tunes.items())
        + " (disjoint from the corpus benchmark's recorded tunes)"
    )
    models = args.model or [None]
    names = [str(m) if m else "shipped" for m in models]
    results, out = [], {"command": " ".join(sys.argv), "set": str(args.set), "models": {}}
    for i, (model, name) in enumerate(zip(models, names, strict=True)):
        print(f"\n== {name}")
        rows, records = run_model(model, tunes, args.work / f"model{i}", args.jobs)
        bc.print_table(rows)
        results.append(rows)
        out["models"][name] = {"rows": rows, "tunes": records}
    print_comparison(names, results)
    if args.against is not None:
        earlier = json.loads(args.against.read_text())["models"]
        base, base_tunes = next(iter(earlier.items()))
        base_tunes = base_tunes["tunes"]
    else:
        base, base_tunes = names[0], out["models"][names[0]]["tunes"]
    for name in names:
        if out["models"][name]["tunes"] is not base_tunes:
            print_paired(base, base_tunes, name, out["models"][name]["tunes"])
    seconds = time.perf_counter() - started
    print(f"({seconds:.0f} s)")
    if args.json is not None:
        out["seconds"] = round(seconds)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(bc._no_nan(out), indent=1) + "\n")


if __name__ == "__main__":
    main()
