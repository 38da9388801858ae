"""The tracks a model writes: each of a kind, with its own pitch range and instrument.

A model's card lists its tracks (``TrackSpec.to_dict``); a card without a list is the
chorale model's three voices (``CHORALE_TRACKS``), so older model files keep working.
The kind says how a track is represented and written:

- *voice*: monophonic, one pitch or rest per step (the chorale alto, tenor, bass);
- *bass*: monophonic and low (a band's bass line);
- a monophonic track may also say where its notes start (``onsets``, opt-in per track):
  one pitch a step cannot strike the same pitch twice in a row, and a bass's repeated
  eighths are a tenth or more of its notes in rock, swing and bossa (issue 17);
- *chords*: polyphonic comping (piano, guitar, pad), several notes a step, with where each
  note starts so its rhythm is kept (a held chord and a re-struck one differ);
- *drums*: General MIDI percussion on channel 10, hits of the instruments of ``DRUM_KIT``.

Everything per kind that the networks need (how many outputs, how many critic channels)
is asked here, so the generator, the critic, clean-up, metrics, the engine, the synth
and the MIDI writer never count voices themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.pianoroll import HIGHEST_PITCH, LOWEST_PITCH

KINDS = ("voice", "bass", "chords", "drums")
MONOPHONIC_KINDS = ("voice", "bass")
DRUM_CHANNEL = 9  # zero-based: General MIDI percussion is channel 10 as musicians count

# The drum kit a drums track plays, in the order of its rows: (name, GM percussion key).
DRUM_KIT = (
    ("kick", 36),
    ("snare", 38),
    ("side stick", 37),
    ("hand clap", 39),
    ("closed hi-hat", 42),
    ("pedal hi-hat", 44),
    ("open hi-hat", 46),
    ("floor tom", 41),
    ("low tom", 45),
    ("mid tom", 47),
    ("high tom", 50),
    ("crash", 49),
    ("ride", 51),
    ("ride bell", 53),
    ("tambourine", 54),
    ("cowbell", 56),
    ("shaker", 70),
    ("low conga", 64),
    ("high conga", 63),
    ("claves", 75),
)
DRUM_KEYS = tuple(key for _, key in DRUM_KIT)

# Every other GM percussion key (35-81) is heard as the kit instrument nearest in role,
# so a song's drums are kept whole rather than dropped key by key.
_KEY_TO_KIT_KEY = {
    35: 36, 40: 38, 43: 41, 48: 50, 52: 49, 55: 49, 57: 49, 59: 51,
    58: 56, 60: 63, 61: 64, 62: 63, 65: 64, 66: 64, 67: 56, 68: 56,
    69: 70, 71: 70, 72: 70, 73: 75, 74: 75, 76: 75, 77: 75, 78: 70,
    79: 70, 80: 42, 81: 53,
}  # fmt: skip


def kit_row(gm_key: int) -> int | None:
    """The ``DRUM_KIT`` row a General MIDI percussion key plays, or None outside 35-81."""
    key = _KEY_TO_KIT_KEY.get(gm_key, gm_key)
    return DRUM_KEYS.index(key) if key in DRUM_KEYS else None


@dataclass(frozen=True)
class TrackSpec:
    """One track a model writes.

    ``low``/``high`` are MIDI pitches (inclusive) and come from the data; a drums track
    ignores them and has one row per ``DRUM_KIT`` instrument. ``program`` is the General
    MIDI program (0-based) the track is heard with by default. ``onsets`` (monophonic
    tracks only) adds an output and a critic channel "a note starts here", so a held
    pitch can be struck again; a card without it is read as before, bit for bit.
    """

    name: str
    kind: str
    low: int = LOWEST_PITCH
    high: int = HIGHEST_PITCH
    program: int = 0
    onsets: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"track kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not 0 <= self.low <= self.high <= 127:
            raise ValueError(f"track {self.name!r}: pitch range {self.low}-{self.high}")
        if not 0 <= self.program <= 127:
            raise ValueError(f"track {self.name!r}: program {self.program} is not 0-127")
        if self.onsets and not self.monophonic:
            raise ValueError(f"track {self.name!r}: only a monophonic track has an onset output")

    @property
    def monophonic(self) -> bool:
        return self.kind in MONOPHONIC_KINDS

    @property
    def is_drums(self) -> bool:
        return self.kind == "drums"

    @property
    def n_rows(self) -> int:
        """Rows of the track's roll: its pitches, or the kit's instruments."""
        return len(DRUM_KIT) if self.is_drums else self.high - self.low + 1

    @property
    def n_outputs(self) -> int:
        """Generator outputs per step: pitch-or-rest classes for a monophonic track (then
        one "a note starts" logit where it has ``onsets``); "sounds" and "starts" per
        pitch for chords; a hit per instrument for drums."""
        if self.monophonic:
            return self.n_rows + 1 + int(self.onsets)
        if self.kind == "chords":
            return 2 * self.n_rows
        return self.n_rows

    @property
    def n_critic_channels(self) -> int:
        """Critic input channels per step: the sounding pitches (mono; then whether a
        note starts, where it has ``onsets``), sounding and starting pitches (chords), or
        the hits (drums)."""
        return 2 * self.n_rows if self.kind == "chords" else self.n_rows + int(self.onsets)

    @property
    def channel(self) -> int | None:
        """The MIDI channel the track must use, or None where the app assigns one."""
        return DRUM_CHANNEL if self.is_drums else None

    def row_pitch(self, row: int) -> int:
        """The MIDI pitch (or GM percussion key) of a row of this track's roll."""
        return DRUM_KEYS[row] if self.is_drums else self.low + row

    def pitch_row(self, pitch: int) -> int | None:
        """The row a MIDI pitch (or GM percussion key) falls on, or None outside."""
        if self.is_drums:
            return kit_row(pitch)
        return pitch - self.low if self.low <= pitch <= self.high else None

    def to_dict(self) -> dict:
        """The card's form; ``onsets`` is written only where set, so a card without it
        (every model before issue 17's onset channel) is written as it was."""
        values = {
            "name": self.name,
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "program": self.program,
        }
        return values | ({"onsets": True} if self.onsets else {})

    @classmethod
    def from_dict(cls, values: dict) -> TrackSpec:
        known = {"name", "kind", "low", "high", "program", "onsets"}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown track field(s): {', '.join(unknown)}")
        return cls(**values)


# The chorale model: three voices over the shipped grid's range, heard on the organ
# (the default preset of composer_gui.core.instruments).
CHORALE_TRACKS = (
    TrackSpec("alto", "voice", LOWEST_PITCH, HIGHEST_PITCH, 19),
    TrackSpec("tenor", "voice", LOWEST_PITCH, HIGHEST_PITCH, 19),
    TrackSpec("bass", "voice", LOWEST_PITCH, HIGHEST_PITCH, 19),
)


def tracks_from_card(card: dict) -> tuple[TrackSpec, ...]:
    """A model card's track list; a card written before track kinds is the chorale one."""
    listed = card.get("tracks")
    if not listed:
        return CHORALE_TRACKS
    return tuple(TrackSpec.from_dict(t) for t in listed)
