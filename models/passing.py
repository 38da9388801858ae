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


def stepwise_notes(accompaniment: np.ndarray) -> np.ndarray:
    """``(c, voice, step)`` True where a note begins that is reached and left by a step.

    ``accompaniment`` ``(c, voice, step)`` pitch index or -1; a note is a run of one pitch
    (a repeated pitch is one note, as the checks read the grid)."""
    c, v, t = accompaniment.shape
    out = np.zeros((c, v, t), dtype=bool)
    if t < 3:
        return out
    for ci in range(c):
        for vi in range(v):
            line = accompaniment[ci, vi]
            starts = np.flatnonzero(np.r_[True, line[1:] != line[:-1]])
            pitch = line[starts]
            if starts.size < 3:
                continue
            before, here, after = pitch[:-2], pitch[1:-1], pitch[2:]
            sounding = (before >= 0) & (here >= 0) & (after >= 0)
            into, out_of = np.abs(here - before), np.abs(after - here)
            step = sounding & (into > 0) & (into <= STEP_LIMIT) & (out_of > 0)
            step &= out_of <= STEP_LIMIT
            out[ci, vi, starts[1:-1][step]] = True
    return out


def next_pitches(lines: np.ndarray) -> np.ndarray:
    """``(..., step)``: the pitch of the note after the one sounding at each step (-1 for a
    rest or the end), ``lines`` ``(..., step)`` pitch index or -1."""
    flat = lines.reshape(-1, lines.shape[-1])
    out = np.full(flat.shape, -1, dtype=np.int64)
    for i, line in enumerate(flat):
        new = np.r_[True, line[1:] != line[:-1]]
        pitch = line[new]
        note = np.cumsum(new) - 1
        following = np.append(pitch[1:], -1)
        out[i] = following[note]
    return out.reshape(lines.shape)


def resolves_by_step(lines: np.ndarray) -> np.ndarray:
    """``(..., step)`` True where the note sounding moves on by a step (a tone or a
    semitone) to the next: how a suspension, an appoggiatura or a passing note resolves."""
    following = next_pitches(lines)
    move = np.abs(following - lines)
    return (lines >= 0) & (following >= 0) & (move > 0) & (move <= STEP_LIMIT)


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
