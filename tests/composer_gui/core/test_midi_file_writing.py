"""Writing SMF type 1: pretty_midi, mido and music21 must all read back the same music."""

from __future__ import annotations

import os

import mido
import pretty_midi
import pytest
from music21 import converter

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import MeterError, MidiFileError
from composer_gui.core.midi_file import TICKS_PER_BEAT, read_arrangement
from composer_gui.core.midi_writer import arrangement_to_midi, write_arrangement

NoteTuple = tuple[int, float, float]  # (pitch, onset beat, duration in beats)


# --- three independent readers, each giving {track name: (program, is_drum, notes)} ------


def read_with_mido(path) -> dict[str, tuple[int, bool, list[NoteTuple]]]:
    """A plain note-on/note-off pairing over the raw messages."""
    midi = mido.MidiFile(path)
    parts = {}
    for midi_track in midi.tracks:
        name, program, channel, tick, notes, sounding = None, 0, None, 0, [], {}
        for message in midi_track:
            tick += message.time
            if message.type == "track_name":
                name = message.name
            elif message.type == "program_change":
                program, channel = message.program, message.channel
            elif message.type == "note_on" and message.velocity > 0:
                sounding[message.note] = tick
            elif message.type in ("note_on", "note_off"):
                start = sounding.pop(message.note)
                notes.append(
                    (
                        message.note,
                        start / midi.ticks_per_beat,
                        (tick - start) / midi.ticks_per_beat,
                    )
                )
        if notes:
            parts[name] = (program, channel == 9, sorted(notes))
    return parts


def read_with_pretty_midi(path) -> dict[str, tuple[int, bool, list[NoteTuple]]]:
    midi = pretty_midi.PrettyMIDI(str(path))
    beat = midi.resolution

    def ticks(seconds: float) -> int:
        return midi.time_to_tick(seconds)

    parts = {}
    for instrument in midi.instruments:
        notes = [
            (note.pitch, ticks(note.start) / beat, (ticks(note.end) - ticks(note.start)) / beat)
            for note in instrument.notes
        ]
        parts[instrument.name] = (instrument.program, instrument.is_drum, sorted(notes))
    return parts


def read_with_music21(path) -> dict[str, tuple[int, bool, list[NoteTuple]]]:
    score = converter.parse(str(path), quantizePost=False)
    parts = {}
    for part in score.parts:
        # music21 may add an instrument guessed from the track name before the one the
        # program change makes; the program change's comes last.
        instruments = list(part.recurse().getElementsByClass("Instrument"))
        program = instruments[-1].midiProgram
        is_drum = instruments[-1].midiChannel == 9
        notes = []
        for element in part.stripTies().flatten().notes:
            if is_drum:
                pitches = [element.storedInstrument.percMapPitch]
            else:
                pitches = [pitch.midi for pitch in element.pitches]
            for pitch in pitches:
                notes.append((pitch, float(element.offset), float(element.quarterLength)))
        parts[part.partName] = (program, is_drum, sorted(notes))
    return parts


def rounded(notes: list[NoteTuple]) -> list[NoteTuple]:
    """Beats to 1e-6, so 1/3 read as a float and as a music21 fraction compare equal."""
    return [(pitch, round(onset, 6), round(duration, 6)) for pitch, onset, duration in notes]


READERS = [read_with_mido, read_with_pretty_midi, read_with_music21]


def expected_parts(arrangement: Arrangement) -> dict[str, tuple[int, bool, list[NoteTuple]]]:
    return {
        track.name: (
            track.program,
            track.is_drum,
            sorted((n.pitch, n.start_beat, n.duration_beats) for n in track.notes),
        )
        for track in arrangement.tracks
    }


def assert_parts_equal(read, expected) -> None:
    assert list(read) == list(expected)  # same names, same order: melody first
    for name in expected:
        program, is_drum, notes = read[name]
        assert (program, is_drum) == expected[name][:2], name
        assert rounded(notes) == rounded(expected[name][2]), name


# A small arrangement that exercises what readers tend to disagree on: notes tied over
# barlines (music21 splits them into measures), triplets, repeated and restruck notes,
# pitches outside the model range, a tempo change and a drum part.
SONG = Arrangement(
    tracks=[
        Track(
            "Melody",
            [
                Note(72, 0.75, 0.25, 100),  # pickup sixteenth
                Note(72, 1.0, 0.5, 90),  # the same pitch again, touching
                Note(74, 1.5, 1 / 3, 80),
                Note(76, 1.5 + 1 / 3, 1 / 3, 70),
                Note(77, 1.5 + 2 / 3, 1 / 3, 60),
                Note(79, 2.5, 2.5),  # across the barline at beat 3
                Note(20, 5.0, 1.0),  # below the model range
                Note(110, 6.0, 2.0),  # above it
            ],
            program=73,
        ),
        Track("Alto", [Note(64, 0.0, 2.0), Note(65, 2.0, 4.0)], program=0),
        Track("Tenor", [Note(55, 0.0, 8.0)], program=32),
        Track("Drums", [Note(36, 0.0, 0.5), Note(38, 1.0, 0.5), Note(42, 1.5, 0.25)], is_drum=True),
    ],
    tempo_bpm=90.0,
    time_signature=(3, 4),
    tempo_changes=[(3.0, 120.0), (6.0, 75.0)],
)


@pytest.mark.parametrize("reader", READERS, ids=lambda reader: reader.__name__)
def test_every_reader_reads_back_what_was_written(tmp_path, reader):
    path = tmp_path / "song.mid"
    write_arrangement(SONG, path)
    assert_parts_equal(reader(path), expected_parts(SONG))


@pytest.mark.parametrize("reader", READERS, ids=lambda reader: reader.__name__)
def test_a_chorale_survives_read_write_read_for_every_reader(tmp_path, corpus_midi, reader):
    piece = corpus_midi["bwv66.6"]
    arrangement = read_arrangement(piece.path)
    path = tmp_path / "chorale.mid"
    write_arrangement(arrangement, path)
    parts = reader(path)
    assert list(parts) == piece.part_names
    for (_, _, notes), music21s in zip(parts.values(), piece.parts, strict=True):
        assert rounded(notes) == rounded(music21s)


def test_our_own_reader_gets_the_arrangement_back(tmp_path):
    path = tmp_path / "song.mid"
    write_arrangement(SONG, path)
    again = read_arrangement(path)
    assert [track.name for track in again.tracks] == ["Melody", "Alto", "Tenor", "Drums"]
    for track, written in zip(again.tracks, SONG.tracks, strict=True):
        assert [(n.pitch, n.velocity) for n in track.notes] == [
            (n.pitch, n.velocity) for n in written.notes
        ]
        for got, want in zip(track.notes, written.notes, strict=True):
            assert got.start_beat == pytest.approx(want.start_beat, abs=1 / TICKS_PER_BEAT)
            assert got.end_beat == pytest.approx(want.end_beat, abs=1 / TICKS_PER_BEAT)
    assert again.time_signature == (3, 4)
    # Tempi go through whole microseconds per beat, so they come back to within 1e-4 bpm.
    assert again.tempo_bpm == pytest.approx(90.0, abs=1e-4)
    assert again.tempo_changes == [
        (3.0, pytest.approx(120.0, abs=1e-4)),
        (6.0, pytest.approx(75.0, abs=1e-4)),
    ]


def test_file_layout_is_conductor_then_one_channel_per_part_melody_first():
    midi = arrangement_to_midi(SONG)
    assert midi.type == 1
    conductor, *parts = midi.tracks
    assert not [m for m in conductor if not m.is_meta]
    kinds = [m.type for m in conductor]
    assert kinds.count("set_tempo") == 3 and kinds.count("time_signature") == 1
    names = [next(m.name for m in track if m.type == "track_name") for track in parts]
    assert names == ["Melody", "Alto", "Tenor", "Drums"]
    channels = [{m.channel for m in track if not m.is_meta} for track in parts]
    # Every part here asked for channel 0: each gets its own, drums on channel 10.
    assert channels == [{0}, {1}, {2}, {9}]
    programs = [[m.program for m in track if m.type == "program_change"] for track in parts]
    assert programs == [[73], [0], [32], [0]]


def test_overlapping_notes_of_one_pitch_are_cut_where_the_next_starts(tmp_path):
    overlapping = Arrangement(
        tracks=[Track("Lead", [Note(60, 0.0, 2.0), Note(60, 1.0, 2.0), Note(60, 1.0, 0.5)])]
    )
    path = tmp_path / "overlap.mid"
    write_arrangement(overlapping, path)
    for reader in READERS:
        _, _, notes = reader(path)["Lead"]
        # The two notes starting together collapse into the later-listed one.
        assert notes == [(60, 0.0, 1.0), (60, 1.0, 0.5)], reader.__name__


def test_written_file_replaces_the_old_one_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "take.mid"
    path.write_bytes(b"old contents")
    write_arrangement(SONG, path)
    assert mido.MidiFile(path).type == 1
    assert os.listdir(tmp_path) == ["take.mid"]


def test_a_failing_write_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    path = tmp_path / "take.mid"
    path.write_bytes(b"old contents")

    def save_half_then_fail(self, filename=None, file=None):
        file.write(b"MThd\x00\x00")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mido.MidiFile, "save", save_half_then_fail)
    with pytest.raises(MidiFileError, match=r"take\.mid could not be saved .*no space left"):
        write_arrangement(SONG, path)
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["take.mid"]


def test_a_failing_write_of_a_new_file_leaves_nothing(tmp_path, monkeypatch):
    def fail(self, filename=None, file=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mido.MidiFile, "save", fail)
    with pytest.raises(MidiFileError):
        write_arrangement(SONG, tmp_path / "new.mid")
    assert os.listdir(tmp_path) == []


def test_saving_into_a_missing_folder_names_the_target(tmp_path):
    target = tmp_path / "no such folder" / "song.mid"
    with pytest.raises(MidiFileError, match="song.mid could not be saved in .*no such folder"):
        write_arrangement(SONG, target)


def test_saving_over_a_folder_is_refused(tmp_path):
    (tmp_path / "song.mid").mkdir()
    with pytest.raises(MidiFileError, match="is a folder"):
        write_arrangement(SONG, tmp_path / "song.mid")


def test_a_meter_midi_cannot_hold_is_refused_before_writing(tmp_path):
    odd = Arrangement(tracks=[Track("Lead", [Note(60, 0.0, 1.0)])], time_signature=(4, 5))
    with pytest.raises(MeterError, match="4/5"):
        write_arrangement(odd, tmp_path / "odd.mid")
    assert os.listdir(tmp_path) == []


def test_meter_changes_are_written_and_read_back(tmp_path):
    """Every time signature is kept, with the meter's beat as the metronome pulse."""
    import mido

    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_file import read_arrangement
    from composer_gui.core.midi_writer import write_arrangement

    song = Arrangement(
        [Track("melody", [Note(60, 0.0, 1.0), Note(62, 3.0, 1.5), Note(64, 6.0, 1.0)])],
        time_signature=(3, 4),
        meter_changes=[(3.0, (6, 8)), (6.0, (2, 4))],
    )
    path = tmp_path / "changes.mid"
    write_arrangement(song, path)
    back = read_arrangement(path)
    assert back.time_signature == (3, 4)
    assert back.meter_changes == [(3.0, (6, 8)), (6.0, (2, 4))]
    clicks = [
        m.clocks_per_click
        for t in mido.MidiFile(path).tracks
        for m in t
        if m.type == "time_signature"
    ]
    assert clicks == [24, 36, 24]  # quarter, dotted quarter, quarter
