"""Faults found in session 14 and 15 by playing the real window as a musician would
(docs/app.md, "Session 15: tried as a musician"), one test each; each failed before its
mend."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.ui import settings

pytestmark = pytest.mark.gui


@pytest.fixture
def long_jig(tmp_path):
    """40 bars of 6/8 at 132 BPM: a tune the musician opens, then leaves with New."""
    notes = [Note(67 + (i % 5), i * 1.5, 1.5, 90) for i in range(80)]  # two a bar
    path = tmp_path / "jig.mid"
    write_arrangement(
        Arrangement([Track("melody", notes)], tempo_bpm=132.0, time_signature=(6, 8)), path
    )
    return path


def test_new_after_a_long_6_8_tune_starts_a_fresh_melody(window, long_jig):
    """New kept the last tune's tempo and bar count: a 282-bar tune's New was "282 bars"
    to record. New starts what a new melody starts with (the record settings the app
    opened with), in 4/4, and the old tune's undo history is gone."""
    doc = window.document
    start = (doc.tempo_bpm, doc.bars, doc.time_signature)
    assert start == (100.0, 4, (4, 4))  # the scratch settings' defaults
    assert window.open_file(long_jig)
    assert (round(doc.tempo_bpm), doc.bars, doc.time_signature) == (132, 40, (6, 8))
    doc.set_melody(list(doc.melody)[1:], "Delete note")  # an edit to undo
    window.transport.tempo.setValue(150)  # and the tempo box
    assert doc.can_undo
    assert window.new_project()
    assert (doc.tempo_bpm, doc.bars, doc.time_signature) == start
    assert window.transport.bars.value() == 4
    assert window.transport.tempo.value() == 100
    assert window.transport.chosen_meter() == (4, 4)
    assert doc.pickup == "auto" and doc.melody == () and doc.takes == ()
    assert not doc.can_undo and not doc.can_redo
    assert not window.undo_action.isEnabled()


def test_a_new_melodys_record_settings_carry_to_the_next_new_and_the_next_start(
    qtbot, window, long_jig, tmp_path
):
    """What the musician sets for a new melody (tempo, bars, meter) is what the next New
    and the next start give; an opened tune's tempo, length and meter are not."""
    from composer_gui.ui.main_window import MainWindow

    doc = window.document
    window.transport.tempo.setValue(84)
    window.transport.bars.setValue(8)
    window.transport.meter.setCurrentIndex(window.transport.meter.findText("3/4"))
    assert window.open_file(long_jig)
    assert window.new_project()
    assert (doc.tempo_bpm, doc.bars, doc.time_signature) == (84.0, 8, (3, 4))
    assert window.open_file(long_jig)
    window.write_settings()  # as closing with the jig open does
    assert settings.get(settings.TEMPO_BPM) == 84.0 and settings.get(settings.BARS) == 8
    again = MainWindow(data_dir=tmp_path / "data2")
    again.ask_before_closing = False
    try:
        fresh = again.document
        assert (fresh.tempo_bpm, fresh.bars, fresh.time_signature) == (84.0, 8, (3, 4))
    finally:
        again.close()
        again.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        gc.collect()
