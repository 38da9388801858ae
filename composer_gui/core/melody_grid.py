"""The melody as the model reads it: checked, on the grid of its own meters, in sections.

What the engine does before the networks run and after, apart from them: refuse what
cannot be accompanied (in one sentence), tell the musician how the melody was read
(chords, range), lay its top line on the grid from its first bar with notes (a pickup
written as a downbeat found from the notes), cut a long melody into sections and chain
each candidate's sections so that its voices continue across the joins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import MeterError, NoMelodyError
from composer_gui.core.pickup import learned_pickup
from models.pianoroll import (
    MAX_BARS,
    STEPS_PER_BEAT,
    Meter,
    bar_name,
    bar_number,
    bars_in,
    clip_pitch_into_range,
    octave_shift_into_range,
    supported_meters_text,
    unbarred,
)


@dataclass
class MelodyGrid:
    """The melody on the grid as the model sees it, from its first bar with notes."""

    voice: np.ndarray  # (step,) pitch index or -1
    onsets: np.ndarray  # (step,) bool
    shift: int  # semitones added to the user's pitches for conditioning
    meters: list[tuple[int, Meter]]  # the meter map, steps counted from the first bar kept
    bar_starts: list[int]  # step of every bar, and the end as the last entry
    first_beat: float  # where step 0 lies in the piece (leading silent bars are skipped)
    bar_phase: int = 0  # where in its bar step 0 falls: a pickup found in the notes
    pickup_from: str = ""  # who placed the first downbeat: PICKUP_FOUND, _GIVEN, _FILE or ""

    @property
    def n_steps(self) -> int:
        return int(self.voice.shape[0])

    @property
    def n_bars(self) -> int:
        return len(self.bar_starts) - 1

    def meters_from(self, step: int) -> list[tuple[int, Meter]]:
        """The meter map seen from ``step`` (a barline, or 0), as the section starting
        there (``bar_phase`` applies to a section starting at 0)."""
        current = [m for s, m in self.meters if s <= step][-1]
        return [(0, current)] + [(s - step, m) for s, m in self.meters if s > step]

    def phase_at(self, step: int) -> int:
        return self.bar_phase if step == 0 else 0

    def bar_number(self, bar: int) -> int:
        """The grid's bar ``bar`` counted from the tune's first full bar, as
        ``models.pianoroll.bar_numbers`` counts (a pickup's short bar is -1): a section
        starting there goes on counting the phrase (``GanConfig.phrase_bars``)."""
        return bar_number(bar, pickup=bool(self.bar_phase))

    @property
    def pickup(self) -> int:
        """Steps of the grid's first, short bar before its first downbeat (0 when step 0
        is a downbeat); a given pickup is counted from the first note, after any rest."""
        return self.bar_starts[1] if self.bar_phase and self.n_bars > 1 else 0


# The musician's pickup setting, one per melody: PICKUP_AUTO (found from the notes, for a
# pickup written as a downbeat), PICKUP_NONE (the file's barlines as they are), or a
# whole number of steps (16ths) from the first note to the first downbeat, under a bar.
Pickup = str | int
PICKUP_AUTO, PICKUP_NONE = "auto", "none"
# How the grid's first downbeat was placed (``MelodyGrid.pickup_from``), as the table says it.
PICKUP_FOUND, PICKUP_GIVEN, PICKUP_FILE = "found from the notes", "as given", "as the file bars it"


def pickup_words(steps: int, meter: Meter) -> str:
    """A pickup's length in the meter's own units: "1 beat" (a whole number of beats of
    a meter with equal beats), "1 quarter" (in 2/2, 3/2), "3 eighths", "1 sixteenth"."""
    beats = meter.beat_steps
    units = [("beat", beats[0])] if len(set(beats)) == 1 and beats[0] < meter.bar_steps else []
    if meter.denominator <= 2:
        units.append(("quarter", 4))
    units += [("eighth", 2), ("sixteenth", 1)]
    name, size = next((n, u) for n, u in units if steps % u == 0)
    count = steps // size
    return f"{count} {name}{'s' if count != 1 else ''}"


def check_pickup(pickup: Pickup) -> Pickup:
    """The setting itself, or a ValueError for one that is none of the three kinds."""
    if pickup in (PICKUP_AUTO, PICKUP_NONE):
        return pickup
    if isinstance(pickup, bool) or not isinstance(pickup, int) or pickup < 0:
        raise ValueError(f"A pickup is 'auto', 'none' or a number of steps, not {pickup!r}")
    return pickup


def unsupported_meter_message(meter: Meter, melody: Arrangement | None = None) -> str:
    """The refusal of ``meter``, one of ``melody``'s ``unaccompanied_meters``: an
    unbarred stretch with no learnt meter around it (a song unbarred throughout) is said
    to be one; any other meter, 13/8 and 15/8 too, is named as a meter."""
    rows = _barring(melody) if melody is not None else []
    if any(m == meter and is_unbarred for _b, m, _h, is_unbarred in rows):
        return (
            f"The melody is written as one bar of {meter}, an unbarred song (no meter "
            f"counts so many beats in a bar); Composer accompanies {supported_meters_text()}: "
            "give the file the time signature it is sung in."
        )
    return (
        f"The melody is in {meter}; Composer accompanies {supported_meters_text()} "
        "(irregular meters such as 5/8, 7/8, 5/4 and 7/4 are not accompanied yet)."
    )


def check_melody(melody: Arrangement, allow_long: str | None = None) -> Arrangement:
    """Raise a clear error for what the model cannot accompany; trim if asked.

    A melody of any length is accompanied whole (over MAX_BARS bars, in sections whose
    voices continue across the joins); ``allow_long="first"`` keeps only its first
    MAX_BARS bars as accompanied (``accompanied_bars``: an unbarred stretch counts its
    bars of the meter around it, not one bar; the file's signatures are kept). (``"sections"``
    is the default behaviour and is still accepted.)
    """
    if allow_long not in (None, "first", "sections"):
        raise ValueError(f"allow_long must be None, 'first' or 'sections', not {allow_long!r}")
    if not melody.tracks or not melody.tracks[0].notes:
        raise NoMelodyError("The melody has no notes; play or open a melody first.")
    if melody.tracks[0].is_drum:
        raise NoMelodyError("The melody track is a drum track; choose a track with pitched notes.")
    for meter in unaccompanied_meters(melody):
        raise MeterError(unsupported_meter_message(meter, melody))
    barred = accompanied_bars(melody) if allow_long == "first" else melody
    if allow_long == "first" and barred.bar_count() > MAX_BARS:
        end = barred.end_of_bars(MAX_BARS)
        notes = [
            Note(n.pitch, n.start_beat, min(n.duration_beats, end - n.start_beat), n.velocity)
            for n in melody.tracks[0].notes
            if n.start_beat < end
        ]
        track = melody.tracks[0]
        melody = Arrangement(
            [Track(track.name, notes, track.program, track.channel, track.is_drum)],
            melody.tempo_bpm,
            melody.time_signature,
            [(b, t) for b, t in melody.tempo_changes if b < end],
            [(b, m) for b, m in melody.meter_changes if b < end],
        )
    return melody


def melody_warnings(melody: Arrangement) -> list[str]:
    """What the musician should know about how the melody was read, one sentence each:
    chords or doubled octaves (the top line is accompanied), a melody far out of range."""
    notes = sorted(melody.tracks[0].notes, key=lambda n: n.start_beat) if melody.tracks else []
    if not notes:
        return []
    warnings = unbarred_warnings(melody)
    half_step = 0.5 / STEPS_PER_BEAT
    stacked, latest_end = 0, -math.inf
    for note in notes:
        if note.start_beat < latest_end - half_step:
            stacked += 1
        latest_end = max(latest_end, note.end_beat)
    if stacked:
        warnings.append(
            f"{stacked} of the melody's {len(notes)} notes sound together with another "
            "(two-note chords or doubled octaves); Composer accompanies the top line and "
            "keeps every note in the melody track."
        )
    shift = octave_shift_into_range([n.pitch for n in notes])
    if shift:
        octaves = abs(shift) // 12
        where = "above" if shift < 0 else "below"
        warnings.append(
            f"The melody lies {octaves} octave{'s' if octaves > 1 else ''} {where} the "
            "range the model learned; it is accompanied as if played there, and the "
            "melody track is kept as played."
        )
    return warnings


def unbarred_warnings(melody: Arrangement) -> list[str]:
    """One sentence per unbarred stretch that is accompanied in the meter around it
    (``accompanied_bars``): where it is, and that the file keeps its signature."""
    starts = melody.bar_starts()
    warnings = []
    for beat, meter, host, is_unbarred in _barring(melody):
        if is_unbarred and host is not None:
            place = next((i for i, b in enumerate(starts) if abs(b - beat) < 1e-9), 0)
            warnings.append(
                f"Bar {bar_name(place)} is written as one bar of {meter} (an unbarred "
                f"stretch); it is accompanied in bars of {host}, the tune's meter around it, "
                f"and the file keeps its {meter}."
            )
    return warnings


def sections(n_bars: int, max_bars: int = MAX_BARS) -> list[tuple[int, int]]:
    """``(first bar, end bar)`` of the fewest sections of at most ``max_bars`` bars, as
    even as possible (40 bars: 20 + 20, not 32 + 8, so no section is a short stub)."""
    count = max(1, math.ceil(n_bars / max_bars))
    edges = [round(i * n_bars / count) for i in range(count + 1)]
    return list(zip(edges[:-1], edges[1:]))


def pickup_steps(notes: list[tuple[int, ...]], meter: Meter) -> int:
    """Where the first downbeat falls, in steps, for notes ``(start step, end step,
    pitch)`` (the pitch may be left out) whose file puts a pickup at step 0 as if it
    were a downbeat (what notation programs export); 0 when the notes do not say so
    clearly (``composer_gui/core/pickup.py``: per-meter profiles learned from folk tunes
    whose notation gives the pickup; their figures are in docs/meters.md)."""
    return learned_pickup(notes, meter) or 0


def melody_on_grid(melody: Arrangement, pickup: Pickup = PICKUP_AUTO) -> MelodyGrid:
    """One monophonic voice (the top note where notes overlap), shifted into range,
    from the first bar that has a note (silent bars before it are not accompanied).

    ``pickup`` is the musician's setting (``Pickup``). With PICKUP_AUTO, a melody in one
    meter whose notes start at beat 0 is checked for a pickup written as a downbeat
    (``pickup_steps``); bars are then counted from the downbeat the notes imply. With a
    number of steps, the first downbeat is that far after the first note (a melody in
    one meter; a pickup of a bar or more is one sentence)."""
    from models.build_dataset import notes_to_voice

    pickup = check_pickup(pickup)
    written, melody = melody, accompanied_bars(melody)  # a short bar in the meter around it

    notes = melody.tracks[0].notes
    bar_beats = melody.bar_starts()
    # The grid ends with the last bar, never past the file's: a tune ending on a short
    # bar (a 1/4 bar after 2/4) ends with it, not a whole bar of 2/4 later.
    end_beat = min(melody.end_of_bars(len(bar_beats)), written.end_of_bars(written.bar_count()))
    first_note = min(n.start_beat for n in notes)
    first_bar = max(i for i, b in enumerate(bar_beats) if b <= first_note + 1e-9)
    first_beat = bar_beats[first_bar]
    to_step = lambda beat: round((beat - first_beat) * STEPS_PER_BEAT)  # noqa: E731
    n_steps = to_step(end_beat)
    shift = octave_shift_into_range([n.pitch for n in notes])
    voice, onsets = notes_to_voice(
        [
            (n.start_beat - first_beat, n.duration_beats, clip_pitch_into_range(n.pitch + shift))
            for n in notes
        ],
        n_steps,
    )
    meters = [(max(0, to_step(b)), m) for b, m in melody.meter_map()]
    # Only a melody whose first note is at beat 0 can be a pickup written as a downbeat:
    # rests before the first note already say where the file's pickup falls
    written_as_downbeat = first_beat == 0.0 and first_note < 1e-9
    given = isinstance(pickup, int) and pickup > 0
    if given:
        downbeat = given_downbeat(melody, pickup, to_step(first_note))
    elif len(meters) == 1 and written_as_downbeat and pickup == PICKUP_AUTO:
        steps = [(to_step(n.start_beat), to_step(n.end_beat), n.pitch) for n in notes]
        downbeat = pickup_steps(steps, meters[0][1])
    else:
        downbeat = 0
    if downbeat:
        # Bars from the downbeat to the bar the melody ends in: the file's bar end is a
        # bar of the file's barlines, which can lie a whole moved bar past the last note.
        bar = meters[0][1].bar_steps
        last = max(to_step(n.end_beat) for n in notes)
        n_steps = downbeat + max(0, bars_in(last - downbeat, bar)) * bar
        voice, onsets = voice[:n_steps], onsets[:n_steps]
        voice = np.concatenate([voice, np.full(n_steps - voice.shape[0], -1, voice.dtype)])
        onsets = np.concatenate([onsets, np.zeros(n_steps - onsets.shape[0], bool)])
        starts = [0, *range(downbeat, n_steps + 1, bar)]
        source, phase = PICKUP_GIVEN if given else PICKUP_FOUND, bar - downbeat
        return MelodyGrid(
            voice.astype(np.int64), onsets, shift, meters, starts, first_beat, phase, source
        )
    meters = [
        (s, m) for i, (s, m) in enumerate(meters) if i + 1 == len(meters) or meters[i + 1][0] > s
    ]
    starts = [to_step(b) for b in bar_beats[first_bar:]] + [n_steps]
    phase, source = 0, PICKUP_GIVEN if given else ""
    short = pickup_bar(melody)
    if short is not None and first_beat == 0.0:  # the pickup is the end of a bar of the next
        following = meters[1][1]
        meters = [(0, following), *meters[2:]]
        phase, source = following.bar_steps - short.bar_steps, PICKUP_FILE
    return MelodyGrid(
        voice.astype(np.int64), onsets, shift, meters, starts, first_beat, phase, source
    )


def notated_meters(
    melody: Arrangement, grid: MelodyGrid
) -> tuple[tuple[int, int], list[tuple[float, tuple[int, int]]]]:
    """The time signature and meter changes that bar a candidate as its grid does: a
    pickup found or given as its own short bar (1/8, then 2/4), as notation programs
    read it and ``pickup_bar`` reads it back; otherwise the melody's own as accompanied
    (``accompanied_bars``: a short bar or an unbarred stretch in the meter around it).
    (``accompany`` writes these only for a pickup the musician gave.)"""
    if grid.pickup_from not in (PICKUP_FOUND, PICKUP_GIVEN) or not grid.pickup:
        barred = accompanied_bars(melody)
        return tuple(barred.time_signature), list(barred.meter_changes)
    meter, steps = melody.meter(), grid.pickup
    short = short_bar_signature(steps, meter)
    start = grid.first_beat
    after = [(start + steps / STEPS_PER_BEAT, meter.signature)]
    if start == 0.0:
        return short, after
    return tuple(melody.time_signature), [(start, short), *after]


def short_bar_signature(steps: int, meter: Meter) -> tuple[int, int]:
    """The time signature of a pickup of ``steps`` written as its own short bar before
    bars of ``meter``: counted in the meter's unit where it fits, else in eighths, else
    in sixteenths (1/4 before 4/4, 1/8 before 2/4 or 6/8, 3/16 before 2/4), as notation
    programs export it and ``pickup_bar`` reads it back."""
    unit = next(u for u in (meter.unit_steps, 2, 1) if steps % u == 0)
    return (steps // unit, STEPS_PER_BEAT * 4 // unit)


def given_downbeat(melody: Arrangement, pickup: int, first_note: int) -> int:
    """Where in the grid's first bar the downbeat falls for a pickup of ``pickup`` steps
    after the first note (at step ``first_note``): one sentence for a pickup of a bar
    or more, or for a melody whose file sets more than one meter."""
    if melody.meter_changes:
        raise MeterError(
            "The melody's file sets its own bars (its meter changes); a pickup can be set "
            "only for a melody in one meter: set it to auto or none."
        )
    meter = melody.meter()
    if pickup >= meter.bar_steps:
        raise MeterError(
            f"A pickup of {pickup_words(pickup, meter)} is a whole bar of {meter} or more; "
            "set one shorter than the bar, or none."
        )
    return (first_note + pickup) % meter.bar_steps


def unaccompanied_meters(melody: Arrangement) -> list[Meter]:
    """The tune's meters that Composer cannot accompany, in the tune's order. A pickup
    written as its own short bar (1/8 before 6/8, ``pickup_bar``) is not one: it is
    accompanied in the meter that follows; nor is a short bar or an unbarred stretch
    inside a learnt meter (``accompanied_bars``). The one rule for the engine's refusal
    and the window's sentence when a tune opens."""
    pickup = pickup_bar(melody)
    barred = accompanied_bars(melody)
    return [m for m in barred.meters() if not m.accompanied and m != pickup]


def accompanied_bars(melody: Arrangement) -> Arrangement:
    """The melody barred as Composer accompanies it: its own meter map, but for two kinds
    of bar a musician reads inside the meter around them, accompanied as bars of that
    (learnt) meter, never as a meter of their own:

    - a short bar: one bar of a meter Composer does not accompany, shorter than a bar of
      the accompanied meter before it (a lone 1/4 bar in a 2/4 tune, at a phrase's or the
      tune's end): a short bar of that meter; the next change starts a bar, as before;
    - an unbarred stretch (``pianoroll.unbarred``: music21 reads a song whose barlines
      stop as one bar of 26/4): barred in the accompanied meter before it, else after it.

    A first bar as its own shorter signature is ``pickup_bar``'s. Only what reads bars
    to accompany asks this (the grid, the refusal, the chords, the style's meters): the
    output keeps the file's time signatures. The melody itself when nothing changes."""
    original = melody.meter_map()
    mapped = [(beat, host or meter) for beat, meter, host, _unbarred in _barring(melody)]
    if mapped == original:
        return melody
    return Arrangement(
        melody.tracks,
        melody.tempo_bpm,
        mapped[0][1].signature,
        list(melody.tempo_changes),
        [(b, m.signature) for b, m in mapped[1:]],
        list(melody.markers),
    )


def _barring(melody: Arrangement) -> list[tuple[float, Meter, Meter | None, bool]]:
    """Each signature of the tune as ``(beat, meter, host, unbarred)``: the learnt meter
    it is accompanied in when it is a short bar or an unbarred stretch (else None), and
    whether it is an unbarred stretch (``pianoroll.unbarred``), hosted or not (a song
    unbarred throughout is refused saying so). What ``accompanied_bars``, the warnings
    and the refusal's sentence all read."""
    original = melody.meter_map()
    pickup = pickup_bar(melody)
    end = melody.length_beats()
    rows: list[tuple[float, Meter, Meter | None, bool]] = []
    mapped: list[tuple[float, Meter]] = []
    for index, (beat, meter) in enumerate(original):
        host, is_unbarred = None, False
        if not meter.accompanied and not (index == 0 and meter == pickup):
            host, is_unbarred = _host_meter(original, mapped, index, end)
        rows.append((beat, meter, host, is_unbarred))
        mapped.append((beat, host or meter))
    return rows


def _host_meter(
    original: list[tuple[float, Meter]],
    mapped: list[tuple[float, Meter]],
    index: int,
    end: float,
) -> tuple[Meter | None, bool]:
    """The learnt meter that the unlearnt ``original[index]`` is accompanied in (a short
    bar's or an unbarred stretch's, ``accompanied_bars``), or None: it stays unlearnt;
    and whether it is an unbarred stretch."""
    beat, meter = original[index]
    before = mapped[-1][1] if mapped and mapped[-1][1].accompanied else None
    after = next((m for _, m in original[index + 1 :] if m.accompanied), None)
    following = original[index + 1][0] if index + 1 < len(original) else end
    if unbarred(meter, following - beat, before or after):
        return before or after, True
    one_bar = following - beat <= meter.bar_beats + 1e-9
    if before is not None and one_bar and meter.bar_steps < before.bar_steps:
        return before, False
    return None, False


def bars_signature(melody: Arrangement) -> tuple[int, int]:
    """The time signature the tune's bars are in, as the meter box shows it: after a
    pickup written as its own short bar, the one that follows it."""
    if pickup_bar(melody) is not None:
        return tuple(melody.meter_changes[0][1])
    return tuple(melody.time_signature)


def pickup_bar(melody: Arrangement) -> Meter | None:
    """The meter of a first bar written as its own shorter time signature (a pickup as
    some programs export it: 1/4, then 4/4 from beat 1), else None."""
    if not melody.meter_changes:
        return None
    first = melody.meter()
    change_beat, signature = melody.meter_changes[0]
    following = Meter.of(signature)
    if abs(change_beat - first.bar_beats) < 1e-9 and first.bar_steps < following.bar_steps:
        return first
    return None


JOIN_SCORE_WEIGHT = 3.0  # semitones of join leap worth the critic's whole ranking
JOIN_CHOICES = 3  # a later section draws this many times the candidates, to choose from


def _edge_pitches(roll: np.ndarray, last: bool) -> np.ndarray:
    """Per voice of ``(voice, step, pitch)``: its first (or last) sounding pitch, -1 if silent."""
    sounding = roll.any(axis=2)  # (voice, step)
    out = np.full(roll.shape[0], -1)
    for v in range(roll.shape[0]):
        steps = np.flatnonzero(sounding[v])
        if steps.size:
            out[v] = int(np.flatnonzero(roll[v, steps[-1 if last else 0]])[0])
    return out


def _leap(ends: np.ndarray, starts: np.ndarray) -> float:
    return float(np.where((ends >= 0) & (starts >= 0), np.abs(ends - starts), 12).sum())


def join_leap(before: np.ndarray, after: np.ndarray) -> float:
    """Semitones the voices move across a join: ``before`` and ``after`` rolls
    ``(voice, step, pitch)``; a voice silent on either side counts as an octave."""
    return _leap(_edge_pitches(before, last=True), _edge_pitches(after, last=False))


def chain_sections(
    section_rolls: list[np.ndarray], section_scores: list[np.ndarray]
) -> list[np.ndarray]:
    """Which draw of each section continues each candidate: ``(draw per candidate,)`` per
    section. Candidate i starts with draw i of the first section; in each later section
    (which may offer more draws than there are candidates) it takes, of the draws not
    yet taken, the one with the lowest cost: the semitones its voices move across the
    join plus up to ``JOIN_SCORE_WEIGHT`` for a draw the critic ranks last, so voices
    continue across the join without settling for a poor section."""
    n = section_rolls[0].shape[0]
    chosen = [np.arange(n)]
    for index in range(1, len(section_rolls)):
        rolls, scores = section_rolls[index], section_scores[index]
        previous = section_rolls[index - 1][chosen[-1]]
        ends = [_edge_pitches(previous[i], last=True) for i in range(n)]
        starts = [_edge_pitches(rolls[d], last=False) for d in range(rolls.shape[0])]
        rank = np.empty(rolls.shape[0])
        rank[np.argsort(-scores, kind="stable")] = np.arange(rolls.shape[0]) / rolls.shape[0]
        free = set(range(rolls.shape[0]))
        picks = np.empty(n, dtype=np.int64)
        for i in range(n):
            best = min(
                free,
                key=lambda d: _leap(ends[i], starts[d]) + JOIN_SCORE_WEIGHT * rank[d],
            )
            picks[i] = best
            free.remove(best)
        chosen.append(picks)
    return chosen
