"""Issue 15's window bugs, one test each, driven in sequence as a musician found them.

Each test failed on the main branch of 2026-12-01 (before the document model): the flows
worked one at a time, but broke when run one after another (New then Generate, Generate
then edit then Export, a mute in one tune and then Open of the next).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.core.project import load_project
from tests.composer_gui.ui.stand_in_engine import StandInEngine
from tests.composer_gui.ui.tunes import MELODY
from tests.support.crash import as_if_crashed

pytestmark = pytest.mark.gui

EXTRA = Note(74, 8.0, 1.0, 90)


@pytest.fixture
def other_file(tmp_path) -> Path:
    path = tmp_path / "other.mid"
    notes = [Note(60 + i, float(i), 1.0, 90) for i in range(8)]
    write_arrangement(Arrangement([Track("melody", notes)], tempo_bpm=110.0), path)
    return path


def generate(qtbot, window, engine=None) -> None:
    window.engine.engine = engine or StandInEngine()
    with qtbot.waitSignal(window.generation_done, timeout=10000):
        window.generate()


def type_notes(window, notes) -> None:
    """Notes entered as a musician does (click in the grid): one undoable edit."""
    window.melody_editor.edit(list(notes), "Add notes")


def exported(window, path) -> Arrangement:
    window.choose = lambda _title, _question, answers: "export" if "export" in answers else None
    assert window.export_to(path)
    return read_arrangement(path)


# --- 1. crash recovery ---------------------------------------------------------------


def test_restore_question_open_does_not_overwrite_the_autosave(qtbot, window, melody_file):
    from composer_gui.ui.main_window import MainWindow

    window.open_file(melody_file)
    type_notes(window, MELODY[:3])
    window.autosave()
    saved = window.autosave_path.read_bytes()
    as_if_crashed(window.autosaver)
    second = MainWindow(data_dir=window.data_dir)
    second.ask_before_closing = False
    qtbot.addWidget(second)

    def answer_after_a_while() -> bool:
        second.autosave()  # the 5-second timer fires while the question is open
        assert window.autosave_path.read_bytes() == saved
        return True

    assert second.offer_restore(ask=answer_after_a_while)
    assert second.melody_editor.notes == MELODY[:3]
    second.close()


def test_a_fresh_window_writes_no_autosave(qtbot, window):
    window.autosave()
    assert not window.autosave_path.exists()


def test_autosave_keeps_the_previous_copy(qtbot, window, melody_file):
    window.open_file(melody_file)
    type_notes(window, MELODY[:3])
    window.autosave()
    type_notes(window, MELODY[:2])
    window.autosave()
    previous = load_project(window.autosaver.files.previous_path)
    assert previous.melody.tracks[0].notes == MELODY[:3]
    assert load_project(window.autosave_path).melody.tracks[0].notes == MELODY[:2]


# --- 2. New, notes, Generate ---------------------------------------------------------


def test_new_then_notes_then_generate_makes_one_take(qtbot, window, melody_file):
    window.open_file(melody_file)
    generate(qtbot, window)
    window.choose = lambda *_args: "discard"
    window.new_project()
    type_notes(window, MELODY)
    generate(qtbot, window)
    assert window.last_error is None
    assert window.candidates.history.count() == 1
    assert len(window.project.generations) == 1


# --- 3. New and Open ask before discarding -------------------------------------------


@pytest.mark.parametrize("flow", ["new", "open"])
def test_new_and_open_ask_before_discarding_unsaved_work(
    qtbot, window, melody_file, other_file, flow
):
    window.ask_before_closing = True
    window.open_file(melody_file)
    generate(qtbot, window)
    asked = []
    window.choose = lambda title, question, answers: asked.append(title) and None  # Cancel
    if flow == "new":
        window.new_project()
    else:
        window.open_file(other_file)
    assert asked, "the musician was not asked"
    assert window.melody_editor.notes == MELODY
    assert window.candidates.tree.topLevelItemCount() == window.count.value()


# --- 4. edits after generating -------------------------------------------------------


def test_edits_after_generating_reach_export_and_are_called_stale(
    qtbot, window, melody_file, tmp_path
):
    window.open_file(melody_file)
    generate(qtbot, window)
    window.candidates.select(0)
    type_notes(window, [*MELODY, EXTRA])
    assert window.stale_label.isVisible()
    asked = []

    def choose(title, question, answers):
        asked.append(answers)
        return "export"

    window.choose = choose
    assert window.export_to(tmp_path / "out.mid")
    assert asked and "generate" in asked[0]
    written = read_arrangement(tmp_path / "out.mid")
    assert written.tracks[0].notes == [*MELODY, EXTRA]
    assert window.arrangement_view.arrangement.tracks[0].notes == [*MELODY, EXTRA]


def test_send_to_daw_carries_the_melody_on_screen(qtbot, window, melody_file):
    window.open_file(melody_file)
    generate(qtbot, window)
    window.candidates.select(0)
    type_notes(window, [*MELODY, EXTRA])
    sent = []
    window.audition.play = lambda arrangement, *_a, **_k: sent.append(arrangement)
    window.actions.send_to_daw.setChecked(True)
    assert sent and sent[-1].tracks[0].notes == [*MELODY, EXTRA]


# --- 5. take history -----------------------------------------------------------------


def test_choosing_an_earlier_take_shows_its_candidate(qtbot, window, melody_file):
    window.open_file(melody_file)
    generate(qtbot, window)
    window.candidates.select(1)
    type_notes(window, [*MELODY, EXTRA])
    generate(qtbot, window, window.engine.engine)
    window.candidates.select(0)
    second = window.project.generations[1][0].arrangement
    window.candidates.history.setCurrentIndex(0)
    shown = window.arrangement_view.arrangement
    assert shown is None or shown.tracks[1].notes != second.tracks[1].notes
    assert shown is not None and shown.tracks[1].notes == (
        window.project.generations[0][1].arrangement.tracks[1].notes
    )


def test_new_and_open_clear_the_candidate_view(qtbot, window, tmp_path, other_file):
    notes = [Note(60 + i % 5, 2.0 * i, 2.0, 90) for i in range(80)]  # 40 bars
    long_file = tmp_path / "long.mid"
    write_arrangement(Arrangement([Track("melody", notes)], tempo_bpm=120.0), long_file)
    window.open_file(long_file)
    window.choose = lambda *_args: "sections"
    generate(qtbot, window)
    window.candidates.select(0)
    window.choose = lambda *_args: "discard"
    window.open_file(other_file)
    assert window.arrangement_view.arrangement is None
    assert window.arrangement_view.length_beats <= 8 * 4
    window.new_project()
    assert window.arrangement_view.arrangement is None
    assert window.candidates.tree.topLevelItemCount() == 0


# --- 6. mix leaking between tunes ----------------------------------------------------


def test_a_mute_does_not_leak_into_the_next_tune(qtbot, window, melody_file, other_file):
    window.open_file(melody_file)
    generate(qtbot, window)
    window.candidates.select(0)
    window.tracks.strips[2].mute.click()
    window.choose = lambda *_args: "discard"
    window.open_file(other_file)
    assert window.tracks.audible() == [True, True, True, True]
    generate(qtbot, window)
    window.candidates.select(0)
    (url,) = window.drag_handle.make_mime().urls()
    assert len(read_arrangement(Path(url.toLocalFile())).tracks) == 4


# --- 7. the melody track -------------------------------------------------------------


def test_the_window_says_which_track_it_took_and_lets_the_musician_choose(qtbot, window, tmp_path):
    chords = [Note(p, float(b), 1.0, 70) for b in range(8) for p in (48, 52, 55)]
    tune = [Note(72 + (i % 3), float(i), 1.0, 90) for i in range(8)]
    path = tmp_path / "piano.mid"
    write_arrangement(
        Arrangement([Track("left hand", chords), Track("right hand", tune, channel=1)]), path
    )
    assert window.open_file(path)
    assert "left hand" in window.statusBar().currentMessage().lower()
    box = window.melody_track_box
    assert box.isVisible() and box.count() == 2
    box.setCurrentIndex(1)
    assert window.melody_editor.notes == tune
    window.undo_action.trigger()
    assert window.melody_editor.notes == sorted(chords, key=lambda n: (n.start_beat, n.pitch))


# --- 8. the window's small problems --------------------------------------------------


def test_compact_mode_leaves_a_way_back(qtbot, window):
    window.actions.compact.setChecked(True)
    assert not window.menuBar().isVisible()
    back = window.leave_compact_button
    assert back.isVisible()
    back.click()
    assert not window.actions.compact.isChecked()
    assert window.menuBar().isVisible()


def test_number_keys_choose_and_play_and_reach_candidate_16(qtbot, window, melody_file):
    window.open_file(melody_file)
    window.count.setValue(16)
    generate(qtbot, window)
    played = []
    window.start_playback = lambda beat=0.0, to_daw=False: played.append(beat) or True
    qtbot.keyClick(window, Qt.Key_2)
    assert window.project.pick == (0, 1)
    assert played, "the status bar says 1-9 play the candidates"
    qtbot.keyClick(window, Qt.Key_9)
    for _ in range(7):
        qtbot.keyClick(window, Qt.Key_BracketRight)  # next candidate
    assert window.project.pick == (0, 15)


def test_restore_is_offered_until_answered_and_declining_removes_it(qtbot, window, melody_file):
    from composer_gui.ui.main_window import MainWindow

    window.open_file(melody_file)
    type_notes(window, MELODY[:3])
    window.autosave()
    as_if_crashed(window.autosaver)
    # a second start crashes while its question is open: nothing was answered
    second = MainWindow(data_dir=window.data_dir)
    qtbot.addWidget(second)
    type_notes(second, MELODY[:1])  # even work typed meanwhile is not written over it
    second.autosave()
    as_if_crashed(second.autosaver)
    third = MainWindow(data_dir=window.data_dir)
    third.ask_before_closing = False
    qtbot.addWidget(third)
    assert not third.offer_restore(ask=lambda: False)
    assert not window.autosave_path.exists()
    assert not third.autosaver.files.previous_path.exists()
    assert not window.autosaver.files.previous_path.exists()
    third.close()
    second.ask_before_closing = False
    second.autosaver.release()
    second.close()
