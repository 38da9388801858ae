"""How on time does the playback scheduler play, measured at a receiving JACK client?

Starts its own JACK dummy server (48 kHz, 64-frame periods = 1.33 ms unless --period),
plays the same four-track piece twice to a virtual port, and times every arrival at a receiving JACK
client (rtmidi stamps arrivals with JACK's microsecond clock in the process callback):

- ours:  composer_gui.core.playback.Player (absolute deadlines, sleep then spin);
- naive: ``time.sleep(delta)`` before each event, the loop most MIDI players start as.

Error = |arrival - scheduled - median(arrival - scheduled)|: a constant latency does not
count; jitter and drift do. Each player runs in a child process of its own. The same error
measured when send() returned in the player's process is printed beside it: where the two
differ, the delay was in the JACK server, not in the scheduler.
Run from the repository root:

    .venv/bin/python benchmarks/bench_scheduler.py [--seconds 20] [--period 64]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mido  # noqa: E402

from composer_gui.core import midi_io  # noqa: E402
from composer_gui.core.playback import Player, schedule_from_midifile  # noqa: E402
from tests.support.jack_server import JackServer, MidiReceiver  # noqa: E402


def make_piece(seconds: float) -> mido.MidiFile:
    """Sixteenths, eighths, quarters and halves on four channels at 120 BPM."""
    ticks_per_beat = 480
    midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    midi.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000)]))
    beats = int(seconds * 2)
    for channel, step_beats in enumerate((0.25, 0.5, 1.0, 2.0)):
        track = mido.MidiTrack()
        last_tick, beat, index = 0, 0.0, 0
        while beat + step_beats <= beats:
            pitch = 48 + channel * 7 + (index * 5) % 12
            on_tick = round(beat * ticks_per_beat)
            off_tick = round((beat + step_beats * 0.8) * ticks_per_beat)
            track.append(
                mido.Message(
                    "note_on", channel=channel, note=pitch, velocity=80, time=on_tick - last_tick
                )
            )
            track.append(
                mido.Message("note_off", channel=channel, note=pitch, time=off_tick - on_tick)
            )
            last_tick, beat, index = off_tick, beat + step_beats, index + 1
        midi.tracks.append(track)
    return midi


def scheduled_seconds(midi: mido.MidiFile) -> list[float]:
    """When each note message is due, by mido's own reading of the file."""
    now, due = 0.0, []
    for message in midi:
        now += message.time
        if message.type in ("note_on", "note_off"):
            due.append(now)
    return due


class SendLog:
    """Wraps an output and notes when each note message left this process."""

    closed = False

    def __init__(self, output) -> None:
        self.output = output
        self.sent: list[float] = []

    def send(self, message: mido.Message) -> None:
        self.output.send(message)
        if message.type in ("note_on", "note_off"):
            self.sent.append(time.perf_counter())


def play_naive(output, midi: mido.MidiFile) -> None:
    for message in midi:
        time.sleep(message.time)  # each sleep's overshoot adds to every later event
        if not message.is_meta:
            output.send(message)


def play_ours(output, midi: mido.MidiFile) -> None:
    player = Player(output, schedule_from_midifile(midi))
    player.start()
    player.wait()
    player.stop()


def child(label: str, seconds: float) -> None:
    """Play in a process of its own, so the receiver never waits for this process's GIL."""
    output = midi_io.open_virtual_output(f"bench {label}", api="jack")
    print("ready", flush=True)
    sys.stdin.readline()  # the parent has connected its receiver
    log = SendLog(output)
    piece = make_piece(seconds)
    PLAYERS[label](log, piece)
    time.sleep(0.2)  # let JACK deliver the last messages
    output.close()
    print(json.dumps(errors_ms(log.sent, scheduled_seconds(piece))), flush=True)


PLAYERS = {"ours": play_ours, "naive": play_naive}


def measure(server: JackServer, seconds: float, label: str) -> tuple[list[float], list[float]]:
    """Errors at the receiving client, and at the sender (when send() returned)."""
    receiver = MidiReceiver(client_name=f"receiver-{label}")
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", label, "--seconds", str(seconds)],
        env=server.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    source = next(p for p in server.ports() if p.endswith(f":bench {label}"))
    server.connect(source, receiver.port)
    process.stdin.write("\n")
    process.stdin.flush()
    sender_errors = json.loads(process.stdout.readline())
    process.wait()
    arrivals = [seconds for seconds, data in receiver.stop() if (data[0] & 0xF0) in (0x80, 0x90)]
    due = scheduled_seconds(make_piece(seconds))
    if len(arrivals) != len(due):
        raise RuntimeError(f"{label}: {len(arrivals)} of {len(due)} messages arrived")
    return errors_ms(arrivals, due), sender_errors


def errors_ms(moments: list[float], due: list[float]) -> list[float]:
    """|moment - due - median(moment - due)| in ms: the constant latency removed, so what
    is left is jitter and drift, the two things a scheduler can get wrong."""
    offsets = [m - d for m, d in zip(moments, due, strict=True)]
    latency = statistics.median(offsets)
    return [abs(offset - latency) * 1000 for offset in offsets]


def summary(errors_ms: list[float]) -> tuple[float, float, float]:
    ordered = sorted(errors_ms)
    return (statistics.median(ordered), ordered[int(0.99 * (len(ordered) - 1))], ordered[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the piece")
    parser.add_argument(
        "--period", type=int, default=64, help="JACK period in frames at 48 kHz (default 64)"
    )
    parser.add_argument("--child", choices=list(PLAYERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seconds)
        return
    with JackServer(period_frames=args.period).serving() as server:
        n_messages = len(scheduled_seconds(make_piece(args.seconds)))
        print(
            f"{n_messages} note messages over {args.seconds:g} s; JACK period "
            f"{server.period_seconds * 1000:.2f} ms; errors in ms at the receiving client"
        )
        results = {}
        for label in PLAYERS:
            at_receiver, at_sender = measure(server, args.seconds, label)
            results[label] = summary(at_receiver)
            median, p99, worst = results[label]
            beyond = sum(e > server.period_seconds * 1000 for e in at_receiver) / len(at_receiver)
            print(
                f"{label:>6}: median {median:7.3f}  p99 {p99:7.3f}  max {worst:7.3f}  "
                f"beyond one period {beyond:6.1%}",
                end="",
            )
            median, p99, worst = summary(at_sender)
            print(f"   (at the sender: median {median:.3f}  p99 {p99:.3f}  max {worst:.3f})")
        ours, naive = results["ours"], results["naive"]
        print(
            f" naive/ours: median x{naive[0] / ours[0]:.0f}  p99 x{naive[1] / ours[1]:.0f}  "
            f"max x{naive[2] / ours[2]:.0f}"
        )


if __name__ == "__main__":
    main()
