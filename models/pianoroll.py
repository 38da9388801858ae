"""The musical grid, the pitch range and the track order: defined here once.

Everything that turns music into arrays (the dataset builder, the networks, the
engine, the piano-roll view, the exporter) imports these names instead of
repeating numbers.  A roll is a boolean array shaped ``(track, step, pitch)``.
numpy is imported only where a roll is made, so that ``composer-gui --version`` and the
command line's argument parsing, which need the grid but no arrays, start without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

STEPS_PER_BEAT = 4  # steps per quarter note: 16th-note resolution, as DeepComposer and MuseGAN
BEATS_PER_BAR = 4  # quarter notes in the default meter, 4/4
STEPS_PER_BAR = STEPS_PER_BEAT * BEATS_PER_BAR
STEPS_PER_WHOLE = 4 * STEPS_PER_BEAT  # a whole note; a 1/d note is STEPS_PER_WHOLE // d steps

# The Bach chorale voices span about MIDI 36-81; transposition augmentation moves
# them up to six semitones each way, so 28-91 holds every training note.
LOWEST_PITCH = 28
N_PITCHES = 64
HIGHEST_PITCH = LOWEST_PITCH + N_PITCHES - 1

# The melody always comes first; the rest are written by the generator.
TRACKS = ("melody", "alto", "tenor", "bass")
MELODY = 0
ACCOMPANIMENT_TRACKS = TRACKS[1:]
N_TRACKS = len(TRACKS)

MAX_BARS = 32  # the longest melody one generation accompanies


def steps_per_bar(beats_per_bar: int = BEATS_PER_BAR) -> int:
    """Bar length in grid steps for a meter with quarter-note beats."""
    return STEPS_PER_BEAT * beats_per_bar


# --- Meters: bars, beats and strong beats, asked by everything that counts time ---------

# The meters a model is trained for and the engine accompanies, in their own beat.
ACCOMPANIED_METERS = (
    (2, 4), (3, 4), (4, 4), (2, 2), (3, 2), (6, 4), (3, 8), (6, 8), (9, 8), (12, 8)
)  # fmt: skip
# Meters drawn and counted in (as groupings of twos and threes) but not accompanied.
IRREGULAR_GROUPS = {5: (3, 2), 7: (2, 2, 3)}  # in units of the denominator


@dataclass(frozen=True)
class Meter:
    """A time signature on the grid: its bar, its beats and which of them are strong.

    The beat is what a musician counts and the harmony moves on: the quarter in 2/4, 3/4
    and 4/4, the half in 2/2 and 3/2, the dotted quarter in 6/8, 9/8 and 12/8 (three
    eighths), the dotted half in 6/4, and in 3/8 the whole bar (one beat of three
    eighths, as a fast 3/8 is counted). 5/8 and 7/8 have unequal beats of two and three
    eighths (3+2, 2+2+3); 5/4 and 7/4 count quarters grouped 3+2 and 2+2+3. Strong beats
    start a group: 1 and 3 in 4/4 and 12/8, only the downbeat in 2/4, 3/4, 6/8 and 9/8.
    """

    numerator: int = 4
    denominator: int = 4

    def __post_init__(self) -> None:
        if self.numerator < 1 or self.denominator not in (1, 2, 4, 8, 16):
            raise ValueError(
                f"{self.numerator}/{self.denominator} is not a time signature the grid "
                "holds; the lower number must be 1, 2, 4, 8 or 16."
            )

    @classmethod
    def of(cls, signature: Sequence[int] | Meter) -> Meter:
        if isinstance(signature, Meter):
            return signature
        numerator, denominator = signature
        return cls(int(numerator), int(denominator))

    @property
    def signature(self) -> tuple[int, int]:
        return (self.numerator, self.denominator)

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    @property
    def unit_steps(self) -> int:
        """Steps in one note of the lower number (4 for a quarter, 2 for an eighth)."""
        return STEPS_PER_WHOLE // self.denominator

    @property
    def bar_steps(self) -> int:
        return self.numerator * self.unit_steps

    @property
    def bar_beats(self) -> float:
        """Bar length in quarter notes (what a MIDI file counts): 3.0 in 3/4 and 6/8."""
        return self.bar_steps / STEPS_PER_BEAT

    @property
    def compound(self) -> bool:
        return self.numerator in (6, 9, 12) and self.denominator >= 4

    @property
    def irregular(self) -> bool:
        return self.numerator in IRREGULAR_GROUPS

    @property
    def beat_steps(self) -> tuple[int, ...]:
        """The length in steps of each beat of the bar, in order."""
        unit = self.unit_steps
        if self.compound:
            return (3 * unit,) * (self.numerator // 3)
        if self.signature == (3, 8) or self.signature == (3, 16):
            return (3 * unit,)
        if self.irregular and self.denominator >= 8:
            return tuple(g * unit for g in IRREGULAR_GROUPS[self.numerator])
        return (unit,) * self.numerator

    @property
    def beats_per_bar(self) -> int:
        return len(self.beat_steps)

    @property
    def beat_starts(self) -> tuple[int, ...]:
        """Step within the bar where each beat starts; the metronome clicks there."""
        starts, step = [], 0
        for length in self.beat_steps:
            starts.append(step)
            step += length
        return tuple(starts)

    @property
    def strong_beats(self) -> tuple[int, ...]:
        """Indices of the beats that start a group (always including the downbeat)."""
        beats = self.beats_per_bar
        if self.irregular and self.denominator < 8:
            groups = IRREGULAR_GROUPS[self.numerator]
        elif beats == 4:
            groups = (2, 2)
        else:
            groups = (beats,)
        strong, index = [], 0
        for group in groups:
            strong.append(index)
            index += group
        return tuple(strong)

    @property
    def accompanied(self) -> bool:
        return self.signature in ACCOMPANIED_METERS

    def positions(self, n_steps: int, bar_phase: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """``(phase in beat (T,) int, accent (T,) int)`` for ``n_steps`` starting
        ``bar_phase`` steps into a bar; accent is 2 on a downbeat, 1 on another strong
        beat, 0 elsewhere. What the network's position features are made of."""
        return meter_positions([(0, self)], n_steps, bar_phase)


UNBARRED_BARS = 2  # a stretch written as one bar is at least this many bars of its meter
MOST_UNITS_COUNTED = 12  # the longest bar an accompanied meter counts: 12/8


def unbarred(meter: Meter, stretch_beats: float, around: Meter | None) -> bool:
    """Whether a signature is an unbarred stretch written as one bar, not a meter: it
    holds one bar (``stretch_beats``, quarters to the next signature or the tune's end,
    no more than its bar), that bar is at least ``UNBARRED_BARS`` bars of the meter
    ``around`` it (the learnt one before, else after; with none, of the longest meter
    accompanied, 6 quarters), and it counts more units than any accompanied meter (12).
    The last is session 18's rule, kept so that a lone 5/4 bar in 2/4 stays a meter.

    Han1 #390 is the case: its ABC is in M:4/4 throughout and its barlines stop after
    three bars; music21 splits the overlong bar at 4/4's length and gives the rest the
    signature that fits it (``bestTimeSignature``): 26/4, one bar of 26 quarters, six and
    a half of 4/4. Session 18's rule, more than 12 units a bar, also took a genuine 13/8
    or 15/8 bar (6.5, 7.5 quarters: under two of 4/4) for one; those are irregular meters,
    refused in one sentence naming what is accompanied (issue #16)."""
    if stretch_beats > meter.bar_beats + 1e-9:
        return False  # more than one bar under it: a meter the tune is in
    longest = max(Meter(*signature).bar_beats for signature in ACCOMPANIED_METERS)
    host_beats = around.bar_beats if around is not None else longest
    long_bar = meter.bar_beats >= UNBARRED_BARS * host_beats - 1e-9
    return long_bar and meter.numerator > MOST_UNITS_COUNTED


def supported_meters_text() -> str:
    return ", ".join(f"{a}/{b}" for a, b in ACCOMPANIED_METERS)


def meter_positions(
    meters: Sequence[tuple[int, Meter]], n_steps: int, bar_phase: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Position in beat and accent for every step under a meter map.

    ``meters`` is ``[(step, Meter), ...]`` in time order, the first at step 0; a change
    takes effect at its step, which starts a bar.  ``bar_phase`` is how far into its bar
    step 0 falls (a pickup written as the end of a bar)."""
    import numpy as np

    phase = np.zeros(n_steps, dtype=np.int64)
    accent = np.zeros(n_steps, dtype=np.int64)
    for index, (start, meter) in enumerate(meters):
        end = meters[index + 1][0] if index + 1 < len(meters) else n_steps
        start, end = max(0, start), min(n_steps, end)
        if end <= start:
            continue
        in_beat = np.empty(meter.bar_steps, dtype=np.int64)
        bar_accent = np.zeros(meter.bar_steps, dtype=np.int64)
        for beat, (first, length) in enumerate(zip(meter.beat_starts, meter.beat_steps)):
            in_beat[first : first + length] = np.arange(length)
            if beat in meter.strong_beats:
                bar_accent[first] = 1
        bar_accent[0] = 2
        offset = bar_phase if index == 0 else 0
        in_bar = (np.arange(end - start) + offset) % meter.bar_steps
        phase[start:end] = in_beat[in_bar]
        accent[start:end] = bar_accent[in_bar]
    return phase, accent


def bar_starts(meters: Sequence[tuple[int, Meter]], n_steps: int, bar_phase: int = 0) -> list[int]:
    """Steps where a bar begins under a meter map (a pickup's partial bar starts at 0)."""
    import numpy as np

    _, accent = meter_positions(meters, n_steps, bar_phase)
    starts = [int(s) for s in np.flatnonzero(accent == 2)]
    return starts if starts and starts[0] == 0 else [0, *starts]


# A bar is numbered here and nowhere else. Its number (``bar_numbers``, ``bar_number``)
# counts from the tune's first full bar, 0, so that a pickup's short bar is -1 and the
# phrase position (``phrase_bar``) counts phrases from the first downbeat. A musician
# names the same bar from 1 at the tune's first bar, pickup or not, as a DAW's ruler and
# the MIDI file count it (``bar_name``, ``bar_names``): the name in every reason and
# refusal. A bar's place (0 the tune's first bar, a pickup's short bar included) is the
# index of a list of the tune's bars, which the two are derived from.


def bar_number(place: int, pickup: bool) -> int:
    """The number of the tune's bar at ``place`` (0 its first bar, a pickup's short bar
    included) as ``bar_numbers`` counts: 0 the first full bar, -1 a pickup."""
    return place - int(pickup)


def bar_name(place: int) -> int:
    """The musician's name of the tune's bar at ``place`` (0 its first bar, a pickup's
    short bar included): counted from 1. Works on arrays of places too."""
    return place + 1


def bars_in(n_steps: int, bar_steps: int) -> int:
    """How many bars of ``bar_steps`` steps ``n_steps`` steps reach into, the last one
    counted though it is cut short (0 for none)."""
    return -(-n_steps // bar_steps)


def bar_numbers(
    meters: Sequence[tuple[int, Meter]],
    n_steps: int,
    bar_phase: int = 0,
    first: int | None = None,
) -> np.ndarray:
    """``(T,)`` each step's bar, counted from the tune's first full bar (0), so that a
    pickup's partial bar (``bar_phase`` over 0) is bar -1. ``first`` is the number of the
    bar step 0 lies in, for a stretch cut from a longer tune whose bars go on counting (a
    section, a training window); by default 0, or -1 where step 0 is in a pickup."""
    import numpy as np

    _, accent = meter_positions(meters, n_steps, bar_phase)
    on_downbeat = n_steps > 0 and accent[0] == 2
    if first is None:
        first = bar_number(0, pickup=not on_downbeat)
    return np.cumsum(accent == 2) - int(on_downbeat) + first


def bar_names(meters: Sequence[tuple[int, Meter]], n_steps: int, bar_phase: int = 0) -> np.ndarray:
    """``(T,)`` the musician's name of each step's bar (``bar_name``): 1 the tune's first
    bar, so that a pickup's short bar is bar 1 and the first full bar bar 2."""
    numbers = bar_numbers(meters, n_steps, bar_phase)
    if not n_steps:
        return numbers
    return bar_name(numbers - numbers[0])


def phrase_bars_of(
    meters: Sequence[tuple[int, Meter]],
    n_steps: int,
    bar_phase: int = 0,
    phrase_bars: int = 4,
    first: int | None = None,
) -> np.ndarray:
    """``(T,)`` which bar of a ``phrase_bars``-bar phrase each step is in (0 to
    ``phrase_bars`` - 1), the phrases counted from the tune's first full bar
    (``bar_numbers``; a pickup is the last bar of the phrase before). The one definition
    the band's training windows, the engine's condition and the evaluations share."""
    return phrase_bar(bar_numbers(meters, n_steps, bar_phase, first), phrase_bars)


def phrase_bar(bars: np.ndarray, phrase_bars: int) -> np.ndarray:
    """Bars counted from the first full bar (``bar_numbers``) as bars of the phrase."""
    return bars % phrase_bars


def empty_roll(n_steps: int, n_tracks: int = N_TRACKS) -> np.ndarray:
    """A silent roll, ``(track, step, pitch)``."""
    import numpy as np

    return np.zeros((n_tracks, n_steps, N_PITCHES), dtype=bool)


def in_range(pitch: int) -> bool:
    return LOWEST_PITCH <= pitch <= HIGHEST_PITCH


def octave_shift_into_range(pitches: Iterable[int]) -> int:
    """Semitones (a multiple of 12) that move a set of pitches best into range.

    Chooses the shift that keeps the most notes inside the range, preferring the
    smallest move, so a melody played an octave too high or low is conditioned on
    as if played where the model learned it.
    """
    pitches = [int(p) for p in pitches]
    if not pitches:
        return 0
    best_shift, best_inside = 0, -1
    for octaves in sorted(range(-5, 6), key=abs):
        inside = sum(in_range(p + 12 * octaves) for p in pitches)
        if inside > best_inside:
            best_shift, best_inside = 12 * octaves, inside
    return best_shift


def clip_pitch_into_range(pitch: int) -> int:
    """Fold a pitch by octaves into range; for the rare note a shift cannot fit."""
    while pitch < LOWEST_PITCH:
        pitch += 12
    while pitch > HIGHEST_PITCH:
        pitch -= 12
    return pitch
