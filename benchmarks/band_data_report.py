"""What a band dataset holds, per style and meter: pieces, bars, and the checks the issue asks of a
band's output measured on the data itself (the ceiling a model trained on it can reach).

    .venv/bin/python benchmarks/band_data_report.py /work/data/band-mma [--split train]

Per style and meter: drums in every bar, empty bars per pitched track, and the bass on a chord tone
on downbeats, where the chord is what the chords and pad tracks sound in that bar
(``models.chord_symbols``; the chart itself is not stored).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from models.band_pieces import load_band_split
from models.chord_symbols import chord_symbols_of_pitches, chord_tones, sounding_pitches


def _per_bar(roll: np.ndarray, bar: int) -> np.ndarray:
    """``(bar,)`` bool: the bars in which the ``(step, row)`` roll has anything."""
    n_bars = roll.shape[0] // bar
    return roll[: n_bars * bar].any(axis=1).reshape(n_bars, bar).any(axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--split", default="train", choices=("train", "valid", "test"))
    args = parser.parse_args()
    data = load_band_split(args.data, args.split)
    names = [t.name for t in data.tracks]
    pitched = [i for i, t in enumerate(data.tracks) if not t.is_drums]
    comping = [i for i, t in enumerate(data.tracks) if t.kind == "chords"]
    drums, bass = names.index("drums"), names.index("bass")
    rows: dict[tuple[int, str], dict[str, float]] = {}
    for piece in data.pieces():
        counters = ["pieces", "bars", "drum bars", "bass on", "downbeats"]
        counters += [f"empty {names[i]}" for i in pitched]
        row = rows.setdefault((piece.style, str(piece.meter)), dict.fromkeys(counters, 0))
        bar = piece.meter.bar_steps
        n_bars = piece.n_steps // bar
        row["pieces"] += 1
        row["bars"] += n_bars
        row["drum bars"] += int(_per_bar(piece.onsets[drums], bar).sum())
        for i in pitched:
            row[f"empty {names[i]}"] += int((~_per_bar(piece.sounding[i], bar)).sum())
        heard = sounding_pitches(
            [piece.sounding[i] for i in comping], [data.tracks[i] for i in comping]
        )
        chords = dict(chord_symbols_of_pitches(heard, [(0, piece.meter)], 0, "bar", merge=False))
        spec = data.tracks[bass]
        for step, symbol in chords.items():
            rows_on = np.flatnonzero(piece.onsets[bass][step])
            if rows_on.size and symbol != "N.C.":
                row["downbeats"] += 1
                row["bass on"] += spec.row_pitch(int(rows_on[0])) % 12 in chord_tones(symbol)
    print(f"{args.data} ({args.split}): tracks {', '.join(names)}")
    header = ["style", "meter", "pieces", "bars", "drums in bars", "bass on chord (downbeats)"]
    header += [f"empty {names[i]} bars" for i in pitched]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for style, meter in sorted(rows):
        row = rows[(style, meter)]
        cells = [data.styles[style] if data.styles else str(style), meter]
        cells += [str(row["pieces"]), str(row["bars"]), f"{row['drum bars'] / row['bars']:.1%}"]
        cells.append(f"{row['bass on'] / max(1, row['downbeats']):.1%}")
        cells += [f"{row[f'empty {names[i]}'] / row['bars']:.1%}" for i in pitched]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
