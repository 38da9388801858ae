"""DeepComposer's published GAN configuration, rebuilt only to time it beside ours.

From its lab's description: 2 bars x 16 steps x 128 pitches x 4 tracks; a U-Net generator
with 4 strided convolution blocks (64-512 filters), noise concatenated at the bottleneck,
an upsampling decoder with skips and a tanh output of all four tracks (about 8.3 M
parameters); a critic of 4 strided convolutions without normalization and a dense layer to
one score (about 2.8 M).  Kernel sizes are not published; 5x5 in the generator and 4x4 in the
critic land on the published parameter counts (7.9 M and 2.8 M).  Not used by the app.
"""

from __future__ import annotations

import torch
from torch import nn

STEPS, PITCHES, TRACKS = 32, 128, 4
NOISE = 32


class ReferenceGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        ch = (1, 64, 128, 256, 512)
        self.down = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(ch[i], ch[i + 1], 5, 2, 2), nn.BatchNorm2d(ch[i + 1]), nn.LeakyReLU(0.2)
            )
            for i in range(4)
        )
        self.up = nn.ModuleList()
        up_ch = (512 + NOISE, 256, 128, 64)
        skip = (0, 256, 128, 64)
        for i in range(3):
            self.up.append(
                nn.Sequential(
                    nn.ConvTranspose2d(up_ch[i] + skip[i], up_ch[i + 1], 4, 2, 1),
                    nn.BatchNorm2d(up_ch[i + 1]),
                    nn.ReLU(),
                )
            )
        self.out = nn.ConvTranspose2d(64 + 64, TRACKS, 4, 2, 1)

    def forward(self, melody, noise):  # (B, 1, 32, 128), (B, NOISE)
        skips, x = [], melody
        for block in self.down:
            x = block(x)
            skips.append(x)
        x = torch.cat([x, noise[:, :, None, None].expand(-1, -1, *x.shape[2:])], 1)
        skips.pop()
        for i, block in enumerate(self.up):
            x = block(x if i == 0 else torch.cat([x, skips.pop()], 1))
        return torch.tanh(self.out(torch.cat([x, skips.pop()], 1)))


class ReferenceCritic(nn.Module):
    def __init__(self):
        super().__init__()
        ch = (TRACKS, 64, 128, 256, 512)
        layers = []
        for i in range(4):
            layers += [nn.Conv2d(ch[i], ch[i + 1], 4, 2, 1), nn.LeakyReLU(0.2)]
        self.body = nn.Sequential(*layers)
        self.dense = nn.Linear(512 * (STEPS // 16) * (PITCHES // 16), 1)

    def forward(self, x):  # (B, 4, 32, 128)
        return self.dense(self.body(x).flatten(1))[:, 0]
