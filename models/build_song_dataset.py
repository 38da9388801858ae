"""A band dataset from the musician's own multi-track songs, each kept whole.

Every song becomes one piece: its melody part as the condition and its drums, bass,
chords and other voices as the four band tracks (``models.song_roles.SONG_TRACKS``), each
track's pitch range measured over the whole folder (up to the full MIDI range), so a
ragtime piano's low left hand or a whistle's top notes are kept. Only the melody must fit
the 28-91 the model hears; it is moved by whole octaves when it does not. A song that
cannot be used is reported with its reason, never dropped silently: a meter Composer does
not accompany, a change of meter, no melody found, a melody wider than the range, or
nothing beside the melody.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from models.band_notes import Note, measured_tracks, melody_voice, track_rolls
from models.band_pieces import BandPiece, write_band_dataset
from models.build_dataset import BuildReport
from models.errors import DatasetError
from models.pianoroll import Meter, bars_in, supported_meters_text
from models.song_roles import (
    SONG_TRACKS,
    Part,
    RoleOverride,
    find_roles,
    part_label,
    role_programs,
    song_notes,
)

SONG_LICENCE = "the musician's own files: their licence is the songs' own"


def song_tracks(kinds: Sequence[str] = ()) -> tuple:
    """The band tracks a folder's model learns: every one of ``SONG_TRACKS`` by default,
    or those named in ``kinds`` ("drums", "bass", ...: the Train window's check boxes);
    the parts of the other roles are left out of the data."""
    if not kinds:
        return SONG_TRACKS
    unknown = set(kinds) - {t.name for t in SONG_TRACKS}
    if unknown:
        names = ", ".join(t.name for t in SONG_TRACKS)
        raise DatasetError(f"--kinds {','.join(sorted(unknown))}: the kinds are {names}")
    return tuple(t for t in SONG_TRACKS if t.name in kinds)


def song_kinds(notes: dict[str, list[Note]]) -> list[str]:
    """The band kinds a song has notes of beside its melody (``song_notes``'s roles;
    a melody part's notes under its top line count as chords)."""
    return [t.name for t in SONG_TRACKS if notes.get(t.name)]


def nothing_to_learn(kinds_found: Collection[str], tracks: Sequence = SONG_TRACKS) -> str:
    """Why a song with notes of ``kinds_found`` gives a model of ``tracks`` nothing to
    learn, or "" when it has one of them.  The build's rule, and the Train window's
    preview asks it too (``core/training_preview.py``) to say which songs the kinds
    checked would skip before the build does."""
    if any(t.name in kinds_found for t in tracks):
        return ""
    if len(tracks) < len(SONG_TRACKS):
        return f"has no {', '.join(t.name for t in tracks)} beside the melody to learn from"
    return "has nothing beside the melody to learn from"


def song_band_notes(
    parts: Sequence[Part],
    meters: Sequence[Meter],
    overrides: Iterable[RoleOverride] = (),
    tracks: Sequence = SONG_TRACKS,
) -> tuple[dict[str, list[Note]], list[str], Meter, list[str]]:
    """A song's notes per role, the roles found, its meter and its ``song_kinds``; raises
    DatasetError with the reason the song cannot be used (nothing of ``tracks`` beside the
    melody, among others)."""
    if len({m.signature for m in meters}) > 1:
        raise DatasetError(
            f"changes meter ({', '.join(str(m) for m in meters)}); a song plays one meter"
        )
    meter = meters[0] if meters else Meter(4, 4)
    if not meter.accompanied:
        raise DatasetError(f"meter {meter} is not one of {supported_meters_text()}")
    roles = find_roles(parts, overrides)
    if "melody" not in roles:
        raise DatasetError(
            "no melody found (every part plays drums, bass or chords); name it with "
            "--role 'NAME=melody'"
        )
    notes = song_notes(parts, roles)
    kinds = song_kinds(notes)
    if reason := nothing_to_learn(kinds, tracks):
        raise DatasetError(reason)
    return notes, roles, meter, kinds


def band_pieces_from_songs(
    songs: Iterable[tuple[str, Sequence[Part] | str, Sequence[Meter]]],
    overrides: Iterable[RoleOverride] = (),
    report: BuildReport | None = None,
    kinds: Sequence[str] = (),
    kinds_by_song: dict[str, list[str]] | None = None,
) -> tuple[list[BandPiece], tuple, dict[str, dict[str, str]]]:
    """``songs``: ``(name, parts or the reason it could not be read, meters)``. Returns the
    pieces, the tracks with their measured ranges and programs, and each kept song's roles
    (part name -> role); ``kinds``: the band tracks learnt (``song_tracks``);
    ``kinds_by_song``, where given, gets each kept song's ``song_kinds``."""
    report = report if report is not None else BuildReport()
    chosen = song_tracks(kinds)
    overrides = list(overrides)
    kept: list[tuple[str, dict[str, list[Note]], Meter]] = []
    roles_by_song: dict[str, dict[str, str]] = {}
    programs: dict[str, list[int]] = {}
    for name, parts, meters in songs:
        if isinstance(parts, str):
            report.skipped.append((name, parts))
            continue
        try:
            notes, roles, meter, found = song_band_notes(parts, meters, overrides, chosen)
        except DatasetError as error:
            report.skipped.append((name, str(error)))
            continue
        kept.append((name, notes, meter))
        if kinds_by_song is not None:
            kinds_by_song[name] = found
        roles_by_song[name] = {part_label(p): r for p, r in zip(parts, roles, strict=True)}
        for role, program in role_programs(parts, roles).items():
            programs.setdefault(role, []).append(program)
    tracks = measured_tracks(chosen, (notes for _, notes, _ in kept))
    tracks = tuple(
        replace(t, program=max(set(p), key=p.count))
        if (p := programs.get(t.name)) and not t.is_drums
        else t
        for t in tracks
    )
    pieces = []
    for name, notes, meter in kept:
        # (the song's length counts every part, a role not learnt too: its bars stay whole)
        end = max(e for track_notes in notes.values() for _, e, _ in track_notes)
        n_steps = bars_in(end, meter.bar_steps) * meter.bar_steps
        try:
            melody, melody_onsets, _ = melody_voice(notes["melody"], n_steps)
        except ValueError as error:
            report.skipped.append((name, str(error)))
            roles_by_song.pop(name, None)
            continue
        rolls = [track_rolls(notes.get(t.name, []), t, n_steps) for t in tracks]
        pieces.append(
            BandPiece(
                name=name,
                melody=melody,
                melody_onsets=melody_onsets,
                sounding=[r[0] for r in rolls],
                onsets=[r[1] for r in rolls],
                meter=meter,
                group=name,
            )
        )
    return pieces, tracks, roles_by_song


def build_song_dataset(
    songs: Iterable[tuple[str, Sequence[Part] | str, Sequence[Meter]]],
    out_dir: Path,
    source: str,
    overrides: Iterable[RoleOverride] = (),
    kinds: Sequence[str] = (),
) -> tuple[dict, BuildReport, dict[str, dict[str, str]]]:
    """Build and write the dataset; the manifest also records every kept song's roles."""
    report = BuildReport()
    pieces, tracks, roles = band_pieces_from_songs(songs, overrides, report, kinds)
    manifest = write_band_dataset(
        pieces, tracks, ("songs",), Path(out_dir), source, report, SONG_LICENCE
    )
    manifest["roles"] = roles
    (Path(out_dir) / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest, report, roles
