"""How long the window's 15 ms recording tick spends on the take so far, late in a long take.

    .venv/bin/python benchmarks/bench_take_so_far.py [--minutes 5] [--ticks 400] [--against REV]

While a take records, ``ui/take.Take`` asks ``Recorder.so_far()`` every 15 ms and sends
the roll the take again when it differs from the one shown. Until this session that
derived every note from the take's first message on each tick (``take_so_far``); now a
``take_notes.TakeProgress`` is fed the messages as they arrive and converts an ended note
once. The take: running sixteenths at 120 BPM in 4/4 for ``--minutes`` (8 notes a second,
2,400 in 5 minutes), each held nine tenths of its sixteenth. Timed from the last minute's
start: ``--ticks`` ticks, each its messages arriving, the take asked and compared with
the one shown (what the window's tick does besides drawing).

Printed, milliseconds a tick (mean, median, 90th percentile, worst: most ticks of the
take fed as it arrives find nothing new; a step or a message later it builds the take):
the take fed as it arrives (what ``Recorder.so_far`` now does), the whole take derived
afresh each tick (``take_so_far``), and with ``--against REV`` (e.g. c48c407) that
commit's ``take_so_far``, read from git, in the same run. Under load the figures are
ratios against each other, not latencies.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mido  # noqa: E402

from composer_gui.core.take_notes import RecordingSetup, TakeProgress, take_so_far  # noqa: E402

BAR_ONE = 1000.0  # the perf_counter moment of bar 1, in the take's own clock
TICK_SECONDS = 0.015


def running_sixteenths(setup: RecordingSetup, seconds: float) -> list[tuple[float, mido.Message]]:
    """Stamped note ons and offs: a sixteenth each, legato (off just before the next on)."""
    sixteenth = 60.0 / setup.tempo_bpm / 4
    stamped = []
    for i in range(int(seconds / sixteenth)):
        start = BAR_ONE + i * sixteenth
        pitch = 60 + (i * 5) % 24
        stamped.append((start, mido.Message("note_on", note=pitch, velocity=80)))
        stamped.append((start + sixteenth * 0.9, mido.Message("note_off", note=pitch)))
    return stamped


def old_take_so_far(rev: str):
    """``take_so_far`` as commit ``rev`` wrote it (its module, read from git)."""
    source = subprocess.run(
        ["git", "show", f"{rev}:composer_gui/core/take_notes.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "take_notes_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("take_notes_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module.take_so_far, module.RecordingSetup


def ticks(stamped, start: float, n: int, ask) -> list[float]:
    """Milliseconds of ``n`` ticks from ``start``: ``ask(arrived, now)`` then the window's
    comparison with the take shown."""
    fed = next(i for i, (seconds, _) in enumerate(stamped) if seconds > start)
    shown, times = None, []
    now = start
    for _ in range(n):
        now += TICK_SECONDS
        arrived_to = fed
        while arrived_to < len(stamped) and stamped[arrived_to][0] <= now:
            arrived_to += 1
        began = time.perf_counter()
        so_far = ask(stamped, fed, arrived_to, now)
        if so_far != shown:
            shown = so_far
        times.append((time.perf_counter() - began) * 1000)
        fed = arrived_to
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--ticks", type=int, default=400)
    parser.add_argument("--against", default=None, metavar="REV")
    args = parser.parse_args()
    setup = RecordingSetup(120.0, int(args.minutes * 30), (4, 4), 1)  # 30 bars a minute
    seconds = args.minutes * 60
    stamped = running_sixteenths(setup, seconds)
    start = BAR_ONE + seconds - 60.0  # the last minute
    print(
        f"{args.minutes:g}-minute take of running sixteenths at 120 BPM: "
        f"{len(stamped) // 2} notes; {args.ticks} ticks of {TICK_SECONDS * 1000:g} ms "
        "from its last minute"
    )

    progress = TakeProgress(BAR_ONE, setup)
    fed_first = next(i for i, (s, _) in enumerate(stamped) if s > start)
    progress.feed(stamped[:fed_first])  # what the take had fed and drawn by then
    progress.at(start)

    def fed_as_it_arrives(stamped, fed, arrived_to, now):
        progress.feed(stamped[fed:arrived_to])
        return progress.at(now)

    def derived_afresh(stamped, fed, arrived_to, now):
        return take_so_far(stamped[:arrived_to], BAR_ONE, now, setup)

    rows = [("fed as it arrives (now)", fed_as_it_arrives), ("derived afresh", derived_afresh)]
    if args.against:
        before, before_setup = old_take_so_far(args.against)
        old_setup = before_setup(120.0, setup.bars, (4, 4), 1)

        def derived_before(stamped, fed, arrived_to, now):
            return before(stamped[:arrived_to], BAR_ONE, now, old_setup)

        rows.append((f"derived afresh at {args.against} (before)", derived_before))
    medians = {}
    for label, ask in rows:
        times = ticks(stamped, start, args.ticks, ask)
        medians[label] = statistics.mean(times)
        p90 = statistics.quantiles(times, n=10)[-1]
        print(
            f"  {label:38s} mean {medians[label]:7.3f} ms, median {statistics.median(times):7.3f}"
            f", 90th percentile {p90:7.3f}, worst {max(times):7.3f} ms"
        )
    base = medians[rows[-1][0]]
    print(f"  mean ratio, {rows[-1][0]} / fed as it arrives: {base / medians[rows[0][0]]:.0f}x")


if __name__ == "__main__":
    main()
