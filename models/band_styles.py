"""The shipped band styles: what each plays, in which meters, from which MMA grooves.

Every style writes the same four tracks (``BAND_TRACKS``: drums, bass, chords and a
second comping or pad track), so one model conditioned on the style index writes any of
them; a style without a second comping part leaves that track silent. A style names the
grooves of Debian's ``mma`` (Musical MIDI Accompaniment, GPL-2+, ``/usr/share/mma/lib``)
its training data is rendered from, per meter, and which of MMA's tracks (by MMA's own
track names) make each band track; ``models.mma_render`` does the rendering.

The harmonic rhythm is how often the chord changes: a chord per bar in the ballad,
country and waltz, per half bar in rock, swing and bossa nova (their charts move twice
a bar). Programs are General MIDI (0-based), the voices MMA's grooves use, except where
MMA gives a bass line to a guitar (bossa nova's thumb), which the band hears as a bass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.pianoroll import Meter
from models.tracks import TrackSpec

# The common band: the ranges are the widest the renderings reach (``models.mma_render``
# measures them from the data and the dataset's manifest records what it found).
BAND_TRACKS = (
    TrackSpec("drums", "drums", program=0),
    TrackSpec("bass", "bass", 24, 60, 32),
    TrackSpec("chords", "chords", 40, 84, 0),
    TrackSpec("pad", "chords", 40, 96, 48),
)
TRACK_NAMES = tuple(t.name for t in BAND_TRACKS)


@dataclass(frozen=True)
class Groove:
    """One MMA groove a style is rendered with in one meter.

    ``beats_per_bar`` is MMA's ``Time`` for the groove (the beats of its bar, which MMA
    writes as quarter notes); the chart gives one chord per MMA beat or "/" to hold it.
    ``beat_steps`` is how long an MMA beat is on our grid: a quarter (4 steps), or in
    MMA's 6/8 ballad, whose bar is four triplet-felt beats, a dotted quarter (6 steps),
    so one MMA bar is two bars of 6/8.

    ``cut_to`` (when not 0) cuts every MMA bar to its first ``cut_to`` beats (MMA's
    ``Truncate``): MMA has no 2/4 grooves for these styles, and a 4-beat groove barred
    in two would alternate its two halves (rock's kick only in the first) in bars the
    model's input marks alike, so each 2/4 bar plays the groove's first half. Bossa
    nova is the exception: its clave is a two-bar figure in 2/4, so its 4-beat groove
    is kept whole and a 2/4 bar is one of its halves, as a bossa player counts it."""

    name: str
    beats_per_bar: int
    beat_steps: int = 4
    cut_to: int = 0

    @property
    def bar_beats(self) -> int:
        """The MMA beats of one rendered bar: the groove's own, or what it is cut to."""
        return self.cut_to or self.beats_per_bar

    @property
    def bar_steps(self) -> int:
        return self.bar_beats * self.beat_steps


@dataclass(frozen=True)
class BandStyle:
    name: str
    description: str
    grooves: dict[tuple[int, int], Groove]  # meter signature -> the groove it plays in it
    harmonic_rhythm: str  # "bar" or "half bar" (models.chord_symbols.RHYTHMS)
    tempo_bpm: int
    programs: dict[str, int]  # band track name -> General MIDI program (0-based)
    sources: dict[str, tuple[str, ...]]  # band track -> MMA track names (drums: all Drum*)
    ignored: tuple[str, ...] = ()  # MMA tracks heard in the groove but not a band track
    # The band's mix: each band track's mean note-on velocity in MMA's rendering of the
    # style's first groove (its Volume settings: the pop ballad's arpeggio and piano at
    # "p" under an "mf" bass); the engine keeps these ratios (``core.instruments``).
    # Measured and checked against a real rendering in ``tests/models/test_band_styles``.
    levels: dict[str, int] = field(default_factory=dict)

    @property
    def meters(self) -> tuple[Meter, ...]:
        return tuple(Meter(*s) for s in self.grooves)

    def plays(self, meter: Meter) -> bool:
        return meter.signature in self.grooves

    def band_track(self, mma_track: str) -> str | None:
        """The band track an MMA track (as named in its MIDI file) belongs to, or None
        for one the style ignores; MMA merges every Drum-* track into one "Drum"."""
        if mma_track.lower().startswith("drum"):
            return "drums"
        for track, names in self.sources.items():
            if mma_track.lower() in (n.lower() for n in names):
                return track
        return None

    def summary(self) -> str:
        meters = ", ".join(str(m) for m in self.meters)
        playing = [t for t in TRACK_NAMES if t == "drums" or self.sources.get(t)]
        return f"{self.name}: {', '.join(playing)} in {meters}; {self.description}"


STYLES = (
    BandStyle(
        "pop ballad",
        "slow pop: piano chords and a synth arpeggio over a soft backbeat, a chord a bar; "
        "in 6/8 the pad rests (MMA's 6/8 ballad has no arpeggio to learn it from)",
        {
            (4, 4): Groove("PopBallad", 4),
            (2, 4): Groove("PopBallad", 4, cut_to=2),
            (6, 8): Groove("Ballad68", 4, beat_steps=6),
        },
        "bar",
        72,
        {"drums": 0, "bass": 32, "chords": 1, "pad": 99},
        # Ballad68 has no arpeggio: its pad stays silent in 6/8.
        {"bass": ("Bass",), "chords": ("Chord",), "pad": ("Arpeggio",)},
        levels={"drums": 89, "bass": 78, "chords": 54, "pad": 51},
    ),
    BandStyle(
        "rock",
        "straight eighths: clean guitar chords, a distorted rhythm guitar, picked bass",
        {(4, 4): Groove("BasicRock", 4), (2, 4): Groove("BasicRock", 4, cut_to=2)},
        "half bar",
        120,
        {"drums": 0, "bass": 33, "chords": 27, "pad": 30},
        {
            "bass": ("Bass",),
            "chords": ("Chord-Clean", "Chord-Clean2"),
            "pad": ("Chord-Dist",),
        },
        levels={"drums": 75, "bass": 106, "chords": 89, "pad": 46},
    ),
    BandStyle(
        "country",
        "folk and country: strummed acoustic guitar and banjo, two-beat bass, a chord a bar",
        {
            (4, 4): Groove("Bluegrass", 4),
            (2, 4): Groove("Bluegrass", 4, cut_to=2),
            (3, 4): Groove("CountryWaltz1", 3),
        },
        "bar",
        110,
        {"drums": 0, "bass": 32, "chords": 24, "pad": 105},
        {
            "bass": ("Bass", "Walk"),
            "chords": ("Chord", "Plectrum"),
            "pad": ("Chord-Banjo", "Bass-Chord", "Arpeggio"),
        },
        levels={"drums": 48, "bass": 114, "chords": 99, "pad": 49},
    ),
    BandStyle(
        "swing",
        "medium swing: a two-feel bass, jazz guitar comping and organ, ride cymbal",
        {(4, 4): Groove("Swing", 4), (2, 4): Groove("Swing", 4, cut_to=2)},
        "half bar",
        132,
        {"drums": 0, "bass": 32, "chords": 26, "pad": 18},
        {"bass": ("Walk", "Bass"), "chords": ("Chord-Guitar",), "pad": ("Chord",)},
        levels={"drums": 70, "bass": 89, "chords": 73, "pad": 71},
    ),
    BandStyle(
        "bossa nova",
        "Brazilian bossa: jazz-guitar comping and arpeggios, root-fifth bass, clave",
        {
            (4, 4): Groove("BossaNovaPlus", 4),
            # Not cut (Groove.cut_to): the clave spans two 2/4 bars, so 2/4 bossa nova is
            # MMA's 4-beat groove as it is, its two halves alternating as a player's would.
            (2, 4): Groove("BossaNovaPlus", 4),
        },
        "half bar",
        128,
        {"drums": 0, "bass": 32, "chords": 26, "pad": 26},
        {"bass": ("Bass",), "chords": ("Chord",), "pad": ("Arpeggio",)},
        levels={"drums": 91, "bass": 104, "chords": 76, "pad": 81},
    ),
    BandStyle(
        "waltz",
        "a waltz in three: bass on one, piano chords on two and three, piano runs",
        {(3, 4): Groove("Waltz1", 3)},
        "bar",
        132,
        {"drums": 0, "bass": 32, "chords": 0, "pad": 0},
        # Waltz1 alternates a piano scale (first bar of four) with arpeggios (the rest).
        {"bass": ("Bass", "Walk"), "chords": ("Chord",), "pad": ("Arpeggio", "Scale")},
        levels={"drums": 60, "bass": 57, "chords": 67, "pad": 57},
    ),
)
STYLE_NAMES = tuple(s.name for s in STYLES)


def style_named(name: str) -> BandStyle:
    """A shipped style by name (case and spacing forgiven: "Bossa-Nova" is bossa nova)."""
    wanted = name.strip().lower().replace("-", " ").replace("_", " ")
    for style in STYLES:
        if style.name == wanted:
            return style
    raise ValueError(f"no style {name!r}; choose one of {', '.join(STYLE_NAMES)}")


def style_index(name: str) -> int:
    return STYLES.index(style_named(name))


__all__ = [
    "BAND_TRACKS",
    "STYLES",
    "STYLE_NAMES",
    "BandStyle",
    "Groove",
    "style_index",
    "style_named",
]
