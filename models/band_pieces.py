"""Training data for any list of tracks: a melody and, per track, what sounds and starts.

The chorale dataset (``models.build_dataset``) stores three monophonic voices as pitch
indices; a band's chords and drums are polyphonic, so a band piece stores each track as
two boolean rolls over that track's own rows (``TrackSpec.n_rows``: its pitch range, or
the drum kit): ``sounding`` (the note is held at this step) and ``onsets`` (it starts
here). Drums only start (``sounding == onsets``). The melody stays one voice on the
shipped grid (``LOWEST_PITCH`` .. ``HIGHEST_PITCH``), as the generator's condition reads it.

A dataset folder holds ``<split>.npz`` per split and ``manifest.json`` with its tracks,
its styles and every skipped file with the reason; the producers (MMA renderings, a
folder of the musician's songs) build ``BandPiece`` lists and call ``write_band_dataset``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.build_dataset import REST, SPLITS, BuildReport, grid_dict, split_of
from models.errors import DatasetError
from models.pianoroll import Meter
from models.tracks import TrackSpec

BAND_FORMAT_VERSION = 1


@dataclass
class BandPiece:
    """One piece: the melody voice and every track's rolls, all ``n_steps`` long."""

    name: str
    melody: np.ndarray  # (step,) int8 pitch index from LOWEST_PITCH, or REST
    melody_onsets: np.ndarray  # (step,) bool
    sounding: list[np.ndarray]  # per track (step, track.n_rows) bool
    onsets: list[np.ndarray]  # per track (step, track.n_rows) bool
    meter: Meter = field(default_factory=Meter)
    bar_phase: int = 0
    group: str = ""  # pieces of one group always share a split
    style: int = 0  # index into the dataset's styles (0 where it has one)

    @property
    def n_steps(self) -> int:
        return int(self.melody.shape[0])

    def check(self, tracks: tuple[TrackSpec, ...]) -> None:
        if len(self.sounding) != len(tracks) or len(self.onsets) != len(tracks):
            raise DatasetError(f"{self.name}: {len(self.sounding)} tracks, not {len(tracks)}")
        for spec, held, starts in zip(tracks, self.sounding, self.onsets, strict=True):
            shape = (self.n_steps, spec.n_rows)
            if held.shape != shape or starts.shape != shape:
                raise DatasetError(f"{self.name}: track {spec.name} is not {shape}")


@dataclass
class BandDataset:
    """All pieces of one split, concatenated in time; ``starts[i]`` is where piece i begins."""

    tracks: tuple[TrackSpec, ...]
    styles: tuple[str, ...]
    melody: np.ndarray  # (total_step,) int8
    melody_onsets: np.ndarray  # (total_step,) bool
    sounding: list[np.ndarray]  # per track (total_step, n_rows) bool
    onsets: list[np.ndarray]
    starts: np.ndarray  # (piece + 1,) int64
    names: list[str]
    meters: np.ndarray  # (piece, 2)
    bar_phase: np.ndarray  # (piece,)
    piece_styles: np.ndarray  # (piece,)

    def __len__(self) -> int:
        return len(self.names)

    def piece(self, i: int) -> BandPiece:
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        return BandPiece(
            self.names[i],
            self.melody[a:b],
            self.melody_onsets[a:b],
            [s[a:b] for s in self.sounding],
            [o[a:b] for o in self.onsets],
            Meter(int(self.meters[i][0]), int(self.meters[i][1])),
            int(self.bar_phase[i]),
            style=int(self.piece_styles[i]),
        )

    def pieces(self) -> list[BandPiece]:
        return [self.piece(i) for i in range(len(self))]


def _pack(roll: np.ndarray) -> np.ndarray:
    return np.packbits(roll, axis=-1)


def _unpack(packed: np.ndarray, n_rows: int) -> np.ndarray:
    return np.unpackbits(packed, axis=-1, count=n_rows).astype(bool)


def _arrays(pieces: list[BandPiece], tracks: tuple[TrackSpec, ...]) -> dict[str, np.ndarray]:
    lengths = [p.n_steps for p in pieces]
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    arrays = {
        "melody": np.concatenate([p.melody for p in pieces]).astype(np.int8)
        if pieces
        else np.zeros(0, np.int8),
        "melody_onsets": np.concatenate([p.melody_onsets for p in pieces]).astype(bool)
        if pieces
        else np.zeros(0, bool),
        "starts": starts,
        "names": np.array([p.name for p in pieces]),
        "meters": np.array([(p.meter.numerator, p.meter.denominator) for p in pieces])
        .reshape(-1, 2)
        .astype(np.int16),
        "bar_phase": np.array([p.bar_phase for p in pieces], dtype=np.int16),
        "styles": np.array([p.style for p in pieces], dtype=np.int16),
    }
    for t, spec in enumerate(tracks):
        for key, rolls in (("sounding", [p.sounding[t] for p in pieces]),
                           ("onsets", [p.onsets[t] for p in pieces])):  # fmt: skip
            joined = np.concatenate(rolls) if rolls else np.zeros((0, spec.n_rows), bool)
            arrays[f"{key}_{t}"] = _pack(joined.astype(bool))
    return arrays


def save_band_split(pieces: list[BandPiece], tracks: tuple[TrackSpec, ...], path: Path) -> None:
    """Write one split's pieces as ``path`` (an .npz), packed as ``load_band_split`` reads
    it: the dataset builder's splits and a fine-tune's re-encoded copy (``models.fine_tune``)."""
    np.savez_compressed(path, **_arrays(pieces, tracks))


def write_band_dataset(
    pieces: list[BandPiece],
    tracks: tuple[TrackSpec, ...],
    styles: tuple[str, ...],
    out_dir: Path,
    source: str,
    report: BuildReport,
    licence: str = "",
) -> dict:
    """Split by group, save, and return the manifest. Written beside ``out_dir`` and moved
    into place at the end, so an interrupted build never leaves half a dataset."""
    for piece in pieces:
        piece.check(tracks)
        if not 0 <= piece.style < max(1, len(styles)):
            raise DatasetError(f"{piece.name}: style {piece.style} is not one of {styles}")
    if not pieces:
        raise DatasetError(
            f"No usable pieces were found in {source} "
            f"({len(report.skipped)} skipped); nothing was written."
        )
    by_split: dict[str, list[BandPiece]] = {s: [] for s in SPLITS}
    for piece in pieces:
        by_split[split_of(piece.group or piece.name)].append(piece)
    manifest = {
        "band_format_version": BAND_FORMAT_VERSION,
        "source": source,
        "licence": licence,
        "grid": {k: v for k, v in grid_dict().items() if k != "tracks"},
        "tracks": [t.to_dict() for t in tracks],
        "styles": list(styles),
        "counts": {s: len(v) for s, v in by_split.items()},
        "steps": {s: sum(p.n_steps for p in v) for s, v in by_split.items()},
        "skipped": [{"name": n, "reason": r} for n, r in report.skipped],
    }
    report.counts = manifest["counts"]
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        for split, split_pieces in by_split.items():
            save_band_split(split_pieces, tracks, staging / f"{split}.npz")
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
        if out_dir.exists():
            old = out_dir.with_name(out_dir.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out_dir, old)
            os.replace(staging, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


def is_band_dataset(data_dir: Path) -> bool:
    path = Path(data_dir) / "manifest.json"
    return path.is_file() and "band_format_version" in json.loads(path.read_text())


def load_band_split(data_dir: Path, split: str) -> BandDataset:
    data_dir = Path(data_dir)
    path = data_dir / "manifest.json"
    if not path.is_file():
        raise DatasetError(
            f"No dataset in {data_dir}; build one with 'composer-gui dataset build'."
        )
    manifest = json.loads(path.read_text())
    if manifest.get("band_format_version") != BAND_FORMAT_VERSION:
        raise DatasetError(f"The dataset in {data_dir} is not a band dataset of this version.")
    if split not in SPLITS:
        raise DatasetError(f"Unknown split '{split}'; choose one of {', '.join(SPLITS)}.")
    tracks = tuple(TrackSpec.from_dict(t) for t in manifest["tracks"])
    with np.load(data_dir / f"{split}.npz") as f:
        return BandDataset(
            tracks=tracks,
            styles=tuple(manifest["styles"]),
            melody=f["melody"],
            melody_onsets=f["melody_onsets"],
            sounding=[_unpack(f[f"sounding_{t}"], s.n_rows) for t, s in enumerate(tracks)],
            onsets=[_unpack(f[f"onsets_{t}"], s.n_rows) for t, s in enumerate(tracks)],
            starts=f["starts"],
            names=[str(n) for n in f["names"]],
            meters=f["meters"],
            bar_phase=f["bar_phase"],
            piece_styles=f["styles"],
        )


def style_meters(data_dir: Path, split: str = "train") -> dict[str, list[str]]:
    """Each style's meters in a band dataset's split (``{"rock": ["4/4", "2/4"]}``, in
    the order first met): what a model trained on it learnt, for its card
    (``models.export``; ``composer_gui.core.style_meters`` reads it). Only the split's
    meters and styles are read, not its rolls."""
    data_dir = Path(data_dir)
    styles = json.loads((data_dir / "manifest.json").read_text())["styles"]
    found: dict[str, list[str]] = {}
    with np.load(data_dir / f"{split}.npz") as f:
        for (numerator, denominator), style in zip(f["meters"], f["styles"], strict=True):
            meters = found.setdefault(styles[int(style)], [])
            meter = f"{int(numerator)}/{int(denominator)}"
            if meter not in meters:
                meters.append(meter)
    return found


__all__ = [
    "style_meters",
    "REST",
    "BandDataset",
    "BandPiece",
    "is_band_dataset",
    "load_band_split",
    "write_band_dataset",
]
