"""The Wasserstein critic: scores a (melody, accompaniment) pair of any length.

Strided 1-D convolutions give one unbounded score per patch of about two bars; the
piece's score is their mean, so there is no dense layer over time and long melodies are
judged everywhere, not on average of a fixed window.  No batch normalization: the
gradient penalty is defined per sample and batch statistics would couple the samples.
"""

from __future__ import annotations

import torch
from torch import nn

from models.config import GanConfig
from models.encoding import N_ACCOMPANIMENT_VOICES, N_CONDITION_FEATURES
from models.pianoroll import N_PITCHES


class Critic(nn.Module):
    def __init__(self, config: GanConfig):
        super().__init__()
        ch = config.d_channels
        c_in = N_CONDITION_FEATURES + N_ACCOMPANIMENT_VOICES * N_PITCHES
        layers: list[nn.Module] = [nn.Conv1d(c_in, ch[0], 3, padding=1), nn.LeakyReLU(0.2)]
        for i in range(len(ch) - 1):
            layers += [nn.Conv1d(ch[i], ch[i + 1], 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        layers += [nn.Conv1d(ch[-1], ch[-1], 3, padding=1), nn.LeakyReLU(0.2)]
        self.body = nn.Sequential(*layers)
        self.score = nn.Conv1d(ch[-1], 1, 1)
        # One patch score per this many steps; inputs are padded to a multiple of it.
        self.time_multiple = 2 ** (len(ch) - 1)

    def patch_scores(self, cond: torch.Tensor, accompaniment: torch.Tensor) -> torch.Tensor:
        """``cond`` (B, C, T), ``accompaniment`` (B, V*P, T) → (B, T/m) scores."""
        return self.score(self.body(torch.cat([cond, accompaniment], dim=1)))[:, 0]

    def forward(self, cond: torch.Tensor, accompaniment: torch.Tensor) -> torch.Tensor:
        return self.patch_scores(cond, accompaniment).mean(dim=1)
