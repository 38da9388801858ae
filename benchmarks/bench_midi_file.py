"""How long reading and writing a chorale takes, next to mido and pretty_midi on the same file.

Usage: .venv/bin/python benchmarks/bench_midi_file.py [--piece bach/bwv66.6] [--runs 50]
Exports the piece from the music21 corpus to MIDI once, then prints the median of --runs
for our read_arrangement, read_melody, arrangement_to_midi, write_arrangement (temporary
file, os.replace) and, as baselines measured in the same run, mido.MidiFile (the parse we
build on) and pretty_midi.PrettyMIDI, with our times as ratios to mido's parse.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import mido  # noqa: E402
import pretty_midi  # noqa: E402
from music21 import corpus  # noqa: E402

from composer_gui.core.midi_file import read_arrangement, read_melody  # noqa: E402
from composer_gui.core.midi_writer import arrangement_to_midi, write_arrangement  # noqa: E402


def median_ms(job: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--piece", default="bach/bwv66.6")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "piece.mid"
        corpus.parse(args.piece).write("midi", fp=str(source))
        arrangement = read_arrangement(source)
        notes = sum(len(track.notes) for track in arrangement.tracks)
        target = Path(folder) / "out.mid"
        jobs = {
            "mido.MidiFile (baseline)": lambda: mido.MidiFile(source),
            "pretty_midi.PrettyMIDI": lambda: pretty_midi.PrettyMIDI(str(source)),
            "read_arrangement": lambda: read_arrangement(source),
            "read_melody": lambda: read_melody(source),
            "arrangement_to_midi": lambda: arrangement_to_midi(arrangement),
            "write_arrangement": lambda: write_arrangement(arrangement, target),
        }
        print(f"{args.piece}: {len(arrangement.tracks)} tracks, {notes} notes, runs={args.runs}")
        baseline = None
        for name, job in jobs.items():
            job()  # warm up imports and caches
            ms = median_ms(job, args.runs)
            baseline = baseline or ms
            print(f"  {name:26s} {ms:8.2f} ms   x{ms / baseline:5.2f} of mido's parse")


if __name__ == "__main__":
    main()
