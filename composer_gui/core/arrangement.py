"""Notes, tracks and the multi-track arrangement every part of the app passes around.

Times are in quarter-note beats, counted from the start of the piece. Beats are what a
MIDI file stores (ticks divided by ticks per beat), so they are exact and do not move
when the tempo changes; seconds appear only at playback. The melody is always
``tracks[0]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from models.pianoroll import STEPS_PER_BEAT


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
    """One part: its notes, a name, a General MIDI program (0-127) and a channel (0-15)."""

    name: str
    notes: list[Note]
    program: int = 0
    channel: int = 0
    is_drum: bool = False


@dataclass
class Arrangement:
    """A piece: the melody first, then the accompaniment, on one tempo map and one meter.

    ``tempo_bpm`` is the tempo in force at beat 0; ``tempo_changes`` lists the later ones
    as ``(beat, bpm)`` in time order. The time signature is the piece's first one.
    """

    tracks: list[Track]
    tempo_bpm: float = 120.0
    time_signature: tuple[int, int] = (4, 4)
    tempo_changes: list[tuple[float, float]] = field(default_factory=list)

    def melody(self) -> Track:
        """The track the user played or loaded; the accompaniment is written around it."""
        return self.tracks[0]

    def length_beats(self) -> float:
        """Where the last note of any track ends (0.0 for a silent arrangement)."""
        return max((note.end_beat for track in self.tracks for note in track.notes), default=0.0)

    def beats_per_bar(self) -> float:
        """Bar length in quarter-note beats: 4 in 4/4, 3 in 3/4 and in 6/8."""
        numerator, denominator = self.time_signature
        return numerator * 4 / denominator

    def steps_per_bar(self) -> int:
        """Bar length in grid steps (16 in 4/4, 12 in 3/4 and 6/8)."""
        return round(self.beats_per_bar() * STEPS_PER_BEAT)

    def bar_count(self) -> int:
        """Whole bars needed to hold every note, counting a pickup as a full bar."""
        # A tiny tolerance so a note ending exactly on a barline does not open a new bar
        # because of float rounding in ticks-to-beats conversion.
        return math.ceil(self.length_beats() / self.beats_per_bar() - 1e-9)

    def seconds_at(self, beat: float) -> float:
        """Clock time of a beat under the tempo map, for playback and for humanizing."""
        seconds, last_beat, bpm = 0.0, 0.0, self.tempo_bpm
        for change_beat, change_bpm in self.tempo_changes:
            if change_beat >= beat:
                break
            seconds += (change_beat - last_beat) * 60.0 / bpm
            last_beat, bpm = change_beat, change_bpm
        return seconds + (beat - last_beat) * 60.0 / bpm
