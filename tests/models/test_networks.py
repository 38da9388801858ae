import pytest
import torch
from torch import nn

from models.critic import Critic
from models.encoding import N_CLASSES, N_CONDITION_FEATURES, position_features
from models.generator import Generator
from models.losses import (
    best_of_reconstruction,
    critic_loss,
    gradient_penalty,
    wasserstein_estimate,
)
from models.pianoroll import N_PITCHES
from tests.support.model_files import TINY


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
    four = position_features(torch.tensor([4]), torch.tensor([0]), 32)
    three = position_features(torch.tensor([3]), torch.tensor([0]), 24)
    assert four[0, -1].nonzero().flatten().tolist() == [0, 16]
    assert three[0, -1].nonzero().flatten().tolist() == [0, 12]
    pickup = position_features(torch.tensor([4]), torch.tensor([12]), 8)  # a one-beat pickup
    assert pickup[0, -1].nonzero().flatten().tolist() == [4]


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
