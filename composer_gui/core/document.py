"""The musician's work as one object, without Qt: the melody, the takes, the pick, the mix.

Every change goes through a ``Document`` method (an *intent*: type notes, undo, pick a
candidate, mute a track, open a file); the window only shows the document and sends
intents, and hears back through plain callbacks registered with ``listen``. The tune's
fields read through read-only properties (``tune.TuneFields``). So there is
one copy of the state, and what Export writes is computed from the same object the
screen draws (``heard_arrangement``), never from widgets.

Three rules keep the work safe, and the stateful test in
``tests/composer_gui/core/test_document_states.py`` checks them after every step:

- a change that would drop unsaved work (New, Open, restore) is refused with
  ``UnsavedWorkError`` unless the caller says ``discard=True`` (the musician said so);
- each take remembers the melody and the meter it was written for, so ``stale`` says
  when either changed since, and the window can say so and offer to generate again;
- a new or opened tune starts with its own mix: nothing of the last tune leaks in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from composer_gui.core.arrangement import Arrangement, Note
from composer_gui.core.candidate import Candidate
from composer_gui.core.errors import ComposerError
from composer_gui.core.melody_grid import PICKUP_AUTO, Pickup, check_pickup, pickup_bar
from composer_gui.core.project import MixKey, Project, TrackMix, load_project, save_project
from composer_gui.core.styles import Style
from composer_gui.core.tempo_map import TempoMap
from composer_gui.core.tune import (
    NEW_MELODY_METERS,
    Edit,
    MelodySource,
    NewTune,
    Take,
    Tune,
    bars_for,
    default_mix,
    meter_key,
    new_bars,
    sorted_notes,
    tune_from_project,
    tune_to_project,
)
from composer_gui.core.tune_views import TuneViews
from models.pianoroll import TRACKS, Meter

__all__ = ["Document", "MelodySource", "NewTune", "Take", "UnsavedWorkError", "default_mix"]

# What changed, passed to listeners so a view redraws only its part.
MELODY, TAKES, PICK, MIX, TEMPO, FILE, SETTINGS, SOURCE = (
    "melody",
    "takes",
    "pick",
    "mix",
    "tempo",
    "file",
    "settings",
    "source",
)
EVERYTHING = frozenset({MELODY, TAKES, PICK, MIX, TEMPO, FILE, SETTINGS, SOURCE})

Listener = Callable[[frozenset[str]], None]


class UnsavedWorkError(ComposerError):
    """New, Open or restore would drop work that was never saved."""


class Document(TuneViews):
    """The work of one tune; see the module docstring for the rules it keeps."""

    def __init__(self, styles: Sequence[Style] | None = None) -> None:
        self._listeners: list[Listener] = []
        self._styles = None if styles is None else list(styles)  # None: the installed ones
        self._state = Tune()
        self._fit_mix()
        self.new_tune = NewTune()  # what New starts with (the record settings)
        self._undo: list[Edit] = []
        self._redo: list[Edit] = []
        self.revision = 0  # counts changes; the work is dirty while it differs from...
        self.saved_revision = 0  # ...the revision last saved (or opened)

    # --- observing ----------------------------------------------------------------
    def listen(self, callback: Listener) -> None:
        self._listeners.append(callback)

    def _changed(self, *aspects: str, work: bool = True) -> None:
        if work:
            self.revision += 1
        for callback in list(self._listeners):
            callback(frozenset(aspects))

    # --- reading ------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.revision != self.saved_revision

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_text(self) -> str:
        return self._undo[-1].text if self._undo else ""

    @property
    def redo_text(self) -> str:
        return self._redo[-1].text if self._redo else ""

    # --- whole tunes --------------------------------------------------------------
    def _check_discard(self, discard: bool) -> None:
        if self.dirty and not discard:
            raise UnsavedWorkError(
                "The tune has unsaved changes; save it first or say to discard them."
            )

    def _replace(self, state: Tune, discard: bool, clean: bool = True) -> None:
        self._check_discard(discard)
        self._state = state
        self._fit_mix()
        self._undo.clear()
        self._redo.clear()
        self.revision += 1
        if clean:  # before the listeners hear of it, so they see a clean document
            self.saved_revision = self.revision
        self._changed(*EVERYTHING, work=False)

    def new(self, discard: bool = False, defaults: NewTune | None = None) -> None:
        """A new, empty melody with the record settings of ``new_tune`` (or ``defaults``,
        which become them); the Generate settings stay, as they do from one start to
        the next; the mix, the pickup, the takes and the undo history start afresh."""
        if defaults is not None:
            self._check_discard(discard)
            self.new_tune = defaults
        s, start = self._state, self.new_tune
        fresh = Tune(
            tempo_bpm=start.tempo_bpm,
            time_signature=start.time_signature,
            bars=start.bars,
            preset=s.preset,
            style=s.style,
            density=s.density,
            variety=s.variety,
            mix=default_mix(s.preset, programs=self.style_programs()),  # the same style's
        )
        self._replace(fresh, discard)

    @property
    def is_new_melody(self) -> bool:
        """Started by New (or a fresh start), not opened from nor saved to a file: its
        tempo, bars and meter boxes set what the next new melody starts with."""
        return self._state.source is None and self._state.path is None

    def _set_new_tune(self, **record) -> None:
        """A box's value on a new melody becomes the next New's, except a meter no new
        melody may have (``tune.NEW_MELODY_METERS``): the next start would not read it."""
        if record.get("time_signature", NEW_MELODY_METERS[0]) not in NEW_MELODY_METERS:
            del record["time_signature"]
        if self.is_new_melody:
            self.new_tune = replace(self.new_tune, **record)

    def open_midi(self, path: str | Path, discard: bool = False, track: int | None = None) -> str:
        """Open a MIDI file's (or a score's) melody; returns the name of the track taken."""
        from composer_gui.core.midi_file import read_arrangement

        path = Path(path)
        self._check_discard(discard)  # before reading: a refusal changes nothing
        return self.open_read(path, read_arrangement(path), discard=True, track=track)

    def open_read(
        self, path: str | Path, read: Arrangement, discard: bool = False, track: int | None = None
    ) -> str:
        """Open a file already read (``midi_file.read_arrangement``'s answer): the window
        reads a score on a worker thread, as music21 takes seconds on a large one, and
        opens it here, on the UI thread, when it is read."""
        from composer_gui.core.midi_file import default_melody_track, melody_of

        path = Path(path)
        self._check_discard(discard)
        index = default_melody_track(read, path.name) if track is None else track
        melody = melody_of(read, index, path.name)
        s = self._state
        notes = sorted_notes(melody.tracks[0].notes)
        state = Tune(
            melody=notes,
            tempo_bpm=float(melody.tempo_bpm),
            time_signature=tuple(melody.time_signature),
            meter_changes=list(melody.meter_changes),
            tempo_changes=list(melody.tempo_changes),
            preset=s.preset,
            style=s.style,
            density=s.density,
            variety=s.variety,
            mix=default_mix(s.preset, melody.tracks[0].program, self.style_programs()),
            source=MelodySource(path, list(read.tracks), index),
        )
        state.bars = bars_for(state)
        self._replace(state, discard=True)
        return melody.tracks[0].name

    def open_project(self, path: str | Path, discard: bool = False) -> None:
        path = Path(path)
        self._check_discard(discard)
        project = load_project(path)
        self._replace(tune_from_project(project, path), discard=True)

    def restore(self, project: Project, discard: bool = False) -> None:
        """Bring back an autosave: the work comes back unsaved (dirty), with its file."""
        path = Path(project.file_path) if project.file_path else None
        self._replace(tune_from_project(project, path), discard, clean=False)

    def snapshot(self, for_autosave: bool = False) -> Project:
        """The work as the project file stores it."""
        return tune_to_project(self._state, for_autosave)

    def snapshot_with_take(self, notes: Sequence[Note], pickup: Pickup | None = None) -> Project:
        """The work as it would be were a take in progress to end now (``set_melody`` with
        the take's notes, as the window does when it ends), for the autosave: a crash
        mid-take lost everything played since Record was pressed."""
        s = self._state
        taken = replace(s, melody=sorted_notes(notes))
        if pickup is not None:
            taken.pickup = check_pickup(pickup)
        taken.bars = bars_for(taken)
        return tune_to_project(taken, for_autosave=True)

    def save(self, path: str | Path | None = None) -> Path:
        """Write the project (atomically); the work is clean afterwards."""
        target = Path(path) if path is not None else self._state.path
        if target is None:
            raise ValueError("save() needs a path for a tune never saved")
        written = save_project(self.snapshot(), target)
        self._state.path = written
        self.saved_revision = self.revision
        self._changed(FILE, work=False)
        return written

    # --- the melody ---------------------------------------------------------------
    def set_melody(
        self, notes: Sequence[Note], text: str = "Edit melody", pickup: Pickup | None = None
    ) -> None:
        """An edit of the melody (typed, dragged, recorded, cleared): one undo step. A
        ``pickup`` given with it (a take's measured count-in pickup) is set in the same
        step, so undo restores the old notes with the old setting."""
        s = self._state
        after = sorted_notes(notes)
        pickup = None if pickup is None else check_pickup(pickup)
        if pickup == s.pickup:
            pickup = None
        if after != s.melody or pickup is not None:
            before_pickup = None if pickup is None else s.pickup
            self._do(Edit(text, s.melody, after, pickup_before=before_pickup, pickup_after=pickup))

    def choose_melody_track(self, index: int) -> None:
        """Take another track of the opened MIDI file as the melody (undoable)."""
        source = self._state.source
        if source is None or index == source.index:
            return
        track = source.tracks[index]
        if track.is_drum:
            raise ComposerError(f"Track {index + 1} is a drum track; choose a track with a melody.")
        edit = Edit(
            f"Take track {index + 1} as the melody",
            self._state.melody,
            sorted_notes(track.notes),
            source.index,
            index,
        )
        self._do(edit)

    def _do(self, edit: Edit) -> None:
        self._undo.append(edit)
        self._redo.clear()
        self._apply(edit)

    def _apply(self, edit: Edit, undoing: bool = False) -> None:
        s = self._state
        s.melody = edit.before if undoing else edit.after
        track = edit.track_before if undoing else edit.track_after
        if track is not None and s.source is not None:
            s.source.index = track
        pickup = edit.pickup_before if undoing else edit.pickup_after
        if pickup is not None:
            s.pickup = pickup
        meter = edit.meter_before if undoing else edit.meter_after
        if meter is not None:
            s.time_signature, s.meter_changes = meter[0], list(meter[1])
            self._set_new_tune(time_signature=self.bars_signature())
        s.bars = bars_for(s)
        self._changed(MELODY, TEMPO, SOURCE)

    def undo(self) -> None:
        if self._undo:
            edit = self._undo.pop()
            self._redo.append(edit)
            self._apply(edit, undoing=True)

    def redo(self) -> None:
        if self._redo:
            edit = self._redo.pop()
            self._undo.append(edit)
            self._apply(edit)

    # --- takes and the pick ---------------------------------------------------------
    def add_take(
        self,
        candidates: Sequence[Candidate],
        made_for: Sequence[Note],
        pickup: Pickup | None = None,
        asked_style: str | None = None,
    ) -> int:
        """A finished generation; ``made_for`` is the melody it was asked for, ``pickup``
        the pickup setting and ``asked_style`` the style (as shown) it was asked in (None:
        the ones set now; the Style box may have moved while the engine wrote)."""
        s = self._state
        candidates = list(candidates)
        if not candidates:
            return -1
        before = self._shown_key()
        style = self._style_of(candidates, asked_style)
        meter = meter_key(s.time_signature, s.meter_changes)
        pickup = s.pickup if pickup is None else pickup
        take = Take(candidates, sorted_notes(made_for), meter=meter, pickup=pickup, style=style)
        s.takes.append(take)
        s.current_take = len(s.takes) - 1
        s.pick = None
        # The strips before the first take are the chosen style's, so the take keeps what
        # was set on them (a kit, a bass, a mute) where it is that style's; a take in
        # another style (rock after pop ballad, the same tracks) is heard in its own.
        self._redress(before)
        self._changed(TAKES, PICK, MIX)
        return s.current_take

    def show_take(self, index: int) -> None:
        """Show an earlier take's list; the view shows that take's own pick (or none)."""
        s = self._state
        if not 0 <= index < len(s.takes) or index == s.current_take:
            return
        before = self._shown_key()
        s.current_take = index
        chosen = s.takes[index].chosen
        s.pick = (index, chosen) if chosen is not None else None
        # An earlier take in another style: the strips follow it, or they would dress its
        # tracks with the other style's instruments.
        if self._redress(before):
            self._changed(TAKES, PICK, MIX)
            return
        self._changed(TAKES, PICK)

    # --- which strips are on show ---------------------------------------------------
    def _style_of(self, candidates: Sequence[Candidate], asked: str | None = None) -> str:
        """The style a take is written in, as the Style box shows it (``Style.shown``,
        what the strips are kept by): the one it was asked in (``asked``, else the one
        chosen now) where the engine wrote in it (or does not say), else the engine's own
        name for it. Asked, not chosen on arrival: a model of one's own and a shipped
        one both write "rock", and a take that came after the box moved from "rock
        (my-model)" to "rock" was keyed, and heard, as the other model's."""
        written = candidates[0].style
        shown = self._state.style if asked is None else asked
        chosen = next((st for st in self.styles if st.shown == shown), None)
        if not written or (chosen is not None and chosen.name == written):
            return shown
        return written

    def _shown_key(self) -> MixKey:
        """Which strips are on show: the take's style and tracks, before a take the
        chosen style's (``project.MixKey``)."""
        take = self.shown_take()
        style = take.style if take is not None and take.candidates else self._state.style
        return style, tuple(self.track_names())

    def _shown_programs(self) -> list[int]:
        """The instruments of the strips on show as the engine dressed them: the take's
        own, before a take the chosen style's (``style_programs``)."""
        take = self.shown_take()
        if take is not None and take.candidates:
            return [t.program for t in take.candidates[0].arrangement.tracks[1:]]
        return list(self.style_programs())

    def _strips(self, programs: Sequence[int], kept: Sequence[TrackMix] = ()) -> list[TrackMix]:
        """The one builder of a mix: the melody's strip (the same for every take and
        style), then one strip per track in ``programs``, each with the volume, mute and
        solo of ``kept``'s strip of the same place (the same track), else afresh."""
        s = self._state
        return [s.mix[0]] + [
            replace(kept[i], program=int(program)) if i < len(kept) else TrackMix(int(program))
            for i, program in enumerate(programs, start=1)
        ]

    def _redress(self, before: MixKey) -> bool:
        """The strips after what is on show changed from ``before`` (another take, a
        take or, before a take, another style): a style's strips are its own, kept by
        style and tracks (pop ballad's and rock's are two, though their tracks are the
        same). The strips left are set aside; the ones on show now come back as the
        musician left them (a hand-chosen kit included), else are made afresh in their
        own instruments (the take's, or the style's before a take) with the volume, mute
        and solo of the last strips left with the same tracks (pop ballad -> rock, or pop
        ballad -> chorale -> rock: the band's drums stay muted), none if there are none
        (a band's bass is no chorale's bass). A take in the style on show keeps its
        strips. Returns whether the strips changed."""
        s = self._state
        after = self._shown_key()
        if after == before or (after[1] == before[1] and "" in (after[0], before[0])):
            return False  # the same strips ("": an older file's take, style not known)
        s.set_aside_mixes.pop(before, None)  # last in the dict: the last left
        s.set_aside_mixes[before] = [replace(m) for m in s.mix]
        kept = s.set_aside_mixes.get(after) or s.set_aside_mixes.pop(("", after[1]), None)
        if kept and len(kept) == len(after[1]):
            s.mix = [s.mix[0]] + [replace(m) for m in kept[1:]]
            return True
        same_tracks = [m for k, m in s.set_aside_mixes.items() if k[1] == after[1]]
        s.mix = self._strips(self._shown_programs(), same_tracks[-1] if same_tracks else ())
        return True

    def pick_candidate(self, index: int | None) -> None:
        """Choose candidate ``index`` (0 = best) of the take on show; None: none."""
        s = self._state
        take = self.shown_take()
        if take is None:
            return
        if index is not None and not 0 <= index < len(take.candidates):
            return
        pick = None if index is None else (s.current_take, index)
        if pick == s.pick:
            return
        take.chosen = index
        s.pick = pick
        self._changed(PICK)

    # --- the styles offered, and the strips before a take ----------------------------
    def set_styles(self, styles: Sequence[Style]) -> None:
        """The styles the Style box offers (the shipped ones, a model of the musician's
        own): the style the tune names is looked up in them, so the strips before a take
        are its tracks. Not a change of the work: the tune names the same style."""
        before = self._dress()
        self._styles = list(styles)
        if self._follow_style(before):
            self._changed(MIX, work=False)

    def _dress(self) -> tuple[MixKey, tuple[int, ...]]:
        """What the strips are for and their instruments (``_follow_style``)."""
        return self._shown_key(), self.style_programs()

    def _follow_style(self, before: tuple[MixKey, tuple[int, ...]]) -> bool:
        """Before any take the strips are the chosen style's tracks (``before``: what
        they were for, and their instruments). Another style brings its own strips
        (``_redress``): as the musician left them when it was last chosen, so pop ballad
        -> chorale (or rock) -> pop ballad brings back a kit chosen by hand; the first
        time, in the style's instruments with the volume, mute and solo of the same
        tracks (pop ballad -> rock keeps a muted pad, rock's guitars replace the piano).
        The same style in other instruments (the Sound box dresses the chorale's voices
        afresh) keeps each strip's volume, mute and solo. After a take, the take's
        strips stay. Returns whether the mix changed."""
        s = self._state
        if s.takes or self._dress() == before:
            return False
        if self._redress(before[0]):
            return True
        s.mix = self._strips(self.style_programs(), s.mix)
        return True

    def _fit_mix(self) -> None:
        """A tune without a take has a strip per track of its style: a project saved
        before the strips followed the style (a band style with the chorale's four
        strips) gets the style's, its melody strip kept."""
        s = self._state
        if not s.takes and len(s.mix) != len(self.track_names()):
            s.mix = self._strips(self.style_programs())

    # --- mix, tempo and the generate settings ---------------------------------------
    def set_track_mix(self, index: int, **changes) -> None:
        """Change one track's ``program``, ``volume``, ``mute`` or ``solo``."""
        s = self._state
        updated = replace(s.mix[index], **changes)
        if updated != s.mix[index]:
            s.mix[index] = updated
            self._changed(MIX)

    def tempo_map(self) -> TempoMap:
        """The tune's tempo map: the tempo box's tempo at beat 0, then the file's changes."""
        return TempoMap(self._state.tempo_bpm, self._state.tempo_changes)

    def set_tempo(self, bpm: float) -> None:
        """The tempo box: the tune's tempo at beat 0; a file's later tempos keep their
        proportions to it (what ``Player.set_tempo`` plays live, so Export matches)."""
        s = self._state
        if float(bpm) != s.tempo_bpm:
            scaled = self.tempo_map().scaled(float(bpm))
            s.tempo_bpm, s.tempo_changes = scaled.first_bpm, scaled.changes
            self._set_new_tune(tempo_bpm=s.tempo_bpm)
            self._changed(TEMPO)

    def set_meter(self, signature: tuple[int, int]) -> None:
        """The meter box: one meter throughout (after a pickup written as its own short
        bar, which stays while it is shorter than a bar of the new meter); the notes keep
        their beats, the bars move. One undo step, as a melody edit is."""
        signature = Meter.of(signature).signature
        s = self._state
        after = meter_key(signature, [])
        pickup_bar_meter = pickup_bar(self.meter_shape())
        if (
            pickup_bar_meter is not None
            and pickup_bar_meter.bar_steps < Meter.of(signature).bar_steps
        ):
            after = meter_key(s.time_signature, [(pickup_bar_meter.bar_beats, signature)])
        if after != meter_key(s.time_signature, s.meter_changes):
            pickup = None
            if isinstance(s.pickup, int) and s.pickup >= Meter.of(signature).bar_steps:
                pickup = PICKUP_AUTO  # a bar or more of the new meter is no pickup
            edit = Edit(
                "Meter {}/{}".format(*signature),
                s.melody,
                s.melody,
                pickup_before=None if pickup is None else s.pickup,
                pickup_after=pickup,
                meter_before=meter_key(s.time_signature, s.meter_changes),
                meter_after=after,
            )
            self._do(edit)

    def set_pickup(self, pickup: Pickup) -> None:
        """The pickup box: where the melody's first downbeat is (``melody_grid.Pickup``);
        takes written for another setting become stale, as after a melody edit."""
        pickup = check_pickup(pickup)
        if pickup != self._state.pickup:
            self._state.pickup = pickup
            self._state.bars = bars_for(self._state)  # a pickup's short bar is one more
            self._changed(TEMPO)

    def set_bars(self, bars: int) -> None:
        bars = new_bars(bars)
        if bars != self._state.bars:
            self._state.bars = bars
            self._set_new_tune(bars=bars)
            self._changed(TEMPO)

    def set_generate_settings(
        self,
        preset: str | None = None,
        density: float | None = None,
        variety: float | None = None,
        style: str | None = None,
    ) -> None:
        """The Generate settings. The Sound preset sets the chorale voices' instruments; a
        band's come from its style, so a preset leaves a band's mix alone."""
        s = self._state
        before = self._dress()
        changed = False
        # The preset first, on the strips as they are (the chorale's on show or set
        # aside), then the style: one call is the two changes in turn.
        if preset is not None and preset != s.preset:
            s.preset = preset
            voices = [m.program for m in default_mix(preset)[1:]]

            def in_preset(mix: list[TrackMix]) -> list[TrackMix]:
                return [mix[0], *(replace(m, program=p) for m, p in zip(mix[1:], voices))]

            if self.track_names() == list(TRACKS):
                s.mix = in_preset(s.mix)
            # The chorale's strips set aside while a band is on show are in the preset
            # too when they come back (their volume, mute and solo as they were left).
            for key, mix in s.set_aside_mixes.items():
                if key[1] == tuple(TRACKS) and len(mix) == len(TRACKS):
                    s.set_aside_mixes[key] = in_preset(mix)
            changed = True
        if style is not None and style != s.style:
            s.style = style
            changed = True
        for name, value in (("density", density), ("variety", variety)):
            if value is not None and float(value) != getattr(s, name):
                setattr(s, name, float(value))
                changed = True
        changed = self._follow_style(before) or changed  # the strips before a take
        if changed:
            self._changed(SETTINGS, MIX)
