"""The texture the judging measures read (:mod:`models.harmony_measures`): a melody and its
accompaniment on the 16th-note grid with the music's own beats and bars, built from notes
or from a chorale's voices.  Written apart from the product, like the measures: it
imports nothing from the engine or the ranking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

REST = -1
N_MIDI = 128
STEPS_PER_QUARTER = 4  # the judge's grid: 16th notes


def meter_steps(numerator: int, denominator: int) -> tuple[int, int]:
    """``(steps per beat, steps per bar)`` of a time signature on the 16th-note grid.

    Compound meters (6, 9, 12 over anything) beat in dotted units, 3/8 in one beat per
    bar, cut and other half-note meters in half notes; the rest beat in the
    denominator's unit.  A meter whose bar is not a whole number of 16ths (e.g. x/32)
    is refused.
    """
    unit = 4 * STEPS_PER_QUARTER / denominator  # steps in one denominator note
    if unit != int(unit) or unit < 1 or numerator < 1:
        raise ValueError(f"{numerator}/{denominator} does not fit a 16th-note grid.")
    unit = int(unit)
    compound = numerator in (6, 9, 12) or (numerator, denominator) == (3, 8)
    beat = 3 * unit if compound else unit
    return beat, numerator * unit


def metric_grid(
    n_steps: int, signatures: Sequence[tuple[int, int, int]] = ((0, 4, 4),), bar_phase: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(beat_starts, bar_starts)``, each ``(step,)`` bool, for time signatures given as
    ``(step, numerator, denominator)`` (the first one should be at step 0; a change
    starts a new bar).  ``bar_phase`` is the place in its bar of step 0 (a pickup)."""
    beat_starts = np.zeros(n_steps, dtype=bool)
    bar_starts = np.zeros(n_steps, dtype=bool)
    ordered = sorted(signatures) or [(0, 4, 4)]
    previous_beat = None
    for i, (start, numerator, denominator) in enumerate(ordered):
        end = ordered[i + 1][0] if i + 1 < len(ordered) else n_steps
        beat, bar = meter_steps(numerator, denominator)
        if previous_beat is not None and 0 < start <= n_steps:
            # A bar cut shorter than a beat by the new signature (a section's upbeat,
            # as music21 reads ABC) is no bar of its own: it lengthens the one before.
            last_bar = np.flatnonzero(bar_starts[:start])
            if last_bar.size and start - last_bar[-1] < previous_beat:
                bar_starts[last_bar[-1]] = beat_starts[last_bar[-1]] = False
        steps = np.arange(max(start, 0), min(end, n_steps))
        in_bar = (steps - start + (bar_phase if i == 0 else 0)) % bar
        beat_starts[steps] = in_bar % beat == 0
        bar_starts[steps] = in_bar == 0
        previous_beat = beat
    return beat_starts, bar_starts


@dataclass(frozen=True)
class Texture:
    """A melody and its accompaniment on the 16th-note grid, as the measures read them."""

    melody: np.ndarray  # (step,) MIDI pitch or REST: one line (the top note)
    parts: np.ndarray  # (part, step, 128) bool: accompaniment parts, the top one first
    beat_starts: np.ndarray  # (step,) bool: a beat begins here
    bar_starts: np.ndarray  # (step,) bool: a bar begins here

    @property
    def n_steps(self) -> int:
        return int(self.melody.shape[0])


def texture_from_notes(
    melody: Iterable[tuple[int, int, int]],
    parts: Sequence[Iterable[tuple[int, int, int]]],
    signatures: Sequence[tuple[int, int, int]] = ((0, 4, 4),),
    n_steps: int | None = None,
    bar_phase: int = 0,
) -> Texture:
    """A texture from notes ``(start_step, end_step, midi_pitch)``.  The melody keeps its
    highest note where notes overlap.  ``n_steps`` defaults to the end of the bar in
    which the melody ends."""
    melody = [(int(a), max(int(b), int(a) + 1), int(p)) for a, b, p in melody]
    parts = [[(int(a), max(int(b), int(a) + 1), int(p)) for a, b, p in notes] for notes in parts]
    if n_steps is None:  # to the end of the bar in which the melody ends
        end = max((b for _, b, _ in melody), default=1)
        _, bar = meter_steps(*sorted(signatures)[-1][1:])
        _, bars = metric_grid(end + bar, signatures, bar_phase)
        later = np.flatnonzero(bars[end:])
        n_steps = end + int(later[0]) if later.size else end + bar
    line = np.full(n_steps, REST, dtype=np.int64)
    for a, b, p in melody:
        segment = line[a : min(b, n_steps)]
        np.maximum(segment, p, out=segment)
    roll = np.zeros((len(parts), n_steps, N_MIDI), dtype=bool)
    for i, notes in enumerate(parts):
        for a, b, p in notes:
            if 0 <= p < N_MIDI:
                roll[i, max(a, 0) : min(b, n_steps), p] = True
    beats, bars = metric_grid(n_steps, signatures, bar_phase)
    return Texture(line, roll, beats, bars)


def texture_from_voices(
    voices: np.ndarray, steps_per_bar: int, bar_phase: int = 0, steps_per_beat: int = 4
) -> Texture:
    """A texture from monophonic voices ``(voice, step)`` of MIDI pitches or REST, the
    melody first (a chorale's soprano, alto, tenor, bass)."""
    voices = np.asarray(voices, dtype=np.int64)
    n_parts, n_steps = voices.shape[0] - 1, voices.shape[1]
    roll = np.zeros((n_parts, n_steps, N_MIDI), dtype=bool)
    part, step = np.nonzero(voices[1:] >= 0)
    roll[part, step, voices[1:][part, step]] = True
    offsets = np.arange(n_steps) + bar_phase
    beats = offsets % steps_per_beat == 0
    bars = offsets % steps_per_bar == 0
    return Texture(voices[0].copy(), roll, beats, bars)
