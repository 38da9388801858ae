"""Whether an accompaniment sounds the harmony another one chose, beat by beat: Bach's own
for the melody (``harmonic_agreement``), or the model's other draws (``harmony_consensus``).

Window metrics (``models.metrics``) say how Bach-like a texture is on average; these say
whether it is the harmony chosen for this melody. Rolls are ``(track, step, pitch)``,
track 0 the melody, as in ``models.metrics``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from models.metrics import checked_roll
from models.tonality import pitch_class_matrix


def _beat_pitch_classes(roll: np.ndarray, steps: int, steps_per_beat: int) -> np.ndarray:
    """``(beat, 12)``: which pitch classes the accompaniment (all tracks but the melody)
    sounds in each beat of the first ``steps`` steps."""
    to_classes = pitch_class_matrix(roll.shape[2]).astype(np.int32)
    sounding = roll[1:, :steps].any(axis=0)  # (steps, pitch)
    per_beat = sounding.reshape(-1, steps_per_beat, roll.shape[2]).any(axis=1)
    return (per_beat.astype(np.int32) @ to_classes) > 0


def harmonic_agreement(roll: np.ndarray, reference: np.ndarray, steps_per_beat: int = 4) -> float:
    """How far an accompaniment sounds the same harmony as a reference one, beat by beat:
    the Jaccard index of the pitch classes sounding in each beat, over all beats, of the
    accompaniment tracks (all but the melody) of two ``(track, step, pitch)`` rolls.

    Window metrics such as pitch classes per bar say how Bach-like a texture is on
    average; this says whether it is the harmony Bach chose for this melody.
    """
    roll, reference = checked_roll(roll), checked_roll(reference)
    steps = min(roll.shape[1], reference.shape[1]) // steps_per_beat * steps_per_beat
    a = _beat_pitch_classes(roll, steps, steps_per_beat)
    b = _beat_pitch_classes(reference, steps, steps_per_beat)
    either = (a | b).sum()
    return float((a & b).sum() / either) if either else math.nan


def harmony_consensus(rolls: np.ndarray, steps_per_beat: int = 4) -> np.ndarray:
    """For each of k candidates ``(k, track, step, pitch)`` for one melody, its mean
    ``harmonic_agreement`` with the other k - 1: how far the model's other draws choose the
    same harmony. Picking the highest is minimum-Bayes-risk selection, which drops the
    draws whose harmony is a sampling accident.
    """
    rolls = np.asarray(rolls)
    k = rolls.shape[0]
    if k < 2:
        return np.full(k, math.nan)
    steps = rolls.shape[2] // steps_per_beat * steps_per_beat
    classes = np.stack(
        [_beat_pitch_classes(checked_roll(r), steps, steps_per_beat).ravel() for r in rolls]
    ).astype(np.int64)
    both = classes @ classes.T
    sizes = classes.sum(axis=1)
    either = sizes[:, None] + sizes[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = np.where(either > 0, both / np.maximum(either, 1), np.nan)
    np.fill_diagonal(agreement, np.nan)
    with warnings.catch_warnings():  # a silent candidate agrees with nothing: NaN, no noise
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(agreement, axis=1)
