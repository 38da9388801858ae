"""Arrangement <-> piano roll, the boolean ``(track, step, pitch)`` arrays the networks use.

The grid, pitch range and track order come from ``models.pianoroll``. Going into a roll
loses two things, by design: timing finer than a step (notes are snapped to the nearest
step, at least one step long), and the boundary between repeated notes of one pitch that
touch (a roll holds no onsets, so they read back as one long note). That is why the
engine keeps the user's melody as notes and uses the roll only to condition the model.

Pitches outside the model's range are moved, in the roll only, never in the Arrangement:
each track is shifted by whole octaves with ``octave_shift_into_range`` (so a melody
played an octave high is heard by the model where it learned such melodies), and any
note still outside after that shift is folded by octaves into range on its own.

These are the chorale grid's rolls (melody, alto, tenor, bass on MIDI 28-91). A model's
own tracks, of any kind and range (a band's drums, a bass below 28, a pad above 91), go
to and from rows with ``core.track_notes``, which keeps every pitch its track holds.
"""

from __future__ import annotations

import numpy as np

from composer_gui.core.arrangement import Arrangement, Note
from models.pianoroll import (
    LOWEST_PITCH,
    N_TRACKS,
    STEPS_PER_BEAT,
    clip_pitch_into_range,
    empty_roll,
    octave_shift_into_range,
)


def arrangement_to_roll(arrangement: Arrangement, n_steps: int | None = None) -> np.ndarray:
    """The arrangement as a roll ``(N_TRACKS, n_steps, N_PITCHES)``; ``tracks[i]`` -> ``roll[i]``.

    ``n_steps`` defaults to the whole bars the arrangement fills; notes past it are cut.
    Missing tracks stay silent. Raises ``ValueError`` for more tracks than the roll has.
    """
    if len(arrangement.tracks) > N_TRACKS:
        raise ValueError(
            f"A roll holds {N_TRACKS} tracks; this arrangement has {len(arrangement.tracks)}."
        )
    if n_steps is None:
        n_steps = round(arrangement.end_of_bars(arrangement.bar_count()) * STEPS_PER_BEAT)
    roll = empty_roll(n_steps)  # (track, step, pitch)
    for track_index, track in enumerate(arrangement.tracks):
        shift = octave_shift_into_range([note.pitch for note in track.notes])
        for note in track.notes:
            start_step = round(note.start_beat * STEPS_PER_BEAT)
            end_step = max(start_step + 1, round(note.end_beat * STEPS_PER_BEAT))
            if start_step >= n_steps:
                continue
            pitch = clip_pitch_into_range(note.pitch + shift)
            roll[track_index, start_step : min(end_step, n_steps), pitch - LOWEST_PITCH] = True
    return roll


def roll_to_notes(track_roll: np.ndarray, velocity: int = 80) -> list[Note]:
    """One track's roll ``(step, pitch)`` as notes: each run of on-steps is one note.

    Sorted by start, then pitch; times are in beats (a step is ``1 / STEPS_PER_BEAT``).
    """
    if track_roll.ndim != 2:
        raise ValueError(
            f"roll_to_notes takes one track (step, pitch); got shape {track_roll.shape}."
        )
    on = np.asarray(track_roll, dtype=bool)
    # Pad with a silent step on each side so every run has a rising and a falling edge.
    padded = np.zeros((on.shape[0] + 2, on.shape[1]), dtype=np.int8)
    padded[1:-1] = on
    edges = np.diff(padded, axis=0)  # (step + 1, pitch): +1 where a run starts, -1 after it ends
    notes: list[Note] = []
    for pitch_index in range(on.shape[1]):
        starts = np.flatnonzero(edges[:, pitch_index] == 1)
        ends = np.flatnonzero(edges[:, pitch_index] == -1)
        for start_step, end_step in zip(starts, ends, strict=True):
            notes.append(
                Note(
                    pitch=LOWEST_PITCH + pitch_index,
                    start_beat=int(start_step) / STEPS_PER_BEAT,
                    duration_beats=int(end_step - start_step) / STEPS_PER_BEAT,
                    velocity=velocity,
                )
            )
    notes.sort(key=lambda note: (note.start_beat, note.pitch))
    return notes
