"""The Wasserstein critic: scores a (melody, accompaniment) pair of any length.

The accompaniment arrives as every track's channels over time (a monophonic track's
sounding pitches; a chords track's sounding and starting pitches; a drums track's hits).

Strided 1-D convolutions give one unbounded score per patch of about two bars; the
piece's score is their mean, so there is no dense layer over time and long melodies are
judged everywhere, not on average of a fixed window.  No batch normalization: the
gradient penalty is defined per sample and batch statistics would couple the samples.

A critic may also have a bar head (``GanConfig.critic_bar_head``), added by the ranking
stage (``models.critic_ranking``): a small network over each bar's pitch classes
(``models.bar_summary``), averaged over bars, whose output is added to the patch mean.
It judges what patches cannot: the texture of whole bars against the whole melody.
"""

from __future__ import annotations

import torch
from torch import nn

from models.bar_summary import N_BAR_FEATURES, bar_summaries
from models.config import GanConfig


class BarHead(nn.Module):
    """Per-bar features, their mean over sounding bars, then a judgement of the mean: the
    nonlinearity after the mean is what lets it prefer a texture near an ideal rather
    than simply more or less of something."""

    def __init__(self, hidden: int):
        super().__init__()
        self.bar = nn.Sequential(
            nn.Linear(N_BAR_FEATURES, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
        )
        self.out = nn.Sequential(nn.Linear(hidden, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1))

    def forward(self, features: torch.Tensor, sounding: torch.Tensor) -> torch.Tensor:
        """``features`` (B, bars, F), ``sounding`` (B, bars) → (B,) scores."""
        weight = sounding.to(features.dtype)[..., None]
        pooled = (self.bar(features) * weight).sum(dim=1) / weight.sum(dim=1).clamp(min=1)
        return self.out(pooled)[:, 0]


class Critic(nn.Module):
    def __init__(self, config: GanConfig):
        super().__init__()
        ch = config.d_channels
        # The condition (melody, positions, style) and every track's channels
        # (models.track_outputs: critic_channels), e.g. 3 voices x 64 pitches.
        self.tracks = config.track_specs
        c_in = config.n_condition_channels
        c_in += sum(t.n_critic_channels for t in self.tracks)
        layers: list[nn.Module] = [nn.Conv1d(c_in, ch[0], 3, padding=1), nn.LeakyReLU(0.2)]
        for i in range(len(ch) - 1):
            layers += [nn.Conv1d(ch[i], ch[i + 1], 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        layers += [nn.Conv1d(ch[-1], ch[-1], 3, padding=1), nn.LeakyReLU(0.2)]
        self.body = nn.Sequential(*layers)
        self.score = nn.Conv1d(ch[-1], 1, 1)
        self.bar_head = BarHead(config.critic_bar_head) if config.critic_bar_head else None
        # One patch score per this many steps; inputs are padded to a multiple of it.
        self.time_multiple = 2 ** (len(ch) - 1)

    def patch_scores(self, cond: torch.Tensor, accompaniment: torch.Tensor) -> torch.Tensor:
        """``cond`` (B, C, T), ``accompaniment`` (B, V*P, T) → (B, T/m) scores."""
        return self.score(self.body(torch.cat([cond, accompaniment], dim=1)))[:, 0]

    def forward(self, cond: torch.Tensor, accompaniment: torch.Tensor) -> torch.Tensor:
        score = self.patch_scores(cond, accompaniment).mean(dim=1)
        if self.bar_head is not None:
            score = score + self.bar_head(*bar_summaries(cond, accompaniment.to(cond.dtype)))
        return score
