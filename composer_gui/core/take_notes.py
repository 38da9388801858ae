"""The rules of a take, without ports: its setup, the metronome's clicks, the count-in,
the sustain pedal, how timed messages become quantized notes, and what a take in
progress shows (``TakeSoFar``).

``core/recording.Recorder`` stamps the messages; everything here is pure, so it is
tested without a MIDI driver.
"""

from __future__ import annotations

import bisect
import heapq
import math
from dataclasses import dataclass

import mido

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.bar_lines import Bar, BarLines
from composer_gui.core.playback import DRUM_CHANNEL, Schedule, TempoMap, TimedMessage
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


class NoteTracker:
    """Timed messages become notes, one message at a time (``feed``): what a take in
    progress adds to, so the notes it has are not derived again from its first message.

    A note released while the sustain pedal is down ends when the pedal lifts (or when the
    same key is struck again); ``notes`` ends those still held at a given moment.
    """

    def __init__(self) -> None:
        self.sounding: dict[int, tuple[float, int]] = {}  # pitch -> (start, velocity)
        self.held_by_pedal: set[int] = set()
        self.pedal_down = False
        self.ended: list[tuple[int, float, float, int]] = []  # in the order they ended

    def _end(self, pitch: int, seconds: float) -> None:
        start, velocity = self.sounding.pop(pitch)
        self.held_by_pedal.discard(pitch)
        self.ended.append((pitch, start, seconds, velocity))

    def feed(self, seconds: float, message: mido.Message) -> None:
        if message.type == "note_on" and message.velocity > 0:
            if message.note in self.sounding:  # struck again: the old note ends here
                self._end(message.note, seconds)
            self.sounding[message.note] = (seconds, message.velocity)
        elif message.type in ("note_on", "note_off"):
            if message.note not in self.sounding:
                return
            if self.pedal_down:
                self.held_by_pedal.add(message.note)
            else:
                self._end(message.note, seconds)
        elif message.type == "control_change" and message.control == SUSTAIN_PEDAL:
            self.pedal_down = message.value >= 64
            if not self.pedal_down:
                for pitch in sorted(self.held_by_pedal):
                    self._end(pitch, seconds)

    def still_sounding(self, end_seconds: float) -> list[tuple[int, float, float, int]]:
        """The notes held now, by pitch, as if they ended at ``end_seconds``."""
        return [
            (pitch, start, max(end_seconds, start), velocity)
            for pitch, (start, velocity) in sorted(self.sounding.items())
        ]

    def notes(self, end_seconds: float) -> list[tuple[int, float, float, int]]:
        """Every note so far, ``(pitch, start, end, velocity)`` by start then pitch; notes
        still held stop at ``end_seconds``."""
        notes = self.ended + self.still_sounding(end_seconds)
        notes.sort(key=lambda note: (note[1], note[0]))
        return notes


def notes_from_messages(
    stamped: list[tuple[float, mido.Message]], end_seconds: float
) -> list[tuple[int, float, float, int]]:
    """(pitch, start, end, velocity) in seconds from timestamped messages (``NoteTracker``);
    notes still held at the end stop at ``end_seconds``."""
    tracker = NoteTracker()
    for seconds, message in stamped:
        tracker.feed(seconds, message)
    return tracker.notes(end_seconds)


def count_in_lead_in(notes: list[tuple[int, float, float, int]], setup: RecordingSetup) -> float:
    """Beats of the count-in a take keeps before bar 1: its last bar when a pickup was
    played into it, else 0. ``notes`` are ``(pitch, start, end, velocity)`` in beats from
    bar 1.

    A pickup is what a musician plays in the count-in's last bar, after its downbeat (a
    note on that downbeat would make a whole bar of lead-in, no pickup), running on into
    its last beat: the latest of those notes still sounds there. Notes in earlier
    count-in bars, or a stray key in the last bar that ends before its last beat, are
    noodling and are dropped, as before."""
    if setup.count_in_beats <= 0:  # no count-in (a DAW's start, the first note): no pickup
        return 0.0
    meter = Meter.of(setup.time_signature)
    bar = meter.bar_beats
    half_step = 0.5 / STEPS_PER_BEAT
    last_beat = meter.beat_steps[-1] / STEPS_PER_BEAT
    pickup = [end for _, start, end, _ in notes if -bar + half_step <= start < -half_step]
    return bar if pickup and max(pickup) > -last_beat else 0.0


def take_beats(
    stamped: list[tuple[float, mido.Message]],
    bar_one_time: float,
    end_time: float,
    setup: RecordingSetup,
) -> list[tuple[int, float, float, int]]:
    """The take's notes as ``(pitch, start, end, velocity)`` in beats from bar 1,
    unquantized (negative in the count-in)."""
    per_second = setup.tempo_bpm / 60.0
    return [
        (pitch, (start - bar_one_time) * per_second, (end - bar_one_time) * per_second, velocity)
        for pitch, start, end, velocity in notes_from_messages(stamped, end_time)
    ]


@dataclass(frozen=True)
class TakeSoFar:
    """What a take has recorded so far, as the melody roll draws it while it records:
    the count-in's bars before bar 1 (the first bar starts before 0 then) and the take's,
    all bars of its meter, and the notes as played, in beats from bar 1 (a pickup played
    into the count-in falls in its bar, where the metronome counted it)."""

    bar_lines: BarLines
    length_beats: float
    notes: tuple[Note, ...] = ()


class TakeProgress:
    """``take_so_far`` for a take being recorded, kept up to date: the messages are fed as
    they arrive (``feed``), and ``at(now)`` gives the take at that moment. A note that has
    ended before ``now`` is converted once; the same take (no new message, the same step)
    is the same object, so the window's "anything new to draw?" is an identity check.

    Before it a 5-minute take of running sixteenths cost the window's 15 ms tick a
    derivation of all its notes (``benchmarks/bench_take_so_far.py``)."""

    def __init__(self, bar_one_time: float, setup: RecordingSetup) -> None:
        self.bar_one_time, self.setup = bar_one_time, setup
        self.fed = 0  # messages fed so far
        self._tracker = NoteTracker()
        self._order: list[tuple[float, int, int]] = []  # (start, pitch, index in ended)
        self._final: dict[int, Note] = {}  # ended notes as drawn, once they ended before now
        self._bars = BarLines((Bar(-setup.count_in_beats, Meter.of(setup.time_signature)),))
        # the take last given: its key (messages fed, now's step), itself, and the moment
        # (beats) until which it stays right (an ended note drawn as held ends then)
        self._shown: tuple[tuple[int, float], TakeSoFar, float] | None = None
        self._now_beats = -math.inf

    def feed(self, stamped: list[tuple[float, mido.Message]]) -> None:
        """The messages stamped since the last call, in order."""
        for seconds, message in stamped:
            self._tracker.feed(seconds, message)
        self.fed += len(stamped)
        ended = self._tracker.ended
        for index in range(len(self._order), len(ended)):
            pitch, start, _, _ = ended[index]
            bisect.insort(self._order, (start, pitch, index))

    def _beats(self, seconds: float) -> float:
        return (seconds - self.bar_one_time) * (self.setup.tempo_bpm / 60.0)

    def _drawn(self, pitch: int, start: float, end: float, velocity: int) -> Note:
        """A note in beats from bar 1; one still held (its end not before now) ends at the
        last step now has passed, so a held note grows a step at a time."""
        start, end = self._beats(start), self._beats(end)
        if end >= self._now_beats - 1e-9:  # still held
            step = 1.0 / STEPS_PER_BEAT
            end = max(start + step, (self._now_beats // step) * step)
        return Note(pitch, start, end - start, velocity)

    def at(self, now: float) -> TakeSoFar:
        """The take at perf_counter moment ``now`` (never earlier than the last call's)."""
        now_beats = self._beats(now)
        if now_beats < self._now_beats:  # the clock went back: nothing drawn is final
            self._final.clear()
        self._now_beats = now_beats
        key = (self.fed, now_beats // (1.0 / STEPS_PER_BEAT))
        if self._shown is not None and self._shown[0] == key and now_beats <= self._shown[2]:
            return self._shown[1]
        ended = self._tracker.ended
        held = self._tracker.still_sounding(now)
        # by start, then pitch, then the order a sort of ended-then-held notes keeps
        held_order = sorted(
            (start, pitch, len(ended) + rank) for rank, (pitch, start, _, _) in enumerate(held)
        )
        entries = heapq.merge(self._order, held_order)
        notes = []
        # An ended note drawn as held (it ends at now or after: stamped later than now,
        # as a key let go after the take's end is) is drawn otherwise once now passes its
        # end, within the step too: the take stays right until the first such end.
        right_until = math.inf
        for _, _, index in entries:
            if index >= len(ended):
                notes.append(self._drawn(*held[index - len(ended)]))
                continue
            note = self._final.get(index)
            if note is None:
                note = self._drawn(*ended[index])
                end = self._beats(ended[index][2])
                if end < now_beats - 1e-9:
                    self._final[index] = note
                else:
                    right_until = min(right_until, end + 1e-9)
            notes.append(note)
        so_far = TakeSoFar(self._bars, self.setup.length_beats, tuple(notes))
        self._shown = (key, so_far, right_until)
        return so_far


def take_so_far(
    stamped: list[tuple[float, mido.Message]],
    bar_one_time: float,
    now: float,
    setup: RecordingSetup,
) -> TakeSoFar:
    """The take at perf_counter moment ``now`` (``TakeProgress`` fed every message): the
    notes played, unquantized (a note still held ends at the last step ``now`` has
    passed, so a held note grows a step at a time and the roll is drawn again no more
    often than that). The bars are those of ``click_schedule``: the meter's, from the
    count-in's first click."""
    progress = TakeProgress(bar_one_time, setup)
    progress.feed(stamped)
    return progress.at(now)


def take_to_arrangement(
    stamped: list[tuple[float, mido.Message]],
    bar_one_time: float,
    end_time: float,
    setup: RecordingSetup,
) -> Arrangement:
    """A take quantized to the grid, as the melody track of an arrangement.

    Notes that round to before bar 1 (noodling in the count-in) are dropped, except a
    pickup played into the count-in's last bar (``count_in_lead_in``): then that bar is
    kept as the take's first, rests and the pickup, and bar 1 starts a bar later, so the
    take is barred as the metronome counted it. Notes still sounding at the end are cut
    at the last barline.
    """
    half_step = 0.5 / STEPS_PER_BEAT
    timed = take_beats(stamped, bar_one_time, end_time, setup)
    lead_in = count_in_lead_in(timed, setup)
    length = setup.length_beats + lead_in
    first = half_step if lead_in else -half_step  # a lead-in's downbeat is the count-in's
    performed = [
        Note(pitch, start + lead_in, max(0.0, end - start), velocity)
        for pitch, start, end, velocity in timed
        if first <= start + lead_in < length - half_step
    ]
    notes = []
    for note in quantize_notes(performed):
        if (note.start_beat > 0 if lead_in else note.start_beat >= 0) and note.start_beat < length:
            duration = min(note.duration_beats, length - note.start_beat)
            notes.append(Note(note.pitch, note.start_beat, duration, note.velocity))
    return Arrangement(
        [Track(name="melody", notes=notes)],
        tempo_bpm=setup.tempo_bpm,
        time_signature=setup.time_signature,
    )


def lead_in_as_pickup(notes: list[Note], lead_in: float) -> tuple[list[Note], int]:
    """A take that kept a count-in bar as the window holds it: from its first note, with
    the pickup the metronome measured (steps from that note to bar 1) to be given, so
    the first bar is the pickup's short bar, as a found or given pickup is barred, and
    no bar of rests is accompanied. ``(notes, 0)`` for a take without a lead-in."""
    if not lead_in or not notes:
        return notes, 0
    first = min(note.start_beat for note in notes)
    steps = round((lead_in - first) * STEPS_PER_BEAT)
    if steps <= 0:
        return notes, 0
    moved = [Note(n.pitch, n.start_beat - first, n.duration_beats, n.velocity) for n in notes]
    return moved, steps
