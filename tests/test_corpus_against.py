"""Two corpus benchmark records compared tune by tune (``benchmarks/corpus_against.py``)
on hand-made records: a tune whose only difference is its seconds is not listed, one
whose PCS moved or that is newly accompanied is, with both values."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus_against as ca  # noqa: E402


def judged(name: str, pcs: float, seconds: float = 5.0) -> dict:
    return {
        "tune": name,
        "meter": "2/4",
        "seconds": seconds,
        "accompanied": True,
        "melody_kept": True,
        "pcs": pcs,
        "mctd": None,
        "empty_bars": [0.0, 0.0, 0.0],
    }


def test_only_the_tunes_whose_figures_moved_are_listed_with_both_values():
    old = [
        judged("same", 0.7, seconds=5.0),
        judged("moved", 0.7),
        {"tune": "refused", "meter": "2/4", "accompanied": False, "refusal": "1/4"},
    ]
    new = [
        judged("same", 0.7 + 1e-12, seconds=9.0),  # the machine's seconds, not the product's
        judged("moved", 0.65),
        judged("refused", 0.8),
    ]
    changes = {c["tune"]: c for c in ca.tune_changes(old, new)}
    assert set(changes) == {"moved", "refused"}
    assert changes["moved"]["moved"] == {"pcs": (0.7, 0.65)}
    assert changes["refused"]["moved"]["accompanied"] == (False, True)
    assert changes["refused"]["moved"]["pcs"] == (None, 0.8)
    assert "pcs 0.700->0.650" in ca.describe(changes["moved"])


def test_a_tune_in_one_run_only_is_listed_and_nan_equals_none_alike():
    changes = ca.tune_changes([judged("a", 0.5)], [judged("a", 0.5), judged("b", 0.5)])
    assert changes == [{"tune": "b", "meter": "2/4", "only_in": "new"}]
    assert ca.same(float("nan"), float("nan")) and not ca.same(float("nan"), 0.1)
    assert ca.same([0.0, 1.0], [0.0, 1.0]) and not ca.same([0.0], [0.0, 0.0])
