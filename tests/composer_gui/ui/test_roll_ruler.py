"""The bar ruler of both rolls: bar names never print over each other.

A score's one-eighth pickup bar is a few pixels wide; its "1" and bar 2's "2" printed
as "12". The ruler's labels are measured (``RollView.ruler_labels``: the rects the
painter draws them in), not guessed from pixels.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.bar_lines import Bar, BarLines
from composer_gui.ui.piano_roll import ArrangementView, MelodyEditor
from models.pianoroll import Meter

pytestmark = pytest.mark.gui

JIG = Meter(6, 8)
# Hare in the Corn's bars: a one-eighth pickup (the last eighth of a 6/8 bar), then 6/8.
PICKUP_BARS = BarLines((Bar(0.0, JIG, skipped_steps=JIG.bar_steps - 2), Bar(0.5, JIG)))


def assert_apart(labels: list[tuple[QRectF, str]]) -> None:
    for (left, _a), (right, _b) in zip(labels, labels[1:], strict=False):
        # A space's width at least: "1" and "2" two pixels apart still read "12".
        assert left.right() + 4 <= right.left(), labels


def test_a_one_eighth_pickup_bar_and_bar_2_do_not_print_as_12(qtbot):
    view = ArrangementView()
    qtbot.addWidget(view)
    view.resize(900, 240)
    view.show()
    qtbot.waitExposed(view)
    notes = [Note(67, 0.0, 0.5)] + [Note(72, 0.5 + 0.5 * i, 0.5) for i in range(96)]  # 16 bars
    view.set_arrangement(Arrangement([Track("melody", notes)]), bar_lines=PICKUP_BARS)
    bar_pixels = view.beats_per_bar * view.beat_width()
    assert bar_pixels >= 28  # every bar is named where there is room: the case seen
    assert view.x_for_beat(0.5) - view.x_for_beat(0.0) < 12  # the pickup: a few pixels
    labels = view.ruler_labels()
    names = [name for _rect, name in labels]
    assert_apart(labels)
    assert names[0] == "1" and names[1:] == [str(n) for n in range(3, len(names) + 2)]
    for rect, _name in labels:  # each name fits in the ruler, right of its barline
        assert rect.top() >= 0 and rect.bottom() <= view.RULER and rect.width() > 0
    assert not view.grab().isNull()


def test_names_stay_apart_at_every_zoom_and_in_the_melody_roll(qtbot):
    editor = MelodyEditor(lambda _notes: None)
    qtbot.addWidget(editor)
    editor.resize(700, 240)
    editor.show()
    qtbot.waitExposed(editor)
    editor.set_notes([Note(67, 0.0, 0.5), Note(72, 0.5, 2.5)], length_beats=48.5)
    editor.set_length(48.5, PICKUP_BARS)
    for _ in range(8):
        labels = editor.ruler_labels()
        assert labels and labels[0][1] == "1"
        assert_apart(labels)
        editor.zoom(0.6)


def test_a_narrow_count_in_goes_unnamed_and_bar_1_keeps_its_number(qtbot):
    from composer_gui.core.recording import RecordingSetup
    from composer_gui.core.take_notes import take_so_far

    editor = MelodyEditor(lambda _notes: None)
    qtbot.addWidget(editor)
    editor.resize(260, 240)  # a 2/4 count-in about 27 px wide: "count-in" needs more
    editor.show()
    qtbot.waitExposed(editor)
    take = take_so_far([], 1.0, 1.5, RecordingSetup(120.0, 8, (2, 4), 1))
    editor.show_take(take)
    labels = editor.ruler_labels()
    assert_apart(labels)
    assert [name for _rect, name in labels][:1] == ["1"]
    editor.resize(700, 240)  # room for it again
    assert [name for _rect, name in editor.ruler_labels()][:2] == ["count-in", "1"]
