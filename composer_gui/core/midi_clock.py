"""Following a DAW's MIDI clock: its tempo and whether its transport is running.

Sending clock is the ``Player``'s job (``send_clock=True``). This side listens: feed it
every message from the DAW's port with the moment it arrived (from mido's callback) and
read ``tempo_bpm`` and ``running``; ``on_start`` / ``on_stop`` fire on the transport keys.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import deque
from collections.abc import Callable

import mido

from composer_gui.core.playback import CLOCKS_PER_BEAT


class TickLine:
    """A DAW's clock ticks since its start, as moments (``perf_counter`` times)."""

    def __init__(self, ticks: tuple[float, ...]) -> None:
        self.ticks = ticks
        self.mean_spacing = (ticks[-1] - ticks[0]) / (len(ticks) - 1)

    def beats_at(self, moment: float) -> float:
        """Where the transport was at ``moment``, in beats from the start's first tick:
        between two ticks by the time between them; before the first at the mean tick
        spacing; after the last, at most one tick on (a running DAW would have sent the
        next tick: a message that arrives later was held up on its way)."""
        ticks = self.ticks
        index = bisect.bisect_right(ticks, moment) - 1
        if index < 0:
            clocks = (moment - ticks[0]) / self.mean_spacing
        elif index >= len(ticks) - 1:
            clocks = index + min(1.0, (moment - ticks[index]) / self.mean_spacing)
        else:
            spacing = ticks[index + 1] - ticks[index]
            clocks = index + ((moment - ticks[index]) / spacing if spacing > 0 else 0.0)
        return clocks / CLOCKS_PER_BEAT


class ClockFollower:
    """Tempo from the spacing of incoming clock ticks; transport from start/stop/continue."""

    def __init__(
        self,
        on_start: Callable[[float], None] | None = None,
        on_stop: Callable[[float], None] | None = None,
    ) -> None:
        self.on_start = on_start
        self.on_stop = on_stop
        self.running = False
        self.ticks_since_start = 0
        # The last beat's worth of tick times: one beat smooths MIDI jitter without lagging.
        self._tick_times: deque[float] = deque(maxlen=CLOCKS_PER_BEAT + 1)
        # Every tick since the last start: a take following the DAW is placed by them
        # (``beats_at``), not by one beat's tempo times the seconds (a few ms of jitter on
        # that beat's ticks moved a take's last note a sixteenth).
        self._ticks_since_start: list[float] = []
        self._lock = threading.Lock()

    def feed(self, message: mido.Message, arrived: float | None = None) -> None:
        """Take one message (call from the input callback); other message types are ignored."""
        arrived = time.perf_counter() if arrived is None else arrived
        callback = None
        with self._lock:
            if message.type == "clock":
                self._tick_times.append(arrived)
                if self.running:
                    self.ticks_since_start += 1
                    self._ticks_since_start.append(arrived)
            elif message.type == "start":
                self.running = True
                self.ticks_since_start = 0
                self._ticks_since_start = []
                callback = self.on_start
            elif message.type == "continue":
                self.running = True
                callback = self.on_start
            elif message.type == "stop":
                self.running = False
                callback = self.on_stop
        if callback is not None:
            callback(arrived)

    @property
    def tempo_bpm(self) -> float | None:
        """The DAW's tempo, or None until two ticks have arrived."""
        with self._lock:
            if len(self._tick_times) < 2:
                return None
            span = self._tick_times[-1] - self._tick_times[0]
            intervals = len(self._tick_times) - 1
        if span <= 0:
            return None
        return 60.0 / (span / intervals * CLOCKS_PER_BEAT)

    @property
    def tempo_since_start_bpm(self) -> float | None:
        """The DAW's tempo over every tick since its start (None before two): steadier than
        ``tempo_bpm``'s last beat for measuring a whole take."""
        line = self.tick_line()
        return None if line is None else 60.0 / (line.mean_spacing * CLOCKS_PER_BEAT)

    def tick_line(self) -> TickLine | None:
        """The ticks since the start as they are now (None before two): where the DAW's
        transport was at any moment of them."""
        with self._lock:
            ticks = tuple(self._ticks_since_start)
        if len(ticks) < 2 or ticks[-1] <= ticks[0]:
            return None
        return TickLine(ticks)

    @property
    def position_beats(self) -> float:
        """Beats played since the last start, by counting ticks."""
        return self.ticks_since_start / CLOCKS_PER_BEAT


class ClockInput:
    """A DAW's clock port opened and fed to a ``ClockFollower``: what the window's
    transport follows. ``on_start``/``on_stop`` run on the driver's thread (a GUI must
    hand them to its own); ``close`` releases the port."""

    def __init__(
        self,
        port_name: str,
        api: str | None = None,
        on_start: Callable[[float], None] | None = None,
        on_stop: Callable[[float], None] | None = None,
    ) -> None:
        from composer_gui.core import midi_io  # playback must import without a MIDI driver

        self.port_name = port_name
        self.follower = ClockFollower(on_start=on_start, on_stop=on_stop)
        follower = self.follower
        # Raises MidiPortError (one sentence naming the port) if it is not there.
        self._port = midi_io.open_input(port_name, lambda message: follower.feed(message), api=api)

    @property
    def tempo_bpm(self) -> float | None:
        return self.follower.tempo_bpm

    @property
    def running(self) -> bool:
        return self.follower.running

    def close(self) -> None:
        if self._port is not None:
            from composer_gui.core import midi_io

            midi_io.close_input(self._port)
            self._port = None
