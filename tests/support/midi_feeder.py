"""A stand-in for a musician at a keyboard: another process that plays a melody into JACK.

Run as ``python -m tests.support.midi_feeder MELODY_JSON --tempo BPM [--follow-clicks N]``.
It opens a JACK output ``FeederKeys:keys`` and an input ``FeederEars:clicks``, prints
``ready``, and then either plays at once or, like a player, listens for the metronome and
starts bar 1 after N clicks of count-in. Onsets and releases get seeded human jitter
(a few tens of ms, less than half a 16th note) and velocities vary. It exits after the
last note, or on SIGTERM/SIGKILL from a test that wants the port to vanish.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time

import mido

KEYS_PORT = "FeederKeys:keys"
CLICKS_PORT = "FeederEars:clicks"


def start_feeder(jack_server, melody, tempo_bpm: float, *options: str):
    """Run this module as its own JACK client process; returns once it says "ready"."""
    import subprocess
    from pathlib import Path

    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.midi_feeder",
            json.dumps(melody),
            "--tempo",
            str(tempo_bpm),
            *options,
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=jack_server.env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def stop_feeder(process) -> None:
    """Kill a feeder still playing (a test that failed midway) and reap it."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def record_argv(
    output,
    bars: int,
    tempo_bpm: float | None = None,
    *options: str,
    port: str = KEYS_PORT,
    click: str = CLICKS_PORT,
) -> list[str]:
    """The CLI's ``record`` over JACK from ``port`` (the feeder's keys), the clicks to
    ``click`` (the feeder's ears, or "none"), into ``output``; ``options`` as the command
    takes them (``--meter 3/4``, ``--thru PORT``, ``--start-on-note``)."""
    tempo = ["--tempo", str(tempo_bpm)] if tempo_bpm is not None else []
    return [
        "record",
        *("--port", port, "--bars", str(bars), *tempo, "--api", "jack", "--click", click),
        *options,
        *("-o", str(output)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("melody", help="JSON list of [pitch, start_beat, duration_beats]")
    parser.add_argument("--tempo", type=float, required=True)
    parser.add_argument("--follow-clicks", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jitter-ms", type=float, default=25.0)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds before bar 1")
    parser.add_argument("--linger", type=float, default=0.2, help="seconds kept open at the end")
    args = parser.parse_args()
    melody = json.loads(args.melody)
    rng = random.Random(args.seed)
    backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
    keys = backend.open_output("keys", virtual=True, client_name="FeederKeys")

    first_click = threading.Event()
    clicks_heard: list[float] = []

    def on_click(message: mido.Message) -> None:
        if message.type == "note_on" and message.velocity > 0:
            clicks_heard.append(time.perf_counter())
            if len(clicks_heard) == 1:
                first_click.set()

    ears = backend.open_input("clicks", virtual=True, client_name="FeederEars", callback=on_click)
    print("ready", flush=True)
    seconds_per_beat = 60.0 / args.tempo
    if args.follow_clicks:
        first_click.wait()
        bar_one = clicks_heard[0] + args.follow_clicks * seconds_per_beat
    else:
        bar_one = time.perf_counter() + args.delay

    def jitter() -> float:
        limit = args.jitter_ms / 1000.0
        return max(-limit, min(limit, rng.gauss(0.0, limit / 2)))

    events = []
    for pitch, start_beat, duration_beats in melody:
        start = bar_one + start_beat * seconds_per_beat + jitter()
        # Players release a little early or late; never before the onset.
        end = bar_one + (start_beat + duration_beats) * seconds_per_beat + jitter()
        velocity = rng.randint(55, 110)
        events.append((start, 1, mido.Message("note_on", note=pitch, velocity=velocity)))
        events.append((max(end, start + 0.02), 0, mido.Message("note_off", note=pitch)))
    events.sort(key=lambda event: (event[0], event[1]))
    for moment, _, message in events:
        time.sleep(max(0.0, moment - time.perf_counter()))
        keys.send(message)
        print(f"sent {message.type} {message.note}", flush=True)
    time.sleep(args.linger)  # at least long enough for JACK to deliver the last note-off
    ears.close()
    keys.close()


if __name__ == "__main__":
    sys.exit(main())
