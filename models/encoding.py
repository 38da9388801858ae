"""How music on the grid becomes network input: one definition for generator and critic.

Shapes: B batch, T steps, P = N_PITCHES.  The networks convolve over time with pitch as
channels, so every input is ``(B, channels, T)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from models.pianoroll import N_PITCHES, Meter, meter_positions

# Position features, version 2: where in the *beat* a step falls (one-hot over up to 12
# steps, the dotted half of 6/4; a quarter uses the first 4, a dotted quarter the first
# 6), "downbeat", and "another strong beat" (3 in 4/4, the second half of 12/8).
# Version 1 (models before meters) had the step within the quarter (4) and "downbeat";
# checkpoint.widen_v1_tensors maps such a model onto these channels.
POSITION_ENCODING = 2
MAX_BEAT_STEPS = 12
N_POSITION_FEATURES = MAX_BEAT_STEPS + 2
N_MELODY_FEATURES = N_PITCHES + 1  # pitch one-hot, and "a note starts here"
N_CONDITION_FEATURES = N_MELODY_FEATURES + N_POSITION_FEATURES
DOWNBEAT_FEATURE = N_MELODY_FEATURES + MAX_BEAT_STEPS  # the condition's "downbeat" channel
STRONG_BEAT_FEATURE = DOWNBEAT_FEATURE + 1
N_ACCOMPANIMENT_VOICES = 3
N_CLASSES = N_PITCHES + 1  # per voice and step: a pitch, or the last class, rest
REST_CLASS = N_PITCHES


def positions_of(
    meters: Meter | list[tuple[int, Meter]], n_steps: int, bar_phase: int = 0
) -> torch.Tensor:
    """``(2, T)`` long: each step's phase in its beat and its accent (2 downbeat, 1 strong
    beat, 0 other), from one meter or a meter map ``[(step, Meter), ...]``."""
    meter_map = [(0, meters)] if isinstance(meters, Meter) else list(meters)
    phase, accent = meter_positions(meter_map, n_steps, bar_phase)
    return torch.stack([torch.from_numpy(phase), torch.from_numpy(accent)])


def position_features(positions: torch.Tensor) -> torch.Tensor:
    """``(B, 2, T)`` phases and accents (``positions_of``) → ``(B, N_POSITION_FEATURES, T)``."""
    phase, accent = positions[:, 0], positions[:, 1]
    in_beat = F.one_hot(phase.clamp(max=MAX_BEAT_STEPS - 1), MAX_BEAT_STEPS).permute(0, 2, 1)
    downbeat = (accent == 2)[:, None, :]
    strong = (accent == 1)[:, None, :]
    return torch.cat([in_beat.float(), downbeat.float(), strong.float()], dim=1)


def voice_one_hot(voices: torch.Tensor) -> torch.Tensor:
    """``(B, V, T)`` pitch indices with -1 for rest → ``(B, V, T, P)`` floats (rest = zeros)."""
    classes = torch.where(voices < 0, torch.full_like(voices, REST_CLASS), voices)
    return F.one_hot(classes.long(), N_CLASSES)[..., :N_PITCHES].float()


def condition(
    melody: torch.Tensor, melody_onsets: torch.Tensor, positions: torch.Tensor
) -> torch.Tensor:
    """``(B, N_CONDITION_FEATURES, T)`` from the melody voice ``(B, T)``, its onsets and
    its ``(B, 2, T)`` positions (``positions_of``)."""
    pitches = voice_one_hot(melody[:, None, :])[:, 0].permute(0, 2, 1)  # (B, P, T)
    onsets = melody_onsets.float()[:, None, :]
    return torch.cat([pitches, onsets, position_features(positions.to(melody.device))], dim=1)


def widen_v1_condition_weight(weight: torch.Tensor) -> torch.Tensor:
    """A first-layer weight ``(out, C_v1 [+ more], k)`` made for position encoding 1 →
    the same layer for this encoding: the 4 in-quarter channels become beat phases 0-3,
    "downbeat" stays "downbeat", new channels start at zero. A quarter-beat meter then
    gives the old model's exact output."""
    v1_positions = 5
    first = N_MELODY_FEATURES
    old_after = first + v1_positions
    out, _, k = weight.shape
    widened = torch.zeros(out, weight.shape[1] + N_POSITION_FEATURES - v1_positions, k)
    widened = widened.to(weight.dtype)
    widened[:, :first] = weight[:, :first]
    widened[:, first : first + 4] = weight[:, first : first + 4]
    widened[:, DOWNBEAT_FEATURE] = weight[:, first + 4]
    widened[:, first + N_POSITION_FEATURES :] = weight[:, old_after:]
    return widened


def with_style(cond: torch.Tensor, style: torch.Tensor | int, n_styles: int) -> torch.Tensor:
    """``cond`` (B, C, T) with the style's one-hot appended, ``(B, C + n_styles, T)``;
    unchanged where ``n_styles`` is 0 (a model of one style has no style channels).
    ``style`` is one index for the batch or ``(B,)`` indices."""
    if n_styles == 0:
        return cond
    b, _, t = cond.shape
    index = torch.as_tensor(style, device=cond.device).long().reshape(-1).expand(b)
    one_hot = F.one_hot(index, n_styles).to(cond.dtype)  # (B, S)
    return torch.cat([cond, one_hot[:, :, None].expand(b, n_styles, t)], dim=1)


def with_phrase(cond: torch.Tensor, phrase: torch.Tensor, phrase_bars: int) -> torch.Tensor:
    """``cond`` (B, C, T) with each step's bar of the phrase one-hot appended (after any
    style channels), ``(B, C + phrase_bars, T)``; ``phrase`` is ``(T,)`` or ``(B, T)``
    (``pianoroll.phrase_bars_of``). Unchanged where ``phrase_bars`` is 0: a model without
    the phrase position (the chorale's, the band's before issue 17's phrase) reads as
    before, bit for bit."""
    if phrase_bars == 0:
        return cond
    b, _, t = cond.shape
    index = torch.as_tensor(phrase, device=cond.device).long().reshape(-1, t).expand(b, t)
    one_hot = F.one_hot(index, phrase_bars).to(cond.dtype).permute(0, 2, 1)  # (B, N, T)
    return torch.cat([cond, one_hot], dim=1)


def accompaniment_channels(one_hot: torch.Tensor) -> torch.Tensor:
    """``(B, V, T, P)`` voices → ``(B, V*P, T)`` channels for the critic."""
    b, v, t, p = one_hot.shape
    return one_hot.permute(0, 1, 3, 2).reshape(b, v * p, t)
