"""Phrase repetition as a cue to the bar (``composer_gui/core/pickup_cues.py``)."""

from __future__ import annotations

import numpy as np

from composer_gui.core import pickup
from composer_gui.core.pickup_cues import (
    REPEAT_LAG_BARS,
    REPEAT_MIN_NOTES,
    fit_repeat_table,
    repeat_classes,
    repeat_scores,
)

BAR = 8  # 2/4 in sixteenths


def phrase(start: int, pitches: list[int]) -> list[tuple[int, int, int]]:
    return [(start + 2 * i, start + 2 * i + 2, p) for i, p in enumerate(pitches)]


def test_a_passage_played_again_two_bars_later_is_marked_where_it_starts_and_stops():
    motif = [67, 69, 71, 72, 74, 72]  # six eighths from the eighth before a bar
    lag = REPEAT_LAG_BARS * BAR
    notes = phrase(6, motif) + phrase(18, [60]) + phrase(6 + lag, motif) + phrase(18 + lag, [64])
    ordered = sorted(notes)
    classes = repeat_classes(ordered, BAR)
    assert len(motif) >= REPEAT_MIN_NOTES
    starts = [n[0] for n in ordered]
    assert classes[starts.index(6)] == 1 and classes[starts.index(6 + lag)] == 1
    assert classes[starts.index(18)] == 2 and classes[starts.index(18 + lag)] == 2
    assert (classes == 0).sum() == len(ordered) - 4


def test_a_repeat_shorter_than_a_phrase_is_not_one():
    short = [67, 69, 71, 72][: REPEAT_MIN_NOTES - 1]
    lag = REPEAT_LAG_BARS * BAR
    ordered = sorted(phrase(0, short) + phrase(lag, short))
    assert not repeat_classes(ordered, BAR).any()


def test_the_table_learns_where_repeats_start_and_scores_that_offset_best():
    motif = [67, 69, 71, 72, 74, 72, 71, 69]
    lag = REPEAT_LAG_BARS * BAR
    tunes = []
    for k in range(6):  # each tune's repeats start an eighth before its bar (phase 6)
        rest = [(16 + 2 * i, 18 + 2 * i, 60 + (i * 5 + k) % 12) for i in range(8)]
        notes = phrase(0, motif) + [(a, b, p) for a, b, p in rest if a < lag]
        notes = notes + phrase(lag, motif) + [(lag + 16, lag + 20, 62)]
        tunes.append((notes, 6))
    table = fit_repeat_table(tunes, BAR, prior=5.0)
    assert np.argmax(table[:, 1]) == 6
    scores = repeat_scores(sorted(tunes[0][0]), BAR, table)
    assert np.argmax(scores) == 2  # the first downbeat an eighth after step 0


def test_the_shipped_two_four_repeats_start_on_the_downbeat_or_its_eighth_before():
    # Learned from folk tunes (bench_pickup.py --fit): a phrase played again starts on its
    # pickup or its downbeat more often than anywhere else in the bar.
    starts = np.exp(pickup.profiles()["2/4"]["repeats"][:, 1])
    assert min(starts[0], starts[6]) > max(starts[[1, 2, 3, 4, 5, 7]])
