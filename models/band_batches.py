"""Training batches from a band dataset (``models.band_pieces``): windows, transposed.

A window is ``n_steps`` of one piece: the melody voice and every track's ``sounding`` and
``onsets`` rolls. Transposition shifts the melody and every pitched track by one random
interval (up to a tritone either way) that keeps all of them inside their ranges; drums
are never shifted, a kick is a kick in every key. The style of each window is its
piece's (``BandPiece.style``), for the style one-hot of the condition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.band_pieces import REST, BandDataset
from models.encoding import condition, with_phrase, with_style
from models.errors import DatasetError
from models.pianoroll import N_PITCHES, Meter, bar_numbers, meter_positions, phrase_bar

MAX_SHIFT = 6


@dataclass
class BandTarget:
    """A batch's real tracks: per track ``(B, T, rows)`` float rolls; sliceable by sample.

    ``plays`` ``(B, track)`` float, in a fine-tune whose songs lack parts: 1 where the
    sample's song plays the track, 0 where the part is left out of its loss
    (``models.left_out``); None where every sample's song plays every track. It travels
    with the rolls, so whatever is written or spoiled for these samples is masked as they
    are."""

    sounding: list[torch.Tensor]
    onsets: list[torch.Tensor]
    plays: torch.Tensor | None = None

    def __getitem__(self, part: slice) -> BandTarget:
        return BandTarget(
            [s[part] for s in self.sounding],
            [o[part] for o in self.onsets],
            None if self.plays is None else self.plays[part],
        )

    def with_rolls(self, other: BandTarget) -> BandTarget:
        """``other``'s rolls (a spoiled copy of these samples) with these samples' parts."""
        return BandTarget(other.sounding, other.onsets, self.plays)


def _occupied_rows(roll: np.ndarray) -> tuple[int, int] | None:
    rows = np.flatnonzero(roll.any(axis=0))
    return (int(rows[0]), int(rows[-1])) if rows.size else None


def _shift_rows(roll: np.ndarray, shift: int) -> np.ndarray:
    """Move a roll ``(T, rows)`` ``shift`` rows up; the caller keeps notes inside."""
    out = np.zeros_like(roll)
    if shift >= 0:
        out[:, shift:] = roll[:, : roll.shape[1] - shift]
    else:
        out[:, :shift] = roll[:, -shift:]
    return out


def piece_weights(lengths: np.ndarray, cells: list[tuple] | None = None) -> np.ndarray:
    """Each piece's chance of giving a training window: by its length, or, given each
    piece's cell (its meter; a band piece's style and meter), by length within its cell
    with every cell weighing the same. The chorale and band samplers share it."""
    weights = np.asarray(lengths, dtype=np.float64)
    if cells is not None:
        totals: dict[tuple, float] = {}
        for cell, weight in zip(cells, weights, strict=True):
            totals[cell] = totals.get(cell, 0.0) + weight
        weights = weights / np.array([totals[c] for c in cells])
    return weights / weights.sum()


class BandWindowSampler:
    """Random windows of ``n_steps`` from a band split, each piece weighted by length.

    ``balance`` weighs each style in each meter the same (its pieces by length within it):
    the MMA data has 32 training renderings a style in 3/4 (the chorales in 3/4) against
    288 in 4/4, 2/4 and 6/8, so by length the model met country and waltz in 3/4 in 3% of
    its windows, and told them apart worst (issue 17)."""

    def __init__(
        self,
        data: BandDataset,
        n_steps: int,
        rng: np.random.Generator,
        transpose: bool,
        balance: bool = False,
    ):
        lengths = np.diff(data.starts)
        self.pieces = np.flatnonzero(lengths >= n_steps)
        if self.pieces.size == 0:
            raise DatasetError(f"No band piece is at least {n_steps} steps long.")
        cells = None
        if balance:
            cells = [(int(data.piece_styles[p]), *map(int, data.meters[p])) for p in self.pieces]
        self.weights = piece_weights(lengths[self.pieces], cells)
        self.data, self.n_steps, self.rng, self.transpose = data, n_steps, rng, transpose
        self._piece_bars: dict[int, np.ndarray] = {}  # piece -> (its steps,) bar numbers

    def piece_bars(self, piece: int) -> np.ndarray:
        """``(steps,)`` each step's bar in ``piece``, counted from its first full bar
        (``pianoroll.bar_numbers``: MMA's first; -1 a pickup), once per piece."""
        bars = self._piece_bars.get(piece)
        if bars is None:
            data = self.data
            meter = Meter(int(data.meters[piece][0]), int(data.meters[piece][1]))
            n = int(data.starts[piece + 1] - data.starts[piece])
            bars = bar_numbers([(0, meter)], n, int(data.bar_phase[piece]))
            self._piece_bars[piece] = bars
        return bars

    def _legal_shifts(self, melody: np.ndarray, rolls: list[np.ndarray]) -> tuple[int, int]:
        sounding = melody[melody != REST]
        low, high = -MAX_SHIFT, MAX_SHIFT
        if sounding.size:
            low, high = (
                max(low, -int(sounding.min())),
                min(high, N_PITCHES - 1 - int(sounding.max())),
            )
        for spec, roll in zip(self.data.tracks, rolls, strict=True):
            occupied = None if spec.is_drums else _occupied_rows(roll)
            if occupied:
                low, high = max(low, -occupied[0]), min(high, spec.n_rows - 1 - occupied[1])
        return low, max(low, high)

    def batch(self, size: int) -> dict:
        data, t = self.data, self.n_steps
        pieces = self.rng.choice(self.pieces, size=size, p=self.weights)
        melody = np.empty((size, t), dtype=np.int64)
        melody_onsets = np.empty((size, t), dtype=bool)
        positions = np.empty((size, 2, t), dtype=np.int64)
        bars = np.empty((size, t), dtype=np.int64)
        styles = np.empty(size, dtype=np.int64)
        window_starts = np.empty(size, dtype=np.int64)
        shifts = np.zeros(size, dtype=np.int64)
        sounding = [np.empty((size, t, s.n_rows), dtype=bool) for s in data.tracks]
        onsets = [np.empty((size, t, s.n_rows), dtype=bool) for s in data.tracks]
        for row, piece in enumerate(pieces):
            a, b = int(data.starts[piece]), int(data.starts[piece + 1])
            start = a + int(self.rng.integers(0, b - a - t + 1))
            window = slice(start, start + t)
            voice = data.melody[window].astype(np.int64)
            held = [s[window] for s in data.sounding]
            starts = [o[window] for o in data.onsets]
            shift = 0
            if self.transpose:
                low, high = self._legal_shifts(voice, held)
                shift = int(self.rng.integers(low, high + 1))
            window_starts[row], shifts[row] = start, shift
            melody[row] = np.where(voice == REST, REST, voice + shift)
            melody_onsets[row] = data.melody_onsets[window]
            for i, spec in enumerate(data.tracks):
                move = 0 if spec.is_drums else shift
                sounding[i][row] = _shift_rows(held[i], move) if move else held[i]
                onsets[i][row] = _shift_rows(starts[i], move) if move else starts[i]
            meter = Meter(int(data.meters[piece][0]), int(data.meters[piece][1]))
            phase = (int(data.bar_phase[piece]) + start - a) % meter.bar_steps
            positions[row] = meter_positions([(0, meter)], t, phase)
            # the window's true bars, counted from the piece's first full bar (MMA's first)
            bars[row] = self.piece_bars(int(piece))[start - a : start - a + t]
            styles[row] = int(data.piece_styles[piece])
        return {
            "melody": melody,
            "melody_onsets": melody_onsets,
            "positions": positions,
            "styles": styles,
            "bars": bars,  # each step's bar from the piece's first full bar (-1: a pickup)
            "sounding": sounding,
            "onsets": onsets,
            "window_starts": window_starts,  # where in the split each window begins
            "shifts": shifts,  # semitones each was transposed by
        }


def band_tensors(
    batch: dict, n_styles: int, device, phrase_bars: int = 0
) -> tuple[torch.Tensor, BandTarget]:
    """``(cond (B, C, T) with the style one-hot and, for a model with ``phrase_bars``,
    each step's bar of the phrase, the real tracks)`` for a sampled batch."""
    cond = condition(
        torch.from_numpy(batch["melody"]).to(device),
        torch.from_numpy(batch["melody_onsets"]).to(device),
        torch.from_numpy(batch["positions"]).to(device),
    )
    cond = with_style(cond, torch.from_numpy(batch["styles"]).to(device), n_styles)
    if phrase_bars:
        phrase = torch.from_numpy(phrase_bar(batch["bars"], phrase_bars))
        cond = with_phrase(cond, phrase, phrase_bars)
    target = BandTarget(
        [torch.from_numpy(s).to(device).float() for s in batch["sounding"]],
        [torch.from_numpy(o).to(device).float() for o in batch["onsets"]],
    )
    return cond, target
