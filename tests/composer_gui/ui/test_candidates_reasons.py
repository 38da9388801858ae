"""The candidate list's tooltip says why, in the reasons the engine gave each candidate."""

from __future__ import annotations

import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.candidate import Candidate
from composer_gui.ui.candidates import CandidatesPanel

pytestmark = pytest.mark.gui


def saved(rank: int, reasons: list[str]) -> Candidate:
    melody = Arrangement([Track("melody", [Note(60, 0.0, 1.0, 90)])])
    return Candidate(melody, rank, 0.1, 40.0, {"in_key_ratio": 1.0}, reasons=reasons)


def test_the_tooltip_carries_the_reasons_and_older_candidates_have_none(qtbot):
    panel = CandidatesPanel()
    qtbot.addWidget(panel)
    why = ["no parallel fifths or octaves", "2 clashes with the melody on strong beats"]
    panel.add_generation([saved(1, why), saved(2, [])])
    first, second = panel.tree.topLevelItem(0), panel.tree.topLevelItem(1)
    assert "Why: no parallel fifths or octaves; 2 clashes with the melody" in first.toolTip(1)
    assert "Why:" not in second.toolTip(1)
