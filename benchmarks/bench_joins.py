"""Do the voices continue where a long melody's sections meet? Leaps at joins against leaps inside.

    .venv/bin/python benchmarks/bench_joins.py --data runs/data/bach-chorales [--model M]
        [--melodies 8] [--bars 48] [--candidates 8]

A melody over 32 bars is accompanied in sections (core/melody_grid.sections) and each
candidate is chained across the joins to the draw whose voices start closest to where
its own ended (core/melody_grid.chain_sections). The melodies here are held-out chorale
sopranos laid end to end to ``--bars`` bars (real melodies; the joins between chorales
are not section joins unless they coincide). For every accompaniment voice of every
candidate it measures, in semitones, the move between consecutive notes inside a
section and the move across each section join, and prints both for the chained engine
and for the old rule (candidate i takes draw i in every section), run on the same draws.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from composer_gui.core import chorale_take  # noqa: E402
from composer_gui.core import engine as engine_module  # noqa: E402
from composer_gui.core.arrangement import Arrangement, Note, Track  # noqa: E402
from models.build_dataset import REST, load_split  # noqa: E402
from models.pianoroll import LOWEST_PITCH, STEPS_PER_BEAT  # noqa: E402


def long_melodies(data, count: int, bars: int) -> list[Arrangement]:
    """Sopranos of 4/4 chorales laid end to end, ``bars`` bars each."""
    pieces = [p for p in data.pieces() if p.meter.signature == (4, 4)]
    steps = bars * 16
    out, voice = [], np.zeros(0, dtype=np.int64)
    onsets = np.zeros(0, dtype=bool)
    for piece in pieces * 4:
        voice = np.concatenate([voice, piece.voices[0].astype(np.int64)])
        onsets = np.concatenate([onsets, piece.onsets[0]])
        if voice.size >= steps:
            out.append(_arrangement(voice[:steps], onsets[:steps]))
            voice, onsets = voice[steps:], onsets[steps:]
        if len(out) == count:
            break
    return out


def _arrangement(voice: np.ndarray, onsets: np.ndarray) -> Arrangement:
    notes, start = [], None
    for step in range(voice.size + 1):
        ends = step == voice.size or voice[step] == REST or onsets[step]
        ends = ends or (start is not None and voice[step] != voice[start])
        if start is not None and ends:
            notes.append(
                Note(
                    int(voice[start]) + LOWEST_PITCH,
                    start / STEPS_PER_BEAT,
                    (step - start) / STEPS_PER_BEAT,
                )
            )
            start = None
        if step < voice.size and voice[step] != REST and start is None:
            start = step
    return Arrangement([Track("melody", notes)], 100.0, (4, 4))


def leaps(candidate) -> tuple[list[int], list[int]]:
    """(moves inside sections, moves across joins) over the accompaniment voices."""
    inside, across = [], []
    joins = candidate.joins
    for track in candidate.arrangement.tracks[1:]:
        notes = sorted(track.notes, key=lambda n: n.start_beat)
        for a, b in zip(notes, notes[1:]):
            crosses = any(a.start_beat < j <= b.start_beat for j in joins)
            (across if crosses else inside).append(abs(b.pitch - a.pitch))
    return inside, across


def summary(values: list[int]) -> str:
    if not values:
        return "none"
    v = np.array(values)
    return (
        f"mean {v.mean():5.2f}  median {np.median(v):4.1f}  p90 {np.percentile(v, 90):4.1f}  "
        f"over a 5th {100 * (v > 7).mean():4.1f}%  (n={v.size})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--split", default="test")
    parser.add_argument("--melodies", type=int, default=8)
    parser.add_argument("--bars", type=int, default=48)
    parser.add_argument("--candidates", type=int, default=8)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    engine = engine_module.Engine(args.model, "cpu")
    melodies = long_melodies(load_split(args.data, args.split), args.melodies, args.bars)
    started = time.monotonic()
    # the rule is swapped where the chorale's take calls it (core.chorale_take)
    chained = chorale_take.chain_sections
    same_draw = lambda rolls, scores: [np.arange(rolls[0].shape[0])] * len(rolls)  # noqa: E731
    print(f"{len(melodies)} melodies of {args.bars} bars, {args.candidates} candidates each")
    for name, rule in (("chained (shipped)", chained), ("same draw (old)", same_draw)):
        chorale_take.chain_sections = rule
        inside, across = [], []
        for i, melody in enumerate(melodies):
            for candidate in engine.generate(melody, k=args.candidates, seed=i):
                a, b = leaps(candidate)
                inside += a
                across += b
        print(f"{name}:\n  inside sections {summary(inside)}\n  at the joins    {summary(across)}")
    chorale_take.chain_sections = chained
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
