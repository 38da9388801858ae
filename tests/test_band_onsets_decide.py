"""``benchmarks/band_onsets_decide.py``'s printed verdict: both rules it is read by,
each named (session 18 left it printing session 13's "ships" beside lines that
``band_fill_decide``'s newer rule reads differently)."""

from __future__ import annotations

import sys

from tests.support.scripts import ROOT, load_script

sys.path.insert(0, str(ROOT / "benchmarks"))  # its own imports of its neighbours


def test_the_verdict_names_session_13s_rule_and_session_15s_rule_3_apart():
    decide = load_script("benchmarks/band_onsets_decide.py")
    # session 15's shape (docs/band-model.md): session 13's lines fail, rule 3 holds
    verdict = [
        "2 fails: rock's repeats",
        "1 fails: the mean gap to MMA's notes a bar",
        "3 holds: pcs (+0.002, 2 SE 0.005)",
    ]
    text = decide.verdict_text(verdict)
    assert "ships by session 13's onset rule (every line): no" in text
    assert text.rstrip().endswith("moved farther): yes")
    assert "\nships: " not in text  # no unnamed verdict
    # a style's bass moved farther fails both
    moved = decide.verdict_text([*verdict, "1 fails: country's notes a bar moved farther"])
    assert moved.rstrip().endswith("moved farther): no")
