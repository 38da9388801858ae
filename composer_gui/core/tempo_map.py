"""The one tempo map: beats to seconds and back for a piece whose tempo changes.

Music is held in beats (exact, what a MIDI file stores); seconds are derived here and
nowhere else. ``Arrangement.tempo_map()`` and ``Document.tempo_map()`` build one from the
tempo at beat 0 and the later changes (``(beat, bpm)``, read from a file or kept by the
document); playback, the count-in and metronome, the synth's playhead, MIDI file
writing and Send to DAW all read time through it. Playing at another tempo scales every
tempo of the map by one ratio (``scaled``), which is what ``Player.set_tempo`` does live.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable


class TempoMap:
    """Beats -> seconds for a piece whose tempo changes at given beats."""

    def __init__(self, tempo_bpm: float, changes: Iterable[tuple[float, float]] = ()) -> None:
        points = [(0.0, float(tempo_bpm))]
        for beat, bpm in sorted(changes):
            if beat <= points[-1][0]:
                points[-1] = (points[-1][0] if beat <= 0 else beat, float(bpm))
            else:
                points.append((float(beat), float(bpm)))
        self.beats = [beat for beat, _ in points]
        self.bpms = [bpm for _, bpm in points]
        # Seconds at each change point, summed once here (exact, not at play time).
        self.seconds = [0.0]
        for i in range(1, len(points)):
            span_beats = self.beats[i] - self.beats[i - 1]
            self.seconds.append(self.seconds[-1] + span_beats * 60.0 / self.bpms[i - 1])

    @property
    def first_bpm(self) -> float:
        return self.bpms[0]

    @property
    def changes(self) -> list[tuple[float, float]]:
        """The changes after beat 0, as ``(beat, bpm)``."""
        return list(zip(self.beats[1:], self.bpms[1:], strict=True))

    def seconds_at(self, beat: float) -> float:
        """Clock time of ``beat`` from the start."""
        i = max(0, bisect.bisect_right(self.beats, beat) - 1)
        return self.seconds[i] + (beat - self.beats[i]) * 60.0 / self.bpms[i]

    def beat_at(self, seconds: float) -> float:
        """The beat sounding ``seconds`` after the start; the inverse of ``seconds_at``."""
        i = max(0, bisect.bisect_right(self.seconds, seconds) - 1)
        return self.beats[i] + (seconds - self.seconds[i]) * self.bpms[i] / 60.0

    def bpm_at(self, beat: float) -> float:
        return self.bpms[max(0, bisect.bisect_right(self.beats, beat) - 1)]

    def scaled(self, tempo_bpm: float) -> TempoMap:
        """The same map with beat 0 at ``tempo_bpm`` and every change in proportion."""
        ratio = tempo_bpm / self.first_bpm
        return TempoMap(tempo_bpm, [(beat, bpm * ratio) for beat, bpm in self.changes])
