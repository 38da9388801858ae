"""The melody editor: add, move, resize and delete notes with the mouse, snapped, undoable."""

from __future__ import annotations

import mido
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.document import Document
from composer_gui.ui import theme
from composer_gui.ui.piano_roll import ArrangementView, MelodyEditor
from models.pianoroll import STEPS_PER_BEAT

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(qtbot):
    stack = Document()  # the editor's edits go to the document, which keeps the history
    widget = MelodyEditor(stack.set_melody)
    stack.listen(lambda _aspects: widget.apply_notes(list(stack.melody)))
    qtbot.addWidget(widget)
    widget.resize(838, 400)
    widget.set_notes([], length_beats=8.0)
    widget.low_pitch, widget.high_pitch = 48, 83
    widget.show()
    qtbot.waitExposed(widget)
    widget.stack = stack
    return widget


def point(editor: MelodyEditor, beat: float, pitch: int) -> QPoint:
    """The middle of a cell, a little after ``beat``."""
    x = editor.x_for_beat(beat) + 0.3 * editor.beat_width() / STEPS_PER_BEAT
    y = editor.y_for_pitch(pitch) + editor.row_height() / 2
    return QPoint(round(x), round(y))


def drag(qtbot, editor, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(editor, Qt.LeftButton, pos=start)
    qtbot.mouseMove(editor, pos=end)
    qtbot.mouseRelease(editor, Qt.LeftButton, pos=end)


def test_click_adds_a_note_snapped_to_the_grid(qtbot, editor):
    qtbot.mouseClick(editor, Qt.LeftButton, pos=point(editor, 2.0, 64))
    assert editor.notes == [Note(64, 2.0, 1.0, 90)]
    assert editor.stack.undo_text == "Add note"


def test_dragging_while_adding_sets_the_length(qtbot, editor):
    drag(qtbot, editor, point(editor, 1.0, 60), point(editor, 2.4, 60))
    (note,) = editor.notes
    assert (note.pitch, note.start_beat) == (60, 1.0)
    assert note.duration_beats == pytest.approx(1.5)  # snapped to the step after 2.4


def test_drag_moves_a_note_in_time_and_pitch(qtbot, editor):
    editor.set_notes([Note(60, 0.0, 1.0, 80)], length_beats=8.0)
    editor.low_pitch, editor.high_pitch = 48, 83
    drag(qtbot, editor, point(editor, 0.25, 60), point(editor, 1.25, 62))
    assert editor.notes == [Note(62, 1.0, 1.0, 80)]


def test_dragging_the_right_edge_resizes(qtbot, editor):
    editor.set_notes([Note(60, 0.0, 1.0, 80)], length_beats=8.0)
    editor.low_pitch, editor.high_pitch = 48, 83
    edge = QPoint(round(editor.note_rect(editor.notes[0]).right()) - 1, point(editor, 0.0, 60).y())
    drag(qtbot, editor, edge, point(editor, 2.9, 60))
    assert editor.notes == [Note(60, 0.0, 3.0, 80)]


def test_right_click_deletes_and_undo_redo_walk_the_history(qtbot, editor):
    qtbot.mouseClick(editor, Qt.LeftButton, pos=point(editor, 0.0, 60))
    qtbot.mouseClick(editor, Qt.LeftButton, pos=point(editor, 1.0, 62))
    qtbot.mouseClick(editor, Qt.RightButton, pos=point(editor, 0.0, 60))
    assert [n.pitch for n in editor.notes] == [62]
    editor.stack.undo()
    assert [n.pitch for n in editor.notes] == [60, 62]
    editor.stack.undo()
    editor.stack.undo()
    assert editor.notes == []
    editor.stack.redo()
    assert [n.pitch for n in editor.notes] == [60]


def test_arrangement_view_fits_all_tracks(qtbot):
    view = ArrangementView()
    qtbot.addWidget(view)
    arrangement = Arrangement(
        [
            Track("melody", [Note(72, 0.0, 4.0)]),
            Track("bass", [Note(40, 0.0, 4.0)], channel=3),
        ]
    )
    view.set_arrangement(arrangement, [True, False])
    assert view.low_pitch <= 40 and view.high_pitch >= 72
    assert view.length_beats == 4.0
    view.resize(400, 200)
    assert not view.grab().isNull()  # paints muted and audible tracks without error


def test_drum_hits_are_drawn_in_a_lane_of_kit_rows_under_the_pitches(qtbot):
    """A drum's key is a kit piece, not a pitch: drawn among the pitched tracks, the
    kick (36) sat between the bass and the chords and stretched the pitch range."""
    view = ArrangementView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    hits = [Note(36, 0.0, 0.25), Note(42, 0.5, 0.25), Note(38, 1.0, 0.25), Note(36, 2.0, 0.25)]
    arrangement = Arrangement(
        [
            Track("melody", [Note(72, 0.0, 4.0)]),
            Track("bass", [Note(48, 0.0, 4.0)], channel=3),
            Track("drums", hits, channel=9, is_drum=True),
        ]
    )
    view.set_arrangement(arrangement)
    assert view.low_pitch > 42  # the pitch rows fit the melody and the bass alone
    assert view.drum_keys == [42, 38, 36]  # hi-hat on top, the kick at the bottom
    lowest = view.note_rect(Note(view.low_pitch, 0.0, 1.0))
    rects = {n.pitch: view.drum_hit_rect(n) for n in hits}
    assert all(r.top() >= lowest.bottom() for r in rects.values())
    assert rects[42].top() < rects[38].top() < rects[36].top() <= view.grid_rect().bottom()
    image = view.grab().toImage()
    kick = rects[36].center()
    drums = theme.track_colour(2)
    assert QColor(image.pixel(int(kick.x()), int(kick.y()))) == drums
    view.set_arrangement(Arrangement([Track("melody", [Note(72, 0.0, 4.0)])]))
    assert view.drum_keys == [] and view.lane_height() == 0


def test_a_click_in_the_ruler_asks_to_move_the_playhead(qtbot, editor):
    x = round(editor.x_for_beat(3.0)) + 1
    with qtbot.waitSignal(editor.seek_requested) as seek:
        qtbot.mouseClick(editor, Qt.LeftButton, pos=QPoint(x, editor.RULER // 2))
    assert seek.args == [3.0]
    assert editor.notes == []  # no note added from the ruler


def test_the_playhead_moves_over_the_kept_drawing_and_an_edit_redraws_it(qtbot, editor):
    """The roll is drawn once and kept; the playhead alone moves over it, and any change
    to what is drawn (here new notes) draws it again."""
    editor.set_notes([Note(60, 0.0, 1.0, 80)], length_beats=8.0)
    before = editor.grab().toImage()
    editor.set_playhead(4.0)
    moved = editor.grab().toImage()
    x = round(editor.x_for_beat(4.0))
    changed = {
        column
        for column in range(before.width())
        for row in range(0, before.height(), 3)
        if before.pixel(column, row) != moved.pixel(column, row)
    }
    assert changed and all(abs(column - x) <= 2 for column in changed)

    new_note = Note(72, 2.0, 1.0, 80)
    editor.set_notes([new_note], length_beats=8.0)
    edited = editor.grab().toImage()
    centre = editor.note_rect(new_note).center().toPoint()
    assert edited.pixel(centre) != moved.pixel(centre)  # the new note is drawn
    assert edited.pixel(centre) != edited.pixel(centre.x(), editor.height() - 3)


# --- time zoom and scroll ---------------------------------------------------------------


def wheel(qtbot, view, pos: QPoint, dy: int = 0, dx: int = 0, modifiers=Qt.NoModifier) -> None:
    """A real QWheelEvent, as a mouse wheel (120 per notch) sends it."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    event = QWheelEvent(
        QPointF(pos),
        QPointF(view.mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(dx, dy),
        Qt.NoButton,
        modifiers,
        Qt.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view, event)


def long_tune(bars: int = 32) -> Arrangement:
    return Arrangement([Track("melody", [Note(60 + b % 7, b * 4.0, 1.0) for b in range(bars)])])


@pytest.fixture
def long_view(qtbot):
    view = ArrangementView()
    qtbot.addWidget(view)
    view.resize(1240, 400)
    view.show()
    qtbot.waitExposed(view)
    view.set_arrangement(long_tune())
    return view


def test_32_bars_open_readable_with_a_scrollbar(long_view):
    view = long_view
    assert view.length_beats == 128.0
    assert view.visible_beats == 64.0  # 16 bars at a time
    assert view.beats_per_bar * view.beat_width() >= 60  # px a bar: readable
    assert view.scrollbar.isVisible() and view.scrollbar.maximum() > 0
    view.scrollbar.setValue(view.scrollbar.maximum())
    assert view.view_start_beats == 64.0  # the last 16 bars
    assert view.x_for_beat(128.0) == pytest.approx(view.grid_rect().right())


def test_a_short_tune_fits_without_a_scrollbar(qtbot, editor):
    assert editor.visible_beats == editor.length_beats == 8.0
    assert not editor.scrollbar.isVisible()
    assert editor.grid_rect().bottom() == editor.height() - 1  # no room kept for it


def test_ctrl_wheel_zooms_time_around_the_pointer(qtbot, long_view):
    view = long_view
    pos = QPoint(round(view.x_for_beat(40.0)), 200)
    wheel(qtbot, view, pos, dy=120, modifiers=Qt.ControlModifier)
    assert view.visible_beats == pytest.approx(64.0 / 1.25)
    assert view.beat_for_x(pos.x()) == pytest.approx(40.0, abs=0.05)  # stays under the mouse
    for _ in range(40):
        wheel(qtbot, view, pos, dy=-120, modifiers=Qt.ControlModifier)
    assert view.visible_beats == 128.0 and not view.scrollbar.isVisible()  # all 32 bars
    for _ in range(40):
        wheel(qtbot, view, pos, dy=120, modifiers=Qt.ControlModifier)
    assert view.visible_beats == 4.0  # one bar at most zoom


def test_shift_wheel_and_a_sideways_wheel_scroll_time_the_plain_wheel_pitch(qtbot, long_view):
    view = long_view
    pos = QPoint(600, 200)
    wheel(qtbot, view, pos, dy=-120, modifiers=Qt.ShiftModifier)
    assert view.view_start_beats == 4.0  # a bar later
    wheel(qtbot, view, pos, dx=-240)
    assert view.view_start_beats == 12.0
    low = view.low_pitch
    wheel(qtbot, view, pos, dy=120)
    assert view.view_start_beats == 12.0 and view.low_pitch == low + 2


def test_the_view_pages_after_the_playhead_and_keeps_its_zoom(qtbot, long_view):
    view = long_view
    view.set_playhead(70.0)
    assert view.view_start_beats <= 70.0 < view.view_start_beats + view.visible_beats
    view.zoom(2.0)
    visible = view.visible_beats
    view.set_arrangement(long_tune(24))  # another candidate of the same tune: same zoom
    assert view.visible_beats == visible


def test_notes_scrolled_out_of_view_are_not_drawn_over_the_gutter(qtbot, long_view):
    view = long_view
    view.scrollbar.setValue(view.scrollbar.maximum())
    image = view.grab().toImage()
    empty = ArrangementView()
    qtbot.addWidget(empty)
    empty.resize(view.size())
    empty.show()
    empty.set_arrangement(Arrangement([Track("melody", [])]))
    empty.low_pitch, empty.high_pitch = view.low_pitch, view.high_pitch
    empty.set_length(view.length_beats)
    empty.scrollbar.setValue(empty.scrollbar.maximum())
    blank = empty.grab().toImage()
    gutter = [(x, y) for x in range(0, view.GUTTER - 2, 4) for y in range(view.RULER, 380, 5)]
    assert all(image.pixel(x, y) == blank.pixel(x, y) for x, y in gutter)


def test_octave_names_stay_readable_when_rows_are_thinner_than_the_text(qtbot):
    """The candidate roll spans a band's whole range in a short panel (2 px a row): the
    Cs' names were cut to specks (screenshot 08-band). Now each sits on a plate as tall as
    its text; counted here as the gutter's rows of pixels the name of C4 darkens."""
    view = MelodyEditor(lambda notes: None)
    qtbot.addWidget(view)
    view.resize(600, 200)
    view.set_notes([Note(60, 0.0, 1.0)], length_beats=8.0)
    view.low_pitch, view.high_pitch = 24, 96  # 73 rows in about 170 px
    view.show()
    qtbot.waitExposed(view)
    assert view.row_height() < 4
    image = view.grab().toImage()
    scale = image.width() / view.width()
    y = view.y_for_pitch(60) + view.row_height()  # the bottom of C4's row
    text_rows = 0
    for py in range(round((y - 16) * scale), round((y + 2) * scale)):
        dark = [
            QColor(image.pixel(round(px * scale), py)).lightness()
            for px in range(view.GUTTER // 2, view.GUTTER - 4)
        ]
        text_rows += any(v < 110 for v in dark) and any(v > 180 for v in dark)
    assert text_rows >= 5 * scale, text_rows


def test_a_take_is_drawn_from_its_count_in_and_the_melody_comes_back_after(qtbot, editor):
    from composer_gui.core.recording import RecordingSetup
    from composer_gui.core.take_notes import take_so_far
    from models.pianoroll import Meter

    editor.stack.set_melody([Note(60, 0.0, 1.0)])
    setup = RecordingSetup(60.0, 2, (3, 4), 1)
    played = [(0.0, mido.Message("note_on", note=69, velocity=80))]
    take = take_so_far(played, 1.0, 1.0 + 0.5, setup)  # A held from -1.0: into the count-in
    editor.show_take(take)
    assert editor.first_beat == -3.0 and editor.view_start_beats == -3.0
    assert editor.span_beats == 9.0 and editor.visible_beats == 9.0  # count-in and two bars
    assert editor.x_for_beat(-3.0) == pytest.approx(editor.GUTTER)
    assert [name for _bar, name in editor.bar_labels()] == ["count-in", "1", "2"]
    melody = QColor(theme.track_colour(0)).rgb()
    x = round(editor.x_for_beat(-0.5))
    y = round(editor.y_for_pitch(69) + editor.row_height() / 2)
    assert editor.grab().toImage().pixel(x, y) == melody  # the pickup, drawn in the count-in
    qtbot.mouseClick(editor, Qt.LeftButton, pos=point(editor, 1.0, 72))
    assert [n.pitch for n in editor.stack.melody] == [60]  # no edit while a take records
    editor.zoom(2.0)
    editor.scrollbar.setValue(editor.scrollbar.maximum())
    assert editor.view_start_beats + editor.visible_beats == pytest.approx(6.0)
    editor.scrollbar.setValue(0)
    assert editor.view_start_beats == -3.0

    editor.show_take(None)
    editor.set_length(6.0, Meter(3, 4))
    assert editor.first_beat == 0.0 and editor.view_start_beats == 0.0
    assert [name for _bar, name in editor.bar_labels()] == ["1", "2"]
    assert [n.pitch for n in editor.notes] == [60]
