"""Honest quality metrics for accompaniments, computed on binarized rolls.

DeepComposer logged its metrics on raw tanh output, where -1 meant silence, so an
all-silent roll scored a 7/12 "in-scale" rate.  Everything here takes a boolean
roll ``(track, step, pitch)`` on the grid of :mod:`models.pianoroll` (track 0 is
the melody, the others the accompaniment), so a silent track scores as silent.

Definitions (the same for real Bach, our model and every baseline):

- A *note* is a maximal run of consecutive active steps at one pitch in one
  track.  A plain roll cannot show a repeated note (two quarter notes on the same
  pitch look like one half note), so real music and generated music are both
  measured as runs; the clean-up keeps onsets separately where it can
  (:mod:`models.cleanup`) so that what is played keeps its repeated notes.
- Bars are ``steps_per_bar`` long; a last partial bar counts as a bar padded
  with silence.
- ``empty_bar_rate``: fraction of bars in which the track has no active step.
- ``pitch_classes_per_bar``: distinct pitch classes sounding in a bar, averaged
  over the track's non-empty bars (MuseGAN's "UPC").
- ``qualified_note_rate``: fraction of notes at least :data:`QUALIFIED_STEPS`
  steps (an 8th note) long; low values mean fragmented output.  The clean-up
  guarantees its minimum length, so judge the network itself on its plainly
  binarized output (``models.cleanup.labels_to_roll``) and the product on the
  cleaned one.
- ``polyphony``: over the steps where the accompaniment sounds, the mean number
  of sounding accompaniment notes (a unison between two voices counts twice, so
  four-part Bach gives close to 3).  Per track it is the same count within that
  track (1.0 for a monophonic voice).
- ``in_key_ratio``: fraction of accompaniment notes whose pitch class lies in
  the key of the melody.  The key is estimated from the *melody alone*
  (duration-weighted pitch-class histogram correlated with the Krumhansl-Kessler
  major and minor profiles), so the accompaniment being judged cannot move the
  reference it is judged against; only a silent melody falls back to the
  accompaniment's own histogram.  Major keys use the diatonic scale, minor keys
  the natural minor plus the harmonic leading tone (8 pitch classes).  Short
  pieces give less certain keys (real Bach: about 0.91 over whole chorales, 0.88
  over 2-bar windows), so compare rows measured on pieces of the same length.
- ``tonal_distance``: per bar, the duration-weighted chroma of the melody and of
  the track are mapped to the 6-D tonal centroid of Harte, Sandler and Gasser
  (2006), and their Euclidean distance is averaged over the bars where both
  sound (as MuseGAN reports it).  Lower means more harmonically related.

The headline value of each metric (the key without a track prefix) pools the
accompaniment: notes are pooled for ``qualified_note_rate`` and
``in_key_ratio``, steps for ``polyphony``; per-bar metrics are the mean of the
per-track values.  A metric with nothing to measure (no notes at all) is NaN,
never a made-up 0 or 1.

Beside them: :func:`diversity` between candidates for one melody (mode
collapse), :func:`distance_to_reference`, one number for "how close to real
Bach", and :func:`parallel_perfect_rate`, the textbook fault of four-part writing.
Keys and pitch classes are found by :mod:`models.tonality`; whether a candidate
sounds the harmony Bach (or the other candidates) chose, by
:mod:`models.harmonic_agreement`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping

import numpy as np

from models.pianoroll import LOWEST_PITCH, MELODY, STEPS_PER_BAR, TRACKS, bars_in
from models.tonality import (
    KEY_SCALE_MASKS,
    TONAL_CENTROID_BASIS,
    estimate_keys,
    pitch_class_matrix,
)

QUALIFIED_STEPS = 2  # a note of at least an 8th note (2 sixteenth steps) "qualifies"

METRIC_NAMES = (
    "empty_bar_rate",
    "pitch_classes_per_bar",
    "qualified_note_rate",
    "polyphony",
    "in_key_ratio",
    "tonal_distance",
)

# The metrics distance_to_reference compares (the four targets plus in-key).
DISTANCE_KEYS = (
    "empty_bar_rate",
    "pitch_classes_per_bar",
    "qualified_note_rate",
    "polyphony",
    "in_key_ratio",
)

# Smallest denominator of the relative deviation: real Bach has almost no empty
# bars, so a plain relative error would explode on a reference of 0.005.
_DEVIATION_FLOOR = {
    "empty_bar_rate": 0.05,
    "pitch_classes_per_bar": 0.5,
    "qualified_note_rate": 0.05,
    "polyphony": 0.5,
    "in_key_ratio": 0.05,
    "tonal_distance": 0.1,
}


def checked_roll(roll: np.ndarray) -> np.ndarray:
    """``roll`` as a boolean ``(track, step, pitch)`` roll with the melody and at least one
    accompaniment track, or a ValueError that says what shape it has."""
    roll = np.asarray(roll)
    if roll.ndim != 3 or roll.shape[0] < 2:
        raise ValueError(
            f"A roll must be shaped (track, step, pitch) with the melody and at least one "
            f"accompaniment track; got shape {roll.shape}."
        )
    if roll.shape[0] > len(TRACKS):
        raise ValueError(
            f"A roll has at most {len(TRACKS)} tracks ({TRACKS}); got {roll.shape[0]}."
        )
    return roll.astype(bool, copy=False)


def _nanmean(values: np.ndarray, axis: int | None = None) -> np.ndarray | float:
    """Mean ignoring NaN, NaN (without a warning) when nothing is left."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def note_runs(roll: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every note of a roll as parallel index arrays, sorted in that order.

    ``roll`` is ``(..., step, pitch)``; the result is one array per leading axis
    (e.g. track), then ``pitch_index``, ``start_step`` and ``n_steps``.  A note is
    a maximal run of active steps at one pitch.
    """
    roll = np.asarray(roll, dtype=bool)
    *leading_shape, n_steps, n_pitches = roll.shape
    lines = np.swapaxes(roll, -1, -2).reshape(-1, n_steps)  # (line = ... x pitch, step)
    # Music leaves most pitches silent: only lines that sound need searching.
    sounding_lines = np.flatnonzero(lines.any(axis=1))
    padded = np.zeros((sounding_lines.size, n_steps + 2), dtype=np.int8)
    padded[:, 1:-1] = lines[sounding_lines]
    edges = np.diff(padded, axis=1)  # (sounding line, step + 1)
    # Every padded line starts and ends silent, so in flat order its edges alternate
    # +1 (a note starts) and -1 (the step after it ends), and no pair crosses lines.
    flat_edges = np.flatnonzero(edges)
    starts, ends = flat_edges[0::2], flat_edges[1::2]
    line, start_step = np.divmod(starts, n_steps + 1)
    where = np.unravel_index(sounding_lines[line], (*leading_shape, n_pitches))
    return (*where, start_step, ends - starts)


def _metrics_of_pieces(rolls: np.ndarray, steps_per_bar: int) -> dict[str, np.ndarray]:
    """Every metric for pieces of equal shape ``(piece, track, step, pitch)``: key -> ``(piece,)``.

    Vectorized over pieces so that ranking 16 candidates costs a few milliseconds.
    """
    n_pieces, n_tracks, n_steps, n_pitches = rolls.shape
    accompaniment = np.arange(n_tracks) != MELODY
    pc_matrix = pitch_class_matrix(n_pitches)

    n_bars = max(1, bars_in(n_steps, steps_per_bar))
    padded = np.zeros((n_pieces, n_tracks, n_bars * steps_per_bar, n_pitches), dtype=bool)
    padded[:, :, :n_steps] = rolls
    bars = padded.reshape(n_pieces, n_tracks, n_bars, steps_per_bar, n_pitches)

    # Per-bar chroma, duration weighted: (piece, track, bar, 12)
    chroma = bars.sum(axis=3, dtype=np.float32) @ pc_matrix
    bar_sounds = chroma.sum(axis=3) > 0  # (piece, track, bar)
    empty_bar_rate = 1.0 - bar_sounds.mean(axis=2)  # (piece, track)
    classes_per_bar = (chroma > 0).sum(axis=3)
    pitch_classes_per_bar = _ratio(classes_per_bar.sum(axis=2), bar_sounds.sum(axis=2))

    # Notes as runs, counted per (piece, track).
    note_piece, note_track, note_pitch, _, note_length = note_runs(rolls)
    cell = note_piece * n_tracks + note_track
    n_cells = n_pieces * n_tracks
    n_notes = np.bincount(cell, minlength=n_cells).reshape(n_pieces, n_tracks)
    qualified = note_length >= QUALIFIED_STEPS
    n_qualified = np.bincount(cell[qualified], minlength=n_cells).reshape(n_pieces, n_tracks)
    qualified_note_rate = _ratio(n_qualified, n_notes)
    acc_notes = n_notes[:, accompaniment].sum(axis=1)  # (piece,)

    # Polyphony: sounding notes per step, among steps where something sounds.
    per_step = rolls.sum(axis=3)  # (piece, track, step)
    polyphony = _ratio(per_step.sum(axis=2), (per_step > 0).sum(axis=2))
    acc_per_step = per_step[:, accompaniment].sum(axis=1)  # (piece, step)
    headline_polyphony = _ratio(acc_per_step.sum(axis=1), (acc_per_step > 0).sum(axis=1))

    # In-key ratio against the key of the melody (the accompaniment's only if it is silent).
    histograms = chroma.sum(axis=2, dtype=np.float64)  # (piece, track, 12)
    keys = estimate_keys(histograms[:, MELODY])
    fallback = estimate_keys(histograms[:, accompaniment].sum(axis=1))
    keys = np.where(keys >= 0, keys, fallback)  # (piece,)
    has_key = keys >= 0
    masks = KEY_SCALE_MASKS[np.maximum(keys, 0)]  # (piece, 12)
    in_key = masks[note_piece, (LOWEST_PITCH + note_pitch) % 12]
    n_in_key = np.bincount(cell[in_key], minlength=n_cells).reshape(n_pieces, n_tracks)
    in_key_ratio = np.where(has_key[:, None], _ratio(n_in_key, n_notes), np.nan)
    headline_in_key = np.where(
        has_key, _ratio(n_in_key[:, accompaniment].sum(axis=1), acc_notes), np.nan
    )

    # Tonal distance melody-to-track over bars where both sound.
    weight = np.maximum(chroma.sum(axis=3, keepdims=True), 1e-9)
    centroid = (
        chroma @ TONAL_CENTROID_BASIS.T.astype(np.float32)
    ) / weight  # (piece, track, bar, 6)
    distance = np.linalg.norm(centroid - centroid[:, MELODY : MELODY + 1], axis=3)
    both = bar_sounds & bar_sounds[:, MELODY : MELODY + 1]
    tonal_distance = _ratio((distance * both).sum(axis=2), both.sum(axis=2))

    per_track = {
        "empty_bar_rate": empty_bar_rate,
        "pitch_classes_per_bar": pitch_classes_per_bar,
        "qualified_note_rate": qualified_note_rate,
        "polyphony": polyphony,
        "in_key_ratio": in_key_ratio,
        "tonal_distance": tonal_distance,
    }
    result = {
        "empty_bar_rate": empty_bar_rate[:, accompaniment].mean(axis=1),
        "pitch_classes_per_bar": _nanmean(pitch_classes_per_bar[:, accompaniment], axis=1),
        "qualified_note_rate": _ratio(n_qualified[:, accompaniment].sum(axis=1), acc_notes),
        "polyphony": headline_polyphony,
        "in_key_ratio": headline_in_key,
        "tonal_distance": _nanmean(tonal_distance[:, accompaniment], axis=1),
    }
    for track in np.flatnonzero(accompaniment):
        for name, values in per_track.items():
            result[f"{TRACKS[track]}/{name}"] = values[:, track]
    return result


def _check_steps_per_bar(steps_per_bar: int) -> int:
    if steps_per_bar < 1:
        raise ValueError(f"steps_per_bar must be at least 1; got {steps_per_bar}.")
    return int(steps_per_bar)


def track_metrics(roll: np.ndarray, steps_per_bar: int = STEPS_PER_BAR) -> dict[str, float]:
    """All metrics of one piece: headline keys and ``"<track>/<metric>"`` per track.

    ``roll`` is a boolean ``(track, step, pitch)`` roll with the melody first.
    """
    roll = checked_roll(roll)
    values = _metrics_of_pieces(roll[None], _check_steps_per_bar(steps_per_bar))
    return {key: float(value[0]) for key, value in values.items()}


def _group_by_shape(
    rolls: np.ndarray | Iterable[np.ndarray],
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pieces stacked by shape, and for each group the positions of its pieces."""
    if isinstance(rolls, np.ndarray) and rolls.ndim == 4:
        if rolls.shape[0]:
            checked_roll(rolls[0])
        return [rolls.astype(bool, copy=False)], [np.arange(rolls.shape[0])]
    by_shape: dict[tuple[int, ...], list[int]] = {}
    pieces = [checked_roll(roll) for roll in rolls]
    for position, roll in enumerate(pieces):
        by_shape.setdefault(roll.shape, []).append(position)
    positions = [np.array(group) for group in by_shape.values()]
    return [np.stack([pieces[i] for i in group]) for group in positions], positions


def piece_metrics(
    rolls: np.ndarray | Iterable[np.ndarray], steps_per_bar: int = STEPS_PER_BAR
) -> list[dict[str, float]]:
    """:func:`track_metrics` of each piece, in order, vectorized over pieces of equal shape.

    ``rolls`` is an array ``(piece, track, step, pitch)`` or any iterable of rolls.
    """
    steps_per_bar = _check_steps_per_bar(steps_per_bar)
    groups, positions = _group_by_shape(rolls)
    n_pieces = sum(len(group) for group in positions)
    result: list[dict[str, float]] = [{} for _ in range(n_pieces)]
    for group, group_positions in zip(groups, positions, strict=True):
        values = _metrics_of_pieces(group, steps_per_bar)
        table = np.stack(list(values.values()), axis=1)  # (piece, key)
        for row, position in zip(table.tolist(), group_positions, strict=True):
            result[position] = dict(zip(values, row, strict=True))
    return result


def batch_metrics(
    rolls: np.ndarray | Iterable[np.ndarray], steps_per_bar: int = STEPS_PER_BAR
) -> dict[str, float]:
    """Mean of :func:`track_metrics` over pieces (a piece's NaN entries are left out).

    ``rolls`` is an array ``(piece, track, step, pitch)`` or any iterable of
    rolls; pieces of equal shape are measured together in one vectorized pass.
    """
    steps_per_bar = _check_steps_per_bar(steps_per_bar)
    groups, _ = _group_by_shape(rolls)
    if not groups or groups[0].shape[0] == 0:
        raise ValueError("batch_metrics needs at least one roll.")
    per_group = [_metrics_of_pieces(group, steps_per_bar) for group in groups]
    keys = list(per_group[0])
    table = np.concatenate(
        [np.stack([values[key] for key in keys], axis=1) for values in per_group]
    )  # (piece, key)
    return dict(zip(keys, _nanmean(table, axis=0).tolist(), strict=True))


def diversity(rolls_for_one_melody: np.ndarray | Iterable[np.ndarray]) -> float:
    """Mean pairwise ``1 - Jaccard`` of the accompaniment cells of candidates for one melody.

    Jaccard (shared active cells over cells active in either) ignores the silent
    background, unlike a Hamming distance over all cells that shrinks towards 0
    as music gets sparser.  0 means identical candidates (mode collapse), 1 means
    no cell in common.  Two silent candidates count as identical.  NaN for fewer
    than two candidates.
    """
    rolls = np.asarray(
        rolls_for_one_melody
        if isinstance(rolls_for_one_melody, np.ndarray)
        else list(rolls_for_one_melody)
    )
    if rolls.ndim != 4:
        raise ValueError(
            f"diversity takes rolls shaped (candidate, track, step, pitch); got {rolls.shape}."
        )
    n_candidates = rolls.shape[0]
    if n_candidates < 2:
        return math.nan
    cells = rolls[:, np.arange(rolls.shape[1]) != MELODY].reshape(n_candidates, -1)
    cells = cells.astype(np.float32)
    shared = cells @ cells.T  # (candidate, candidate)
    sizes = np.diag(shared)
    either = sizes[:, None] + sizes[None, :] - shared
    similarity = np.ones_like(shared)
    np.divide(shared, either, out=similarity, where=either > 0)
    pairs = np.triu_indices(n_candidates, k=1)
    return float(np.mean(1.0 - similarity[pairs]))


def distance_to_reference(
    metrics: Mapping[str, float],
    reference_metrics: Mapping[str, float],
    keys: Iterable[str] = DISTANCE_KEYS,
) -> float:
    """Mean relative deviation from a reference (real Bach): 0 is identical, lower is closer.

    Each key contributes ``|value - reference| / max(|reference|, floor)``; the
    floor keeps near-zero references (Bach's empty-bar rate) from exploding.  A
    NaN value (nothing to measure, e.g. a silent track) counts as a deviation of
    1.0, as if the quantity were 0; a key whose reference is NaN is skipped.
    """
    deviations = []
    for key in keys:
        reference = float(reference_metrics[key])
        if math.isnan(reference):
            continue
        value = float(metrics[key])
        if math.isnan(value):
            deviations.append(1.0)
            continue
        scale = max(abs(reference), _DEVIATION_FLOOR.get(key.rsplit("/", 1)[-1], 1e-9))
        deviations.append(abs(value - reference) / scale)
    return float(np.mean(deviations)) if deviations else math.nan


def parallel_perfect_rate(roll: np.ndarray) -> float:
    """Share of the moves in which two voices both change pitch that land them in parallel
    octaves (or unisons) or fifths: the textbook fault of four-part writing, which Bach's
    chorales commit at about 0.2% of such moves.  ``roll`` ``(track, step, pitch)`` with
    one note at most per track and step (the voices of the grid); NaN with no such moves.
    """
    roll = checked_roll(roll)
    voices = np.where(roll.any(axis=2), roll.argmax(axis=2), -1)  # (track, step)
    faults = moves = 0
    for a in range(voices.shape[0]):
        for b in range(a + 1, voices.shape[0]):
            x, y = voices[a], voices[b]
            sounding = (x[1:] >= 0) & (x[:-1] >= 0) & (y[1:] >= 0) & (y[:-1] >= 0)
            both_move = sounding & (x[1:] != x[:-1]) & (y[1:] != y[:-1])
            before, after = (x[:-1] - y[:-1]) % 12, (x[1:] - y[1:]) % 12
            perfect = (before == after) & ((before == 0) | (before == 7))
            faults += int((both_move & perfect).sum())
            moves += int(both_move.sum())
    return faults / moves if moves else math.nan
