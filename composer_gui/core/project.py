"""A Composer project in one JSON file (``.composer``): melody, candidates, pick, mix, tempo.

Qt-free so it can be tested and used without a display. The file is plain JSON a person
can read; times are in beats as in the music core. Saving is atomic (write a temporary
file beside the target, then rename), so a crash while saving never leaves half a file,
which matters because the app autosaves every few seconds.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import ComposerError

PROJECT_SUFFIX = ".composer"
FORMAT_VERSION = 1


class ProjectFileError(ComposerError):
    """A project file that cannot be read or was written by an incompatible version."""


@dataclass
class SavedCandidate:
    """A candidate as read back from a project; the same attributes as the engine's Candidate."""

    arrangement: Arrangement
    rank: int
    critic_score: float
    percentile: float
    metrics: dict[str, float] = field(default_factory=dict)


@dataclass
class TrackMix:
    """What the musician set for one track: instrument and how it is heard."""

    program: int = 0
    volume: float = 1.0  # 0..1
    mute: bool = False
    solo: bool = False


@dataclass
class Project:
    melody: Arrangement | None = None
    # Every generation the musician asked for, oldest first; each is ranked best first.
    generations: list[list[Any]] = field(default_factory=list)
    pick: tuple[int, int] | None = None  # (generation, index in it)
    mix: list[TrackMix] = field(default_factory=list)
    tempo_bpm: float = 100.0
    bars: int = 4
    preset: str = "organ"
    density: float = 0.5
    variety: float = 0.5

    @property
    def candidates(self) -> list[Any]:
        """The newest generation (what the candidate list shows first)."""
        return self.generations[-1] if self.generations else []

    @property
    def picked(self) -> Any | None:
        if self.pick is None:
            return None
        generation, index = self.pick
        try:
            return self.generations[generation][index]
        except IndexError:
            return None


# --- conversion to and from plain JSON values --------------------------------------


def arrangement_to_dict(arrangement: Arrangement) -> dict[str, Any]:
    return {
        "tempo_bpm": arrangement.tempo_bpm,
        "time_signature": list(arrangement.time_signature),
        "tempo_changes": [list(change) for change in arrangement.tempo_changes],
        "meter_changes": [[beat, list(sig)] for beat, sig in arrangement.meter_changes],
        "tracks": [
            {
                "name": track.name,
                "program": track.program,
                "channel": track.channel,
                "is_drum": track.is_drum,
                # [pitch, start_beat, duration_beats, velocity]: compact and readable
                "notes": [
                    [n.pitch, n.start_beat, n.duration_beats, n.velocity] for n in track.notes
                ],
            }
            for track in arrangement.tracks
        ],
    }


def arrangement_from_dict(data: dict[str, Any]) -> Arrangement:
    tracks = [
        Track(
            name=str(t["name"]),
            notes=[Note(int(p), float(s), float(d), int(v)) for p, s, d, v in t.get("notes", [])],
            program=int(t.get("program", 0)),
            channel=int(t.get("channel", 0)),
            is_drum=bool(t.get("is_drum", False)),
        )
        for t in data["tracks"]
    ]
    numerator, denominator = data.get("time_signature", (4, 4))
    return Arrangement(
        tracks=tracks,
        tempo_bpm=float(data.get("tempo_bpm", 120.0)),
        time_signature=(int(numerator), int(denominator)),
        tempo_changes=[(float(b), float(t)) for b, t in data.get("tempo_changes", [])],
        meter_changes=[
            (float(b), (int(sig[0]), int(sig[1]))) for b, sig in data.get("meter_changes", [])
        ],
    )


def candidate_to_dict(candidate: Any) -> dict[str, Any]:
    return {
        "rank": int(candidate.rank),
        "critic_score": float(candidate.critic_score),
        "percentile": float(candidate.percentile),
        "metrics": {str(k): float(v) for k, v in dict(candidate.metrics).items()},
        "arrangement": arrangement_to_dict(candidate.arrangement),
    }


def candidate_from_dict(data: dict[str, Any]) -> SavedCandidate:
    return SavedCandidate(
        arrangement=arrangement_from_dict(data["arrangement"]),
        rank=int(data["rank"]),
        critic_score=float(data["critic_score"]),
        percentile=float(data["percentile"]),
        metrics={str(k): float(v) for k, v in data.get("metrics", {}).items()},
    )


def project_to_dict(project: Project) -> dict[str, Any]:
    return {
        "format": "composer-project",
        "version": FORMAT_VERSION,
        "melody": arrangement_to_dict(project.melody) if project.melody is not None else None,
        "generations": [[candidate_to_dict(c) for c in gen] for gen in project.generations],
        "pick": list(project.pick) if project.pick is not None else None,
        "mix": [vars(m).copy() for m in project.mix],
        "tempo_bpm": project.tempo_bpm,
        "bars": project.bars,
        "preset": project.preset,
        "density": project.density,
        "variety": project.variety,
    }


def project_from_dict(data: dict[str, Any]) -> Project:
    if data.get("format") != "composer-project":
        raise ProjectFileError("This file is not a Composer project; open a .composer file.")
    version = int(data.get("version", 0))
    if version > FORMAT_VERSION:
        raise ProjectFileError(
            f"This project was saved by a newer Composer (format {version}); "
            "update Composer to open it."
        )
    melody = data.get("melody")
    pick = data.get("pick")
    return Project(
        melody=arrangement_from_dict(melody) if melody else None,
        generations=[[candidate_from_dict(c) for c in gen] for gen in data.get("generations", [])],
        pick=(int(pick[0]), int(pick[1])) if pick else None,
        mix=[
            TrackMix(
                program=int(m.get("program", 0)),
                volume=float(m.get("volume", 1.0)),
                mute=bool(m.get("mute", False)),
                solo=bool(m.get("solo", False)),
            )
            for m in data.get("mix", [])
        ],
        tempo_bpm=float(data.get("tempo_bpm", 100.0)),
        bars=int(data.get("bars", 4)),
        preset=str(data.get("preset", "organ")),
        density=float(data.get("density", 0.5)),
        variety=float(data.get("variety", 0.5)),
    )


# --- files ----------------------------------------------------------------------


def save_project(project: Project, path: str | os.PathLike) -> Path:
    """Write the project atomically; returns the path written (suffix added if missing)."""
    path = Path(path)
    if path.suffix != PROJECT_SUFFIX:
        path = path.with_name(path.name + PROJECT_SUFFIX)
    text = json.dumps(project_to_dict(project), indent=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".saving-", suffix=PROJECT_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_project(path: str | os.PathLike) -> Project:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectFileError(f"The project {path} no longer exists; choose another.") from None
    except IsADirectoryError:
        raise ProjectFileError(f"{path} is a folder; choose a .composer file.") from None
    except (OSError, UnicodeDecodeError):
        raise ProjectFileError(f"The project {path.name} cannot be read.") from None
    try:
        return project_from_dict(json.loads(text))
    except ProjectFileError:
        raise
    except (ValueError, KeyError, TypeError, IndexError):
        raise ProjectFileError(
            f"The project {path.name} is damaged and cannot be opened."
        ) from None
