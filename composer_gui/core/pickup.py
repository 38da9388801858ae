"""Where the first downbeat of a melody falls when its file puts a pickup at beat 0.

Notation programs export a pickup as if it were a downbeat: the pickup's first note at
tick 0 and the time signature from tick 0, so the file's barlines are off by the pickup.
The notes say where the bars are: in folk tunes long notes land on downbeats and strong
beats, short ones between, and a tune ends on a downbeat. This is learned per meter as a
profile, log P(a note starts at this step of the bar with this length), and the last
note's place in its bar, from tunes whose notation gives the pickup
(``benchmarks/bench_pickup.py --fit``; ``docs/meters.md``). Each barline offset is scored
by the log-likelihood of the notes under it; an offset is taken only when it beats the
file's own barlines by a margin per note (``margin``), because moving the barlines of a
tune that had no pickup is the worst mistake the detector can make.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from composer_gui.paths import resource_path
from models.pianoroll import Meter

PROFILES_FILE = ("weights", "pickup-profiles.json")
LENGTH_EDGES = (1, 2, 3, 4, 6, 8, 12)  # steps; a class per range up to each edge, then longer


def length_class(lengths: np.ndarray) -> np.ndarray:
    """The class of each note length in steps (0: a sixteenth ... 7: longer than 12)."""
    return np.searchsorted(np.array(LENGTH_EDGES), np.maximum(lengths, 1), side="left")


N_CLASSES = len(LENGTH_EDGES) + 1


@lru_cache(maxsize=1)
def profiles() -> dict:
    """The shipped profiles, by meter ("6/8"): note and last-note log-probabilities and
    the margin (nats per note)."""
    path = resource_path(*PROFILES_FILE)
    data = json.loads(path.read_text())
    return {
        meter: {
            "notes": np.array(entry["notes"], dtype=float),
            "last": np.array(entry["last"], dtype=float),
            "margin": float(entry["margin"]),
            "last_weight": float(data["last_weight"]),
        }
        for meter, entry in data["meters"].items()
    }


def offset_scores(
    notes: Sequence[tuple[int, int]], bar: int, note_log: np.ndarray, last_log: np.ndarray,
    last_weight: float,
) -> np.ndarray:
    """Log-likelihood per note of ``notes`` for each barline offset 0..bar-1 (the first
    downbeat at that step)."""
    starts = np.array([a for a, _ in notes], dtype=np.int64)
    classes = length_class(np.array([b - a for a, b in notes], dtype=np.int64))
    offsets = np.arange(bar)[:, None]
    places = (starts[None, :] - offsets) % bar
    score = note_log[places, classes[None, :]].sum(axis=1)
    last = int(starts.max())
    score = score + last_weight * last_log[(last - np.arange(bar)) % bar]
    return score / len(starts)


def learned_pickup(notes: Sequence[tuple[int, int]], meter: Meter) -> int | None:
    """The first downbeat's step by the learned profile, or None for a meter without one."""
    entry = profiles().get(str(meter))
    if entry is None or entry["notes"].shape[0] != meter.bar_steps or not notes:
        return None
    score = offset_scores(notes, meter.bar_steps, entry["notes"], entry["last"], entry["last_weight"])
    best = int(np.argmax(score))
    return best if score[best] - score[0] > entry["margin"] else 0


def fit_profile(
    tunes: Iterable[tuple[Sequence[tuple[int, int]], int]], bar: int, prior: np.ndarray,
    strength: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Note and last-note log-profiles of one meter from ``(notes, phase)`` tunes (phase:
    where step 0 lies in its bar), smoothed toward ``prior`` ((bar, N_CLASSES) counts, of
    the same meter's shape) with ``strength`` pseudo-notes."""
    counts = np.zeros((bar, N_CLASSES))
    last = np.ones(bar)  # one pseudo-count a place
    for notes, phase in tunes:
        starts = np.array([a for a, _ in notes], dtype=np.int64)
        classes = length_class(np.array([b - a for a, b in notes], dtype=np.int64))
        np.add.at(counts, ((starts + phase) % bar, classes), 1.0)
        last[(int(starts.max()) + phase) % bar] += 1.0
    prior = prior / prior.sum()
    smoothed = counts + strength * prior
    return np.log(smoothed / smoothed.sum()), np.log(last / last.sum())
