"""A model's tracks as the app's tracks: rows of each ``TrackSpec`` to notes, and back.

The engine gets, per candidate, one ``(sounding, onsets)`` pair per model track, each
``(n_steps, track.n_rows)`` bool (``models.sampling.clean_candidates``). Row ``r`` of a
track is MIDI pitch ``track.row_pitch(r)``: any pitch 0-127 the track's range holds (a
band's bass below the chorale grid's 28, a pad above its 91), or a General MIDI
percussion key for a drums track. Nothing here knows voice names: the melody is the
user's ``Track``, then one ``Track`` per ``TrackSpec``, named, programmed and channelled
from the spec (``instruments.track_channels``: drums on channel 10).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from composer_gui.core.arrangement import Note, Track
from composer_gui.core.instruments import track_channels
from models.pianoroll import LOWEST_PITCH, STEPS_PER_BEAT
from models.tracks import TrackSpec

TrackRolls = list[tuple[np.ndarray, np.ndarray]]  # per track: (sounding, onsets) (T, rows)


def per_track(cleaned, n_tracks: int) -> TrackRolls:
    """One cleaned candidate as one ``(sounding, onsets)`` pair per track.

    Takes both shapes ``clean_candidates`` has had: the chorale's one pair of stacked
    ``(3, T, P)`` arrays, and a list of per-track pairs (any kinds).  A model of two
    tracks (a folder's drums and bass) also comes as a list of two: each of its pairs
    is a tuple, never one stacked array (``np.ndim`` of a pair of same-shaped rolls is 3
    too, which read the drums' pair as the three voices)."""
    if len(cleaned) == 2 and isinstance(cleaned[0], np.ndarray) and cleaned[0].ndim == 3:
        roll, onsets = cleaned
        pairs = [(roll[j], onsets[j]) for j in range(roll.shape[0])]
    else:
        pairs = [(sounding, onsets) for sounding, onsets in cleaned]
    if len(pairs) != n_tracks:
        raise ValueError(f"the model wrote {len(pairs)} tracks, its card lists {n_tracks}")
    return [(np.asarray(s, dtype=bool), np.asarray(o, dtype=bool)) for s, o in pairs]


def accompaniment_tracks(
    parts: TrackRolls,
    tracks: Sequence[TrackSpec],
    programs: Sequence[int],
    shift: int,
    velocity: int | Sequence[int],
    offset_beats: float = 0.0,
) -> list[Track]:
    """The app's tracks for one candidate, in the model's order (the melody not included).

    ``velocity`` is every note's, or one per track (``instruments.track_velocities``).
    ``shift`` (semitones) moves pitched tracks back near the user's register; drums are
    keys, not pitches, and never move. A note is a run of sounding steps, split where its
    onsets mark a new attack (a re-struck chord, a drum hit on each step)."""
    from models.cleanup import roll_to_note_list

    channels = track_channels(tracks)[1:]
    velocities = [velocity] * len(tracks) if isinstance(velocity, int) else list(velocity)
    out = []
    for spec, program, channel, track_velocity, (sounding, onsets) in zip(
        tracks, programs, channels, velocities, parts, strict=True
    ):
        part = Track(spec.name, [], int(program), channel, is_drum=spec.is_drums)
        for _, row, start, length in roll_to_note_list(sounding[None], onsets[None]):
            pitch = spec.row_pitch(row - LOWEST_PITCH) + (0 if spec.is_drums else shift)
            if not 0 <= pitch <= 127:
                continue  # only a shift past the MIDI range can do this
            start_beat = offset_beats + start / STEPS_PER_BEAT
            length_beats = length / STEPS_PER_BEAT
            part.notes.append(Note(int(pitch), start_beat, length_beats, int(track_velocity)))
        out.append(part)
    return out


def track_rolls(
    parts: Sequence[Track],
    tracks: Sequence[TrackSpec],
    n_steps: int,
    shift: int = 0,
    offset_beats: float = 0.0,
) -> TrackRolls:
    """The inverse of ``accompaniment_tracks``: each part as its track's rows, so a
    candidate can be scored again. Notes outside a track's range are left out."""
    out = []
    for spec, part in zip(tracks, parts, strict=True):
        sounding = np.zeros((n_steps, spec.n_rows), dtype=bool)
        onsets = np.zeros_like(sounding)
        for note in part.notes:
            row = spec.pitch_row(note.pitch if spec.is_drums else note.pitch - shift)
            start = round((note.start_beat - offset_beats) * STEPS_PER_BEAT)
            end = max(start + 1, round((note.end_beat - offset_beats) * STEPS_PER_BEAT))
            if row is None or not 0 <= start < n_steps:
                continue
            sounding[start : min(end, n_steps), row] = True
            onsets[start, row] = True
        out.append((sounding, onsets))
    return out
