"""Training pieces from the user's own multi-track MIDI files.

The rule: the melody is the first non-drum track with notes (or the track the user
names); the accompaniment is up to three other pitched tracks, highest first by mean
pitch, each reduced to one voice (the top note, the lowest for the bass), as the model
writes voices.  Files that do not fit are reported with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from composer_gui.core.errors import ComposerError
from composer_gui.core.file_suffixes import MIDI_SUFFIXES
from composer_gui.core.midi_file import read_arrangement
from models.build_dataset import REST, BuildReport, Piece, notes_to_voice
from models.errors import DatasetError
from models.pianoroll import (
    ACCOMPANIMENT_TRACKS,
    N_PITCHES,
    STEPS_PER_BEAT,
    octave_shift_into_range,
    supported_meters_text,
)


def midi_files(folder: Path) -> list[Path]:
    """The MIDI files under ``folder``: training stays MIDI only (scores have no drums,
    bass or chords to learn from; ``file_suffixes``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder} is not a folder of MIDI files.")
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in MIDI_SUFFIXES)


def piece_from_file(path: Path, melody_track: int | None = None) -> Piece:
    arrangement = read_arrangement(path)
    meter = arrangement.meter()
    if not meter.accompanied:
        raise DatasetError(f"meter {meter} is not one of {supported_meters_text()}")
    if len(arrangement.meters()) > 1:
        # TODO: pieces with a meter map; training windows take one meter per piece.
        changes = ", ".join(str(m) for m in arrangement.meters())
        raise DatasetError(f"changes meter ({changes}); training takes one meter per file")
    if arrangement.bar_starts() != replace(arrangement, meter_changes=[]).bar_starts():
        # A restated signature mid-bar restarts the bars there (the reader keeps it).
        raise DatasetError(f"restates {meter} mid-bar; training takes whole bars from beat 0")
    pitched = [t for t in arrangement.tracks if t.notes and not t.is_drum]
    if melody_track is not None:
        if not 0 <= melody_track < len(arrangement.tracks):
            raise DatasetError(f"has no track {melody_track}")
        melody = arrangement.tracks[melody_track]
        if melody.is_drum or not melody.notes:
            raise DatasetError(f"track {melody_track} is not a pitched track with notes")
    elif pitched:
        melody = pitched[0]
    else:
        raise DatasetError("has no pitched track")
    others = [t for t in pitched if t is not melody]
    if len(others) < 2:
        raise DatasetError("needs at least two accompaniment tracks beside the melody")
    others = sorted(others, key=lambda t: -np.mean([n.pitch for n in t.notes]))[:3]

    end_beat = max(n.end_beat for t in [melody, *others] for n in t.notes)
    n_steps = int(round(end_beat * STEPS_PER_BEAT))
    shift = octave_shift_into_range([n.pitch for t in [melody, *others] for n in t.notes])
    voices, onsets = [], []
    for i, track in enumerate([melody, *others]):
        keep = "lowest" if i == len(others) else "highest"
        notes = [(n.start_beat, n.duration_beats, n.pitch + shift) for n in track.notes]
        try:
            voice, onset = notes_to_voice(notes, n_steps, keep)
        except DatasetError as error:
            raise DatasetError(f"the {track.name or 'unnamed'} track: {error}") from None
        voices.append(voice)
        onsets.append(onset)
    while len(voices) < 1 + len(ACCOMPANIMENT_TRACKS):  # two accompaniment tracks: bass rests
        voices.append(np.full(n_steps, REST, dtype=np.int8))
        onsets.append(np.zeros(n_steps, dtype=bool))
    assert all(v.max() < N_PITCHES for v in voices)
    return Piece(path.stem, np.stack(voices), np.stack(onsets), meter, 0, group=path.stem)


def pieces_from_midi_folder(
    folder: Path,
    melody_track: int | None,
    report: BuildReport,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> list[Piece]:
    files = midi_files(folder)[:limit]
    if not files:
        raise DatasetError(f"There are no MIDI files in {folder}; nothing was written.")
    pieces = []
    for i, path in enumerate(files):
        try:
            pieces.append(piece_from_file(path, melody_track))
        except (DatasetError, ComposerError) as error:
            report.skipped.append((path.name, str(error)))
        if progress:
            progress(i + 1, len(files))
    return pieces


def songs_in_folder(
    folder: Path,
    progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> Iterator[tuple[str, list | str, list]]:
    """Each MIDI file of a folder as ``(file name, its parts or why it cannot be read,
    its meters)``, for ``models.build_song_dataset`` (which keeps the songs whole)."""
    files = midi_files(folder)[:limit]
    if not files:
        raise DatasetError(f"There are no MIDI files in {folder}; nothing was written.")
    for i, path in enumerate(files):
        try:
            arrangement = read_arrangement(path)
            yield path.name, arrangement.tracks, arrangement.meters()
        except ComposerError as error:
            yield path.name, str(error), []
        if progress:
            progress(i + 1, len(files))
