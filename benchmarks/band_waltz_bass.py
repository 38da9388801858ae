"""Why the waltz's bass plays one note a bar where MMA's Waltz1 plays 1.5: what MMA's bass
does, what the network says on those steps, and what the clean-up does with it.

MMA's Waltz1 (``/usr/share/mma/lib/stdlib/waltz.mma``) plays ``Bass Sequence B1 B1/5 B1
z`` with ``Walk Sequence z z z W123``: one note on the one in three bars of four, then a
walk of three quarters in the fourth, counted from the song's first bar. The model's
condition says where a step is in its beat and bar, not which bar of four it is in, so
the fourth bar is told apart only by what the melody does there.

On one split of the band data (``--split valid``: the split that may shape a choice), the
waltz's pieces in 3/4 with no pickup, their first ``--bars`` bars, per bar of the
four-bar cycle (counted from the piece's first bar) and per beat:

- ``mma``: MMA's bass note starts;
- the network's raw outputs before any clean-up (``sampling.candidate_probabilities``,
  4 candidates, seed 0, variety 0.5 as the engine draws, and 0 for the bare network): the
  rest's probability, the chance the most likely class changes to another pitch at the
  beat's first step ("new pitch"), and the onset output's probability there;
- the clean-up's stages: the per-step line (``cleanup.voice_labels``) with its strikes,
  as notes started; then ``track_cleanup.clean_struck_voice`` (bridging, minimum
  length); then with ``bass_in_every_bar``; then the whole ``clean_band`` (the bass on
  the chord on the one, which moves pitches only);
- the first choice of ``Engine.generate(k=4, seed=0)``.

    python benchmarks/band_waltz_bass.py [--split valid] [--bars 8]

Judges nothing by itself and tunes nothing: a record of where the notes go.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_audio_real_parts as barp  # noqa: E402

CYCLE = 4  # Waltz1's bass sequence is four bars long
BEATS = 3


def _beat_table(counts: np.ndarray, pieces: int, label: str, fmt: str = "{:5.2f}") -> str:
    """``counts`` ``(CYCLE, BEATS)`` summed over pieces (and candidates) as a row a bar."""
    lines = [f"  {label}"]
    for bar in range(CYCLE):
        cells = " ".join(fmt.format(counts[bar, b] / pieces) for b in range(BEATS))
        lines.append(
            f"    bar {bar + 1} of 4: beats 1 2 3: {cells}   a bar {counts[bar].sum() / pieces:.2f}"
        )
    return "\n".join(lines)


def _starts_by_beat(onsets: np.ndarray, bar_steps: int, n_bars: int) -> np.ndarray:
    """Note starts ``(step,)`` bool → ``(CYCLE, BEATS)`` counts, per bar of the cycle
    and beat (a start anywhere in a beat counts for it)."""
    out = np.zeros((CYCLE, BEATS))
    beat_steps = bar_steps // BEATS
    for step in np.flatnonzero(onsets[: n_bars * bar_steps]):
        out[(step // bar_steps) % CYCLE, (step % bar_steps) // beat_steps] += 1
    return out


def _line_starts(labels: np.ndarray, strikes: np.ndarray) -> np.ndarray:
    """Note starts of a per-step line: a pitch after another class, or a struck step."""
    from models.build_dataset import REST

    previous = np.concatenate(([REST], labels[:-1]))
    return (labels != REST) & ((labels != previous) | strikes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="valid", choices=["train", "valid", "test"])
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--model", type=Path, default=None, help="default: the shipped band")
    args = parser.parse_args()

    import torch

    from composer_gui.core.arrangement import Arrangement, Track
    from composer_gui.core.engine import Engine
    from composer_gui.paths import resource_path
    from models.band_pieces import load_band_split
    from models.band_styles import STYLES
    from models.build_dataset import REST
    from models.cleanup import voice_labels
    from models.sampling import candidate_probabilities, melody_condition
    from models.track_cleanup import (
        _plays,
        bass_in_every_bar,
        clean_band,
        clean_struck_voice,
        first_beats,
    )

    engine = Engine(args.model or resource_path("weights", "composer-band.safetensors"), "cpu")
    engine.load()
    generator = engine._generator
    tracks = generator.tracks
    bass = next(i for i, t in enumerate(tracks) if t.kind == "bass")
    spec = tracks[bass]
    style = next(s for s in STYLES if s.name == "waltz")
    data = load_band_split(barp.DATA, args.split)
    index = data.styles.index("waltz")
    pieces = [
        p
        for p in data.pieces()
        if int(p.style) == index and p.meter.signature == (3, 4) and p.bar_phase == 0
        and p.n_steps >= args.bars * 12
    ]  # fmt: skip
    n_bars, bar_steps = args.bars, 12
    n = n_bars * bar_steps
    k = 4
    style_index = engine.style_index("waltz")
    n_styles = generator.config.n_style_channels
    tables = {name: np.zeros((CYCLE, BEATS)) for name in (
        "mma", "raw line v0.5", "raw line v0", "struck voice", "+ bass in every bar",
        "clean_band", "first choice")}  # fmt: skip
    raw = {name: np.zeros((CYCLE, BEATS)) for name in (
        "p(rest) v0", "p(new pitch) v0", "p(onset) v0", "p(new pitch) v0.5")}  # fmt: skip
    mma_walk_pitch_new = np.zeros((CYCLE, BEATS))
    for piece in pieces:
        sounding, onsets = piece.sounding[bass][:n], piece.onsets[bass][:n]
        mma_starts = onsets.any(axis=1)
        tables["mma"] += _starts_by_beat(mma_starts, bar_steps, n_bars)
        cond = melody_condition(
            piece.melody[:n].astype(np.int64), piece.melody_onsets[:n], piece.meter, 0, n,
            "cpu", style_index, n_styles, generator.config.phrase_bars,
        )  # fmt: skip
        bars = first_beats(piece.meter, n)
        for variety in (0.0, 0.5):
            with torch.inference_mode():
                probs = candidate_probabilities(generator, cond, k, 0, variety)
            probs = [p.numpy()[:, :n] for p in probs]
            bass_probs = probs[bass]
            name = f"v{variety:g}"
            for c in range(k):
                classes, strikes = bass_probs[c, :, : spec.n_rows + 1], bass_probs[c, :, -1]
                labels = voice_labels(classes[None], 0.5)[0]
                struck = _plays(strikes.astype(np.float64), 0.5) & (labels != REST)
                starts = _line_starts(labels, struck)
                tables[f"raw line {name}"] += _starts_by_beat(starts, bar_steps, n_bars) / k
                best = classes.argmax(axis=1)
                new_pitch = (best != spec.n_rows) & (best != np.concatenate(([-1], best[:-1])))
                beat_first = np.arange(n) % 4 == 0
                per = np.zeros((CYCLE, BEATS))
                rest_p, onset_p = np.zeros((CYCLE, BEATS)), np.zeros((CYCLE, BEATS))
                for step in np.flatnonzero(beat_first):
                    bar, beat = (step // bar_steps) % CYCLE, (step % bar_steps) // 4
                    per[bar, beat] += new_pitch[step] / (n_bars / CYCLE)
                    rest_p[bar, beat] += classes[step, -1] / (n_bars / CYCLE)
                    onset_p[bar, beat] += strikes[step] / (n_bars / CYCLE)
                raw[f"p(new pitch) {name}"] += per / k
                if variety == 0.0:
                    raw["p(rest) v0"] += rest_p / k
                    raw["p(onset) v0"] += onset_p / k
                    continue
                voice = clean_struck_voice(classes, strikes, 0.5)
                tables["struck voice"] += (
                    _starts_by_beat(voice[1].any(axis=1), bar_steps, n_bars) / k
                )
                kept = bass_in_every_bar(classes, bars, 0.5)
                voice = clean_struck_voice(kept, strikes, 0.5)
                tables["+ bass in every bar"] += (
                    _starts_by_beat(voice[1].any(axis=1), bar_steps, n_bars) / k
                )
                band = clean_band([p[c] for p in probs], tracks, 0.5, bars)
                tables["clean_band"] += (
                    _starts_by_beat(band[bass][1].any(axis=1), bar_steps, n_bars) / k
                )
        real = barp.real_arrangement(piece, data, style, n)
        melody = Arrangement(
            [Track("melody", real.tracks[0].notes)], real.tempo_bpm, real.time_signature
        )
        best_take = engine.generate(melody, k=4, seed=0, style="waltz")[0].arrangement
        line = next(t for t in best_take.tracks if t.name == "bass").notes
        first = np.zeros(n, bool)
        for note in line:
            step = int(round(note.start_beat * 4))
            if step < n:
                first[step] = True
        tables["first choice"] += _starts_by_beat(first, bar_steps, n_bars)
        # does MMA's walk bar change pitch on beats 2 and 3, or strike the same again?
        line_mma = np.where(sounding.any(axis=1), sounding.argmax(axis=1), -1)
        struck_at = np.flatnonzero(mma_starts)
        for before, step in zip([-1, *struck_at[:-1]], struck_at, strict=True):
            if before < 0 or line_mma[before] != line_mma[step]:
                bar, beat = (step // bar_steps) % CYCLE, (step % bar_steps) // 4
                mma_walk_pitch_new[bar, beat] += 1

    cycles = len(pieces) * n_bars / CYCLE
    print(f"waltz, {args.split} split: {len(pieces)} pieces in 3/4, first {n_bars} bars each "
          f"({cycles:.0f} four-bar cycles); model {args.model or 'shipped band'}")  # fmt: skip
    print("note starts per bar of Waltz1's four-bar cycle, per beat (mean a bar):")
    for name, table in tables.items():
        print(_beat_table(table, cycles, name))
    print(_beat_table(mma_walk_pitch_new, cycles, "mma: of them on a new pitch"))
    print("the network's raw bass on each beat's first step (mean over candidates and bars):")
    for name, table in raw.items():
        print(_beat_table(table, len(pieces), name, "{:5.2f}"))
    for name, table in tables.items():
        print(f"  {name:<22} notes a bar {table.sum() / (len(pieces) * n_bars):.2f}")


if __name__ == "__main__":
    main()
