"""Faults found in session 14 by playing the real window under Xvfb as a musician would
(docs/app.md, "session 14: tried as a musician"), one test each; each failed before its
mend."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QRect
from PySide6.QtWidgets import QWidget

pytestmark = pytest.mark.gui

BAND = ["Melody", "Drums", "Bass", "Chords", "Pad"]


def on_window(window, widget: QWidget) -> QRect:
    """Where a widget lies in the window's coordinates."""
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def test_a_first_start_fits_the_screen(qtbot, tmp_path):
    """On a 1280x720 screen the first window was 1280x800: the on-screen keyboard and the
    status bar (where errors are repeated) lay below the screen's edge."""
    from composer_gui.ui.main_window import MainWindow

    window = MainWindow(data_dir=tmp_path / "data")  # no saved geometry: a first start
    window.ask_before_closing = False
    try:
        available = window.screen().availableGeometry()
        assert window.width() <= max(available.width(), window.minimumWidth())
        assert window.height() <= max(available.height(), window.minimumHeight())
    finally:
        window.close()
        window.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        gc.collect()


@pytest.mark.parametrize("height", [720, 680])  # 680: the first start on a 720-px screen
def test_a_band_take_at_1280x720_draws_its_strips_beside_the_roll_not_over_it(
    qtbot, window, height
):
    """A band's five strips and the stale row needed more height than a 720-pixel screen
    leaves, and Qt laid the strips over the candidate roll and its scroll bar."""
    window.resize(1280, height)
    window.tracks.set_tracks(BAND, drums=[name == "Drums" for name in BAND])
    window.stale_label.setVisible(True)
    window.regenerate_button.setVisible(True)
    qtbot.wait(50)
    roll = on_window(window, window.arrangement_view)
    assert roll.height() >= window.arrangement_view.minimumHeight() > 0
    for strip in window.tracks.strips:
        for widget in strip.widgets():
            seen = widget.visibleRegion().boundingRect()  # clipped by what holds it
            if seen.isEmpty():
                continue  # scrolled out of view, which is fine
            shown = QRect(widget.mapTo(window, seen.topLeft()), seen.size())
            assert not shown.intersects(roll), strip.name
    assert not on_window(window, window.stale_label).intersects(roll)
    # Every strip can still be reached (scrolled to if need be).
    assert [s.name for s in window.tracks.strips] == BAND


def test_an_export_that_fails_says_why_once(qtbot, window, melody_file, tmp_path):
    """A full disk read "The MIDI file could not be written (country.mid could not be
    saved in /tmp/tiny (no space left on device); choose another place.); choose another
    folder.": the core's sentence wrapped in a second one."""
    window.open_file(melody_file)
    window.melody_editor.edit(list(window.document.melody), "Touch")  # something to export
    told: list[str] = []
    window.report_error = told.append
    target = tmp_path / "no such folder" / "song.mid"  # a real failing write
    assert not window.export_to(target, asked=True)
    assert len(told) == 1
    message = told[0]
    assert "song.mid" in message and "no such folder" in message
    assert message.count("choose another") == 1, message
    assert ".)" not in message, message  # no sentence inside parentheses


def test_the_widget_with_the_keyboard_focus_looks_different(qtbot, window):
    """Keyboard only: Tab moved the focus, but the style sheet's borders hid Fusion's focus
    frame, so nothing on screen said where it was (22 presses of Tab under Xvfb changed
    the picture only where a box selected its text or the strips scrolled)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QSlider,
    )

    window.activateWindow()
    qtbot.waitActive(window)
    kinds = (QAbstractButton, QComboBox, QAbstractSpinBox, QSlider, QLineEdit)
    tabbed = [
        widget
        for widget in window.findChildren(QWidget)
        if isinstance(widget, kinds)
        and widget.isVisible()
        and widget.isEnabled()
        and widget.focusPolicy() & Qt.TabFocus
    ]
    assert len(tabbed) > 10  # the transport, the generate panel, the strips
    unmarked = []
    for widget in tabbed:
        window.setFocus()
        qtbot.wait(1)
        plain = widget.grab().toImage()
        widget.setFocus(Qt.TabFocusReason)
        assert widget.hasFocus()
        qtbot.wait(1)
        if widget.grab().toImage() == plain:
            unmarked.append(f"{type(widget).__name__} {widget.objectName()}")
    assert not unmarked, unmarked


@pytest.mark.jack
def test_the_input_box_leaves_out_composers_own_output(qtbot, window, jack_server):
    """The Input box offered "Composer:Composer", the window's own port for DAWs: chosen
    as the keyboard, a take would record what the app itself plays (seen over JACK)."""
    import mido

    from composer_gui.core import midi_io
    from composer_gui.ui import settings

    settings.put(settings.MIDI_API, "jack")
    window.open_daw_port()
    own = f"{midi_io.CLIENT_NAME}:{midi_io.virtual_port_name()}"
    jack_server.wait_for_port(own)
    backend = mido.Backend("mido.backends.rtmidi/UNIX_JACK", load=True)
    with backend.open_output("keys", virtual=True, client_name="S14Keys"):
        jack_server.wait_for_port("S14Keys:keys")
        window.refresh_inputs()
        offered = [
            window.transport.input.itemData(i) for i in range(window.transport.input.count())
        ]
        assert "S14Keys:keys" in offered  # another client's output is a keyboard
        assert own not in offered, offered


def sending_to_the_daw(qtbot, window, melody_file) -> None:
    """The tune opened, a take generated by the stand-in, and Send to DAW playing it over
    JACK past half a beat."""
    from composer_gui.ui import settings
    from tests.composer_gui.ui.stand_in_engine import StandInEngine

    settings.put(settings.MIDI_API, "jack")
    window.open_daw_port()
    assert window.open_file(melody_file)
    window.engine.engine = StandInEngine()
    with qtbot.waitSignal(window.generation_done, timeout=10000):
        window.generate()
    window.actions.send_to_daw.setChecked(True)
    qtbot.waitUntil(lambda: (window.arrangement_view.playhead_beats or 0.0) > 0.5, timeout=5000)


@pytest.mark.jack
def test_after_send_to_daw_the_playhead_goes_back_and_new_starts_at_bar_one(
    qtbot, window, jack_server, melody_file
):
    """Send to DAW, stopped after a while, left the playhead where it stopped and "Playing
    into the MIDI port 'Composer'..." in the status bar; New then drew the old playhead
    over the empty tune, and the next take's candidate roll showed it at bar 2."""
    sending_to_the_daw(qtbot, window, melody_file)
    window.actions.send_to_daw.setChecked(False)
    assert window.arrangement_view.playhead_beats is None  # back to where Play starts
    assert window.melody_editor.playhead_beats is None
    assert "Playing into" not in window.statusBar().currentMessage()
    window.seek(2.0)  # a click in the ruler, then New
    window.choose = lambda _title, _question, answers: "discard"
    assert window.new_project()
    assert window.arrangement_view.playhead_beats is None
    assert window.melody_editor.playhead_beats is None


@pytest.mark.jack
@pytest.mark.parametrize("then", ["new", "open"])
def test_new_or_open_while_sending_to_the_daw_stops_the_stream(
    qtbot, window, jack_server, melody_file, tmp_path, then
):
    """New or Open while Send to DAW played: the old tune went on streaming into the DAW
    under the new one, and the button stayed pressed for good (its only way back was the
    playhead timer, which New and Open stop)."""
    sending_to_the_daw(qtbot, window, melody_file)
    window.choose = lambda _title, _question, answers: "discard"
    assert window.new_project() if then == "new" else window.open_file(melody_file)
    assert not window.actions.send_to_daw.isChecked()
    assert "Playing into" not in window.statusBar().currentMessage()
    qtbot.wait(300)
    assert window.arrangement_view.playhead_beats is None  # nothing plays on


@pytest.mark.parametrize("then", ["new", "open"])
def test_new_or_open_while_generating_keeps_the_old_tunes_candidates_out(
    qtbot, window, melody_file, tmp_path, then
):
    """New pressed while a 282-bar tune was being accompanied: the candidates arrived a
    few seconds later on the new, empty tune, called stale, and made it "unsaved" (Xvfb).
    Open of another tune did the same."""
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_writer import write_arrangement
    from tests.composer_gui.ui.stand_in_engine import StandInEngine

    other = tmp_path / "other.mid"
    notes = [Note(60 + i, float(i), 1.0, 90) for i in range(8)]
    write_arrangement(Arrangement([Track("melody", notes)], tempo_bpm=110.0), other)
    assert window.open_file(melody_file)
    engine = StandInEngine(seconds=1.0)
    window.engine.engine = engine
    window.generate()
    qtbot.waitUntil(lambda: window.progress.value() > 0, timeout=5000)
    window.choose = lambda _title, _question, answers: "discard"
    assert window.new_project() if then == "new" else window.open_file(other)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10000)
    qtbot.wait(100)  # any result still on its way to the window
    assert window.document.candidates == []
    assert not window.document.dirty
    assert window.generate_button.isVisible() and not window.cancel_button.isVisible()


@pytest.mark.jack
def test_a_chosen_output_that_is_gone_is_named_with_the_window_s_way_out(
    qtbot, window, jack_server, melody_file
):
    """The MIDI output chosen in Preferences was unplugged (the feeder's ears had gone):
    pressing 2 said "...; run `composer-gui ports` and pick one of those names." in the
    window, a command-line answer to a musician at the window."""
    from composer_gui.ui import settings
    from tests.composer_gui.ui.stand_in_engine import StandInEngine

    settings.put(settings.MIDI_API, "jack")
    settings.put(settings.MIDI_OUTPUT, "Gone:ears")
    window.apply_output_settings()
    assert window.open_file(melody_file)
    window.engine.engine = StandInEngine()
    with qtbot.waitSignal(window.generation_done, timeout=10000):
        window.generate()
    told: list[str] = []
    window.report_error = told.append
    window.pick_and_play(1)
    assert len(told) == 1
    assert "Gone:ears" in told[0] and "Preferences" in told[0], told[0]
    assert "composer-gui" not in told[0], told[0]


def test_an_autosave_that_cannot_write_is_said_once(qtbot, window, melody_file, tmp_path):
    """With the data folder on a full disk every autosave failed into the log only
    ("Autosave failed: [Errno 28] No space left on device" every 5 s), and the window
    looked as safe as ever: a crash then would have lost the work without warning."""
    from composer_gui.core.autosave import Autosave

    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    window.autosaver = Autosave(blocked / "data")  # every write fails, as on a full disk
    told: list[str] = []
    window.report_error = told.append
    assert window.open_file(melody_file)
    window.melody_editor.edit(list(window.document.melody)[:-1], "Delete a note")
    window.autosave()
    window.melody_editor.edit(list(window.document.melody)[:-1], "Delete a note")
    window.autosave()  # still failing: not said again
    assert len(told) == 1, told
    assert "autosave" in told[0].lower() and "Save" in told[0], told[0]
    window.autosaver = Autosave(tmp_path / "data again")  # room again
    window.melody_editor.edit(list(window.document.melody)[:-1], "Delete a note")
    window.autosave()
    window.autosaver = Autosave(blocked / "data")
    window.melody_editor.edit(list(window.document.melody)[:-1], "Delete a note")
    window.autosave()  # a new failure after a good write is said again
    assert len(told) == 2, told
    assert window.save_to(tmp_path / "safe.composer")  # as the sentence says
    window.melody_editor.edit(list(window.document.melody)[:-1], "Delete a note")
    window.autosave()  # new work, not safe anywhere: said again (it stayed silent)
    assert len(told) == 3, told


def test_generate_right_after_open_keeps_its_own_take_while_the_cancelled_one_ends(
    qtbot, window, melody_file, tmp_path
):
    """Open while a generation ran cancels it, but the cancelled job still ends on the
    worker after Generate was pressed again: its end used to be taken for the new job's
    (the window forgot the new job, and the new take was dropped when it came)."""
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_writer import write_arrangement
    from tests.composer_gui.ui.stand_in_engine import StandInEngine

    other = tmp_path / "other.mid"
    notes = [Note(60 + i, float(i), 1.0, 90) for i in range(8)]
    write_arrangement(Arrangement([Track("melody", notes)], tempo_bpm=110.0), other)
    assert window.open_file(melody_file)
    window.engine.engine = StandInEngine(seconds=1.0)
    window.generate()
    qtbot.waitUntil(lambda: window.progress.value() > 0, timeout=5000)
    window.choose = lambda _title, _question, answers: "discard"
    assert window.open_file(other)
    window.generate()  # queued behind the cancelled job on the one worker
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10000)
    qtbot.wait(100)
    assert window.last_error is None
    assert len(window.document.takes) == 1 and window.document.candidates
    assert window.document.takes[0].melody == tuple(window.document.melody)
    assert window.generate_job is None and window.generate_button.isVisible()
