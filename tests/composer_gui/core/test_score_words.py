"""The score line of a candidate's tooltip: what the number is among, and how far from Bach."""

from __future__ import annotations

import math

from composer_gui.core.arrangement import Arrangement, Track
from composer_gui.core.candidate import Candidate
from composer_gui.core.metric_words import score_line
from composer_gui.core.project import candidate_from_dict, candidate_to_dict


def candidate(percentile: float, real_share: float, style: str = "chorale") -> Candidate:
    arrangement = Arrangement([Track("melody", [])], 100.0, (4, 4))
    return Candidate(
        arrangement, 1, -1.5, percentile, style=style, score=-6.0, real_share=real_share
    )


def test_a_chorale_candidate_is_placed_among_candidates_and_against_bach():
    line = score_line(candidate(62.4, 7.6))
    assert line.startswith("Score: 62 / 100 among the model's own candidates")
    assert "50 is a typical candidate" in line and "above 8% of real Bach" in line


def test_a_band_candidate_reads_as_before_among_its_styles_real_renderings():
    line = score_line(candidate(40.0, math.nan, style="rock"))
    assert line.startswith("Score: 40 / 100 among the rock style's real accompaniments")
    assert "typical candidate" not in line


def test_the_share_of_bach_is_saved_and_an_older_file_has_none():
    saved = candidate_to_dict(candidate(62.4, 7.6))
    assert candidate_from_dict(saved).real_share == 7.6
    del saved["real_share"]
    assert math.isnan(candidate_from_dict(saved).real_share)
