"""Session 21's fresh tunes for the thin meter rows (``benchmarks/corpus_fresh.py``): the
rule's verdicts on hand-made rows, and the recorded draw disjoint by name from every tune
an earlier run printed or read."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus_fresh as cf  # noqa: E402
import corpus_tunes as ct  # noqa: E402
import pickup_tunes as pt  # noqa: E402


def _row(gap, interval, tunes=40, outside=0.1, matched=None, share=1.0, measure="pcs"):
    values = {
        "raw_gap": gap,
        "raw_interval": interval,
        "equal_busyness_gap": gap,
        "equal_busyness_interval": interval,
        "matched_gap": gap if matched is None else matched[0],
        "matched_interval": interval if matched is None else matched[1],
        "matched_share": share,
    }
    return {"meter": "6/4", "tunes": tunes, "outside_reference_range": outside, measure: values}


def test_the_one_sided_reading_met_open_failed():
    assert cf.verdict(_row(-0.049, [-0.09, -0.01]), "pcs")["verdict"] == "met"
    assert cf.verdict(_row(+0.08, [0.02, 0.15]), "pcs")["verdict"] == "met"  # above: no failure
    assert cf.verdict(_row(-0.06, [-0.10, -0.02]), "pcs")["verdict"] == "open"
    assert cf.verdict(_row(-0.09, [-0.13, -0.051]), "pcs")["verdict"] == "failed"
    assert cf.verdict(_row(-0.02, [-0.049, 0.01]), "pcs")["sure"]
    assert not cf.verdict(_row(-0.02, [-0.06, 0.01]), "pcs")["sure"]
    assert cf.verdict(_row(-0.09, [-0.13, -0.06], tunes=29), "pcs")["verdict"].startswith("too few")
    # CTnCTR reads the raw gap
    ct_row = _row(-0.02, [-0.05, 0.01], measure="ctnctr")
    ct_row["ctnctr"]["equal_busyness_gap"] = -0.2
    assert cf.verdict(ct_row, "ctnctr")["by"] == "raw"
    assert cf.verdict(ct_row, "ctnctr")["verdict"] == "met"


def test_an_extrapolated_meter_is_judged_by_matching_or_left_open():
    far = _row(-0.09, [-0.13, -0.06], outside=0.9, matched=(-0.03, [-0.08, 0.01]), share=0.6)
    assert cf.verdict(far, "pcs")["by"] == "matched"
    assert cf.verdict(far, "pcs")["verdict"] == "met (extrapolated; by matching)"
    few = _row(-0.09, [-0.13, -0.06], outside=0.9, matched=(-0.03, [-0.08, 0.01]), share=0.2)
    assert cf.verdict(few, "pcs")["verdict"] == "open (extrapolated)"
    unmatched = _row(-0.09, [-0.13, -0.06], outside=0.9, matched=(math.nan, [math.nan] * 2))
    unmatched["pcs"]["matched_share"] = math.nan
    assert cf.verdict(unmatched, "pcs")["verdict"] == "open (extrapolated)"


def test_the_recorded_draw_is_disjoint_from_every_earlier_run():
    drawn = json.loads(cf.TUNES.read_text())["tunes"]
    assert {m: len(names) for m, names in drawn.items()} == {m: cf.PER_METER for m in cf.METERS}
    names = {n for tunes in drawn.values() for n in tunes}
    refs = ct.index_tunes()
    used = cf.used_names(refs)
    assert not names & used
    corpus = {r["tune"] for r in json.loads(cf.RECORDED.read_text())["tunes"]}
    parts = json.loads(pt.RECORD.read_text())["parts"]
    picked = {pt.source_name(n) for m in parts.values() for t in m.values() for n in t}
    assert not names & (corpus | pt.validation_names() | picked)
    # the scan reads every name recorded_names reads, but this draw's own record
    assert pt.recorded_names() - names <= used
    assert not names & (pt.recorded_names() - names)
    # it is the benchmark's own seed-0 shuffle, read on past its tunes
    for meter, tunes in drawn.items():
        order = [r.name for r in ct.choose(refs, meter, None, 0)]
        front = order[: order.index(tunes[-1]) + 1]
        assert [n for n in front if n not in corpus] == tunes
