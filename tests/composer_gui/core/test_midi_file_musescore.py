"""MuseScore reads our files as we wrote them: it imports the MIDI file as notation and
exports MusicXML, which music21 turns back into notes, part names and programs.

MuseScore reads MIDI as notation, quantized to its own grid, so the material here sits on
the app's 16th-note grid (as everything the generator writes does). Drum parts are left
out: MuseScore notates them as unpitched notes whose MIDI pitch MusicXML does not keep.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from music21 import converter

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.midi_writer import write_arrangement
from tests.support.real_parts import require

MUSESCORE = shutil.which("mscore3") or shutil.which("musescore3") or shutil.which("mscore")


def musescore_reads(midi_path, tmp_path) -> dict[str, tuple[int, list[tuple]]]:
    """{our track name: (program, sorted notes)} as MuseScore imported the file."""
    require(MUSESCORE is not None, "MuseScore 3 (mscore3, Debian package musescore3)")
    xml_path = tmp_path / "musescore.musicxml"
    environment = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path),
    )
    done = subprocess.run(
        [MUSESCORE, "-o", str(xml_path), str(midi_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    parts = {}
    for part in converter.parse(str(xml_path)).parts:
        # MuseScore names a part "<its instrument>, <track name>".
        track_name = part.partName.split(", ", 1)[-1]
        program = part.getInstrument().midiProgram
        notes = [
            (pitch.midi, round(float(element.offset), 6), round(float(element.quarterLength), 6))
            for element in part.stripTies().flatten().notes
            for pitch in element.pitches
        ]
        parts[track_name] = (program, sorted(notes))
    return parts


def grid_notes(notes: list[Note]) -> list[tuple]:
    return sorted((n.pitch, round(n.start_beat, 6), round(n.duration_beats, 6)) for n in notes)


def test_musescore_reads_parts_programs_and_notes_as_written(tmp_path):
    song = Arrangement(
        tracks=[
            Track(
                "Melody",
                [
                    Note(72, 0.75, 0.25),  # a sixteenth pickup
                    Note(72, 1.0, 0.5),  # the same pitch again, touching
                    Note(74, 1.5, 0.25),
                    Note(76, 1.75, 0.75),
                    Note(79, 2.5, 2.5),  # tied over the barline
                    Note(67, 5.0, 1.0),
                ],
                program=73,
            ),
            Track("Alto", [Note(64, 0.0, 2.0), Note(65, 2.0, 4.0)], program=0),
            Track("Bass", [Note(43, 0.0, 3.0), Note(41, 3.0, 3.0)], program=32),
        ],
        tempo_bpm=90.0,
        time_signature=(3, 4),
    )
    path = tmp_path / "song.mid"
    write_arrangement(song, path)
    parts = musescore_reads(path, tmp_path)
    assert list(parts) == ["Melody", "Alto", "Bass"]
    for track in song.tracks:
        program, notes = parts[track.name]
        assert program == track.program, track.name
        assert notes == grid_notes(track.notes), track.name


def test_musescore_reads_a_written_chorale_as_music21_has_it(tmp_path, corpus_midi):
    piece = corpus_midi["bwv66.6"]
    path = tmp_path / "chorale.mid"
    write_arrangement(read_arrangement(piece.path), path)
    parts = musescore_reads(path, tmp_path)
    assert list(parts) == piece.part_names
    for (_, notes), music21s in zip(parts.values(), piece.parts, strict=True):
        assert notes == sorted((p, round(o, 6), round(d, 6)) for p, o, d in music21s)
