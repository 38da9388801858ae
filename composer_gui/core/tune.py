"""The plain data of one tune (``Tune``) and its conversion to and from a project file.

``core/document.Document`` owns a ``Tune`` and changes it only through its intents; this
module has no behaviour beyond building and converting values, so the file format's
details (format 1 files, picks that point nowhere) are handled in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.bar_lines import Reading, read_bars
from composer_gui.core.candidate import Candidate
from composer_gui.core.instruments import DEFAULT_PRESET, PRESETS
from composer_gui.core.melody_grid import PICKUP_AUTO, Pickup
from composer_gui.core.project import MixKey, Project, TrackMix
from composer_gui.core.styles import CHORALE_STYLE
from models.pianoroll import ACCOMPANIED_METERS, BEATS_PER_BAR, TRACKS

# The bars box's range for a new, empty melody; a melody's own bars are shown whole.
NEW_BARS_MAX = 999
# The meters a new melody may have: the meter box offers these (an opened tune's own
# meter is shown beside them while it is open), New and a start read only these back.
# The accompanied ones, since a new melody is played to be accompanied. A 5/4 tune's
# meter stayed in the box after New, was saved as the record meter and read back as 4/4.
NEW_MELODY_METERS: tuple[tuple[int, int], ...] = ACCOMPANIED_METERS


@dataclass(frozen=True)
class NewTune:
    """What a new melody starts with: the record settings (tempo, bars to record, meter).

    New and a fresh start give these; the tempo, bars and meter boxes set on a new
    melody change them, an opened tune's own never do (a 282-bar tune's New was "282
    bars" to record, in its meter and tempo)."""

    tempo_bpm: float = 100.0
    bars: int = 4
    time_signature: tuple[int, int] = (BEATS_PER_BAR, 4)

    @classmethod
    def read(cls, tempo_bpm: float, bars: int, meter: str) -> NewTune:
        """From saved settings; a meter written wrong or not a new melody's reads as 4/4."""
        try:
            numerator, denominator = (int(part) for part in meter.split("/"))
        except ValueError:
            numerator, denominator = cls.time_signature
        signature = (numerator, denominator)
        if signature not in NEW_MELODY_METERS:
            signature = cls.time_signature
        return cls(float(tempo_bpm), new_bars(bars), signature)

    @property
    def meter_text(self) -> str:
        return "{}/{}".format(*self.time_signature)


@dataclass
class Take:
    """One press of Generate: its ranked candidates and the melody (and meter) they were
    written for; a change of either since makes the take stale."""

    candidates: list[Candidate]
    melody: tuple[Note, ...]
    chosen: int | None = None  # the candidate last picked in this take
    meter: MeterKey | None = None  # None: not known (then only the melody decides)
    pickup: Pickup | None = None  # the pickup setting it was written for; None: not known
    # The style it was written in, as the Style box shows it (Document.add_take); "": not
    # known (an older file whose candidates do not say). With its track names, which
    # strips it is heard through (project.MixKey): pop ballad's and rock's are two.
    style: str = ""


MeterKey = tuple[tuple[int, int], tuple[tuple[float, tuple[int, int]], ...]]


def meter_key(time_signature, meter_changes) -> MeterKey:
    """The meters of a tune or an arrangement as one comparable value."""
    return (
        tuple(time_signature),
        tuple((float(beat), tuple(signature)) for beat, signature in meter_changes),
    )


def take_change(take: Take, s: Tune) -> str:
    """What changed since the take was written: "melody" (edited), "meter", "pickup",
    or "" (nothing: the take is not stale)."""
    if take.melody != s.melody:
        return "melody"
    if take.meter is not None and take.meter != meter_key(s.time_signature, s.meter_changes):
        return "meter"
    if take.pickup is not None and take.pickup != s.pickup:
        return "pickup"
    return ""


def take_is_stale(take: Take, s: Tune) -> bool:
    """The melody was edited, or the meter or the pickup changed, since the take was
    written."""
    return bool(take_change(take, s))


@dataclass
class MelodySource:
    """The MIDI file the melody came from, kept so the musician can take another track."""

    path: Path
    tracks: list[Track]
    index: int  # which of ``tracks`` is the melody

    def labels(self) -> list[str]:
        return [
            f"{n + 1}: {t.name} ({len(t.notes)} notes{', drums' if t.is_drum else ''})"
            for n, t in enumerate(self.tracks)
        ]


@dataclass(frozen=True)
class Edit:
    """One undo step of the melody (and of the melody's track, when that was the edit; and
    of the pickup setting, when the edit set it with the melody, as a take recorded with a
    count-in pickup does: the old notes under the new pickup would be barred wrong), or of
    the meter (the notes unchanged, the bars moved; and the pickup, when a pickup of a
    bar or more of the new meter fell back to auto)."""

    text: str
    before: tuple[Note, ...]
    after: tuple[Note, ...]
    track_before: int | None = None
    track_after: int | None = None
    pickup_before: Pickup | None = None  # None: the edit left the pickup setting alone
    pickup_after: Pickup | None = None
    # the meters before and after, when the edit was the meter box's (None: left alone):
    # the meter box was outside the undo history, so Ctrl+Z after 6/8 -> 3/4 did nothing
    meter_before: MeterKey | None = None
    meter_after: MeterKey | None = None


def default_mix(
    preset: str = DEFAULT_PRESET, melody_program: int = 0, programs: Sequence[int] | None = None
) -> list[TrackMix]:
    """A fresh mix: the melody's strip, then one per track in ``programs`` (a style's,
    ``TuneViews.style_programs``; by default the preset's chorale voices), nothing muted
    or soloed, full volume."""
    if programs is None:
        programs = PRESETS.get(preset, PRESETS[DEFAULT_PRESET])
        programs = (list(programs) + [0] * len(TRACKS))[: len(TRACKS) - 1]
    return [TrackMix(program=melody_program)] + [TrackMix(program=int(p)) for p in programs]


def sorted_notes(notes: Sequence[Note]) -> tuple[Note, ...]:
    """The notes in time order, as MIDI can hold them: one pitch sounds once at a time.

    A note cuts the one of its pitch still sounding, and of two on one pitch and start
    the later one stays (the rule ``midi_file`` writes by), so what the screen shows is
    what a file gets; the stateful test found the screen showing two where Export wrote one.
    """
    kept: list[Note] = []
    last_by_pitch: dict[int, int] = {}  # pitch -> index in kept
    for note in sorted(notes, key=lambda n: (n.start_beat, n.pitch)):
        previous = last_by_pitch.get(note.pitch)
        if previous is not None and kept[previous].end_beat > note.start_beat:
            cut = note.start_beat - kept[previous].start_beat
            kept[previous] = replace(kept[previous], duration_beats=cut)
        last_by_pitch[note.pitch] = len(kept)
        kept.append(note)
    return tuple(n for n in kept if n.duration_beats > 0)


@dataclass
class Tune:
    """Everything a tune holds; New replaces it whole, so nothing carries over."""

    melody: tuple[Note, ...] = ()
    takes: list[Take] = field(default_factory=list)
    current_take: int | None = None
    pick: tuple[int, int] | None = None
    mix: list[TrackMix] = field(default_factory=default_mix)
    # The mixes of the strips not on show (another style's takes, or before a take another
    # style's strips), by style and track names, set aside while others are on show
    # (Document._redress).
    set_aside_mixes: dict[MixKey, list[TrackMix]] = field(default_factory=dict)
    tempo_bpm: float = 100.0
    time_signature: tuple[int, int] = (BEATS_PER_BAR, 4)
    # An opened tune's later meters and tempos, as the Arrangement holds them; the meter
    # box sets one meter throughout (and clears these).
    meter_changes: list[tuple[float, tuple[int, int]]] = field(default_factory=list)
    tempo_changes: list[tuple[float, float]] = field(default_factory=list)
    bars: int = 4
    pickup: Pickup = PICKUP_AUTO  # where the first downbeat is (core.melody_grid.Pickup)
    preset: str = DEFAULT_PRESET
    style: str = CHORALE_STYLE
    density: float = 0.5
    variety: float = 0.5
    path: Path | None = None
    source: MelodySource | None = None


class TuneFields:
    """The tune's fields, read-only, for ``Document`` (which keeps the ``Tune`` in
    ``_state``). Lists come out as tuples of copies, so no caller can change the mix or
    the takes behind the document's back; every change goes through its intents."""

    _state: Tune

    @property
    def melody(self) -> tuple[Note, ...]:
        return self._state.melody

    @property
    def takes(self) -> tuple[Take, ...]:
        return tuple(replace(t, candidates=list(t.candidates)) for t in self._state.takes)

    @property
    def current_take(self) -> int | None:
        return self._state.current_take

    @property
    def pick(self) -> tuple[int, int] | None:
        """``(take, candidate)`` of the candidate under the melody, or None."""
        return self._state.pick

    @property
    def mix(self) -> tuple[TrackMix, ...]:
        return tuple(replace(m) for m in self._state.mix)

    @property
    def tempo_bpm(self) -> float:
        return self._state.tempo_bpm

    @property
    def tempo_changes(self) -> tuple[tuple[float, float], ...]:
        return tuple(self._state.tempo_changes)

    @property
    def time_signature(self) -> tuple[int, int]:
        return self._state.time_signature

    @property
    def meter_changes(self) -> tuple[tuple[float, tuple[int, int]], ...]:
        return tuple(self._state.meter_changes)

    @property
    def bars(self) -> int:
        return self._state.bars

    @property
    def pickup(self) -> Pickup:
        """The musician's pickup setting: auto, none or steps before the first downbeat."""
        return self._state.pickup

    @property
    def preset(self) -> str:
        return self._state.preset

    @property
    def style(self) -> str:
        """The style the accompaniment is written in (``core.styles``)."""
        return self._state.style

    @property
    def density(self) -> float:
        return self._state.density

    @property
    def variety(self) -> float:
        return self._state.variety

    @property
    def path(self) -> Path | None:
        return self._state.path

    @property
    def source(self) -> MelodySource | None:
        """The MIDI file the melody came from, when it has other tracks to choose."""
        return self._state.source

    @property
    def name(self) -> str:
        """What the title bar and Save As call the tune: its project file, else the MIDI
        file its melody was opened from (a musician who opened jig.mid is working on
        "jig", not on "Untitled"), else "Untitled"."""
        s = self._state
        if s.path is not None:
            return s.path.stem
        return s.source.path.stem if s.source is not None else "Untitled"


def tune_bars(s: Tune) -> Reading:
    """The bars the engine accompanies the tune's melody on, under its pickup setting
    (``core.bar_lines``): what the melody roll draws and the bars box counts."""
    return read_bars(s.melody, s.time_signature, s.meter_changes, s.pickup)


def take_bars(take: Take, s: Tune) -> Reading:
    """The bars a take was written on: its melody, meters and pickup setting (the
    tune's, where the take does not know its own)."""
    signature, changes = take.meter or meter_key(s.time_signature, s.meter_changes)
    pickup = s.pickup if take.pickup is None else take.pickup
    return read_bars(take.melody, signature, changes, pickup)


def bars_for(s: Tune) -> int:
    """Bars the melody spans as the engine bars it (a pickup's short bar counted as one),
    all of them: the engine accompanies any length whole, so the bars box shows it whole
    (not MAX_BARS, one generation's section); the tune's bars when there are no notes."""
    if not s.melody:
        return s.bars
    end = max(n.end_beat for n in s.melody)
    return max(1, tune_bars(s).bar_lines.count(end))


def new_bars(bars: int) -> int:
    """A length typed into the bars box (for a new recording): 1 to NEW_BARS_MAX."""
    return max(1, min(NEW_BARS_MAX, int(bars)))


def melody_arrangement(s: Tune) -> Arrangement | None:
    if not s.melody:
        return None
    mix = s.mix[0]
    track = Track(
        "melody", list(s.melody), program=mix.program, channel=0, volume=mix.channel_volume()
    )
    return Arrangement(
        [track],
        tempo_bpm=s.tempo_bpm,
        time_signature=s.time_signature,
        tempo_changes=list(s.tempo_changes),
        meter_changes=list(s.meter_changes),
    )


def saved_source(project: Project) -> MelodySource | None:
    """Where a saved melody came from: its MIDI file read again, so its other tracks can
    still be chosen. The file may have changed since: the melody's track is the one that
    holds the notes the track had when the project was saved (``melody_track_notes``; an
    older file: the saved melody's), the saved index first, else the first that does; when
    none does or the file is gone, the saved melody stands as the file's one track (the
    tune is still the opened one, not a new melody). Only the index was checked once: a
    track added in front made the track box name the wrong track."""
    from composer_gui.core.errors import ComposerError
    from composer_gui.core.midi_file import read_arrangement

    if project.melody_file is None:
        return None
    path = Path(project.melody_file)
    try:
        tracks = list(read_arrangement(path).tracks)
    except (ComposerError, OSError):
        tracks = []
    saved = project.melody.tracks[:1] if project.melody else []
    melody = sorted_notes(saved[0].notes) if saved else ()
    # The track as it was taken; an older file knows only the melody, which an edit
    # since (session 21) no longer finds in any track.
    taken = melody
    if project.melody_track_notes is not None:
        taken = sorted_notes(project.melody_track_notes)
    order = [project.melody_track, *range(len(tracks))]
    for index in order:
        if 0 <= index < len(tracks) and sorted_notes(tracks[index].notes) == taken:
            return MelodySource(path, tracks, index)
    return MelodySource(path, [replace(t) for t in saved] or [Track("melody", [])], 0)


def tune_from_project(project: Project, path: Path | None) -> Tune:
    """The tune a project file holds (format 1 or 2), with its pick checked."""
    melody = project.melody.tracks[0] if project.melody and project.melody.tracks else None
    tune_meter = meter_key(
        project.time_signature, project.melody.meter_changes if project.melody else []
    )

    def written_in(candidates) -> MeterKey | None:
        """A saved take's meter: the file keeps it only in the candidates' first time
        signature (the engine may trim later changes), so a take in the tune's first
        meter counts as written in the tune's meters."""
        if not candidates:
            return None
        written = candidates[0].arrangement
        if tuple(written.time_signature) == tuple(project.time_signature):
            return tune_meter
        return meter_key(written.time_signature, written.meter_changes)

    takes = []
    for number, candidates in enumerate(project.generations):
        made_for = project.take_melodies[number] if number < len(project.take_melodies) else None
        if made_for is None:  # format 1: the candidates' own melody is what they had
            made_for = candidates[0].arrangement.tracks[0].notes if candidates else []
        pickup = project.take_pickups[number] if number < len(project.take_pickups) else None
        made_for = sorted_notes(made_for)
        style = project.take_styles[number] if number < len(project.take_styles) else ""
        style = style or (candidates[0].style if candidates else "")
        take = Take(
            list(candidates), made_for, meter=written_in(candidates), pickup=pickup, style=style
        )
        takes.append(take)
    pick = project.pick
    if pick is not None:
        generation, index = pick
        if not (0 <= generation < len(takes) and 0 <= index < len(takes[generation].candidates)):
            pick = None
        else:
            takes[generation].chosen = index
    current = project.current_take
    if current is None or not 0 <= current < len(takes):
        current = pick[0] if pick else (len(takes) - 1 if takes else None)
    # A band's mix has a strip per track it writes, the chorale's four: keep what was saved.
    mix = default_mix(project.preset)
    mix = [replace(saved) for saved in project.mix] + mix[len(project.mix) :]
    return Tune(
        melody=sorted_notes(melody.notes) if melody else (),
        takes=takes,
        current_take=current,
        pick=pick,
        mix=mix,
        set_aside_mixes={
            names: [replace(m) for m in kept] for names, kept in project.set_aside_mixes.items()
        },
        tempo_bpm=float(project.tempo_bpm),
        time_signature=tuple(project.time_signature),
        meter_changes=list(project.melody.meter_changes) if project.melody else [],
        tempo_changes=list(project.melody.tempo_changes) if project.melody else [],
        bars=max(1, int(project.bars)),
        pickup=project.pickup,
        preset=project.preset,
        style=project.style,
        density=float(project.density),
        variety=float(project.variety),
        path=path,
        source=saved_source(project),
    )


def tune_to_project(s: Tune, for_autosave: bool = False) -> Project:
    """The tune as the project file stores it."""
    return Project(
        melody=melody_arrangement(s),
        generations=[list(t.candidates) for t in s.takes],
        take_melodies=[list(t.melody) for t in s.takes],
        take_pickups=[t.pickup for t in s.takes],
        take_styles=[t.style for t in s.takes],
        pick=s.pick,
        current_take=s.current_take,
        mix=[replace(m) for m in s.mix],
        set_aside_mixes={
            names: [replace(m) for m in kept] for names, kept in s.set_aside_mixes.items()
        },
        tempo_bpm=s.tempo_bpm,
        bars=s.bars,
        pickup=s.pickup,
        preset=s.preset,
        style=s.style,
        density=s.density,
        variety=s.variety,
        time_signature=s.time_signature,
        file_path=str(s.path) if for_autosave and s.path else None,
        melody_file=str(s.source.path) if s.source is not None else None,
        melody_track=s.source.index if s.source is not None else 0,
        melody_track_notes=(
            list(s.source.tracks[s.source.index].notes) if s.source is not None else None
        ),
    )
