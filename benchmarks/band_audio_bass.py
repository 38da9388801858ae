"""Why a style's sampled bass plays fewer notes than MMA's: the notes the network writes,
the clean-up, or what a monophonic track can say at all?

On the band data's *test* split (``--pieces`` pieces a style, in the sample's meter, no
pickup, their first 4 bars of 4/4 or 8 bars of 3/4, as ``band_audio_real_parts``), the
bass's notes a bar (notes started, a bar):

- ``mma``: MMA's real bass;
- ``mma as one line``: that bass as the generator is trained to write it: one class a
  step (``track_outputs.mono_classes``: the lowest row sounding, or rest) cleaned as the
  model's output is (``cleanup.clean_voices``). A monophonic track has no "struck
  again" channel, so a note repeated with no rest between, or with one step's rest
  (bridged), is one note: this is the most a perfect network could play;
- ``network``: the shipped model's own classes on each melody (4 candidates, seed 0, the
  style's one-hot, the engine's drawing path ``sampling.candidate_probabilities``),
  read step by step before any clean-up (a note where the class changes to a pitch);
- ``cleaned``: those probabilities cleaned as the engine cleans them
  (``sampling.clean_candidates`` with the bars: bridging, minimum length, the bass in
  every bar and on the chord on the one);
- ``1-step kept``: MMA's line and the network's bass alone cleaned with notes of one
  16th step allowed (``min_steps=1``; the product cleans with 2), an experiment;
- ``first choice``: the engine's best-ranked candidate (``Engine.generate(k=4, seed=0)``).

Also the share of MMA's bass notes that repeat the pitch before them with under two
steps between (what one line cannot strike again), the one-step notes a bar (and how many
lead into a beat) of MMA's line and of the network's, and the bass's register (MMA's and
the first choice's MIDI pitches). Judges only: nothing is tuned here.

    python benchmarks/band_audio_bass.py [--pieces 24]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_audio_real_parts as barp  # noqa: E402

COLUMNS = (
    "mma",
    "mma as one line",
    "one line, 1-step kept",
    "network",
    "cleaned",
    "cleaned, 1-step kept",
    "first choice",
)


def one_line(sounding: np.ndarray) -> np.ndarray:
    """A bass roll ``(step, rows)`` → class a step: the lowest row sounding, or REST."""
    from models.build_dataset import REST

    return np.where(sounding.any(axis=1), np.argmax(sounding, axis=1), REST)


def notes_in(labels: np.ndarray) -> int:
    """Notes a class-per-step line starts: a step whose pitch differs from the one before."""
    from models.build_dataset import REST

    previous = np.concatenate(([REST], labels[:-1]))
    return int(((labels != REST) & (labels != previous)).sum())


def short_notes(labels: np.ndarray, meter) -> tuple[int, int]:
    """``(short, before a beat)``: notes of one step a class-per-step line plays, and how
    many of them fall on the last 16th before a beat (a pickup into the beat)."""
    from models.build_dataset import REST
    from models.pianoroll import meter_positions

    phase, _ = meter_positions([(0, meter)], labels.shape[0], 0)
    short = before = 0
    for step in range(labels.shape[0]):
        starts = labels[step] != REST and (step == 0 or labels[step - 1] != labels[step])
        ends = step + 1 == labels.shape[0] or labels[step + 1] != labels[step]
        if starts and ends:
            short += 1
            before += step + 1 < labels.shape[0] and phase[step + 1] == 0
    return short, before


def repeats(sounding: np.ndarray, onsets: np.ndarray) -> tuple[int, int]:
    """``(repeated, notes)``: notes struck on the pitch of the note before with under two
    steps of rest between, and all notes."""
    line = one_line(sounding)
    struck = np.flatnonzero(onsets.any(axis=1))
    repeated = 0
    for a, b in zip(struck[:-1], struck[1:]):
        end = a + 1
        while end < b and line[end] == line[a]:
            end += 1
        repeated += bool(line[b] == line[a] and b - end < 2)
    return repeated, int(struck.size)


def style_rows(style, data, engine, count: int) -> dict[str, list[float]]:
    """Each column's bass notes a bar, one value per piece (model columns: mean of 4)."""
    import torch

    from composer_gui.core.arrangement import Arrangement, Track
    from models.build_dataset import REST
    from models.cleanup import clean_voices, voices_to_roll
    from models.sampling import candidate_probabilities, clean_candidates, melody_condition

    generator = engine._generator
    tracks = generator.tracks
    bass = next(i for i, t in enumerate(tracks) if t.kind == "bass")
    style_index = engine.style_index(style.name)
    n_styles = generator.config.n_style_channels
    out: dict = {c: [] for c in COLUMNS} | {"repeated": []}
    shorts = {"mma": np.zeros(2), "network": np.zeros(2)}
    pitches: dict[str, list[int]] = {"mma": [], "first choice": []}
    for piece in barp.style_pieces(data, style, count):
        n_bars = 4 if barp.sample_signature(style) == (4, 4) else 8
        n = n_bars * piece.meter.bar_steps
        sounding, onsets = piece.sounding[bass][:n], piece.onsets[bass][:n]
        out["mma"].append(onsets.any(axis=1).sum() / n_bars)
        line = one_line(sounding)
        _, cleaned_line = clean_voices(line[None], 2, n_pitches=sounding.shape[1])
        out["mma as one line"].append(cleaned_line[0].any(axis=1).sum() / n_bars)
        _, kept_line = clean_voices(line[None], 1, n_pitches=sounding.shape[1])
        out["one line, 1-step kept"].append(kept_line[0].any(axis=1).sum() / n_bars)
        repeated, notes = repeats(sounding, onsets)
        out["repeated"].append(repeated / max(notes, 1))
        shorts["mma"] += np.array(short_notes(line, piece.meter)) / n_bars
        voice = piece.melody[:n].astype(np.int64)
        cond = melody_condition(
            voice, piece.melody_onsets[:n], piece.meter, 0, n, "cpu", style_index, n_styles,
            generator.config.phrase_bars,
        )  # fmt: skip
        with torch.inference_mode():
            probs = candidate_probabilities(generator, cond, 4, 0)
        pitch_or_rest = probs[bass][:, :n, : tracks[bass].n_rows + 1]  # an onset output apart
        classes = pitch_or_rest.argmax(dim=-1).numpy()
        classes = np.where(classes == tracks[bass].n_rows, REST, classes)
        out["network"].append(np.mean([notes_in(c) for c in classes]) / n_bars)
        for c in classes:
            shorts["network"] += np.array(short_notes(c, piece.meter)) / n_bars / len(classes)
        cleaned = clean_candidates(probs, 0.5, n, tracks, meters=piece.meter)
        out["cleaned"].append(np.mean([c[bass][1].any(axis=1).sum() for c in cleaned]) / n_bars)
        # The bass alone cleaned with one-step notes allowed (an experiment, not the product).
        _, kept = voices_to_roll(pitch_or_rest.numpy(), min_steps=1)
        out["cleaned, 1-step kept"].append(kept.any(axis=2).sum(axis=1).mean() / n_bars)
        band = barp.real_arrangement(piece, data, style, n)
        melody = Arrangement(
            [Track("melody", band.tracks[0].notes)], band.tempo_bpm, band.time_signature
        )
        best = engine.generate(melody, k=4, seed=0, style=style.name)[0].arrangement
        out["first choice"].append(barp.notes_per_bar(best, n_bars)["bass"])
        for name, arrangement in (("mma", band), ("first choice", best)):
            line_of = next(t for t in arrangement.tracks if t.name == "bass").notes
            pitches[name] += [x.pitch for x in line_of if x.start_beat < n / 4]
    n_pieces = max(len(out["mma"]), 1)
    out["short"] = {k: (v / n_pieces).tolist() for k, v in shorts.items()}
    out["pitch"] = {k: np.percentile(v, [25, 50, 75]).tolist() for k, v in pitches.items() if v}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pieces", type=int, default=24, help="test pieces a style")
    parser.add_argument("--styles", default=None, help="comma-separated (default: all)")
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped band")
    args = parser.parse_args()
    from composer_gui.core.engine import Engine
    from composer_gui.paths import resource_path
    from models.band_pieces import load_band_split
    from models.band_styles import STYLES

    engine = Engine(args.model or resource_path("weights", "composer-band.safetensors"), "cpu")
    engine.load()
    data = load_band_split(barp.DATA, "test")
    chosen = None if args.styles is None else set(args.styles.split(","))
    print("bass notes a bar, median over the test pieces [quartiles]; model columns: 4 candidates")
    print(f"{'style':<11} {'pieces':>6}  " + "  ".join(f"{c:>22}" for c in COLUMNS) + "  repeats")
    for style in STYLES:
        if chosen is not None and style.name not in chosen:
            continue
        rows = style_rows(style, data, engine, args.pieces)
        cells = []
        for column in COLUMNS:
            q1, median, q3 = np.percentile(rows[column], [25, 50, 75])
            cells.append(f"{median:>8.2f} [{q1:.2f}-{q3:.2f}]".rjust(22))
        print(
            f"{style.name:<11} {len(rows['mma']):>6}  "
            + "  ".join(cells)
            + f"  {np.mean(rows['repeated']):.0%}",
            flush=True,
        )
        short = rows["short"]
        print(
            f"{'':<11} one-step notes a bar (of them before a beat): MMA {short['mma'][0]:.2f}"
            f" ({short['mma'][1]:.2f}), network {short['network'][0]:.2f}"
            f" ({short['network'][1]:.2f})"
        )
        print(
            f"{'':<11} bass pitch (MIDI, quartiles of the notes): "
            + ", ".join(f"{k} {v[1]:.0f} [{v[0]:.0f}-{v[2]:.0f}]" for k, v in rows["pitch"].items())
        )
    print("repeats: MMA's bass notes on the pitch before with under two steps between")


if __name__ == "__main__":
    main()
