"""Where the first downbeat of a melody falls when its file puts a pickup at beat 0.

Notation programs export a pickup as if it were a downbeat: the pickup's first note at
tick 0 and the time signature from tick 0, so the file's barlines are off by the pickup.
The notes say where the bars are: in folk tunes long notes land on downbeats and strong
beats, short ones between, and a tune ends on a downbeat. This is learned per meter as a
profile, log P(a note starts at this step of the bar with this length), log P(its
pitch against the last note's | the step) (downbeats fall on the tonic and its fifth
more than off-beats do), and the last note's place in its bar, from tunes whose notation gives the pickup
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


DEGREE_CLASSES = 4  # the last note's pitch class, its fifth, a third above it, the rest


def degree_class(pitches: np.ndarray) -> np.ndarray:
    """Each pitch's class against the last note's (a tune ends on its tonic): 0 the same
    pitch class, 1 its fifth, 2 a minor or major third above, 3 anything else."""
    interval = (pitches - pitches[-1]) % 12
    return np.select([interval == 0, interval == 7, (interval == 3) | (interval == 4)], [0, 1, 2], 3)


@lru_cache(maxsize=1)
def profiles() -> dict:
    """The shipped profiles, by meter ("6/8"): note, degree and last-note
    log-probabilities and the margin (nats per note)."""
    path = resource_path(*PROFILES_FILE)
    data = json.loads(path.read_text())
    weights = {"last_weight": float(data["last_weight"]), "degree_weight": float(data["degree_weight"])}
    return {
        meter: {
            "notes": np.array(entry["notes"], dtype=float),
            "degrees": np.array(entry["degrees"], dtype=float),
            "last": np.array(entry["last"], dtype=float),
            "margin": float(entry["margin"]),
        }
        | weights
        for meter, entry in data["meters"].items()
    }


def offset_scores(notes: Sequence[tuple[int, ...]], bar: int, entry: dict) -> np.ndarray:
    """Log-likelihood per note of ``notes`` ``(start, end, pitch)`` for each barline
    offset 0..bar-1 (the first downbeat at that step), under one meter's ``entry``
    (``(start, end)`` notes are scored without the pitch term)."""
    ordered = sorted(notes)
    starts = np.array([n[0] for n in ordered], dtype=np.int64)
    classes = length_class(np.array([n[1] - n[0] for n in ordered], dtype=np.int64))
    offsets = np.arange(bar)[:, None]
    places = (starts[None, :] - offsets) % bar
    score = entry["notes"][places, classes[None, :]].sum(axis=1)
    if len(ordered[0]) > 2:  # pitches given (the product always gives them)
        degrees = degree_class(np.array([n[2] for n in ordered], dtype=np.int64))
        degree_score = entry["degrees"][places, degrees[None, :]].sum(axis=1)
        score = score + entry["degree_weight"] * degree_score
    last = int(starts.max())
    score = score + entry["last_weight"] * entry["last"][(last - np.arange(bar)) % bar]
    return score / len(starts)


def learned_pickup(notes: Sequence[tuple[int, ...]], meter: Meter) -> int | None:
    """The first downbeat's step by the learned profile, or None for a meter without one."""
    entry = profiles().get(str(meter))
    if entry is None or entry["notes"].shape[0] != meter.bar_steps or not notes:
        return None
    score = offset_scores(notes, meter.bar_steps, entry)
    best = int(np.argmax(score))
    return best if score[best] - score[0] > entry["margin"] else 0


def fit_profile(
    tunes: Iterable[tuple[Sequence[tuple[int, int, int]], int]],
    bar: int,
    prior: np.ndarray,
    degree_prior: np.ndarray,
    strength: float,
) -> dict[str, np.ndarray]:
    """Note, degree and last-note log-profiles of one meter from ``(notes, phase)`` tunes
    (phase: where step 0 lies in its bar), smoothed toward ``prior`` ((bar, N_CLASSES)
    counts) and ``degree_prior`` ((bar, DEGREE_CLASSES)) with ``strength`` pseudo-notes
    (the degree table with ``strength`` a place)."""
    counts = np.zeros((bar, N_CLASSES))
    degree_counts = np.zeros((bar, DEGREE_CLASSES))
    last = np.ones(bar)  # one pseudo-count a place
    for notes, phase in tunes:
        ordered = sorted(notes)
        starts = np.array([n[0] for n in ordered], dtype=np.int64)
        classes = length_class(np.array([n[1] - n[0] for n in ordered], dtype=np.int64))
        degrees = degree_class(np.array([n[2] for n in ordered], dtype=np.int64))
        places = (starts + phase) % bar
        np.add.at(counts, (places, classes), 1.0)
        np.add.at(degree_counts, (places, degrees), 1.0)
        last[(int(starts.max()) + phase) % bar] += 1.0
    smoothed = counts + strength * prior / prior.sum()
    degree_prior = degree_prior / degree_prior.sum(axis=1, keepdims=True)
    degree_smoothed = degree_counts + strength / bar * degree_prior
    return {
        "notes": np.log(smoothed / smoothed.sum()),
        "degrees": np.log(degree_smoothed / degree_smoothed.sum(axis=1, keepdims=True)),
        "last": np.log(last / last.sum()),
    }
