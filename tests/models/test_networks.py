import pytest
import torch
from torch import nn

from models.critic import Critic
from models.encoding import (
    DOWNBEAT_FEATURE,
    N_CLASSES,
    N_CONDITION_FEATURES,
    N_MELODY_FEATURES,
    N_POSITION_FEATURES,
    condition,
    position_features,
    positions_of,
    widen_v1_condition_weight,
)
from models.generator import Generator
from models.losses import (
    best_of_reconstruction,
    critic_loss,
    gradient_penalty,
    wasserstein_estimate,
)
from models.pianoroll import N_PITCHES, Meter
from tests.support.model_files import TINY

DOWNBEAT = DOWNBEAT_FEATURE - N_MELODY_FEATURES  # its index among the position features


@pytest.mark.parametrize("bars", [1, 2, 7, 32])
def test_generator_and_critic_take_any_length(bars):
    torch.manual_seed(0)
    g, d = Generator(TINY).eval(), Critic(TINY).eval()
    t = bars * 16
    cond = torch.rand(2, N_CONDITION_FEATURES, t)
    logits = g(cond, torch.randn(g.noise_shape(2, t)))
    assert logits.shape == (2, 3, t, N_CLASSES)  # alto, tenor, bass only: no melody out
    score = d(cond, torch.rand(2, 3 * N_PITCHES, t))
    assert score.shape == (2,)


def test_generator_refuses_a_length_it_cannot_pad_itself():
    g = Generator(TINY)
    with pytest.raises(ValueError, match="multiple"):
        g(torch.rand(1, N_CONDITION_FEATURES, 12), torch.randn(1, 8, 1))


def test_the_critic_has_no_batch_normalization():
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in Critic(TINY).modules())


def test_noise_changes_the_output_and_the_melody_conditions_it():
    torch.manual_seed(0)
    g = Generator(TINY).eval()
    cond = torch.rand(1, N_CONDITION_FEATURES, 32)
    z1, z2 = torch.randn(g.noise_shape(1, 32)), torch.randn(g.noise_shape(1, 32))
    assert not torch.allclose(g(cond, z1), g(cond, z2))
    assert not torch.allclose(g(cond, z1), g(torch.rand_like(cond), z1))


def test_one_melody_with_many_noise_draws_encodes_the_melody_once_and_matches():
    torch.manual_seed(0)
    g = Generator(TINY).eval()
    cond = torch.randn(1, N_CONDITION_FEATURES, 32)
    noise = torch.randn(g.noise_shape(5, 32))
    calls = []
    g.stem.register_forward_hook(lambda module, inputs, output: calls.append(output.shape[0]))
    with torch.no_grad():
        shared = g(cond, noise)
        separate = g(cond.expand(5, -1, -1), noise)
    assert calls == [1, 5]  # the melody's encoder ran for one, then for each copy
    torch.testing.assert_close(shared, separate, atol=1e-4, rtol=1e-4)


def test_position_features_mark_downbeats_in_three_and_four():
    four = position_features(positions_of(Meter(4, 4), 32)[None])
    three = position_features(positions_of(Meter(3, 4), 24)[None])
    assert four[0, DOWNBEAT].nonzero().flatten().tolist() == [0, 16]
    assert three[0, DOWNBEAT].nonzero().flatten().tolist() == [0, 12]
    pickup = position_features(positions_of(Meter(4, 4), 8, bar_phase=12)[None])  # one beat
    assert pickup[0, DOWNBEAT].nonzero().flatten().tolist() == [4]


def test_compound_meters_have_their_own_beat_phase():
    """6/8 is two beats of six sixteenths: phase 0 every 6 steps, a downbeat every 12;
    12/8's third beat is strong as 4/4's is."""
    six_eight = position_features(positions_of(Meter(6, 8), 24)[None])[0]
    assert six_eight[0].nonzero().flatten().tolist() == [0, 6, 12, 18]  # "on the beat"
    assert six_eight[5].nonzero().flatten().tolist() == [5, 11, 17, 23]  # last 16th of a beat
    assert six_eight[DOWNBEAT].nonzero().flatten().tolist() == [0, 12]
    twelve = position_features(positions_of(Meter(12, 8), 24)[None])[0]
    assert twelve[DOWNBEAT + 1].nonzero().flatten().tolist() == [12]
    cut = position_features(positions_of(Meter(2, 2), 16)[None])[0]
    assert cut[0].nonzero().flatten().tolist() == [0, 8]  # the half note is the beat


def test_a_meter_change_moves_the_barlines():
    positions = positions_of([(0, Meter(3, 4)), (12, Meter(2, 4))], 28)
    downbeats = position_features(positions[None])[0, DOWNBEAT]
    assert downbeats.nonzero().flatten().tolist() == [0, 12, 20]


def test_an_old_model_file_is_widened_to_the_same_output_in_four_four():
    """A first layer made for position encoding 1 (4 in-quarter channels, downbeat) gives
    the same output on the new features as it did on the old ones, for 4/4 and 3/4."""
    torch.manual_seed(0)
    old_weight = torch.randn(8, N_CONDITION_FEATURES - N_POSITION_FEATURES + 5, 3)
    new_weight = widen_v1_condition_weight(old_weight)
    assert new_weight.shape[1] == N_CONDITION_FEATURES
    for meter, n in ((Meter(4, 4), 32), (Meter(3, 4), 24)):
        melody = torch.randint(-1, 64, (1, n))
        onsets = torch.rand(1, n) < 0.3
        new = condition(melody, onsets, positions_of(meter, n, bar_phase=4)[None])
        steps = torch.arange(n) + 4
        old_positions = torch.cat(
            [
                torch.nn.functional.one_hot(steps % 4, 4).T.float(),
                (steps % meter.bar_steps == 0).float()[None],
            ]
        )[None]
        old = torch.cat([new[:, : N_CONDITION_FEATURES - N_POSITION_FEATURES], old_positions], 1)
        torch.testing.assert_close(
            nn.functional.conv1d(new, new_weight), nn.functional.conv1d(old, old_weight)
        )


def test_gradient_penalty_is_zero_for_a_unit_slope_critic():
    class Linear(nn.Module):  # D(x) = sum(x) / sqrt(n): gradient norm exactly 1
        def forward(self, cond, x):
            return x.flatten(1).sum(1) / x[0].numel() ** 0.5

    real, fake = torch.rand(4, 6, 8), torch.rand(4, 6, 8)
    gp = gradient_penalty(Linear(), torch.zeros(4, 1, 8), real, fake)
    assert gp.item() == pytest.approx(0.0, abs=1e-10)


def test_losses_have_the_textbook_signs():
    real, fake = torch.tensor([2.0, 2.0]), torch.tensor([-1.0, -1.0])
    assert critic_loss("wgan-gp", real, fake).item() == -3.0
    assert wasserstein_estimate(real, fake).item() == 3.0
    good = critic_loss("bce", torch.tensor([9.0]), torch.tensor([-9.0]))
    bad = critic_loss("bce", torch.tensor([-9.0]), torch.tensor([9.0]))
    assert good < 0.01 < 10 < bad


def test_best_of_reconstruction_rewards_only_the_closest_candidate():
    target = torch.zeros(1, 3, 4, dtype=torch.long)
    right = torch.full((1, 3, 4, N_CLASSES), -20.0)
    right[..., 0] = 20.0
    wrong = torch.zeros(1, 3, 4, N_CLASSES)
    both = torch.cat([wrong, right])  # two candidates for one melody
    assert best_of_reconstruction(both, target, 2).item() < 1e-6
    assert best_of_reconstruction(torch.cat([wrong, wrong]), target, 2).item() > 1
