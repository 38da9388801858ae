"""The app opens ABC and MusicXML scores (issue 16): by File > Open (its filter offers
them), by drag and drop, a tune book saying which tune it took; a Ryan's hornpipe's
written pickup is its own short first bar, so the bars box and the rolls count the
score's bars (the pickup, then 16 bars of 2/4)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from composer_gui.core.score_file import read_score

pytestmark = pytest.mark.gui


def corpus_copy(name: str, folder: Path) -> Path:
    from music21 import corpus

    target = folder / Path(name).name
    shutil.copy(str(corpus.getWork(name)), target)
    return target


def read_in_the_background(window, qtbot) -> None:
    """A score is read on the file reader's thread; wait until it has opened (or failed)."""
    qtbot.waitUntil(lambda: not window.reading_files, timeout=30000)


def bar_starts(roll, until: float) -> list[float]:
    return [bar.start_beat for _n, bar, _end in roll.shown_bars() if bar.start_beat < until]


def test_open_offers_scores_and_reads_a_hornpipe_on_its_written_bars(
    window, qtbot, tmp_path, monkeypatch
):
    from composer_gui.ui import window_files

    tune = corpus_copy("ryansMammoth/FishersHornpipe.abc", tmp_path)
    offered = []

    def choose(parent, caption, folder, pattern):
        offered.append(pattern)
        return str(tune), pattern

    monkeypatch.setattr(window_files.QFileDialog, "getOpenFileName", staticmethod(choose))
    window.choose_and_open()
    read_in_the_background(window, qtbot)
    (pattern,) = offered
    for suffix in ("*.mid", "*.abc", "*.musicxml", "*.xml", "*.mxl", "*.composer"):
        assert suffix in pattern.split(";;")[0]

    doc = window.document
    assert [n.pitch for n in doc.melody] == [n.pitch for n in read_score(tune).tracks[0].notes]
    assert doc.time_signature == (1, 8) and list(doc.meter_changes) == [(0.5, (2, 4))]
    assert window.transport.bars.value() == doc.bars == 17  # the pickup's and 16 of 2/4
    assert bar_starts(window.melody_editor, 7.0) == [0.0, 0.5, 2.5, 4.5, 6.5]
    assert window.pickup_box.currentText() == "Pickup: auto (the file's: 1 eighth)"
    assert window.windowTitle().startswith("FishersHornpipe ")


def test_a_dropped_tune_book_opens_its_first_tune_and_says_so(window, qtbot, tmp_path):
    book = corpus_copy("oneills1850/0001-0050.abc", tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(book))])
    event = QDropEvent(
        QPoint(100, 100).toPointF(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier
    )
    window.dropEvent(event)
    read_in_the_background(window, qtbot)
    assert len(window.document.melody) == 121  # X:1, The Enchanted Valley ("G3-A": two notes)
    said = window.statusBar().currentMessage()
    assert "holds 50 tunes; Composer took the first, X:1 'The Enchanted Valley'" in said


def test_a_damaged_score_is_one_sentence_and_the_melody_stays(window, qtbot, melody_file, tmp_path):
    shown = []
    window.report_error = shown.append
    assert window.open_file(melody_file)
    before = tuple(window.document.melody)
    bad = tmp_path / "cut.musicxml"
    bad.write_bytes(b"<?xml version='1.0'?><score-partwise><part-list>")
    window.open_file(bad, asked=True)  # read in the background: the answer comes later
    read_in_the_background(window, qtbot)
    assert shown == [
        "cut.musicxml is damaged and cannot be read as MusicXML; save or export it again."
    ]
    assert window.document.melody == before


def test_a_score_is_read_off_the_ui_thread_and_opens_when_read(
    window, qtbot, melody_file, tmp_path, monkeypatch
):
    """A large score takes music21 seconds to a minute: while it is read the window
    answers (the old melody stays and can be edited), a busy bar shows, and the score
    opens when it is read; the melody edited meanwhile is asked about again."""
    import threading

    from composer_gui.ui import window_files

    assert window.open_file(melody_file)
    before = tuple(window.document.melody)
    tune = corpus_copy("ryansMammoth/FishersHornpipe.abc", tmp_path)
    release, reader_threads = threading.Event(), []
    real_read = window_files.read_arrangement_and_tune_choice

    def slow_read(path):
        reader_threads.append(threading.current_thread())
        assert release.wait(20)
        return real_read(path)

    monkeypatch.setattr(window_files, "read_arrangement_and_tune_choice", slow_read)
    assert window.open_file(tune, asked=True)  # returns at once
    qtbot.waitUntil(lambda: bool(reader_threads))
    assert reader_threads[0] is not threading.main_thread()
    assert window.document.melody == before
    assert window.reading_bar.isVisible()
    assert window.statusBar().currentMessage() == "Reading FishersHornpipe.abc..."
    qtbot.wait(50)  # the event loop runs: the window is not frozen
    release.set()
    read_in_the_background(window, qtbot)
    assert not window.reading_bar.isVisible()
    assert [n.pitch for n in window.document.melody] == [
        n.pitch for n in read_score(tune).tracks[0].notes
    ]
    assert window.statusBar().currentMessage().startswith("Opened FishersHornpipe.abc.")

    # Edited while a second score is read: the musician is asked before it replaces the edit.
    release.clear()
    asked = []
    window.ask_before_closing = True  # the fixture turns the questions off
    window.choose = lambda title, question, answers: asked.append(question)  # Cancel
    window.open_file(tune, asked=True)
    qtbot.waitUntil(lambda: len(reader_threads) == 2)
    window.document.set_melody(before)
    edited = tuple(window.document.melody)
    release.set()
    read_in_the_background(window, qtbot)
    assert len(asked) == 1 and "not saved" in asked[0]
    assert tuple(window.document.melody) == edited


def test_a_jig_whose_score_writes_its_pickup_as_a_short_bar_opens_in_six_eight(
    window, qtbot, tmp_path
):
    """Hare in the Corn: a 1/8 pickup bar, then 6/8. The meter box shows 6/8 (the bars'
    meter), the window says nothing of "1/8" (the engine accompanies the pickup in the
    meter that follows), and choosing 6/8 again in the box keeps the written pickup."""
    tune = corpus_copy("ryansMammoth/HareInTheCornJig.abc", tmp_path)
    window.open_file(tune)
    read_in_the_background(window, qtbot)
    doc = window.document
    assert doc.time_signature == (1, 8) and list(doc.meter_changes) == [(0.5, (6, 8))]
    assert window.last_error is None
    assert window.transport.meter.currentText() == "6/8"
    doc.set_meter((6, 8))
    assert doc.time_signature == (1, 8) and list(doc.meter_changes) == [(0.5, (6, 8))]
    doc.set_meter((3, 4))  # another meter: the pickup bar stays, the bars after it move
    assert doc.time_signature == (1, 8) and list(doc.meter_changes) == [(0.5, (3, 4))]
    assert window.transport.meter.currentText() == "3/4"
    doc.undo()
    assert list(doc.meter_changes) == [(0.5, (6, 8))]
