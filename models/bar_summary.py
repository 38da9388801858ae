"""What the critic's bar head sees: per bar, which pitch classes each voice sounds.

The critic's convolutions score patches of about two bars and average them, so its score
is a sum of local judgements.  Whether an accompaniment is Bach-like on the whole
(how many pitch classes a voice sounds per bar, how many of its notes lie in the
melody's key) is a property of whole bars and of the whole window, and a mean of patch
scores could not learn to rank by it (docs/model.md, "Teaching the critic the test").  This
summary gives a small head that view; the head itself is learned
(``models.critic.BarHead``), nothing here is a metric.

Bars are read from the condition's downbeat channel, so 3/4, pickups and padding need no
meter argument.  Steps before the first downbeat belong to the first bar.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from models.encoding import DOWNBEAT_FEATURE, N_ACCOMPANIMENT_VOICES
from models.pianoroll import N_PITCHES
from models.tonality import pitch_class_matrix

N_CHROMA_BLOCKS = N_ACCOMPANIMENT_VOICES + 2  # each voice, the melody, the melody's window
N_BAR_FEATURES = 12 * N_CHROMA_BLOCKS + 2 * N_ACCOMPANIMENT_VOICES


def bar_summaries(
    cond: torch.Tensor, accompaniment: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(features (B, bars, N_BAR_FEATURES), sounding (B, bars))`` for critic inputs
    ``cond`` (B, C, T) and ``accompaniment`` (B, V*P, T).

    Per bar: the pitch classes each accompaniment voice sounds (0/1, 12 per voice), those
    the melody sounds, the melody's pitch-class distribution over the whole input (its
    key, for every bar), and per voice the share of the bar's steps it sounds and its
    pitch changes per step (its note starts, but for a repeated pitch, which the voices
    cannot tell from a held one).  The first ``12 * N_CHROMA_BLOCKS`` features are pitch-class
    blocks that :func:`transpose_summary` rolls together.  ``sounding`` marks bars where
    anything sounds, so padding bars do not count.
    """
    b, _, t = cond.shape
    # fp16 or bf16 on a GPU
    classes = torch.from_numpy(pitch_class_matrix(N_PITCHES)).to(cond.device, cond.dtype)
    melody = cond[:, :N_PITCHES].transpose(1, 2) @ classes  # (B, T, 12)
    voices = accompaniment.reshape(b, N_ACCOMPANIMENT_VOICES, N_PITCHES, t)
    voice_classes = torch.einsum("bvpt,pc->bvtc", voices, classes)  # (B, V, T, 12)

    bar_of_step = (cond[:, DOWNBEAT_FEATURE].cumsum(dim=1) - 1).clamp(min=0).long()  # (B, T)
    n_bars = int(bar_of_step.max()) + 1
    in_bar = F.one_hot(bar_of_step, n_bars).to(cond.dtype)  # (B, T, bars)
    steps = in_bar.sum(dim=1).clamp(min=1)  # (B, bars)

    voice_presence = (torch.einsum("bvtc,btn->bvnc", voice_classes, in_bar) > 0).to(cond.dtype)
    melody_presence = (torch.einsum("btc,btn->bnc", melody, in_bar) > 0).to(cond.dtype)
    histogram = melody.sum(dim=1)
    histogram = histogram / histogram.sum(dim=1, keepdim=True).clamp(min=1)  # (B, 12)

    sounding_steps = voices.amax(dim=2)  # (B, V, T)
    previous = F.pad(voices, (1, 0))[..., :-1]
    starts = (voices * (1 - previous)).sum(dim=2)  # (B, V, T): a pitch begins here
    active = torch.einsum("bvt,btn->bnv", sounding_steps, in_bar) / steps[..., None]
    starts_per_step = torch.einsum("bvt,btn->bnv", starts, in_bar) / steps[..., None]

    features = torch.cat(
        [
            voice_presence.permute(0, 2, 1, 3).reshape(b, n_bars, 12 * N_ACCOMPANIMENT_VOICES),
            melody_presence,
            histogram[:, None, :].expand(b, n_bars, 12),
            active,
            starts_per_step,
        ],
        dim=2,
    )
    sounding = (voice_presence.amax(dim=(1, 3)) + melody_presence.amax(dim=2)) > 0
    return features, sounding


def transpose_summary(features: torch.Tensor, semitones: int) -> torch.Tensor:
    """The summary of the same music ``semitones`` higher (pitch classes rolled); the
    ranking stage shows the head every key this way."""
    if semitones % 12 == 0:
        return features
    b, n, _ = features.shape
    chroma = features[..., : 12 * N_CHROMA_BLOCKS].reshape(b, n, N_CHROMA_BLOCKS, 12)
    rolled = chroma.roll(semitones, dims=3).reshape(b, n, 12 * N_CHROMA_BLOCKS)
    return torch.cat([rolled, features[..., 12 * N_CHROMA_BLOCKS :]], dim=2)
