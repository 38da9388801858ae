"""What a folder of MIDI files gives the training, file by file, before it starts.

For each file: kept, with the role of each of its tracks (melody, accompaniment, or
not used and why), or skipped with the reason the dataset builder gives.  The Train
window runs ``python -m composer_gui.core.training_preview FOLDER`` as a child process
(JSON on stdout), so reading forty songs never holds the window's interpreter lock.

The roles follow ``core/dataset_import.piece_from_file``'s rule (the first pitched
track is the melody; the three highest others, by mean pitch, accompany; drums are
left out), and whether a file is kept is that function's own verdict.
TODO(issue 17d): show the role finder's roles when the band dataset builder lands.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_ACCOMPANIMENT = 3  # the chorale model's three voices


@dataclass
class FilePreview:
    name: str
    kept: bool
    reason: str = ""  # why it is skipped
    roles: list[tuple[str, str]] = field(default_factory=list)  # (track name, role)


def preview_file(path: Path) -> FilePreview:
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
            role = "not used (drums: the chorale model writes voices)"
        elif track is others[-1]:
            role = "bass voice (its lowest note)"
        elif id(track) in accompanying:
            role = "upper voice (its top note)"
        else:
            role = "not used (a fourth accompaniment track)"
        roles.append((name, role))
    return FilePreview(path.name, True, roles=roles)


def preview_folder(folder: Path) -> list[FilePreview]:
    from composer_gui.core.dataset_import import midi_files

    return [preview_file(path) for path in midi_files(folder)]


def main(argv: list[str]) -> int:
    from composer_gui.core.errors import ComposerError
    from models.errors import ModelError

    try:
        previews = preview_folder(Path(argv[0]))
    except (ComposerError, ModelError, OSError) as error:
        print(f"composer-gui: {error}", file=sys.stderr)
        return 2
    json.dump([asdict(p) for p in previews], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
