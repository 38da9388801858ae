"""How a band's candidates are ranked, in one place for the engine and the calibration.

The musical checks (``models.musical_checks``) judge voices, so a band is ranked by the
critic less the faults of its monophonic tracks (the bass) against the melody on the
shipped grid, without the checks of a three-voice texture (``ranking.BASS_LINE_WEIGHTS``);
chords and drums are judged by the critic alone. The card's calibration ranks the model's
own validation candidates and the real renderings with these same functions, so the
number the app shows (``ranking.score_percentile``) is on the scale the take is ranked on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.musical_checks import CheckResult, check_voices, voices_of_rolls
from models.ranking import BASS_LINE_WEIGHTS, critic_units, ranking_scores
from models.sampling import Candidate, monophonic_grid_rolls
from models.tracks import TrackSpec


def band_checks(
    tracks: tuple[TrackSpec, ...],
    melody: np.ndarray,
    candidates: list[Candidate],
    meters,
    bar_phase: int = 0,
) -> list[CheckResult] | None:
    """The checks of each candidate's monophonic tracks under ``melody`` (``(T,)`` pitch
    index on the shipped grid, or -1), or None for a band without a monophonic track."""
    mono, _ = monophonic_grid_rolls(candidates, tracks)
    if not mono.shape[1]:
        return None
    # The checks read three voices under the melody, the bass last: the band's monophonic
    # tracks take the lowest places, silent voices the rest.
    c, v, t, p = mono.shape
    mono = np.concatenate([np.zeros((c, max(0, 3 - v), t, p), dtype=bool), mono[:, -3:]], 1)
    voices = np.concatenate(
        [np.broadcast_to(np.asarray(melody)[:t], (c, 1, t)), voices_of_rolls(mono)], axis=1
    )
    return check_voices(voices, meters, bar_phase)


def band_ranking(
    scores: np.ndarray, checks: list[CheckResult] | None, quantiles: Sequence[float]
) -> np.ndarray:
    """The score a band's candidates are ranked by (higher is better)."""
    if checks is None:
        return critic_units(scores, quantiles)
    return ranking_scores(scores, checks, quantiles, BASS_LINE_WEIGHTS)
