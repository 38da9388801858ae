"""Session 13's pickup-detector candidate (the cadence cue) against the rule fixed first.

    .venv/bin/python benchmarks/pickup_candidate.py

The rule and the candidate are written in docs/meters.md ("The Ryan's hornpipes: the
rule fixed before the one reading") before this was run; it was run once. On every part
of ``bench_pickup.py`` together (fit, held-out, fresh) it prints, for the shipped
detector and the candidate, the bars found and the tunes without a pickup that are
moved, and the tunes without a pickup the candidate moves that the shipped detector
leaves alone (the rule: none), then the judges only: the three Ryan's hornpipes and the
tests' other excluded tunes (``test_melody_grid_pickup.py``).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_pickup as bp  # noqa: E402
import corpus_tunes as ct  # noqa: E402
import pickup_tunes as pt  # noqa: E402

from composer_gui.core import pickup  # noqa: E402
from composer_gui.core.melody_grid import pickup_steps  # noqa: E402
from models.pianoroll import Meter  # noqa: E402

RUNNING_MEDIAN_STEPS = 2  # a tune of running notes: median length an eighth or less
LONG_TIMES_MEDIAN = 4  # a phrase end: at least four times the median length
LONG_NOTES_MIN = 4
ON_DOWNBEATS_MIN = 0.75  # of the long notes, on the offset's downbeats
ON_FILES_MAX = 0.25  # of the long notes, on the file's downbeats

JUDGES = {  # tests/composer_gui/core/test_melody_grid_pickup.py, not in any part
    "hornpipes (pickup: an eighth)": [
        "ryansMammoth/FishersHornpipe#1",
        "ryansMammoth/NInWoodPileJig#1",
        "ryansMammoth/HandOrganHornpipe#1",
    ],
}


def cadence_pickup(notes: list[tuple[int, ...]], meter: Meter) -> int:
    """The shipped detector, and where it keeps the file's barlines, the cadence cue."""
    found = pickup_steps(notes, meter)
    entry = pickup.profiles().get(str(meter))
    if found or entry is None or not notes:
        return found
    bar = meter.bar_steps
    starts = np.array([n[0] for n in notes])
    lengths = np.array([n[1] - n[0] for n in notes])
    median = float(np.median(lengths))
    if median > RUNNING_MEDIAN_STEPS:
        return 0
    long_starts = starts[lengths >= LONG_TIMES_MEDIAN * median]
    if len(long_starts) < LONG_NOTES_MIN:
        return 0
    share = np.array([np.mean((long_starts - o) % bar == 0) for o in range(bar)])
    if share[0] > ON_FILES_MAX:
        return 0
    gain = pickup.offset_scores(notes, bar, entry)
    onsets = {int(s) for s in starts if 0 <= s < bar}
    allowed = [
        o
        for o in range(1, bar)
        if o in onsets and gain[o] > gain[0] and share[o] >= ON_DOWNBEATS_MIN
    ]
    return max(allowed, key=lambda o: share[o]) if allowed else 0


def main() -> None:
    rows = pt.load(fresh=True)
    totals = {"shipped": [0, 0], "candidate": [0, 0]}
    newly_moved = []
    print(
        "| part | tunes | bars found: shipped | candidate | no pickup moved: shipped | candidate |"
    )
    print("|---|---|---|---|---|---|")
    for part in ("fit", "held-out", "fresh"):
        chosen = [r for r in rows if r["part"] == part]
        counts = {}
        for name in totals:
            rule = pickup_steps if name == "shipped" else cadence_pickup
            found = [rule(r["notes"], bp.meter_of(r)) for r in chosen]
            outcomes = [bp.outcome(r, f) for r, f in zip(chosen, found)]
            counts[name] = (
                sum(o["bar"] for o in outcomes),
                sum(o["shifted_no_pickup"] for o in outcomes),
            )
            totals[name][0] += counts[name][0]
            totals[name][1] += counts[name][1]
            if name == "candidate":
                shipped = [pickup_steps(r["notes"], bp.meter_of(r)) for r in chosen]
                newly_moved += [
                    r["name"]
                    for r, f, s in zip(chosen, found, shipped)
                    if r["phase"] == 0 and f != 0 and s == 0
                ]
        print(
            f"| {part} | {len(chosen)} | {counts['shipped'][0]} | {counts['candidate'][0]} "
            f"| {counts['shipped'][1]} | {counts['candidate'][1]} |"
        )
    print(
        f"| all | {len(rows)} | {totals['shipped'][0]} | {totals['candidate'][0]} "
        f"| {totals['shipped'][1]} | {totals['candidate'][1]} |"
    )
    gained = totals["candidate"][0] - totals["shipped"][0]
    passes = not newly_moved and gained > 0
    print(f"\nnewly moved without a pickup: {len(newly_moved)} {newly_moved}")
    print(f"bars gained: {gained}; the rule: {'passed' if passes else 'failed, not shipped'}")
    refs = {r.name: r for r in ct.index_tunes()}
    with tempfile.TemporaryDirectory() as work:
        for title, names in JUDGES.items():
            print(f"\njudges only, {title}:")
            for name in names:
                tune = ct.parse_tune(refs[name])
                notes = pt.grid_notes(tune, Path(work))
                meter = Meter.of(tuple(tune.signatures[0][1:]))
                bar = meter.bar_steps
                true = (bar - round(tune.padding_quarters * 4) % bar) % bar
                print(
                    f"  {name}: notated downbeat {true}, shipped {pickup_steps(notes, meter)}, "
                    f"candidate {cadence_pickup(notes, meter)}"
                )


if __name__ == "__main__":
    main()
