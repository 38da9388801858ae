"""How fast the built-in synth renders, against real time and against FluidSynth alone.

Usage: .venv/bin/python benchmarks/bench_synth.py [--bars 32] [--runs 3]
Builds a four-track arrangement (a sample melody repeated, plus three held accompaniment
parts) and prints: the first soundfont load, a later one (FluidSynth shares samples between
instances), render_arrangement's median time and its speed as a multiple of real time, and
as the baseline measured in the same run, FluidSynth rendering the same number of silent
frames (the floor: synthesis cost without our scheduling and mixing).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from composer_gui.core.arrangement import Arrangement, Note, Track  # noqa: E402
from composer_gui.core.midi_file import read_melody  # noqa: E402
from composer_gui.core.synth import SAMPLE_RATE, _Synth, render_arrangement  # noqa: E402
from composer_gui.paths import resource_path  # noqa: E402


def four_track_arrangement(bars: int) -> Arrangement:
    melody = read_melody(resource_path("melodies", "ode_to_joy.mid"))
    length = melody.length_beats()
    notes = [
        Note(n.pitch, n.start_beat + repeat * length, n.duration_beats, n.velocity)
        for repeat in range(max(1, round(bars * 4 / length)))
        for n in melody.melody().notes
    ]
    parts = [Track("melody", notes)]
    for name, pitch, program in (("alto", 62, 48), ("tenor", 57, 19), ("bass", 38, 32)):
        held = [Note(pitch, beat, 2.0, 70) for beat in range(0, bars * 4, 2)]
        parts.append(Track(name, held, program=program))
    return Arrangement(parts, tempo_bpm=melody.tempo_bpm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    keep_loaded = _Synth()  # held open so later loads share its samples, as in the app
    first_load = time.perf_counter() - start
    print(f"first soundfont load   {first_load:7.3f} s  ({keep_loaded.soundfont_path})")
    start = time.perf_counter()
    _Synth().delete()
    print(f"later soundfont load   {time.perf_counter() - start:7.3f} s")

    arrangement = four_track_arrangement(args.bars)
    audio_seconds = arrangement.seconds_at(arrangement.length_beats()) + 1.0
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        audio = render_arrangement(arrangement)
        times.append(time.perf_counter() - start)
    ours = statistics.median(times)

    floor_times = []
    for _ in range(args.runs):
        synth = _Synth()
        start = time.perf_counter()
        synth.samples(len(audio))
        floor_times.append(time.perf_counter() - start)
        synth.delete()
    floor = statistics.median(floor_times)

    n_notes = sum(len(t.notes) for t in arrangement.tracks)
    print(
        f"render {args.bars} bars, 4 tracks, {n_notes} notes, {audio_seconds:.1f} s of audio "
        f"at {SAMPLE_RATE} Hz"
    )
    print(f"render_arrangement     {ours:7.3f} s  ({audio_seconds / ours:5.1f}x real time)")
    print(f"FluidSynth, silence    {floor:7.3f} s  (baseline; ours is {ours / floor:4.1f}x it)")
    keep_loaded.delete()


if __name__ == "__main__":
    main()
