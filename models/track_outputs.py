"""What the networks read and write per track kind: one place for generator and critic.

The generator's head gives ``sum(track.n_outputs)`` channels; ``split_outputs`` cuts them
into per-track ``(B, T, n_outputs)`` logits:

- monophonic (voice, bass): logits over the track's rows plus a rest class; a track with
  ``onsets`` then one more, "a note starts here" (Bernoulli), so a held pitch and the
  same pitch struck again differ;
- chords: "sounds" logits per row, then "starts" logits per row (both Bernoulli), so a
  held chord and a re-struck one differ;
- drums: one hit logit per ``DRUM_KIT`` row (Bernoulli).

The critic reads ``sum(track.n_critic_channels)`` channels, track after track: a
monophonic track's sounding rows (then, with ``onsets``, one channel where a note
starts: ``mono_onsets``), a chords track's sounding then starting rows, a drums track's
hits. For three full-range voices this is exactly the chorale layout of
``encoding.accompaniment_channels``, so the shipped model's critic reads what it did.

Fakes reach the critic hard (a one-hot for monophonic tracks, cells over 0.5 for chords
and drums) with the gradient of the probabilities (straight-through), so the critic
judges what the app plays, as the chorale model's training does, rather than the
softness of probabilities that the app's clean-up never plays.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from models.tracks import TrackSpec


def split_outputs(raw: torch.Tensor, tracks: tuple[TrackSpec, ...]) -> list[torch.Tensor]:
    """``(B, sum n_outputs, T)`` head output → per track ``(B, T, n_outputs)`` logits."""
    sizes = [t.n_outputs for t in tracks]
    if raw.shape[1] != sum(sizes):
        raise ValueError(f"head gives {raw.shape[1]} channels, the tracks need {sum(sizes)}")
    return [part.permute(0, 2, 1) for part in torch.split(raw, sizes, dim=1)]


def _hard(probs: torch.Tensor) -> torch.Tensor:
    """Cells over one half, forward; the probabilities' gradient backward."""
    return (probs > 0.5).to(probs.dtype) + probs - probs.detach()


def hard_straight_through(logits: torch.Tensor, track: TrackSpec) -> torch.Tensor:
    """One track's logits ``(B, T, n_outputs)`` → its critic channels ``(B, T, ch)``:
    hard forward, the probabilities' gradient backward.

    A monophonic track with ``onsets`` adds where a note starts as the clean-up plays
    it (``models.track_cleanup``): wherever the pitch changes from rest or another pitch,
    and on a held pitch where the onset output strikes it again."""
    if track.monophonic:
        classes = logits[..., : track.n_rows + 1]
        probs = classes.softmax(dim=-1)
        hard = F.one_hot(probs.argmax(dim=-1), probs.shape[-1]).to(probs.dtype)
        rows = (hard + probs - probs.detach())[..., : track.n_rows]
        if not track.onsets:
            return rows
        same = (rows * F.pad(rows, (0, 0, 1, 0))[:, :-1]).sum(dim=-1)  # held from before
        changed = rows.sum(dim=-1) - same  # sounds, and not the pitch of the step before
        struck = _hard(torch.sigmoid(logits[..., -1]))
        return torch.cat([rows, (changed + struck * same)[..., None]], dim=-1)
    return _hard(torch.sigmoid(logits))  # chords: sounds then starts; drums: hits


def fake_channels(outputs: list[torch.Tensor], tracks: tuple[TrackSpec, ...]) -> torch.Tensor:
    """Per-track logits → the critic's accompaniment input ``(B, channels, T)``."""
    parts = [hard_straight_through(o, t) for o, t in zip(outputs, tracks, strict=True)]
    return torch.cat(parts, dim=-1).permute(0, 2, 1)


def track_channels(sounding: torch.Tensor, onsets: torch.Tensor, track: TrackSpec):
    """One track's rolls ``(B, T, rows)`` → its critic channels ``(B, T, ch)``."""
    if track.kind == "chords":
        return torch.cat([sounding, onsets], dim=-1)
    if track.onsets:
        starts = mono_onsets(sounding, onsets).to(sounding.dtype)
        return torch.cat([sounding, starts[..., None]], dim=-1)
    return onsets if track.is_drums else sounding


def real_channels(
    sounding: list[torch.Tensor], onsets: list[torch.Tensor], tracks: tuple[TrackSpec, ...]
) -> torch.Tensor:
    """Per-track float rolls ``(B, T, rows)`` → the critic's input ``(B, channels, T)``."""
    parts = [track_channels(s, o, t) for s, o, t in zip(sounding, onsets, tracks, strict=True)]
    return torch.cat(parts, dim=-1).permute(0, 2, 1)


def mono_classes(sounding: torch.Tensor) -> torch.Tensor:
    """A monophonic track's roll ``(B, T, rows)`` → class per step ``(B, T)``: the lowest
    sounding row (a bass's overlapping notes keep the lower), or ``rows`` for rest."""
    rows = sounding.shape[-1]
    any_note = sounding.any(dim=-1)
    lowest = sounding.float().argmax(dim=-1)
    return torch.where(any_note, lowest, torch.full_like(lowest, rows))


def mono_onsets(sounding: torch.Tensor, onsets: torch.Tensor) -> torch.Tensor:
    """A monophonic track's rolls ``(B, T, rows)`` → ``(B, T)`` bool: where a note of its
    one-pitch-a-step reading (``mono_classes``) starts: the pitch differs from the step
    before's (or that was a rest), or the roll strikes the same pitch again. The one
    definition for the onset output's target and the critic's channel."""
    classes = mono_classes(sounding)
    rest = sounding.shape[-1]
    previous = F.pad(classes, (1, 0), value=rest)[:, :-1]
    struck = onsets.bool().gather(-1, classes.clamp(max=rest - 1)[..., None])[..., 0]
    return (classes != rest) & ((classes != previous) | struck)


def track_loss(
    logits: torch.Tensor, sounding: torch.Tensor, onsets: torch.Tensor, track: TrackSpec
) -> torch.Tensor:
    """Reconstruction of one track per sample, ``(B,)``: cross-entropy for monophonic
    tracks (plus, with ``onsets``, the onset output's binary cross-entropy against
    ``mono_onsets``), binary cross-entropy for chords (sounds and starts) and drums
    (hits)."""
    if track.monophonic:
        classes = logits[..., : track.n_rows + 1]
        target = mono_classes(sounding)
        per_cell = F.cross_entropy(classes.transpose(1, 2), target, reduction="none")
        if track.onsets:
            starts = mono_onsets(sounding, onsets).to(logits.dtype)
            per_cell = per_cell + F.binary_cross_entropy_with_logits(
                logits[..., -1], starts, reduction="none"
            )
        return per_cell.mean(dim=1)
    target = track_channels(sounding, onsets, track).to(logits.dtype)
    per_cell = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    # Summed over rows, so a sparse roll's few notes are not averaged away by its many
    # empty rows; then averaged over steps like the monophonic tracks' cross-entropy.
    return per_cell.sum(dim=-1).mean(dim=1)


def best_of_reconstruction(
    outputs: list[torch.Tensor],
    sounding: list[torch.Tensor],
    onsets: list[torch.Tensor],
    tracks: tuple[TrackSpec, ...],
    k: int,
    plays: torch.Tensor | None = None,
) -> torch.Tensor:
    """The band form of ``losses.best_of_reconstruction``: ``outputs`` hold k candidates
    per melody (candidate-major, ``(k*B, T, n_out)`` per track), targets ``(B, T, rows)``;
    each candidate's loss is the sum over its tracks, and only the best of k counts.
    ``plays`` ``(B, track)``: 0 leaves a part a sample's song lacks out of its loss
    (a fine-tune's songs, ``models.left_out``)."""
    b = sounding[0].shape[0]
    total = 0
    for t, (logits, held, starts, track) in enumerate(
        zip(outputs, sounding, onsets, tracks, strict=True)
    ):
        loss = track_loss(logits.float(), held.repeat(k, 1, 1), starts.repeat(k, 1, 1), track)
        total = total + (loss if plays is None else loss * plays[:, t].repeat(k))
    return total.view(k, b).min(dim=0).values.mean()
