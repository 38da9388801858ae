"""What training reads, per dataset kind: batches, the critic's inputs, reconstruction.

``training_data`` opens a chorale dataset (``models.build_dataset``: four voices) or a
band dataset (``models.band_pieces``: a melody and tracks of any kinds), and gives the
training loop one interface for both, so ``models.train`` reads top to bottom the same:

- ``batch(n, device)`` → ``(cond, target, bar_phase)``; ``target[part]`` slices samples;
- ``real(target)`` → the critic's input for real music;
- ``fake(logits, target)`` → the critic's input for the generator's output for
  ``target``'s samples, once or k times (hard forward, straight-through gradient: what
  the app would play);
- ``reconstruction(logits, target, k)`` → best-of-k reconstruction: cross-entropy for
  monophonic tracks, binary cross-entropy for chords and drums;
- ``spoil(target, phase, cond)`` → the real music spoiled, one copy per window, for the critic's
  negatives (``models.negatives`` for chorales, ``models.band_negatives`` for bands);
  ``phase`` is the third item ``batch`` gave (a chorale's bar phase, a band's positions).

A band model's tracks and styles come from its dataset's manifest (``config_for``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from models import losses
from models.band_batches import BandWindowSampler, band_tensors, piece_weights
from models.band_negatives import TRAINED_KINDS, spoil_batch
from models.band_pieces import is_band_dataset, load_band_split
from models.build_dataset import REST, Dataset, load_split, read_manifest
from models.config import GanConfig
from models.encoding import REST_CLASS, accompaniment_channels, condition, voice_one_hot
from models.errors import DatasetError
from models.left_out import piece_plays, samples_plays, without_unplayed
from models.negatives import KINDS, SPOILERS, spoil
from models.pianoroll import N_PITCHES, meter_positions
from models.sampling import MAX_TEMPERATURE, beat_held_gumbel
from models.track_outputs import best_of_reconstruction, fake_channels, real_channels
from models.tracks import TrackSpec

# --- Chorale batches --------------------------------------------------------------------------


class WindowSampler:
    """Random windows of ``n_steps`` from a split, transposed to a random legal key."""

    def __init__(
        self,
        data: Dataset,
        n_steps: int,
        rng: np.random.Generator,
        transpose: bool,
        balance_meters: bool = False,
        meter_weights: dict[tuple[int, int], float] | None = None,
    ):
        lengths = np.diff(data.starts)
        self.pieces = np.flatnonzero(lengths >= n_steps)
        if self.pieces.size == 0:
            raise DatasetError(f"No piece is at least {n_steps} steps long.")
        # each meter's pieces together weigh the same with balance_meters, times its weight
        meters = [tuple(map(int, data.meters[p])) for p in self.pieces] if balance_meters else None
        weights = piece_weights(lengths[self.pieces], meters)
        if meters and meter_weights:
            weights = weights * np.array([meter_weights.get(m, 1.0) for m in meters])
            weights = weights / weights.sum()
        self.weights = weights
        self.data, self.n_steps, self.rng, self.transpose = data, n_steps, rng, transpose

    def batch(self, size: int) -> dict[str, np.ndarray]:
        data, t = self.data, self.n_steps
        pieces = self.rng.choice(self.pieces, size=size, p=self.weights)
        voices = np.empty((size, 4, t), dtype=np.int64)
        onsets = np.empty((size, 4, t), dtype=bool)
        bar_phase = np.empty(size, dtype=np.int64)
        positions = np.empty((size, 2, t), dtype=np.int64)
        for row, piece in enumerate(pieces):
            a, b = int(data.starts[piece]), int(data.starts[piece + 1])
            start = a + int(self.rng.integers(0, b - a - t + 1))
            window = data.voices[:, start : start + t].astype(np.int64)
            if self.transpose:
                sounding = window[window != REST]
                if sounding.size:
                    low, high = -int(sounding.min()), N_PITCHES - 1 - int(sounding.max())
                    shift = int(self.rng.integers(max(low, -6), min(high, 6) + 1))
                    window = np.where(window == REST, REST, window + shift)
            voices[row] = window
            onsets[row] = data.onsets[:, start : start + t]
            meter = data.meter(piece)
            bar_phase[row] = (int(data.bar_phase[piece]) + start - a) % meter.bar_steps
            positions[row] = meter_positions([(0, meter)], t, int(bar_phase[row]))
        return {"voices": voices, "onsets": onsets, "positions": positions, "bar_phase": bar_phase}


def to_tensors(batch: dict[str, np.ndarray], device) -> tuple[torch.Tensor, torch.Tensor]:
    """``(cond (B, C, T), target classes (B, 3, T))`` for a sampled batch."""
    voices = torch.from_numpy(batch["voices"]).to(device)
    cond = condition(
        voices[:, 0],
        torch.from_numpy(batch["onsets"][:, 0]).to(device),
        torch.from_numpy(batch["positions"]).to(device),
    )
    target = torch.where(
        voices[:, 1:] < 0, torch.full_like(voices[:, 1:], REST_CLASS), voices[:, 1:]
    )
    return cond, target


def straight_through_one_hot(logits: torch.Tensor) -> torch.Tensor:
    """Hard one-hot forward, softmax gradient backward (rest class dropped): (B, V, T, P).

    The critic sees exactly what the app will play (one note or silence per voice and
    step), so it cannot tell generated music by its softness.
    """
    probs = logits.softmax(dim=-1)
    hard = F.one_hot(probs.argmax(dim=-1), probs.shape[-1]).to(probs.dtype)
    return (hard + probs - probs.detach())[..., :N_PITCHES]


class ChoraleData:
    """The chorale dataset: melody and three voices, as the shipped model trains."""

    def __init__(self, data_dir: Path, config: GanConfig, rng: np.random.Generator):
        self.config = config
        self.data = load_split(data_dir, "train")
        self.manifest = read_manifest(data_dir)
        self.content_hash = self.manifest["content_hash"]
        self.kinds = config.critic_negative_kinds or KINDS
        unknown = sorted(set(self.kinds) - set(SPOILERS))
        if unknown:
            raise ValueError(
                f"{', '.join(unknown)} spoil bands, not chorales; a chorale model's "
                f"critic_negative_kinds are among {', '.join(SPOILERS)}."
            )
        n_steps = config.window_bars * 16
        self.sampler = WindowSampler(
            self.data,
            n_steps,
            rng,
            config.transpose,
            config.balance_meters,
            config.meter_weight_map,
        )

    def batch(self, size: int, device):
        batch = self.sampler.batch(size)
        cond, target = to_tensors(batch, device)
        return cond, target, torch.from_numpy(batch["bar_phase"])

    def real(self, target: torch.Tensor) -> torch.Tensor:
        voices = torch.where(target == REST_CLASS, torch.full_like(target, -1), target)
        return accompaniment_channels(voice_one_hot(voices))

    def fake(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The generator's output for ``target``'s samples (read by the band data alone)."""
        chosen = logits
        if self.config.train_variety > 0:
            b = logits.shape[0]
            variety = torch.rand(b, 1, 1, 1, device=logits.device) * self.config.train_variety
            gumbel = beat_held_gumbel(logits.shape).to(logits.device)
            chosen = logits.float().log_softmax(dim=-1) + MAX_TEMPERATURE * variety * gumbel
        return accompaniment_channels(straight_through_one_hot(chosen))

    def reconstruction(self, logits, target, k: int) -> torch.Tensor:
        return losses.best_of_reconstruction(logits.float(), target, k)

    def spoil(self, target: torch.Tensor, phase: torch.Tensor, cond=None) -> torch.Tensor:
        """Real chorales spoiled the ways that train the critic (``negatives.KINDS``, or
        the config's ``critic_negative_kinds`` in a trial; some kinds read ``cond``)."""
        return spoil(target, phase, cond=cond, kinds=self.kinds)


def _without_onsets(tracks) -> tuple[TrackSpec, ...]:
    return tuple(replace(t, onsets=False) for t in tracks)


class BandData:
    """A band dataset: the melody and tracks of any kinds, styles as condition."""

    def __init__(self, data_dir: Path, config: GanConfig, rng: np.random.Generator):
        self.config = config
        self.data = load_band_split(data_dir, "train")
        # a model's track may add an onset output the data's rolls already hold the
        # notes for (TrackSpec.onsets): the same data, whichever of them lists it
        if _without_onsets(config.track_specs) != _without_onsets(self.data.tracks):
            # tracks of the same names may differ in their measured ranges or programs
            # (the shipped band model on one style's data): say how, not the names twice
            ranges = "; ".join(
                f"{m.name} {m.low}-{m.high} in the model, {d.low}-{d.high} in the data"
                for m, d in zip(config.track_specs, self.data.tracks, strict=False)
                if m.name == d.name and not m.is_drums and (m.low, m.high) != (d.low, d.high)
            )
            raise DatasetError(
                f"The model's tracks ({', '.join(t.name for t in config.track_specs)}) are "
                f"not the dataset's ({', '.join(t.name for t in self.data.tracks)}) in "
                f"{data_dir}{f': their pitch ranges differ ({ranges})' if ranges else ''}; "
                "train a new model on it (without --resume or --init-from)."
            )
        manifest_text = (Path(data_dir) / "manifest.json").read_text()
        self.manifest = json.loads(manifest_text)
        self.content_hash = hashlib.sha256(manifest_text.encode()).hexdigest()[:16]
        self.tracks = config.track_specs
        # A fine-tune's data may lack a part the model plays, in every song or in some
        # (models.fine_tune): left out of the loss there (models.left_out)
        self.plays = None
        if "fine_tune" in self.manifest:
            self.plays = piece_plays(self.data, set(self.manifest.get("absent_tracks", ())))
        n_steps = config.window_bars * 16
        # balance_meters: for a band, each style in each meter weighs the same.
        self.sampler = BandWindowSampler(
            self.data, n_steps, rng, config.transpose, config.balance_meters
        )
        self.rng = rng  # the loop's, saved in its checkpoints: spoilers resume the same

    def batch(self, size: int, device):
        """``(cond, target, positions (B, 2, T))``: where the beats and bars fall; in a
        fine-tune whose songs lack parts, ``target`` says which each sample's song plays."""
        batch = self.sampler.batch(size)
        cond, target = band_tensors(
            batch, self.config.n_style_channels, device, self.config.phrase_bars
        )
        if self.plays is not None:
            rows = samples_plays(self.plays, self.data, batch["window_starts"])
            plays = torch.from_numpy(rows).to(device=device, dtype=torch.float32)
            target = replace(target, plays=plays)
        return cond, target, torch.from_numpy(batch["positions"])

    def real(self, target) -> torch.Tensor:
        channels = real_channels(target.sounding, target.onsets, self.tracks)
        return without_unplayed(channels, target.plays, self.tracks)

    def fake(self, logits: list[torch.Tensor], target) -> torch.Tensor:
        """The generator's output for ``target``'s samples (written once or k times,
        candidate-major), their songs' unplayed parts silent."""
        return without_unplayed(fake_channels(logits, self.tracks), target.plays, self.tracks)

    def reconstruction(self, logits, target, k: int) -> torch.Tensor:
        return best_of_reconstruction(
            logits, target.sounding, target.onsets, self.tracks, k, target.plays
        )

    def spoil(self, target, positions: torch.Tensor, cond=None):
        """Real bands spoiled the ways that train the critic (``TRAINED_KINDS``, or the
        config's ``critic_negative_kinds`` in a trial); ``cond`` is not read."""
        kinds = self.config.critic_negative_kinds or TRAINED_KINDS
        spoiled = spoil_batch(target, self.tracks, positions, self.rng, kinds)
        return target.with_rolls(spoiled)


def config_for(config: GanConfig, data_dir: Path) -> GanConfig:
    """The config with a band dataset's tracks and styles, where it lists none itself."""
    if not is_band_dataset(data_dir) or config.tracks:
        return config
    manifest = json.loads((Path(data_dir) / "manifest.json").read_text())
    tracks = tuple(TrackSpec.from_dict(t).to_dict() for t in manifest["tracks"])
    return config.replace(tracks=tracks, styles=tuple(manifest.get("styles", ())))


def training_data(data_dir: Path, config: GanConfig, rng: np.random.Generator):
    """The dataset adapter for ``data_dir``: ``BandData`` or ``ChoraleData``."""
    if is_band_dataset(data_dir):
        return BandData(data_dir, config, rng)
    if not config.is_chorale_layout:
        raise DatasetError(f"{data_dir} is a chorale dataset; this model has other tracks.")
    return ChoraleData(data_dir, config, rng)
