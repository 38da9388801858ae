"""A band model on held-out windows: its candidates, the critic's calibration, metrics.

The chorale model's evaluation (``models.evaluate``) reads four voices; a band model's
tracks are of any kinds, so its windows keep every track's ``sounding``/``onsets`` rolls
and its candidates come from ``models.sampling`` in the per-track form the engine uses.
``band_calibration`` is what ``export_model`` writes into a band model's card, so
``train --export`` gives a model whose scores read as percentiles at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.band_pieces import BandDataset
from models.pianoroll import Meter, bar_numbers
from models.sampling import Candidate, critic_scores, draw_candidates


@dataclass
class BandWindow:
    """A stretch of a real piece: its melody, its style, and its real tracks."""

    name: str
    melody: np.ndarray  # (T,) pitch index or REST
    melody_onsets: np.ndarray  # (T,) bool
    tracks: Candidate  # per track (sounding, onsets) (T, rows)
    meter: Meter
    style: int
    # the number of the window's first bar in its piece, from the first full bar
    # (pianoroll.bar_numbers): what a model with a phrase position reads
    first_bar: int = 0

    @property
    def n_steps(self) -> int:
        return int(self.melody.shape[0])


def band_windows(data: BandDataset, bars: int = 8, per_piece: int = 1) -> list[BandWindow]:
    """Up to ``per_piece`` non-overlapping windows of ``bars`` bars per piece, each from a
    downbeat; a shorter piece gives one window of its whole length."""
    from models.evaluate import window_spans

    out = []
    for piece in data.pieces():
        numbers = bar_numbers([(0, piece.meter)], piece.n_steps, piece.bar_phase)
        for start, end in window_spans(
            piece.n_steps, piece.meter, piece.bar_phase, bars, per_piece
        ):
            if end - start < piece.meter.bar_steps:
                continue
            tracks = [(s[start:end], o[start:end]) for s, o in zip(piece.sounding, piece.onsets)]
            out.append(
                BandWindow(
                    piece.name,
                    piece.melody[start:end].astype(np.int64),
                    piece.melody_onsets[start:end],
                    tracks,
                    piece.meter,
                    piece.style,
                    int(numbers[start]),
                )
            )
    return out


def band_candidates(
    generator, window: BandWindow, k: int, seed: int, density: float = 0.5, variety: float = 0.5
) -> tuple[torch.Tensor, list[Candidate]]:
    """``(cond, k cleaned candidates)`` for a window, as the engine makes them (the one
    drawing path, ``sampling.draw_candidates``, with the window's meter and style)."""
    return draw_candidates(
        generator,
        window.melody,
        window.melody_onsets,
        window.meter,
        0,
        k,
        seed,
        density,
        variety,
        style=window.style,
        first_bar=window.first_bar,
    )


def _quantiles(scores: list[float]) -> list[float]:
    return [float(q) for q in np.percentile(scores, np.arange(101))]


def spread(items: list, at_most: int) -> list:
    """At most ``at_most`` of ``items``, evenly spread (every style and piece group of a
    split ordered by piece, not its first pieces only)."""
    if len(items) <= at_most:
        return items
    return [items[int(i)] for i in np.linspace(0, len(items) - 1, at_most)]


def band_calibration(
    generator,
    critic,
    data: BandDataset,
    bars: int = 8,
    k: int = 4,
    seed: int = 0,
    max_windows: int = 200,
) -> dict:
    """The critic's score quantiles (0..100) on real windows (what a candidate's
    percentile reads) and on the model's own candidates, from one split (at most
    ``max_windows`` windows, so an export takes a minute or two on a laptop)."""
    from models.band_ranking import band_checks, band_ranking

    real, own, ranked = [], [], []
    for i, window in enumerate(spread(band_windows(data, bars, per_piece=4), max_windows)):
        cond, candidates = band_candidates(generator, window, k, seed + i)
        real_score = critic_scores(critic, cond, [window.tracks])
        own_scores = critic_scores(critic, cond, candidates)
        real.extend(real_score.tolist())
        own.extend(own_scores.tolist())
        ranked.append((window, candidates, real_score, own_scores))
    if not real:
        raise ValueError("no window to calibrate on")
    quantiles, candidate_quantiles = _quantiles(real), _quantiles(own)
    # The ranking score (critic less the bass's faults, models.band_ranking) of the real
    # renderings and of the model's own candidates: what the shown number is placed among.
    real_ranked, own_ranked = [], []
    for window, candidates, real_score, own_scores in ranked:
        for pieces, scores, out in (
            ([window.tracks], real_score, real_ranked),
            (candidates, own_scores, own_ranked),
        ):
            checks = band_checks(generator.tracks, window.melody, pieces, window.meter)
            out.extend(band_ranking(scores, checks, quantiles).tolist())
    return {
        "bars": bars,
        "quantiles": quantiles,
        "candidate_quantiles": candidate_quantiles,
        "candidate_median_on_real_scale": float(
            np.interp(candidate_quantiles[50], quantiles, np.arange(101), left=0, right=100)
        ),
        "checked_quantiles": _quantiles(real_ranked),
        "ranked_candidate_quantiles": _quantiles(own_ranked),
    }
