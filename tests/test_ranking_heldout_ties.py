"""What ties hide in the held-out ranking benchmark (``benchmarks/bench_ranking_heldout.py``):
a count that is 0 for most candidates can only tie the median, and the benchmark says so."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_ranking_heldout as bench  # noqa: E402


def rows_of(*crossings: list[float]) -> list[dict]:
    """One row a set, with only the crossing measure judged (lower is better)."""
    return [
        {
            m: bench.first_beats_median(v, False) if m == "crossing" else None
            for m in bench.hm.MEASURES
        }
        for v in crossings
    ]


def test_a_set_whose_median_is_its_best_cannot_be_beaten_only_tied_or_lost():
    assert bench.first_beats_median([0, 0, 0, 1, 2], False) == (0.5, False)
    assert bench.first_beats_median([1, 0, 0, 0, 2], False) == (0.0, False)
    assert bench.first_beats_median([0, 1, 1, 1, 1], False) == (1.0, True)
    # higher is better: the first is the best, and others were better than the median
    assert bench.first_beats_median([0.9, 0.5, 0.5, 0.4], True) == (1.0, True)


def test_outcome_table_gives_the_issue_figure_and_what_ties_hide():
    table = bench.outcome_table(rows_of([0, 0, 0, 1, 2], [1, 0, 0, 0, 2], [0, 1, 1, 1, 1]))
    assert table["crossing"] == pytest.approx(0.5)  # (0.5 + 0 + 1) / 3: the issue's figure
    assert table["crossing_ties"] == pytest.approx(1 / 3)
    b = table["breakdown"]["crossing"]
    assert (b["beats"], b["ties"], b["loses"]) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert b["beatable"] == pytest.approx(1 / 3)
    # the best any ranking could do: beat the one beatable set, tie the two others
    assert b["ceiling"] == pytest.approx(2 / 3)
    assert b["at_least_as_good"] == pytest.approx(2 / 3)
    assert b["beats_where_beatable"] == pytest.approx(1.0)
    assert table["pcs_beats"] is None and table["breakdown"]["pcs_beats"] is None


def test_one_measure_s_breakdown_never_overwrites_another_s_figure():
    # "pcs" and "pcs_beats" are both measures: the first run of this table stored "pcs"'s
    # share of wins under "pcs" + "_beats", over PCS on the beats' own figure
    row = {m: None for m in bench.hm.MEASURES}
    row["pcs_beats"] = (0.5, True)
    row["pcs"] = (1.0, True)
    table = bench.outcome_table([row])
    assert table["pcs_beats"] == 0.5 and table["pcs"] == 1.0


def test_the_interval_resamples_tunes_not_sets():
    # Ten seeds of one tune all won, ten of another all lost: two tunes are little
    # evidence, and resampling tunes says so (a set bootstrap would give about 0.3-0.7).
    outcomes = [1.0] * 10 + [0.0] * 10
    tunes = ["a"] * 10 + ["b"] * 10
    assert bench.tune_interval(outcomes, tunes) == (0.0, 1.0)
    # Twenty tunes, one set each, the same outcomes: a narrow interval about 50%.
    low, high = bench.tune_interval(outcomes, [f"t{i}" for i in range(20)])
    assert 0.25 < low < 0.5 < high < 0.75
    assert bench.tune_interval(outcomes, tunes) == bench.tune_interval(outcomes, tunes)


def test_the_table_gives_each_figure_its_interval_over_tunes():
    rows = rows_of([0, 0, 0, 1, 2], [1, 0, 0, 0, 2], [0, 1, 1, 1, 1])
    for row, tune in zip(rows, ["a", "a", "b"]):
        row["tune"] = tune
    table = bench.outcome_table(rows)
    low, high = table["crossing_interval"]
    # tune a: 0.5 and 0 (mean 0.25 over its two sets); b: 1.  Draws: aa 0.25, ab 0.5, bb 1
    assert low == pytest.approx(0.25) and high == pytest.approx(1.0)
