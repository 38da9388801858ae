"""The three GAN losses the seeds compare, selectable for training.

- ``wgan-gp``: Wasserstein loss with gradient penalty (Gulrajani et al. 2017).  The critic
  maximises D(real) - D(fake), kept 1-Lipschitz by penalising (|grad D| - 1)^2 on points
  between real and fake.  Its negated loss estimates the Earth Mover's Distance, which is
  why the curve tracks quality.
- ``wgan-clip``: the original WGAN (Arjovsky et al. 2017), Lipschitz by clipping weights.
- ``bce``: the standard GAN (Goodfellow et al. 2014) with the non-saturating generator loss.

Each function takes critic outputs (unbounded scores or logits) and returns a scalar.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def critic_loss(loss: str, real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(
            real_scores, torch.ones_like(real_scores)
        ) + F.binary_cross_entropy_with_logits(fake_scores, torch.zeros_like(fake_scores))
    return fake_scores.mean() - real_scores.mean()


def generator_loss(loss: str, fake_scores: torch.Tensor) -> torch.Tensor:
    if loss == "bce":
        return F.binary_cross_entropy_with_logits(fake_scores, torch.ones_like(fake_scores))
    return -fake_scores.mean()


def wasserstein_estimate(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """Mean critic score of real minus fake: the EMD estimate for a Lipschitz critic."""
    return real_scores.mean() - fake_scores.mean()


def gradient_penalty(critic, cond: torch.Tensor, real: torch.Tensor, fake: torch.Tensor):
    """E[(|grad_x D(x)| - 1)^2] at random points on lines between real and fake samples.

    ``real`` and ``fake`` are accompaniment channels (B, C, T); the melody condition is
    shared, so only the accompaniment is interpolated.
    """
    alpha = torch.rand(real.shape[0], 1, 1, device=real.device, dtype=real.dtype)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(cond, mixed)
    (grad,) = torch.autograd.grad(scores.sum(), mixed, create_graph=True)
    norms = grad.flatten(1).norm(dim=1)
    return ((norms - 1) ** 2).mean()


def clip_weights(critic, clip_value: float) -> None:
    with torch.no_grad():
        for p in critic.parameters():
            p.clamp_(-clip_value, clip_value)


def best_of_reconstruction(logits: torch.Tensor, target: torch.Tensor, k: int) -> torch.Tensor:
    """Cross-entropy to the real voices, counting only the best of k candidates per melody.

    ``logits`` (k*B, V, T, classes) hold k candidates for each of B melodies (candidate-
    major); ``target`` (B, V, T) class indices.  Rewarding only the closest candidate keeps
    the generator close to Bach without forcing every noise sample onto the same answer,
    which is how plain pix2pix-style L1 collapses diversity.
    """
    b = target.shape[0]
    classes = logits.shape[-1]
    repeated = target.repeat(k, 1, 1)
    per_cell = F.cross_entropy(
        logits.reshape(-1, classes), repeated.reshape(-1).long(), reduction="none"
    )
    per_candidate = per_cell.view(k, b, -1).mean(dim=2)  # (k, B)
    return per_candidate.min(dim=0).values.mean()
