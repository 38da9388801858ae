"""From a melody voice to k cleaned-up accompaniments: shared by the engine and evaluation.

The melody arrives as grid voices (pitch index or REST per step).  It is padded with rests
to the generator's length multiple, all k candidates run in one batched pass, and each
candidate is cleaned into playable notes by ``models.cleanup``.
"""

from __future__ import annotations

import numpy as np
import torch

from models.build_dataset import REST
from models.cleanup import voices_to_roll
from models.encoding import (
    N_MELODY_FEATURES,
    accompaniment_channels,
    condition,
    positions_of,
    voice_one_hot,
)
from models.meter_cleanup import accompaniment_voices
from models.pianoroll import N_PITCHES, STEPS_PER_BEAT, Meter

# Gumbel scale at variety 1.  Measured on validation windows: 0.15 (the default variety
# 0.5) gives candidates that differ in about half their cells at Bach-like in-key ratios;
# above about 0.4 the voices wander out of key.
MAX_TEMPERATURE = 0.3


def pad_length(n_steps: int, multiple: int) -> int:
    return -(-n_steps // multiple) * multiple


def melody_condition(
    melody: np.ndarray,
    onsets: np.ndarray,
    meters: Meter | list[tuple[int, Meter]],
    bar_phase: int,
    n_steps: int,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """``(1, C, n_steps)`` condition for one melody voice, padded with rests; ``meters``
    is its meter or its meter map ``[(step, Meter), ...]`` (the padding continues the
    last meter's bars)."""
    padded = np.full(n_steps, REST, dtype=np.int64)
    padded[: melody.shape[0]] = melody
    padded_onsets = np.zeros(n_steps, dtype=bool)
    padded_onsets[: onsets.shape[0]] = onsets
    return condition(
        torch.from_numpy(padded)[None].to(device),
        torch.from_numpy(padded_onsets)[None].to(device),
        positions_of(meters, n_steps, bar_phase)[None].to(device),
    )


@torch.no_grad()
def candidate_probabilities(
    generator: torch.nn.Module,
    cond: torch.Tensor,
    k: int,
    seed: int,
    variety: float = 0.5,
) -> torch.Tensor:
    """``(k, voice, T, pitch-or-rest)`` probabilities for k candidates on one condition.

    Variety comes from two places.  The generator's noise (unit normal, as in training)
    gives each candidate its own draw.  On top, each candidate's choices are perturbed by
    Gumbel noise held for a beat per voice and pitch, scaled by
    ``MAX_TEMPERATURE * variety``: taking the most likely class afterwards picks another
    plausible pitch for a whole beat rather than flickering between pitches step by step
    (independent per-step sampling fragments notes).  ``variety`` 0 is the plain most
    likely voice-leading for each noise draw.
    """
    device = cond.device
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    n_steps = cond.shape[-1]
    noise = torch.randn(generator.noise_shape(k, n_steps), generator=gen).to(device)
    logits = generator(cond, noise).float()  # (k, V, T, C); one melody, k noise draws
    temperature = MAX_TEMPERATURE * float(np.clip(variety, 0.0, 1.0))
    if temperature > 0:
        held = beat_held_gumbel(logits.shape, gen, beat_of_step(cond)).to(device)
        logits = logits.log_softmax(dim=-1) + temperature * held
    return logits.softmax(dim=-1)


def beat_of_step(cond: torch.Tensor) -> torch.Tensor:
    """``(T,)`` long: which beat of the meter each step of the condition is in, counted
    from 0, read from the condition's own position features (phase 0 starts a beat:
    ``models.pianoroll.meter_positions``), so a 6/8 beat is its dotted quarter."""
    starts = cond[0, N_MELODY_FEATURES].detach().cpu() > 0.5
    starts[0] = True  # a pickup's partial beat is a beat
    return torch.cumsum(starts.long(), dim=0) - 1


def beat_held_gumbel(
    shape, generator: torch.Generator | None = None, beats: torch.Tensor | None = None
) -> torch.Tensor:
    """Gumbel noise of ``shape`` (batch, voice, step, class), one draw per beat held over
    its steps, so a perturbed voice changes pitch for a whole beat.  ``beats`` ``(step,)``
    is each step's beat (``beat_of_step``); without it, quarters from step 0.  Quarters
    from step 0 draw exactly what they did before meters."""
    k, voices, n_steps, classes = shape
    beats = torch.arange(n_steps) // STEPS_PER_BEAT if beats is None else beats[:n_steps]
    uniform = torch.rand((k, voices, int(beats[-1]) + 1, classes), generator=generator)
    gumbel = -torch.log(-torch.log(uniform.clamp(1e-9, 1 - 1e-9)))
    return gumbel[:, :, beats]


def clean_candidates(
    probs: torch.Tensor,
    density: float,
    n_steps: int,
    *,
    meters: Meter | list[tuple[int, Meter]] | None = None,
    bar_phase: int = 0,
):
    """Per candidate ``(roll (3, n_steps, P), onsets (3, n_steps, P))`` of playable notes.
    With the meter map (what the engine and the evaluation pass), the voices move on its
    eighths and none rests a bar long (``models.meter_cleanup``)."""
    out = []
    for candidate in probs.cpu().numpy():
        candidate = candidate[:, :n_steps]
        if meters is not None:
            out.append(accompaniment_voices(candidate, meters, bar_phase, density))
            continue
        roll, onsets = voices_to_roll(candidate, density=density)
        out.append((roll, onsets))
    return out


@torch.no_grad()
def critic_scores(critic: torch.nn.Module, cond: torch.Tensor, rolls: np.ndarray) -> np.ndarray:
    """Critic score of each cleaned candidate ``rolls`` (k, 3, T, P), padded like ``cond``."""
    k, voices, t, p = rolls.shape
    assert p == N_PITCHES
    padded = np.zeros((k, voices, cond.shape[-1], p), dtype=np.float32)
    padded[:, :, :t] = rolls
    accompaniment = accompaniment_channels(torch.from_numpy(padded).to(cond.device))
    return critic(cond.expand(k, -1, -1), accompaniment).float().cpu().numpy()


def real_accompaniment_channels(voices: np.ndarray, n_steps: int, device="cpu") -> torch.Tensor:
    """Real voices ``(3, T)`` as critic input ``(1, 3*P, n_steps)``, padded with rests."""
    padded = np.full((voices.shape[0], n_steps), REST, dtype=np.int64)
    padded[:, : voices.shape[1]] = voices
    return accompaniment_channels(voice_one_hot(torch.from_numpy(padded)[None].to(device)))
