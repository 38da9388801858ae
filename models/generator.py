"""The generator: a 1-D U-Net that writes a model's tracks (alto, tenor and bass, or a band).

Like DeepComposer's it is an encoder-decoder with skips and noise at the bottleneck, but
it convolves over time only (pitch as channels), so it is fully convolutional in time and
one pass accompanies any length that is a multiple of ``config.time_multiple`` steps.  It
outputs the accompaniment only, ``sum(track.n_outputs)`` channels split per track
(``models.track_outputs``): logits over pitch-or-rest for a monophonic track (monophonic
by construction), "sounds" and "starts" logits per pitch for chords, a hit logit per kit
instrument for drums.  The melody is never re-generated.
"""

from __future__ import annotations

import torch
from torch import nn

from models.config import GanConfig


def _block(c_in: int, c_out: int, kernel: int = 3, stride: int = 1, dilation: int = 1):
    padding = dilation * (kernel - 1) // 2 if stride == 1 else (kernel - stride) // 2
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, kernel, stride=stride, padding=padding, dilation=dilation),
        nn.GroupNorm(8, c_out),
        nn.LeakyReLU(0.2),
    )


class Generator(nn.Module):
    def __init__(self, config: GanConfig):
        super().__init__()
        self.config = config
        ch = config.g_channels
        self.tracks = config.track_specs
        self.stem = _block(config.n_condition_channels, ch[0], 5)
        self.down = nn.ModuleList(
            nn.Sequential(_block(ch[i], ch[i + 1], 4, stride=2), _block(ch[i + 1], ch[i + 1]))
            for i in range(len(ch) - 1)
        )
        bottom = ch[-1]
        # Dilated convolutions give the bottleneck several bars of context on each side.
        self.middle = nn.Sequential(
            _block(bottom + config.noise_channels, bottom),
            _block(bottom, bottom, dilation=2),
        )
        self.up = nn.ModuleList(
            nn.ModuleDict(
                {
                    "expand": _block(ch[i + 1], ch[i]),
                    "merge": _block(2 * ch[i], ch[i]),
                }
            )
            for i in reversed(range(len(ch) - 1))
        )
        self.head = nn.Conv1d(ch[0], sum(t.n_outputs for t in self.tracks), 1)

    def noise_shape(self, batch: int, n_steps: int) -> tuple[int, int, int]:
        return (batch, self.config.noise_channels, n_steps // self.config.time_multiple)

    def forward(self, cond: torch.Tensor, noise: torch.Tensor):
        """``cond`` (B, C, T), ``noise`` (B, Z, T/m) → the chorale layout's logits
        (B, voice, T, pitch-or-rest), or for any other tracks a list of per-track
        ``(B, T, track.n_outputs)`` logits (``models.track_outputs.split_outputs``).

        A single ``cond`` with a batch of noise writes that many candidates for one melody:
        the encoder, which sees only the melody, then runs once instead of once per
        candidate (a third of the work).
        """
        features = self.encode(cond)
        if cond.shape[0] == 1 and noise.shape[0] > 1:
            features = [f.expand(noise.shape[0], -1, -1) for f in features]
        return self.decode(features, noise)

    def encode(self, cond: torch.Tensor) -> list[torch.Tensor]:
        """The melody's features at every resolution, finest first (the skips and, last,
        the bottleneck)."""
        t = cond.shape[-1]
        if t % self.config.time_multiple:
            raise ValueError(f"length {t} is not a multiple of {self.config.time_multiple}")
        x = self.stem(cond)
        features = [x]
        for down in self.down:
            x = down(x)
            features.append(x)
        return features

    def decode(self, features: list[torch.Tensor], noise: torch.Tensor) -> torch.Tensor:
        skips = list(features)
        x = self.middle(torch.cat([skips.pop(), noise], dim=1))
        for up in self.up:
            x = nn.functional.interpolate(x, scale_factor=2, mode="nearest")
            x = up["merge"](torch.cat([up["expand"](x), skips.pop()], dim=1))
        logits = self.head(x)  # (B, sum of n_outputs, T)
        if self.config.is_chorale_layout:
            b, t = logits.shape[0], logits.shape[-1]
            return logits.view(b, len(self.tracks), -1, t).permute(0, 1, 3, 2)
        from models.track_outputs import split_outputs

        return split_outputs(logits, self.tracks)
