"""A stand-in for a musician at a keyboard: another process that plays a melody into JACK.

Run as ``python -m tests.support.midi_feeder MELODY_JSON --tempo BPM [--follow-clicks N]``.
It opens a JACK output ``FeederKeys:keys`` and an input ``FeederEars:clicks``, prints
``ready``, and waits until something (the recorder) is connected to its keys, as a player
waits for the red light. Then it either plays after ``--delay`` or, like a player, listens
for the metronome and starts bar 1 after N clicks of count-in. Onsets and releases get
seeded human jitter (a few tens of ms, less than half a 16th note) and velocities vary.

The notes are played by the app's own ``playback.Player``, which spins to each moment, so
the stand-in keeps time as the product does; still, a loaded machine can hold a send
back, so each one is reported as ``sent note_on 60 4.0123``: the beat (from the feeder's
bar 1) at which it really went out. A test following the metronome judges the take
against those (``as_sent``), not against the melody it meant to play.

With ``--hold`` it loads, prints ``loaded`` and opens its ports only when a line comes on
stdin (``release_feeder``): a keyboard plugged back in at once, without Python's start-up
time in between. It exits after the last note, or on SIGTERM/SIGKILL from a test that
wants the port to vanish.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import mido

KEYS_PORT = "FeederKeys:keys"
CLICKS_PORT = "FeederEars:clicks"
CONNECT_TIMEOUT_SECONDS = 30.0
# How far the recorder's bar 1 and the feeder's may differ: a click's and a note's way
# through JACK (1.3 ms periods) and two callbacks.
SENT_TOLERANCE_SECONDS = 0.015


def start_feeder(jack_server, melody, tempo_bpm: float, *options: str, hold: bool = False):
    """Run this module as its own JACK client process; returns once it says "ready"
    (with ``hold``: "loaded", its ports not yet open; ``release_feeder`` opens them)."""
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
            *(["--hold"] if hold else []),
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=jack_server.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == ("loaded" if hold else "ready")
    return process


def release_feeder(process) -> None:
    """Plug a held feeder in: it opens its ports; returns once it says "ready"."""
    process.stdin.write("go\n")
    process.stdin.flush()
    assert process.stdout.readline().strip() == "ready"


def stop_feeder(process) -> None:
    """Kill a feeder still playing (a test that failed midway) and reap it."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


@dataclass(frozen=True)
class SentNote:
    """One note as the feeder really sent it: beats from its bar 1 (its own reading of
    the clicks, or its first note-on for a take that starts on the first note)."""

    pitch: int
    on_beat: float
    off_beat: float


def sent_notes(process, timeout: float = 30.0) -> list[SentNote]:
    """The notes a feeder reported sending (read once it has exited), in onset order."""
    out, _ = process.communicate(timeout=timeout)
    sounding: dict[int, float] = {}
    notes: list[SentNote] = []
    for line in out.splitlines():
        words = line.split()
        if len(words) != 4 or words[0] != "sent":
            continue
        kind, pitch, beat = words[1], int(words[2]), float(words[3])
        if kind == "note_on":
            sounding[pitch] = beat
        elif pitch in sounding:
            notes.append(SentNote(pitch, sounding.pop(pitch), beat))
    return sorted(notes, key=lambda note: (note.on_beat, note.pitch))


def _steps_near(beat: float, tolerance_beats: float) -> set[int]:
    """The grid steps a moment sent at ``beat`` may round to, when the recorder's bar 1
    and the feeder's differ by up to ``tolerance_beats`` (the click's and the note's
    way through JACK and the callbacks)."""
    from models.pianoroll import STEPS_PER_BEAT

    return {round((beat + d) * STEPS_PER_BEAT) for d in (-tolerance_beats, 0.0, tolerance_beats)}


def as_sent(recorded, sent: list[SentNote], tempo_bpm: float) -> list[str]:
    """What in the quantized take ``recorded`` ((pitch, start beat, length) each) does not
    match what was sent: same notes, in order, each starting and ending on a step its
    moments round to (either neighbour for a moment within ``SENT_TOLERANCE_SECONDS`` of
    a half-step). Empty when it matches."""
    from models.pianoroll import STEPS_PER_BEAT

    tolerance_beats = SENT_TOLERANCE_SECONDS * tempo_bpm / 60.0

    problems = []
    if [p for p, _, _ in recorded] != [n.pitch for n in sent]:
        return [f"pitches {[p for p, _, _ in recorded]}, sent {[n.pitch for n in sent]}"]
    for (pitch, start, length), note in zip(recorded, sent, strict=True):
        starts = _steps_near(note.on_beat, tolerance_beats)
        ends = _steps_near(note.off_beat, tolerance_beats)
        start_step = round(start * STEPS_PER_BEAT)
        end_step = round((start + length) * STEPS_PER_BEAT)
        lengths = {max(1, e - s) for s in starts for e in ends}
        if start_step not in starts or end_step - start_step not in lengths:
            problems.append(
                f"{pitch} recorded at beat {start} for {length}, sent {note.on_beat:.3f}"
                f"-{note.off_beat:.3f}"
            )
    return problems


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


def _connected(port: str) -> bool:
    """Whether anything is connected to ``port`` (``jack_lsp -c`` indents each peer)."""
    listing = subprocess.run(
        ["jack_lsp", "-c", port], capture_output=True, text=True, env=os.environ, check=False
    ).stdout
    return any(line.startswith((" ", "\t")) and line.strip() for line in listing.splitlines())


def wait_until_connected(port: str, timeout: float = CONNECT_TIMEOUT_SECONDS) -> float:
    """The perf_counter moment the recorder was found connected to ``port``."""
    deadline = time.perf_counter() + timeout
    while not _connected(port):
        if time.perf_counter() > deadline:
            sys.exit(f"nothing connected to {port} in {timeout:.0f} s")
        time.sleep(0.01)
    return time.perf_counter()


class _ReportingKeys:
    """The keys port as the Player sees it: sends notes (a keyboard sends no
    all-notes-off, which the Player adds on stop) and reports when each went out."""

    def __init__(self, port, bar_one: float, seconds_per_beat: float) -> None:
        self.port = port
        self.bar_one = bar_one
        self.seconds_per_beat = seconds_per_beat
        self.closed = False

    def send(self, message: mido.Message) -> None:
        if message.type not in ("note_on", "note_off"):
            return
        self.port.send(message)
        beat = (time.perf_counter() - self.bar_one) / self.seconds_per_beat
        print(f"sent {message.type} {message.note} {beat:.4f}", flush=True)


def main() -> None:
    from composer_gui.core.playback import Player, Schedule, TimedMessage
    from composer_gui.core.tempo_map import TempoMap

    parser = argparse.ArgumentParser()
    parser.add_argument("melody", help="JSON list of [pitch, start_beat, duration_beats]")
    parser.add_argument("--tempo", type=float, required=True)
    parser.add_argument("--follow-clicks", type=int, default=0, metavar="N")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jitter-ms", type=float, default=25.0)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds before bar 1")
    parser.add_argument("--linger", type=float, default=0.2, help="seconds kept open at the end")
    parser.add_argument("--hold", action="store_true", help="open the ports on a stdin line")
    args = parser.parse_args()
    melody = json.loads(args.melody)
    rng = random.Random(args.seed)
    backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
    if args.hold:
        print("loaded", flush=True)
        sys.stdin.readline()
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
    connected_at = wait_until_connected(KEYS_PORT)
    if args.follow_clicks:
        first_click.wait()
        bar_one = clicks_heard[0] + args.follow_clicks * seconds_per_beat
    else:
        bar_one = connected_at + args.delay

    def jitter_beats() -> float:
        limit = args.jitter_ms / 1000.0
        return max(-limit, min(limit, rng.gauss(0.0, limit / 2))) / seconds_per_beat

    events = []
    for pitch, start_beat, duration_beats in melody:
        start = start_beat + jitter_beats()
        # Players release a little early or late; never before the onset.
        end = start_beat + duration_beats + jitter_beats()
        velocity = rng.randint(55, 110)
        events.append(TimedMessage(start, mido.Message("note_on", note=pitch, velocity=velocity)))
        end = max(end, start + 0.02 / seconds_per_beat)
        events.append(TimedMessage(end, mido.Message("note_off", note=pitch)))
    schedule = Schedule(events, TempoMap(args.tempo), max(e.beat for e in events))
    player = Player(_ReportingKeys(keys, bar_one, seconds_per_beat), schedule)
    player.start(at=bar_one)
    player.wait()
    player.stop()
    time.sleep(args.linger)  # at least long enough for JACK to deliver the last note-off
    ears.close()
    keys.close()


if __name__ == "__main__":
    sys.exit(main())
