"""The musician's own songs kept whole: each part's role, found or given, and the band piece.

A part (one file track on one channel) plays one role: the *melody* the model is given,
or a band track it learns to write: *drums*, *bass*, *chords* (piano, guitar, organ, pads:
what comps) and *other* (every other voice: horns, leads, counter-lines, merged as one
polyphonic track), or *skip*. The role comes from, in order: the musician's override by
part name (``--role "Piano*=chords"``), channel 10 (drums, and only channel 10: a part
named "Drums" on another channel is whatever its program says), the part's name, its
General MIDI program family, and how it plays (how often several notes start together,
how low it sits). Exactly one part is the melody: one named so, else the highest
mostly-single-note part among those with a fair share of the notes.

Parts are duck-typed (``name``, ``program``, ``channel``, ``is_drum``, ``notes`` of
``pitch``/``start_beat``/``duration_beats``), so ``composer_gui.core.midi_file``'s tracks
are read here without this package reading MIDI files itself.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from models.band_notes import Note
from models.pianoroll import STEPS_PER_BEAT
from models.tracks import TrackSpec

ROLES = ("melody", "drums", "bass", "chords", "other", "skip")
# The band a folder of songs trains: every role but the melody, each as found in the data.
SONG_TRACKS = (
    TrackSpec("drums", "drums"),
    TrackSpec("bass", "bass", program=33),
    TrackSpec("chords", "chords", program=0),
    TrackSpec("other", "chords", program=48),
)

_NAME_HINTS = (  # first match wins; checked on the lower-cased part name
    ("melody", r"melod|lead|vocal|voice|solo|tune|sing|theme"),
    ("bass", r"bass|foot"),
    ("chords", r"piano|pno|guitar|gtr|chord|pad|organ|string|rhythm|rythm|comp|keys|acc"),
)
_CHORD_PROGRAMS = (*range(0, 8), *range(16, 32), *range(48, 52), *range(88, 96))
_BASS_PROGRAMS = tuple(range(32, 40))
_MELODIC_PROGRAMS = (*range(40, 48), *range(52, 88))  # solo strings, voices, brass, reeds, leads
_MONOPHONIC_SHARE = 0.2  # at most this share of onsets shared with another note
_LOW_MEAN_PITCH = 50  # a single-note part sitting this low is a bass line
_BASS_MEAN_PITCH = 60  # a part named or programmed as a bass but higher is not the bass
_MELODY_NOTE_SHARE = 0.25  # of the busiest pitched part's notes, for a melody candidate


class PartNote(Protocol):
    pitch: int
    start_beat: float
    duration_beats: float


class Part(Protocol):
    name: str
    program: int
    channel: int
    is_drum: bool
    notes: Sequence[PartNote]


@dataclass(frozen=True)
class RoleOverride:
    """``pattern=role``: parts whose name matches the shell pattern (case ignored) play
    ``role``; a pattern without wildcards matches the whole name."""

    pattern: str
    role: str

    @classmethod
    def parse(cls, text: str) -> RoleOverride:
        pattern, sep, role = text.rpartition("=")
        role = role.strip().lower()
        if not sep or not pattern.strip() or role not in ROLES:
            raise ValueError(
                f"--role {text!r}: write NAME=ROLE with ROLE one of {', '.join(ROLES)} "
                "(for example --role 'Piano*=chords')"
            )
        return cls(pattern.strip(), role)

    def matches(self, name: str) -> bool:
        return fnmatch.fnmatchcase(name.lower(), self.pattern.lower())


def _steps(note: PartNote) -> tuple[int, int]:
    start = int(round(note.start_beat * STEPS_PER_BEAT))
    end = int(round((note.start_beat + note.duration_beats) * STEPS_PER_BEAT))
    return start, max(start + 1, end)


def polyphony(part: Part) -> float:
    """The share of a part's onsets (grid steps) where more than one note starts."""
    starts: dict[int, int] = {}
    for note in part.notes:
        step = _steps(note)[0]
        starts[step] = starts.get(step, 0) + 1
    return sum(1 for n in starts.values() if n > 1) / len(starts) if starts else 0.0


def mean_pitch(part: Part) -> float:
    return sum(n.pitch for n in part.notes) / len(part.notes) if part.notes else 0.0


def _hinted(part: Part) -> str | None:
    name = part.name.lower()
    for role, pattern in _NAME_HINTS:
        if re.search(pattern, name):
            return role
    return None


def find_roles(parts: Sequence[Part], overrides: Iterable[RoleOverride] = ()) -> list[str]:
    """One role per part (see the module's docstring for the order of the rules)."""
    overrides = list(overrides)
    roles: list[str | None] = []
    given_at: set[int] = set()  # the musician's roles: no rule below changes them
    for i, part in enumerate(parts):
        given = next((o.role for o in overrides if o.matches(part.name)), None)
        if not part.notes:
            roles.append("skip")
        elif given is not None:
            roles.append(given)
            given_at.add(i)
        elif part.is_drum:
            roles.append("drums")
        else:
            roles.append(None)
    if "melody" not in roles:
        named = [i for i, r in enumerate(roles) if r is None and _hinted(parts[i]) == "melody"]
        if named:
            roles[named[0]] = "melody"
    bass_like = []
    for i, part in enumerate(parts):
        if roles[i] is not None:
            continue
        hint = _hinted(part)
        single = polyphony(part) <= _MONOPHONIC_SHARE
        low = mean_pitch(part) < _BASS_MEAN_PITCH
        if hint == "bass" and low:
            bass_like.append(i)
        elif hint == "chords" or (part.program in _CHORD_PROGRAMS and not single):
            roles[i] = "chords"
        elif low and single and part.program in _BASS_PROGRAMS:
            bass_like.append(i)
    if "bass" not in roles:
        # One bass line: the lowest part named or programmed as a bass, else the lowest
        # single-note part sitting low; the others play along as other voices.
        if not bass_like:
            bass_like = [
                i
                for i, part in enumerate(parts)
                if roles[i] is None
                and polyphony(part) <= _MONOPHONIC_SHARE
                and mean_pitch(part) < _LOW_MEAN_PITCH
            ]
        if bass_like:
            roles[min(bass_like, key=lambda i: mean_pitch(parts[i]))] = "bass"
    for i in bass_like:  # a second bass line (doubling, or a low horn) is no melody
        roles[i] = roles[i] or "other"
    if "melody" not in roles:
        _choose_melody(parts, roles)
    if "melody" not in roles:
        # Every part comps (a ragtime piano's two hands): the highest chords part carries
        # the tune in its top line (``split_melody``), its other notes stay chords.
        comping = [i for i, r in enumerate(roles) if r == "chords" and i not in given_at]
        if comping:
            busiest = max(len(parts[i].notes) for i in comping)
            busy = [i for i in comping if len(parts[i].notes) >= _MELODY_NOTE_SHARE * busiest]
            roles[max(busy, key=lambda i: mean_pitch(parts[i]))] = "melody"
    for i, part in enumerate(parts):
        if roles[i] is None:
            single = polyphony(part) <= _MONOPHONIC_SHARE
            roles[i] = "chords" if not single and part.program not in _MELODIC_PROGRAMS else "other"
        elif roles[i] == "melody" and i != roles.index("melody"):
            roles[i] = "other"  # one melody: a second part named so plays along
    return [str(r) for r in roles]


def _choose_melody(parts: Sequence[Part], roles: list[str | None]) -> None:
    """The highest mostly-single-note part still unassigned among the busy ones; where
    every one is chordal, the highest of those (its top line becomes the melody)."""
    open_parts = [i for i, r in enumerate(roles) if r is None]
    if not open_parts:
        return
    busiest = max(len(parts[i].notes) for i in open_parts)
    busy = [
        i
        for i in open_parts
        if len(parts[i].notes) >= _MELODY_NOTE_SHARE * busiest
        and mean_pitch(parts[i]) >= _LOW_MEAN_PITCH
    ]
    if not busy:
        return
    single = [i for i in busy if polyphony(parts[i]) <= _MONOPHONIC_SHARE]
    roles[max(single or busy, key=lambda i: mean_pitch(parts[i]))] = "melody"


def part_label(part: Part) -> str:
    """A part as the musician finds it in the file: its name and its channel."""
    return f"{part.name} [ch{part.channel + 1}]"


def part_notes(part: Part) -> list[Note]:
    """A part's notes on the grid, ``(start_step, end_step, pitch)``."""
    return [(*_steps(n), int(n.pitch)) for n in part.notes]


def song_notes(parts: Sequence[Part], roles: Sequence[str]) -> dict[str, list[Note]]:
    """Every role's notes, the parts of one role merged (drums, bass, chords, other)."""
    merged: dict[str, list[Note]] = {}
    for part, role in zip(parts, roles, strict=True):
        if role == "melody":
            top, under = split_melody(part_notes(part))
            merged.setdefault("melody", []).extend(top)
            merged.setdefault("chords", []).extend(under)
        elif role != "skip":
            merged.setdefault(role, []).extend(part_notes(part))
    return merged


def split_melody(notes: Sequence[Note]) -> tuple[list[Note], list[Note]]:
    """A melody part's top line and the notes under it: of notes that start together the
    highest is the tune, the rest (a pianist's chord under it) go to the chords track."""
    by_start: dict[int, list[Note]] = {}
    for note in notes:
        by_start.setdefault(note[0], []).append(note)
    top, under = [], []
    for start in sorted(by_start):
        group = sorted(by_start[start], key=lambda n: n[2])
        top.append(group[-1])
        under.extend(group[:-1])
    return top, under


def role_programs(parts: Sequence[Part], roles: Sequence[str]) -> dict[str, int]:
    """The program each band role is heard with: that of its part with the most notes."""
    best: dict[str, tuple[int, int]] = {}
    for part, role in zip(parts, roles, strict=True):
        if role in ("melody", "skip"):
            continue
        if len(part.notes) > best.get(role, (-1, 0))[0]:
            best[role] = (len(part.notes), part.program)
    return {role: program for role, (_, program) in best.items()}
