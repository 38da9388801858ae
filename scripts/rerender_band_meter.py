"""Re-render one meter's pieces of an MMA band dataset, keeping every other piece as is.

When the rendering of one meter changes (session 10: a 2/4 bar became the 4-beat
groove's first half, ``Groove.cut_to``), the whole ``dataset build --band`` takes 11-15
minutes on the shared machine and re-measures the tracks' ranges, which a model
fine-tuned from one trained on the old data must keep. This renders only that meter's
pieces again (``models.build_band_dataset`` with ``only``), lays them on the old
dataset's tracks (refusing a note outside their ranges), keeps the other pieces bit for
bit in the splits they were in, and writes the new dataset in the same layout::

    .venv/bin/python scripts/rerender_band_meter.py /work/data/band-mma-v2 \
        /work/data/band-mma-v3 --meter 2/4
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from models.band_pieces import BandPiece, load_band_split, write_band_dataset
from models.band_styles import style_named
from models.build_band_dataset import LICENCE, SOURCE, band_pieces_from_chorales
from models.build_dataset import SPLITS, BuildReport, chorale_group, split_of
from models.tracks import TrackSpec


def _on_tracks(piece: BandPiece, have: tuple, want: tuple[TrackSpec, ...]) -> BandPiece:
    """The piece's rolls moved from the ranges ``have`` onto ``want``'s rows."""
    sounding, onsets = [], []
    for old, new, held, starts in zip(have, want, piece.sounding, piece.onsets, strict=True):
        if old.is_drums:
            sounding.append(held)
            onsets.append(starts)
            continue
        if old.low < new.low or old.high > new.high:
            raise SystemExit(f"{piece.name}: {old.name} {old.low}-{old.high} outside {new}")
        offset = old.low - new.low
        for roll, out in ((held, sounding), (starts, onsets)):
            wide = np.zeros((piece.n_steps, new.n_rows), dtype=bool)
            wide[:, offset : offset + old.n_rows] = roll
            out.append(wide)
    piece.sounding, piece.onsets = sounding, onsets
    return piece


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the band dataset to start from")
    parser.add_argument("out", type=Path, help="where the new dataset goes")
    parser.add_argument("--meter", default="2/4", help="the meter to render again")
    parser.add_argument("--limit", type=int, help="only the first N chorales (a trial run)")
    args = parser.parse_args(argv)
    signature = tuple(int(x) for x in args.meter.split("/"))
    manifest = json.loads((args.source / "manifest.json").read_text())
    styles = tuple(style_named(name) for name in manifest["styles"])
    kept: list[BandPiece] = []
    tracks: tuple[TrackSpec, ...] = ()
    for split in SPLITS:
        data = load_band_split(args.source, split)
        tracks = data.tracks
        for piece in data.pieces():
            piece.group = chorale_group(Path(piece.name.split("@")[0] + ".mxl"))
            if split_of(piece.group) != split:  # the split is the group's, as the build's
                raise SystemExit(f"{piece.name}: group {piece.group} is not in {split}")
            if piece.meter.signature != signature:
                kept.append(piece)
    started = time.monotonic()
    report = BuildReport()
    fresh, fresh_tracks = band_pieces_from_chorales(
        args.limit, styles, report, only=frozenset({signature})
    )
    fresh = [_on_tracks(p, fresh_tracks, tracks) for p in fresh]
    print(f"rendered {len(fresh)} pieces in {args.meter} in {time.monotonic() - started:.0f} s")
    before = Counter(p.style for p in kept)
    print("kept per style:", dict(before), "new per style:", dict(Counter(p.style for p in fresh)))
    written = write_band_dataset(
        kept + fresh, tracks, tuple(manifest["styles"]), args.out, SOURCE, report, LICENCE
    )
    print(f"{args.out}: {written['counts']} (source {manifest['counts']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
