"""A live sample heard: the Train window's Play button, so the musician hears it learn.

A sample (``models/train_samples.py``) is what the model writes for one fixed melody
every N iterations: the melody and the pitched tracks as one roll on a common pitch
axis, and a band's drum hits.  Here it becomes an :class:`Arrangement` the app's own
audition plays: each track with the instrument and channel a generation would give it
(``core.instruments``), the drums on channel 10.  A sample holds what sounds at each
step, not where a note starts, so a chord struck on two steps running is heard as one
held chord; a drum hit sounds one step.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from composer_gui.core.arrangement import Arrangement, Note, Track
from models.pianoroll import LOWEST_PITCH, STEPS_PER_BEAT
from models.tracks import CHORALE_TRACKS, DRUM_CHANNEL, DRUM_KIT, TrackSpec

SAMPLE_TEMPO_BPM = 100.0  # a sample has no tempo of its own
MELODY_PROGRAM = 73  # flute: the fixed melody heard apart from what the model wrote
DRUM_VELOCITY = 90


def run_tracks(run_dir: Path) -> tuple[TrackSpec, ...]:
    """The tracks the run's model writes, from the config ``train`` wrote into the run
    folder (the chorale voices where it is not there yet)."""
    from models.config import GanConfig

    try:
        config = GanConfig.from_dict(json.loads((Path(run_dir) / "config.json").read_text()))
    except (OSError, ValueError, TypeError, KeyError):
        return CHORALE_TRACKS
    return tuple(config.track_specs)


def sample_arrangement(
    sample: dict,
    tracks: Sequence[TrackSpec],
    style: str | None = None,
    tempo_bpm: float = SAMPLE_TEMPO_BPM,
) -> Arrangement:
    """The sample as music: the melody first, then each pitched track, then the drums."""
    from composer_gui.core.instruments import DEFAULT_PRESET, track_channels, track_programs
    from composer_gui.core.rolls import roll_to_notes

    tracks = tuple(tracks)
    programs = dict(zip((t.name for t in tracks), track_programs(DEFAULT_PRESET, tracks, style)))
    programs["melody"] = MELODY_PROGRAM
    channels = dict(zip(["melody", *(t.name for t in tracks)], track_channels(tracks)))
    roll = np.asarray(sample["roll"]) > 0  # (track, step, pitch), melody first
    shift = int(sample["lowest_pitch"]) - LOWEST_PITCH  # roll_to_notes counts from LOWEST
    heard = []
    for index, name in enumerate(str(n) for n in sample["names"]):
        notes = [dataclasses.replace(n, pitch=n.pitch + shift) for n in roll_to_notes(roll[index])]
        channel = channels.get(name, min(index, 15))
        heard.append(Track(name, notes, program=programs.get(name, 0), channel=channel))
    if "drums" in sample:
        hits = np.asarray(sample["drums"]) > 0  # (step, kit instrument)
        step = 1 / STEPS_PER_BEAT
        notes = [
            Note(DRUM_KIT[row][1], int(s) * step, step, DRUM_VELOCITY)
            for s, row in zip(*np.nonzero(hits), strict=True)
        ]
        name = next((t.name for t in tracks if t.is_drums), "drums")
        heard.append(Track(name, notes, channel=DRUM_CHANNEL, is_drum=True))
    return Arrangement(heard, tempo_bpm, _time_signature(int(sample["steps_per_bar"])))


def _time_signature(steps_per_bar: int) -> tuple[int, int]:
    """A bar's steps as a time signature: quarters where they divide, else eighths."""
    if steps_per_bar % STEPS_PER_BEAT == 0:
        return steps_per_bar // STEPS_PER_BEAT, 4
    return steps_per_bar * 2 // STEPS_PER_BEAT, 8
