"""Each running copy of the app keeps its own autosave (session 16): two copies shared one
``autosave.composer``, so the second overwrote the first's recovery and a clean close of
one removed the other's. A start offers only the copies whose writer is gone."""

from __future__ import annotations

import os

from composer_gui.core.arrangement import Note
from composer_gui.core.autosave import Autosave, CopyFiles
from composer_gui.core.document import Document
from composer_gui.core.project import load_project
from tests.support.crash import as_if_crashed, dead_pid


def melody_doc(*pitches: int) -> Document:
    doc = Document()
    doc.set_melody([Note(p, float(i), 1.0, 90) for i, p in enumerate(pitches)], "Play")
    return doc


def pitches(project) -> list[int]:
    return [n.pitch for n in project.melody.tracks[0].notes]


def test_two_running_copies_keep_their_own_autosave(tmp_path):
    folder = tmp_path / "data"
    first, second = Autosave(folder), Autosave(folder)
    assert first.write(melody_doc(60, 62))
    assert second.write(melody_doc(67))
    assert first.files.path != second.files.path
    assert pitches(load_project(first.files.path)) == [60, 62]  # not written over
    assert pitches(load_project(second.files.path)) == [67]
    assert Autosave(folder).leftover() is None  # both are running: nothing to recover
    second.discard()  # the second closes cleanly
    assert first.files.path.is_file() and not second.files.path.exists()


def test_a_copy_whose_process_died_is_offered_and_taken_over(tmp_path):
    folder = tmp_path / "data"
    crashed, running = Autosave(folder), Autosave(folder)
    assert crashed.write(melody_doc(60, 62))
    assert running.write(melody_doc(67))
    as_if_crashed(crashed)  # its lock names a process that has ended
    assert crashed.files.lock_path.read_text().split() == [str(dead_pid())]
    start = Autosave(folder)
    leftover = start.leftover()
    assert leftover is not None and pitches(leftover) == [60, 62]  # not the running one's
    restored = Document()
    restored.restore(leftover, discard=True)
    start.adopt(restored)
    assert not crashed.files.path.exists() and not crashed.files.lock_path.exists()
    assert pitches(load_project(start.files.path)) == [60, 62]  # its copy now
    assert start.files.lock_path.read_text().split()[0] == str(os.getpid())
    assert Autosave(folder).leftover() is None  # the restoring copy runs now
    assert pitches(load_project(running.files.path)) == [67]


def test_each_dead_copy_is_offered_newest_first_and_a_declined_one_goes(tmp_path):
    folder = tmp_path / "data"
    older, newer = Autosave(folder), Autosave(folder)
    assert older.write(melody_doc(60))
    assert newer.write(melody_doc(72))
    os.utime(older.files.path, ns=(1, 1))  # written long before
    as_if_crashed(older)
    as_if_crashed(newer)
    start = Autosave(folder)
    assert pitches(start.leftover()) == [72]
    start.decline()
    assert not newer.files.path.exists()
    assert pitches(start.leftover()) == [60]
    start.decline()
    assert start.leftover() is None and not any(folder.iterdir())


def test_an_older_composers_shared_autosave_is_offered(tmp_path):
    """``autosave.composer`` with no lock: written by a Composer before session 16."""
    folder = tmp_path / "data"
    crashed = Autosave(folder)
    assert crashed.write(melody_doc(64, 65))
    folder.joinpath("autosave.composer").write_bytes(crashed.files.path.read_bytes())
    crashed.discard()
    start = Autosave(folder)
    assert pitches(start.leftover()) == [64, 65]
    start.decline()
    assert not folder.joinpath("autosave.composer").exists()


def test_a_dead_copy_saved_after_its_autosave_is_removed_not_offered(tmp_path):
    """A crash between saving and removing the autosave: the saved file is the better
    copy, and the autosave's files go (with one file per copy they would pile up)."""
    folder = tmp_path / "data"
    doc = melody_doc(60, 64)
    doc.save(tmp_path / "song.composer")
    doc.set_melody([Note(67, 0.0, 1.0, 90)], "Play")
    crashed = Autosave(folder)
    assert crashed.write(doc)
    os.utime(crashed.files.path, ns=(1, 1))  # written long before the save
    as_if_crashed(crashed)
    assert Autosave(folder).leftover() is None
    assert not crashed.files.path.exists() and not crashed.files.lock_path.exists()


def crashed_copy(folder, lock_text: str) -> Autosave:
    """A copy of the app that wrote an autosave and died, leaving ``lock_text``."""
    crashed = Autosave(folder)
    assert crashed.write(melody_doc(60, 62))
    crashed.files.lock_path.write_text(lock_text, encoding="utf-8")
    return crashed


def test_a_crashed_copy_that_had_our_process_id_is_offered(tmp_path):
    """In a PID namespace (Flatpak, a container) each launch gets the same process id: a
    lock naming our own process, but not one of this process's autosavers, was left by an
    earlier run. It was hidden for good."""
    folder = tmp_path / "data"
    written = crashed_copy(folder, "")
    earlier_run = CopyFiles(folder, f"{os.getpid()}-ab")  # not an instance made here
    written.files.path.rename(earlier_run.path)
    written.files.lock_path.unlink()
    earlier_run.lock_path.write_text(f"{os.getpid()}\n", encoding="utf-8")
    assert not earlier_run.writer_running()
    offered = Autosave(folder).leftover()
    assert offered is not None and pitches(offered) == [60, 62]


def test_a_lock_of_another_boot_or_another_process_with_the_id_is_dead(tmp_path):
    """After a reboot a daemon may hold the crashed copy's old process id: the lock's
    boot id (or the process's start time) tells them apart."""
    folder = tmp_path / "data"
    parent = os.getppid()  # a process that runs, and is not this one
    mine = Autosave(folder)
    assert mine.write(melody_doc(67))
    fields = mine.files.lock_path.read_text().split()
    assert fields[0] == str(os.getpid())
    if len(fields) < 3:  # no /proc here (macOS, Windows): only the process id is known
        return
    _, boot, start_ticks = fields
    other_boot = crashed_copy(folder, f"{parent} not-this-boot {start_ticks}\n")
    other_start = crashed_copy(folder, f"{parent} {boot} 1\n")
    assert not other_boot.files.writer_running()
    assert not other_start.files.writer_running()
    assert mine.files.writer_running()
    assert {files.instance for files in Autosave(folder).leftovers()} == {
        other_boot.files.instance,
        other_start.files.instance,
    }


def test_the_lock_lands_whole_and_a_young_empty_lock_counts_as_running(tmp_path):
    """A starting copy read a lock still empty (``write_text`` had created but not filled
    it), took the writer for dead, and declining then deleted the running copy's files."""
    folder = tmp_path / "data"
    running = crashed_copy(folder, "")  # empty, just now: being written
    assert running.files.writer_running()
    start = Autosave(folder)
    assert start.leftover() is None
    start.decline()
    assert running.files.path.is_file()
    os.utime(running.files.lock_path, ns=(1, 1))  # empty for ages: a crash while writing it
    assert not running.files.writer_running()


def test_a_lone_lock_of_a_dead_copy_is_cleaned(tmp_path):
    """A crash after the lock, before the first autosave, left a lock that no start
    removed."""
    folder = tmp_path / "data"
    lone = Autosave(folder)
    lone._lock()
    as_if_crashed(lone)
    running = Autosave(folder)
    running._lock()
    assert Autosave(folder).leftover() is None
    assert not lone.files.lock_path.exists()
    assert running.files.lock_path.exists()  # a running copy's lone lock stays
