"""The musical grid, the pitch range and the track order: defined here once.

Everything that turns music into arrays (the dataset builder, the networks, the
engine, the piano-roll view, the exporter) imports these names instead of
repeating numbers.  A roll is a boolean array shaped ``(track, step, pitch)``.
numpy is imported only where a roll is made, so that ``composer-gui --version`` and the
command line's argument parsing, which need the grid but no arrays, start without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

STEPS_PER_BEAT = 4  # 16th-note resolution in 4/4, as DeepComposer and MuseGAN use
BEATS_PER_BAR = 4  # the default meter; 3/4 bars are 12 steps long
STEPS_PER_BAR = STEPS_PER_BEAT * BEATS_PER_BAR

# The Bach chorale voices span about MIDI 36-81; transposition augmentation moves
# them up to six semitones each way, so 28-91 holds every training note.
LOWEST_PITCH = 28
N_PITCHES = 64
HIGHEST_PITCH = LOWEST_PITCH + N_PITCHES - 1

# The melody always comes first; the rest are written by the generator.
TRACKS = ("melody", "alto", "tenor", "bass")
MELODY = 0
ACCOMPANIMENT_TRACKS = TRACKS[1:]
N_TRACKS = len(TRACKS)

MAX_BARS = 32  # the longest melody one generation accompanies


def steps_per_bar(beats_per_bar: int = BEATS_PER_BAR) -> int:
    """Bar length in grid steps for a meter with quarter-note beats."""
    return STEPS_PER_BEAT * beats_per_bar


def empty_roll(n_steps: int, n_tracks: int = N_TRACKS) -> np.ndarray:
    """A silent roll, ``(track, step, pitch)``."""
    import numpy as np

    return np.zeros((n_tracks, n_steps, N_PITCHES), dtype=bool)


def in_range(pitch: int) -> bool:
    return LOWEST_PITCH <= pitch <= HIGHEST_PITCH


def octave_shift_into_range(pitches: Iterable[int]) -> int:
    """Semitones (a multiple of 12) that move a set of pitches best into range.

    Chooses the shift that keeps the most notes inside the range, preferring the
    smallest move, so a melody played an octave too high or low is conditioned on
    as if played where the model learned it.
    """
    pitches = [int(p) for p in pitches]
    if not pitches:
        return 0
    best_shift, best_inside = 0, -1
    for octaves in sorted(range(-5, 6), key=abs):
        inside = sum(in_range(p + 12 * octaves) for p in pitches)
        if inside > best_inside:
            best_shift, best_inside = 12 * octaves, inside
    return best_shift


def clip_pitch_into_range(pitch: int) -> int:
    """Fold a pitch by octaves into range; for the rare note a shift cannot fit."""
    while pitch < LOWEST_PITCH:
        pitch += 12
    while pitch > HIGHEST_PITCH:
        pitch -= 12
    return pitch
