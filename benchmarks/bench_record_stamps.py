"""When is a played note stamped? The recorder's stamp against the moment it was sent.

Starts its own JACK dummy server (48 kHz, 64-frame periods unless --period) and a
stand-in keyboard in a child process (``--keys``) that sends note-ons and note-offs at
known moments (seeded, 3 to 9 a second, never on a JACK period's grid), spinning to each
one and logging ``perf_counter`` just before rtmidi took it. Both processes read the
same monotonic clock, so a stamp minus its send moment is the stamp's error.

This process reads the keyboard as ``midi_io.PolledInput`` does (the same loop: rtmidi's
queue polled every ``POLL_SECONDS``, ``Message.from_bytes``, the callback stamps with
``perf_counter`` first), and keeps, beside each message, the delta time rtmidi's JACK
backend gave it (``get_message()[1]``: ``jack_get_time()`` differences taken in JACK's
process thread, which never waits for Python's lock). Two stamps per message:

- current: ``perf_counter`` in the callback, what ``Recorder._on_message`` uses now;
- jack:    the running sum of the deltas, anchored on the least callback delay seen so
           far (offset = min over messages read so far of current - sum), so no stamp is
           later than its current stamp and no send moment is needed.

Both are printed as error percentiles (ms) over every message after the first (whose
delta is 0 by rtmidi's definition), and the jack stamps' spread (max - min error), which
no anchor can change. ``--load N`` starts N busy processes under ``nice -n 10`` (killed
by PID at the end); ``--gil-thread`` adds a pure-Python busy thread in this process, as
a window's painting competes with the reader for the interpreter lock; ``--gil-hold-ms
MS`` a thread whose one builtin call keeps the lock MS ms every 200 ms (a demonstration of
the mechanism, not a measured cause). Run the whole script under ``nice -n 10`` to give
the reader only an equal share beside the loads, as session 19's walk ran the app.
Run from the repository root:

    .venv/bin/python benchmarks/bench_record_stamps.py [--seconds 60] [--load 2] [--gil-thread]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mido  # noqa: E402

from composer_gui.core import midi_io  # noqa: E402
from tests.support.jack_server import JackServer  # noqa: E402

KEYS_CLIENT = "StampKeys"
KEYS_PORT = f"{KEYS_CLIENT}:keys"


def send_moments(seconds: float, seed: int) -> list[tuple[float, bytes]]:
    """Seconds from the start and the message: a note-on, its note-off 40-200 ms later."""
    rng = random.Random(seed)
    events: list[tuple[float, bytes]] = []
    at = 0.2
    pitch = 60
    while at < seconds:
        length = rng.uniform(0.04, 0.2)
        events.append((at, bytes([0x90, pitch, 90])))
        events.append((at + length, bytes([0x80, pitch, 0])))
        at += length + rng.uniform(0.02, 0.2)
        pitch = 60 + (pitch - 59) % 12
    return events


def run_keys(seconds: float, seed: int) -> None:
    """The child: a JACK output that plays ``send_moments`` when told "go" on stdin."""
    import rtmidi

    out = rtmidi.MidiOut(rtapi=rtmidi.API_UNIX_JACK, name=KEYS_CLIENT)
    out.open_virtual_port("keys")
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter() + 0.2
    sent = []
    for offset, data in send_moments(seconds, seed):
        due = start + offset
        while (left := due - time.perf_counter()) > 0.002:
            time.sleep(left - 0.002)
        while time.perf_counter() < due:
            pass
        before = time.perf_counter()
        out.send_message(list(data))
        sent.append(before)
    time.sleep(0.3)  # let the last cycle carry the last note-off out
    print(json.dumps(sent), flush=True)
    out.close_port()
    out.delete()


class StampReader:
    """``midi_io.PolledInput``'s loop, keeping rtmidi's delta beside the callback's stamp."""

    def __init__(self, api: str, name: str) -> None:
        import rtmidi
        from mido.backends.rtmidi import _get_api_id, _open_port

        self._rt = rtmidi.MidiIn(rtapi=_get_api_id(midi_io.API_NAMES[api]), queue_size_limit=4096)
        # Nothing ignored in C: an ignored message's delta is lost to the next one's.
        self._rt.ignore_types(sysex=False, timing=False, active_sense=False)
        _open_port(self._rt, name, api=midi_io.API_NAMES[api])
        self.read: list[tuple[float, float, bytes]] = []  # (perf stamp, delta, bytes)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        rt = self._rt
        while not self._stop.is_set():
            event = rt.get_message()
            if event is None:
                self._stop.wait(midi_io.POLL_SECONDS)
                continue
            message = mido.Message.from_bytes(event[0])
            self._on_message(message, event[1])

    def _on_message(self, message: mido.Message, delta: float) -> None:
        arrived = time.perf_counter()  # as Recorder._on_message stamps
        self.read.append((arrived, delta, bytes(message.bytes())))

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._rt.close_port()
        self._rt.delete()


def jack_stamps(read: list[tuple[float, float, bytes]]) -> tuple[list[float], list[float]]:
    """Each message's JACK-thread stamp on the perf_counter line, anchored as it would be
    live: on the least (callback moment - delta sum) seen up to and including it; and
    that anchor (offset) at each message."""
    stamps, offsets = [], []
    total = 0.0
    offset = float("inf")
    for index, (arrived, delta, _data) in enumerate(read):
        total += delta if index else 0.0
        offset = min(offset, arrived - total)
        stamps.append(total + offset)
        offsets.append(offset)
    return stamps, offsets


def percentiles(errors_ms: list[float]) -> str:
    ordered = sorted(errors_ms)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    return (
        f"median {statistics.median(ordered):7.2f}  p90 {at(0.9):7.2f}  "
        f"p99 {at(0.99):7.2f}  max {ordered[-1]:7.2f}"
    )


def busy_loads(count: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(["nice", "-n", "10", sys.executable, "-c", "while True: pass"])
        for _ in range(count)
    ]


def gil_hog(stop: threading.Event) -> None:
    """Pure-Python work in bursts, as a window painting and quantizing would do."""
    while not stop.is_set():
        total = 0
        for value in range(20000):
            total += value * value
        stop.wait(0.002)


def gil_holder(stop: threading.Event, hold_ms: float) -> None:
    """Every 200 ms one builtin call that keeps the interpreter lock for about ``hold_ms``
    (``sum`` over a range runs in C and never lets the lock go): a stand-in for any
    extension call that does not release it. Not a measured cause: a demonstration."""
    count = 1_000_000
    began = time.perf_counter()
    sum(range(count))
    count = max(1, int(count * hold_ms / 1000 / (time.perf_counter() - began)))
    while not stop.wait(0.2):
        sum(range(count))


def measure(args: argparse.Namespace) -> None:
    loads = busy_loads(args.load)
    stop_hog = threading.Event()
    if args.gil_thread:
        threading.Thread(target=gil_hog, args=(stop_hog,), daemon=True).start()
    if args.gil_hold_ms:
        threading.Thread(target=gil_holder, args=(stop_hog, args.gil_hold_ms), daemon=True).start()
    try:
        with JackServer(period_frames=args.period).serving() as server:
            keys = subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--keys",
                    *("--seconds", str(args.seconds), "--seed", str(args.seed)),
                ],
                env=server.env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert keys.stdout.readline().strip() == "ready"
            reader = StampReader("jack", KEYS_PORT)
            keys.stdin.write("go\n")
            keys.stdin.flush()
            sent = json.loads(keys.stdout.readline())
            keys.wait(timeout=30)
            deadline = time.monotonic() + 10
            while len(reader.read) < len(sent) and time.monotonic() < deadline:
                time.sleep(0.05)
            reader.close()
    finally:
        stop_hog.set()
        for process in loads:
            process.kill()
            process.wait()
    read = reader.read
    expected = [data for _at, data in send_moments(args.seconds, args.seed)]
    got = [data for _a, _d, data in read]
    print(
        f"period {args.period} frames ({1000 * args.period / 48000:.2f} ms), "
        f"load {args.load}, gil thread {args.gil_thread}, gil hold {args.gil_hold_ms} ms: "
        f"{len(sent)} sent, {len(read)} read"
    )
    if got != expected[: len(got)] or len(got) != len(sent):
        print("messages lost or out of order: no figures")
        return
    current = [(arrived - moment) * 1000 for (arrived, _d, _b), moment in zip(read, sent)]
    stamps, offsets = jack_stamps(read)
    jack = [(stamp - moment) * 1000 for stamp, moment in zip(stamps, sent)]
    print(f"current  {percentiles(current[1:])}")
    print(f"jack     {percentiles(jack[1:])}  spread {max(jack[1:]) - min(jack[1:]):.2f}")
    # The anchor only falls; a fall after the first seconds is drift between the clocks.
    tenth = len(read) // 10
    print(
        "anchor fell "
        f"{(offsets[0] - offsets[-1]) * 1000:.3f} ms in all, "
        f"{(offsets[tenth] - offsets[-1]) * 1000:.3f} ms after the first tenth"
    )
    worst = max(range(1, len(read)), key=lambda i: current[i])
    print(
        f"worst current: message {worst} ({mido.Message.from_bytes(read[worst][2]).type}) "
        f"current {current[worst]:.1f} ms, jack {jack[worst]:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--period", type=int, default=64)
    parser.add_argument("--load", type=int, default=0, help="busy processes, niced, at most 2")
    parser.add_argument("--gil-thread", action="store_true")
    parser.add_argument("--gil-hold-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--keys", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.keys:
        run_keys(args.seconds, args.seed)
        return
    args.load = min(args.load, 2)
    measure(args)


if __name__ == "__main__":
    main()
