"""Phrase repetition as a cue to where a melody's bars fall (``pickup.learned_pickup``).

Folk tunes repeat: a phrase comes back two bars later (the second half of a strain
restating its first), and a musician hears the bar in where the repeat begins and where
it breaks off. The place of those notes in the bar is learned like the rhythm profiles:
each note is classed as the first of a passage that comes back ``REPEAT_LAG_BARS`` bars
later (or came ``REPEAT_LAG_BARS`` bars earlier), the first note after such a passage
(where the two diverge), or neither, and ``fit_repeat_table`` counts the classes by the
note's place in the bar. The lag is a whole number of bars, so the classes do not depend
on where the barlines are put, only their places do: running sixteenths, whose rhythm
says nothing of the bar, still repeat in bars.

Chosen on the fitting part's cross-validation only (``benchmarks/bench_pickup.py
--fit``; docs/meters.md): a lag of 2 bars against 4 and 8 bars or all three, passages of
at least 5 notes against 3, 4, 6 and 8. Tried on the same figures and dropped: where the
pitch classes sounding before and after a note differ (harmony changing at the barline),
over a beat, half a bar or a bar (at most 3 more bars found of 298, within noise).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

REPEAT_LAG_BARS = 2  # a passage that comes back this many bars later
REPEAT_MIN_NOTES = 5  # notes a passage must match for, so a repeated pair of notes is not one
REPEAT_CLASSES = 3  # neither, the first note of a repeated passage, the first note after one


def repeat_classes(ordered: Sequence[tuple[int, ...]], bar: int) -> np.ndarray:
    """Each note's class (``ordered`` by start, ``(start, end, pitch, ...)``): 1 where a
    passage of ``REPEAT_MIN_NOTES`` or more notes starts that is played again, same
    pitches at the same distances, ``REPEAT_LAG_BARS`` bars later or was played that
    much earlier; 2 on the first note after such a passage; 0 otherwise."""
    keys = [(n[0], n[2]) for n in ordered]
    at = set(keys)
    lag = REPEAT_LAG_BARS * bar
    classes = np.zeros(len(keys), np.int64)
    for direction in (lag, -lag):
        matched = [(start + direction, pitch) in at for start, pitch in keys]
        i = 0
        while i < len(matched):
            if not matched[i]:
                i += 1
                continue
            j = i
            while j < len(matched) and matched[j]:
                j += 1
            if j - i >= REPEAT_MIN_NOTES:
                classes[i] = classes[i] or 1
                if j < len(matched):
                    classes[j] = classes[j] or 2
            i = j
    return classes


def repeat_scores(ordered: Sequence[tuple[int, ...]], bar: int, table: np.ndarray) -> np.ndarray:
    """Log-likelihood of the notes' repeat classes for each barline offset
    0..bar-1, under one meter's ``table`` ((bar, REPEAT_CLASSES) log-probabilities of the
    class given the place)."""
    starts = np.array([n[0] for n in ordered], dtype=np.int64)
    places = (starts[None, :] - np.arange(bar)[:, None]) % bar
    return table[places, repeat_classes(ordered, bar)[None, :]].sum(axis=1)


def fit_repeat_table(
    tunes: Iterable[tuple[Sequence[tuple[int, ...]], int]], bar: int, prior: float
) -> np.ndarray:
    """log P(repeat class | place in the bar) of one meter from ``(notes, phase)`` tunes
    (phase: where step 0 lies in its bar), smoothed toward the meter's classes overall
    with ``prior`` pseudo-notes a place (and half a note a cell, so no class a place has
    never shown is impossible): repeats are rare, a few a tune, and a place's table
    from few of them would make each one count for too much."""
    counts = np.zeros((bar, REPEAT_CLASSES))
    for notes, phase in tunes:
        ordered = sorted(notes)
        places = (np.array([n[0] for n in ordered], dtype=np.int64) + phase) % bar
        np.add.at(counts, (places, repeat_classes(ordered, bar)), 1.0)
    overall = (counts.sum(axis=0) + 0.5) / (counts.sum() + 0.5 * REPEAT_CLASSES)
    smoothed = counts + prior * overall[None, :] + 0.5
    return np.log(smoothed / smoothed.sum(axis=1, keepdims=True))
