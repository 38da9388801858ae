"""Candidate sets for choosing and judging the ranking: per melody window, the app's
candidates, Bach's own accompaniment and Bach spoiled, each with its critic score and
its musical checks.

Shared by ``benchmarks/fit_ranking_weights.py`` (which chooses :mod:`models.ranking`'s
weights on the training split) and ``benchmarks/bench_checked_ranking.py`` (which judges
the ranking on validation and test), so both see the same sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.build_dataset import REST, Dataset, voices_to_roll
from models.encoding import REST_CLASS
from models.evaluate import Window, generate_for_window, windows
from models.musical_checks import CheckResult, check_rolls
from models.negatives import KINDS, SPOILERS
from models.sampling import critic_scores


@dataclass
class CandidateSet:
    """One melody window: k candidates, then Bach, then one spoiled copy per kind."""

    window: Window
    rolls: np.ndarray  # (k + 1 + len(KINDS), 4, T, P): candidates, Bach, spoiled Bach
    critic: np.ndarray  # (k + 1 + len(KINDS),) raw critic scores
    checks: list[CheckResult]
    k: int

    @property
    def bach(self) -> int:
        """Index of Bach's own accompaniment."""
        return self.k

    def spoiled(self, kind: str) -> int:
        return self.k + 1 + KINDS.index(kind)


def _spoiled_rolls(wins: list[Window], i: int, rng: torch.Generator) -> list[np.ndarray]:
    """Bach's accompaniment of window ``i`` spoiled each way of ``models.negatives``."""
    w = wins[i]
    classes = torch.from_numpy(np.where(w.voices[1:] == REST, REST_CLASS, w.voices[1:]))
    out = []
    for kind in KINDS:
        if kind == "mismatch":  # the next window's accompaniment, cut or padded to fit
            other = wins[(i + 1) % len(wins)].voices[1:]
            spoiled = np.full_like(w.voices[1:], REST)
            t = min(other.shape[1], spoiled.shape[1])
            spoiled[:, :t] = other[:, :t]
        else:
            moved = SPOILERS[kind](classes[None], rng)[0].numpy()
            spoiled = np.where(moved == REST_CLASS, REST, moved)
        out.append(voices_to_roll(np.concatenate([w.voices[:1], spoiled])))
    return out


def candidate_sets(
    generator, critic, data: Dataset, k: int = 16, bars: int = 8, seed: int = 0, limit=None
) -> list[CandidateSet]:
    """One :class:`CandidateSet` per window of ``bars`` bars (the first of each piece)."""
    wins = windows(data, bars)[:limit]
    rng = torch.Generator().manual_seed(seed)
    out = []
    for i, w in enumerate(wins):
        with torch.inference_mode():
            cond, rolls = generate_for_window(generator, w, k, seed + i)
        everything = np.concatenate(
            [rolls, voices_to_roll(w.voices)[None], np.stack(_spoiled_rolls(wins, i, rng))]
        )
        with torch.inference_mode():
            scores = critic_scores(critic, cond, everything[:, 1:].astype(np.float32))
        checks = check_rolls(everything, w.meter, w.bar_phase)
        out.append(CandidateSet(w, everything, scores, checks, k))
    return out
