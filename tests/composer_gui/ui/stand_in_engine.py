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

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds  # how long a generation pretends to take
        self.calls = 0

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
