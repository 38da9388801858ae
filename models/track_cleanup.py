"""Clean-up per track kind: from a track's probabilities to what a musician would play.

Monophonic tracks (voice, bass) are cleaned as the chorale voices are
(``models.cleanup.voices_to_roll``). The other kinds are Bernoulli rolls, binarized with
the same density rule (a cell plays where ``density * p > (1 - density) * (1 - p)``, so
0.5 is "more likely than not") and then tidied:

- *chords*: each step keeps its 2-5 likeliest sounding notes (a lone note is no chord,
  and more than five is a smear); a chord is held while its notes stay the same and no
  "starts" probability says it is struck again; a chord shorter than ``min_steps``
  takes the notes of the chord before it (a flicker, not a new chord) or, with none
  before, goes silent. Every chord's notes start together.
- *drums*: a hit where the hit probability passes the threshold, at most one per kit
  row and step; a drum sounds only where it is struck (``sounding == onsets``).

Each returns ``(sounding, onsets)``, ``(step, track.n_rows)`` bool.
"""

from __future__ import annotations

import numpy as np

from models.cleanup import voices_to_roll
from models.tracks import TrackSpec

MIN_CHORD_NOTES = 2
MAX_CHORD_NOTES = 5


def _plays(probs: np.ndarray, density: float) -> np.ndarray:
    if not 0.0 <= density <= 1.0:
        raise ValueError(f"Density must be between 0 and 1 (0.5 is neutral); got {density}.")
    return density * probs > (1.0 - density) * (1.0 - probs)


def chord_steps(sounds: np.ndarray, density: float = 0.5) -> list[frozenset[int]]:
    """Per step, the rows of the chord that sounds there (empty set: silence)."""
    plays = _plays(sounds, density)
    chords = []
    for step_probs, step_plays in zip(sounds, plays):
        rows = np.flatnonzero(step_plays)
        if rows.size < MIN_CHORD_NOTES:
            chords.append(frozenset())
            continue
        likeliest = rows[np.argsort(-step_probs[rows], kind="stable")[:MAX_CHORD_NOTES]]
        chords.append(frozenset(int(r) for r in likeliest))
    return chords


def clean_chords(
    sounds: np.ndarray, starts: np.ndarray, density: float = 0.5, min_steps: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """A chords track's ``sounds``/``starts`` probabilities ``(step, rows)`` → rolls."""
    n_steps, n_rows = sounds.shape
    chords = chord_steps(sounds, density)
    struck = _plays(starts, 0.5)
    # Segments of one chord: (rows, first step, length); a new one wherever the notes
    # change or the network says they are struck again.
    segments: list[list] = []
    for step, chord in enumerate(chords):
        again = bool(chord) and bool(struck[step, sorted(chord)].any())
        if segments and segments[-1][0] == chord and not again:
            segments[-1][2] += 1
        else:
            segments.append([chord, step, 1])
    merged: list[list] = []
    for chord, first, length in segments:
        if chord and length < min_steps:
            if merged and merged[-1][0]:  # a flicker: the chord before holds on
                merged[-1][2] += length
                continue
            chord = frozenset()
        if merged and not chord and not merged[-1][0]:
            merged[-1][2] += length
            continue
        merged.append([chord, first, length])
    sounding = np.zeros((n_steps, n_rows), dtype=bool)
    onsets = np.zeros_like(sounding)
    for chord, first, length in merged:
        if chord:
            rows = sorted(chord)
            sounding[first : first + length, rows] = True
            onsets[first, rows] = True
    return sounding, onsets


def clean_drums(hits: np.ndarray, density: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """A drums track's hit probabilities ``(step, kit rows)`` → rolls (hits only)."""
    struck = _plays(hits, density)
    return struck.copy(), struck


def clean_track(
    probs: np.ndarray, track: TrackSpec, density: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """One track's probabilities ``(step, track.n_outputs)`` → ``(sounding, onsets)``."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != track.n_outputs:
        raise ValueError(
            f"track {track.name!r} needs (step, {track.n_outputs}) probabilities, not {probs.shape}"
        )
    if track.monophonic:
        roll, onsets = voices_to_roll(probs[None], density=density)
        return roll[0], onsets[0]
    if track.kind == "chords":
        return clean_chords(probs[:, : track.n_rows], probs[:, track.n_rows :], density)
    return clean_drums(probs, density)
