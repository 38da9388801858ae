"""Recording a melody from a MIDI input: metronome, count-in, timestamps, pedal, thru.

Each message is stamped with ``time.perf_counter`` inside mido's callback, the moment it
arrives (no polling), and passed straight on to the thru output so the player hears
themselves. The metronome is a ``Player`` of click notes, so the clicks and the bar grid
the notes are measured against share one clock. After the last bar the take is turned
into notes (the sustain pedal holds released notes until it lifts) and quantized by the
music core into a one-track ``Arrangement``.

If the input disappears mid-take, the notes so far are kept, ``on_problem`` gets one
sentence, and the input is reopened when the port comes back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import mido

from composer_gui.core import midi_io
from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import MidiPortError
from composer_gui.core.midi_clock import ClockFollower
from composer_gui.core.playback import DRUM_CHANNEL, Player, Schedule, TempoMap, TimedMessage
from composer_gui.core.quantize import quantize_notes
from models.pianoroll import STEPS_PER_BEAT, Meter

# General MIDI percussion: the downbeat is a high wood block, louder; other beats the low one.
CLICK_ACCENT_NOTE = 76
CLICK_ACCENT_VELOCITY = 127
CLICK_NOTE = 77
CLICK_VELOCITY = 80
CLICK_LENGTH_BEATS = 0.1
SUSTAIN_PEDAL = 64  # control change number; values >= 64 mean "down"


@dataclass(frozen=True)
class RecordingSetup:
    """Tempo, length and meter of a take, and how it starts."""

    tempo_bpm: float = 120.0
    bars: int = 4
    time_signature: tuple[int, int] = (4, 4)
    count_in_bars: int = 1
    start_on_first_note: bool = False  # no count-in: bar 1 begins with the first note played

    @property
    def beats_per_bar(self) -> float:
        """Bar length in quarter notes (what times are counted in): 3.0 in 6/8."""
        return Meter.of(self.time_signature).bar_beats

    @property
    def count_in_beats(self) -> float:
        return 0.0 if self.start_on_first_note else self.count_in_bars * self.beats_per_bar

    @property
    def length_beats(self) -> float:
        return self.bars * self.beats_per_bar

    def seconds(self, beats: float) -> float:
        return beats * 60.0 / self.tempo_bpm


def click_schedule(setup: RecordingSetup) -> Schedule:
    """Metronome clicks for count-in plus take, on the GM drum channel: one on each of the
    meter's beats (two dotted quarters in 6/8, two halves in 2/2, 3+2 eighths in 5/8),
    the downbeat accented."""
    meter = Meter.of(setup.time_signature)
    total_beats = setup.count_in_beats + setup.length_beats
    bars = round(total_beats / meter.bar_beats)
    events = []
    for bar in range(bars):
        for index, (first, length) in enumerate(zip(meter.beat_starts, meter.beat_steps)):
            beat = bar * meter.bar_beats + first / STEPS_PER_BEAT
            downbeat = index == 0
            note = CLICK_ACCENT_NOTE if downbeat else CLICK_NOTE
            velocity = CLICK_ACCENT_VELOCITY if downbeat else CLICK_VELOCITY
            on = mido.Message("note_on", channel=DRUM_CHANNEL, note=note, velocity=velocity)
            events.append(TimedMessage(beat, on))
            events.append(
                TimedMessage(
                    beat + CLICK_LENGTH_BEATS * length / STEPS_PER_BEAT,
                    mido.Message("note_off", channel=DRUM_CHANNEL, note=note),
                )
            )
    return Schedule(events, TempoMap(setup.tempo_bpm), total_beats, {DRUM_CHANNEL})


def count_in_clicks(setup: RecordingSetup, beats_from_bar_one: float) -> tuple[int, int]:
    """``(click now, clicks in the count-in)`` at a time before bar one (negative
    beats), counting the meter's beats: "1 2" in 6/8, "1 2 3" in 3/4."""
    meter = Meter.of(setup.time_signature)
    per_bar = meter.beats_per_bar
    total = setup.count_in_bars * per_bar
    since = (beats_from_bar_one + setup.count_in_beats) * STEPS_PER_BEAT  # steps
    bar, in_bar = divmod(since, meter.bar_steps)
    beat = sum(1 for start in meter.beat_starts if start <= in_bar)
    return int(bar) * per_bar + beat, total


def notes_from_messages(
    stamped: list[tuple[float, mido.Message]], end_seconds: float
) -> list[tuple[int, float, float, int]]:
    """(pitch, start, end, velocity) in seconds from timestamped messages.

    A note released while the sustain pedal is down ends when the pedal lifts (or when the
    same key is struck again); notes still held at the end stop at ``end_seconds``.
    """
    sounding: dict[int, tuple[float, int]] = {}  # pitch -> (start, velocity)
    held_by_pedal: set[int] = set()
    pedal_down = False
    notes: list[tuple[int, float, float, int]] = []

    def end(pitch: int, seconds: float) -> None:
        start, velocity = sounding.pop(pitch)
        held_by_pedal.discard(pitch)
        notes.append((pitch, start, seconds, velocity))

    for seconds, message in stamped:
        if message.type == "note_on" and message.velocity > 0:
            if message.note in sounding:  # struck again: the old note ends here
                end(message.note, seconds)
            sounding[message.note] = (seconds, message.velocity)
        elif message.type in ("note_on", "note_off"):
            if message.note not in sounding:
                continue
            if pedal_down:
                held_by_pedal.add(message.note)
            else:
                end(message.note, seconds)
        elif message.type == "control_change" and message.control == SUSTAIN_PEDAL:
            pedal_down = message.value >= 64
            if not pedal_down:
                for pitch in sorted(held_by_pedal):
                    end(pitch, seconds)
    for pitch in sorted(sounding):
        end(pitch, max(end_seconds, sounding[pitch][0]))
    notes.sort(key=lambda note: (note[1], note[0]))
    return notes


class Recorder:
    """One take from a named input, timed against its own metronome.

    ``click_output`` gets the metronome (None: silent, the grid still runs);
    ``thru_output`` gets every message played, as it arrives; with ``clock_input`` the
    take follows a DAW's MIDI clock: it starts on the DAW's start and ends on its stop.
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
        self.api = midi_io.resolve_api(api)
        self.click_output = click_output
        self.thru_output = thru_output
        self.on_problem = on_problem
        self.problems: list[str] = []
        self._stamped: list[tuple[float, mido.Message]] = []
        self._lock = threading.Lock()
        self._input: mido.ports.BaseInput | None = None
        self._watch: midi_io.PortWatch | None = None
        self._clicks: Player | None = None
        self._started = threading.Event()  # bar 1's moment is known
        self._done = threading.Event()
        self._timer: threading.Timer | None = None
        self.bar_one_time = 0.0  # perf_counter moment of beat 0 of the take
        self.end_time = 0.0

    # -- arriving messages (rtmidi's thread) --------------------------------------------

    def _on_message(self, message: mido.Message) -> None:
        arrived = time.perf_counter()
        if self._follower is not None and self.clock_input == self.input_name:
            self._follower.feed(message, arrived)
        if self.thru_output is not None and message.type not in ("clock", "active_sensing"):
            # A thru port that fails must not lose the take.
            with contextlib.suppress(OSError, RuntimeError):
                self.thru_output.send(message)
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
        self.bar_one_time = bar_one_time
        self.end_time = bar_one_time + setup.seconds(setup.length_beats)
        self._started.set()
        if self.click_output is not None:
            self._clicks = Player(self.click_output, click_schedule(setup))
            self._clicks.start(at=bar_one_time - setup.seconds(setup.count_in_beats))
        self._timer = threading.Timer(max(0.0, self.end_time - time.perf_counter()), self._done.set)
        self._timer.daemon = True
        self._timer.start()

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
        if self._started.is_set():
            self._done.set()

    def start(self) -> None:
        """Open the input and start the count-in (or wait for the first note or the DAW)."""
        self._input = midi_io.open_input(self.input_name, self._on_message, api=self.api)
        self._watch = midi_io.PortWatch(
            self.input_name, True, self.api, on_lost=self._lost, on_back=self._back
        )
        if self._follower is not None:
            if self.clock_input != self.input_name:
                follower = self._follower
                self._clock_port = midi_io.open_input(
                    self.clock_input, lambda message: follower.feed(message), api=self.api
                )
            return
        if not self.setup.start_on_first_note:
            # A little lead so the first click is not sent while ports are still settling.
            now = time.perf_counter() + 0.05
            self._begin(now + self.setup.seconds(self.setup.count_in_beats))

    def _lost(self) -> None:
        message = (
            f"The MIDI input '{self.input_name}' disappeared; the notes recorded so far "
            "are kept, and recording goes on when it comes back."
        )
        self.problems.append(message)
        if self.on_problem is not None:
            self.on_problem(message)

    def _back(self) -> None:
        old, self._input = self._input, None
        if old is not None:
            old.close()
        # Gone again before we could reopen it: the watch will notice and say so.
        with contextlib.suppress(MidiPortError):
            self._input = midi_io.open_input(self.input_name, self._on_message, api=self.api)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the last bar has passed (or ``stop()``); True when the take is over."""
        return self._done.wait(timeout)

    def stop(self) -> None:
        """End the take now (or at its natural end) and release the ports we opened."""
        self._done.set()
        if self._timer is not None:
            self._timer.cancel()
        if self._clicks is not None:
            self._clicks.stop()
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        if self._input is not None:
            self._input.close()
            self._input = None
        if self._clock_port is not None:
            self._clock_port.close()
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

    def performed_notes(self) -> list[Note]:
        """The take as played, in beats from bar 1 (unquantized; may start slightly early)."""
        with self._lock:
            stamped = list(self._stamped)
        beats_per_second = self.setup.tempo_bpm / 60.0
        notes = []
        for pitch, start, end, velocity in notes_from_messages(stamped, self.end_time):
            start_beat = (start - self.bar_one_time) * beats_per_second
            end_beat = (end - self.bar_one_time) * beats_per_second
            notes.append(Note(pitch, start_beat, max(0.0, end_beat - start_beat), velocity))
        return notes

    def arrangement(self) -> Arrangement:
        """The take quantized to the grid, as the melody track of an arrangement.

        Notes that round to before bar 1 (noodling in the count-in) are dropped; notes
        still sounding at the end are cut at the last barline.
        """
        half_step = 0.5 / STEPS_PER_BEAT
        length = self.setup.length_beats
        kept = [
            n for n in self.performed_notes() if -half_step <= n.start_beat < length - half_step
        ]
        quantized = []
        for note in quantize_notes(kept):
            if note.start_beat < 0 or note.start_beat >= length:
                continue
            duration = min(note.duration_beats, length - note.start_beat)
            quantized.append(Note(note.pitch, note.start_beat, duration, note.velocity))
        melody = Track(name="melody", notes=quantized)
        return Arrangement(
            [melody], tempo_bpm=self.setup.tempo_bpm, time_signature=self.setup.time_signature
        )
