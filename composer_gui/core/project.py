"""A Composer project in one JSON file (``.composer``): melody, candidates, pick, mix, tempo.

``Project`` is the file's content as plain values; ``core/document.py`` owns the live
state and converts to and from it. Format 2 adds, per take, the melody it was written
for, the meter and the take on show; format 1 files still load (each take is then taken
to be written for its candidates' own melody track). ``set_aside_mixes`` (session 11) is
an optional field of format 2: the mixes of the track lists not on show (another style's
takes), so a saved tune keeps every strip's settings; a file without it opens with none,
and an older Composer opening a file with it ignores it (it would lose only those mixes,
which is why the version did not change: it opens the rest). Session 20 adds to each
set-aside mix its ``style`` and to each take ``take_styles`` (two band styles have the
same tracks); a file without them opens with "" (not known), and an older Composer
ignores them.

Qt-free so it can be tested and used without a display. The file is plain JSON a person
can read; times are in beats as in the music core. Saving is atomic (write a temporary
file beside the target, then rename), so a crash while saving never leaves half a file,
which matters because the app autosaves every few seconds.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.candidate import Candidate
from composer_gui.core.errors import ComposerError
from composer_gui.core.melody_grid import PICKUP_AUTO, PICKUP_NONE, Pickup

PROJECT_SUFFIX = ".composer"
FORMAT_VERSION = 2

# Which strips a mix is for: the style (as the Style box shows it; "" not known) and the
# track names, the melody's first. Pop ballad and rock have the same tracks and are two.
MixKey = tuple[str, tuple[str, ...]]


class ProjectFileError(ComposerError):
    """A project file that cannot be read or was written by an incompatible version."""


@dataclass
class TrackMix:
    """What the musician set for one track: instrument and how it is heard."""

    program: int = 0
    volume: float = 1.0  # 0..1
    mute: bool = False
    solo: bool = False

    def channel_volume(self) -> int:
        """The slider as MIDI channel volume (CC 7, 0-127): what the built-in synth, a
        MIDI output, the DAW and an exported file all get."""
        return max(0, min(127, round(self.volume * 127)))


@dataclass
class Project:
    melody: Arrangement | None = None
    # Every generation the musician asked for, oldest first; each is ranked best first.
    generations: list[list[Candidate]] = field(default_factory=list)
    # The melody notes each generation was written for (None: its candidates' own melody).
    take_melodies: list[list[Note] | None] = field(default_factory=list)
    # The pickup setting each generation was written for (None: not known, older files).
    take_pickups: list[Pickup | None] = field(default_factory=list)
    # The style each generation was written in, as the Style box showed it ("": not
    # known, older files; then its candidates' own ``style``).
    take_styles: list[str] = field(default_factory=list)
    pick: tuple[int, int] | None = None  # (generation, index in it)
    current_take: int | None = None  # the take the candidate list shows
    mix: list[TrackMix] = field(default_factory=list)
    # The mixes not on show (another style's takes or strips), by (style, track names,
    # the melody's first): what Document._redress set aside. An older file's have no
    # style: "".
    set_aside_mixes: dict[MixKey, list[TrackMix]] = field(default_factory=dict)
    tempo_bpm: float = 100.0
    bars: int = 4
    pickup: Pickup = PICKUP_AUTO  # core.melody_grid.Pickup; older files: auto
    preset: str = "organ"
    density: float = 0.5
    variety: float = 0.5
    style: str = "chorale"  # the style box's choice (core.styles); older files: the chorale
    time_signature: tuple[int, int] = (4, 4)
    file_path: str | None = None  # autosaves only: the file the work belongs to
    # The MIDI file the melody was opened from, and which of its tracks it is (None: a
    # melody played or drawn here). Kept so a recovered or reopened tune is still the
    # opened tune, not a new melody whose boxes set the next New's (session 16); an
    # older file has none, and an older Composer ignores it.
    melody_file: str | None = None
    melody_track: int = 0
    # That track's notes as the file held them (session 21): the melody may have been
    # edited since it was taken, so the track is found again by these, not by the
    # melody's (None: an older file; then by the melody's).
    melody_track_notes: list[Note] | None = None

    @property
    def candidates(self) -> list[Candidate]:
        """The newest generation (what the candidate list shows first)."""
        return self.generations[-1] if self.generations else []

    @property
    def picked(self) -> Candidate | None:
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
        "markers": [[beat, text] for beat, text in arrangement.markers],
        "tracks": [
            {
                "name": track.name,
                "program": track.program,
                "channel": track.channel,
                "is_drum": track.is_drum,
                "notes": notes_to_list(track.notes),
            }
            for track in arrangement.tracks
        ],
    }


def arrangement_from_dict(data: dict[str, Any]) -> Arrangement:
    tracks = [
        Track(
            name=str(t["name"]),
            notes=notes_from_list(t.get("notes", [])),
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
        markers=[(float(b), str(text)) for b, text in data.get("markers", [])],
    )


def _finite_or_none(value: float) -> float | None:
    """JSON has no NaN: an unranked candidate's score is written as null."""
    value = float(value)
    return value if math.isfinite(value) else None


def candidate_to_dict(candidate: Any) -> dict[str, Any]:
    return {
        "rank": int(candidate.rank),
        "critic_score": float(candidate.critic_score),
        "percentile": float(candidate.percentile),
        "metrics": {str(k): float(v) for k, v in dict(candidate.metrics).items()},
        "seed": int(getattr(candidate, "seed", 0)),
        "reasons": [str(r) for r in getattr(candidate, "reasons", [])],
        "score": _finite_or_none(getattr(candidate, "score", math.nan)),
        "checks": {str(k): int(v) for k, v in dict(getattr(candidate, "checks", {})).items()},
        "chords": [[float(beat), str(symbol)] for beat, symbol in getattr(candidate, "chords", [])],
        "style": str(getattr(candidate, "style", "")),
        "real_share": _finite_or_none(getattr(candidate, "real_share", math.nan)),
        "calibrated_on": str(getattr(candidate, "calibrated_on", "")),
        "model_note": str(getattr(candidate, "model_note", "")),
        "arrangement": arrangement_to_dict(candidate.arrangement),
    }


def candidate_from_dict(data: dict[str, Any]) -> Candidate:
    return Candidate(
        arrangement=arrangement_from_dict(data["arrangement"]),
        rank=int(data["rank"]),
        critic_score=float(data["critic_score"]),
        percentile=float(data["percentile"]),
        metrics={str(k): float(v) for k, v in data.get("metrics", {}).items()},
        seed=int(data.get("seed", 0)),
        reasons=[str(r) for r in data.get("reasons", [])],
        score=math.nan if data.get("score") is None else float(data["score"]),
        checks={str(k): int(v) for k, v in data.get("checks", {}).items()},
        chords=[(float(beat), str(symbol)) for beat, symbol in data.get("chords", [])],
        style=str(data.get("style", "")),
        real_share=math.nan if data.get("real_share") is None else float(data["real_share"]),
        calibrated_on=str(data.get("calibrated_on", "")),
        model_note=str(data.get("model_note", "")),
    )


def notes_to_list(notes: list[Note]) -> list[list[float]]:
    # [pitch, start_beat, duration_beats, velocity]: compact and readable
    return [[n.pitch, n.start_beat, n.duration_beats, n.velocity] for n in notes]


def notes_from_list(rows: list[list[float]]) -> list[Note]:
    return [Note(int(p), float(s), float(d), int(v)) for p, s, d, v in rows]


def mix_from_list(rows: list[dict[str, Any]]) -> list[TrackMix]:
    """A mix as the file keeps it (one dict a strip; a missing key is its default)."""
    return [
        TrackMix(
            program=int(m.get("program", 0)),
            volume=float(m.get("volume", 1.0)),
            mute=bool(m.get("mute", False)),
            solo=bool(m.get("solo", False)),
        )
        for m in rows
    ]


def project_to_dict(project: Project) -> dict[str, Any]:
    return {
        "format": "composer-project",
        "version": FORMAT_VERSION,
        "melody": arrangement_to_dict(project.melody) if project.melody is not None else None,
        "generations": [[candidate_to_dict(c) for c in gen] for gen in project.generations],
        "take_melodies": [
            notes_to_list(notes) if notes is not None else None for notes in project.take_melodies
        ],
        "take_pickups": list(project.take_pickups),
        "take_styles": list(project.take_styles),
        "pick": list(project.pick) if project.pick is not None else None,
        "current_take": project.current_take,
        "time_signature": list(project.time_signature),
        "file_path": project.file_path,
        "melody_file": project.melody_file,
        "melody_track": project.melody_track,
        "melody_track_notes": (
            notes_to_list(project.melody_track_notes)
            if project.melody_track_notes is not None
            else None
        ),
        "mix": [vars(m).copy() for m in project.mix],
        "set_aside_mixes": [
            {"style": style, "tracks": list(names), "mix": [vars(m).copy() for m in mix]}
            for (style, names), mix in project.set_aside_mixes.items()
        ],
        "tempo_bpm": project.tempo_bpm,
        "bars": project.bars,
        "pickup": project.pickup,
        "preset": project.preset,
        "style": project.style,
        "density": project.density,
        "variety": project.variety,
    }


def pickup_from_file(value: Any) -> Pickup | None:
    """A saved pickup setting; None for a missing or unreadable one."""
    if value in (PICKUP_AUTO, PICKUP_NONE):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def project_from_dict(data: dict[str, Any]) -> Project:
    if data.get("format") != "composer-project":
        raise ProjectFileError("This file is not a Composer project; open a .composer file.")
    version = int(data.get("version", 0))
    if version > FORMAT_VERSION:
        raise ProjectFileError(
            f"This project was saved by a newer Composer (format {version}); "
            "update Composer to open it."
        )
    melody = arrangement_from_dict(data["melody"]) if data.get("melody") else None
    pick = data.get("pick")
    generations = [[candidate_from_dict(c) for c in gen] for gen in data.get("generations", [])]
    take_melodies = [
        notes_from_list(notes) if notes is not None else None
        for notes in data.get("take_melodies", [])
    ]
    meter = data.get("time_signature") or (melody.time_signature if melody else (4, 4))
    current = data.get("current_take")
    return Project(
        melody=melody,
        generations=generations,
        take_melodies=take_melodies[: len(generations)],
        take_pickups=[pickup_from_file(p) for p in data.get("take_pickups", [])][
            : len(generations)
        ],
        take_styles=[str(s) for s in data.get("take_styles", [])][: len(generations)],
        pick=(int(pick[0]), int(pick[1])) if pick else None,
        current_take=int(current) if current is not None else None,
        time_signature=(int(meter[0]), int(meter[1])),
        file_path=str(data["file_path"]) if data.get("file_path") else None,
        melody_file=str(data["melody_file"]) if data.get("melody_file") else None,
        melody_track=max(0, int(data.get("melody_track") or 0)),
        melody_track_notes=(
            notes_from_list(data["melody_track_notes"])
            if data.get("melody_track_notes") is not None
            else None
        ),
        mix=mix_from_list(data.get("mix", [])),
        set_aside_mixes={
            (str(entry.get("style", "")), tuple(str(name) for name in entry["tracks"])): (
                mix_from_list(entry["mix"])
            )
            for entry in data.get("set_aside_mixes", [])
        },
        tempo_bpm=float(data.get("tempo_bpm", 100.0)),
        bars=int(data.get("bars", 4)),
        pickup=pickup_from_file(data.get("pickup", PICKUP_AUTO)) or PICKUP_AUTO,
        preset=str(data.get("preset", "organ")),
        style=str(data.get("style", "chorale")),
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
