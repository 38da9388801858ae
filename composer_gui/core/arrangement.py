"""Notes, tracks and the multi-track arrangement every part of the app passes around.

Times are in quarter-note beats, counted from the start of the piece. Beats are what a
MIDI file stores (ticks divided by ticks per beat), so they are exact and do not move
when the tempo changes; seconds appear only at playback. The melody is always
``tracks[0]``. Bars and beats come from ``models.pianoroll.Meter``: a piece has its first
time signature and the later changes, each at the start of a bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from composer_gui.core.tempo_map import TempoMap
from models.pianoroll import STEPS_PER_BEAT, Meter


@dataclass(frozen=True)
class Note:
    """One sounding note: MIDI pitch 0-127, start and length in quarter-note beats."""

    pitch: int
    start_beat: float
    duration_beats: float
    velocity: int = 80

    @property
    def end_beat(self) -> float:
        return self.start_beat + self.duration_beats


@dataclass
class Track:
    """One part: its notes, a name, a General MIDI program (0-127) and a channel (0-15).

    ``volume`` is the channel volume (CC 7, 0-127) the part starts at, as the track
    strip's slider set it; None leaves the receiver's own (a model's candidates, a file
    read), so nothing is written for it.
    """

    name: str
    notes: list[Note]
    program: int = 0
    channel: int = 0
    is_drum: bool = False
    volume: int | None = None


@dataclass
class Arrangement:
    """A piece: the melody first, then the accompaniment, on one tempo map and one meter map.

    ``tempo_bpm`` is the tempo in force at beat 0; ``tempo_changes`` lists the later ones
    as ``(beat, bpm)`` in time order. ``time_signature`` is the piece's first one;
    ``meter_changes`` lists the later ones as ``(beat, (numerator, denominator))``.
    """

    tracks: list[Track]
    tempo_bpm: float = 120.0
    time_signature: tuple[int, int] = (4, 4)
    tempo_changes: list[tuple[float, float]] = field(default_factory=list)
    meter_changes: list[tuple[float, tuple[int, int]]] = field(default_factory=list)
    # Marker events written into an exported file, as ``(beat, text)``: a candidate's
    # chord symbols, so a DAW shows them on its timeline.
    markers: list[tuple[float, str]] = field(default_factory=list)

    def melody(self) -> Track:
        """The track the user played or loaded; the accompaniment is written around it."""
        return self.tracks[0]

    def length_beats(self) -> float:
        """Where the last note of any track ends (0.0 for a silent arrangement)."""
        return max((note.end_beat for track in self.tracks for note in track.notes), default=0.0)

    def meter(self) -> Meter:
        """The first meter (the whole piece's when it never changes)."""
        return Meter.of(self.time_signature)

    def meters(self) -> list[Meter]:
        """Every meter the piece uses, the first first, without repeats."""
        found = [self.meter()]
        for _, signature in self.meter_changes:
            if Meter.of(signature) not in found:
                found.append(Meter.of(signature))
        return found

    def meter_map(self) -> list[tuple[float, Meter]]:
        """``[(beat, Meter), ...]``: the first at beat 0, then each change."""
        return [(0.0, self.meter())] + [(b, Meter.of(s)) for b, s in self.meter_changes]

    def meter_map_steps(self) -> list[tuple[int, Meter]]:
        """The meter map on the grid, ``[(step, Meter), ...]``."""
        return [(round(beat * STEPS_PER_BEAT), meter) for beat, meter in self.meter_map()]

    def meter_at(self, beat: float) -> Meter:
        current = self.meter()
        for change_beat, signature in self.meter_changes:
            if change_beat > beat + 1e-9:
                break
            current = Meter.of(signature)
        return current

    def beats_per_bar(self) -> float:
        """Length of the first bar in quarter notes: 4 in 4/4, 3 in 3/4 and in 6/8."""
        return self.meter().bar_beats

    def steps_per_bar(self) -> int:
        """Length of the first bar in grid steps (16 in 4/4, 12 in 3/4 and 6/8)."""
        return self.meter().bar_steps

    def _bar_lines(self) -> Iterator[float]:
        """Every barline's beat, forever: each bar as long as the meter in force at its
        start, and a change that falls inside a bar starts a new bar there."""
        beat, changes, meter = 0.0, list(self.meter_changes), self.meter()
        while True:
            while changes and changes[0][0] <= beat + 1e-9:
                meter = Meter.of(changes.pop(0)[1])
            yield beat
            beat += meter.bar_beats
            if changes and changes[0][0] < beat - 1e-9:
                beat = changes[0][0]

    def bar_starts(self, end_beat: float | None = None) -> list[float]:
        """Beats where bars begin, before ``end_beat`` (default: the bars that hold every
        note; none for a silent piece)."""
        end = self.length_beats() if end_beat is None else end_beat
        starts = []
        for beat in self._bar_lines():
            # A tiny tolerance so a note ending exactly on a barline does not open a new
            # bar because of float rounding in ticks-to-beats conversion.
            if beat >= end - 1e-9:
                break
            starts.append(beat)
        return starts

    def bar_count(self) -> int:
        """Whole bars needed to hold every note, counting a pickup as a full bar."""
        return len(self.bar_starts())

    def end_of_bars(self, bars: int) -> float:
        """The beat where the first ``bars`` bars end."""
        for index, beat in enumerate(self._bar_lines()):
            if index == bars:
                return beat
        raise AssertionError("unreachable")

    def tempo_map(self) -> TempoMap:
        """The piece's tempo map (``core/tempo_map.py``: the one definition of time)."""
        return TempoMap(self.tempo_bpm, self.tempo_changes)

    def seconds_at(self, beat: float) -> float:
        """Clock time of a beat under the tempo map, for playback and for humanizing."""
        return self.tempo_map().seconds_at(beat)
