"""The ranking score: the Wasserstein critic's score, less penalties for the faults a
musician hears, and the reasons that set a candidate apart from the others of its take.

``score = critic units - sum(weight x faults per bar)``.  The critic stays the basis:
its raw score is put in *critic units*, the spread of its scores of real Bach (the
middle half of the calibration in the model card, so one unit is the gap between a
chorale at the 25th and one at the 75th percentile).  Each penalty is a check of
:mod:`models.musical_checks` (its :data:`~models.musical_checks.SHAPING_MEASURES`), counted
per bar so that long and short melodies weigh alike.

The weights are chosen on the validation split only (``benchmarks/fit_ranking_weights.py``,
recorded in ``docs/ranking.md``) and then fixed here: so the checks shaped the ranking,
and the benchmark's other measures only judge it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.consonance import GRADED_MEASURES
from models.musical_checks import SHAPING_MEASURES, CheckResult, check_voices, shaping_rates
from models.pianoroll import Meter

# Critic units lost per fault per bar (graded checks: per unit of mean grade per beat),
# fitted on the validation split to put real Bach above the model's candidates and above
# Bach spoiled, the critic's coefficient held at 1 and a shrinkage chosen by 3-fold
# cross-validation over melodies (benchmarks/fit_ranking_weights.py, 156 sets of 16
# candidates; docs/ranking.md).  Checks near 0 tell Bach apart from neither: Bach crosses
# and spaces voices wider than the candidates and writes more notes out of the key.
WEIGHTS: dict[str, float] = {
    "strong_beat_clashes": 5.36,
    "other_beat_clashes": 0.37,
    "parallels": 14.13,
    "voice_crossings": 0.02,
    "wide_spacing": 0.0,
    "large_leaps": 2.03,
    "out_of_key": 0.0,
    "melody_discord": 4.26,
    "inner_discord": 9.4,
    "weak_bass": 3.08,
    "thin_beats": 5.07,
}

# The checks that judge a texture of three voices (their spacing, crossings, the chord
# they fill, how they grate together). A band's checked voices are its bass line alone,
# which has none of these; its chords and drums are judged by the critic.
TEXTURE_CHECKS = frozenset({"voice_crossings", "wide_spacing", "inner_discord", "thin_beats"})
BASS_LINE_WEIGHTS = {n: 0.0 if n in TEXTURE_CHECKS else w for n, w in WEIGHTS.items()}


def critic_units(scores: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """Raw critic scores as (score - Bach's median) / Bach's interquartile range, from the
    101 calibration quantiles of the model card."""
    q = np.asarray(quantiles, dtype=np.float64)
    middle = q[len(q) // 2]
    spread = q[3 * (len(q) - 1) // 4] - q[(len(q) - 1) // 4]
    return (np.asarray(scores, dtype=np.float64) - middle) / max(float(spread), 1e-9)


def weight_vector(weights: dict[str, float] | None = None) -> np.ndarray:
    weights = WEIGHTS if weights is None else weights
    return np.array([weights[name] for name in SHAPING_MEASURES])


def ranking_scores(
    scores: np.ndarray,
    checks: list[CheckResult],
    quantiles: Sequence[float],
    weights: dict[str, float] | None = None,
) -> np.ndarray:
    """The score each candidate is ranked by (higher is better), one per candidate."""
    penalty = shaping_rates(checks) @ weight_vector(weights) if checks else 0.0
    return critic_units(scores, quantiles) - penalty


def score_percentile(score: float, calibration: dict) -> float:
    """The number the app shows for a candidate (0-100): where its ranking score falls
    among the ranking scores of real Bach on the validation split (the model card's
    ``checked_quantiles``), so the number and the order agree.  A card from before that
    calibration places it among Bach's critic units as if Bach had no faults: still the
    same order, a little flattering."""
    from models.evaluate import percentile

    checked = calibration.get("checked_quantiles")
    if checked is None:
        checked = critic_units(calibration["quantiles"], calibration["quantiles"]).tolist()
    return percentile(float(score), checked)


def checked_calibration(critic, data, quantiles: Sequence[float], bars: int = 8) -> dict:
    """The card's calibration of the ranking score: the 101 quantiles of real Bach's
    ranking scores over ``data``'s windows (four per piece, as the critic's calibration),
    and the weights they were computed with (a card whose weights differ from
    :data:`WEIGHTS` needs ``evaluate --update-card`` again)."""
    import torch

    from models.evaluate import windows
    from models.sampling import melody_condition, pad_length, real_accompaniment_channels

    scores = []
    for w in windows(data, bars, per_piece=4):
        n = pad_length(w.voices.shape[1], critic.time_multiple)
        cond = melody_condition(w.voices[0], w.onsets[0], w.meter, w.bar_phase, n, "cpu")
        real = real_accompaniment_channels(w.voices[1:], n, "cpu")
        with torch.no_grad():
            raw = np.array([float(critic(cond, real))])
        scores.append(float(rank_take(w.voices[None], raw, quantiles, w.meter, w.bar_phase)[0][0]))
    return {
        "checked_quantiles": [float(q) for q in np.percentile(scores, np.arange(101))],
        "checked_weights": dict(WEIGHTS),
    }


def rank_take(
    voices: np.ndarray,
    scores: np.ndarray,
    quantiles: Sequence[float],
    meter: Meter | Sequence[tuple[int, Meter]] | None = None,
    bar_phase: int = 0,
) -> tuple[np.ndarray, list[CheckResult]]:
    """What the engine calls: ``(ranking score, checks)`` of each candidate of one take.

    ``voices`` ``(candidate, track, step)`` pitch index or -1, melody first; ``scores`` the
    critic's raw scores.
    """
    checks = check_voices(voices, meter, bar_phase)
    return ranking_scores(scores, checks, quantiles), checks


# How each check reads, one fault and several, and when a candidate has none of it.
_WORDS = {
    "strong_beat_clashes": (
        "a clash with the melody on a strong beat",
        "{n} clashes with the melody on strong beats",
        "no clashes with the melody on strong beats",
    ),
    "other_beat_clashes": (
        "a clash with the melody on a weak beat",
        "{n} clashes with the melody on weak beats",
        "no clashes with the melody on weak beats",
    ),
    "parallels": ("{kind}", "{n} {kind}", "no parallel fifths or octaves"),
    "voice_crossings": ("voices cross", "voices cross {n} times", "voices never cross"),
    "wide_spacing": (
        "a wide gap between voices",
        "{n} wide gaps between voices",
        "voices close together",
    ),
    "large_leaps": (
        "a leap over a sixth",
        "{n} leaps over a sixth",
        "smooth voice leading (no leap over a sixth)",
    ),
    "out_of_key": ("a note out of key", "{n} notes out of key", "every note in the key"),
    "melody_discord": (
        "harsh against the melody",
        "harsh against the melody on {n} beats",
        "no beat harsh against the melody",
    ),
    "inner_discord": (
        "voices grate",
        "voices grate on {n} beats",
        "no beat where the voices grate",
    ),
    "weak_bass": (
        "weak bass",
        "weak bass on {n} beats",
        "the bass holds up every beat",
    ),
    "thin_beats": ("thin", "thin on {n} beats", "no thin beats"),
}
REASON_FLOOR = 0.1  # critic units per fault per bar: a check weighted 0 can still explain


def _in_bars(bars: list[int]) -> str:
    if not bars:
        return ""
    if len(bars) > 3:
        return f" in {len(bars)} bars"
    if len(bars) == 1:
        return f" in bar {bars[0]}"
    return " in bars " + ", ".join(map(str, bars[:-1])) + f" and {bars[-1]}"


def _on_beats(spots: list[tuple[int, int]]) -> str:
    """Where graded weak spots ``(bar, beat)`` are: a beat, beats of one bar, or bars."""
    bars = sorted({bar for bar, _ in spots})
    if len(bars) != 1:
        return _in_bars(bars)
    beats = [str(beat) for _, beat in spots]
    if len(beats) == 1:
        return f" on beat {beats[0]} of bar {bars[0]}"
    return " on beats " + ", ".join(beats[:-1]) + f" and {beats[-1]} of bar {bars[0]}"


def _parallel_kind(result: CheckResult) -> str:
    details = " ".join(f.detail for f in result.findings if f.check == "parallels")
    fifths, octaves = "fifths" in details, "octaves" in details
    kind = "fifths and octaves" if fifths and octaves else "fifths" if fifths else "octaves"
    return f"parallel {kind}"


def _fault_reason(name: str, result: CheckResult) -> str:
    one, several, none = _WORDS[name]
    n = result.counts[name]
    if n == 0:
        return none
    kind = _parallel_kind(result) if name == "parallels" else ""
    text = (one if n == 1 else several).format(n=n, kind=kind)
    if name in GRADED_MEASURES and result.beats is not None:
        return text + _on_beats(result.beats.weak_spots(name))
    return text + _in_bars(result.bars(name))


def _root_reason(result: CheckResult) -> str:
    if result.bass_on_root == result.bass_bars:
        return "bass on the root in every bar"
    return f"bass on the root in {result.bass_on_root} of {result.bass_bars} bars"


def reasons(
    checks: list[CheckResult], index: int, limit: int = 3, weights: dict[str, float] | None = None
) -> list[str]:
    """Up to ``limit`` reasons, in a musician's words, that set candidate ``index`` apart
    from the others of its take: the checks where it differs most from the take's median,
    each difference weighed by what it costs in the ranking."""
    weights = WEIGHTS if weights is None else weights
    result = checks[index]
    ranked: list[tuple[float, str]] = []
    for name in SHAPING_MEASURES:
        if weights is BASS_LINE_WEIGHTS and name in TEXTURE_CHECKS:
            continue
        rates = np.array([c.rate(name) for c in checks])
        median = float(np.median(rates))
        gap = abs(rates[index] - median)
        if gap > 0:
            text = _fault_reason(name, result)
            if result.counts[name]:
                text += ", fewer than most" if rates[index] < median else ", more than most"
            ranked.append((gap * max(weights[name], REASON_FLOOR), text))
    shares = np.array([c.bass_on_root / max(1, c.bass_bars) for c in checks])
    gap = abs(shares[index] - float(np.median(shares)))
    if result.bass_bars and gap > 0:
        more = shares[index] > float(np.median(shares))
        text = _root_reason(result)
        if 0 < result.bass_on_root < result.bass_bars:
            text += ", more than most" if more else ", fewer than most"
        ranked.append((gap * REASON_FLOOR, text))
    ranked.sort(key=lambda item: -item[0])
    return [text for _, text in ranked[:limit]]
