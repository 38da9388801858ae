"""A crash between two of the autosave's file steps never brings back an older copy.

CI's kill test (round 38 of 50) once restored a state that was never the newest written:
Save removed the autosave's newest copy, then its previous one, and a kill between the
two left the previous one alone, which the next start offered (a copy with no file name
is never superseded by a saved file). Here each removal and rename of ``discard`` and
``adopt`` is cut in turn, as a kill would, and the next start is asked what it offers.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from composer_gui.core import autosave as autosave_module
from composer_gui.core.arrangement import Note
from composer_gui.core.autosave import Autosave
from composer_gui.core.document import Document
from tests.support.crash import as_if_crashed


class Killed(BaseException):
    """The process ended here: nothing after this step ran."""


def melody_doc(*pitches: int) -> Document:
    doc = Document()
    doc.set_melody([Note(p, float(i), 1.0, 90) for i, p in enumerate(pitches)], "Play")
    return doc


def pitches(project) -> list[int] | None:
    return None if project is None else [n.pitch for n in project.melody.tracks[0].notes]


def cut_after(monkeypatch, steps: int) -> None:
    """Let ``steps`` file removals or renames happen, then end the process."""
    done = [0]
    real_unlink, real_replace = Path.unlink, os.replace

    def step() -> None:
        if done[0] == steps:
            raise Killed
        done[0] += 1

    def unlink(self, missing_ok=False):
        step()
        return real_unlink(self, missing_ok=missing_ok)

    def replace(source, target):
        step()
        return real_replace(source, target)

    monkeypatch.setattr(Path, "unlink", unlink)
    monkeypatch.setattr(autosave_module.os, "replace", replace)


def two_copies_written(folder: Path) -> Autosave:
    """A copy of the app that autosaved twice: [60] (now the previous) and [60, 62]."""
    writer = Autosave(folder)
    doc = melody_doc(60)
    assert writer.write(doc)
    doc.set_melody([*doc.melody, Note(62, 1.0, 1.0, 90)], "Play")
    assert writer.write(doc)
    assert writer.files.previous_path.is_file()
    return writer


@pytest.mark.parametrize("steps", range(3))
def test_a_save_cut_while_its_autosave_goes_never_leaves_the_older_copy(
    tmp_path, monkeypatch, steps
):
    folder = tmp_path / "data"
    writer = two_copies_written(folder)
    with monkeypatch.context() as patch:
        cut_after(patch, steps)
        with pytest.raises(Killed):
            writer.discard()  # Save wrote the file; the kill comes while the autosave goes
    as_if_crashed(writer)
    offered = pitches(Autosave(folder).leftover())
    assert offered in (None, [60, 62]), f"cut after {steps} removals: {offered}"


@pytest.mark.parametrize("steps", range(4))
def test_a_restore_cut_while_its_files_move_leaves_one_whole_copy(tmp_path, monkeypatch, steps):
    folder = tmp_path / "data"
    as_if_crashed(two_copies_written(folder))
    start = Autosave(folder)
    leftover = start.leftover()
    assert pitches(leftover) == [60, 62]
    restored = Document()
    restored.restore(leftover, discard=True)
    with monkeypatch.context() as patch:
        cut_after(patch, steps)
        with pytest.raises(Killed):
            start.adopt(restored)
    as_if_crashed(start)
    # every copy the next starts offer, each taken and then saved (its files removed)
    offers = []
    for _ in range(3):
        later = Autosave(folder)
        offer = later.leftover()
        if offer is None:
            break
        offers.append(pitches(offer))
        later.decline()
    assert offers == [[60, 62]], f"cut after {steps} steps: {offers}"


def test_a_restore_cut_after_it_leaves_the_restored_copy_whole(tmp_path):
    folder = tmp_path / "data"
    as_if_crashed(two_copies_written(folder))
    start = Autosave(folder)
    restored = Document()
    restored.restore(start.leftover(), discard=True)
    start.adopt(restored)
    as_if_crashed(start)
    later = Autosave(folder)
    assert pitches(later.leftover()) == [60, 62]
    later.decline()
    assert Autosave(folder).leftover() is None
