"""Pitch classes and keys: the one place that tells which key a melody is in and which
pitch classes belong to it, for the metrics (``models.metrics``: in-key ratio, tonal
distance), the musical checks and the corpus benchmark.

- A key is found by correlating a duration-weighted pitch-class histogram with the 24
  Krumhansl-Kessler (1982) profiles: ``estimate_key``, or ``estimate_keys`` for many.
- Its pitch classes (``key_pitch_classes``): the diatonic scale for a major key, the
  natural minor plus the harmonic leading tone (8 pitch classes) for a minor one.
- ``TONAL_CENTROID_BASIS``: Harte, Sandler and Gasser's (2006) 6-D tonal centroid.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from models.pianoroll import LOWEST_PITCH

# Krumhansl & Kessler (1982) key profiles, tonic first.
_MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10, 11)  # natural minor + harmonic leading tone


def _tonal_centroid_basis() -> np.ndarray:
    """Harte et al. (2006) projection of a chroma onto fifths, minor and major thirds."""
    pitch_class = np.arange(12)
    rows = []
    for angle, radius in ((7 * math.pi / 6, 1.0), (3 * math.pi / 2, 1.0), (2 * math.pi / 3, 0.5)):
        rows.append(radius * np.sin(pitch_class * angle))
        rows.append(radius * np.cos(pitch_class * angle))
    return np.array(rows)  # (6, 12)


TONAL_CENTROID_BASIS = _tonal_centroid_basis()  # (6, 12)


@lru_cache(maxsize=8)
def pitch_class_matrix(n_pitches: int) -> np.ndarray:
    """One-hot ``(pitch, pitch_class)`` map for roll pitch indices."""
    matrix = np.zeros((n_pitches, 12), dtype=np.float32)
    matrix[np.arange(n_pitches), (LOWEST_PITCH + np.arange(n_pitches)) % 12] = 1.0
    return matrix


def pitch_class_histogram(roll_track: np.ndarray) -> np.ndarray:
    """Duration-weighted pitch-class histogram ``(12,)`` of one track ``(step, pitch)``."""
    per_pitch = np.asarray(roll_track, dtype=np.float32).sum(axis=0)
    return per_pitch @ pitch_class_matrix(per_pitch.shape[0])


def _key_profiles() -> np.ndarray:
    """The 24 key profiles, centred and unit length: rows 0-11 major, 12-23 minor keys."""
    profiles = np.stack(
        [np.roll(_MAJOR_PROFILE, tonic) for tonic in range(12)]
        + [np.roll(_MINOR_PROFILE, tonic) for tonic in range(12)]
    )
    centred = profiles - profiles.mean(axis=1, keepdims=True)
    return centred / np.linalg.norm(centred, axis=1, keepdims=True)


_KEY_PROFILES = _key_profiles()  # (24, 12)


def _key_scale_masks() -> np.ndarray:
    masks = np.zeros((24, 12), dtype=bool)
    for tonic in range(12):
        masks[tonic, [(tonic + step) % 12 for step in _MAJOR_SCALE]] = True
        masks[12 + tonic, [(tonic + step) % 12 for step in _MINOR_SCALE]] = True
    return masks


KEY_SCALE_MASKS = _key_scale_masks()  # (24, 12), same row order as _KEY_PROFILES


def estimate_keys(histograms: np.ndarray) -> np.ndarray:
    """Key index 0-23 per histogram ``(n, 12)``; -1 where the histogram is flat."""
    centred = histograms - histograms.mean(axis=-1, keepdims=True)
    # The histogram's own norm does not change which profile correlates best.
    best = np.argmax(centred @ _KEY_PROFILES.T, axis=-1)
    return np.where(np.abs(centred).max(axis=-1) > 0, best, -1)


def estimate_key(histogram: np.ndarray) -> tuple[int, bool] | None:
    """The best-correlating Krumhansl-Kessler key as ``(tonic_pitch_class, is_minor)``.

    None when the histogram is flat (silence, or all twelve equally): no key can be told.
    """
    key = int(estimate_keys(np.asarray(histogram, dtype=np.float64)[None])[0])
    return None if key < 0 else (key % 12, key >= 12)


def key_pitch_classes(tonic: int, is_minor: bool) -> np.ndarray:
    """Boolean mask ``(12,)`` of the pitch classes counted as in the key."""
    return KEY_SCALE_MASKS[12 * is_minor + tonic % 12].copy()
