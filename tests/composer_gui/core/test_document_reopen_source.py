"""A melody taken from a MIDI file and edited keeps the file's tracks when its project is
opened again or its autosave restored (session 21, found by the state machine with
``--hypothesis-seed=5``, derandomize off; shrunk to: open a two-track file, take track 2,
empty the melody, save or autosave, open or restore).

Only the saved melody's notes were compared with the file's tracks to find the melody's
track again; once the melody was edited no track held them, so the tune came back with
the saved melody as the file's one track: the track box gone, track 2 read as track 1
(a second save wrote ``melody_track`` 0)."""

from __future__ import annotations

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.autosave import Autosave
from composer_gui.core.document import Document
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.core.project import load_project, project_to_dict
from tests.support.crash import as_if_crashed

LEFT = [Note(p, float(b), 1.0, 70) for b in range(4) for p in (48, 52, 55)]
RIGHT = [Note(72 + i % 3, float(i), 1.0, 90) for i in range(4)]


def piano_file(tmp_path):
    path = tmp_path / "piano.mid"
    tracks = [Track("left", LEFT), Track("right", RIGHT, channel=1)]
    write_arrangement(Arrangement(tracks), path)
    return path


def right_hand_edited(tmp_path, notes) -> Document:
    doc = Document()
    doc.open_midi(piano_file(tmp_path))
    doc.choose_melody_track(1)
    doc.set_melody(notes, "Edit")
    return doc


def assert_the_files_tracks_kept(doc: Document, edited: Document) -> None:
    assert doc.melody == edited.melody  # the edit, not the file's notes
    assert doc.source.path == edited.source.path
    assert doc.source.index == 1  # the right hand, as taken
    assert [t.name for t in doc.source.tracks] == ["left", "right"]
    doc.choose_melody_track(0)  # the other hand can still be taken
    assert doc.melody == tuple(LEFT)


def test_an_emptied_melody_of_a_files_second_track_opens_as_that_track(tmp_path):
    """The machine's shrunk sequence: open, track 2, emptied, save, open."""
    edited = right_hand_edited(tmp_path, [])
    saved = edited.save(tmp_path / "song.composer")
    opened = Document()
    opened.open_project(saved)
    assert project_to_dict(opened.snapshot()) == project_to_dict(load_project(saved))
    assert_the_files_tracks_kept(opened, edited)


def test_an_edited_melody_of_a_files_second_track_opens_as_that_track(tmp_path):
    edited = right_hand_edited(tmp_path, [*RIGHT[:3], Note(79, 3.0, 1.0, 90)])
    saved = edited.save(tmp_path / "song.composer")
    opened = Document()
    opened.open_project(saved)
    assert project_to_dict(opened.snapshot()) == project_to_dict(load_project(saved))
    assert_the_files_tracks_kept(opened, edited)


def test_an_edited_melody_of_a_files_second_track_is_restored_as_that_track(tmp_path):
    """The same after a crash: open, track 2, emptied, autosave, crash, restore."""
    edited = right_hand_edited(tmp_path, [])
    autosaver = Autosave(tmp_path / "data")
    assert autosaver.write(edited)
    as_if_crashed(autosaver)
    leftover = Autosave(tmp_path / "data").leftover()
    restored = Document()
    restored.restore(leftover, discard=True)
    assert project_to_dict(restored.snapshot(for_autosave=True)) == project_to_dict(leftover)
    assert_the_files_tracks_kept(restored, edited)
