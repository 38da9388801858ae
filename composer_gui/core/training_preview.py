"""What a folder of MIDI files gives the training, file by file, before it starts.

For each file: kept, with the role of each of its parts, or skipped with the reason the
dataset builder gives.  The Train window runs ``python -m
composer_gui.core.training_preview FOLDER [--voices] [--role NAME=ROLE ...]`` as a child
process (JSON on stdout), so reading forty songs never holds the window's interpreter
lock.

The preview is the builder's own verdict, not a restatement of it: for the songs kept
whole (``dataset build --songs``) it runs ``models.build_song_dataset`` on the folder
(roles from ``models.song_roles.find_roles`` with the musician's overrides; the skips,
including a melody the model cannot hear, as the build reports them) without writing
anything; for the voices layout (``--from-midi``), ``core/dataset_import.piece_from_file``
and its rule (the first pitched track is the melody, the three highest others
accompany, drums are left out).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_ACCOMPANIMENT = 3  # the chorale layout's three voices
ROLE_WORDS = {  # how the window says each role of models.song_roles
    "melody": "melody (what the model is given)",
    "drums": "drums",
    "bass": "bass",
    "chords": "chords",
    "other": "other voices",
    "skip": "not used (told to skip, or no notes)",
}


@dataclass
class FilePreview:
    name: str
    kept: bool
    reason: str = ""  # why it is skipped
    roles: list[tuple[str, str]] = field(default_factory=list)  # (part, role)
    # a kept song's band kinds with notes (build_song_dataset.song_kinds): the window
    # says which songs the kinds checked would skip, by the build's own rule
    kinds: list[str] = field(default_factory=list)


def preview_songs(folder: Path, roles: list[str] | tuple[str, ...] = ()) -> list[FilePreview]:
    """The songs kept whole: each file's parts and roles, or the builder's reason."""
    from composer_gui.core.dataset_import import songs_in_folder
    from models.build_dataset import BuildReport
    from models.build_song_dataset import band_pieces_from_songs
    from models.errors import DatasetError
    from models.song_roles import RoleOverride

    try:
        overrides = [RoleOverride.parse(text) for text in roles]
    except ValueError as error:
        raise DatasetError(str(error)) from None
    songs = list(songs_in_folder(Path(folder)))
    report = BuildReport()
    kinds: dict[str, list[str]] = {}
    _, _, found = band_pieces_from_songs(songs, overrides, report, kinds_by_song=kinds)
    reasons = dict(report.skipped)
    previews = []
    for name, _parts, _meters in songs:
        if name in found:
            parts = [(part, ROLE_WORDS[role]) for part, role in found[name].items()]
            previews.append(FilePreview(name, True, roles=parts, kinds=kinds[name]))
        else:
            previews.append(FilePreview(name, False, reasons.get(name, "not used")))
    return previews


def preview_voices_file(path: Path) -> FilePreview:
    """One file as the voices layout reads it (melody and three voices, drums dropped)."""
    from composer_gui.core.dataset_import import piece_from_file
    from composer_gui.core.errors import ComposerError
    from composer_gui.core.midi_file import read_arrangement
    from models.errors import DatasetError

    path = Path(path)
    try:
        piece_from_file(path)
    except (DatasetError, ComposerError) as error:
        return FilePreview(path.name, False, str(error))
    arrangement = read_arrangement(path)
    pitched = [t for t in arrangement.tracks if t.notes and not t.is_drum]
    others = sorted(pitched[1:], key=lambda t: -sum(n.pitch for n in t.notes) / len(t.notes))
    others = others[:MAX_ACCOMPANIMENT]
    accompanying = {id(t) for t in others}
    roles = []
    for index, track in enumerate(arrangement.tracks):
        name = track.name or f"track {index + 1}"
        if not track.notes:
            continue
        if track is pitched[0]:
            role = "melody"
        elif track.is_drum:
            role = "not used (drums: the voices layout writes voices)"
        elif track is others[-1]:
            role = "bass voice (its lowest note)"
        elif id(track) in accompanying:
            role = "upper voice (its top note)"
        else:
            role = "not used (a fourth accompaniment track)"
        roles.append((name, role))
    return FilePreview(path.name, True, roles=roles)


def preview_folder(
    folder: Path, layout: str = "band", roles: list[str] | tuple[str, ...] = ()
) -> list[FilePreview]:
    """Every MIDI file of ``folder`` as the plan's layout would build it."""
    if layout == "band":
        return preview_songs(folder, roles)
    from composer_gui.core.dataset_import import midi_files

    return [preview_voices_file(path) for path in midi_files(folder)]


def main(argv: list[str]) -> int:
    import argparse

    from composer_gui.core.errors import ComposerError
    from models.errors import ModelError

    parser = argparse.ArgumentParser(prog="training_preview")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--voices", action="store_true", help="the voices layout")
    parser.add_argument("--role", action="append", default=[], metavar="NAME=ROLE")
    args = parser.parse_args(argv)
    try:
        previews = preview_folder(args.folder, "voices" if args.voices else "band", args.role)
    except (ComposerError, ModelError, OSError) as error:
        print(f"composer-gui: {error}", file=sys.stderr)
        return 2
    json.dump([asdict(p) for p in previews], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
