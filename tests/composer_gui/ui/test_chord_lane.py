"""The chord lane writes what fits of each symbol before the next chord starts."""

from __future__ import annotations

from PySide6.QtGui import QFontMetricsF

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.ui.chord_lane import ChordLane, shortened
from composer_gui.ui.piano_roll import ArrangementView


def by_length(text: str, room: float) -> bool:
    return len(text) <= room


def test_a_symbol_too_long_for_its_beat_keeps_its_root_and_kind():
    assert shortened("Em7/D", 5, by_length) == "Em7/D"
    assert shortened("Em7/D", 4, by_length) == "Em7"
    assert shortened("Asus4/F#", 4, by_length) == "A"
    assert shortened("C#m7b5", 3, by_length) == "C#m"
    assert shortened("Dmaj7/C#", 2, by_length) == "D"
    assert shortened("Bbm", 1, by_length) == "Bb"  # the root even where nothing fits


def test_chords_a_beat_apart_are_written_shortened_in_the_lane(qtbot):
    """Eight bars of a chord a beat: 'Asus4/F#' was cut to 'Asu' at 1280 pixels."""
    view = ArrangementView()
    lane = ChordLane(view)
    for widget in (view, lane):
        qtbot.addWidget(widget)
        widget.resize(860, 160)
    view.set_arrangement(Arrangement([Track("melody", [Note(62, 0.0, 32.0)])]))
    chords = [(float(beat), "Asus4/F#") for beat in range(32)]
    lane.set_chords(chords)
    font = lane.font()
    font.setBold(True)
    font.setPointSizeF(8.5)
    metrics = QFontMetricsF(font)
    room = view.beat_width() - 4
    assert metrics.horizontalAdvance("Asus4/F#") > room  # too long for a beat here
    fits = lambda text, width: metrics.horizontalAdvance(text) <= width  # noqa: E731
    assert metrics.horizontalAdvance(shortened("Asus4/F#", room, fits)) <= room
    assert not lane.grab().isNull()
    assert "Asus4/F#" in lane.toolTip()
