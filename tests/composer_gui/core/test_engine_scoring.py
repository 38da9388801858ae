"""Scoring accompaniments from elsewhere (Bach's own, a spoiled copy) on the scale the
engine ranks its candidates by, so benchmarks can rank them among the candidates."""

import numpy as np
import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.engine import accompaniment_roll


def tune(octave: int = 0) -> Arrangement:
    pitches = [60, 62, 64, 65, 67, 69, 67, 65, 64, 62, 60, 59, 60, 64, 67, 72]
    notes = [Note(p + 12 * octave, i * 1.0, 1.0, 80) for i, p in enumerate(pitches)]
    return Arrangement([Track("melody", notes)], 100.0, (4, 4))


@pytest.mark.parametrize("octave", [0, 2])  # in range, and shifted for conditioning
def test_a_candidate_scored_again_gets_the_score_it_was_ranked_by(engine, octave):
    melody = tune(octave)
    candidates = engine.generate(melody, k=4, seed=5)
    rolls = np.stack([accompaniment_roll(melody, c.arrangement) for c in candidates])
    again = engine.score_accompaniments(melody, rolls)
    assert again == pytest.approx([c.score for c in candidates], abs=1e-4)


def test_another_accompaniment_gets_another_score(engine):
    melody = tune()
    candidate = engine.generate(melody, k=1, seed=1)[0]
    roll = accompaniment_roll(melody, candidate.arrangement)
    moved = np.roll(roll, 3, axis=2)  # the same voices a minor third up
    scores = engine.score_accompaniments(melody, np.stack([roll, moved]))
    assert scores[0] != pytest.approx(scores[1], abs=1e-6)
