"""A saved tune's takes open as they were saved: each its own meter and the candidate
last picked in it (session 20's tune_from_project passed the meter by place, into the
take's ``chosen``: an older take, shown after Open, raised TypeError, and a take written
in 4/4 was not called stale after the meter changed to 3/4)."""

from __future__ import annotations

from composer_gui.core.arrangement import Note
from composer_gui.core.document import Document
from tests.composer_gui.ui.stand_in_engine import StandInEngine

MELODY = [Note(60 + i % 5, float(i), 1.0, 90) for i in range(8)]


def two_takes_saved_and_opened(tmp_path) -> Document:
    doc = Document()
    doc.set_melody(MELODY)
    engine = StandInEngine()
    for pick in (1, 0):
        doc.add_take(engine.generate(doc.melody_arrangement(), k=2), tuple(doc.melody))
        doc.pick_candidate(pick)
    doc.save(tmp_path / "tune.composer")
    opened = Document()
    opened.open_project(tmp_path / "tune.composer")
    return opened


def test_an_older_take_shown_after_open_is_heard_without_error(tmp_path):
    """The file keeps the one pick (take 2's), so take 1 opens with none chosen."""
    doc = two_takes_saved_and_opened(tmp_path)
    assert [take.chosen for take in doc.takes] == [None, 0]
    doc.show_take(0)
    assert doc.pick is None and doc.picked is None
    assert doc.heard_arrangement() is not None
    doc.pick_candidate(1)
    assert doc.picked is doc.takes[0].candidates[1]


def test_a_take_opened_keeps_its_meter_so_a_new_meter_makes_it_stale(tmp_path):
    doc = two_takes_saved_and_opened(tmp_path)
    assert [take.meter for take in doc.takes] == [((4, 4), ())] * 2
    doc.set_meter((3, 4))
    assert doc.stale
