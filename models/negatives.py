"""Spoiled real chorales: fakes that teach the critic harmony, not the generator's accent.

A critic that only ever sees the generator's output as fake learns whatever gives the
generator away most cheaply.  Probed after training, the first shipped critic scored Bach's
own accompaniment moved a semitone against the melody, or taken from another chorale,
*above* the real one: it judged how a voice was drawn, not whether it fitted the melody,
and so could not rank candidates.  Negative data augmentation (Sinha et al., ICLR 2021)
adds real music spoiled in ways a musician would reject as further fakes, which makes
fitting the melody something the critic has to learn.

Each spoiled window is a real accompaniment with one of:

- ``mismatch``: the accompaniment of another window in the batch (another chorale, another
  key), so voices are idiomatic but ignore the melody;
- ``transpose``: the accompaniment moved 1-6 semitones against the melody;
- ``late``: the accompaniment a beat or two late against the melody;
- ``block``: every voice holds its on-beat note through the beat, so Bach's passing and
  neighbour notes are gone;
- ``wrong_notes``: here and there (a tenth of the beats of each voice) a voice plays a
  semitone or a tone off for a beat: the slips that tell a good candidate from a near miss;
- ``beat_dissonance`` (a trial kind, issue 18 session 15: ``TRIAL_KINDS``, named by a run's
  ``critic_negative_kinds``): on about a quarter of the beats one voice's note on the beat
  is moved (by up to a minor third) to a pitch dissonant with the melody note sounding
  there (a second, tritone or seventh), one its line did not hold the step before (not
  prepared) and, where one can be found, not a step from its next note (not resolved).
  Bach's own suspensions and passing notes stay in the real music, so what the critic is
  shown as fake is the unprepared, unresolved clash with the melody on the beat that the
  ranking's first choices carried more of than the median candidate.

Shapes: voices ``(B, V, T)`` class indices with ``REST_CLASS`` for rest; ``cond``
``(B, C, T)`` the networks' condition (``models.encoding.condition``), read by the kinds that
need the melody and the beats.
"""

from __future__ import annotations

import torch

from models.encoding import N_MELODY_FEATURES, REST_CLASS
from models.pianoroll import N_PITCHES, STEPS_PER_BEAT

# The five kinds the shipped critic was trained with, and the must-show's judges.
KINDS = ("mismatch", "transpose", "late", "block", "wrong_notes")
# Trained only where a run's config names them (``GanConfig.critic_negative_kinds``).
TRIAL_KINDS = ("beat_dissonance",)
WRONG_BEAT_SHARE = 0.1
DISSONANCE_BEAT_SHARE = 0.25
DISSONANT_INTERVALS = (1, 2, 6, 10, 11)  # semitones above the melody, within the octave


def mismatch(voices: torch.Tensor, generator=None, phase=None) -> torch.Tensor:
    """Each window gets another window's accompaniment (a rotation: never its own)."""
    if voices.shape[0] < 2:
        return transpose(voices, generator)
    return voices.roll(1, dims=0)


def transpose(voices: torch.Tensor, generator=None, phase=None) -> torch.Tensor:
    """Move each window's accompaniment by 1-6 semitones up or down, folding notes that
    leave the range back by an octave, so the voices keep their shape but clash."""
    b = voices.shape[0]
    steps = torch.randint(1, 7, (b, 1, 1), generator=generator, device=voices.device)
    sign = torch.randint(0, 2, (b, 1, 1), generator=generator, device=voices.device) * 2 - 1
    moved = voices + steps * sign
    moved = torch.where(moved >= N_PITCHES, moved - 12, moved)
    moved = torch.where(moved < 0, moved + 12, moved)
    return torch.where(voices == REST_CLASS, voices, moved)


def late(voices: torch.Tensor, generator=None, phase=None) -> torch.Tensor:
    """The accompaniment one or two beats late (what falls off the end comes in first)."""
    beats = int(torch.randint(1, 3, (1,), generator=generator).item())
    return voices.roll(beats * STEPS_PER_BEAT, dims=2)


def block(voices: torch.Tensor, generator=None, phase=None) -> torch.Tensor:
    """Every voice holds its on-beat note (or rest) for the whole beat.  ``phase`` (B,)
    is each window's first step's place in the bar, so beats are the music's own."""
    b, _, t = voices.shape
    phase = torch.zeros(b, dtype=torch.long) if phase is None else phase.long()
    steps = torch.arange(t, device=voices.device)[None, :]
    since_beat = (steps + phase.to(voices.device)[:, None]) % STEPS_PER_BEAT
    source = (steps - since_beat).clamp(min=0)  # (B, T): the step whose note is held
    return voices.gather(2, source[:, None, :].expand_as(voices))


def wrong_notes(voices: torch.Tensor, generator=None, phase=None) -> torch.Tensor:
    """Some beats of some voices a semitone or a tone off (at least one per window)."""
    b, v, t = voices.shape
    device = voices.device
    phase = torch.zeros(b, dtype=torch.long) if phase is None else phase.long()
    steps = torch.arange(t, device=device)[None, :]
    beat = (steps + phase.to(device)[:, None] % STEPS_PER_BEAT) // STEPS_PER_BEAT  # (B, T)
    n_beats = -(-(t + STEPS_PER_BEAT) // STEPS_PER_BEAT)
    wrong = torch.rand((b, v, n_beats), generator=generator) < WRONG_BEAT_SHARE
    first = torch.randint(0, v, (b,), generator=generator)
    wrong[torch.arange(b), first, beat[:, t // 2].cpu()] = True  # never a clean copy
    offsets = torch.tensor([-2, -1, 1, 2])[
        torch.randint(0, 4, (b, v, n_beats), generator=generator)
    ]
    shift = torch.where(wrong, offsets, 0).to(device)
    per_step = shift.gather(2, beat[:, None, :].expand(b, v, t))
    moved = voices + per_step
    moved = torch.where((moved < 0) | (moved >= N_PITCHES), voices - per_step, moved)
    return torch.where(voices == REST_CLASS, voices, moved)


def melody_and_beats(cond: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(melody (B, T) pitch index or -1, beat starts (B, T) bool)`` read from the
    condition: its pitch one-hot and its in-beat phase 0 channel (a dotted quarter in 6/8)."""
    pitches = cond[:, :N_PITCHES]
    melody = torch.where(pitches.sum(dim=1) > 0, pitches.argmax(dim=1), -1)
    return melody, cond[:, N_MELODY_FEATURES] > 0.5


def beat_dissonance(voices: torch.Tensor, generator=None, phase=None, cond=None) -> torch.Tensor:
    """On about :data:`DISSONANCE_BEAT_SHARE` of the beats (at least one a window) one
    sounding voice's note is, from the beat to the end of that note or beat, a pitch up to
    a minor third from it that is dissonant with the melody (:data:`DISSONANT_INTERVALS`),
    was not the voice's pitch the step before (not prepared), and where possible is not a
    tone or semitone from the voice's next pitch (not resolved by step)."""
    if cond is None:
        raise ValueError("beat_dissonance needs the condition (the melody and the beats)")
    out = voices.clone()
    melody, beats = melody_and_beats(cond.to(voices.device))
    b, v, t = voices.shape
    draw = torch.rand((b, t), generator=generator) < DISSONANCE_BEAT_SHARE
    order = torch.rand((b, t, v), generator=generator).argsort(dim=2)
    tie = torch.rand((b, t, 6), generator=generator)
    offsets = (-1, 1, -2, 2, -3, 3)
    for i in range(b):
        line, tune = voices[i].tolist(), melody[i].tolist()
        starts = [s for s in beats[i].nonzero().flatten().tolist() if tune[s] >= 0]
        starts = [s for s in starts if any(line[k][s] != REST_CLASS for k in range(v))]
        if not starts:
            continue
        chosen = [s for s in starts if draw[i, s]] or [starts[len(starts) // 2]]
        ends = sorted(set(beats[i].nonzero().flatten().tolist()) | {t})
        for s in chosen:
            voice = next(k for k in order[i, s].tolist() if line[k][s] != REST_CLASS)
            pitch = line[voice][s]
            end = next(e for e in ends if e > s)
            end = next((e for e in range(s, end) if line[voice][e] != pitch), end)
            before = line[voice][s - 1] if s > 0 else REST_CLASS
            after = line[voice][end] if end < t else REST_CLASS
            options = []
            for j, d in enumerate(offsets):
                q = pitch + d
                if not 0 <= q < N_PITCHES or q == before:
                    continue
                if (q - tune[s]) % 12 not in DISSONANT_INTERVALS:
                    continue
                resolves = after != REST_CLASS and 1 <= abs(after - q) <= 2
                options.append((resolves, abs(d), float(tie[i, s, j]), q))
            if options:
                out[i, voice, s:end] = min(options)[3]
    return out


SPOILERS = {
    "mismatch": mismatch,
    "transpose": transpose,
    "late": late,
    "block": block,
    "wrong_notes": wrong_notes,
    "beat_dissonance": beat_dissonance,
}


def spoiled_window(kind: str, windows: list[torch.Tensor], i: int, generator=None) -> torch.Tensor:
    """Window ``i``'s accompaniment ``(voice, step)`` spoiled the ``kind`` way, for the
    benchmarks that score one window at a time: "mismatch" takes the next window's
    accompaniment, cut or padded with rests to fit."""
    if kind == "mismatch":
        other = windows[(i + 1) % len(windows)]
        spoiled = torch.full_like(windows[i], REST_CLASS)
        t = min(other.shape[1], spoiled.shape[1])
        spoiled[:, :t] = other[:, :t]
        return spoiled
    return SPOILERS[kind](windows[i][None], generator)[0]


def spoil(
    voices: torch.Tensor,
    phase: torch.Tensor | None = None,
    generator=None,
    cond: torch.Tensor | None = None,
    kinds: tuple[str, ...] = KINDS,
) -> torch.Tensor:
    """One spoiled copy of each window, the kind drawn at random per window from ``kinds``
    (:data:`KINDS`, what the shipped critic was shown, unless a trial names more; a kind
    named twice is drawn twice as often)."""
    unique = list(dict.fromkeys(kinds))
    variants = torch.stack(
        [
            SPOILERS[kind](voices, generator, phase, cond)
            if kind in TRIAL_KINDS
            else SPOILERS[kind](voices, generator, phase)
            for kind in unique
        ]
    )
    drawn = torch.randint(0, len(kinds), (voices.shape[0],), generator=generator)
    variant = torch.tensor([unique.index(kind) for kind in kinds])[drawn]
    return variants[variant.to(voices.device), torch.arange(voices.shape[0], device=voices.device)]
