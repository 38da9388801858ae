"""How soon a volume or an instrument set while playing reaches the port, and how a
slider drag is coalesced (``Player.set_controls``, docs/app.md "Session 18b").

A recording port stands in for the MIDI output; the player plays a two-part tune at
240 BPM, looping. (a) 40 single changes, 0.1 s apart: from ``set_controls`` to the port's
``send``. (b) A drag: 106 volume values, one every ``--step-ms`` (0: back to back), then
how many messages went out, over how long, and the last value. The figures judge the
mend; CONTROL_INTERVAL_SECONDS was set from the DIN cable's bandwidth, not from them.

    .venv/bin/python benchmarks/bench_live_controls.py [--step-ms 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import mido

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from composer_gui.core.arrangement import Arrangement, Note, Track  # noqa: E402
from composer_gui.core.playback import (  # noqa: E402
    CONTROL_INTERVAL_SECONDS,
    Player,
    schedule_from_arrangement,
)


class Port:
    def __init__(self) -> None:
        self.sent: list[tuple[float, mido.Message]] = []

    def send(self, message: mido.Message) -> None:
        self.sent.append((time.perf_counter(), message))


def tune() -> Arrangement:
    notes = [Note(72, b / 2, 0.45, 90) for b in range(16)]
    bass = [Note(40, float(b), 0.9, 90) for b in range(8)]
    tracks = [Track("melody", notes, 73, 0, volume=127), Track("bass", bass, 32, 1, volume=127)]
    return Arrangement(tracks, tempo_bpm=240.0)


def cc7(value: int) -> mido.Message:
    return mido.Message("control_change", channel=1, control=7, value=value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step-ms", type=float, default=2.0)
    args = parser.parse_args()
    port = Port()
    player = Player(port, schedule_from_arrangement(tune()), loop=True)
    player.start()
    try:
        time.sleep(0.2)
        delays = []
        for i in range(40):
            value = 10 + i
            asked = time.perf_counter()
            player.set_controls([cc7(value)])
            time.sleep(0.1)
            sent = next(
                t
                for t, m in port.sent
                if t >= asked and m.type == "control_change" and m.control == 7 and m.value == value
            )
            delays.append((sent - asked) * 1000)
        began = time.perf_counter()
        for value in range(126, 20, -1):
            player.set_controls([cc7(value)])
            if args.step_ms:
                time.sleep(args.step_ms / 1000)
        dragged = time.perf_counter() - began
        time.sleep(0.2)
    finally:
        player.stop()
    drag = [
        (t, m.value)
        for t, m in port.sent
        if t >= began and m.type == "control_change" and m.control == 7 and m.channel == 1
    ]
    print(f"interval {CONTROL_INTERVAL_SECONDS * 1000:.0f} ms")
    print(
        f"(a) single change to the port: median {statistics.median(delays):.2f} ms, "
        f"max {max(delays):.2f} ms over {len(delays)}"
    )
    print(
        f"(b) drag of 106 values over {dragged * 1000:.0f} ms: {len(drag)} sent "
        f"over {(drag[-1][0] - drag[0][0]) * 1000:.0f} ms, last value {drag[-1][1]}"
    )


if __name__ == "__main__":
    main()
