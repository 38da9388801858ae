"""Fixtures: real MIDI files from the music21 corpus and generated edge cases.

``corpus_midi`` exports Bach chorales and folk tunes that ship with music21 to MIDI (with
music21's own writer, so no one here wrote the files) and keeps music21's note lists to
compare against. ``bad_midi_files`` holds every kind of broken input a user can pick.
``write_midi`` builds small files from absolute-tick events for the edge-case tests.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import mido
import pytest

# (name used in tests, music21 corpus path, tune number inside an ABC collection)
CORPUS_PIECES = [
    ("bwv66.6", "bach/bwv66.6", None),  # 4/4 with a one-beat pickup
    ("bwv269", "bach/bwv269", None),  # 3/4
    ("bwv1.6", "bach/bwv1.6", None),  # a horn part before the four voices
    ("han1-5", "essenFolksong/han1", 5),  # 2/4, sixteenths
    ("kinder0-4", "essenFolksong/kinder0", 4),  # 2/4 children's song
    ("battle-the-cash", "ryansMammoth/BattleTheCashJig.abc", None),  # 6/8 jig with a pickup
    ("andrew-carey", "ryansMammoth/AndrewCareysSlipjig.abc", None),  # 9/8 slip jig
    ("suse-lewe-suse", "essenFolksong/kinder0", 15),  # 3/4 children's song
]

NoteTuple = tuple[int, float, float]  # (MIDI pitch, onset in beats, duration in beats)


@dataclass(frozen=True)
class CorpusPiece:
    """A corpus piece exported to MIDI, with what music21 itself says its notes are."""

    name: str
    path: Path
    part_names: list[str | None]  # None: the tune has no part name, so the file has none
    parts: list[list[NoteTuple]]  # per part, sorted by (onset, pitch)
    time_signature: tuple[int, int]


def music21_notes(part) -> list[NoteTuple]:
    """A music21 part's sounding notes: ties joined, grace notes (no duration) left out."""
    notes: list[NoteTuple] = []
    for element in part.stripTies().flatten().notes:
        duration = float(element.quarterLength)
        if duration <= 0:
            continue
        for pitch in element.pitches:
            notes.append((pitch.midi, float(element.offset), duration))
    return sorted(notes)


def music21_midi_notes(score) -> list[list[NoteTuple]]:
    """Each part's notes as music21's own MIDI writer plays them (``midi.translate``), read
    back by mido: sounding pitches, onsets and lengths in quarter notes, per part with
    notes, sorted. An independent witness for ``score_file.part_notes``: music21 joins the
    ties, places the triplets and transposes for sounding pitch its own way. Repeats are
    made plain bar lines first (music21's writer plays them out; Composer reads them as
    written), grace notes are taken out (music21 writes them with a length stolen from
    the next note; Composer leaves them out), and a tie between two pitches is taken off
    (O'Neill's writes slurs as "G3-A"; music21 would lengthen the G by the A and drop the
    A; Composer plays both, as written). The score is changed in place."""
    import copy
    import io

    from music21 import bar, midi, spanner

    for measure in score.recurse().getElementsByClass("Measure"):
        if measure.timeSignature is not None:  # music21's ABC reader shares one between
            measure.timeSignature = copy.deepcopy(measure.timeSignature)  # two measures
        for side in ("leftBarline", "rightBarline"):
            if isinstance(getattr(measure, side), bar.Repeat):
                setattr(measure, side, bar.Barline("regular"))
    for grace in [n for n in score.recurse().notes if n.duration.isGrace]:
        grace.activeSite.remove(grace)
    for part in getattr(score, "parts", None) or [score]:
        notes = list(part.recurse().getElementsByClass("Note"))
        for note, following in zip(notes, notes[1:] + [None]):
            goes_on = note.tie is not None and note.tie.type in ("start", "continue")
            if goes_on and (following is None or following.pitch.midi != note.pitch.midi):
                note.tie = None  # a tie to another pitch (O'Neill's "G3-A"): a slur
                if following is not None and following.tie is not None:
                    following.tie = None
    for bracket in list(score.recurse().getElementsByClass(spanner.RepeatBracket)):
        for site in list(bracket.sites.get()):
            if hasattr(site, "remove"):
                site.remove(bracket)
    data = midi.translate.streamToMidiFile(score).writestr()
    midi_file = mido.MidiFile(file=io.BytesIO(data))
    parts = []
    for track in midi_file.tracks:
        tick, sounding, notes = 0, {}, []
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity:
                sounding.setdefault((message.channel, message.note), []).append(tick)
            elif message.type in ("note_on", "note_off"):
                starts = sounding.get((message.channel, message.note))
                if starts:
                    start = starts.pop(0)
                    beats = midi_file.ticks_per_beat
                    notes.append((message.note, start / beats, (tick - start) / beats))
        if notes:
            parts.append(sorted(notes))
    return parts


def load_corpus_score(corpus_path: str, number: int | None):
    from music21 import corpus

    if number is None:
        return corpus.parse(corpus_path)
    return corpus.parse(corpus_path, number=number)


class CorpusMidi:
    """The pieces of CORPUS_PIECES by name, each exported the first time a test asks for it
    (music21 takes a good fraction of a second per chorale, so no test waits for all)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.sources = {name: (path, number) for name, path, number in CORPUS_PIECES}
        self.pieces: dict[str, CorpusPiece] = {}

    def __getitem__(self, name: str) -> CorpusPiece:
        if name not in self.pieces:
            self.pieces[name] = self.export(name)
        return self.pieces[name]

    def export(self, name: str) -> CorpusPiece:
        score = load_corpus_score(*self.sources[name])
        path = self.folder / f"{name}.mid"
        score.write("midi", fp=str(path))
        # music21's MIDI writer plays repeats out, so its note list must too.
        sounding = score.expandRepeats()
        signatures = score.recurse().getElementsByClass("TimeSignature")
        first = signatures[0] if signatures else None
        return CorpusPiece(
            name=name,
            path=path,
            part_names=[part.partName for part in sounding.parts],
            parts=[music21_notes(part) for part in sounding.parts],
            time_signature=(first.numerator, first.denominator) if first else (4, 4),
        )


@pytest.fixture(scope="session")
def corpus_midi(tmp_path_factory) -> CorpusMidi:
    """Corpus pieces written to MIDI by music21: ``corpus_midi["bwv66.6"]``."""
    return CorpusMidi(tmp_path_factory.mktemp("corpus_midi"))


def note_events(
    channel: int, pitch: int, start_tick: int, end_tick: int, velocity: int = 80
) -> list[tuple[int, mido.Message]]:
    """A note-on and its note-off at absolute ticks."""
    return [
        (start_tick, mido.Message("note_on", channel=channel, note=pitch, velocity=velocity)),
        (end_tick, mido.Message("note_off", channel=channel, note=pitch, velocity=0)),
    ]


def write_midi(
    path: Path,
    tracks: list[list[tuple[int, mido.Message | mido.MetaMessage]]],
    ticks_per_beat: int = 480,
    midi_type: int = 1,
) -> Path:
    """Write a file from tracks of (absolute tick, message); events keep their list order
    within one tick."""
    midi = mido.MidiFile(type=midi_type, ticks_per_beat=ticks_per_beat)
    for events in tracks:
        midi_track = mido.MidiTrack()
        last_tick = 0
        for tick, message in sorted(events, key=lambda event: event[0]):
            midi_track.append(message.copy(time=tick - last_tick))
            last_tick = tick
        midi.tracks.append(midi_track)
    midi.save(path)
    return path


# Which exception each bad input raises: (case, exception class name).
BAD_INPUT_CASES = [
    ("garbage", "MidiFileError"),
    ("truncated", "MidiFileError"),
    ("damaged", "MidiFileError"),
    ("empty", "MidiFileError"),
    ("no_tracks", "MidiFileError"),
    ("drum_only", "NoMelodyError"),
    ("no_notes", "NoMelodyError"),
    ("directory", "MidiFileError"),
    ("missing", "MidiFileError"),
]


@pytest.fixture(scope="session")
def bad_midi_files(tmp_path_factory) -> dict[str, Path]:
    """One path per case in BAD_INPUT_CASES."""
    folder = tmp_path_factory.mktemp("bad_midi")
    files: dict[str, Path] = {}

    files["garbage"] = folder / "garbage.mid"
    files["garbage"].write_bytes(bytes(range(256)) * 4)

    melody = [(0, mido.MetaMessage("track_name", name="Tune"))]
    for index in range(32):
        melody += note_events(0, 60 + index % 12, index * 480, index * 480 + 480)
    whole = write_midi(folder / "whole.mid", [melody])
    files["truncated"] = folder / "truncated.mid"
    files["truncated"].write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])

    # A sound header, then a track whose first event has an undefined status byte.
    header = b"MThd" + struct.pack(">IHHH", 6, 1, 1, 480)
    track = b"\x00\xf4\x00\x00"
    files["damaged"] = folder / "damaged.mid"
    files["damaged"].write_bytes(header + b"MTrk" + struct.pack(">I", len(track)) + track)

    files["empty"] = folder / "empty.mid"
    files["empty"].write_bytes(b"")

    files["no_tracks"] = write_midi(folder / "no_tracks.mid", [])

    drums = [(0, mido.MetaMessage("track_name", name="Drums"))]
    for index in range(8):
        drums += note_events(9, 36 + index % 3, index * 240, index * 240 + 120)
    files["drum_only"] = write_midi(folder / "drum_only.mid", [drums])

    conductor = [
        (0, mido.MetaMessage("set_tempo", tempo=500000)),
        (0, mido.MetaMessage("time_signature", numerator=4, denominator=4)),
        (1920, mido.MetaMessage("end_of_track")),
    ]
    files["no_notes"] = write_midi(folder / "no_notes.mid", [conductor])

    files["directory"] = folder / "a_folder.mid"
    files["directory"].mkdir()

    files["missing"] = folder / "not_there.mid"
    return files


def accompany_file(source, result, timeout: float = 300) -> None:
    """``composer-gui accompany SOURCE -o RESULT`` as a musician runs it (its own process,
    2 candidates, seed 0, CPU); fails the test with the command's own message."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "composer_gui.cli", "accompany", str(source), "-o",
         str(result), "--candidates", "2", "--seed", "0", "--device", "cpu"],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
