"""Issue 16's thin meter rows judged on fresh tunes (session 21): a judge, nothing is
chosen on it.

The corpus benchmark (``bench_corpus.py``) takes 10 tunes each of 2/2, 3/2, 6/4 and 3/8,
whose rows' intervals are 8-12 points wide on PCS and 15-45 on CTnCTR, so the 5% target
is undecided there (docs/meters.md, "Session 18: the gap at equal busyness"). This script
draws ``PER_METER`` more of each, runs them through the benchmark's own path
(``bench_corpus.run_tune``: ``composer-gui accompany IN.mid -o OUT.mid --json
--candidates 4 --seed 0`` in a fresh process, judged by the benchmark's code) and reads
them once, by the rule below, beside the recorded 4/4 row (``docs/benchmarks/corpus.json``).

**The draw** (``fresh_selection``): each meter's *own seed-0 shuffle of the corpus
benchmark* (``corpus_tunes.choose(refs, meter, None, 0)``, the four collections), read
from the front past the benchmark's own tunes, as ``bench_corpus`` would read it with a
larger count; a tune is skipped when music21 cannot read it (as the benchmark does) or
when its name is in ``used_names``: every tune any earlier run printed or read that
docs/, benchmarks/ and tests/ record (the corpus runs, the meter validation sets, the
pickup parts, the band-style runs and misnames records, and any name written in a doc).
No 12/8 tune is left: the four collections hold six, all the benchmark's
(``--list`` says how many are left per meter).

**The rule** (``verdict``; written and committed before any fresh tune was run):
per meter, on the fresh tunes alone (the recorded 10 were read and shaped the proposal),
against the recorded 4/4 row's 40 tunes, with ``corpus_busyness.reading``'s 95%
bootstrap intervals (2000 draws, seed 0, the 4/4 tunes resampled with the meter's):

- PCS at equal busyness (the 4/4 line's gap), one-sided: **met** where the gap is no
  more than 5% under 4/4; **failed** where the whole interval lies more than 5% under;
  **open** between. A meter with more than half its tunes outside the 4/4 tunes' busyness
  range is **extrapolated**: judged by the matched gap (each tune against the 4/4 tunes
  within 0.2 notes a quarter, three or more) where at least half its tunes are matched,
  else open (extrapolated).
- CTnCTR: the raw gap, one-sided alike (it does not follow busyness on 4/4).
- A verdict needs at least ``MIN_TUNES`` accompanied fresh tunes; fewer: too few.
- Beside each verdict, not deciding: whether the whole interval lies within 5% (a sure
  pass); and the fresh and recorded tunes pooled.
- Accompanied, melody kept, signatures kept: met at 100%; empty bars: met at none.
- The 4/4 reference is the recorded row. Its 40 tunes are run again beside the fresh
  ones (expected unchanged: session 19's rerun changed none, and since then only 2/4's
  pickup rule reached the product's output); if any tune's figures differ, the rerun
  is the reference (the same product as the fresh tunes) and both are said.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_corpus as bc  # noqa: E402
import corpus_busyness as cb  # noqa: E402
import corpus_tunes as ct  # noqa: E402
import pickup_tunes as pt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
METERS = ("2/2", "3/2", "6/4", "3/8")
PER_METER = 40
SEED = 0  # the corpus benchmark's shuffle, read past its own tunes
MIN_TUNES = 30
TOLERANCE = 0.05
EXTRAPOLATED_SHARE = 0.5  # more of a meter's tunes than this outside 4/4's busyness range
MATCHED_SHARE = 0.5  # an extrapolated meter is judged by matching where this many match
RECORDED = ROOT / "docs" / "benchmarks" / "corpus.json"
TUNES = ROOT / "docs" / "benchmarks" / "corpus-fresh-s21-tunes.json"
SCANNED = ("docs", "benchmarks", "tests")
OWN_RECORDS = "corpus-fresh-s21"
# "erk30 #456", "book6 #1104", "O'Neill's #1794": how docs write a tune by hand
WRITTEN = re.compile(r"(O'Neill's|\b[A-Za-z][A-Za-z0-9_-]*) #(\d+)\b")


def used_names(refs: list[ct.TuneRef]) -> set[str]:
    """Every tune name an earlier run printed or read, as far as the repository records
    it: the recorded corpus run, ``pickup_tunes.recorded_names`` (the corpus and
    band-styles JSON, the band-style misnames records), the meter validation sets, the
    pickup parts (``docs/benchmarks/pickup-parts.json``), any full name printed in a file
    under docs/, benchmarks/ or tests/, and any tune a doc names by hand ("erk30 #456")."""
    names = {r["tune"] for r in json.loads(RECORDED.read_text())["tunes"]}
    # pickup_tunes.recorded_names would read this draw's own record too (a corpus*.json);
    # the scan below reads every file it reads (test_corpus_fresh checks it)
    names |= pt.validation_names()
    parts = json.loads(pt.RECORD.read_text())["parts"]
    names |= {n for meters in parts.values() for tunes in meters.values() for n in tunes}
    written: set[tuple[str, int]] = set()
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".json", ".txt", ".md", ".py") or not path.is_file():
                continue
            if path.name.startswith(OWN_RECORDS):  # this draw's own records
                continue
            text = path.read_text(errors="replace")
            names |= pt.printed_names(text)
            written |= {(stem, int(number)) for stem, number in WRITTEN.findall(text)}
    names = {pt.source_name(n) for n in names}
    for ref in refs:
        stem = Path(ref.path).stem
        by_hand = (stem, ref.number) in written or (
            ref.collection == "oneills1850" and ("O'Neill's", ref.number) in written
        )
        if by_hand:
            names.add(ref.name)
    return names


def fresh_selection(
    refs: list[ct.TuneRef], used: set[str], per_meter: int = PER_METER
) -> dict[str, list[ct.Tune]]:
    """Each meter's first ``per_meter`` readable tunes of the benchmark's seed-0 shuffle
    whose names are not ``used``."""
    chosen: dict[str, list[ct.Tune]] = {}
    for meter in METERS:
        chosen[meter] = []
        for ref in ct.choose(refs, meter, None, SEED):
            if len(chosen[meter]) == per_meter:
                break
            if ref.name in used:
                continue
            tune = ct.parse_tune(ref)
            if tune is not None:
                chosen[meter].append(tune)
    return chosen


def one_sided(gap: float, interval: list[float], tolerance: float = TOLERANCE) -> str:
    """The proposal's reading: met where the gap is no more than ``tolerance`` under,
    failed where the whole interval is more than that under, open between."""
    if math.isnan(gap):
        return "open (not measured)"
    if gap >= -tolerance:
        return "met"
    return "failed" if interval[1] < -tolerance else "open"


def verdict(row: dict, measure: str) -> dict:
    """The rule's verdict on one meter's row of ``corpus_busyness.reading``: ``{verdict,
    by, gap, interval, sure}`` (``sure``: the whole interval within 5%, not deciding)."""
    m = row[measure]
    if measure == "pcs":
        by = "equal_busyness"
        if row["outside_reference_range"] > EXTRAPOLATED_SHARE:
            by = "matched"
            if not m["matched_share"] >= MATCHED_SHARE:
                gap, interval = m["equal_busyness_gap"], m["equal_busyness_interval"]
                return {
                    "verdict": "open (extrapolated)",
                    "by": "equal_busyness",
                    "gap": gap,
                    "interval": interval,
                    "sure": False,
                }
    else:
        by = "raw"
    gap, interval = m[f"{by}_gap"], m[f"{by}_interval"]
    if row["tunes"] < MIN_TUNES:
        word = f"too few tunes ({row['tunes']} < {MIN_TUNES})"
    else:
        word = one_sided(gap, interval)
        if by == "matched" and word != "failed":
            word += " (extrapolated; by matching)"
    sure = not math.isnan(interval[0]) and interval[0] >= -TOLERANCE
    return {"verdict": word, "by": by, "gap": gap, "interval": interval, "sure": sure}


def other_targets(row: dict) -> dict[str, bool]:
    """The targets besides PCS and CTnCTR, met or not, from ``bench_corpus.summarise``."""
    return {
        "accompanied": row["accompanied"] == 1,
        "melody_kept": row["melody_kept"] == 1,
        "signatures_kept": row["signatures_kept"] == 1,
        "no_empty_bars": row["tunes_with_empty_bars"] == 0,
    }


def run(args) -> None:
    refs = ct.index_tunes()
    names = json.loads(TUNES.read_text())["tunes"]
    by_name = {ref.name: ref for ref in refs}
    tunes = [ct.parse_tune(by_name[n]) for meter in METERS for n in names[meter]]
    recorded = json.loads(RECORDED.read_text())
    four = [r["tune"] for r in recorded["tunes"] if r["meter"] == cb.REFERENCE]
    reference = [ct.parse_tune(by_name[n]) for n in four]  # the check: 4/4 on this product
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        records = list(pool.map(lambda t: bc.run_tune(t, args.work), tunes))
        rerun = list(pool.map(lambda t: bc.run_tune(t, args.work), reference))
    rows = [r for r in recorded["rows"] if r["row"] == "4/4"]
    for meter in METERS:
        mine = [r for r in records if r["meter"] == meter]
        judged = [r for r in mine if r["accompanied"]]
        refusals = Counter(r["refusal"] for r in mine if not r["accompanied"])
        rows.append(bc.summarise(meter, judged, len(mine), refusals))
    print("(the 4/4 row is the recorded run's, docs/benchmarks/corpus.json)")
    bc.print_table(rows)
    bc.print_by_collection(tunes, records)
    seconds = time.perf_counter() - started
    print(f"({seconds:.0f} s, {len(records)} CLI runs)")
    result = {"command": " ".join(sys.argv), "seed": SEED, "seconds": round(seconds)}
    result |= {"rows": rows, "tunes": records, "reference_rerun": rerun}
    args.json.write_text(json.dumps(bc._no_nan(result), indent=1) + "\n")


def changed_tunes(recorded: list[dict], rerun: list[dict]) -> list[str]:
    """The 4/4 tunes whose rerun's figures differ from the recorded run's."""
    keys = ("accompanied", "melody_kept", "signatures_kept", *bc.HARMONY, "in_key", "empty_bars")
    before = {r["tune"]: r for r in recorded}
    return [r["tune"] for r in rerun if any(r.get(k) != before[r["tune"]].get(k) for k in keys)]


def read(args) -> None:
    run = json.loads(args.json.read_text())
    fresh = run["tunes"]
    recorded = json.loads(RECORDED.read_text())["tunes"]
    four = [r for r in recorded if r["meter"] == cb.REFERENCE]
    changed = changed_tunes(four, run["reference_rerun"])
    print(f"4/4 rerun on this product: {len(changed)} of {len(four)} tunes changed {changed}")
    if changed:  # the rule: then the reference is the rerun, the same product as the fresh
        four = run["reference_rerun"]
    four = cb.with_busyness(four)
    judged = four + cb.with_busyness(fresh)
    rows = cb.reading(judged)
    old = cb.with_busyness([r for r in recorded if r["meter"] in METERS])
    pooled = four + [r | {"meter": r["meter"] + " pooled"} for r in judged[len(four) :] + old]
    pooled_rows = {r["meter"]: r for r in cb.reading(pooled)}
    lines = {m: cb.reference_line(judged, m) for m in cb.MEASURES}
    which = "rerun" if changed else "recorded"
    print(f"{args.json.name}: fresh tunes against the {which} 4/4 row [95% bootstrap]")
    cb.print_reading(rows, lines)
    print("\nThe rule's verdicts (fresh tunes only; pooled with the recorded 10 beside):")
    out = []
    for row in rows:
        if row["meter"] == cb.REFERENCE:
            continue
        entry = {"meter": row["meter"], "tunes": row["tunes"]}
        for measure in cb.MEASURES:
            v = verdict(row, measure)
            p = verdict(pooled_rows[row["meter"] + " pooled"], measure)
            entry[measure] = v | {"pooled": p}
            lo, hi = v["interval"]
            print(
                f"  {row['meter']:>5} {measure.upper():>6} {100 * v['gap']:+5.1f}% "
                f"[{100 * lo:+.1f}, {100 * hi:+.1f}] by {v['by']}: {v['verdict']}"
                f"{'; sure' if v['sure'] else ''}   (pooled {100 * p['gap']:+.1f}%: {p['verdict']})"
            )
        out.append(entry)
    if args.out is not None:
        payload = {
            "lines": lines,
            "rows": rows,
            "verdicts": out,
            "pooled": list(pooled_rows.values()),
        }
        args.out.write_text(json.dumps(bc._no_nan(payload), indent=1) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help=f"draw the tunes, write {TUNES.name}")
    parser.add_argument("--run", action="store_true", help="run the drawn tunes through the CLI")
    parser.add_argument("--read", action="store_true", help="read a run by the rule, once")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/corpus_fresh"))
    parser.add_argument(
        "--json", type=Path, default=ROOT / "docs" / "benchmarks" / "corpus-fresh-s21.json"
    )
    parser.add_argument("--out", type=Path, default=None, help="the reading as JSON")
    args = parser.parse_args()
    if args.list:
        refs = ct.index_tunes()
        used = used_names(refs)
        chosen = fresh_selection(refs, used)
        left = {
            m: sum(r.meter == m and r.name not in used for r in refs) for m in (*METERS, "12/8")
        }
        record = {
            "command": "python benchmarks/corpus_fresh.py --list",
            "rule": "each meter's seed-0 shuffle (bench_corpus's own), from the front, "
            "past every name in used_names; unreadable tunes skipped",
            "unused_in_corpus": left,
            "tunes": {m: [t.ref.name for t in tunes] for m, tunes in chosen.items()},
        }
        TUNES.write_text(json.dumps(record, indent=1) + "\n")
        print(
            f"unused tunes per header meter: {left}; drawn: "
            + ", ".join(f"{m} {len(t)}" for m, t in chosen.items())
        )
    if args.run:
        run(args)
    if args.read:
        read(args)


if __name__ == "__main__":
    main()
