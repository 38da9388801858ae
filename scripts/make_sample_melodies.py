"""Write the sample melodies shipped in resources/melodies/ as MIDI files.

Each tune is public domain and was typed in note by note for this project (not taken from
any file): a list of (pitch name, length in beats), played one after another; a pitch of
"r" is a rest. The script checks that every bar is full, then writes one track named
"melody" (General MIDI program 0, channel 1) with tempo and meter through the app's own
MIDI writer, so the files are exactly what the app itself would save.

    .venv/bin/python scripts/make_sample_melodies.py [OUT_DIR]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from composer_gui.core.arrangement import Arrangement, Note, Track  # noqa: E402
from composer_gui.core.midi_writer import write_arrangement  # noqa: E402
from models.pianoroll import Meter, bar_name  # noqa: E402

VELOCITY = 80
PITCH_CLASSES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


@dataclass(frozen=True)
class Tune:
    file_name: str
    title: str
    time_signature: tuple[int, int]
    tempo_bpm: float
    key: str
    notes: str  # "pitch beats, pitch beats, ..." with "|" between bars


# In 3/4 a quarter note is 1 beat, so "1.5" is a dotted quarter and "3" a dotted half.
TUNES = [
    Tune(
        "ode_to_joy",
        "Ode to Joy (Beethoven)",
        (4, 4),
        108,
        "D major",
        "F#4 1, F#4 1, G4 1, A4 1 | A4 1, G4 1, F#4 1, E4 1 | D4 1, D4 1, E4 1, F#4 1 |"
        "F#4 1.5, E4 0.5, E4 2 | F#4 1, F#4 1, G4 1, A4 1 | A4 1, G4 1, F#4 1, E4 1 |"
        "D4 1, D4 1, E4 1, F#4 1 | E4 1.5, D4 0.5, D4 2",
    ),
    Tune(
        "frere_jacques",
        "Frère Jacques",
        (4, 4),
        100,
        "C major",
        "C4 1, D4 1, E4 1, C4 1 | C4 1, D4 1, E4 1, C4 1 | E4 1, F4 1, G4 2 |"
        "E4 1, F4 1, G4 2 | G4 0.5, A4 0.5, G4 0.5, F4 0.5, E4 1, C4 1 |"
        "G4 0.5, A4 0.5, G4 0.5, F4 0.5, E4 1, C4 1 | C4 1, G3 1, C4 2 | C4 1, G3 1, C4 2",
    ),
    Tune(
        "twinkle_twinkle",
        "Twinkle, Twinkle, Little Star",
        (4, 4),
        96,
        "C major",
        "C4 1, C4 1, G4 1, G4 1 | A4 1, A4 1, G4 2 | F4 1, F4 1, E4 1, E4 1 |"
        "D4 1, D4 1, C4 2 | G4 1, G4 1, F4 1, F4 1 | E4 1, E4 1, D4 2 |"
        "G4 1, G4 1, F4 1, F4 1 | E4 1, E4 1, D4 2",
    ),
    Tune(
        "au_clair_de_la_lune",
        "Au clair de la lune",
        (4, 4),
        90,
        "C major",
        "C4 1, C4 1, C4 1, D4 1 | E4 2, D4 2 | C4 1, E4 1, D4 1, D4 1 | C4 4 |"
        "C4 1, C4 1, C4 1, D4 1 | E4 2, D4 2 | C4 1, E4 1, D4 1, D4 1 | C4 4",
    ),
    Tune(
        "greensleeves",
        "Greensleeves",
        (3, 4),
        92,
        "A minor",
        # The opening pickup is left out so the first note falls on a downbeat; the last
        # A is held over the final two bars.
        "C5 2, D5 1 | E5 1.5, F5 0.5, E5 1 | D5 2, B4 1 | G4 1.5, A4 0.5, B4 1 |"
        "C5 1.5, B4 0.5, A4 1 | G#4 1.5, F#4 0.5, G#4 1 | A4 6 |",
    ),
    Tune(
        "amazing_grace",
        "Amazing Grace",
        (3, 4),
        80,
        "G major",
        # Starts on "-ma-" (the opening pickup is left out); "me" is held for two bars.
        "G4 2, B4 0.5, G4 0.5 | B4 2, A4 1 | G4 2, E4 1 | D4 2, D4 1 |"
        "G4 2, B4 0.5, G4 0.5 | B4 2, A4 1 | D5 6 |",
    ),
]


def pitch_number(name: str) -> int:
    """'C4' -> 60, 'F#4' -> 66, 'Bb3' -> 58 (scientific pitch notation, middle C = C4)."""
    letter, rest = name[0].upper(), name[1:]
    shift = 0
    while rest and rest[0] in "#b":
        shift += 1 if rest[0] == "#" else -1
        rest = rest[1:]
    return 12 * (int(rest) + 1) + PITCH_CLASSES[letter] + shift


def tune_notes(tune: Tune) -> list[Note]:
    """The tune's notes with start beats; fails if a bar does not add up to the meter.

    A bar ending in "|" with nothing after it continues a note held from the bar before.
    """
    bar_beats = Meter.of(tune.time_signature).bar_beats
    notes: list[Note] = []
    beat = 0.0
    bars = tune.notes.split("|")
    for bar_index, bar in enumerate(bars):
        bar_start, bar_end = bar_index * bar_beats, (bar_index + 1) * bar_beats
        items = [part.strip() for part in bar.split(",") if part.strip()]
        if not items:
            if beat < bar_end:
                raise ValueError(f"{tune.title}: bar {bar_name(bar_index)} is empty")
            continue
        if beat != bar_start:
            raise ValueError(f"{tune.title}: bar {bar_name(bar_index)} starts on beat {beat}")
        for item in items:
            name, length = item.split()
            if name != "r":
                notes.append(Note(pitch_number(name), beat, float(length), VELOCITY))
            beat += float(length)
        if beat < bar_end:
            raise ValueError(
                f"{tune.title}: bar {bar_name(bar_index)} is short ({beat} < {bar_end})"
            )
    if beat != len(bars) * bar_beats:
        raise ValueError(f"{tune.title}: {beat} beats do not fill {len(bars)} bars")
    return notes


def tune_arrangement(tune: Tune) -> Arrangement:
    melody = Track("melody", tune_notes(tune), program=0, channel=0)
    return Arrangement([melody], tempo_bpm=tune.tempo_bpm, time_signature=tune.time_signature)


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else REPO / "resources" / "melodies"
    out_dir.mkdir(parents=True, exist_ok=True)
    for tune in TUNES:
        arrangement = tune_arrangement(tune)
        path = out_dir / f"{tune.file_name}.mid"
        write_arrangement(arrangement, path)
        print(
            f"{path.name}: {tune.title}, {Meter.of(tune.time_signature)}, "
            f"{tune.key}, {arrangement.bar_count()} bars, {len(arrangement.tracks[0].notes)} notes"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
