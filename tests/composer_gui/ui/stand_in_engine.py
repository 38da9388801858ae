"""A stand-in with the engine's interface, for tests written before the real engine shipped.

Used only by tests: it writes plain parallel voices under the melody (a third, a sixth
and an octave below) so a test can check what the window does with candidates. The
flow tests switch to the real engine as soon as composer_gui/core/engine.py and the
shipped weights exist.
"""

from __future__ import annotations

import time

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.candidate import Candidate

INTERVALS = ((3, 4), (8, 9), (12, 12))  # semitones below the melody, per voice and candidate
PROGRAMS = (19, 19, 19)  # church organ, as the "organ" preset


class StandInEngine:
    device_name = "cpu (stand-in)"

    def __init__(self, seconds: float = 0.0, tracks=None, styles=("chorale",)) -> None:
        self.seconds = seconds  # how long a generation pretends to take
        self.calls = 0
        # A model's tracks (models.tracks.TrackSpec) and styles: the chorale's voices by
        # default, else a band's, written as the real engine lays them out (its channels:
        # drums on 10; its programs per style), so a window test can switch styles
        # without loading networks.
        self.tracks = tracks
        self.styles = tuple(styles)

    def load(self) -> None:
        pass

    def generate(
        self,
        melody: Arrangement,
        k: int = 8,
        seed=None,
        density=0.5,
        variety=0.5,
        preset="organ",
        cancel=None,
        progress=None,
        allow_long=None,  # accepted and ignored: the stand-in writes under any length
        style=None,  # accepted and ignored: the stand-in writes one style
    ) -> list[Candidate]:
        self.calls += 1
        if self.tracks is not None:
            return self._band(melody, k, preset, style)
        steps = 10
        for step in range(steps):
            if cancel is not None and cancel.is_set():
                return []
            time.sleep(self.seconds / steps)
            if progress is not None:
                progress((step + 1) / steps)
        candidates = []
        for index in range(k):
            tracks = [melody.tracks[0]]
            for voice, (even, odd) in enumerate(INTERVALS, start=1):
                below = even if index % 2 == 0 else odd
                notes = [
                    Note(n.pitch - below - index % 3, n.start_beat, n.duration_beats, 70)
                    for n in melody.tracks[0].notes
                ]
                tracks.append(
                    Track(
                        ("alto", "tenor", "bass")[voice - 1],
                        notes,
                        program=PROGRAMS[voice - 1],
                        channel=voice,
                    )
                )
            arrangement = Arrangement(
                tracks, tempo_bpm=melody.tempo_bpm, time_signature=melody.time_signature
            )
            candidates.append(
                Candidate(
                    arrangement,
                    rank=index + 1,
                    critic_score=2.0 - 0.1 * index,
                    percentile=90.0 - 7 * index,
                    metrics={
                        "in_key_ratio": 0.97 - 0.01 * index,
                        "empty_bar_rate": 0.0,
                        "polyphony": 3.0,
                    },
                )
            )
        return candidates

    def _band(self, melody: Arrangement, k: int, preset: str, style) -> list[Candidate]:
        """k candidates with one track per model track: pitched ones follow the melody an
        octave or two down, folded into the track's range; drums hit the kick on every
        beat and the closed hi-hat on the offbeats."""
        from composer_gui.core.instruments import track_channels, track_programs
        from composer_gui.core.tune import sorted_notes

        style = style or self.styles[0]
        if style not in self.styles:
            raise ValueError(f"the stand-in plays {self.styles}, not {style!r}")
        programs = track_programs(preset, self.tracks, style)
        channels = track_channels(self.tracks)[1:]
        notes = melody.tracks[0].notes
        end = max((n.start_beat + n.duration_beats for n in notes), default=4.0)
        candidates = []
        for index in range(k):
            tracks = [melody.tracks[0]]
            for spec, program, channel in zip(self.tracks, programs, channels, strict=True):
                if spec.is_drums:
                    played = [Note(36, float(b), 0.25, 90) for b in range(int(end))]  # kick
                    played += [Note(42, b + 0.5, 0.25, 70) for b in range(int(end))]  # hi-hat
                else:
                    played = []
                    for n in notes:
                        pitch = n.pitch - 12 * (1 + index % 2)
                        while pitch < spec.low:
                            pitch += 12
                        while pitch > spec.high:
                            pitch -= 12
                        played.append(Note(pitch, n.start_beat, n.duration_beats, 70))
                    # Melody notes an octave apart fold onto one pitch: sound it once at
                    # a time, as the real engine's roll (a pitch once a step) and a file do.
                    played = list(sorted_notes(played))
                tracks.append(Track(spec.name, played, program, channel, spec.is_drums))
            arrangement = Arrangement(
                tracks, tempo_bpm=melody.tempo_bpm, time_signature=melody.time_signature
            )
            candidates.append(
                Candidate(
                    arrangement,
                    rank=index + 1,
                    critic_score=1.0 - 0.1 * index,
                    percentile=60.0 - 5 * index,
                    metrics={f"{t.name}.empty_bars": 0.0 for t in self.tracks},
                    chords=[(0.0, "C")],
                    style=style,
                )
            )
        return candidates
