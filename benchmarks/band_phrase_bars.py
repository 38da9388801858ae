"""Does each track play its bar of the four-bar phrase? Note starts per track per bar of
four, MMA's own parts beside band models' cleaned candidates, per style and meter.

Issue 17: MMA's grooves change in the fourth bar of four (the waltz's bass walks, country's
bass walks and its drums fill, swing 2/4's pad rests a bar); a model whose condition
says which bar of the phrase a step is in (``GanConfig.phrase_bars``) can learn that,
one without it writes the same bar in all four places. ``band_waltz_bass.py`` reads the
waltz's bass alone; this reads every track of every style.

On one split of the band data (``--split valid`` for anything that may shape a choice),
each style's pieces in each meter it plays, no pickup, their first ``--bars`` bars (at
most ``--pieces`` a cell, spread over the split): per bar of four counted from the
piece's first bar, the mean note starts a bar of each track (a chords or drums track
counts the steps where any of its rows starts: chord attacks, drum hits), MMA's and,
for each ``--model``, the mean over 4 cleaned candidates (``sampling.draw_candidates``,
the engine's one drawing path, seed 0, the style's one-hot, pieces from bar 0).

    python benchmarks/band_phrase_bars.py --split valid \\
        --model resources/weights/composer-band.safetensors [--model OTHER ...]

Judges nothing by itself and tunes nothing: a record of which bars the parts play.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CYCLE = 4
DATA = Path("/work/data/band-mma-v2")


def starts_per_bar(onsets: np.ndarray, bar_steps: int, n_bars: int) -> np.ndarray:
    """``(CYCLE,)`` mean note starts a bar, per bar of four, of one track's onsets
    ``(T, rows)``: the steps where any row starts."""
    started = onsets[: n_bars * bar_steps].any(axis=1).reshape(n_bars, bar_steps).sum(axis=1)
    return np.array([started[c::CYCLE].mean() for c in range(CYCLE)])


def spread(items: list, at_most: int) -> list:
    if len(items) <= at_most:
        return items
    return [items[int(i)] for i in np.linspace(0, len(items) - 1, at_most)]


def bar_tables(data, models: list, bars: int, at_most: int) -> dict[tuple, tuple[int, np.ndarray]]:
    """Per ``(style index, signature)`` cell of ``data``: ``(pieces, table)``, the table
    ``(1 + len(models), tracks, CYCLE)`` of mean note starts a bar, MMA's first, then each
    model's mean over its 4 cleaned candidates; pieces without a pickup and at least
    ``bars`` long, at most ``at_most`` a cell, spread over the split."""
    import torch

    from models.sampling import draw_candidates

    tracks = models[0].tracks
    cells: dict[tuple, list] = {}
    for piece in data.pieces():
        if piece.bar_phase == 0 and piece.n_steps >= bars * piece.meter.bar_steps:
            cells.setdefault((int(piece.style), piece.meter.signature), []).append(piece)
    out = {}
    for (style, signature), pieces in sorted(cells.items()):
        pieces = spread(pieces, at_most)
        meter = pieces[0].meter
        n = bars * meter.bar_steps
        table = np.zeros((1 + len(models), len(tracks), CYCLE))
        for piece in pieces:
            for t in range(len(tracks)):
                table[0, t] += starts_per_bar(piece.onsets[t][:n], meter.bar_steps, bars)
            for m, generator in enumerate(models, start=1):
                with torch.inference_mode():
                    _, cleaned = draw_candidates(
                        generator, piece.melody[:n].astype(np.int64), piece.melody_onsets[:n],
                        meter, 0, 4, 0, style=style, first_bar=0,
                    )  # fmt: skip
                for candidate in cleaned:
                    for t, (_, onsets) in enumerate(candidate):
                        table[m, t] += starts_per_bar(onsets, meter.bar_steps, bars) / 4
        out[(style, signature)] = (len(pieces), table / len(pieces))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="valid", choices=["train", "valid", "test"])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--model", type=Path, action="append", required=True)
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--pieces", type=int, default=12, help="pieces a style and meter")
    args = parser.parse_args()

    from models.band_pieces import load_band_split
    from models.checkpoint import load_model

    started = time.monotonic()
    data = load_band_split(args.data, args.split)
    models = [load_model(path)[0].eval() for path in args.model]
    for path, generator in zip(args.model, models, strict=True):
        if tuple(generator.config.styles) != tuple(data.styles):
            raise SystemExit(f"{path}: its styles are not the data's")
    tracks = models[0].tracks
    print(f"split {args.split}; first {args.bars} bars of each piece, no pickup; "
          f"note starts a bar per bar of four (1 2 3 4)")  # fmt: skip
    names = ["MMA", *(p.name if p.parent == ROOT / "resources" / "weights" else str(p)
                      for p in args.model)]  # fmt: skip
    print("columns: " + "; ".join(f"{i}: {n}" for i, n in enumerate(names)))
    for (style, signature), (count, table) in bar_tables(
        data, models, args.bars, args.pieces
    ).items():
        print(f"\n{data.styles[style]} {signature[0]}/{signature[1]} ({count} pieces)")
        for t, track in enumerate(tracks):
            row = "   ".join(
                f"{i}: " + " ".join(f"{v:5.2f}" for v in table[i, t]) for i in range(len(names))
            )
            print(f"  {track.name:7s} {row}")
    print(f"\n{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
