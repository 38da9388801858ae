"""Where the time goes when a large score is read (``core.score_file.read_score``).

    .venv/bin/python benchmarks/bench_score_file.py [--large]

The window reads a score on a worker thread, but a musician still waits for it. Printed
for Mozart's K. 458, first movement (four parts, 4000 notes; ``--large`` adds
Beethoven's Grosse Fuge, op. 133, over a minute with music21's ``stripTies``): seconds to
parse (music21), to put the parts at sounding pitch, to join the ties with
``score_file.part_notes`` (one pass, pitch by pitch) against music21's
``Part.stripTies`` in the same run, and the whole ``read_score``.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.core.score_file import part_notes, read_score  # noqa: E402


def seconds(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure(work: str) -> None:
    from music21 import converter, corpus

    path = Path(str(corpus.getWork(work)))
    parse_s, score = seconds(
        lambda: converter.parse(path, format="musicxml", forceSource=True, storePickle=False)
    )
    sounding_s, _ = seconds(lambda: score.toSoundingPitch(inPlace=True))
    ours_s, _ = seconds(lambda: [part_notes(part) for part in score.parts])
    strip_s, _ = seconds(lambda: [part.stripTies().flatten().notes for part in score.parts])
    whole_s, read = seconds(lambda: read_score(path))
    notes = sum(len(track.notes) for track in read.tracks)
    print(f"{work}: {len(score.parts)} parts, {notes} notes")
    print(f"  parse (music21)             {parse_s:6.2f} s")
    print(f"  toSoundingPitch             {sounding_s:6.2f} s")
    print(f"  ties joined: part_notes     {ours_s:6.2f} s")
    print(f"  ties joined: stripTies      {strip_s:6.2f} s  ({strip_s / ours_s:.0f}x)")
    print(f"  read_score, all of it       {whole_s:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also the Grosse Fuge")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    for work in ["mozart/k458/movement1"] + (["beethoven/opus133"] if args.large else []):
        measure(work)


if __name__ == "__main__":
    main()
