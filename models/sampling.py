"""From a melody voice to k cleaned-up accompaniments: shared by the engine and evaluation.

The melody arrives as grid voices (pitch index or REST per step).  It is padded with rests
to the generator's length multiple, all k candidates run in one batched pass, and each
candidate is cleaned into playable notes per track kind (``models.track_cleanup``).

The interface for any list of tracks (``generator.tracks``):

- ``candidate_probabilities(...)``: the chorale model's ``(k, voice, T, classes)`` tensor,
  or for any other tracks a list of per-track ``(k, T, track.n_outputs)`` probabilities;
- ``clean_candidates(probs, density, n_steps, tracks)``: per candidate, a list with one
  ``(sounding, onsets)`` pair per track, each ``(n_steps, track.n_rows)`` bool;
- ``critic_scores(critic, cond, candidates)``: the critic's score of each such candidate
  (or of a chorale ``(k, 3, T, P)`` roll array, as the ranking benchmarks pass).
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
    with_phrase,
    with_style,
)
from models.meter_cleanup import accompaniment_voices
from models.pianoroll import LOWEST_PITCH, N_PITCHES, STEPS_PER_BEAT, Meter, phrase_bars_of
from models.track_cleanup import clean_band, first_beats
from models.track_outputs import track_channels
from models.tracks import CHORALE_TRACKS, TrackSpec

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
    style: int = 0,
    n_styles: int = 0,
    phrase_bars: int = 0,
    first_bar: int | None = None,
) -> torch.Tensor:
    """``(1, C, n_steps)`` condition for one melody voice, padded with rests; ``meters``
    is its meter or its meter map ``[(step, Meter), ...]`` (the padding continues the
    last meter's bars). A model of several styles (``config.n_style_channels``, given as
    ``n_styles``) also reads the style's one-hot; one with ``config.phrase_bars`` which
    bar of the phrase each step is in, ``first_bar`` being the number of the bar step 0
    lies in, counted from the tune's first full bar (``pianoroll.bar_numbers``), so a
    later section of a long tune goes on counting."""
    padded = np.full(n_steps, REST, dtype=np.int64)
    padded[: melody.shape[0]] = melody
    padded_onsets = np.zeros(n_steps, dtype=bool)
    padded_onsets[: onsets.shape[0]] = onsets
    cond = condition(
        torch.from_numpy(padded)[None].to(device),
        torch.from_numpy(padded_onsets)[None].to(device),
        positions_of(meters, n_steps, bar_phase)[None].to(device),
    )
    cond = with_style(cond, style, n_styles)
    if not phrase_bars:
        return cond
    meter_map = [(0, meters)] if isinstance(meters, Meter) else list(meters)
    phrase = phrase_bars_of(meter_map, n_steps, bar_phase, phrase_bars, first_bar)
    return with_phrase(cond, torch.from_numpy(phrase), phrase_bars)


@torch.no_grad()
def candidate_probabilities(
    generator: torch.nn.Module,
    cond: torch.Tensor,
    k: int,
    seed: int,
    variety: float = 0.5,
):
    """``(k, voice, T, pitch-or-rest)`` probabilities for k candidates on one condition
    (for tracks other than the chorale's, per-track ``(k, T, n_outputs)``: see
    ``band_probabilities``).

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
    if not generator.config.is_chorale_layout:
        return band_probabilities(generator(cond, noise), generator.tracks, gen, variety)
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


def band_probabilities(
    logits: list[torch.Tensor],
    tracks: tuple[TrackSpec, ...],
    gen: torch.Generator,
    variety: float = 0.5,
) -> list[torch.Tensor]:
    """Per-track logits ``(k, T, n_outputs)`` → probabilities, perturbed like the voices:
    a monophonic track's classes by beat-held Gumbel noise, a Bernoulli track's logits
    by beat-held logistic noise (a Gumbel difference), so a perturbed chord or drum
    pattern changes for a whole beat. A monophonic track's onset output (``onsets``) is
    its probability unperturbed: noise held for a beat would strike every step of it."""
    temperature = MAX_TEMPERATURE * float(np.clip(variety, 0.0, 1.0))
    out = []
    for track_logits, track in zip(logits, tracks, strict=True):
        x = track_logits.float()
        if track.monophonic:
            classes = x[..., : track.n_rows + 1]
            if temperature > 0:
                shape = (x.shape[0], 1, x.shape[1], classes.shape[2])
                held = beat_held_gumbel(shape, gen)[:, 0].to(x.device)
                classes = classes.log_softmax(dim=-1) + temperature * held
            probs = classes.softmax(dim=-1)
            if track.onsets:
                probs = torch.cat([probs, torch.sigmoid(x[..., -1:])], dim=-1)
            out.append(probs)
            continue
        shape = (x.shape[0], 1, x.shape[1], x.shape[2])
        if temperature > 0:
            logistic = beat_held_gumbel(shape, gen) - beat_held_gumbel(shape, gen)
            x = x + temperature * logistic[:, 0].to(x.device)
        out.append(torch.sigmoid(x))
    return out


Candidate = list[tuple[np.ndarray, np.ndarray]]  # per track (sounding, onsets) (T, rows)


def clean_candidates(
    probs,
    density: float,
    n_steps: int,
    tracks: tuple[TrackSpec, ...] = CHORALE_TRACKS,
    *,
    meters: Meter | list[tuple[int, Meter]] | None = None,
    bar_phase: int = 0,
) -> list[Candidate]:
    """Per candidate, one ``(sounding, onsets)`` pair per track, ``(n_steps, rows)`` bool.

    ``probs`` is ``candidate_probabilities``' output: the chorale tensor, or per-track
    probabilities. Chorale voices given the meter map (what the engine and the
    evaluation pass) move on its eighths and none rests a bar long
    (``models.meter_cleanup``); without it they are cleaned by ``voices_to_roll`` exactly
    as before meters. A band's tracks given it keep their bass in every bar and on the
    chords' tones on the one (``models.track_cleanup.clean_band``).
    """
    out = []
    if isinstance(probs, torch.Tensor):  # the chorale layout (k, V, T, classes)
        for candidate in probs.cpu().numpy():
            candidate = candidate[:, :n_steps]
            if meters is not None:
                roll, onsets = accompaniment_voices(candidate, meters, bar_phase, density)
            else:
                roll, onsets = voices_to_roll(candidate, density=density)
            out.append(list(zip(roll, onsets, strict=True)))
        return out
    per_track = [p.cpu().numpy() for p in probs]
    bars = None if meters is None else first_beats(meters, n_steps, bar_phase)
    for c in range(per_track[0].shape[0]):
        out.append(clean_band([p[c, :n_steps] for p in per_track], tracks, density, bars))
    return out


def stack_voices(candidates: list[Candidate]) -> tuple[np.ndarray, np.ndarray]:
    """Candidates of monophonic full-grid tracks (the chorale's) as ``(k, V, T, P)`` roll
    and onset arrays, the form the ranking's musical checks read."""
    rolls = np.stack([np.stack([s for s, _ in c]) for c in candidates])
    return rolls, np.stack([np.stack([o for _, o in c]) for c in candidates])


def monophonic_grid_rolls(
    candidates: list[Candidate], tracks: tuple[TrackSpec, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The monophonic tracks (voice, bass) of each candidate on the shipped grid,
    ``(k, V_mono, T, N_PITCHES)`` rolls and onsets: what the ranking's musical checks
    (written for voices) can judge of a band. A pitch outside the grid is left out."""
    mono = [i for i, t in enumerate(tracks) if t.monophonic]
    n_steps = candidates[0][0][0].shape[0] if candidates and candidates[0] else 0
    rolls = np.zeros((2, len(candidates), len(mono), n_steps, N_PITCHES), dtype=bool)
    for v, i in enumerate(mono):
        track = tracks[i]
        grid_rows = np.array([track.row_pitch(r) - LOWEST_PITCH for r in range(track.n_rows)])
        inside = (grid_rows >= 0) & (grid_rows < N_PITCHES)
        for c, candidate in enumerate(candidates):
            for which, roll in enumerate(candidate[i]):
                rolls[which, c, v][:, grid_rows[inside]] = roll[:, inside]
    return rolls[0], rolls[1]


@torch.no_grad()
def critic_scores(critic: torch.nn.Module, cond: torch.Tensor, candidates) -> np.ndarray:
    """Critic score of each cleaned candidate, padded like ``cond``: ``candidates`` as
    ``clean_candidates`` returns them, or a chorale roll array ``(k, 3, T, P)``."""
    if isinstance(candidates, np.ndarray):
        rolls = candidates
        k, voices, t, p = rolls.shape
        assert p == N_PITCHES
        padded = np.zeros((k, voices, cond.shape[-1], p), dtype=np.float32)
        padded[:, :, :t] = rolls
        accompaniment = accompaniment_channels(torch.from_numpy(padded).to(cond.device))
        return critic(cond.expand(k, -1, -1), accompaniment).float().cpu().numpy()
    k, n = len(candidates), cond.shape[-1]
    channels = []
    for t, track in enumerate(critic.tracks):
        rolls = np.zeros((2, k, n, track.n_rows), dtype=np.float32)
        for c, candidate in enumerate(candidates):
            sounding, onsets = candidate[t]
            rolls[0, c, : sounding.shape[0]] = sounding
            rolls[1, c, : onsets.shape[0]] = onsets
        held, starts = torch.from_numpy(rolls).to(cond.device)
        channels.append(track_channels(held, starts, track))
    accompaniment = torch.cat(channels, dim=-1).permute(0, 2, 1)
    return critic(cond.expand(k, -1, -1), accompaniment).float().cpu().numpy()


def real_accompaniment_channels(voices: np.ndarray, n_steps: int, device="cpu") -> torch.Tensor:
    """Real voices ``(3, T)`` as critic input ``(1, 3*P, n_steps)``, padded with rests."""
    padded = np.full((voices.shape[0], n_steps), REST, dtype=np.int64)
    padded[:, : voices.shape[1]] = voices
    return accompaniment_channels(voice_one_hot(torch.from_numpy(padded)[None].to(device)))


def draw_candidates(
    generator: torch.nn.Module,
    voice: np.ndarray,
    onsets: np.ndarray,
    meters: Meter | list[tuple[int, Meter]],
    bar_phase: int,
    k: int,
    seed: int,
    density: float = 0.5,
    variety: float = 0.5,
    style: int = 0,
    first_bar: int | None = None,
) -> tuple[torch.Tensor, list[Candidate]]:
    """The one drawing path, for a model of any tracks: the melody ``voice`` ``(T,)``
    padded with rests to the generator's length multiple and conditioned (with the
    style's one-hot where the model has several styles), k candidates drawn in one
    batched pass and each cleaned per track kind (chorale voices on the meter map).
    Returns the condition, which the critic reads too, and the cleaned candidates in
    ``clean_candidates``' form. ``first_bar``: the number of the bar ``voice`` starts in
    (``melody_condition``), read by a model with a phrase position."""
    n_steps = voice.shape[0]
    n = pad_length(n_steps, generator.config.time_multiple)
    device = next(generator.parameters()).device
    n_styles = generator.config.n_style_channels
    phrase_bars = generator.config.phrase_bars
    cond = melody_condition(
        voice, onsets, meters, bar_phase, n, device, style, n_styles, phrase_bars, first_bar
    )
    with torch.inference_mode():
        probs = candidate_probabilities(generator, cond, k, seed, variety)
    cleaned = clean_candidates(
        probs, density, n_steps, generator.tracks, meters=meters, bar_phase=bar_phase
    )
    return cond, cleaned
