"""The document's faults left by session 15 (docs/app.md, "Session 16"), one test each;
each failed before its mend."""

from __future__ import annotations

from dataclasses import replace

from composer_gui.core.arrangement import Note, Track
from composer_gui.core.autosave import Autosave
from composer_gui.core.document import Document, NewTune
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.core.project import load_project
from composer_gui.core.tune import sorted_notes
from tests.support.crash import as_if_crashed


def test_a_recovered_opened_tune_is_not_a_new_melody(corpus_midi, tmp_path):
    """A recovered autosave of an opened tune lost where its melody came from, so it
    counted as a new melody and its tempo, bars and meter edits became the record
    settings of the next New (and of the next start)."""
    chorale = corpus_midi["bwv66.6"]
    doc = Document()
    doc.open_midi(chorale.path)
    assert not doc.is_new_melody
    doc.set_tempo(150.0)
    autosaver = Autosave(tmp_path / "data")
    assert autosaver.write(doc)
    # the app crashed; the next start restores the copy
    as_if_crashed(autosaver)
    recovered = Document()
    recovered.restore(Autosave(tmp_path / "data").leftover(), discard=True)
    assert recovered.tempo_bpm == 150.0 and recovered.melody == doc.melody
    assert not recovered.is_new_melody
    assert recovered.name == chorale.path.stem  # not "Untitled"
    # the file's other voices can still be chosen, the one taken still shown as taken
    assert recovered.source.path == chorale.path
    assert recovered.source.index == doc.source.index
    assert len(recovered.source.tracks) == len(doc.source.tracks) == 4
    recovered.set_tempo(72.0)
    recovered.set_bars(12)
    recovered.set_meter((3, 4))
    assert recovered.new_tune == NewTune()
    recovered.new(discard=True)
    assert (recovered.tempo_bpm, recovered.bars, recovered.time_signature) == (100.0, 4, (4, 4))


def test_a_saved_project_keeps_the_file_its_melody_came_from(corpus_midi, tmp_path):
    """Saved and opened again, the melody's file is kept too (an older Composer ignores
    the field); when that file is gone, the melody is still the one saved and the tune
    is still not a new melody."""
    chorale = corpus_midi["bwv269"]
    doc = Document()
    doc.open_midi(chorale.path)
    doc.choose_melody_track(1)
    written = doc.save(tmp_path / "song.composer")
    assert load_project(written).melody_file == str(chorale.path)
    again = Document()
    again.open_project(written)
    assert again.source.path == chorale.path and again.source.index == 1
    moved = tmp_path / "moved.mid"
    moved.write_bytes(chorale.path.read_bytes())
    doc.open_midi(moved)
    gone = doc.save(tmp_path / "gone.composer")
    moved.unlink()
    third = Document()
    third.open_project(gone)
    assert third.melody == doc.melody
    assert third.source.path == moved and len(third.source.tracks) == 1
    assert not third.is_new_melody


def test_a_new_melodys_meter_is_one_that_the_next_start_reads_back():
    """One rule for the meters of a new melody (``tune.NEW_MELODY_METERS``): each one
    set on a new melody is read back as itself; one outside it never becomes the record
    meter (5/4 was saved, then read back as 4/4)."""
    from composer_gui.core.tune import NEW_MELODY_METERS

    for signature in NEW_MELODY_METERS:
        doc = Document()
        doc.set_meter(signature)
        saved = doc.new_tune
        assert saved.time_signature == signature
        assert NewTune.read(saved.tempo_bpm, saved.bars, saved.meter_text) == saved
    doc = Document()
    doc.set_meter((6, 8))
    doc.set_meter((5, 4))  # drawn and counted, not accompanied
    assert doc.time_signature == (5, 4)
    assert doc.new_tune.time_signature == (6, 8)


def test_a_melody_file_changed_after_saving_names_the_melodys_track(corpus_midi, tmp_path):
    """Only the track's index was checked: a track added in front of the melody's made
    the track box name the wrong track (the tenor for the alto) and a second choice of
    the alto a change of melody. Now the track holding the saved melody is the one named;
    when none holds it, the saved melody stands as the file's one track."""
    chorale = tmp_path / "chorale.mid"
    chorale.write_bytes(corpus_midi["bwv269"].path.read_bytes())
    doc = Document()
    doc.open_midi(chorale)
    doc.choose_melody_track(1)
    saved = doc.save(tmp_path / "song.composer")
    voices = read_arrangement(chorale)
    drums = Track("drums", [Note(40, 0.0, 1.0, 90)])
    write_arrangement(replace(voices, tracks=[drums, *voices.tracks]), chorale)
    again = Document()
    again.open_project(saved)
    assert again.melody == doc.melody
    assert again.source.index == 2 and len(again.source.tracks) == 5
    assert again.source.labels()[2] == "3: " + doc.source.labels()[1].split(": ", 1)[1]
    # the melody's voice taken out of the file: no track holds it any more
    write_arrangement(replace(voices, tracks=[voices.tracks[0], *voices.tracks[2:]]), chorale)
    third = Document()
    third.open_project(saved)
    assert third.melody == doc.melody
    assert third.source.index == 0 and len(third.source.tracks) == 1
    assert sorted_notes(third.source.tracks[0].notes) == doc.melody
