"""Session 14's ship rule for a fine-tuned band critic, read from two validation runs.

    python benchmarks/band_ship_rule.py SHIPPED.json NEW.json

Both are ``bench_band_ranking.py --split valid --out`` files (the same windows, seeds and
spoiler streams). The rule (``docs/benchmarks/band-ranking.md``, session 14, written before
the new critic was read): (1) the held-out ``drums_shuffled`` rejected by the critic alone
and MMA's own above the median candidate by the critic alone both higher; (2) no trained
kind's rejection, (3) no first-choice measure, MMA's own above the median as ranked, nor
the held-out mismatch worse by more than two standard errors, sqrt(p(1-p)/n) at the mean
of the two readings. A first-choice measure's n is every set (456), although a measure
with no value for a set leaves it out: the SE used is the smaller, so the rule is stricter.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

TRAINED = (
    "chords_semitone",
    "bass_off_chord",
    "drums_thinned",
    "track_late",
    "transpose",
    "drums_displaced",
)
FIRST_CHOICE = (
    "pcs_beats",
    "pcs_beats_chords",
    "pcs",
    "ctnctr",
    "mctd",
    "bass_on_chord",
    "groove",
    "wrong_notes",
    "wrong_notes_chords",
    "out_of_key",
)


def readings(run: dict) -> dict[str, tuple[float, int, str]]:
    """``{name: (share, n, clause)}``: each figure the rule reads from one run."""
    sets = sum(r["sets"] for r in run["rows"].values())  # both melody sources
    out = {}
    spoiled = run["spoiled_rejected"]
    windows = spoiled["neg:chords_semitone"]["windows"]  # every band-data window
    band_sets = 2 * windows  # the benchmark's two seeds per window
    out["critic: held-out drums_shuffled"] = (
        spoiled["neg:drums_shuffled"]["critic"], spoiled["neg:drums_shuffled"]["windows"], "1"
    )  # fmt: skip
    out["critic: MMA above the median"] = (run["critic_mma_above_median"], band_sets, "1")
    for kind in TRAINED:
        got = spoiled[f"neg:{kind}"]
        out[f"ranking: {kind}"] = (got["ranking"], got["windows"], "2")
        out[f"critic: {kind}"] = (got["critic"], got["windows"], "2")
    for kind in ("wrong_notes", "transpose", "late"):
        out[f"ranking: benchmark's {kind}"] = (run["mma_above_spoiled"][kind], windows, "2")
    for name in FIRST_CHOICE:
        out[f"first choice: {name}"] = (run["overall"]["all"][name][0], sets, "3")
    out["ranking: MMA above the median"] = (run["mma_above_median"], band_sets, "3")
    out["ranking: held-out mismatch"] = (spoiled["neg:mismatch"]["ranking"], windows, "3")
    out["ranking: benchmark's mismatch"] = (run["mma_above_spoiled"]["mismatch"], windows, "3")
    return out


def judge(shipped: dict, new: dict) -> bool:
    old, got = readings(shipped), readings(new)
    passed = True
    print("| figure | clause | shipped | new | change | 2 SE | holds |")
    print("|---|---|---|---|---|---|---|")
    for name, (before, n, clause) in old.items():
        after = got[name][0]
        p = (before + after) / 2
        two_se = 2 * math.sqrt(p * (1 - p) / n)
        holds = after > before if clause == "1" else after >= before - two_se
        passed &= holds
        print(
            f"| {name} | {clause} | {100 * before:.1f}% | {100 * after:.1f}% | "
            f"{100 * (after - before):+.1f} | {100 * two_se:.1f} | {'yes' if holds else '**no**'} |"
        )
    print(f"\nThe rule {'holds: ship' if passed else 'fails: nothing ships'}.")
    return passed


if __name__ == "__main__":
    runs = [json.loads(Path(p).read_text()) for p in sys.argv[1:3]]
    raise SystemExit(0 if judge(*runs) else 1)
