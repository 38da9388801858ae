"""The validation reading of the ranking's misses (``benchmarks/ranking_misses.py``): a
trial's leap rule, counted from the saved move histograms, is the shipped check's when
given the shipped check's limits, so a trial differs from the shipped ranking only by
what it changes."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import ranking_misses as rm  # noqa: E402

from models.musical_checks import LEAP_LIMIT, check_voices, shaping_rates  # noqa: E402
from models.ranking import WEIGHTS  # noqa: E402


def random_voices(seed: int) -> np.ndarray:
    """Six candidates of 4 bars of 4/4: melody and three voices moving by any interval."""
    rng = np.random.default_rng(seed)
    base = np.array([40, 32, 26, 16])[None, :, None]
    quarters = rng.integers(-7, 8, size=(6, 4, 16))  # moves of up to 14 semitones
    voices = np.clip(base + np.repeat(quarters, 4, axis=2), 0, 60)
    voices[rng.random(voices.shape) < 0.1] = -1  # some rests
    return voices


def test_the_leap_rule_with_the_check_s_own_limits_is_the_check():
    voices = random_voices(3)
    checks = check_voices(voices)
    record = {
        "rates": shaping_rates(checks),
        "bars": np.array([c.n_bars for c in checks]),
        "moves": rm.move_histogram(voices),
        "critic": np.zeros(len(checks)),
    }
    shipped = record["rates"][:, rm.LEAP_CHECK]
    assert shipped.max() > 0  # the example has leaps to count
    assert np.allclose(rm.leap_rates(record, (LEAP_LIMIT, LEAP_LIMIT)), shipped)
    assert np.allclose(
        rm.scores_of(record, WEIGHTS, (LEAP_LIMIT, LEAP_LIMIT)), rm.scores_of(record, WEIGHTS)
    )
    # a bass allowed an octave is counted less often, never more
    assert np.all(rm.leap_rates(record, (LEAP_LIMIT, 12)) <= shipped)
