"""The playback scheduler: sends an arrangement or a MIDI file to a port on time.

Music is held in beats (exact, tempo-independent) and turned into seconds by the one
tempo map (``core/tempo_map.py``). One thread sends each event at an absolute moment of
``time.perf_counter`` (a monotonic clock): it sleeps until ~1.5 ms before the moment,
then spins, so errors never accumulate the way a sleep per event does (see
benchmarks/bench_scheduler.py). A tempo change while playing re-anchors the clock at
the current position. Stopping, and leaving the program, sends a note-off for every
sounding note and all-notes-off on every channel used, so nothing hangs in the synth or
the DAW.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import math
import os
import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import mido

from composer_gui.core.tempo_map import TempoMap
from models.pianoroll import Meter

SPIN_SECONDS = 0.0015
"""How long before an event the thread stops sleeping and spins: covers the OS's wake-up lag."""

START_LEAD_SECONDS = 0.01
"""Beat 0 of ``start()`` without a moment: this far ahead, so the first notes are on time too."""

EXIT_DRAIN_SECONDS = 0.3
"""How long leaving the program while playing waits for the driver to deliver the
note-offs (JACK and ALSA send on their next cycle; the port closes when the process ends).
50 ms was many cycles on an idle machine, but on a loaded one a cycle came later and the
note-offs were lost (session 19's stress runs, docs/testing-timing.md): a note left
hanging in the musician's synth or DAW. A third of a second more on quitting mid-play is
not felt."""

NOW = float("-inf")
"""``replace_schedule``'s moment meaning "as soon as the thread can": a mute or a solo."""

CONTROL_INTERVAL_SECONDS = 0.02
"""The least time between two values of one control sent live (``Player.set_controls``):
a volume slider dragged through a hundred values in a moment sends at most 50 of them a
second (a DIN MIDI cable carries about 1,000 messages a second, the notes' too), and its
last value always."""

CLOCKS_PER_BEAT = 24  # MIDI clock resolution, fixed by the MIDI standard
ALL_NOTES_OFF = 123  # control change number
DRUM_CHANNEL = 9  # General MIDI percussion, "channel 10" to musicians


@dataclass(frozen=True)
class TimedMessage:
    """One message at a position in beats."""

    beat: float
    message: mido.Message


def _order(message: mido.Message) -> int:
    """Within one instant: setup first, then note-offs (so a repeated note retriggers), then ons."""
    if message.type == "start":  # transport start leads everything at beat 0
        return -1
    if message.type in ("program_change", "control_change"):
        return 0
    if _is_note_off(message):
        return 1
    return 2


@dataclass
class Schedule:
    """What the player plays: messages in beats, the tempo map, and the loop length."""

    events: list[TimedMessage]
    tempo: TempoMap
    length_beats: float
    channels: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.events.sort(key=lambda e: (e.beat, _order(e.message)))
        self.channels |= {e.message.channel for e in self.events if hasattr(e.message, "channel")}

    def seconds(self, tempo_bpm: float | None = None) -> float:
        """How long one pass lasts; at ``tempo_bpm`` when the player is told to play at it
        (``Player.set_tempo``: every tempo of the piece scaled by the same ratio)."""
        seconds = self.tempo.seconds_at(self.length_beats)
        if tempo_bpm is None:
            return seconds
        return seconds * self.tempo.first_bpm / tempo_bpm


def schedule_from_arrangement(arrangement, muted_tracks: Iterable[int] = ()) -> Schedule:
    """Each track on its own channel with its General MIDI program, as in an exported file.

    Goes through ``midi_writer.arrangement_to_midi`` so what the DAW receives live (channels,
    programs, overlapping notes) is exactly what it would get from the saved file. Muted
    tracks keep their channel but lose their notes.
    """
    from composer_gui.core.midi_writer import arrangement_to_midi

    muted = set(muted_tracks)
    if muted:
        arrangement = dataclasses.replace(
            arrangement,
            tracks=[
                dataclasses.replace(track, notes=[]) if index in muted else track
                for index, track in enumerate(arrangement.tracks)
            ],
        )
    schedule = schedule_from_midifile(arrangement_to_midi(arrangement))
    schedule.length_beats = max(
        arrangement.beats_per_bar(), arrangement.end_of_bars(arrangement.bar_count())
    )
    return schedule


def track_channels(midi: mido.MidiFile) -> dict[int, str]:
    """Channel -> track name for each track that plays (its first channel message decides).

    For an arrangement, pass ``midi_writer.arrangement_to_midi(arrangement)``: that is where
    the channels of the parts are assigned, so the ports match the exported file.
    """
    names: dict[int, str] = {}
    for index, track in enumerate(midi.tracks):
        channel = next((m.channel for m in track if m.type in _PLAYED_TYPES), None)
        if channel is not None and channel not in names:
            names[channel] = track.name.strip() or f"track {index + 1}"
    return names


_PLAYED_TYPES = {
    "note_on",
    "note_off",
    "control_change",
    "program_change",
    "pitchwheel",
    "aftertouch",
    "polytouch",
}


def schedule_from_midifile(midi: mido.MidiFile) -> Schedule:
    """Channel messages of every track, at their beats; tempo from the file's set_tempo."""
    events: list[TimedMessage] = []
    tempo_changes: list[tuple[float, float]] = []
    first_bpm = 120.0
    time_signature = (4, 4)
    end_beat = 0.0
    ticks_per_beat = midi.ticks_per_beat
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            beat = tick / ticks_per_beat
            end_beat = max(end_beat, beat)
            if message.type == "set_tempo":
                bpm = mido.tempo2bpm(message.tempo)
                if tick == 0:
                    first_bpm = bpm
                else:
                    tempo_changes.append((beat, bpm))
            elif message.type == "time_signature" and tick == 0:
                time_signature = (message.numerator, message.denominator)
            elif message.type in _PLAYED_TYPES:
                events.append(TimedMessage(beat, message.copy(time=0)))
    bar = Meter.of(time_signature).bar_beats
    length = max(bar, math.ceil(end_beat / bar - 1e-9) * bar)
    return Schedule(events, TempoMap(first_bpm, tempo_changes), length)


def silence_messages(sounding: Iterable[tuple[int, int]], channels: Iterable[int]) -> list:
    """Note-off for each sounding (channel, note), then all-notes-off on every channel."""
    messages = [mido.Message("note_off", channel=c, note=n, velocity=0) for c, n in sounding]
    messages += [
        mido.Message("control_change", channel=c, control=ALL_NOTES_OFF, value=0)
        for c in sorted(set(channels))
    ]
    return messages


def setup_key(message: mido.Message) -> tuple[int, str, int] | None:
    """What a channel-setup message sets, (channel, "program", 0) or (channel, "control",
    number); None for any other message. A later message of one key replaces the earlier."""
    if message.type == "program_change":
        return (message.channel, "program", 0)
    if message.type == "control_change":
        return (message.channel, "control", message.control)
    return None


def _key(message: mido.Message) -> tuple[int, int]:
    return (message.channel, message.note)


def _is_note_off(message: mido.Message) -> bool:
    return message.type == "note_off" or (message.type == "note_on" and message.velocity == 0)


def _track_note(sounding: Counter[tuple[int, int]], message: mido.Message) -> None:
    """Count a note message into ``sounding``: (channel, note) -> notes on, not yet off."""
    if message.type == "note_on" and message.velocity > 0:
        sounding[_key(message)] += 1
    elif _is_note_off(message) and sounding[_key(message)] > 0:
        sounding[_key(message)] -= 1
        if sounding[_key(message)] == 0:
            del sounding[_key(message)]


def _sounding_before(
    messages: list[mido.Message], seconds: list[float], moment: float
) -> Counter[tuple[int, int]]:
    """What a timeline has sounding just before ``moment``: the messages ``_run`` skips
    when it starts there (it resumes at the first one at ``moment`` or later)."""
    sounding: Counter[tuple[int, int]] = Counter()
    for message in messages[: bisect_left(seconds, moment - 1e-9)]:
        _track_note(sounding, message)
    return sounding


def _ask_for_realtime_priority() -> None:
    """Make the calling thread a realtime thread where the OS lets us (Linux with rights).

    On a busy machine an ordinary thread can be kept off the CPU for milliseconds just
    when a note is due; a low realtime priority prevents that. Without rights, nothing changes.
    """
    if not hasattr(os, "sched_setscheduler"):
        return
    with contextlib.suppress(OSError):
        # pid 0 = the calling thread on Linux; a low priority, below audio servers like JACK.
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))


class Player:
    """Plays a ``Schedule`` to an output on one thread; ``stop()`` leaves nothing sounding.

    Use as a context manager, or call ``start()`` and ``stop()``. ``send_clock`` adds MIDI
    clock (24 per beat) with start/stop so a DAW can follow. ``on_error`` gets one sentence
    if the port fails while playing; playback then stops quietly.
    """

    def __init__(
        self,
        output: mido.ports.BaseOutput,
        schedule: Schedule,
        loop: bool = False,
        send_clock: bool = False,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.output = output
        self.schedule = schedule
        self.loop = loop
        self.send_clock = send_clock
        self.on_error = on_error
        self._messages, self._score_seconds, self._loop_seconds = self._timeline(schedule)
        # a schedule waiting to take over at a moment of the pass (``replace_schedule``)
        self._pending: tuple[Schedule, float | None] | None = None
        self._pass_start = 0.0  # score seconds where the pass now playing began
        # programs and controls set while playing (``set_controls``): the value in force
        # for the rest of this playback, the ones still to send, and when each was sent
        self._live: dict[tuple[int, str, int], mido.Message] = {}
        self._live_waiting: dict[tuple[int, str, int], mido.Message] = {}
        self._live_sent_at: dict[tuple[int, str, int], float] = {}
        self._sounding: Counter[tuple[int, int]] = Counter()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._finished = threading.Event()
        # The anchor maps score seconds to perf_counter: wall = wall0 + (score - score0) / rate.
        self._wall0 = 0.0
        self._score0 = 0.0
        self._rate = 1.0
        self.sent_count = 0

    def _timeline(self, schedule: Schedule) -> tuple[list[mido.Message], list[float], float]:
        """The messages to send (with the clock, when sending it), their moments in score
        seconds (at the piece's own tempo map, computed once) and one pass's length."""
        events = list(schedule.events)
        if self.send_clock:
            n_clocks = round(schedule.length_beats * CLOCKS_PER_BEAT)
            events += [
                TimedMessage(i / CLOCKS_PER_BEAT, mido.Message("clock")) for i in range(n_clocks)
            ]
            # Start at beat 0 itself, so a follower's bar 1 is our beat 0.
            events.append(TimedMessage(0.0, mido.Message("start")))
            events.sort(key=lambda e: (e.beat, _order(e.message)))
        seconds = [schedule.tempo.seconds_at(e.beat) for e in events]
        return [e.message for e in events], seconds, schedule.seconds()

    def replace_schedule(self, schedule: Schedule, at_beat: float | None) -> None:
        """Play ``schedule`` from ``at_beat`` of the pass now playing (a barline: an edit
        made while playing is heard from the next bar, not at the next Play), or, with
        None, from now (a mute or a solo: silent at once, as in the built-in synth). At
        that moment a sounding note the new schedule also has sounding goes on, the others
        get their note-off, and the new notes go on from there; a moment already past, or
        beyond the pass, means the next pass's start when looping (never, when not). The
        tempo map must be the one playing: a tempo change goes through ``set_tempo``.
        Sending the clock, it goes on unbroken (the DAW gets no second Start)."""
        moment = NOW if at_beat is None else self.schedule.tempo.seconds_at(at_beat)
        with self._lock:
            now = self._score0 + (time.perf_counter() - self._wall0) * self._rate
            into_pass = now - self._pass_start
            if moment != NOW and (moment < into_pass or moment >= self._loop_seconds):
                moment = None  # at the next pass's start
            self._pending = (schedule, moment)
        self._wake.set()

    def set_controls(self, messages: Iterable[mido.Message]) -> None:
        """Programs and control changes (a track's instrument, its volume) to take effect
        now, sent by the player's thread as soon as it can, between the schedule's own
        messages. Of one key (``setup_key``) only the latest value waits, and one key is
        sent at most once per ``CONTROL_INTERVAL_SECONDS`` (a slider drag is coalesced, its
        last value sent). Each value holds for the rest of this playback: the schedule's
        own message of that key (a program at beat 0 of the next pass) goes out with it.
        Nothing is sent once the player has stopped or played through."""
        with self._lock:
            for message in messages:
                key = setup_key(message)
                if key is None:
                    raise ValueError(f"not a program or control change: {message}")
                self._live[key] = self._live_waiting[key] = message.copy(time=0)
        self._wake.set()

    def _send_live_controls(self) -> tuple[bool, float | None]:
        """Send the waiting live controls whose interval has passed; (False when the port
        failed, the perf_counter moment the next waiting one is due or None)."""
        now = time.perf_counter()
        with self._lock:
            due = [
                (key, message)
                for key, message in self._live_waiting.items()
                if self._live_sent_at.get(key, -math.inf) + CONTROL_INTERVAL_SECONDS <= now
            ]
            for key, _message in due:
                del self._live_waiting[key]
        for key, message in due:
            if not self._send(message):
                return False, None
            # Stamped once sent, not when found due: the interval holds between the sends
            # as the port sees them, however long a slow port or a loaded machine held
            # this one back (stamped before, the next could follow it at once).
            with self._lock:
                self._live_sent_at[key] = time.perf_counter()
        with self._lock:
            later = min(
                (
                    self._live_sent_at.get(key, -math.inf) + CONTROL_INTERVAL_SECONDS
                    for key in self._live_waiting
                ),
                default=None,
            )
        return True, later

    def _with_live_value(self, message: mido.Message) -> mido.Message:
        """The schedule's message, or the value set live for its key (then sent with it)."""
        key = setup_key(message)
        if key is None:
            return message
        with self._lock:
            live = self._live.get(key)
            if live is None:
                return message
            self._live_waiting.pop(key, None)  # this message carries it
            return live

    def _due_swap(self, next_seconds: float) -> tuple[Schedule, float | None] | None:
        """The waiting schedule, when its moment comes before the next event's."""
        with self._lock:
            pending = self._pending
            if pending is None or pending[1] is None or pending[1] > next_seconds:
                return None
            self._pending = None
            return pending

    def _switch(self, schedule: Schedule, moment: float) -> bool:
        """The waiting schedule takes over at ``moment`` (score seconds into its pass).

        A note sounding now that the new schedule also has sounding then goes on (an edit
        elsewhere must not cut a note held over the barline); the others are released. The
        new schedule's notes begun before the moment are not struck mid-length, and their
        note-offs are not sent (``_run`` sends none for a note not sounding)."""
        messages, seconds, loop_seconds = self._timeline(schedule)
        keep = self._sounding & _sounding_before(messages, seconds, moment)
        release = self._sounding - keep
        for message in silence_messages(list(release.elements()), ()):
            self._track(message)
            if not self._send(message):
                return False
        with self._lock:
            channels = self.schedule.channels | schedule.channels  # stop() silences both
            self.schedule = dataclasses.replace(schedule, channels=channels)
            self._messages, self._score_seconds = messages, seconds
            self._loop_seconds = loop_seconds
        return True

    # -- timing ----------------------------------------------------------------------------

    @property
    def start_time(self) -> float:
        """The perf_counter moment of beat 0 (of the first pass)."""
        return self._wall0 - self._score0 / self._rate

    def _wall_time(self, score_seconds: float) -> float:
        with self._lock:
            return self._wall0 + (score_seconds - self._score0) / self._rate

    def position_seconds(self) -> float:
        """Where playback is now, in score seconds (grows past the loop length when looping)."""
        with self._lock:
            return self._score0 + (time.perf_counter() - self._wall0) * self._rate

    def pass_position_seconds(self) -> float:
        """Where playback is in the pass now playing, in score seconds (a loop's passes
        may differ in length once an edit lengthened the piece)."""
        position = self.position_seconds()
        with self._lock:
            return position - self._pass_start

    def set_tempo(self, bpm: float) -> None:
        """Play at ``bpm`` from now on (tempo changes in the piece keep their proportions)."""
        if bpm <= 0:
            raise ValueError(f"tempo must be above 0 BPM, got {bpm}")
        now = time.perf_counter()
        with self._lock:
            self._score0 += (now - self._wall0) * self._rate
            self._wall0 = now
            self._rate = bpm / self.schedule.tempo.first_bpm
        self._wake.set()

    def _wait_until(self, score_seconds: float, in_pass: float | None = None) -> bool | None:
        """Sleep, then spin, until the moment; False if stopped meanwhile. With
        ``in_pass`` (the moment within its pass), None as soon as a schedule waiting to
        take over must do so first (asked for while sleeping toward a far event)."""
        while True:
            if self._stopping:
                return False
            if in_pass is not None and self._swap_due_by(in_pass):
                return None
            sent, next_live = self._send_live_controls()  # set while playing: due now
            if not sent:
                return False
            # Recomputed after every wake-up: a tempo change moves the moment.
            remaining = self._wall_time(score_seconds) - time.perf_counter()
            if remaining <= SPIN_SECONDS:
                break
            pause = remaining - SPIN_SECONDS
            if next_live is not None:
                pause = min(pause, max(0.0, next_live - time.perf_counter()))
            self._wake.wait(pause)
            self._wake.clear()
        due = self._wall_time(score_seconds)
        while time.perf_counter() < due:
            pass
        return not self._stopping

    def _into_pass(self, pass_start: float) -> float:
        """Score seconds now, into the pass that began at ``pass_start`` (0 before it)."""
        return max(0.0, self.position_seconds() - pass_start)

    def _swap_due_by(self, in_pass: float) -> bool:
        with self._lock:
            pending = self._pending
            return pending is not None and pending[1] is not None and pending[1] <= in_pass

    # -- the thread ------------------------------------------------------------------------

    def start(self, at: float | None = None) -> None:
        """Begin playing; beat 0 sounds at perf_counter moment ``at`` (default: in 10 ms)."""
        if self._thread is not None:
            raise RuntimeError("a Player plays once; make a new one to play again")
        with self._lock:
            self._wall0 = time.perf_counter() + START_LEAD_SECONDS if at is None else at
            self._score0 = 0.0
        atexit.register(self._stop_at_exit)
        self._thread = threading.Thread(target=self._run, name="midi-playback", daemon=True)
        self._thread.start()

    def _send(self, message: mido.Message) -> bool:
        try:
            self.output.send(message)
        except (OSError, RuntimeError, ValueError) as error:
            if self.on_error is not None:
                self.on_error(f"The MIDI output stopped working during playback ({error}).")
            return False
        self.sent_count += 1
        return True

    def _track(self, message: mido.Message) -> None:
        _track_note(self._sounding, message)

    def _run(self) -> None:
        _ask_for_realtime_priority()
        try:
            pass_start, first_pass, index = 0.0, True, 0
            while True:
                while True:
                    at_end = index >= len(self._messages)
                    upcoming = self._loop_seconds if at_end else self._score_seconds[index]
                    swap = self._due_swap(upcoming)
                    if swap is not None:
                        schedule, moment = swap
                        if moment == NOW:
                            # now, but after every message sent so far (none is sent
                            # twice) and not after the next one due (a late thread must
                            # not skip it, the clock's least of all)
                            sent = self._score_seconds[index - 1] + 1e-6 if index else 0.0
                            moment = max(sent, min(self._into_pass(pass_start), upcoming))
                        if not self._wait_until(pass_start + moment):
                            return
                        if not self._switch(schedule, moment):
                            return
                        index = bisect_left(self._score_seconds, moment - 1e-9)
                        continue
                    waited = self._wait_until(pass_start + upcoming, in_pass=upcoming)
                    if waited is None:
                        continue  # a swap asked for meanwhile comes first
                    if not waited:
                        return
                    if at_end:
                        break
                    message = self._messages[index]
                    index += 1
                    if not first_pass and message.type == "start":
                        continue  # the transport started once; loops just keep clocking
                    if _is_note_off(message) and not self._sounding[_key(message)]:
                        continue  # a note begun before a swap, never struck here
                    message = self._with_live_value(message)
                    self._track(message)
                    if not self._send(message):
                        return
                # the pass's end has come (the last note-offs' moment passed): done, or
                # the next pass counts its time from here (the playhead reads it)
                if not self.loop:
                    return
                pass_start += self._loop_seconds
                first_pass, index = False, 0
                with self._lock:
                    self._pass_start = pass_start
                    pending, self._pending = self._pending, None
                if pending is not None and not self._switch(pending[0], 0.0):
                    return  # one waiting for the next pass's start took over
        finally:
            self._finished.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the piece has played through (never, when looping); True if it has."""
        return self._finished.wait(timeout)

    @property
    def playing(self) -> bool:
        return self._thread is not None and not self._finished.is_set()

    def stop(self) -> None:
        """Stop now: note-off for each sounding note, all-notes-off on every used channel."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        atexit.unregister(self._stop_at_exit)
        if getattr(self.output, "closed", False):
            return
        channels = set(self.schedule.channels) | {c for c, _ in self._sounding}
        for message in silence_messages(list(self._sounding), channels):
            if not self._send(message):
                break
        self._sounding.clear()
        if self.send_clock:
            self._send(mido.Message("stop"))

    def _stop_at_exit(self) -> None:
        """Leaving the program while playing: silence everything, and give the driver a
        moment to deliver it (JACK and ALSA send on their next cycle, after we are gone)."""
        self.stop()
        time.sleep(EXIT_DRAIN_SECONDS)

    def __enter__(self) -> Player:
        if self._thread is None:
            self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
