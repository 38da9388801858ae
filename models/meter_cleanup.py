"""Clean-up that knows the meter: voices move on the eighths, and no voice rests a bar.

``models.cleanup`` tidies each voice step by step; these two rules need the meter map,
and the engine and the evaluation apply them to every candidate
(``models.sampling.clean_candidates``):

- *On the eighths*: a voice's choice is taken at the start of each eighth of the
  meter (where the phase in the beat is even; every accompanied beat is a whole number
  of eighths) and held over its second sixteenth.  The network put about 0.4 note starts
  a beat on the off sixteenths, in 4/4 and 6/8 alike, most of them a sixteenth late or
  early against the beat; Bach's chorales have 0.03 there (re-timed into 6/8, the same),
  and cleaning such a step with its neighbours lost the choice the network made on the
  beat itself.  On the validation split of the re-timed chorales (24 windows a meter)
  it brought the 4/4 harmonic rhythm to Bach's (1.41 changes a beat, 62% on the beat,
  against his 1.41 and 64%) and PCS on the beats from 0.73 to 0.81 (docs/meters.md).
- *No rest a bar long*: where a voice, so cleaned, would be silent for a bar or more
  (measured as runs, not within barlines, so a pickup the grid did not find cannot hide
  a silent bar across two of its bars), the rest class is taken out there and the voice
  plays the network's own next likeliest pitches.  The corpus benchmark found such
  holes where a melody rests a bar, and once under a sounding melody.
"""

from __future__ import annotations

import numpy as np

from models.cleanup import clean_voices, voice_labels
from models.pianoroll import Meter, meter_positions


def meter_grid(
    meters: Meter | list[tuple[int, Meter]], n_steps: int, bar_phase: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(eighth starts (T,) bool, bar length in steps at each step (T,) int)``."""
    meter_map = [(0, meters)] if isinstance(meters, Meter) else list(meters)
    phase, _ = meter_positions(meter_map, n_steps, bar_phase)
    bar_steps = np.zeros(n_steps, dtype=np.int64)
    for start, meter in meter_map:
        bar_steps[max(0, start) :] = meter.bar_steps
    return phase % 2 == 0, bar_steps


def on_eighths(labels: np.ndarray, eighth_starts: np.ndarray) -> np.ndarray:
    """Voice labels ``(track, step)`` with each step that starts no eighth taking the
    label of the step before it."""
    labels = np.array(labels)
    held = np.flatnonzero(~np.asarray(eighth_starts, dtype=bool))
    held = held[held > 0]
    labels[:, held] = labels[:, held - 1]
    return labels


def play_through_long_rests(
    probs: np.ndarray,
    bar_steps: np.ndarray,
    density: float = 0.5,
    eighth_starts: np.ndarray | None = None,
    min_steps: int = 2,
) -> np.ndarray:
    """``probs`` ``(track, step, pitches + rest)`` with the rest class taken out over every
    rest a bar long or longer once the voice is cleaned (on the eighths, where given, and
    by ``clean_voices``, which rests a short note between rests)."""
    probs = np.array(probs, dtype=np.float64)
    labels = voice_labels(probs, density)
    if eighth_starts is not None:
        labels = on_eighths(labels, eighth_starts)
    sounding = clean_voices(labels, min_steps, n_pitches=probs.shape[-1] - 1)[0].any(axis=2)
    for track, voice in enumerate(sounding):
        edges = np.flatnonzero(np.diff(np.concatenate(([1], voice.astype(np.int8), [1]))))
        for start, end in zip(edges[::2], edges[1::2]):  # each silent run [start, end)
            if end - start >= bar_steps[start]:
                probs[track, start:end, -1] = 0.0
    return probs


def accompaniment_voices(
    probs: np.ndarray,
    meters: Meter | list[tuple[int, Meter]],
    bar_phase: int = 0,
    density: float = 0.5,
    min_steps: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """``(roll, onsets)`` ``(track, step, pitch)`` of one candidate's voices from their
    probabilities, by both rules and then ``models.cleanup``'s."""
    eighths, bar_steps = meter_grid(meters, probs.shape[1], bar_phase)
    probs = play_through_long_rests(probs, bar_steps, density, eighths, min_steps)
    labels = on_eighths(voice_labels(probs, density), eighths)
    return clean_voices(labels, min_steps, n_pitches=probs.shape[-1] - 1)
