"""Where each long pause of the event loop went: a profiler for bench_train_window_gap.

A pause seen by the 1 ms timer (``GapMeter``) is blamed on what ran in it:

- *spans*: the window's own slots, timed around the call (``tick``, the log read, the
  plots' ``show_rows``/``paint_next``, the sample), and Python's garbage collections;
- *events*: every event the application dispatched (an application event filter notes
  the receiver and the event type; an event lasts until the next one is noted, so a
  paint of a plot shows as ``Paint -> QWidget(viewport of PlotWidget)``);
- the main thread's CPU time in the pause (``time.thread_time``) and its time runnable
  but waiting for a core (``/proc/self/task/TID/schedstat``): a pause with little CPU
  was the load of the machine, or the thread blocked, not our work;
- *stacks*: a thread samples the main thread's Python stack every 2 ms while the meter
  has not ticked for 20 ms (``sys._current_frames``), so a pause is named even where no
  span or event was noted (an import in a slot, work between two events); the innermost
  frames are shown, where C++ (a paint) was running the frame that called it.

It only observes: the window's behaviour is the same with it (the wrapping costs
microseconds a call).
"""

from __future__ import annotations

import gc
import math
import os
import resource
import sys
import threading
import time
from collections import Counter, deque

from bench_event_loop_gap import GapMeter
from PySide6.QtCore import QEvent, QObject

GAP_SECONDS = 0.030  # pauses longer than this are explained
SAMPLE_SECONDS = 0.002  # the stack sampler's period
SAMPLE_AFTER_SECONDS = 0.020  # it samples once the meter has not ticked for this long
STACK_FRAMES = 6  # the innermost frames of a sampled stack


class Timeline:
    """Spans and events with their times, the newest few thousand."""

    def __init__(self) -> None:
        self.spans: deque[tuple[str, float, float]] = deque(maxlen=20_000)
        self.events: deque[tuple[float, str]] = deque(maxlen=200_000)
        self._gc_started = 0.0
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            name = f"gc gen{info['generation']} ({info['collected']} freed)"
            self.spans.append((name, self._gc_started, time.perf_counter()))

    def wrap(self, owner: object, name: str, describe=None) -> None:
        """Time ``owner.name`` on every call (an instance or a class); ``describe(self)``
        adds which object it was (a plot's title)."""
        original = getattr(owner, name)
        label = f"{getattr(owner, '__name__', type(owner).__name__)}.{name}"

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                which = f"({describe(args[0])})" if describe and args else ""
                self.spans.append((label + which, started, time.perf_counter()))

        setattr(owner, name, timed)


class EventNotes(QObject):
    """An application event filter that notes each event's time, type and receiver."""

    def __init__(self, timeline: Timeline) -> None:
        super().__init__()
        self.timeline = timeline

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
        parent = watched.parent()
        where = type(watched).__name__ + (f"<{type(parent).__name__}" if parent else "")
        self.timeline.events.append((time.perf_counter(), f"{event.type().name} {where}"))
        return False


def _run_delay_seconds(schedstat: int) -> float:
    """How long the main thread has waited for a core, runnable (Linux schedstat)."""
    if schedstat < 0:
        return math.nan
    return int(os.pread(schedstat, 100, 0).split()[1]) / 1e9


class ProfiledGapMeter(GapMeter):
    """A GapMeter that keeps every pause over ``GAP_SECONDS`` with the main thread's CPU
    and, on Linux, its wait for a core: a pause neither explains was spent blocked."""

    def __init__(self) -> None:
        super().__init__()
        path = f"/proc/self/task/{threading.get_native_id()}/schedstat"
        self._schedstat = os.open(path, os.O_RDONLY) if os.path.exists(path) else -1
        self.gaps: list[tuple] = []  # start, end, cpu, wait, page faults read from disk
        self.stacks: deque[tuple[float, str]] = deque(maxlen=100_000)  # (time, stack)
        self._main = threading.main_thread().ident
        self.reset()
        threading.Thread(target=self._sample, daemon=True, name="stack sampler").start()

    def _sample(self) -> None:
        """While the main thread has not ticked for a while, note where it is."""
        while True:
            time.sleep(SAMPLE_SECONDS)
            now = time.perf_counter()
            if now - self.last < SAMPLE_AFTER_SECONDS:
                continue
            frame = sys._current_frames().get(self._main)
            names = []
            while frame is not None and len(names) < STACK_FRAMES:
                code = frame.f_code
                names.append(f"{os.path.basename(code.co_filename)}:{code.co_name}")
                frame = frame.f_back
            self.stacks.append((now, " < ".join(names)))

    def reset(self) -> None:
        super().reset()
        self.gaps = []
        self._cpu, self._wait = time.thread_time(), _run_delay_seconds(self._schedstat)
        self._faults = resource.getrusage(resource.RUSAGE_THREAD).ru_majflt

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        wait = _run_delay_seconds(self._schedstat)
        faults = resource.getrusage(resource.RUSAGE_THREAD).ru_majflt
        if now - self.last > GAP_SECONDS:
            gap = (self.last, now, cpu - self._cpu, wait - self._wait, faults - self._faults)
            self.gaps.append(gap)
        self._cpu, self._wait, self._faults = cpu, wait, faults
        super()._tick()


def explain(meter: ProfiledGapMeter, timeline: Timeline, label: str) -> list[str]:
    """One line a pause: its length, its CPU, and the spans and events that filled it."""
    lines = [f"{label}: {len(meter.gaps)} pauses over {1000 * GAP_SECONDS:.0f} ms"]
    events = list(timeline.events)
    stacks = list(meter.stacks)  # (copied in one call: the sampler adds while we explain)
    for start, end, cpu, wait, faults in meter.gaps:
        parts = []
        spans = [s for s in timeline.spans if s[2] > start and s[1] < end]
        for name, s0, s1 in sorted(spans, key=lambda s: s[1] - s[2])[:5]:
            parts.append(f"{name} {1000 * (min(s1, end) - max(s0, start)):.1f}")
        inside = [i for i, (t, _) in enumerate(events) if start <= t < end]
        timed = []
        for i in inside:
            t, what = events[i]
            t_next = events[i + 1][0] if i + 1 < len(events) else end
            timed.append((min(t_next, end) - t, what))
        for seconds, what in sorted(timed, reverse=True)[:3]:
            parts.append(f"[{what} {1000 * seconds:.1f}]")
        lines.append(
            f"  {1000 * (end - start):6.1f} ms (main thread CPU {1000 * cpu:5.1f} ms, "
            f"waiting for a core {1000 * wait:5.1f} ms, {faults} page faults from disk): "
            + ("; ".join(parts) or "nothing noted")
        )
        sampled = Counter(stack for t, stack in stacks if start <= t <= end)
        for stack, count in sampled.most_common(3):
            lines.append(f"      {count} samples in {stack}")
    return lines
