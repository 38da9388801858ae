"""Reading real MIDI files: music21 corpus exports and edge cases built with mido."""

from __future__ import annotations

import mido
import pytest

from composer_gui.core.arrangement import Note
from composer_gui.core.errors import MidiFileError, NoMelodyError
from composer_gui.core.midi_file import read_arrangement, read_melody
from models.pianoroll import HIGHEST_PITCH, LOWEST_PITCH
from tests.support.music_files import CORPUS_PIECES, note_events, write_midi


def as_tuples(notes: list[Note]) -> list[tuple[int, float, float]]:
    return sorted((note.pitch, note.start_beat, note.duration_beats) for note in notes)


def assert_same_notes(ours: list[Note], music21s: list[tuple[int, float, float]]) -> None:
    assert len(ours) == len(music21s)
    for (pitch, onset, duration), (pitch21, onset21, duration21) in zip(
        as_tuples(ours), music21s, strict=True
    ):
        assert pitch == pitch21
        assert onset == pytest.approx(onset21, abs=1e-6)
        assert duration == pytest.approx(duration21, abs=1e-6)


# --- music21 corpus: files no one here wrote ---------------------------------------------


@pytest.mark.parametrize("name", [name for name, _, _ in CORPUS_PIECES])
def test_every_part_reads_as_music21_wrote_it(corpus_midi, name):
    piece = corpus_midi[name]
    arrangement = read_arrangement(piece.path)
    assert len(arrangement.tracks) == len(piece.parts)
    for index, (track, part_name) in enumerate(
        zip(arrangement.tracks, piece.part_names, strict=True)
    ):
        # A part music21 leaves unnamed gets a name from its place in the file, after
        # the tempo-map track.
        assert track.name == (part_name or f"Track {index + 2}")
    for track, expected in zip(arrangement.tracks, piece.parts, strict=True):
        assert_same_notes(track.notes, expected)
    assert arrangement.time_signature == piece.time_signature


@pytest.mark.parametrize("name", ["bwv66.6", "bwv269", "han1-5", "battle-the-cash"])
def test_melody_is_the_first_part_with_notes(corpus_midi, name):
    piece = corpus_midi[name]
    melody = read_melody(piece.path)
    assert len(melody.tracks) == 1
    assert melody.melody().name == (piece.part_names[0] or "Track 2")  # track 1 is the tempo map
    assert_same_notes(melody.melody().notes, piece.parts[0])


def test_a_chosen_track_becomes_the_melody(corpus_midi):
    piece = corpus_midi["bwv1.6"]  # Horn 2 comes first; the soprano is track 1
    melody = read_melody(piece.path, track=1)
    assert melody.melody().name == "Soprano"
    assert_same_notes(melody.melody().notes, piece.parts[1])


def test_a_track_number_out_of_range_names_the_valid_ones(corpus_midi):
    with pytest.raises(MidiFileError, match=r"numbered 0 to 3") as caught:
        read_melody(corpus_midi["bwv66.6"].path, track=4)
    assert "track 4" in str(caught.value)
    with pytest.raises(MidiFileError, match=r"numbered 0 to 3"):
        read_melody(corpus_midi["bwv66.6"].path, track=-1)


def test_chorale_tempo_and_pickup_are_kept(corpus_midi):
    arrangement = read_arrangement(corpus_midi["bwv66.6"].path)
    assert arrangement.tempo_bpm == pytest.approx(mido.tempo2bpm(625000))
    assert arrangement.tempo_changes == []
    # The one-beat pickup plus eight full bars: music21 starts the pickup at beat 0.
    assert arrangement.melody().notes[0].start_beat == 0.0
    assert arrangement.length_beats() == pytest.approx(36.0)
    assert arrangement.bar_count() == 9


# --- edge cases built with mido -----------------------------------------------------------


def meta(tick, kind, **fields):
    return (tick, mido.MetaMessage(kind, **fields))


def test_tempo_changes_do_not_move_beats(tmp_path):
    conductor = [
        meta(0, "set_tempo", tempo=mido.bpm2tempo(100)),
        meta(0, "time_signature", numerator=4, denominator=4),
        meta(960, "set_tempo", tempo=mido.bpm2tempo(140)),
        meta(1920, "set_tempo", tempo=mido.bpm2tempo(140)),  # repeats the tempo in force
        meta(2880, "set_tempo", tempo=mido.bpm2tempo(60)),
    ]
    melody = []
    for beat in range(8):
        melody += note_events(0, 60 + beat, beat * 480, beat * 480 + 240)
    path = write_midi(tmp_path / "tempos.mid", [conductor, melody])

    arrangement = read_melody(path)
    assert arrangement.tempo_bpm == pytest.approx(100)
    assert arrangement.tempo_changes == [(2.0, pytest.approx(140)), (6.0, pytest.approx(60))]
    assert [note.start_beat for note in arrangement.melody().notes] == list(range(8))
    assert all(note.duration_beats == 0.5 for note in arrangement.melody().notes)
    # Seconds follow the tempo map: 2 beats at 100, 4 at 140, then 60 bpm.
    assert arrangement.seconds_at(7.0) == pytest.approx(2 * 0.6 + 4 * 60 / 140 + 1.0)


def test_first_tempo_after_beat_zero_starts_from_the_default(tmp_path):
    conductor = [meta(480, "set_tempo", tempo=mido.bpm2tempo(90))]
    path = write_midi(tmp_path / "late_tempo.mid", [conductor, note_events(0, 60, 0, 960)])
    arrangement = read_arrangement(path)
    assert arrangement.tempo_bpm == 120.0
    assert arrangement.tempo_changes == [(1.0, pytest.approx(90))]


def test_first_time_signature_is_kept_when_the_meter_changes(tmp_path):
    conductor = [
        meta(0, "time_signature", numerator=3, denominator=4),
        meta(3 * 480 * 2, "time_signature", numerator=6, denominator=8),
    ]
    melody = []
    for beat in range(12):
        melody += note_events(0, 67, beat * 480, beat * 480 + 480)
    path = write_midi(tmp_path / "meters.mid", [conductor, melody])
    arrangement = read_melody(path)
    assert arrangement.time_signature == (3, 4)
    assert arrangement.steps_per_bar() == 12
    # Twelve quarter notes of one pitch stay twelve notes.
    assert len(arrangement.melody().notes) == 12


def test_six_eight_bars_are_three_beats_long(tmp_path):
    conductor = [meta(0, "time_signature", numerator=6, denominator=8)]
    path = write_midi(tmp_path / "jig.mid", [conductor, note_events(0, 64, 0, 480 * 7)])
    arrangement = read_melody(path)
    assert arrangement.time_signature == (6, 8)
    assert arrangement.beats_per_bar() == 3.0
    assert arrangement.bar_count() == 3


def test_pickup_and_leading_silence_keep_their_beats(tmp_path):
    # A DAW-style pickup: the tune starts on beat 4 of an otherwise empty first bar,
    # after a bar of silence before that.
    melody = [meta(0, "track_name", name="Pickup")]
    melody += note_events(0, 67, 480 * 7, 480 * 8)
    melody += note_events(0, 72, 480 * 8, 480 * 10)
    arrangement = read_melody(write_midi(tmp_path / "pickup.mid", [melody]))
    assert [(note.start_beat, note.duration_beats) for note in arrangement.melody().notes] == [
        (7.0, 1.0),
        (8.0, 2.0),
    ]
    assert arrangement.length_beats() == 10.0
    assert arrangement.bar_count() == 3


def test_a_new_note_on_ends_the_sounding_note_of_that_pitch(tmp_path):
    events = [
        (0, mido.Message("note_on", note=60, velocity=90)),
        (480, mido.Message("note_on", note=60, velocity=70)),  # restruck while sounding
        (720, mido.Message("note_off", note=60)),
        (960, mido.Message("note_off", note=60)),  # a stray second note-off is ignored
        (960, mido.Message("note_on", note=62, velocity=80)),
        (1200, mido.Message("note_on", note=62, velocity=0)),  # velocity 0 is a note-off
        (1440, mido.Message("note_on", note=64, velocity=80)),  # never released
        (1920, mido.MetaMessage("end_of_track")),
    ]
    arrangement = read_melody(write_midi(tmp_path / "overlap.mid", [events]))
    assert arrangement.melody().notes == [
        Note(60, 0.0, 1.0, 90),
        Note(60, 1.0, 0.5, 70),
        Note(62, 2.0, 0.5, 80),
        Note(64, 3.0, 1.0, 80),
    ]


def test_notes_outside_the_model_range_are_kept(tmp_path):
    low, high = LOWEST_PITCH - 10, HIGHEST_PITCH + 20
    events = note_events(0, low, 0, 480) + note_events(0, high, 480, 960)
    arrangement = read_melody(write_midi(tmp_path / "range.mid", [events]))
    assert [note.pitch for note in arrangement.melody().notes] == [low, high]


def test_drum_track_first_is_skipped_for_the_melody(tmp_path):
    drums = [meta(0, "track_name", name="Kit"), (0, mido.Message("program_change", channel=9))]
    drums += note_events(9, 36, 0, 120) + note_events(9, 38, 480, 600)
    lead = [
        meta(0, "track_name", name="Lead"),
        (0, mido.Message("program_change", channel=2, program=73)),
    ]
    lead += note_events(2, 72, 0, 960)
    path = write_midi(tmp_path / "drums_first.mid", [drums, lead])

    arrangement = read_arrangement(path)
    assert [(t.name, t.is_drum, t.channel) for t in arrangement.tracks] == [
        ("Kit", True, 9),
        ("Lead", False, 2),
    ]
    melody = read_melody(path)
    assert melody.melody().name == "Lead"
    assert melody.melody().program == 73
    assert melody.melody().channel == 0  # the melody always goes out on the first channel
    with pytest.raises(NoMelodyError, match="drum track"):
        read_melody(path, track=0)


def test_type_0_file_splits_into_one_part_per_channel(tmp_path):
    events = [
        meta(0, "track_name", name="Song"),
        meta(0, "set_tempo", tempo=mido.bpm2tempo(84)),
        meta(0, "time_signature", numerator=2, denominator=4),
        (0, mido.Message("program_change", channel=0, program=40)),
        (0, mido.Message("program_change", channel=1, program=32)),
    ]
    events += note_events(0, 76, 0, 240) + note_events(1, 40, 0, 960) + note_events(0, 74, 240, 480)
    path = write_midi(tmp_path / "type0.mid", [events], midi_type=0)
    assert mido.MidiFile(path).type == 0

    arrangement = read_arrangement(path)
    assert [(t.name, t.program, t.channel) for t in arrangement.tracks] == [
        ("Song ch1", 40, 0),
        ("Song ch2", 32, 1),
    ]
    assert arrangement.tempo_bpm == pytest.approx(84)
    assert arrangement.time_signature == (2, 4)
    assert [note.pitch for note in read_melody(path).melody().notes] == [76, 74]


def test_program_is_the_one_in_force_at_the_first_note(tmp_path):
    events = [
        (0, mido.Message("program_change", program=5)),
        (0, mido.Message("program_change", program=19)),
        *note_events(0, 60, 0, 480),
        (480, mido.Message("program_change", program=30)),  # a later change mid-piece
        *note_events(0, 62, 480, 960),
    ]
    arrangement = read_melody(write_midi(tmp_path / "programs.mid", [events]))
    assert arrangement.melody().program == 19


def test_a_restated_signature_is_kept_and_restarts_the_bar_where_it_stands(tmp_path):
    # What music21 writes for an Essen tune whose second section starts on an upbeat
    # (essenFolksong/kinder0 #142): 3/4 at 0, 3/4 again at beat 19.5, inside a bar. Dropped,
    # it moved every later barline and the accompanied file lost it (issue 16).
    from composer_gui.core.midi_writer import write_arrangement

    conductor = [
        meta(0, "time_signature", numerator=3, denominator=4),
        meta(0, "time_signature", numerator=3, denominator=4),  # a duplicate at one tick
        meta(int(19.5 * 480), "time_signature", numerator=3, denominator=4),
        meta(int(24 * 480), "time_signature", numerator=3, denominator=4),  # on a barline
    ]
    melody = []
    for beat in range(30):
        melody += note_events(0, 67, beat * 480, beat * 480 + 480)
    path = write_midi(tmp_path / "restated.mid", [conductor, melody])
    arrangement = read_melody(path)
    assert arrangement.time_signature == (3, 4)
    assert arrangement.meter_changes == [(19.5, (3, 4)), (24.0, (3, 4))]
    assert arrangement.bar_starts() == [0, 3, 6, 9, 12, 15, 18, 19.5, 22.5, 24, 27]

    write_arrangement(arrangement, tmp_path / "back.mid")
    written = mido.MidiFile(tmp_path / "back.mid")
    ticks = []
    for track in written.tracks:
        tick = 0
        for message in track:
            tick += message.time
            if message.type == "time_signature":
                ticks.append(
                    (tick / written.ticks_per_beat, message.numerator, message.denominator)
                )
    assert ticks == [(0, 3, 4), (19.5, 3, 4), (24, 3, 4)]
