"""Networks, sampling and clean-up for a band's tracks (bass, chords, drums)."""

import numpy as np
import pytest
import torch

from models.critic import Critic
from models.generator import Generator
from models.pianoroll import Meter
from models.sampling import (
    candidate_probabilities,
    clean_candidates,
    critic_scores,
    melody_condition,
    monophonic_grid_rolls,
    pad_length,
)
from models.track_cleanup import clean_chords, clean_drums
from models.track_outputs import best_of_reconstruction, fake_channels, real_channels
from models.tracks import TrackSpec
from tests.support.model_files import TINY

BAND = (
    TrackSpec("bass", "bass", 28, 55, 33),
    TrackSpec("piano", "chords", 48, 79, 0),
    TrackSpec("drums", "drums"),
)
BAND_CONFIG = TINY.replace(tracks=tuple(t.to_dict() for t in BAND), styles=("pop", "swing"))


def test_the_band_networks_have_a_head_and_input_per_track():
    torch.manual_seed(0)
    g, d = Generator(BAND_CONFIG).eval(), Critic(BAND_CONFIG).eval()
    t = 32
    cond = melody_condition(
        np.full(t, 20), np.ones(t, bool), Meter(4, 4), 0, t, style=1, n_styles=2
    )
    assert cond.shape[1] == g.stem[0].in_channels  # melody, positions and the style one-hot
    outputs = g(cond.expand(2, -1, -1), torch.randn(g.noise_shape(2, t)))
    assert [o.shape for o in outputs] == [(2, t, 29), (2, t, 64), (2, t, 20)]
    channels = fake_channels(outputs, BAND)
    assert channels.shape == (2, 28 + 64 + 20, t)
    assert d(cond.expand(2, -1, -1), channels).shape == (2,)


def test_band_reconstruction_falls_as_the_output_nears_the_target():
    rng = np.random.default_rng(0)
    t = 16
    held = [torch.from_numpy(rng.random((1, t, s.n_rows)) > 0.8) for s in BAND]
    held[0] = torch.zeros(1, t, 28, dtype=torch.bool)
    held[0][0, :, 5] = True
    starts = [h.clone() for h in held]
    near = [torch.zeros(1, t, 29), torch.zeros(1, t, 64), torch.zeros(1, t, 20)]
    near[0][0, :, 5] = 10.0
    near[1] = (real_channels(held, starts, BAND)[:, 28:92].permute(0, 2, 1) * 2 - 1) * 10
    near[2] = (held[2].float() * 2 - 1) * 10
    far = [-x for x in near]
    good = best_of_reconstruction(near, held, starts, BAND, 1)
    bad = best_of_reconstruction(far, held, starts, BAND, 1)
    assert good < 0.1 < bad
    # Best of two: the good candidate counts, whichever comes first.
    both = [torch.cat([f, n]) for f, n in zip(far, near)]
    assert torch.isclose(best_of_reconstruction(both, held, starts, BAND, 2), good)


def test_chords_are_two_to_five_notes_held_and_restruck_where_they_start():
    t, rows = 8, 32
    sounds = np.zeros((t, rows))
    sounds[:, [0, 4, 7]] = 0.9  # a triad throughout
    sounds[:, 10:20] = 0.8  # ten more notes: only the likeliest five of all are kept
    sounds[6, 1] = 0.95  # a one-step flicker of another note joins the chord before
    starts = np.zeros((t, rows))
    starts[0, [0, 4, 7]] = starts[4, [0, 4, 7]] = 0.9  # struck on 0 and again on 4
    sounding, onsets = clean_chords(sounds, starts)
    assert (sounding.sum(axis=1) == 5).all()
    assert sounding[:, [0, 4, 7]].all()
    assert np.flatnonzero(onsets.any(axis=1)).tolist() == [0, 4]
    # A lone note is no chord.
    lone = np.zeros((t, rows))
    lone[:, 3] = 0.9
    assert not clean_chords(lone, np.zeros((t, rows)))[0].any()


def test_drums_only_strike():
    hits = np.zeros((4, 20))
    hits[[0, 2], 0] = 0.9
    hits[1, 4] = 0.4
    sounding, onsets = clean_drums(hits)
    assert np.array_equal(sounding, onsets)
    assert np.argwhere(onsets).tolist() == [[0, 0], [2, 0]]
    assert clean_drums(hits, density=0.7)[1][1, 4]  # more density plays the likelier-not


@pytest.mark.parametrize("variety", [0.0, 0.5])
def test_band_candidates_are_per_track_pairs_and_score(variety):
    torch.manual_seed(1)
    g, d = Generator(BAND_CONFIG).eval(), Critic(BAND_CONFIG).eval()
    n = pad_length(30, g.config.time_multiple)
    cond = melody_condition(
        np.full(30, 20), np.ones(30, bool), Meter(3, 4), 0, n, style=0, n_styles=2
    )
    probs = candidate_probabilities(g, cond, 3, 5, variety)
    cleaned = clean_candidates(probs, 0.5, 30, g.tracks)
    assert len(cleaned) == 3
    for candidate in cleaned:
        assert [s.shape for s, _ in candidate] == [(30, 28), (30, 32), (30, 20)]
        assert all(o.dtype == bool and (o <= s).all() for s, o in candidate)
        assert (candidate[0][0].sum(axis=1) <= 1).all()  # the bass is monophonic
        chord_sizes = candidate[1][0].sum(axis=1)
        assert ((chord_sizes == 0) | ((chord_sizes >= 2) & (chord_sizes <= 5))).all()
    scores = critic_scores(d, cond, cleaned)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    again = candidate_probabilities(g, cond, 3, 5, variety)
    assert all(torch.equal(a, b) for a, b in zip(probs, again))  # seeded


def test_the_monophonic_tracks_reach_the_grid_for_the_musical_checks():
    bass = np.zeros((8, 28), bool)
    bass[:4, 8] = True  # MIDI 36
    onsets = np.zeros_like(bass)
    onsets[0, 8] = True
    piano = np.ones((8, 32), bool)
    drums = np.ones((8, 20), bool)
    candidate = [(bass, onsets), (piano, piano), (drums, drums)]
    rolls, starts = monophonic_grid_rolls([candidate, candidate], BAND)
    assert rolls.shape == (2, 1, 8, 64)  # the bass only; chords and drums are not voices
    assert np.argwhere(rolls[0, 0]).tolist() == [[s, 36 - 28] for s in range(4)]
    assert np.argwhere(starts[1, 0]).tolist() == [[0, 8]]
