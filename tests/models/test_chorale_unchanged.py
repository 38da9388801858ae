"""The shipped chorale model writes and scores exactly what it did before track kinds.

The reference (``data/chorale_reference.json``) was written by main's code before the
generator, critic and sampling learnt track lists: hashes of the probabilities and the
cleaned rolls, and the critic's scores, for one melody in 4/4 and 3/4 with a fixed seed.
The scores were written again by that code (main at 8b8b744) once the bar head was
retired from the shipped critic (issue 18).

The probabilities and scores are floats whose last bits follow the CPU's vector unit
(AVX2 and AVX-512 machines round differently), so they are held to a tolerance far below
any change of weights or code (a per-candidate, per-voice mean of the expected pitch
index and of the squared probabilities, to 1e-5; the scores to 1e-5): the cleaned rolls,
which are what the musician gets, stay pinned bit for bit. The moments were written by
main's code at 14ba08e (session 15), whose rolls matched the reference bit for bit and
scores to 1e-7.
"""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from models.checkpoint import load_model
from models.pianoroll import Meter
from models.sampling import (
    candidate_probabilities,
    clean_candidates,
    critic_scores,
    melody_condition,
    pad_length,
    stack_voices,
)

REFERENCE = json.loads((Path(__file__).parent / "data" / "chorale_reference.json").read_text())
MODEL = Path(__file__).parents[2] / "resources" / "weights" / "composer-chorales"


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(array.tobytes()).hexdigest()


@pytest.fixture
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # the reference was computed on one thread
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("meter", [Meter(4, 4), Meter(3, 4)])
def test_shipped_candidates_are_bit_identical_and_scores_unchanged(one_thread, meter):
    generator, critic, _ = load_model(MODEL)
    rng = np.random.default_rng(7)
    melody = rng.integers(20, 40, 64).astype(np.int64)
    melody[10:14] = -1
    onsets = np.ones(64, bool)
    n = pad_length(64, generator.config.time_multiple)
    cond = melody_condition(melody, onsets, meter, 0, n)
    probs = candidate_probabilities(generator, cond, 6, 11, 0.5)
    cleaned = clean_candidates(probs, 0.5, 60, generator.tracks)
    assert all(len(c) == 3 and c[0][0].shape == (60, 64) for c in cleaned)
    rolls, onset_rolls = stack_voices(cleaned)
    expected = REFERENCE[str(meter.numerator)]
    p = probs.numpy().astype(np.float64)
    moments = expected["probs_moments"]
    expected_index = (p * np.arange(p.shape[-1])).sum(-1).mean(-1)
    np.testing.assert_allclose(expected_index, moments["expected_index"], rtol=0, atol=1e-5)
    np.testing.assert_allclose((p**2).sum(-1).mean(-1), moments["squares"], rtol=0, atol=1e-5)
    assert _digest(np.packbits(rolls)) == expected["rolls"]
    assert _digest(np.packbits(onset_rolls)) == expected["onsets"]
    # The per-track form the engine passes, and the roll array the benchmarks pass.
    for scores in (
        critic_scores(critic, cond, cleaned),
        critic_scores(critic, cond, rolls.astype(np.float32)),
    ):
        np.testing.assert_allclose(scores, expected["scores"], rtol=0, atol=1e-5)
