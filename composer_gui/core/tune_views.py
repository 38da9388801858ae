"""What the screen shows and what Export writes, derived from a tune: one reading.

``Document`` keeps the tune and its intents; these read-only views are computed from the
same state (``TuneFields``), so the candidate under the melody, the tracks heard and the
arrangement that Export, Send to DAW and drag-out carry can never drift apart from what
the screen draws.
"""

from __future__ import annotations

from dataclasses import replace

from composer_gui.core.arrangement import Arrangement, Track
from composer_gui.core.bar_lines import BarLines, Reading, read_bars
from composer_gui.core.candidate import Candidate
from composer_gui.core.instruments import DEFAULT_PRESET, PRESETS, track_programs
from composer_gui.core.melody_grid import PICKUP_AUTO, bars_signature
from composer_gui.core.styles import Style, installed_styles
from composer_gui.core.tune import (
    Take,
    TuneFields,
    melody_arrangement,
    take_bars,
    take_change,
    take_is_stale,
    tune_bars,
)
from models.pianoroll import Meter
from models.tracks import CHORALE_TRACKS, TrackSpec


class TuneViews(TuneFields):
    """The derived readings of a tune; ``Document`` adds the changes."""

    _styles: list[Style] | None = None  # Document.set_styles; None: the installed ones

    @property
    def styles(self) -> tuple[Style, ...]:
        """The styles offered (what the Style box lists, ``Document.set_styles``); the
        installed ones, read when first asked, until the window says otherwise."""
        if self._styles is None:
            self._styles = installed_styles()
        return tuple(self._styles)

    def chosen_style(self) -> Style | None:
        """The ``Style`` the tune's style names (kept as shown, ``Style.shown``); None
        when it is not offered here (a project from a machine with a model of its own)."""
        return next((s for s in self.styles if s.shown == self._state.style), None)

    def style_tracks(self) -> tuple[TrackSpec, ...]:
        """The tracks the chosen style's model writes (its card's, ``styles.card_tracks``);
        the chorale's voices for a style not offered here."""
        style = self.chosen_style()
        return style.tracks if style is not None else CHORALE_TRACKS

    def style_programs(self) -> tuple[int, ...]:
        """The General MIDI program of each of ``style_tracks``, as the engine dresses
        them (``instruments.track_programs``: the Sound preset's for the chorale's voices,
        a shipped band style's own instruments, else the card's)."""
        style = self.chosen_style()
        preset = self._state.preset if self._state.preset in PRESETS else DEFAULT_PRESET
        return track_programs(preset, self.style_tracks(), style.name if style else None)

    @property
    def generations(self) -> list[list[Candidate]]:
        return [take.candidates for take in self._state.takes]

    @property
    def candidates(self) -> list[Candidate]:
        """The candidates of the take on show."""
        take = self.shown_take()
        return take.candidates if take else []

    def shown_take(self) -> Take | None:
        s = self._state
        return s.takes[s.current_take] if s.current_take is not None else None

    @property
    def picked(self) -> Candidate | None:
        s = self._state
        if s.pick is None:
            return None
        take, index = s.pick
        return s.takes[take].candidates[index]

    @property
    def export_stem(self) -> str:
        """The file name Export offers and a dragged file carries, without ".mid": the
        tune, the take, the style and the candidate ("jig - take 2 - rock 3"; the melody
        alone "jig - melody"). Export offered "Composer.mid" for every take, so a second
        export overwrote the first, and a DAW named every dragged clip "Composer"."""
        s = self._state
        candidate = self.picked
        if candidate is None:
            stem = f"{self.name} - melody"
        else:
            take, index = s.pick
            style = f"{candidate.style} " if candidate.style else ""
            stem = f"{self.name} - take {take + 1} - {style}{index + 1}"
        return stem.replace("/", "-").replace("\\", "-")  # a model's name may hold one

    @property
    def stale(self) -> bool:
        """The picked candidate was written for another melody (or meter) than the one
        on screen."""
        s = self._state
        return s.pick is not None and take_is_stale(s.takes[s.pick[0]], s)

    @property
    def stale_change(self) -> str:
        """What changed since the picked candidate's take was written: "melody",
        "meter", "pickup", or "" (``tune.take_change``)."""
        s = self._state
        return take_change(s.takes[s.pick[0]], s) if s.pick is not None else ""

    def take_is_stale(self, index: int) -> bool:
        return take_is_stale(self._state.takes[index], self._state)

    def meter(self) -> Meter:
        """The tune's first meter (the one the rolls draw)."""
        return Meter.of(self._state.time_signature)

    def meter_shape(self) -> Arrangement:
        """The tune's meters alone (no notes), for the rules that read a pickup bar."""
        s = self._state
        return Arrangement([], s.tempo_bpm, s.time_signature, meter_changes=list(s.meter_changes))

    def bars_signature(self) -> tuple[int, int]:
        """The meter the bars are in, as the meter box shows it: 6/8 for a 1/8 pickup
        bar then 6/8 (``melody_grid.bars_signature``)."""
        return bars_signature(self.meter_shape())

    def beats_per_bar(self) -> float:
        return self.meter().bar_beats

    def bar_reading(self) -> Reading:
        """How the engine bars the melody under the pickup setting: its bars (what the
        melody roll draws) and the pickup it takes (what the pickup box says auto found)."""
        return tune_bars(self._state)

    def bar_lines(self) -> BarLines:
        return self.bar_reading().bar_lines

    def auto_pickup_words(self) -> str:
        """What the pickup box's auto finds in the melody ("found: 1 beat", "none
        found"), whatever the setting is now, so the musician can compare; nothing for
        no melody."""
        s = self._state
        if not s.melody:
            return ""
        return read_bars(s.melody, s.time_signature, s.meter_changes, PICKUP_AUTO).auto_words()

    def take_bar_lines(self) -> BarLines:
        """The bars the picked candidate was written on (the melody's, with no pick)."""
        s = self._state
        if s.pick is None:
            return self.bar_lines()
        return take_bars(s.takes[s.pick[0]], s).bar_lines

    def length_beats(self) -> float:
        """The melody's span on screen: the bars set, or more if the notes go further."""
        end = max((n.end_beat for n in self._state.melody), default=0.0)
        return max(end, self.bar_lines().end_of(self._state.bars))

    def melody_arrangement(self) -> Arrangement | None:
        return melody_arrangement(self._state)

    def track_names(self) -> list[str]:
        """The melody, then the tracks of the take on show (before any take, the chosen
        style's: a band's drums, bass, chords and pad, so a kit or a bass can be chosen
        before generating): what the mix has a strip for."""
        take = self.shown_take()
        if take is not None and take.candidates:
            return ["melody", *(t.name for t in take.candidates[0].arrangement.tracks[1:])]
        return ["melody", *(t.name for t in self.style_tracks())]

    def track_drums(self) -> list[bool]:
        """Which of ``track_names`` are drum tracks (heard from the GM percussion bank)."""
        take = self.shown_take()
        if take is not None and take.candidates:
            return [t.is_drum for t in take.candidates[0].arrangement.tracks]
        return [False, *(t.is_drums for t in self.style_tracks())]

    def audible(self) -> list[bool]:
        """Which tracks sound under the mute and solo buttons."""
        any_solo = any(m.solo for m in self._state.mix)
        return [not m.mute and (m.solo or not any_solo) for m in self._state.mix]

    def heard_arrangement(self) -> Arrangement | None:
        """What the screen shows and Play sounds: the melody on screen under the picked
        candidate's accompaniment, with the instruments and volumes of the mix (or the
        melody alone)."""
        s = self._state
        candidate = self.picked
        melody = self.melody_arrangement()
        if candidate is None:
            return melody
        source = candidate.arrangement
        melody_track = (
            melody.tracks[0]
            if melody
            else Track("melody", [], s.mix[0].program, volume=s.mix[0].channel_volume())
        )
        tracks = [melody_track] + [
            Track(
                t.name,
                list(t.notes),
                program=s.mix[i].program if i < len(s.mix) else t.program,
                channel=t.channel,
                is_drum=t.is_drum,
                volume=s.mix[i].channel_volume() if i < len(s.mix) else None,
            )
            for i, t in enumerate(source.tracks[1:], start=1)
        ]
        return Arrangement(
            tracks,
            tempo_bpm=s.tempo_bpm,
            time_signature=s.time_signature,
            tempo_changes=list(s.tempo_changes),
            meter_changes=list(s.meter_changes),
            markers=list(candidate.chords),  # the chord symbols, as markers in the file
        )

    def export_arrangement(self) -> Arrangement | None:
        """What Export, Send to DAW and drag-out carry: the tracks heard, muted ones left
        out; a pickup the musician gave is written as its own short bar (1/4, then 3/4),
        as ``accompany`` writes it, so a DAW bars the take as it was accompanied (a found
        one keeps the file's time signatures, as there)."""
        heard = self.heard_arrangement()
        if heard is None:
            return None
        notated = self.bar_reading().notated
        if notated is not None:
            heard = replace(heard, time_signature=notated[0], meter_changes=list(notated[1]))
        audible = self.audible()
        tracks = [
            t
            for i, t in enumerate(heard.tracks)
            if (i >= len(audible) or audible[i]) and (t.notes or i > 0)
        ]
        if not tracks:
            return None
        return replace(heard, tracks=tracks)
