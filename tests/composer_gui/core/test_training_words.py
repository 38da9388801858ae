"""A training run's figures in words (core.training_words): what each measures and which
way it went, the exact figures kept; session 20's walk read "W +70.91 rec 116.89"."""

from __future__ import annotations

import math

from composer_gui.core.training_words import (
    TREND_ROWS,
    exact_figures,
    progress_words,
    trend,
)


def rows(wasserstein: list[float], reconstruction: list[float]) -> list[dict]:
    return [
        {"iteration": float(5 * i), "wasserstein": w, "reconstruction": r}
        for i, (w, r) in enumerate(zip(wasserstein, reconstruction), start=1)
    ]


def test_the_walks_figures_are_said_in_words_and_their_trend_once_there_are_enough():
    assert progress_words(rows([70.91], [116.89])) == (
        "the critic puts its music 70.91 from the songs; its best parts 116.89 from the songs' own"
    )
    falling = [80.0 - i for i in range(2 * TREND_ROWS)]
    level = [116.0 + (i % 2) for i in range(2 * TREND_ROWS)]
    said = progress_words(rows(falling, level))
    assert said == (
        f"the critic puts its music {falling[-1]:.2f} from the songs (falling); "
        f"its best parts {level[-1]:.2f} from the songs' own (about level)"
    )
    assert progress_words(rows(falling, level), short=True) == (
        f"from the songs {falling[-1]:.2f} (falling), parts {level[-1]:.2f} (about level)"
    )


def test_the_trend_compares_the_last_rows_with_the_ones_before():
    assert trend([1.0] * (2 * TREND_ROWS - 1)) == ""  # too few to tell
    assert trend([1.0] * TREND_ROWS + [2.0] * TREND_ROWS) == "rising"
    assert trend([-2.0] * TREND_ROWS + [-1.0] * TREND_ROWS) == "rising"  # below zero too
    assert trend([1.0] * TREND_ROWS + [1.04] * TREND_ROWS) == "about level"
    assert trend([math.nan] * 3 + [2.0] * TREND_ROWS + [1.0] * TREND_ROWS) == "falling"


def test_a_figure_the_run_does_not_log_is_left_out_and_the_exact_ones_are_kept():
    # reconstruction only: the critic's columns are NaN (models/train.py)
    only = rows([math.nan, math.nan], [3.0, 2.5])
    assert progress_words(only) == "its best parts 2.50 from the songs' own"
    assert progress_words([]) == ""
    exact = exact_figures({"iteration": 20.0, "wasserstein": 70.914, "reconstruction": 116.891})
    assert exact.splitlines() == ["wasserstein: 70.914", "reconstruction: 116.891"]
