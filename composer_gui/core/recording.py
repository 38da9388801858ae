"""Recording a melody from a MIDI input: metronome, count-in, timestamps, pedal, thru.

Each message is stamped with ``time.perf_counter`` inside mido's callback, the moment it
arrives (no polling), and passed straight on to the thru output so the player hears
themselves. The metronome is a ``Player`` of click notes, so the clicks and the bar grid
the notes are measured against share one clock. After the last bar the take is turned
into notes (the sustain pedal holds released notes until it lifts) and quantized by the
music core into a one-track ``Arrangement``.

One ``Recorder`` serves the command line and the window: the window's ``ui/take.Take``
only observes it (count-in, playhead, the end) and feeds it the on-screen keys through
``play``. If the input disappears mid-take, the notes so far are kept, ``on_problem`` gets
one sentence, and recording goes on when the port comes back or ``switch_input`` names
another.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import mido

from composer_gui.core import midi_io
from composer_gui.core.arrangement import Arrangement
from composer_gui.core.errors import ComposerError, MidiPortError
from composer_gui.core.midi_clock import ClockFollower
from composer_gui.core.playback import Player, Schedule
from composer_gui.core.take_notes import (  # the take's rules, named here for the CLI and tests
    CLICK_ACCENT_NOTE,
    CLICK_NOTE,
    SUSTAIN_PEDAL,
    RecordingSetup,
    TakeProgress,
    TakeSoFar,
    click_schedule,
    count_in_clicks,
    count_in_lead_in,
    notes_from_messages,
    take_beats,
    take_so_far,
    take_to_arrangement,
)

log = logging.getLogger(__name__)

CLICK_LEAD_SECONDS = 0.05
# What MIDI thru passes on: what the player plays, not a DAW's clock or transport.
THRU_TYPES = frozenset({"note_on", "note_off", "control_change", "pitchwheel", "aftertouch"})

__all__ = [
    "CLICK_ACCENT_NOTE",
    "CLICK_NOTE",
    "Metronome",
    "PortMetronome",
    "Recorder",
    "RecordingSetup",
    "TakeSoFar",
    "click_schedule",
    "count_in_clicks",
    "lost_sentence",
    "silent_clicks_sentence",
    "notes_from_messages",
    "count_in_lead_in",
    "take_beats",
    "take_to_arrangement",
]


class Metronome(Protocol):
    """Where the clicks sound: a MIDI port (``PortMetronome``) or the window's built-in synth."""

    def start(self, schedule: Schedule, at: float) -> float:
        """Start clicking with beat 0 at perf_counter moment ``at``; return the moment beat
        0 really sounds (an output that cannot start in the future starts now)."""
        ...

    def stop(self) -> None: ...


class PortMetronome:
    """Clicks as MIDI notes on an open output, from a ``Player`` of the click schedule."""

    def __init__(self, output: mido.ports.BaseOutput) -> None:
        self.output = output
        self._player: Player | None = None

    def start(self, schedule: Schedule, at: float) -> float:
        self._player = Player(self.output, schedule)
        self._player.start(at=at)
        return at

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()
            self._player = None


def lost_sentence(input_name: str, can_choose_another: bool = False) -> str:
    """What the musician is told, once, when the keyboard goes away mid-take."""
    resume = "when it comes back"
    if can_choose_another:
        resume += " or when you choose another input"
    return (
        f"The MIDI input '{input_name}' disappeared; the notes recorded so far are kept, "
        f"and recording goes on {resume}."
    )


def silent_clicks_sentence(reason: str) -> str:
    """What the musician is told when the clicks cannot start (the output chosen for them
    gone at Record): the take runs on without them, and ``reason`` says why."""
    reason = reason.strip().rstrip(".")
    if reason[:1].isupper() and reason[1:2].islower():  # "The MIDI output ...", not "MIDI"
        reason = reason[0].lower() + reason[1:]
    return f"Recording goes on without clicks ({reason})."


class Recorder:
    """One take from a named input (or none), timed against its own metronome.

    ``metronome`` (or, for the command line, ``click_output``) sounds the clicks (None:
    silent, the grid still runs); ``thru_output`` gets every message played, as it
    arrives; with ``clock_input`` the take follows a DAW's MIDI clock: it starts on the
    DAW's start and ends on its stop. ``play`` adds notes from the on-screen keys.
    ``on_problem`` runs on a driver's thread; a GUI must hand it to its own.
    """

    def __init__(
        self,
        input_name: str,
        setup: RecordingSetup,
        api: str | None = None,
        click_output: mido.ports.BaseOutput | None = None,
        thru_output: mido.ports.BaseOutput | None = None,
        on_problem: Callable[[str], None] | None = None,
        clock_input: str | None = None,
        metronome: Metronome | None = None,
        can_choose_another: bool = False,
    ) -> None:
        self.input_name = input_name
        # Following a DAW: bar 1 is its transport start (no count-in of ours), and its stop
        # ends the take. The DAW may send clock on the keyboard's port or on its own.
        self.clock_input = clock_input
        self._follower = (
            ClockFollower(on_start=self._daw_started, on_stop=self._daw_stopped)
            if clock_input is not None
            else None
        )
        self._clock_port: mido.ports.BaseInput | None = None
        self.setup = setup
        self.api = api  # resolved when a port opens: the on-screen keys need no MIDI system
        if metronome is None and click_output is not None:
            metronome = PortMetronome(click_output)
        self.metronome = metronome
        self.thru_output = thru_output
        self.on_problem = on_problem
        self.can_choose_another = can_choose_another
        self.problems: list[str] = []
        self._stamped: list[tuple[float, mido.Message]] = []
        self._lock = threading.Lock()
        # what the input holds down now ({pitch: channel}, the sustain pedal's channel or
        # None), so a keyboard that vanishes mid-note does not leave it sounding to the end
        self._held: dict[int, int] = {}
        self._pedal_channel: int | None = None
        self._ports_lock = threading.RLock()  # the watch's thread reopens what stop() closes
        self._input: mido.ports.BaseInput | None = None
        self._watch: midi_io.PortWatch | None = None
        self._running = False  # between start() and stop(): the on-screen keys count
        self._started = threading.Event()  # bar 1's moment is known
        self._done = threading.Event()
        self._ender: threading.Thread | None = None  # ends the take after its last bar
        self.bar_one_time = 0.0  # perf_counter moment of beat 0 of the take
        self.end_time = 0.0
        self._progress: TakeProgress | None = None  # so_far's notes, kept up to date

    # -- arriving messages (rtmidi's thread, or the window's for ``play``) ---------------

    def _on_message(self, message: mido.Message) -> None:
        arrived = time.perf_counter()
        if self._follower is not None and self.clock_input == self.input_name:
            self._follower.feed(message, arrived)
        self._stamp(arrived, message)  # first: nothing may come between arrival and stamp
        self._hold(message)
        if self.thru_output is not None and message.type in THRU_TYPES:
            try:
                self.thru_output.send(message)
            except Exception as error:  # noqa: BLE001 - a failing thru must not lose the take
                log.warning("MIDI thru failed: %s", error)

    def _hold(self, message: mido.Message) -> None:
        """Keep what the input holds down (the on-screen keys are not the input's)."""
        with self._lock:
            if message.type == "note_on" and message.velocity > 0:
                self._held[message.note] = message.channel
            elif message.type in ("note_on", "note_off"):
                self._held.pop(message.note, None)
            elif message.type == "control_change" and message.control == SUSTAIN_PEDAL:
                self._pedal_channel = message.channel if message.value >= 64 else None

    def _let_go(self, moment: float) -> None:
        """The input went away or another was chosen: what it held is released at
        ``moment`` (its note-offs and pedal lift never come), not held to the end."""
        with self._lock:
            for pitch, channel in sorted(self._held.items()):
                self._stamped.append(
                    (moment, mido.Message("note_off", note=pitch, channel=channel))
                )
            if self._pedal_channel is not None:
                lift = mido.Message(
                    "control_change", control=SUSTAIN_PEDAL, value=0, channel=self._pedal_channel
                )
                self._stamped.append((moment, lift))
            self._held, self._pedal_channel = {}, None

    def play(self, message: mido.Message) -> None:
        """A note from the on-screen piano or the letter keys, stamped now."""
        if self._running:
            self._stamp(time.perf_counter(), message)

    def _stamp(self, arrived: float, message: mido.Message) -> None:
        if message.type not in ("note_on", "note_off", "control_change"):
            return
        with self._lock:
            self._stamped.append((arrived, message))
        if (
            self.setup.start_on_first_note
            and not self._started.is_set()
            and message.type == "note_on"
            and message.velocity > 0
        ):
            self._begin(arrived)

    # -- the take ---------------------------------------------------------------------------

    def _begin(self, bar_one_time: float) -> None:
        """Fix the moment of bar 1 and start the clicks and the end timer from it."""
        setup = self.setup
        count_in_seconds = setup.seconds(setup.count_in_beats)
        if self.metronome is not None:
            try:
                # Bar 1 is counted from the first click as it really sounds.
                first_click = self.metronome.start(
                    click_schedule(setup), at=bar_one_time - count_in_seconds
                )
                bar_one_time = first_click + count_in_seconds
            except (ComposerError, OSError, RuntimeError, ValueError) as error:
                # No click is no reason to lose a take, but the musician waiting for a
                # count-in must be told why none comes (session 21's walk).
                log.warning("Metronome could not start: %s", error)
                self._problem(silent_clicks_sentence(str(error)))
        self.bar_one_time = bar_one_time
        self.end_time = bar_one_time + setup.seconds(setup.length_beats)
        self._started.set()

    def _daw_started(self, arrived: float) -> None:
        if self._started.is_set():
            return
        tempo_bpm = self._follower.tempo_bpm if self._follower is not None else None
        # The DAW's own tempo when its clock ran before the start; else the one we were given.
        self.setup = dataclasses.replace(
            self.setup,
            count_in_bars=0,
            tempo_bpm=round(tempo_bpm, 1) if tempo_bpm else self.setup.tempo_bpm,
        )
        self._begin(arrived)

    def _daw_stopped(self, arrived: float) -> None:
        if not self._started.is_set():
            return
        # A DAW that sends no clock while stopped has its tempo known only now: the take
        # is measured at the tempo its clock ran at, over the whole take (its last beat
        # alone was a few ms of jitter from a sixteenth wrong at the end of a take).
        follower = self._follower
        tempo_bpm = None
        if follower is not None:
            tempo_bpm = follower.tempo_since_start_bpm or follower.tempo_bpm
        if tempo_bpm:
            self.setup = dataclasses.replace(self.setup, tempo_bpm=round(tempo_bpm, 1))
        self._done.set()

    def _end_after_last_bar(self) -> None:
        """The ender thread: once bar 1 is fixed, end the take after its last bar. Started
        with the take, so the driver's callback does no more than stamp and pass on: a
        JACK callback that blocks loses the rest of its cycle's messages."""
        while not self._started.wait(0.05):
            if self._done.is_set():
                return
        self._done.wait(max(0.0, self.end_time - time.perf_counter()))
        self._done.set()

    def start(self) -> None:
        """Open the input and start the count-in (or wait for the first note or the DAW)."""
        self._open_input(self.input_name)
        self._running = True
        self._ender = threading.Thread(
            target=self._end_after_last_bar, name="take-end", daemon=True
        )
        self._ender.start()
        if self._follower is not None:
            if self.clock_input != self.input_name:
                follower = self._follower
                self._clock_port = midi_io.open_input(
                    self.clock_input, lambda message: follower.feed(message), api=self.api
                )
            return
        if not self.setup.start_on_first_note:
            # A little lead so the first click is not sent while ports are still settling;
            # without clicks, bar 1 is now (the on-screen keys may play at once).
            now = time.perf_counter() + (CLICK_LEAD_SECONDS if self.metronome else 0.0)
            self._begin(now + self.setup.seconds(self.setup.count_in_beats))

    def _open_input(self, name: str) -> None:
        """Open ``name`` (raises MidiPortError) and watch it; "" records from no port."""
        with self._ports_lock:
            self.input_name = name
            if not name:
                return
            self.api = midi_io.resolve_api(self.api)
            self._input = midi_io.open_input(name, self._on_message, api=self.api)
            self._watch = midi_io.PortWatch(
                name, True, self.api, on_lost=self._lost, on_back=self._back
            )

    def _close_input(self) -> None:
        with self._ports_lock:
            watch, self._watch = self._watch, None
            port, self._input = self._input, None
        if watch is not None:
            watch.close()
        if port is not None:
            midi_io.close_input(port)

    def switch_input(self, name: str) -> None:
        """Go on recording from another input (or none); the notes so far are kept.
        Raises MidiPortError, with the take still running, if ``name`` cannot be opened."""
        if name == self.input_name and self._input is not None:
            return
        self._close_input()
        # what the old input held would sound to the end: its note-offs no longer come
        self._let_go(time.perf_counter())
        self._open_input(name)

    def _lost(self) -> None:
        self._let_go(time.perf_counter())
        self._problem(lost_sentence(self.input_name, self.can_choose_another))

    def _problem(self, message: str) -> None:
        """One sentence for the musician; the take goes on."""
        self.problems.append(message)
        if self.on_problem is not None:
            self.on_problem(message)

    def _back(self) -> None:
        with self._ports_lock:
            old, self._input = self._input, None
            if old is not None:
                midi_io.close_input(old)
            if not self._running:
                return
            # Gone again before we could reopen it: the watch will notice and say so.
            with contextlib.suppress(MidiPortError):
                self._input = midi_io.open_input(self.input_name, self._on_message, api=self.api)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the last bar has passed (or ``stop()``); True when the take is over."""
        return self._done.wait(timeout)

    @property
    def started(self) -> bool:
        """Bar 1's moment is known (False while waiting for the first note or the DAW)."""
        return self._started.is_set()

    def beats_now(self) -> float:
        """Beats from bar 1 now (negative in the count-in): the window's playhead."""
        return (time.perf_counter() - self.bar_one_time) * self.setup.tempo_bpm / 60.0

    def stop(self) -> None:
        """End the take now (or at its natural end) and release the ports we opened."""
        self._running = False
        self._done.set()
        if self.metronome is not None:
            self.metronome.stop()
        self._close_input()
        if self._clock_port is not None:
            midi_io.close_input(self._clock_port)
            self._clock_port = None
        stopped = time.perf_counter()
        if not self._started.is_set():
            self.end_time = self.bar_one_time = stopped
        else:
            self.end_time = min(self.end_time, stopped)

    def __enter__(self) -> Recorder:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- results ----------------------------------------------------------------------------

    def _placed(self) -> tuple[list[tuple[float, mido.Message]], float]:
        """The messages and the end, as moments on the take's own tempo line from bar 1.

        Following a DAW, each moment is first placed by the DAW's clock ticks (where its
        transport was when the message came, ``ClockFollower.beats_at``), so a take is
        barred as the DAW played it, whatever the jitter of any one tick."""
        with self._lock:
            stamped = list(self._stamped)
        line = self._follower.tick_line() if self._follower is not None else None
        if line is None:
            return stamped, self.end_time
        seconds_a_beat = 60.0 / self.setup.tempo_bpm

        def placed(moment: float) -> float:
            return self.bar_one_time + line.beats_at(moment) * seconds_a_beat

        return [(placed(moment), message) for moment, message in stamped], placed(self.end_time)

    def arrangement(self, ending_now: bool = False) -> Arrangement:
        """The take quantized to the grid (see ``take_to_arrangement``). ``ending_now``:
        as it would be were it to end now, a note still held ending now (the autosave of
        a take in progress); empty before bar 1's moment is known."""
        stamped, end = self._placed()
        if ending_now:
            if not self._started.is_set():
                return take_to_arrangement([], 0.0, 0.0, self.setup)
            # a DAW's take is placed on its own line: its end stays the planned one
            if self._follower is None:
                end = min(end, time.perf_counter())
        return take_to_arrangement(stamped, self.bar_one_time, end, self.setup)

    def so_far(self) -> TakeSoFar:
        """The take now, as the window's roll draws it while recording (``take_so_far``):
        the count-in's bars before bar 1 and the notes played, into the count-in too.
        No notes before bar 1's moment is known (waiting for the first note or a DAW,
        whose start is bar 1: no count-in bar is drawn then)."""
        if not self._started.is_set():
            waiting = self.setup
            if self._follower is not None:
                waiting = dataclasses.replace(waiting, count_in_bars=0)
            return take_so_far([], 0.0, 0.0, waiting)
        progress = self._progress
        if progress is None or (progress.bar_one_time, progress.setup) != (
            self.bar_one_time,
            self.setup,
        ):  # the first call, or a DAW's stop re-timed the take
            progress = self._progress = TakeProgress(self.bar_one_time, self.setup)
        with self._lock:
            arrived = self._stamped[progress.fed :]
        progress.feed(arrived)
        return progress.at(min(time.perf_counter(), self.end_time))

    def lead_in_beats(self) -> float:
        """Beats of the count-in the take keeps before bar 1 (``count_in_lead_in``): a
        bar when a pickup was played into it, which the metronome bars, else 0."""
        stamped, end = self._placed()
        timed = take_beats(stamped, self.bar_one_time, end, self.setup)
        return count_in_lead_in(timed, self.setup)
