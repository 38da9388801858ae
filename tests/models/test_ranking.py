"""The ranking score and its reasons, on hand-written candidates."""

from __future__ import annotations

import numpy as np

from models.musical_checks import check_voices
from models.ranking import WEIGHTS, critic_units, rank_take, ranking_scores, reasons
from tests.models.test_musical_checks import ALTO, BASS, MELODY, TENOR, part

QUANTILES = np.linspace(-2.0, 2.0, 101)  # Bach's scores: median 0, middle half -1 ... 1

CLEAN = [MELODY * 2, ALTO * 2, TENOR * 2, BASS * 2]
# The same, but bar 2's alto doubles the melody an octave down: parallel octaves.
OCTAVES = [MELODY * 2, ALTO + part(64, 65, 62, 60), TENOR * 2, BASS * 2]


def take(*candidates):
    return np.array(candidates)


def test_critic_units_are_bach_interquartile_ranges_from_the_median():
    assert np.allclose(critic_units(np.array([0.0, 1.0, -2.0]), QUANTILES), [0.0, 0.5, -1.0])


def test_a_fault_costs_its_weight_per_bar():
    checks = check_voices(take(CLEAN, OCTAVES))
    assert checks[0].counts["parallels"] == 0
    n = checks[1].counts["parallels"]
    assert n >= 1
    only_parallels = {name: 0.0 for name in WEIGHTS} | {"parallels": WEIGHTS["parallels"]}
    scores = ranking_scores(np.array([0.0, 0.0]), checks, QUANTILES, only_parallels)
    assert scores[0] == 0.0
    assert np.isclose(scores[1], -WEIGHTS["parallels"] * n / 2)  # two bars


def test_the_critic_still_decides_between_equally_clean_candidates():
    scores, _ = rank_take(take(CLEAN, CLEAN), np.array([0.2, 0.4]), QUANTILES)
    assert scores[1] > scores[0]


def test_a_much_better_critic_score_outweighs_one_fault_but_not_a_small_one():
    voices = take(CLEAN, OCTAVES)
    close, _ = rank_take(voices, np.array([0.0, 0.1]), QUANTILES)
    far, _ = rank_take(voices, np.array([0.0, 60.0]), QUANTILES)  # 30 critic units
    assert close[0] > close[1]
    assert far[1] > far[0]


def test_reasons_say_what_sets_a_candidate_apart_and_where():
    checks = check_voices(take(CLEAN, CLEAN, OCTAVES))
    faulty = reasons(checks, 2)
    # Below the first choice, it is told apart from the first choice (why it is not first).
    assert "3 parallel octaves in bar 2, more than the first choice" in faulty
    assert len(faulty) <= 3
    # The clean ones differ from the take's median in nothing: nothing to say about them.
    assert reasons(checks, 0) == []
    checks = check_voices(take(CLEAN, OCTAVES, OCTAVES))
    assert "no parallel fifths or octaves, unlike most" in reasons(checks, 0)


def test_the_number_shown_is_a_percentile_among_the_models_own_candidates():
    from models.ranking import real_share, score_percentile

    calibration = {
        "quantiles": list(QUANTILES),
        "checked_quantiles": list(QUANTILES - 1.0),  # real Bach's ranking scores
        "ranked_candidate_quantiles": list(QUANTILES - 4.0),  # the candidates', far below
    }
    scores = (-6.0, -4.5, -4.0, -3.5, -1.0)
    shown = [score_percentile(s, calibration) for s in scores]
    # A typical candidate reads 50, and candidates a little apart read well apart.
    assert shown == sorted(shown) and shown[2] == 50.0 and shown[3] - shown[1] > 20
    # The share of Bach beaten, for the tooltip: near 0 for all but the last.
    shares = [real_share(s, calibration) for s in scores]
    assert shares == sorted(shares) and shares[3] < 1.0 and shares[4] == 50.0
    # A card without the candidates' calibration (a band) shows the share of real music.
    band = {"quantiles": list(QUANTILES), "checked_quantiles": list(QUANTILES - 1.0)}
    assert score_percentile(-1.0, band) == 50.0
    # A card from before either calibration still follows the order.
    old = {"quantiles": list(QUANTILES)}
    shown = [score_percentile(s, old) for s in (-3.0, -1.0, 0.0, 0.5)]
    assert shown == sorted(shown) and shown[2] == 50.0
