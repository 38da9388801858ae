"""Why a style's audio sample has its chords judged thin (issue 17: the rock sample's
chords, 3.42 dB against the 3.56 the rule needs, since the phrase model): the notes the
model plays, the tune, or the rest of the band?

On a band data split's pieces of each style in the sample's meter (no pickup, their
first 4 bars of 4/4 or 8 of 3/4, as ``band_audio_real_parts`` takes them), per piece and
paired on the same melody:

- ``mma``: MMA's real parts, rendered as the samples are (``band_audio_real_parts``);
- ``first``: the model's first choice (``Engine.generate(k=4, seed=0)``, what the sample
  is), and ``cands``: the mean of its 4 candidates (does the ranking pick thin chords?);
- ``swaps``: the model's chords and pad in MMA's band (MMA's melody, drums and bass), and
  MMA's chords and pad in the model's band: is a low figure the chord notes themselves or
  what the drums and bass around them make of the 200-2000 Hz band?

Printed per style: the chords' contribution (``band_audio_ranges``: the mid dB they add,
the pitch classes a frame they add), its median and quartiles, the share of pieces whose
part the presence rule calls present (the fraction and the medians of
``docs/benchmarks/band-audio-real-parts.json``, the validation split's real parts), and
what the chords and pad play: notes a bar, notes a strike, the share of steps sounding,
mean length (beats), mean MIDI pitch.

    python benchmarks/band_audio_chords.py [--split valid] [--pieces 24] [--styles rock]
        [--model M] [--model-b M] [--light]

Judges and explains; shapes the product only where a rule written before its figures
says so (``docs/benchmarks/band-audio.md``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_audio_ranges as bar  # noqa: E402
import band_audio_real_parts as barp  # noqa: E402

COMPING = ("chords", "pad")


def play_figures(band, end_beat: float) -> dict[str, float]:
    """What the chords and pad play in the first ``end_beat`` beats: per track, notes a
    bar, notes a strike, the share of 16th steps sounding, mean length, mean pitch."""
    bars = end_beat / band.beats_per_bar()
    out = {}
    for track in band.tracks:
        if track.name not in COMPING:
            continue
        notes = [n for n in track.notes if n.start_beat < end_beat - 1e-6]
        strikes = {round(n.start_beat * 4) for n in notes}
        sounding = np.zeros(round(end_beat * 4), bool)
        for n in notes:
            sounding[round(n.start_beat * 4) : round(min(n.end_beat, end_beat) * 4)] = True
        out[track.name] = {
            "notes a bar": len(notes) / bars,
            "a strike": len(notes) / max(len(strikes), 1),
            "sounding": float(sounding.mean()),
            "length": float(np.mean([n.duration_beats for n in notes])) if notes else 0.0,
            "pitch": float(np.mean([n.pitch for n in notes])) if notes else float("nan"),
        }
    return out


def swapped(band, comping_from):
    """``band`` with its chords and pad taken from ``comping_from`` (same track names)."""
    from composer_gui.core.arrangement import Arrangement

    theirs = {t.name: t for t in comping_from.tracks}
    tracks = [theirs[t.name] if t.name in COMPING else t for t in band.tracks]
    return Arrangement(tracks, band.tempo_bpm, band.time_signature)


def chords_of(figures: dict) -> tuple[float, float]:
    have = bar.contributions(figures)["chords"]
    return have["mid dB"], have["classes+"]


def style_rows(style, data, engines: dict, count: int, light: bool = False) -> dict:
    """Per piece: the chords' contribution and what is played, for MMA and each model."""
    from composer_gui.core.arrangement import Arrangement, Track

    n_bars = 4 if barp.sample_signature(style) == (4, 4) else 8
    rows: dict = {"mma": [], "play mma": []}
    for tag in engines:
        rows |= {tag: [], f"{tag} cands": [], f"{tag} in mma": [], f"mma in {tag}": []}
        rows[f"play {tag}"] = []
    for piece in barp.style_pieces(data, style, count):
        n = n_bars * piece.meter.bar_steps
        real = barp.real_arrangement(piece, data, style, n)
        end = n / 4
        rows["mma"].append(chords_of(barp.band_figures(real)))
        rows["play mma"].append(play_figures(real, end))
        melody = Arrangement([Track("melody", real.tracks[0].notes)], real.tempo_bpm,
                             real.time_signature)  # fmt: skip
        for tag, engine in engines.items():
            candidates = engine.generate(melody, k=4, seed=0, style=style.name)
            bands = [c.arrangement for c in candidates]
            for band in bands:
                band.tempo_bpm = float(style.tempo_bpm)
            figures = [chords_of(barp.band_figures(b)) for b in bands[: 1 if light else None]]
            rows[tag].append(figures[0])
            rows[f"play {tag}"].append(play_figures(bands[0], end))
            if light:  # the first choice only
                continue
            rows[f"{tag} cands"].append(tuple(np.mean(figures, axis=0)))
            rows[f"{tag} in mma"].append(chords_of(barp.band_figures(swapped(real, bands[0]))))
            rows[f"mma in {tag}"].append(chords_of(barp.band_figures(swapped(bands[0], real))))
    return rows


def rule_of(record_path: Path) -> tuple[float, dict]:
    record = json.loads(record_path.read_text())
    fraction, _ = bar.choose_fraction(record["valid"])
    medians = {s: bar.medians_of(rows)["chords"] for s, rows in record["valid"].items()}
    return fraction, medians


def report(style: str, rows: dict, fraction: float, medians: dict) -> None:
    need_db = fraction * medians[style]["mid dB"]
    need_pc = fraction * medians[style]["classes+"]
    print(f"\n{style}: {len(rows['mma'])} pieces; present needs mid dB >= {need_db:.2f} "
          f"and classes+ >= {need_pc:.2f}")  # fmt: skip
    for column, values in rows.items():
        if column.startswith("play"):
            continue
        v = np.asarray(values, float)
        if not v.size:
            continue
        q1, med, q3 = np.percentile(v[:, 0], [25, 50, 75])
        ok = np.mean((v[:, 0] >= need_db) & (v[:, 1] >= need_pc))
        line = (f"  {column:<14} mid dB {med:5.2f} [{q1:.2f}-{q3:.2f}]  classes+ "
                f"{np.median(v[:, 1]):.2f}  present {ok:4.0%}")  # fmt: skip
        if column != "mma" and len(values) == len(rows["mma"]):
            diff = v[:, 0] - np.asarray(rows["mma"], float)[:, 0]
            se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
            line += f"  - mma: {diff.mean():+.2f} dB (2 SE {2 * se:.2f})"
        print(line)
    for column, values in rows.items():
        if not column.startswith("play") or not values:
            continue
        for track in COMPING:
            keys = values[0][track].keys()
            cells = "  ".join(f"{k} {np.nanmean([v[track][k] for v in values]):.2f}" for k in keys)
            print(f"  {column:<14} {track:<6} {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="valid", choices=["valid", "test"])
    parser.add_argument("--pieces", type=int, default=24, help="pieces a style")
    parser.add_argument("--styles", default=None, help="comma-separated (default: all)")
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped band")
    parser.add_argument("--model-b", type=Path, default=None, help="a second model beside it")
    parser.add_argument(
        "--light", action="store_true", help="MMA and the first choice only (no swaps)"
    )
    parser.add_argument("--data", type=Path, default=barp.DATA)
    parser.add_argument("--record", type=Path, default=barp.RECORD)
    args = parser.parse_args()
    from composer_gui.core.engine import Engine
    from composer_gui.paths import resource_path
    from models.band_pieces import load_band_split
    from models.band_styles import STYLES

    engines = {
        "first": Engine(args.model or resource_path("weights", "composer-band.safetensors"), "cpu")
    }
    if args.model_b:
        engines["b"] = Engine(args.model_b, "cpu")
    data = load_band_split(args.data, args.split)
    fraction, medians = rule_of(args.record)
    chosen = None if args.styles is None else set(args.styles.split(","))
    print(f"split {args.split}; model {args.model or 'shipped'}; b {args.model_b}; "
          f"rule fraction {fraction:.2f} of the validation real parts' medians")  # fmt: skip
    for style in STYLES:
        if chosen is None or style.name in chosen:
            rows = style_rows(style, data, engines, args.pieces, args.light)
            report(style.name, rows, fraction, medians)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
