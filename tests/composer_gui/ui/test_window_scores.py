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


def bar_starts(roll, until: float) -> list[float]:
    return [bar.start_beat for _n, bar, _end in roll.shown_bars() if bar.start_beat < until]


def test_open_offers_scores_and_reads_a_hornpipe_on_its_written_bars(window, tmp_path, monkeypatch):
    from composer_gui.ui import window_files

    tune = corpus_copy("ryansMammoth/FishersHornpipe.abc", tmp_path)
    offered = []

    def choose(parent, caption, folder, pattern):
        offered.append(pattern)
        return str(tune), pattern

    monkeypatch.setattr(window_files.QFileDialog, "getOpenFileName", staticmethod(choose))
    window.choose_and_open()
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


def test_a_dropped_tune_book_opens_its_first_tune_and_says_so(window, tmp_path):
    book = corpus_copy("oneills1850/0001-0050.abc", tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(book))])
    event = QDropEvent(
        QPoint(100, 100).toPointF(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier
    )
    window.dropEvent(event)
    assert len(window.document.melody) == 113  # X:1, The Enchanted Valley
    said = window.statusBar().currentMessage()
    assert "holds 50 tunes; Composer took the first, X:1 'The Enchanted Valley'" in said


def test_a_damaged_score_is_one_sentence_and_the_melody_stays(window, melody_file, tmp_path):
    shown = []
    window.report_error = shown.append
    assert window.open_file(melody_file)
    before = tuple(window.document.melody)
    bad = tmp_path / "cut.musicxml"
    bad.write_bytes(b"<?xml version='1.0'?><score-partwise><part-list>")
    assert not window.open_file(bad, asked=True)
    assert shown == [
        "cut.musicxml is damaged and cannot be read as MusicXML; save or export it again."
    ]
    assert window.document.melody == before
