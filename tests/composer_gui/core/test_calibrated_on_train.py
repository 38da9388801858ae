"""A model calibrated on its training songs (a folder of a few songs with none held out)
does not have its scores called "held-out" or "its validation split" (session 20's walk:
a model trained on four songs, 0 in validation, was described so in the tooltip and by
``accompany``)."""

from __future__ import annotations

from composer_gui.commands.ranking_table import score_words
from composer_gui.core.arrangement import Arrangement
from composer_gui.core.candidate import Candidate
from composer_gui.core.metric_words import score_line
from composer_gui.core.project import candidate_from_dict, candidate_to_dict


def candidate(calibrated_on: str) -> Candidate:
    return Candidate(
        Arrangement([]),
        1,
        0.5,
        66.0,
        style="songs",
        real_share=10.0,
        calibrated_on=calibrated_on,
    )


def test_a_train_split_calibration_is_said_as_the_songs_it_was_trained_on():
    for words in (score_line(candidate("train")), score_words(candidate("train"))):
        assert "held-out" not in words and "validation" not in words
        assert "trained on" in words


def test_a_held_out_calibration_keeps_its_words():
    assert "held-out" in score_line(candidate(""))
    assert "validation split" in score_words(candidate(""))


def test_a_project_keeps_what_its_candidates_were_calibrated_on():
    assert candidate_from_dict(candidate_to_dict(candidate("train"))).calibrated_on == "train"
