"""The parts a fine-tune leaves out of its loss: per song, a part that song does not play.

A folder of songs is uneven: a third of openttd-openmsx's have no bass part, almost half
no pad. Trained on as they are, those songs teach the bass to rest wherever a melody
sounds like theirs. So in a fine-tune's data (``models.fine_tune``) a part
a song never plays is not taught as silence there: for that song's windows the critic
sees the part silent in real, spoiled and generated music alike, and the reconstruction
skips it. The model keeps playing it as it did, and learns it from the songs that play
it. A part no song plays (``absent_tracks``) is the case of every song. (It did not
stop a 1000-iteration fine-tune's bass from thinning, docs/training.md: that has
another cause, not yet found.)

Fresh training is unchanged: a model trained from scratch has nothing else to keep, and
the band data's styles have parts silent by design (a style without a pad).
"""

from __future__ import annotations

import numpy as np
import torch

from models.band_pieces import BandDataset
from models.tracks import TrackSpec


def piece_plays(data: BandDataset, absent: set[str] = frozenset()) -> np.ndarray | None:
    """``(piece, track)``: whether each piece plays each track (a note in it), the tracks
    named in ``absent`` never; None where every piece plays every track."""
    plays = np.array(
        [
            [
                spec.name not in absent and bool(starts[a:b].any())
                for spec, starts in zip(data.tracks, data.onsets, strict=True)
            ]
            for a, b in zip(data.starts[:-1], data.starts[1:], strict=True)
        ],
        dtype=bool,
    ).reshape(len(data), len(data.tracks))
    return None if plays.all() else plays


def samples_plays(plays: np.ndarray, data: BandDataset, window_starts: np.ndarray) -> np.ndarray:
    """The ``(B, track)`` rows of ``plays`` for windows starting at ``window_starts``."""
    pieces = np.searchsorted(data.starts, window_starts, side="right") - 1
    return plays[pieces]


def channel_mask(plays: torch.Tensor, tracks: tuple[TrackSpec, ...]) -> torch.Tensor:
    """``(B, track)`` → ``(B, critic channels, 1)``: each track's channels its flag."""
    sizes = torch.tensor([t.n_critic_channels for t in tracks], device=plays.device)
    return torch.repeat_interleave(plays, sizes, dim=1)[:, :, None]


def without_unplayed(
    channels: torch.Tensor, plays: torch.Tensor | None, tracks: tuple[TrackSpec, ...]
) -> torch.Tensor:
    """The critic's input ``(n*B, channels, T)`` for ``B`` samples (``n`` candidates each,
    candidate-major, as the training loop writes them) with each sample's unplayed parts
    (``plays`` ``(B, track)``, ``BandTarget.plays``) silent; unchanged where ``plays`` is
    None."""
    if plays is None:
        return channels
    if channels.shape[0] % plays.shape[0]:
        raise ValueError(
            f"{channels.shape[0]} rows of music are not candidates for {plays.shape[0]} samples"
        )
    plays = plays.repeat(channels.shape[0] // plays.shape[0], 1)
    return channels * channel_mask(plays, tracks).to(channels.dtype)
