"""Instruments: General MIDI program names, the presets, and the channel of each track.

Channels are fixed per track so a DAW can route parts by channel: the melody on 1, then
the model's tracks in order on 2, 3, ... as musicians count (alto 2, tenor 3, bass 4 for
the chorale model), skipping 10; a drums track always on 10 (General MIDI percussion),
and no pitched track ever on 10.
"""

from __future__ import annotations

from collections.abc import Sequence

from composer_gui.core.midi_file import DRUM_CHANNEL
from models.tracks import CHORALE_TRACKS, TrackSpec


def track_channels(tracks: Sequence[TrackSpec]) -> list[int]:
    """The 0-based channel of the melody, then of each of ``tracks``: ``[0, 1, 2, 3]``
    for the chorale model; a band's drums on 9 wherever they stand in the list."""
    pitched = (c for c in range(1, 16) if c != DRUM_CHANNEL)
    channels = [0]
    for track in tracks:
        channels.append(DRUM_CHANNEL if track.is_drums else next(pitched, 15))
    return channels


TRACK_CHANNELS = dict(
    zip(["melody", *(t.name for t in CHORALE_TRACKS)], track_channels(CHORALE_TRACKS))
)  # melody 0 ... bass 3
assert DRUM_CHANNEL not in TRACK_CHANNELS.values()

GM_PROGRAM_NAMES = (
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano",
    "Electric Piano 1", "Electric Piano 2", "Harpsichord", "Clavinet",
    "Celesta", "Glockenspiel", "Music Box", "Vibraphone",
    "Marimba", "Xylophone", "Tubular Bells", "Dulcimer",
    "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ",
    "Reed Organ", "Accordion", "Harmonica", "Tango Accordion",
    "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)", "Electric Guitar (jazz)",
    "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar",
    "Distortion Guitar", "Guitar Harmonics",
    "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)", "Fretless Bass",
    "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2",
    "Violin", "Viola", "Cello", "Contrabass",
    "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani",
    "String Ensemble 1", "String Ensemble 2", "Synth Strings 1", "Synth Strings 2",
    "Choir Aahs", "Voice Oohs", "Synth Voice", "Orchestra Hit",
    "Trumpet", "Trombone", "Tuba", "Muted Trumpet",
    "French Horn", "Brass Section", "Synth Brass 1", "Synth Brass 2",
    "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax",
    "Oboe", "English Horn", "Bassoon", "Clarinet",
    "Piccolo", "Flute", "Recorder", "Pan Flute",
    "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)",
    "Lead 5 (charang)", "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)",
    "Pad 1 (new age)", "Pad 2 (warm)", "Pad 3 (polysynth)", "Pad 4 (choir)",
    "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)",
    "FX 5 (brightness)", "FX 6 (goblins)", "FX 7 (echoes)", "FX 8 (sci-fi)",
    "Sitar", "Banjo", "Shamisen", "Koto",
    "Kalimba", "Bagpipe", "Fiddle", "Shanai",
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock",
    "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal",
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet",
    "Telephone Ring", "Helicopter", "Applause", "Gunshot",
)  # fmt: skip
assert len(GM_PROGRAM_NAMES) == 128

# Drum kits: programs of the percussion bank on channel 10. General MIDI has the Standard
# kit (program 0); the others are Roland GS's numbers, which GM soundfonts such as
# FluidR3_GM also carry.
DRUM_KITS = (
    (0, "Standard kit"),
    (8, "Room kit"),
    (16, "Power kit"),
    (24, "Electronic kit"),
    (25, "TR-808 kit"),
    (32, "Jazz kit"),
    (40, "Brush kit"),
    (48, "Orchestra kit"),
)

# The sixteen General MIDI families, eight programs each, in program order (GM 1 spec).
GM_FAMILIES = (
    "Piano", "Chromatic Percussion", "Organ", "Guitar",
    "Bass", "Strings", "Ensemble", "Brass",
    "Reed", "Pipe", "Synth Lead", "Synth Pad",
    "Synth Effects", "Ethnic", "Percussive", "Sound Effects",
)  # fmt: skip
PROGRAMS_PER_FAMILY = len(GM_PROGRAM_NAMES) // len(GM_FAMILIES)  # 8

# Programs for (alto, tenor, bass); the melody keeps the program the user played it with.
PRESETS: dict[str, tuple[int, int, int]] = {
    "organ": (19, 19, 19),
    "strings": (40, 41, 42),
    "choir": (52, 52, 52),
    "piano trio": (40, 0, 42),
    "woodwinds": (68, 71, 70),
    "brass": (60, 57, 58),
    "piano": (0, 0, 0),
}
DEFAULT_PRESET = "organ"


def preset_programs(preset: str) -> tuple[int, int, int]:
    try:
        return PRESETS[preset]
    except KeyError:
        raise ValueError(
            f"Unknown instrument preset '{preset}'; choose one of {', '.join(PRESETS)}."
        ) from None


def track_programs(
    preset: str, tracks: Sequence[TrackSpec], style: str | None = None
) -> tuple[int, ...]:
    """The program of each of a model's tracks: the preset's for the chorale's three
    voices (the Sound box); for the shipped band's tracks in a shipped style, that
    style's own instruments (``models.band_styles``: guitars for rock, banjo for
    country...); else the track's card program (a model trained on your songs). The musician
    changes them per track."""
    from models.band_styles import STYLE_NAMES, TRACK_NAMES, style_named

    if tuple(tracks) == CHORALE_TRACKS:
        return preset_programs(preset)
    shipped_band = tuple(t.name for t in tracks) == TRACK_NAMES and style in STYLE_NAMES
    programs = style_named(style).programs if shipped_band else {}
    return tuple(programs.get(t.name, t.program) for t in tracks)


def track_velocities(
    tracks: Sequence[TrackSpec], velocity: int, style: str | None = None
) -> tuple[int, ...]:
    """The note velocity of each of a model's tracks around ``velocity``: for the
    shipped band's tracks in a shipped style, that style's mix (``BandStyle.levels``,
    MMA's own: a pop ballad's pad and piano softer than its bass), scaled so the band's
    mean stays ``velocity``; else ``velocity`` for every track."""
    from models.band_styles import STYLE_NAMES, TRACK_NAMES, style_named

    shipped_band = tuple(t.name for t in tracks) == TRACK_NAMES and style in STYLE_NAMES
    levels = style_named(style).levels if shipped_band else {}
    if not levels:
        return tuple(int(velocity) for _ in tracks)
    mean = sum(levels.values()) / len(levels)
    return tuple(
        int(min(127, max(1, round(velocity * levels.get(t.name, mean) / mean)))) for t in tracks
    )


def program_name(program: int) -> str:
    return GM_PROGRAM_NAMES[program]


def program_family(program: int) -> str:
    """The General MIDI family of a program (0-127): 19 (Church Organ) is "Organ"."""
    return GM_FAMILIES[program // PROGRAMS_PER_FAMILY]


def programs_by_family() -> list[tuple[str, list[int]]]:
    """Each family with its eight programs, in General MIDI order: for grouped menus."""
    return [
        (family, list(range(i * PROGRAMS_PER_FAMILY, (i + 1) * PROGRAMS_PER_FAMILY)))
        for i, family in enumerate(GM_FAMILIES)
    ]
