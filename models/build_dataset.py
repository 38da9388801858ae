"""Training data: four-voice pieces on the grid, split by piece, cached with a manifest.

A piece is stored as voices rather than a boolean roll: for each track and step the pitch
index (0..N_PITCHES-1, relative to LOWEST_PITCH) or REST, plus where notes begin. The
chorale voices are monophonic, so this loses nothing, and it is the form the generator
writes (one categorical choice per voice and step).

Sources: the Bach chorales shipped inside music21 (soprano = melody; alto, tenor, bass =
accompaniment), optionally with each chorale also re-timed and re-barred into the other
meters the app accompanies (``models.retime``), or pieces the caller already read from
the user's MIDI files.  Pieces
that do not fit are reported with the reason, never dropped silently.  The split is by
piece (by BWV number for the chorales, so a chorale's variants share a split), never by
window, so no test melody is seen in training.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.errors import DatasetError
from models.pianoroll import (
    LOWEST_PITCH,
    N_PITCHES,
    N_TRACKS,
    STEPS_PER_BEAT,
    TRACKS,
    Meter,
    supported_meters_text,
)

REST = -1
FORMAT_VERSION = 2  # 2: each piece's meter as (numerator, denominator); 1 counted quarters
SPLITS = ("train", "valid", "test")
CHORALE_VOICES = ("soprano", "alto", "tenor", "bass")


@dataclass
class Piece:
    """One piece on the grid: ``voices`` (track, step) pitch indices or REST."""

    name: str
    voices: np.ndarray  # (track, step) int8
    onsets: np.ndarray  # (track, step) bool: a note starts here (keeps repeated notes apart)
    meter: Meter = field(default_factory=Meter)
    bar_phase: int = 0  # the step within its bar at which step 0 falls (pickup bars)
    group: str = ""  # pieces of one group always share a split

    @property
    def n_steps(self) -> int:
        return int(self.voices.shape[1])


@dataclass
class Dataset:
    """All pieces of one split, concatenated; ``starts[i]`` is where piece i begins."""

    voices: np.ndarray  # (track, total_step) int8
    onsets: np.ndarray  # (track, total_step) bool
    starts: np.ndarray  # (piece,) int64, plus the total at the end
    names: list[str]
    meters: np.ndarray  # (piece, 2): numerator, denominator
    bar_phase: np.ndarray  # (piece,)

    def __len__(self) -> int:
        return len(self.names)

    def piece(self, i: int) -> Piece:
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        return Piece(
            self.names[i],
            self.voices[:, a:b],
            self.onsets[:, a:b],
            self.meter(i),
            int(self.bar_phase[i]),
        )

    def meter(self, i: int) -> Meter:
        return Meter(int(self.meters[i][0]), int(self.meters[i][1]))

    def pieces(self) -> list[Piece]:
        return [self.piece(i) for i in range(len(self))]


@dataclass
class BuildReport:
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)


def split_of(group: str) -> str:
    """A fixed split from the piece's group name: 80% train, 10% valid, 10% test."""
    bucket = int(hashlib.sha1(group.encode()).hexdigest(), 16) % 10
    return "test" if bucket == 0 else "valid" if bucket == 1 else "train"


def notes_to_voice(
    notes: Iterable[tuple[float, float, int]], n_steps: int, keep: str = "highest"
) -> tuple[np.ndarray, np.ndarray]:
    """Lay ``(start_beat, duration_beats, midi_pitch)`` notes on the grid as one voice.

    Where notes overlap, the highest (or lowest, for a bass) wins. A note shorter than
    a step still gets one step so nothing played disappears.
    """
    voice = np.full(n_steps, REST, dtype=np.int16)
    onsets = np.zeros(n_steps, dtype=bool)
    ordered = sorted(notes, key=lambda n: (n[0], n[2] if keep == "highest" else -n[2]))
    for start_beat, duration_beats, pitch in ordered:
        start = int(round(start_beat * STEPS_PER_BEAT))
        end = max(start + 1, int(round((start_beat + duration_beats) * STEPS_PER_BEAT)))
        if start >= n_steps or start < 0:
            continue
        end = min(end, n_steps)
        index = pitch - LOWEST_PITCH
        if not 0 <= index < N_PITCHES:
            raise DatasetError(f"pitch {pitch} is outside the model's range")
        current = voice[start:end]
        if keep == "highest":
            mask = (current == REST) | (current < index) | (np.arange(end - start) == 0)
        else:
            mask = (current == REST) | (current > index) | (np.arange(end - start) == 0)
        current[mask] = index
        onsets[start] = True
    return voice.astype(np.int8), onsets


# --- The Bach chorales in music21 -----------------------------------------------------


def chorale_paths() -> list[Path]:
    from music21 import corpus

    # getComposer also lists the Riemenschneider harmonic analyses (text, not scores).
    scores = (Path(p) for p in corpus.getComposer("bach"))
    return sorted(p for p in scores if p.suffix in (".mxl", ".xml", ".krn", ".mid"))


def chorale_group(path: Path) -> str:
    """``bwv112.5-sc.mxl`` and ``bwv112.5.mxl`` are one chorale: group by BWV number."""
    return re.sub(r"[-_].*$", "", path.stem)


def read_chorale(path: Path) -> Piece:
    """One chorale as a Piece; raises DatasetError with the reason it does not fit."""
    from music21 import converter

    score = converter.parse(str(path))
    parts = {(p.partName or p.id or "").strip().lower(): p for p in score.parts}
    missing = [v for v in CHORALE_VOICES if v not in parts]
    if missing:
        raise DatasetError(f"no {', '.join(missing)} part")
    signatures = score.recurse().getElementsByClass("TimeSignature")
    if not signatures:
        raise DatasetError("no time signature")
    meters = {(ts.numerator, ts.denominator) for ts in signatures}
    if len(meters) > 1:
        raise DatasetError(f"changes meter ({', '.join(f'{a}/{b}' for a, b in sorted(meters))})")
    meter = Meter(*meters.pop())
    if not meter.accompanied:
        raise DatasetError(f"meter {meter} is not one of {supported_meters_text()}")

    voices_notes = []
    for name in CHORALE_VOICES:
        part = parts[name].stripTies()
        notes = []
        for element in part.flatten().notes:
            if element.duration.quarterLength == 0:  # grace notes
                continue
            pitch = max(p.midi for p in element.pitches)
            notes.append((float(element.offset), float(element.duration.quarterLength), pitch))
        if not notes:
            raise DatasetError(f"the {name} part is empty")
        voices_notes.append(notes)
    end_beat = max(start + length for notes in voices_notes for start, length, _ in notes)
    n_steps = int(round(end_beat * STEPS_PER_BEAT))

    voices, onsets = zip(
        *(
            notes_to_voice(notes, n_steps, keep="lowest" if name == "bass" else "highest")
            for name, notes in zip(CHORALE_VOICES, voices_notes)
        )
    )
    bar = meter.bar_steps
    first_measure = parts["soprano"].getElementsByClass("Measure")
    pickup_steps = 0
    if first_measure:
        pickup_steps = int(round(float(first_measure[0].paddingLeft) * STEPS_PER_BEAT)) % bar
    return Piece(
        name=path.stem,
        voices=np.stack(voices),
        onsets=np.stack(onsets),
        meter=meter,
        bar_phase=pickup_steps,
        group=chorale_group(path),
    )


def chorale_pieces(
    limit: int | None = None, report: BuildReport | None = None
) -> Iterable[tuple[int, int, Piece | None]]:
    """Yield ``(done, total, piece or None)``; pieces that don't fit go to the report."""
    paths = chorale_paths()[:limit]
    for i, path in enumerate(paths):
        try:
            piece: Piece | None = read_chorale(path)
        except DatasetError as error:
            piece = None
            if report is not None:
                report.skipped.append((path.stem, str(error)))
        except Exception as error:  # a corpus file music21 itself cannot parse
            piece = None
            if report is not None:
                report.skipped.append((path.stem, f"unreadable ({type(error).__name__})"))
        yield i + 1, len(paths), piece


# --- Building and caching -----------------------------------------------------------


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("composer")) / "datasets"


def _concatenate(pieces: list[Piece]) -> Dataset:
    lengths = [p.n_steps for p in pieces]
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    if pieces:
        voices = np.concatenate([p.voices for p in pieces], axis=1)
        onsets = np.concatenate([p.onsets for p in pieces], axis=1)
    else:
        voices = np.zeros((N_TRACKS, 0), dtype=np.int8)
        onsets = np.zeros((N_TRACKS, 0), dtype=bool)
    return Dataset(
        voices=voices.astype(np.int8),
        onsets=onsets.astype(bool),
        starts=starts,
        names=[p.name for p in pieces],
        meters=np.array([p.meter.signature for p in pieces], dtype=np.int64).reshape(-1, 2),
        bar_phase=np.array([p.bar_phase for p in pieces], dtype=np.int64),
    )


def _content_hash(splits: dict[str, Dataset]) -> str:
    digest = hashlib.sha256()
    for name in SPLITS:
        data = splits[name]
        for array in (data.voices, data.onsets, data.starts, data.meters, data.bar_phase):
            digest.update(np.ascontiguousarray(array).tobytes())
        digest.update("\n".join(data.names).encode())
    return digest.hexdigest()


def write_dataset(pieces: Iterable[Piece], out_dir: Path, source: str, report: BuildReport) -> dict:
    """Split, save as ``<split>.npz`` plus ``manifest.json``; returns the manifest.

    The files are written into a temporary folder beside ``out_dir`` and moved into place
    at the end, so an interrupted build never leaves half a dataset behind.
    """
    by_split: dict[str, list[Piece]] = {s: [] for s in SPLITS}
    for piece in pieces:
        by_split[split_of(piece.group or piece.name)].append(piece)
    total = sum(len(v) for v in by_split.values())
    if total == 0:
        raise DatasetError(
            f"No usable pieces were found in {source} "
            f"({len(report.skipped)} skipped); nothing was written."
        )
    splits = {name: _concatenate(pieces) for name, pieces in by_split.items()}
    manifest = {
        "format_version": FORMAT_VERSION,
        "source": source,
        "grid": grid_dict(),
        "counts": {name: len(data) for name, data in splits.items()},
        "steps": {name: int(data.starts[-1]) for name, data in splits.items()},
        "skipped": [{"name": n, "reason": r} for n, r in report.skipped],
        "content_hash": _content_hash(splits),
    }
    report.counts = manifest["counts"]
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out_dir.name + ".", dir=out_dir.parent))
    try:
        for name, data in splits.items():
            np.savez_compressed(
                staging / f"{name}.npz",
                voices=data.voices,
                onsets=data.onsets,
                starts=data.starts,
                names=np.array(data.names),
                meters=data.meters,
                bar_phase=data.bar_phase,
            )
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
        if out_dir.exists():
            old = out_dir.with_name(out_dir.name + ".old")
            os.replace(out_dir, old)
            os.replace(staging, out_dir)
            for f in old.iterdir():
                f.unlink()
            old.rmdir()
        else:
            os.replace(staging, out_dir)
    finally:
        if staging.exists():
            for f in staging.iterdir():
                f.unlink()
            staging.rmdir()
    return manifest


def grid_dict() -> dict:
    """The grid constants a dataset or a model was made for, to refuse a mismatch."""
    return {
        "steps_per_beat": STEPS_PER_BEAT,
        "lowest_pitch": LOWEST_PITCH,
        "n_pitches": N_PITCHES,
        "tracks": list(TRACKS),
    }


CHORALE_SOURCE = "music21 Bach chorales"
METER_VARIANTS_SOURCE = (
    "music21 Bach chorales, each also re-timed into compound meter (12/8, 9/8, 6/8, 6/4, "
    "3/8), re-barred (2/4) and augmented (2/2, 3/2: each quarter a half) by models/retime.py"
)


def build_chorales(
    out_dir: Path | None = None,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    meters: bool = False,
) -> tuple[dict, BuildReport]:
    """Build the chorale dataset into ``out_dir`` (default: the user's cache); with
    ``meters``, each chorale also in every other meter the app accompanies."""
    from models.retime import meter_variants

    default_name = "bach-chorales-meters" if meters else "bach-chorales"
    out_dir = Path(out_dir) if out_dir else default_cache_dir() / default_name
    report = BuildReport()
    pieces = []
    for done, total, piece in chorale_pieces(limit, report):
        if piece is not None:
            pieces.append(piece)
            if meters:
                pieces.extend(meter_variants(piece))
        if progress:
            progress(done, total)
    source = METER_VARIANTS_SOURCE if meters else CHORALE_SOURCE
    return write_dataset(pieces, out_dir, source, report), report


def load_split(data_dir: Path, split: str) -> Dataset:
    """Read one split back, checking the grid it was built for."""
    data_dir = Path(data_dir)
    manifest_path = data_dir / "manifest.json"
    if not manifest_path.is_file():
        raise DatasetError(
            f"No dataset in {data_dir}; build one with 'composer-gui dataset build'."
        )
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format_version") != FORMAT_VERSION or manifest.get("grid") != grid_dict():
        raise DatasetError(
            f"The dataset in {data_dir} was built for another grid; rebuild it with "
            "'composer-gui dataset build'."
        )
    if split not in SPLITS:
        raise DatasetError(f"Unknown split '{split}'; choose one of {', '.join(SPLITS)}.")
    with np.load(data_dir / f"{split}.npz") as f:
        return Dataset(
            voices=f["voices"],
            onsets=f["onsets"],
            starts=f["starts"],
            names=[str(n) for n in f["names"]],
            meters=f["meters"],
            bar_phase=f["bar_phase"],
        )


def read_manifest(data_dir: Path) -> dict:
    return json.loads((Path(data_dir) / "manifest.json").read_text())


def voices_to_roll(voices: np.ndarray) -> np.ndarray:
    """``(track, step)`` pitch indices to a bool roll ``(track, step, pitch)``."""
    n_tracks, n_steps = voices.shape
    roll = np.zeros((n_tracks, n_steps, N_PITCHES), dtype=bool)
    t, s = np.nonzero(voices != REST)
    roll[t, s, voices[t, s]] = True
    return roll
