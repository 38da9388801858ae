"""The corpus benchmark's gap to 4/4 read at equal busyness (issue 16's 5% target): a
reading of a recorded run's per-tune figures; nothing is chosen on it.

    python benchmarks/corpus_busyness.py [--json docs/benchmarks/corpus.json]

Why: a melody's passing notes are non-chord tones against any accompaniment, so PCS
falls with how busy the melody is (notes a quarter, ``bench_corpus.notes_per_quarter``),
and the meters' rows hold different tunes: 2/4 and 9/8 are mostly dance tunes of
running eighths, 4/4 mostly songs in quarters (docs/meters.md). The raw gap to 4/4 mixes
the two; the gap at equal busyness asks what 4/4 would score at each tune's own
busyness.

How: a least-squares line ``measure = a + b * notes a quarter`` fitted on the 4/4 tunes
only (the reference row), and per meter the gap of its tunes' mean to the line's mean
prediction at their own busyness: ``mean(measure) / mean(a + b * busy) - 1``. A line,
not busyness bins matched across meters: 4/4 has about 40 tunes, so bins fine enough to
match would hold a handful each, and some meters' tunes lie where 4/4 has none (in the
recorded run 31% of the 2/4 tunes are busier than any 4/4 tune, 90% of the 3/2 and 40%
of the 6/4 ones calmer); the line uses every 4/4 tune and says how far it is stretched
(each meter's share of tunes outside the 4/4 tunes' range: there it is extrapolated).
The check, by matching (``MATCH_WINDOW``, ``MIN_MATCHES``, fixed before it was read):
each tune against the mean of the 4/4 tunes within 0.2 notes a quarter of it, where
there are 3 or more, over the tunes that have them (the share is printed). Intervals: a
95% percentile bootstrap over tunes, the 4/4 tunes (the line refitted) and the meter's
resampled together, each draw alike for every meter.

The recorded run (``corpus.json`` before session 18) has each tune's PCS and CTnCTR but
not its notes a quarter; those are read from the tune itself (the melody is kept note for
note, so the tune's notes are the output's melody), parsed by ``corpus_tunes``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = "4/4"
MEASURES = ("pcs", "ctnctr")
DRAWS = 2000
# The check by matching, chosen before it was read: each tune against the 4/4 tunes
# within this many notes a quarter of it, where there are at least MIN_MATCHES of them.
MATCH_WINDOW = 0.2
MIN_MATCHES = 3


def with_busyness(records: list[dict]) -> list[dict]:
    """The accompanied tunes' records, each with its ``notes_per_quarter``: recorded by
    newer runs, else from the tune parsed (``bench_corpus.notes_per_quarter``)."""
    judged = [r for r in records if r.get("accompanied")]
    missing = [r for r in judged if r.get("notes_per_quarter") is None]
    if missing:
        import bench_corpus
        import corpus_tunes as ct

        refs = {ref.name: ref for ref in ct.index_tunes()}
        for record in missing:
            tune = ct.parse_tune(refs[record["tune"]])
            record["notes_per_quarter"] = bench_corpus.notes_per_quarter(tune)
    return judged


def fit_line(busy: np.ndarray, values: np.ndarray) -> tuple[float, float]:
    """``(a, b)`` of the least-squares line ``values = a + b * busy``."""
    b, a = np.polyfit(busy, values, 1)
    return float(a), float(b)


def gaps(
    ref_busy: np.ndarray, ref_values: np.ndarray, busy: np.ndarray, values: np.ndarray
) -> tuple[float, float, float, float]:
    """``(raw gap, gap at equal busyness, matched gap, share matched)`` of a meter's
    tunes (``busy``, ``values``) to the reference tunes', as fractions (-0.05 is 5%
    under); tunes without the measure (NaN) are left out. The matched gap is the check:
    each tune against the mean of the reference tunes within ``MATCH_WINDOW`` of its
    busyness (at least ``MIN_MATCHES``), over the tunes that have them."""
    keep, ref_keep = ~np.isnan(values), ~np.isnan(ref_values)
    ref_busy, ref_values = ref_busy[ref_keep], ref_values[ref_keep]
    busy, values = busy[keep], values[keep]
    if len(np.unique(ref_busy)) < 2 or not len(values):
        return math.nan, math.nan, math.nan, math.nan  # a line needs two busynesses
    a, b = fit_line(ref_busy, ref_values)
    raw = values.mean() / ref_values.mean() - 1
    equal = values.mean() / (a + b * busy).mean() - 1
    near = np.abs(busy[:, None] - ref_busy[None, :]) <= MATCH_WINDOW + 1e-9
    found = near.sum(axis=1) >= MIN_MATCHES
    matched = math.nan
    if found.any():
        predicted = (near[found] * ref_values).sum(axis=1) / near[found].sum(axis=1)
        matched = values[found].mean() / predicted.mean() - 1
    return float(raw), float(equal), float(matched), float(found.mean())


def columns(records: list[dict], measure: str) -> tuple[np.ndarray, np.ndarray]:
    """``(notes a quarter, measure)`` of the records, NaN where not measured."""
    busy = np.array([r["notes_per_quarter"] for r in records], dtype=float)
    values = np.array([math.nan if r.get(measure) is None else r[measure] for r in records])
    return busy, values.astype(float)


def reading(judged: list[dict], draws: int = DRAWS, seed: int = 0) -> list[dict]:
    """Per meter (the order of first appearance), per measure: the raw gap and the gap
    at equal busyness to the 4/4 row, each with its bootstrap interval, the meter's
    mean notes a quarter, and the share of its tunes outside the 4/4 tunes' range.
    ``judged``: accompanied tunes' records with ``notes_per_quarter`` (``with_busyness``)."""
    meters = list(dict.fromkeys(r["meter"] for r in judged))
    by_meter = {m: [r for r in judged if r["meter"] == m] for m in meters}
    rng = np.random.default_rng(seed)
    # the same draws of tunes for every measure, and the 4/4 draws for every meter
    picks = {m: rng.integers(0, len(t), (draws, len(t))) for m, t in by_meter.items()}
    reference = by_meter[REFERENCE]
    ref_range = columns(reference, MEASURES[0])[0]
    rows = []
    for meter in meters:
        mine = by_meter[meter]
        busy = columns(mine, MEASURES[0])[0]
        outside = (busy < np.nanmin(ref_range)) | (busy > np.nanmax(ref_range))
        row = {
            "meter": meter,
            "tunes": len(mine),
            "notes_per_quarter": float(np.nanmean(busy)),
            "outside_reference_range": float(np.mean(outside)),
        }
        for measure in MEASURES:
            ref_busy, ref_values = columns(reference, measure)
            busy, values = columns(mine, measure)
            raw, equal, matched, share = gaps(ref_busy, ref_values, busy, values)
            drawn = np.array(
                [
                    gaps(ref_busy[r], ref_values[r], busy[m], values[m])
                    for r, m in zip(picks[REFERENCE], picks[meter])
                ]
            )
            with warnings.catch_warnings():  # a gap never measured (no match) stays NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                low, high = np.nanpercentile(drawn, [2.5, 97.5], axis=0)
            row[measure] = {
                "mean": float(np.nanmean(values)),
                "raw_gap": raw,
                "raw_interval": [float(low[0]), float(high[0])],
                "equal_busyness_gap": equal,
                "equal_busyness_interval": [float(low[1]), float(high[1])],
                "matched_gap": matched,
                "matched_interval": [float(low[2]), float(high[2])],
                "matched_share": share,
            }
        rows.append(row)
    return rows


def reference_line(judged: list[dict], measure: str) -> dict:
    """The 4/4 line: intercept, slope (per note a quarter) and Pearson r."""
    busy, values = columns([r for r in judged if r["meter"] == REFERENCE], measure)
    keep = ~np.isnan(values) & ~np.isnan(busy)
    a, b = fit_line(busy[keep], values[keep])
    r = float(np.corrcoef(busy[keep], values[keep])[0, 1])
    span = [float(busy[keep].min()), float(busy[keep].max())]
    return {"a": a, "b": b, "r": r, "tunes": int(keep.sum()), "notes_per_quarter": span}


def print_reading(rows: list[dict], lines: dict[str, dict]) -> None:
    for measure, line in lines.items():
        print(
            f"4/4 line, {measure}: {line['a']:.3f} {line['b']:+.3f} per note a quarter "
            f"(r = {line['r']:.2f}, {line['tunes']} tunes of {line['notes_per_quarter'][0]:.2f}"
            f"-{line['notes_per_quarter'][1]:.2f} notes a quarter)"
        )

    def pct(value: float) -> str:
        return f"{100 * value:+.1f}%"

    def span(values: list[float]) -> str:
        return f"[{100 * values[0]:+.1f}, {100 * values[1]:+.1f}]"

    for measure in MEASURES:
        print(
            f"\n{measure.upper()}: {'meter':>6} {'tunes':>5} {'notes/q':>7} {'outside':>7} "
            f"{'raw gap':>22} {'equal busyness (line)':>22} {'matched (check)':>22} {'matched':>7}"
        )
        for row in rows:
            m = row[measure]
            cells = [
                f"{pct(m[key + '_gap']):>7} {span(m[key + '_interval']):>14}"
                for key in ("raw", "equal_busyness", "matched")
            ]
            print(
                f"{'':>{len(measure) + 2}}{row['meter']:>6} {row['tunes']:>5} "
                f"{row['notes_per_quarter']:7.2f} {100 * row['outside_reference_range']:6.0f}% "
                + " ".join(f"{c:>22}" for c in cells)
                + f" {100 * m['matched_share']:6.0f}%"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "benchmarks" / "corpus.json")
    parser.add_argument("--out", type=Path, default=None, help="the reading as JSON")
    parser.add_argument("--draws", type=int, default=DRAWS)
    args = parser.parse_args()
    judged = with_busyness(json.loads(args.json.read_text())["tunes"])
    rows = reading(judged, args.draws)
    lines = {m: reference_line(judged, m) for m in MEASURES}
    print(f"{args.json.name}: gaps to the 4/4 row, raw and at equal busyness [95% bootstrap]")
    print_reading(rows, lines)
    if args.out is not None:
        args.out.write_text(json.dumps({"lines": lines, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
