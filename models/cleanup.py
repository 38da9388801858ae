"""Clean-up that turns network output into parts a musician would play.

Pianoroll GANs fragment notes (MuseGAN's models reached 43-74% notes of at least
two steps against about 90% in real music), and DeepComposer wrote its raw
thresholded frames out as they were.  Here the output is binarized with a
density control and then tidied by two rules, applied until nothing changes:

- *Bridging*: a note interrupted by a single step (a 1-step rest or a 1-step
  different pitch) becomes one note.
- *Minimum length*: a note shorter than ``min_steps`` joins the touching
  neighbouring note of the nearest pitch (its steps take that pitch), or becomes
  rest when no note touches it.

Voice tracks (the generator's format: a categorical over pitches plus rest at
every step; :func:`clean_voices` takes steps already chosen, e.g. sampled) are
monophonic by construction.  Free tracks are probability rolls
thresholded per cell.  Both return the roll and an ``onsets`` array marking
where each note starts: a plain roll cannot show a repeated note, so the notes
are read with :func:`roll_to_note_list`, which honours onsets.  Everything is
deterministic.  Rolls here have the tracks of their input (the generator's
accompaniment tracks), shaped ``(track, step, pitch)`` on the grid of
:mod:`models.pianoroll`.
"""

from __future__ import annotations

import numpy as np

from models.metrics import note_runs
from models.pianoroll import LOWEST_PITCH, N_PITCHES

REST = -1  # label of a rest step in a voice


def _check_density(density: float) -> float:
    if not 0.0 <= density <= 1.0:
        raise ValueError(f"Density must be between 0 and 1 (0.5 is neutral); got {density}.")
    return float(density)


def _check_min_steps(min_steps: int) -> int:
    if min_steps < 1:
        raise ValueError(f"The minimum note length must be at least 1 step; got {min_steps}.")
    return int(min_steps)


def voice_labels(probs: np.ndarray, density: float = 0.5) -> np.ndarray:
    """Per-step choice of each voice, ``(track, step)``: a pitch index or :data:`REST`.

    ``probs`` is ``(track, step, n_pitches + 1)`` with the rest class last.  The
    rest wins where ``(1 - density) * p_rest > density * p_best_pitch``: density
    0.5 is the plain argmax (a tie goes to the pitch), higher density plays more
    steps, lower density rests more (at 0 the voice rests wherever the rest has
    any probability).
    """
    density = _check_density(density)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 3 or probs.shape[-1] < 2:
        raise ValueError(
            f"Voice probabilities must be shaped (track, step, pitches + rest); got {probs.shape}."
        )
    pitch_probs, rest_probs = probs[..., :-1], probs[..., -1]
    best = np.argmax(pitch_probs, axis=-1)
    best_prob = np.take_along_axis(pitch_probs, best[..., None], axis=-1)[..., 0]
    rests = ((1.0 - density) * rest_probs > density * best_prob) | (best_prob <= 0)
    return np.where(rests, REST, best)


def labels_to_roll(labels: np.ndarray, n_pitches: int = N_PITCHES) -> np.ndarray:
    """Voice labels ``(track, step)`` (pitch index or :data:`REST`) as a plain roll, uncleaned.

    This is the network's binarized output as it is: measure the generator on it
    (qualified notes, say), since the cleaned roll has no note shorter than
    ``min_steps`` by construction.
    """
    labels = np.asarray(labels)
    roll = np.zeros((*labels.shape, n_pitches), dtype=bool)
    tracks, steps = np.nonzero(labels != REST)
    roll[tracks, steps, labels[tracks, steps]] = True
    return roll


def _segments(labels: np.ndarray) -> list[list[int]]:
    """Run-length form ``[[label, n_steps], ...]`` of one voice's labels."""
    labels = np.asarray(labels)
    if labels.size == 0:
        return []
    change = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate(([0], change))
    lengths = np.diff(np.concatenate((starts, [labels.size])))
    return [[int(labels[s]), int(n)] for s, n in zip(starts, lengths, strict=True)]


def _append(segments: list[list[int]], label: int, n_steps: int, struck: int | None = None) -> None:
    """Append a segment, joining it to the last one when they have the same label.

    A segment of a track with an onset output carries a third value, whether its note is
    struck (``track_cleanup.clean_struck_voice``): a struck one starts a note of its own."""
    if segments and segments[-1][0] == label and not struck:
        segments[-1][1] += n_steps
    elif struck is None:
        segments.append([label, n_steps])
    else:
        segments.append([label, n_steps, struck])


def _struck(segment: list[int]) -> int | None:
    """Whether a segment's note is struck, or None where notes carry no strikes."""
    return segment[2] if len(segment) > 2 else None


def _bridge_segments(segments: list[list[int]]) -> tuple[list[list[int]], bool]:
    """Join ``A x A`` where ``x`` is one step (rest or another pitch) into one ``A``;
    where the notes carry strikes (``_append``), only if neither ``x`` nor the second
    ``A`` is struck: a re-struck note is not a flicker."""
    result: list[list[int]] = []
    changed = False
    i = 0
    while i < len(segments):
        label, n_steps, struck = segments[i][0], segments[i][1], _struck(segments[i])
        if (
            n_steps == 1
            and not struck
            and result
            and i + 1 < len(segments)
            and result[-1][0] != REST
            and result[-1][0] == segments[i + 1][0]
            and not _struck(segments[i + 1])
        ):
            result[-1][1] += 1 + segments[i + 1][1]
            changed = True
            i += 2
            continue
        _append(result, label, n_steps, struck)
        i += 1
    return result, changed


def _merge_short_segments(
    segments: list[list[int]], min_steps: int
) -> tuple[list[list[int]], bool]:
    """Give each too-short note to its touching neighbour of nearest pitch, or rest it; a
    struck note (segments of three values, ``_append``) is kept however short."""
    segments = [list(segment) for segment in segments]
    result: list[list[int]] = []
    changed = False
    for i, segment in enumerate(segments):
        label, n_steps, struck = segment[0], segment[1], _struck(segment)
        if label == REST or n_steps >= min_steps or struck:
            _append(result, label, n_steps, struck)
            continue
        changed = True
        left = result[-1][0] if result and result[-1][0] != REST else None
        right = segments[i + 1][0] if i + 1 < len(segments) else REST
        right = None if right == REST else right
        if left is not None and (right is None or abs(left - label) <= abs(right - label)):
            result[-1][1] += n_steps  # the earlier note is held on (ties go left)
        elif right is not None:
            segments[i + 1][1] += n_steps  # the later note starts early
        else:
            _append(result, REST, n_steps, None if struck is None else 0)
    return result, changed


def _clean_segments(segments: list[list[int]], min_steps: int) -> list[list[int]]:
    """Bridging and minimum length, again until neither changes a note (with or without
    strikes: ``track_cleanup.clean_struck_voice`` too)."""
    changed = True
    while changed:
        segments, bridged = _bridge_segments(segments)
        segments, merged = _merge_short_segments(segments, min_steps)
        changed = bridged or merged
    return segments


def _clean_voice(labels: np.ndarray, min_steps: int) -> np.ndarray:
    segments = _clean_segments(_segments(labels), min_steps)
    if not segments:
        return np.asarray(labels).copy()
    return np.repeat([label for label, _ in segments], [n for _, n in segments])


def voices_to_roll(
    probs: np.ndarray, density: float = 0.5, min_steps: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Monophonic voices from per-step categoricals: ``(roll, onsets)``, ``(track, step, pitch)``.

    ``probs`` is ``(track, step, n_pitches + 1)`` with the rest class last (see
    :func:`voice_labels` for density).  Each voice is cleaned by bridging and
    minimum length; ``onsets`` marks the first step of every resulting note.
    """
    labels = voice_labels(probs, density)
    return clean_voices(labels, min_steps, n_pitches=np.asarray(probs).shape[-1] - 1)


def clean_voices(
    labels: np.ndarray, min_steps: int = 2, n_pitches: int = N_PITCHES
) -> tuple[np.ndarray, np.ndarray]:
    """Clean voices already decided per step (e.g. sampled): ``(roll, onsets)``.

    ``labels`` is ``(track, step)`` of pitch indices, :data:`REST` (-1) for rest,
    the same form as :func:`voice_labels` returns.
    """
    min_steps = _check_min_steps(min_steps)
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"Voice labels must be shaped (track, step); got {labels.shape}.")
    n_tracks, n_steps = labels.shape
    roll = np.zeros((n_tracks, n_steps, n_pitches), dtype=bool)
    onsets = np.zeros_like(roll)
    steps = np.arange(n_steps)
    for track in range(n_tracks):
        cleaned = _clean_voice(labels[track], min_steps)
        sounding = cleaned != REST
        roll[track, steps[sounding], cleaned[sounding]] = True
        previous = np.concatenate(([REST], cleaned[:-1]))
        starts = sounding & (cleaned != previous)
        onsets[track, steps[starts], cleaned[starts]] = True
    return roll, onsets


def _bridge_gaps(roll: np.ndarray) -> np.ndarray:
    """Fill single silent steps between two active steps of one pitch (track, step, pitch)."""
    gaps = np.zeros_like(roll)
    gaps[:, 1:-1] = roll[:, :-2] & ~roll[:, 1:-1] & roll[:, 2:]
    return roll | gaps


def _note_cells(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For notes given by ``starts``/``ends``: each cell's note index and step."""
    lengths = ends - starts
    note = np.repeat(np.arange(len(starts)), lengths)
    offset = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return note, starts[note] + offset


def _clear_notes(
    roll: np.ndarray, tracks: np.ndarray, pitches: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> None:
    note, steps = _note_cells(starts, ends)
    roll[tracks[note], steps, pitches[note]] = False


def _touching(
    roll: np.ndarray, tracks: np.ndarray, pitches: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """``(note, pitch)``: other pitches sounding the step before or after each note."""
    n_steps = roll.shape[1]
    before = np.where((starts > 0)[:, None], roll[tracks, np.maximum(starts - 1, 0)], False)
    after = np.where((ends < n_steps)[:, None], roll[tracks, np.minimum(ends, n_steps - 1)], False)
    touching = before | after
    touching[np.arange(len(pitches)), pitches] = False
    return touching


def _move_short_notes(
    roll: np.ndarray,
    tracks: np.ndarray,
    pitches: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    targets: np.ndarray,
) -> None:
    """Move short notes to their nearest pitch in ``targets`` ``(note, pitch)``, or drop them."""
    _clear_notes(roll, tracks, pitches, starts, ends)
    n_pitches = roll.shape[2]
    distance = np.abs(np.arange(n_pitches)[None, :] - pitches[:, None])
    nearest = np.argmin(np.where(targets, distance, n_pitches + 1), axis=1)  # ties: lower
    note, steps = _note_cells(starts, ends)
    moves = targets.any(axis=1)[note]
    roll[tracks[note][moves], steps[moves], nearest[note][moves]] = True


def threshold_roll(
    probs: np.ndarray, density: float = 0.5, min_steps: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Polyphonic tracks from a probability roll ``(track, step, pitch)``: ``(roll, onsets)``.

    A cell sounds where its probability exceeds ``1 - density`` (0.5 at the
    neutral density).  Then, per track, 1-step gaps in a pitch are bridged, and
    a note shorter than ``min_steps`` moves to the nearest pitch with a note
    touching it in time (the step before it starts or the step after it ends),
    or is dropped when none touches it.  Repeats until nothing changes.
    """
    density = _check_density(density)
    min_steps = _check_min_steps(min_steps)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 3:
        raise ValueError(
            f"A probability roll must be shaped (track, step, pitch); got {probs.shape}."
        )
    roll = probs > 1.0 - density
    n_steps = roll.shape[1]
    while True:
        roll = _bridge_gaps(roll)
        tracks, pitches, starts, lengths = note_runs(roll)
        short = lengths < min_steps
        if not short.any():
            break
        tracks, pitches, starts, ends = (
            tracks[short],
            pitches[short],
            starts[short],
            starts[short] + lengths[short],
        )
        # Pitches sounding in the same track just before / just after each short note,
        # among all notes and among the long ones (which no move below removes).
        long_roll = roll.copy()
        _clear_notes(long_roll, tracks, pitches, starts, ends)
        touching = _touching(roll, tracks, pitches, starts, ends)  # (short note, pitch)
        touching_long = _touching(long_roll, tracks, pitches, starts, ends)
        # Joining a long note only ever extends it, so all such moves (and the drops of
        # notes touching nothing) can happen at once; a note touching only other short
        # notes waits for the one-at-a-time loop below.
        at_once = touching_long.any(axis=1) | ~touching.any(axis=1)
        _move_short_notes(
            roll, tracks[at_once], pitches[at_once], starts[at_once], ends[at_once],
            touching_long[at_once],
        )  # fmt: skip
        tracks, pitches, starts, ends = (
            tracks[~at_once],
            pitches[~at_once],
            starts[~at_once],
            ends[~at_once],
        )
        # Moves change what their neighbours touch, so they go one at a time.
        for track, pitch, start, end in zip(tracks, pitches, starts, ends, strict=True):
            line = roll[track, :, pitch]
            still_a_run = line[start:end].all() and not (
                (start > 0 and line[start - 1]) or (end < n_steps and line[end])
            )
            if not still_a_run:
                continue  # an earlier move in this pass touched it; the next pass looks again
            neighbours = np.zeros(roll.shape[2], dtype=bool)
            if start > 0:
                neighbours |= roll[track, start - 1]
            if end < n_steps:
                neighbours |= roll[track, end]
            neighbours[pitch] = False
            roll[track, start:end, pitch] = False
            candidates = np.flatnonzero(neighbours)
            if candidates.size:
                nearest = candidates[np.argmin(np.abs(candidates - pitch))]  # ties: lower pitch
                roll[track, start:end, nearest] = True
    onsets = np.zeros_like(roll)
    tracks, pitches, starts, _ = note_runs(roll)
    onsets[tracks, starts, pitches] = True
    return roll, onsets


def roll_to_note_list(
    roll: np.ndarray, onsets: np.ndarray | None = None
) -> list[tuple[int, int, int, int]]:
    """The notes of a roll as ``(track, midi_pitch, start_step, n_steps)``.

    ``midi_pitch`` is the MIDI note number (``LOWEST_PITCH`` + pitch index).  A
    note is a run of active steps, split where ``onsets`` marks a new attack
    inside the run, so repeated notes stay distinct; without onsets each run is
    one note.  Sorted by track, start step, pitch.
    """
    roll = np.asarray(roll, dtype=bool)
    if roll.ndim != 3:
        raise ValueError(f"A roll must be shaped (track, step, pitch); got {roll.shape}.")
    attack = np.zeros_like(roll) if onsets is None else np.asarray(onsets, dtype=bool) & roll
    previous = np.zeros_like(roll)
    previous[:, 1:] = roll[:, :-1]
    following = np.zeros_like(roll)
    following[:, :-1] = roll[:, 1:]
    next_attack = np.zeros_like(roll)
    next_attack[:, :-1] = attack[:, 1:]
    starts = roll & (~previous | attack)
    ends = roll & (~following | next_attack)
    # Same (track, pitch, step) order for both, so the k-th start pairs with the k-th end.
    start_track, start_pitch, start_step = np.nonzero(starts.transpose(0, 2, 1))
    _, _, end_step = np.nonzero(ends.transpose(0, 2, 1))
    order = np.lexsort((start_pitch, start_step, start_track))  # by track, start, pitch
    return list(
        zip(
            start_track[order].tolist(),
            (start_pitch[order] + LOWEST_PITCH).tolist(),
            start_step[order].tolist(),
            (end_step[order] - start_step[order] + 1).tolist(),
            strict=True,
        )
    )
