"""The corpus benchmark's gap to 4/4 at equal busyness (``benchmarks/corpus_busyness.py``)
on hand-made records: a meter whose tunes lie on 4/4's own line is 0% off at equal
busyness however far its raw row is, and one a fixed amount under the line is that
amount under."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_corpus  # noqa: E402
import corpus_busyness as cb  # noqa: E402
import corpus_tunes as ct  # noqa: E402


def line(busy: float) -> float:
    return 0.9 - 0.1 * busy  # the 4/4 tunes' PCS: 0.1 less per note a quarter


def record(meter: str, busy: float, pcs: float, ctnctr: float = 0.5) -> dict:
    return {
        "tune": f"t{meter}{busy}",
        "meter": meter,
        "accompanied": True,
        "notes_per_quarter": busy,
        "pcs": pcs,
        "ctnctr": ctnctr,
    }


FOUR = [record("4/4", b, line(b)) for b in (1.0, 1.2, 1.4, 1.6)]  # mean busy 1.3


def test_a_meter_on_the_four_four_line_is_level_at_equal_busyness_not_raw():
    busy = (2.0, 2.2)  # busier than any 4/4 tune
    two = [record("2/4", b, line(b)) for b in busy]
    (four_row, two_row) = cb.reading(FOUR + two, draws=200)
    raw = (line(2.1) / line(1.3)) - 1  # 0.69 / 0.77 - 1: 10.4% under
    assert two_row["pcs"]["raw_gap"] == pytest.approx(raw)
    assert two_row["pcs"]["equal_busyness_gap"] == pytest.approx(0.0, abs=1e-12)
    low, high = two_row["pcs"]["equal_busyness_interval"]
    assert low == pytest.approx(0.0, abs=1e-9) and high == pytest.approx(0.0, abs=1e-9)
    assert two_row["outside_reference_range"] == 1.0 and two_row["notes_per_quarter"] == 2.1
    assert four_row["pcs"]["raw_gap"] == pytest.approx(0.0, abs=1e-12)
    assert cb.reference_line(FOUR + two, "pcs")["b"] == pytest.approx(-0.1)


def test_a_meter_under_the_line_is_that_much_under_with_an_interval_around_it():
    six = [record("6/8", b, line(b) - 0.04 + (0.01 if i % 2 else -0.01)) for i, b in
           enumerate((1.1, 1.2, 1.3, 1.4, 1.5, 1.2))]  # fmt: skip
    row = cb.reading(FOUR + six, draws=500)[1]
    predicted = sum(line(r["notes_per_quarter"]) for r in six) / len(six)
    mean = sum(r["pcs"] for r in six) / len(six)
    assert row["pcs"]["equal_busyness_gap"] == pytest.approx(mean / predicted - 1)
    assert row["pcs"]["equal_busyness_gap"] == pytest.approx(-0.04 / predicted)
    low, high = row["pcs"]["equal_busyness_interval"]
    assert low < row["pcs"]["equal_busyness_gap"] < high < 0  # under 4/4, and says so
    assert row["outside_reference_range"] == 0.0


def test_a_tune_without_a_measure_is_left_out_of_that_measure_only():
    two = [record("2/4", 1.2, line(1.2), 0.4), record("2/4", 1.4, line(1.4), float("nan"))]
    row = cb.reading(FOUR + two, draws=50)[1]
    assert row["ctnctr"]["mean"] == pytest.approx(0.4) and row["tunes"] == 2
    assert row["pcs"]["equal_busyness_gap"] == pytest.approx(0.0, abs=1e-12)


def test_notes_a_quarter_is_the_notes_over_the_melodys_span():
    ref = ct.TuneRef("essenFolksong", "x", 1, "2/4")
    notes = [(1.0, 1.5, 60), (1.5, 2.0, 62), (2.0, 3.0, 64)]  # 3 notes in 2 quarters
    tune = ct.Tune(ref, "t", notes, [(0.0, 2, 4)])
    assert bench_corpus.notes_per_quarter(tune) == 1.5


def test_the_matched_check_compares_tunes_with_four_four_tunes_as_busy():
    six = [record("6/8", b, line(b) - 0.04) for b in (1.1, 1.3, 1.5)]
    row = cb.reading(FOUR + six, draws=100)[1]
    # 1.1 meets 4/4's 1.0 and 1.2 only (two: no match); 1.3 meets 1.2 and 1.4 (two); 1.5
    # meets 1.4 and 1.6: none has three 4/4 tunes within 0.2, so nothing is matched
    assert row["pcs"]["matched_share"] == 0.0
    wide = [record("4/4", b, line(b)) for b in (1.05, 1.15, 1.25, 1.35, 1.45, 1.55)]
    row = cb.reading(FOUR + wide + six, draws=100)[1]
    assert row["pcs"]["matched_share"] == 1.0
    # the 4/4 neighbours of the three (busyness 1.13, 1.30, 1.47 on average) are on the
    # line and as busy as the three together (1.3): the check finds the 0.04 under too
    assert row["pcs"]["matched_gap"] == pytest.approx(row["pcs"]["equal_busyness_gap"])
    # busier than any 4/4 tune: nothing to match, however far the line reaches
    two = [record("2/4", 3.0, line(3.0))]
    row = cb.reading(FOUR + two, draws=50)[1]
    assert row["pcs"]["matched_share"] == 0.0 and row["pcs"]["equal_busyness_gap"] == 0.0
