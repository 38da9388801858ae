"""Notes on the grid to a band track's rolls, and track ranges measured from the data.

Both band producers (MMA renderings in ``models.mma_render`` and the musician's own songs
in ``models.song_roles``) first collect each track's notes as ``(start_step, end_step,
pitch)``, measure every track's pitch range over the whole collection, then lay the notes
on rolls of that range (``BandPiece.sounding``/``onsets``), so no note is dropped for
falling outside a range fixed in advance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np

from models.build_dataset import REST
from models.pianoroll import LOWEST_PITCH, N_PITCHES, octave_shift_into_range
from models.tracks import TrackSpec

Note = tuple[int, int, int]  # (start_step, end_step exclusive, MIDI pitch or GM drum key)


def track_rolls(
    notes: Iterable[Note], spec: TrackSpec, n_steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(sounding, onsets)``, each ``(n_steps, spec.n_rows)`` bool, for one track.

    Drums only start (``sounding == onsets``); a monophonic track keeps the lowest note
    where two overlap (a bass under a walking line), and a note that starts cuts the one
    it lands on, so one pitch sounds per step. Notes outside the track's rows are left out
    (the ranges are measured from the same notes, so none are)."""
    sounding = np.zeros((n_steps, spec.n_rows), dtype=bool)
    onsets = np.zeros((n_steps, spec.n_rows), dtype=bool)
    ordered = sorted(notes, key=lambda n: (n[0], n[2]))
    for start, end, pitch in ordered:
        row = spec.pitch_row(pitch)
        if row is None or start >= n_steps or start < 0:
            continue
        end = min(max(end, start + 1), n_steps)
        if spec.is_drums:
            onsets[start, row] = True
            continue
        if spec.monophonic:
            if sounding[start].any() and onsets[start].any():
                # Two notes start together: the lower one (already laid) stays.
                lower = int(np.flatnonzero(sounding[start])[0])
                if lower < row:
                    continue
            sounding[start:end] = False
            onsets[start:end] = False
        sounding[start:end, row] = True
        onsets[start, row] = True
    if spec.is_drums:
        sounding = onsets.copy()
    return sounding, onsets


def measured_tracks(
    tracks: Sequence[TrackSpec], notes: Iterable[dict[str, list[Note]]]
) -> tuple[TrackSpec, ...]:
    """The tracks with each pitched track's range set to the lowest and highest note the
    data has (``notes``: per piece, track name -> notes); a track with no notes keeps its
    declared range."""
    low = {t.name: 128 for t in tracks}
    high = {t.name: -1 for t in tracks}
    for piece in notes:
        for name, track_notes in piece.items():
            for _, _, pitch in track_notes:
                low[name] = min(low[name], pitch)
                high[name] = max(high[name], pitch)
    out = []
    for spec in tracks:
        if spec.is_drums or high[spec.name] < 0:
            out.append(spec)
        else:
            out.append(replace(spec, low=low[spec.name], high=high[spec.name]))
    return tuple(out)


def melody_voice(notes: Iterable[Note], n_steps: int) -> tuple[np.ndarray, np.ndarray, int]:
    """A melody's notes as the generator's condition: ``(voice (step,) int8 index from
    LOWEST_PITCH or REST, onsets (step,) bool, octave shift applied)``. The melody is moved
    by whole octaves to fit the shipped range (28-91), the highest note kept where notes
    overlap; a note a shift cannot fit raises ValueError."""
    notes = list(notes)
    shift = octave_shift_into_range(p for _, _, p in notes)
    voice = np.full(n_steps, REST, dtype=np.int16)
    onsets = np.zeros(n_steps, dtype=bool)
    for start, end, pitch in sorted(notes, key=lambda n: (n[0], n[2])):
        index = pitch + shift - LOWEST_PITCH
        if not 0 <= index < N_PITCHES:
            raise ValueError(
                f"the melody spans {min(p for *_, p in notes)}-{max(p for *_, p in notes)}, "
                "more than the 28-91 the model hears"
            )
        if start >= n_steps or start < 0:
            continue
        end = min(max(end, start + 1), n_steps)
        current = voice[start:end]
        keep = (current == REST) | (current < index) | (np.arange(end - start) == 0)
        current[keep] = index
        onsets[start] = True
    return voice.astype(np.int8), onsets, shift
