"""Faults left by session 15's review and tryout (docs/app.md, "Session 16"), one test
each; each failed before its mend."""

from __future__ import annotations

import pytest

from composer_gui.core.arrangement import Arrangement, Track
from composer_gui.ui import settings
from tests.support.crash import as_if_crashed

pytestmark = pytest.mark.gui


def test_a_changing_daw_clock_never_flips_the_transport_rows(qtbot, window):
    """Following a DAW near 100 BPM, the clock's words changed width with their digits
    (99 -> 100 BPM, playing -> stopped) every 200 ms, and at about 1400 px the transport
    flipped between one and two rows, the panels jumping with it."""
    bar = window.transport
    clock = ["DAW 99 BPM, playing", "DAW 100 BPM, stopped", "DAW 101 BPM, playing"]
    clock += ["waiting for the DAW", "DAW 128 BPM, stopped", "DAW 99 BPM, stopped"]
    needs = set()
    for text in clock:
        bar.show_clock(text)
        needs.add(bar.one_row_width())
    beside = window.width() - bar.width()
    for width in sorted({need + step for need in needs for step in (-1, 0, 1)}):
        window.resize(width + beside, 720)
        qtbot.wait(20)
        rows = []
        for text in clock:
            bar.show_clock(text)
            rows.append(bar.one_row)
        assert len(set(rows)) == 1, (width, list(zip(clock, rows, strict=True)))


def test_save_as_and_export_remember_their_folder_for_the_next_dialog(
    window, melody_file, tmp_path, monkeypatch
):
    """Only Open recorded the folder last used: after saving into a project folder, the
    next Open started in the folder of the last file opened."""
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    assert window.open_file(melody_file)
    projects, exports = tmp_path / "projects", tmp_path / "bounces"
    projects.mkdir()
    exports.mkdir()
    offered = []

    def open_dialog(*args):
        offered.append(Path(args[2]))
        return "", ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_dialog)
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args: (str(projects / "song.composer"), "")
    )
    assert window.save_as()
    window.choose_and_open()
    assert offered[-1] == projects
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args: (str(exports / "song.mid"), "")
    )
    window.choose_and_export()
    assert (exports / "song.mid").is_file()
    window.choose_and_open()
    assert offered[-1] == exports


def test_a_recovered_opened_tune_leaves_the_record_settings_alone(
    qtbot, window, corpus_midi, tmp_path
):
    """Open a tune, edit its tempo, crash, recover, edit its tempo, bars and meter
    again, close: the next start's new melody had the recovered tune's settings."""
    from composer_gui.ui.main_window import MainWindow

    window.transport.tempo.setValue(84)  # a new melody's record tempo, before the tune
    window.write_settings()  # as an earlier session's close did
    assert window.open_file(corpus_midi["bwv66.6"].path)
    window.transport.tempo.setValue(150)
    window.autosave()
    # the app "crashed": no closeEvent; a new window starts on the same data folder
    as_if_crashed(window.autosaver)
    second = MainWindow(data_dir=window.data_dir)
    second.ask_before_closing = False
    qtbot.addWidget(second)
    assert second.offer_restore(ask=lambda: True)
    assert second.document.tempo_bpm == 150.0
    second.transport.tempo.setValue(66)
    second.transport.bars.setValue(3)
    second.transport.meter.setCurrentIndex(second.transport.meter.findText("3/4"))
    second.close()  # writes the settings
    assert settings.get(settings.TEMPO_BPM) == 84.0
    assert settings.get(settings.BARS) == 4 and settings.get(settings.METER) == "4/4"


@pytest.fixture
def five_four(tmp_path):
    """Four bars of 5/4: a tune the app draws and counts but does not accompany."""
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_writer import write_arrangement

    notes = [Note(62 + (i % 5), float(i), 1.0, 90) for i in range(20)]
    path = tmp_path / "five.mid"
    write_arrangement(
        Arrangement([Track("melody", notes)], tempo_bpm=100.0, time_signature=(5, 4)), path
    )
    return path


def test_every_meter_offered_for_a_new_melody_is_the_next_starts(qtbot, window, five_four):
    """A 5/4 tune opened put 5/4 in the meter box for good; chosen after New it was saved
    as the record meter and read back as 4/4 at the next start. Each meter the box offers
    a new melody comes back."""
    from composer_gui.ui.main_window import MainWindow

    assert window.open_file(five_four)
    assert window.transport.chosen_meter() == (5, 4)  # an opened tune's own meter is shown
    assert window.new_project()
    box = window.transport.meter
    offered = [box.itemText(i) for i in range(box.count())]
    assert "4/4" in offered and "6/8" in offered
    for text in offered:
        box.setCurrentIndex(box.findText(text))
        window.write_settings()
        again = MainWindow(data_dir=window.data_dir)
        again.ask_before_closing = False
        qtbot.addWidget(again)
        meter = "{}/{}".format(*again.document.time_signature)
        assert (meter, again.transport.meter.currentText()) == (text, text)
        again.close()


def test_the_window_fits_a_1024_by_600_screen_with_a_stale_take(qtbot, window, melody_file):
    """At 1024x600 the window's minimum height was 641 px (the transport's two rows, the
    panels, the piano): a first start there was 1024x647, the piano and the status bar
    below the screen. It fits now, with the stale row of a take shown too (it adds a
    row), and every control keeps the height it needs."""
    from PySide6.QtWidgets import QAbstractButton, QComboBox

    from composer_gui.core.arrangement import Arrangement, Track
    from composer_gui.core.candidate import Candidate

    assert window.open_file(melody_file)
    doc = window.document
    arrangement = Arrangement(
        [Track("melody", list(doc.melody)), *(Track(n, []) for n in ("alto", "tenor", "bass"))]
    )
    doc.add_take([Candidate(arrangement, 1, 0.0, 50.0, style="chorale")], doc.melody)
    doc.pick_candidate(0)
    doc.set_melody(list(doc.melody)[1:], "Delete note")  # the take is stale now
    window.resize(1024, 600)
    qtbot.wait(50)
    assert window.stale_label.isVisibleTo(window)
    assert not window.transport.one_row  # the input and clock on their own row
    assert (window.width(), window.height()) == (1024, 600)
    assert window.minimumSizeHint().height() + 30 <= 600  # a window manager's title bar too
    inside = window.rect()
    for widget in (
        window.piano,
        window.statusBar(),
        window.generate_button,
        window.regenerate_button,
        window.drag_handle,
        window.pickup_box,
        window.melody_editor,
        window.arrangement_view,
        window.candidates,
        window.tracks_area,
    ):
        place = widget.rect().translated(widget.mapTo(window, widget.rect().topLeft()))
        assert inside.contains(place), type(widget).__name__
        needed = max(widget.minimumHeight(), widget.minimumSizeHint().height())
        assert widget.height() >= needed, type(widget).__name__
    for widget in window.findChildren(QAbstractButton) + window.findChildren(QComboBox):
        if widget.isVisibleTo(window) and widget.parent() is not None:
            assert widget.height() >= widget.minimumSizeHint().height(), widget.text()


def test_a_meter_change_is_one_undo_step_with_the_stale_row_following(qtbot, window, melody_file):
    """Ctrl+Z after 6/8 -> 3/4 did nothing: the meter box was outside the undo history.
    Now a meter change is one step, undone and redone with the bars, the box and the
    stale row as a melody edit is."""
    from composer_gui.core.candidate import Candidate

    assert window.open_file(melody_file)
    doc, box = window.document, window.transport.meter
    arrangement = Arrangement(
        [Track("melody", list(doc.melody)), *(Track(n, []) for n in ("alto", "tenor", "bass"))]
    )
    doc.add_take([Candidate(arrangement, 1, 0.0, 50.0, style="chorale")], doc.melody)
    doc.pick_candidate(0)
    bars_in_4_4 = window.transport.bars.value()
    box.setCurrentIndex(box.findText("3/4"))
    assert doc.time_signature == (3, 4) and window.transport.bars.value() > bars_in_4_4
    assert window.stale_label.text() == "The meter changed after these candidates were written."
    assert window.undo_action.isEnabled() and "3/4" in window.undo_action.text()
    window.undo_action.trigger()
    assert doc.time_signature == (4, 4) and box.currentText() == "4/4"
    assert window.transport.bars.value() == bars_in_4_4
    assert not window.stale_label.isVisibleTo(window)
    assert not doc.can_undo and doc.can_redo
    window.redo_action.trigger()
    assert doc.time_signature == (3, 4) and box.currentText() == "3/4"
    assert window.stale_label.isVisibleTo(window)
    doc.set_melody(list(doc.melody)[1:], "Delete note")
    window.undo_action.trigger()  # the note back: the meter's change still stands
    assert doc.time_signature == (3, 4) and len(doc.melody) == len(arrangement.tracks[0].notes)
    window.undo_action.trigger()
    assert doc.time_signature == (4, 4) and not doc.stale


def test_undoing_a_new_melodys_meter_undoes_its_record_meter(window):
    """On a new melody the meter box sets the next New's meter: undoing it does too."""
    box = window.transport.meter
    box.setCurrentIndex(box.findText("6/8"))
    assert window.document.new_tune.time_signature == (6, 8)
    window.undo_action.trigger()
    assert window.document.new_tune.time_signature == (4, 4)
    assert box.currentText() == "4/4"


def test_two_windows_keep_their_own_autosave(qtbot, window, melody_file):
    """With two copies of the app running, each wrote over the other's autosave, and a
    clean close of one removed the other's."""
    from composer_gui.core.project import load_project
    from composer_gui.ui.main_window import MainWindow

    second = MainWindow(data_dir=window.data_dir)
    second.ask_before_closing = False
    qtbot.addWidget(second)
    for win, keep in ((window, 3), (second, 5)):
        assert win.open_file(melody_file)
        win.document.set_melody(list(win.document.melody)[:keep], "Delete notes")
        win.autosave()
    second.close()  # a clean close removes its own copy only
    assert not second.autosave_path.exists()
    assert len(load_project(window.autosave_path).melody.tracks[0].notes) == 3
    third = MainWindow(data_dir=window.data_dir)
    third.ask_before_closing = False
    qtbot.addWidget(third)
    asked = []
    assert not third.offer_restore(ask=lambda: asked.append(True) or True)
    assert asked == []  # the first window still runs: its copy is not offered
    third.close()
    as_if_crashed(window.autosaver)
    fourth = MainWindow(data_dir=window.data_dir)
    fourth.ask_before_closing = False
    qtbot.addWidget(fourth)
    assert fourth.offer_restore(ask=lambda: True)
    assert len(fourth.document.melody) == 3
    fourth.close()


def test_a_note_deleted_while_playing_is_not_heard_from_the_next_bar(qtbot, window, melody_file):
    """Play and Send to DAW scheduled the notes once at their start: a note deleted while
    playing went on sounding until the next Play."""
    import time

    from tests.composer_gui.core.test_playback_swap import RecordingPort

    assert window.open_file(melody_file)
    doc = window.document
    doc.set_tempo(240.0)  # a beat every 0.25 s: the tune's two bars in 2 s
    port = RecordingPort()
    port.close = lambda: None
    window.audition.output_name = "Recording port"  # a MIDI output, not the built-in synth
    window.audition._open_chosen_output = lambda: port  # opened at each Play
    window.actions.play.setChecked(True)
    qtbot.wait(300)  # in bar 1
    start = window.audition._player.start_time
    deleted = next(n for n in doc.melody if n.start_beat == 4.0)  # bar 2's first note
    assert deleted.pitch not in [n.pitch for n in doc.melody if n.start_beat < 4.0]
    doc.set_melody([n for n in doc.melody if n != deleted], "Delete note")
    qtbot.waitUntil(lambda: time.perf_counter() > start + 2.1, timeout=5000)
    window.actions.play.setChecked(False)
    played = [m.note for _t, m in port.sent if m.type == "note_on" and m.velocity > 0]
    assert played == [n.pitch for n in doc.melody]  # as shown now, the deleted one unheard
