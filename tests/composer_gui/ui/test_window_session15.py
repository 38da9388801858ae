"""Faults found in session 14 and 15 by playing the real window as a musician would
(docs/app.md, "Session 15: tried as a musician"), one test each; each failed before its
mend."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QRect
from PySide6.QtWidgets import QWidget

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


def text_room(combo) -> int:
    """The width a combo box draws its current text in (its edit field)."""
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(
        QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, combo
    )
    return field.width()


@pytest.mark.parametrize("width", [1280, 1024, 900])
def test_the_input_box_shows_a_port_and_its_state_whole(qtbot, window, width):
    """The Input box cut "FeederKeys:keys (not connected)" to "FeederKeys:keys (r"."""
    window.resize(width, 720)
    window.transport.set_inputs(["Midi Through:Port-0"], "FeederKeys:keys")
    qtbot.wait(50)
    box = window.transport.input
    text = "FeederKeys:keys (not connected)"
    assert box.currentText() == text
    assert box.fontMetrics().horizontalAdvance(text) <= text_room(box)
    assert box.toolTip() == text


def test_a_port_name_too_long_for_the_box_is_cut_in_the_middle_with_all_of_it_in_the_tip(
    qtbot, window
):
    window.resize(900, 720)
    name = "A very long USB MIDI interface name:" + "x" * 120 + " Port 1"
    window.transport.set_inputs([name], name)
    qtbot.wait(50)
    box = window.transport.input
    shown = box.shown_text()
    assert shown != name and "\u2026" in shown
    assert shown.startswith("A very") and shown.endswith("Port 1")
    assert box.fontMetrics().horizontalAdvance(shown) <= text_room(box)
    assert box.toolTip() == name


def transport_texts_cut(window) -> list[str]:
    """Each transport control whose text does not fit it, by QFontMetrics."""
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QToolButton

    bar, cut = window.transport, []
    shown = [w for w in bar.findChildren(QWidget) if w.isVisibleTo(window)]
    for widget in shown:
        metrics = widget.fontMetrics()
        if isinstance(widget, QToolButton | QLabel):
            text, room = widget.text(), widget.contentsRect().width()
            if isinstance(widget, QToolButton):
                room = widget.width() - 6  # the style's margins either side of the text
        elif isinstance(widget, QComboBox):
            text, room = widget.currentText(), text_room(widget)
        elif isinstance(widget, QAbstractSpinBox):
            text, room = widget.text(), widget.lineEdit().width()
        else:
            continue
        if metrics.horizontalAdvance(text) > room:
            cut.append(f"{text!r}: {metrics.horizontalAdvance(text)} px in {room}")
    return cut


def transport_overlaps(window) -> list[str]:
    from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLabel, QToolButton

    bar = window.transport
    kinds = QToolButton | QLabel | QComboBox | QAbstractSpinBox
    shown = [
        w
        for w in bar.findChildren(QWidget)
        if w.isVisibleTo(window)
        and isinstance(w, kinds)
        and w.parent() is not None
        and not isinstance(w.parent(), QAbstractSpinBox | QComboBox)
    ]
    rects = [(w, QRect(w.mapTo(bar, w.rect().topLeft()), w.size())) for w in shown]
    faults = [
        f"{w.objectName() or type(w).__name__} outside"
        for w, r in rects
        if not bar.rect().contains(r)
    ]
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1 :]:
            if ra.intersects(rb):
                faults.append(f"{type(a).__name__} over {type(b).__name__}")
    return faults


@pytest.mark.parametrize("size", [(900, 720), (1024, 600), (1280, 720)])
def test_every_transport_control_is_readable_down_to_the_minimum_width(qtbot, window, size):
    """At 900 px, the window's minimum, the row was cut to "●...c", "▶...y", "M...e":
    it needs about 1110 px. Below that the input and clock go to a second row."""
    window.transport.set_inputs(["Midi Through:Port-0"], "FeederKeys:keys")
    window.resize(*size)
    qtbot.wait(50)
    assert window.width() == size[0]  # the window did not grow past the screen's width
    assert transport_texts_cut(window) == []
    assert transport_overlaps(window) == []


@pytest.mark.parametrize(
    ("width", "chosen", "one_row"),
    [(1280, "", True), (1920, "FeederKeys:keys", True), (1280, "FeederKeys:keys", False)],
)
def test_the_transport_keeps_one_row_where_its_labels_fit(qtbot, window, width, chosen, one_row):
    """A second row costs the rolls 36 px of height: only where one row lacks the room."""
    window.transport.set_inputs([], chosen)
    window.resize(width, 720)
    qtbot.wait(50)
    assert window.transport.one_row == one_row
    assert transport_texts_cut(window) == []


def test_the_transport_buttons_keep_their_labels_after_a_take(window):
    """After a take the Rec button read "Record": any change of its action (checked,
    enabled) put the action's menu text back on the button in place of its own label."""
    a, bar = window.actions, window.transport
    labels = {
        bar.record: "\u25cf  Rec",
        bar.play: "\u25b6  Play",
        bar.loop: "\u21bb  Loop",
        bar.metronome: "Metronome",
        bar.count_in: "Count-in",
        bar.keyboard: "\u2328  Keys",
    }
    for action in (a.record, a.play, a.loop, a.metronome, a.count_in, a.computer_keyboard):
        action.setEnabled(False)  # what a take's start and end do to Rec
        action.setEnabled(True)
    assert {button: button.text() for button in labels} == labels
    a.play.toggled.disconnect(window.set_playing)  # the label alone: no sound here
    a.play.setChecked(True)
    assert bar.play.text() == "\u25a0  Stop"
    a.play.setEnabled(False)
    a.play.setEnabled(True)
    assert bar.play.text() == "\u25a0  Stop"
    a.play.setChecked(False)
    assert bar.play.text() == "\u25b6  Play"
    assert a.record.text() == "&Record"  # the menu keeps its words


def test_the_take_menu_says_each_takes_style(qtbot):
    """With chorale and band takes of one melody, the Take menu read "Take 1 (8
    candidates)", "Take 3 (8 candidates)": nothing told which was the band."""
    from composer_gui.core.candidate import Candidate
    from composer_gui.ui.candidates import CandidatesPanel

    def take(style: str, count: int) -> list[Candidate]:
        melody = Arrangement([Track("melody", [])])
        return [Candidate(melody, n + 1, 0.0, 50.0, style=style) for n in range(count)]

    panel = CandidatesPanel()
    qtbot.addWidget(panel)
    panel.set_generations([take("chorale", 8), take("pop ballad", 8), take("", 2)])
    texts = [panel.history.itemText(i) for i in range(panel.history.count())]
    assert texts == [
        "Take 1: chorale  (8 candidates)",
        "Take 2: pop ballad  (8 candidates)",
        "Take 3  (2 candidates)",  # a project saved before styles were kept
    ]


def test_export_and_drag_name_the_file_after_the_tune_the_take_and_the_style(
    qtbot, window, melody_file, tmp_path, monkeypatch
):
    """Export offered "Composer.mid" for every tune and take, so a second export
    overwrote the first unless renamed, and a DAW named every dragged clip "Composer"."""
    from PySide6.QtWidgets import QFileDialog

    from composer_gui.core.candidate import Candidate
    from composer_gui.ui import drag_handle

    assert window.open_file(melody_file)
    doc = window.document
    assert doc.export_stem == "tune - melody"
    arrangement = Arrangement(
        [Track("melody", list(doc.melody)), *(Track(n, []) for n in ("alto", "tenor", "bass"))]
    )
    for style in ("chorale", "pop ballad"):
        doc.add_take(
            [Candidate(arrangement, n + 1, 0.0, 50.0, style=style) for n in range(3)],
            doc.melody,
        )
    doc.pick_candidate(2)  # of the take on show, the newest
    assert doc.export_stem == "tune - take 2 - pop ballad 3"
    offered = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args: offered.append(args[2]) or ("", "")
    )
    window.choose_and_export()
    assert offered and offered[0].endswith("tune - take 2 - pop ballad 3.mid")
    monkeypatch.setattr(drag_handle, "DRAG_FOLDER", tmp_path / "drag")
    assert window.drag_handle.make_mime() is not None
    assert window.drag_handle.last_file.name.startswith("tune - take 2 - pop ballad 3 ")


def test_the_stale_row_says_what_changed_since_the_take(qtbot, window, melody_file):
    """After the meter box went from 4/4 to 3/4 the row said "The melody changed after
    these candidates were written for it": the melody had not changed."""
    from composer_gui.core.candidate import Candidate

    assert window.open_file(melody_file)
    doc = window.document
    arrangement = Arrangement(
        [Track("melody", list(doc.melody)), *(Track(n, []) for n in ("alto", "tenor", "bass"))]
    )
    doc.add_take([Candidate(arrangement, 1, 0.0, 50.0, style="chorale")], doc.melody)
    doc.pick_candidate(0)
    assert not window.stale_label.isVisibleTo(window)
    doc.set_meter((3, 4))
    assert window.stale_label.isVisibleTo(window)
    assert "meter" in window.stale_label.text() and "melody" not in window.stale_label.text()
    doc.set_meter((4, 4))
    doc.set_pickup(4)  # a beat
    assert "pickup" in window.stale_label.text()
    doc.set_pickup("auto")
    assert not window.stale_label.isVisibleTo(window)
    doc.set_melody(list(doc.melody)[1:], "Delete note")
    assert (
        window.stale_label.text()
        == "The melody changed after these candidates were written for it."
    )


def test_the_melody_panel_follows_the_transport_back_to_one_row(qtbot, window):
    """Compact mode at 900 px, back to the full window, then 1280 px: the transport went
    back to one row but the panels below stayed where its two rows had put them, under
    an empty band 36 px high."""
    window.resize(900, 680)
    window.actions.compact.setChecked(True)
    qtbot.wait(20)
    window.actions.compact.setChecked(False)
    qtbot.wait(20)
    for width, one_row in ((1280, True), (900, False), (1280, True)):
        window.resize(width, 680)
        qtbot.wait(50)
        bar, below = window.transport, window.vertical_splitter
        assert bar.one_row == one_row
        gap = below.geometry().top() - bar.geometry().bottom() - 1
        assert gap == window.centralWidget().layout().spacing(), width


def test_the_first_save_and_export_offer_the_home_folder(window, melody_file, monkeypatch):
    """With no folder used yet, Save and Export opened in the folder the app was started
    from (the source tree, in the tryout), not the musician's own."""
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    assert window.open_file(melody_file)  # by its path: no folder chosen in a dialog
    assert settings.get(settings.LAST_FOLDER) == ""
    offered = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args: offered.append(args[2]) or ("", "")
    )
    window.save_as()
    window.choose_and_export()
    assert [Path(path).parent for path in offered] == [Path.home(), Path.home()]
    settings.put(settings.LAST_FOLDER, str(melody_file.parent / "gone"))  # removed since
    window.save_as()
    assert Path(offered[-1]).parent == Path.home()
