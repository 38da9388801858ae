"""How music on the grid becomes network input: one definition for generator and critic.

Shapes: B batch, T steps, P = N_PITCHES.  The networks convolve over time with pitch as
channels, so every input is ``(B, channels, T)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from models.pianoroll import N_PITCHES, STEPS_PER_BEAT, steps_per_bar

N_POSITION_FEATURES = STEPS_PER_BEAT + 1  # where in the beat (one-hot), and "downbeat"
N_MELODY_FEATURES = N_PITCHES + 1  # pitch one-hot, and "a note starts here"
N_CONDITION_FEATURES = N_MELODY_FEATURES + N_POSITION_FEATURES
DOWNBEAT_FEATURE = N_MELODY_FEATURES + STEPS_PER_BEAT  # the condition's "downbeat" channel
N_ACCOMPANIMENT_VOICES = 3
N_CLASSES = N_PITCHES + 1  # per voice and step: a pitch, or the last class, rest
REST_CLASS = N_PITCHES


def position_features(
    batch_beats_per_bar: torch.Tensor, batch_bar_phase: torch.Tensor, n_steps: int
) -> torch.Tensor:
    """``(B, N_POSITION_FEATURES, T)`` telling each step its place in the beat and bar."""
    device = batch_bar_phase.device
    steps = torch.arange(n_steps, device=device)[None, :] + batch_bar_phase[:, None]
    in_beat = F.one_hot(steps % STEPS_PER_BEAT, STEPS_PER_BEAT).permute(0, 2, 1).float()
    bar = steps_per_bar(1) * batch_beats_per_bar[:, None]
    downbeat = ((steps % bar) == 0).float()[:, None, :]
    return torch.cat([in_beat, downbeat], dim=1)


def voice_one_hot(voices: torch.Tensor) -> torch.Tensor:
    """``(B, V, T)`` pitch indices with -1 for rest → ``(B, V, T, P)`` floats (rest = zeros)."""
    classes = torch.where(voices < 0, torch.full_like(voices, REST_CLASS), voices)
    return F.one_hot(classes.long(), N_CLASSES)[..., :N_PITCHES].float()


def condition(
    melody: torch.Tensor,
    melody_onsets: torch.Tensor,
    beats_per_bar: torch.Tensor,
    bar_phase: torch.Tensor,
) -> torch.Tensor:
    """``(B, N_CONDITION_FEATURES, T)`` from the melody voice ``(B, T)`` and its onsets."""
    pitches = voice_one_hot(melody[:, None, :])[:, 0].permute(0, 2, 1)  # (B, P, T)
    onsets = melody_onsets.float()[:, None, :]
    positions = position_features(beats_per_bar, bar_phase, melody.shape[-1])
    return torch.cat([pitches, onsets, positions], dim=1)


def accompaniment_channels(one_hot: torch.Tensor) -> torch.Tensor:
    """``(B, V, T, P)`` voices → ``(B, V*P, T)`` channels for the critic."""
    b, v, t, p = one_hot.shape
    return one_hot.permute(0, 1, 3, 2).reshape(b, v * p, t)
