"""The bars a melody is accompanied on, in beats, for the rolls, the bars box and the
pickup box: one reading of ``melody_grid.melody_on_grid``.

The engine bars a melody from its grid (a pickup found in the notes, given by the
musician, or written by the file as a short bar); the screen must draw those bars, not
the file's, or a musician cannot see that a pickup was found until a take's bars look
shifted. This module only turns that grid back into beats; it places no barline itself.
Bars before the melody's first bar with notes (silent bars, which the engine skips) are
the file's, and past the grid's end bars of its last meter follow, as far as asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import MeterError
from composer_gui.core.melody_grid import (
    PICKUP_AUTO,
    PICKUP_FILE,
    PICKUP_FOUND,
    PICKUP_GIVEN,
    PICKUP_NONE,
    Pickup,
    melody_on_grid,
    notated_meters,
    pickup_words,
)
from models.pianoroll import STEPS_PER_BEAT, Meter


@dataclass(frozen=True)
class Bar:
    """One bar: where it starts and the meter it is a bar of. A short bar (a pickup's)
    is the end of a bar of its meter: ``skipped_steps`` of it come before it starts."""

    start_beat: float
    meter: Meter
    skipped_steps: int = 0

    @property
    def length_beats(self) -> float:
        return (self.meter.bar_steps - self.skipped_steps) / STEPS_PER_BEAT

    def beat_beats(self) -> list[float]:
        """Where the meter's beats after the downbeat fall in this bar (6/8: one, at
        three eighths), a short bar's counted from the end of its meter's bar."""
        return [
            self.start_beat + (step - self.skipped_steps) / STEPS_PER_BEAT
            for step in self.meter.beat_starts
            if step > self.skipped_steps
        ]


@dataclass(frozen=True)
class BarLines:
    """The bars of a tune from beat 0; the last continues in bars of its meter."""

    bars: tuple[Bar, ...]

    @classmethod
    def regular(cls, meter: Meter) -> BarLines:
        """Bars of one meter from beat 0 (what an empty roll draws)."""
        return cls((Bar(0.0, meter),))

    def iter_bars(self) -> Iterator[Bar]:
        """Every bar, forever: the known ones, then bars of the last one's meter."""
        yield from self.bars
        last = self.bars[-1]
        beat = last.start_beat + last.length_beats
        while True:
            yield Bar(beat, last.meter)
            beat += last.meter.bar_beats

    def bars_until(self, end_beat: float) -> list[Bar]:
        """The bars that start before ``end_beat`` (at least the first)."""
        found = []
        for bar in self.iter_bars():
            if found and bar.start_beat >= end_beat - 1e-9:
                return found
            found.append(bar)
        raise AssertionError("unreachable")

    def spans(self, end_beat: float) -> list[tuple[Bar, float]]:
        """``(bar, where it ends)`` of each bar before ``end_beat``, the last cut there."""
        bars = self.bars_until(end_beat)
        ends = [bar.start_beat for bar in bars[1:]] + [end_beat]
        return list(zip(bars, ends, strict=True))

    def count(self, end_beat: float) -> int:
        """Bars needed to hold everything before ``end_beat``, a short bar counted as one."""
        return len(self.bars_until(end_beat))

    def end_of(self, bars: int) -> float:
        """The beat where the first ``bars`` bars end."""
        for index, bar in enumerate(self.iter_bars()):
            if index == bars:
                return bar.start_beat
        raise AssertionError("unreachable")

    def whole_bars(self, length_beats: float) -> float:
        """The end of the bar that holds ``length_beats`` (a view shows whole bars)."""
        return self.end_of(self.count(length_beats))


@dataclass(frozen=True)
class Reading:
    """How a melody is barred under a pickup setting: its bars and the first downbeat
    the engine takes (``pickup_steps`` before it, placed ``pickup_from``)."""

    bar_lines: BarLines
    pickup_steps: int = 0
    pickup_from: str = ""  # melody_grid's PICKUP_FOUND, _GIVEN, _FILE, or ""
    meter: Meter = Meter()  # the meter the pickup is a part of a bar of
    # A given pickup's time signatures, the pickup as its own short bar (``notated_meters``:
    # what ``accompany`` writes for it, and Export too); None for any other reading.
    notated: tuple[tuple[int, int], tuple[tuple[float, tuple[int, int]], ...]] | None = None

    def auto_words(self) -> str:
        """What auto found, as the pickup box says it: "found: 1 beat", "none found",
        "the file's: 1 beat" (a file that writes its pickup as a short bar)."""
        if not self.pickup_steps or self.pickup_from not in (PICKUP_FOUND, PICKUP_FILE):
            return "none found"
        words = pickup_words(self.pickup_steps, self.meter)
        return f"found: {words}" if self.pickup_from == PICKUP_FOUND else f"the file's: {words}"


def file_bar_lines(melody: Arrangement) -> BarLines:
    """The file's own bars: its time signature from beat 0 and each meter change."""
    return BarLines(tuple(Bar(b, m) for b, m in melody.meter_map()))


def read_bars(
    notes: Sequence[Note],
    time_signature: tuple[int, int],
    meter_changes: Sequence[tuple[float, tuple[int, int]]] = (),
    pickup: Pickup = PICKUP_AUTO,
) -> Reading:
    """The bars the engine accompanies ``notes`` on, in the given meters, under the
    musician's ``pickup`` setting; the file's bars for no notes, or for a setting the
    engine refuses (a given pickup of a bar or more, or over meter changes: Generate
    says why in one sentence).

    Kept for the last few readings asked: every redraw of the rolls and the boxes asks
    again for the same melody, and a 200-bar tune takes a few milliseconds to read
    (``benchmarks/bench_bar_lines.py``), so the window's thread asks it directly."""
    changes = tuple((float(b), tuple(sig)) for b, sig in meter_changes)
    return _read_bars(tuple(notes), tuple(time_signature), changes, pickup)


@lru_cache(maxsize=8)
def _read_bars(
    notes: tuple[Note, ...],
    time_signature: tuple[int, int],
    meter_changes: tuple[tuple[float, tuple[int, int]], ...],
    pickup: Pickup,
) -> Reading:
    melody = Arrangement(
        [Track("melody", list(notes))],
        time_signature=tuple(time_signature),
        meter_changes=list(meter_changes),
    )
    if not notes:
        return Reading(file_bar_lines(melody), meter=melody.meter())
    try:
        grid = melody_on_grid(melody, pickup)
    except MeterError:
        return Reading(file_bar_lines(melody), meter=melody.meter())
    before = [
        Bar(beat, melody.meter_at(beat))
        for beat in melody.bar_starts(grid.first_beat)
        if beat < grid.first_beat - 1e-9
    ]
    meters = grid.meters
    bars = []
    for index, step in enumerate(grid.bar_starts[:-1]):
        meter = [m for s, m in meters if s <= step][-1]
        skipped = grid.bar_phase if index == 0 else 0
        bars.append(Bar(grid.first_beat + step / STEPS_PER_BEAT, meter, skipped))
    end = grid.first_beat + grid.bar_starts[-1] / STEPS_PER_BEAT
    bars.append(Bar(end, meters[-1][1]))  # the grid's end: bars of its last meter follow
    steps = grid.pickup if grid.pickup_from else 0
    if pickup == PICKUP_NONE:
        steps = 0
    notated = None
    if grid.pickup_from == PICKUP_GIVEN and grid.pickup:
        signature, changes = notated_meters(melody, grid)
        notated = (tuple(signature), tuple((b, tuple(m)) for b, m in changes))
    lines = BarLines(tuple(before + bars))
    return Reading(lines, steps, grid.pickup_from, meters[0][1], notated)
