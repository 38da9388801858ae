"""Passing motion inside the beat: what Bach's chorales have and the model's candidates lack.

Bach's inner voices move by step between the beats' chords (passing and neighbour notes,
mostly eighths); a candidate whose voices only ever change on the beat sounds like block
chords.  Measured on the validation split (``benchmarks/fit_ranking_weights.py``), 39% of
Bach's beats have such a note, the model's candidates 21%, and Bach with its passing notes
removed (``models.negatives.block``) none, which the critic alone hardly hears.

A beat *has passing motion* when some accompaniment voice starts a note strictly inside it
that is reached by a step (one or two semitones) and left by a step: the textbook passing
or neighbour note.  The grade of a beat is 1 when it has none (nothing moves by step
inside it), 0 when it has; NaN where the accompaniment is silent at the beat.
"""

from __future__ import annotations

import numpy as np

STEP_LIMIT = 2  # semitones: a passing or neighbour note moves by a tone or a semitone


def _note_starts(lines: np.ndarray) -> np.ndarray:
    """``(..., step)`` True where a note (a run of one pitch) or a rest begins."""
    new = np.ones(lines.shape, dtype=bool)
    new[..., 1:] = lines[..., 1:] != lines[..., :-1]
    return new


def next_pitches(lines: np.ndarray) -> np.ndarray:
    """``(..., step)``: the pitch of the note after the one sounding at each step (-1 for a
    rest or the end), ``lines`` ``(..., step)`` pitch index or -1."""
    lines = np.asarray(lines, dtype=np.int64)
    t = lines.shape[-1]
    new = _note_starts(lines)
    index = np.where(new, np.arange(t), t)
    # The first note start after each step: a running minimum from the end.
    after = np.full(lines.shape, t)
    after[..., :-1] = np.flip(np.minimum.accumulate(np.flip(index[..., 1:], -1), axis=-1), -1)
    padded = np.concatenate([lines, np.full(lines.shape[:-1] + (1,), -1)], axis=-1)
    return np.take_along_axis(padded, after, axis=-1)


def resolves_by_step(lines: np.ndarray) -> np.ndarray:
    """``(..., step)`` True where the note sounding moves on by a step (a tone or a
    semitone) to the next: how a suspension, an appoggiatura or a passing note resolves."""
    lines = np.asarray(lines, dtype=np.int64)
    following = next_pitches(lines)
    move = np.abs(following - lines)
    return (lines >= 0) & (following >= 0) & (move > 0) & (move <= STEP_LIMIT)


def stepwise_notes(accompaniment: np.ndarray) -> np.ndarray:
    """``(c, voice, step)`` True where a note begins that is reached and left by a step.

    ``accompaniment`` ``(c, voice, step)`` pitch index or -1; a note is a run of one pitch
    (a repeated pitch is one note, as the checks read the grid)."""
    lines = np.asarray(accompaniment, dtype=np.int64)
    before = np.full(lines.shape, -1)
    before[..., 1:] = lines[..., :-1]
    into = np.abs(lines - before)
    reached = _note_starts(lines) & (before >= 0) & (lines >= 0) & (into > 0)
    return reached & (into <= STEP_LIMIT) & resolves_by_step(lines)


def no_passing_grades(voices: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """``(c, beat)``: 1 where no accompaniment voice has passing motion inside the beat
    beginning at each of ``steps``, 0 where one has; NaN where the accompaniment rests.
    ``voices`` ``(c, track, step)``, the melody first."""
    accompaniment = voices[:, 1:]
    stepwise = stepwise_notes(accompaniment)
    ends = np.append(steps[1:], voices.shape[2])
    grades = np.empty((voices.shape[0], steps.size))
    for b, (start, end) in enumerate(zip(steps, ends)):
        inside = stepwise[:, :, start + 1 : end].any(axis=(1, 2))
        sounding = (accompaniment[:, :, start] >= 0).any(axis=1)
        grades[:, b] = np.where(sounding, (~inside).astype(np.float64), np.nan)
    return grades
