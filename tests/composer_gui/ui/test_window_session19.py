"""Session 19's walk through the whole app (docs/usability/session19.md): what it found.

A crash in the middle of a take lost everything played since Record was pressed: the
document does not change until the take ends, so the autosave had nothing new to write
(a fresh melody's document is not even unsaved). Now the autosave's tick writes the take
as the melody it would give were it to end then.
"""

from __future__ import annotations

import pytest

from composer_gui.core.project import load_project
from tests.support.crash import as_if_crashed

pytestmark = pytest.mark.gui


def record_two_notes(qtbot, window) -> None:
    """A take from the on-screen keys, no count-in: C4 played and released, E4 held."""
    window.actions.metronome.setChecked(False)
    window.actions.count_in.setChecked(False)
    window.transport.tempo.setValue(120)
    window.transport.bars.setValue(8)  # 16 s: the take is still running when we crash
    window.actions.record.setChecked(True)
    assert window.take is not None, window.last_error
    window.play_note(60, 100)
    qtbot.wait(300)
    window.release_note(60)
    window.play_note(64, 100)
    qtbot.wait(300)  # E4 still held


def restarted(qtbot, window):
    """The app "crashed" (no closeEvent) and starts again on the same data folder."""
    from composer_gui.ui.main_window import MainWindow

    as_if_crashed(window.autosaver)
    second = MainWindow(data_dir=window.data_dir)
    second.ask_before_closing = False
    qtbot.addWidget(second)
    return second


def test_a_crash_mid_take_keeps_what_was_played(qtbot, window):
    record_two_notes(qtbot, window)
    window.autosave()  # the timer's tick, mid-take
    window.take.cancel()  # the crash: the take never ends
    second = restarted(qtbot, window)
    assert second.offer_restore(ask=lambda: True), "no autosave of the take in progress"
    pitches = [n.pitch for n in second.document.melody]
    assert pitches == [60, 64]
    first, held = second.document.melody
    assert first.start_beat < held.start_beat and held.duration_beats > 0
    assert second.document.dirty  # unsaved, as any restored work


def test_a_crash_mid_take_over_a_melody_keeps_its_candidates_and_the_take(
    qtbot, window, melody_file, tmp_path
):
    """Recording over a tune with candidates: the take is the melody of the copy, the
    candidates stay (shown as written for another melody), and the file is remembered."""
    from composer_gui.core.arrangement import Arrangement, Track
    from composer_gui.core.candidate import Candidate

    assert window.open_file(melody_file)
    melody = list(window.document.melody)
    candidate = Candidate(
        Arrangement([Track("melody", melody)]), rank=1, critic_score=1.0, percentile=50.0
    )
    window.document.add_take([candidate], tuple(melody))
    window.save_to(tmp_path / "tune.composer")
    record_two_notes(qtbot, window)
    window.autosave()
    window.take.cancel()
    second = restarted(qtbot, window)
    assert second.offer_restore(ask=lambda: True)
    assert [n.pitch for n in second.document.melody] == [60, 64]
    assert len(second.document.candidates) == 1
    assert second.document.path == tmp_path / "tune.composer"


def test_the_take_written_again_only_when_it_grew_and_the_end_writes_the_document(qtbot, window):
    record_two_notes(qtbot, window)
    assert window.autosaver.write(window.document, window.take.notes_now())
    qtbot.wait(300)  # E4 held on, a quantized step longer or more
    window.release_note(64)
    qtbot.wait(50)
    now = window.take.notes_now()
    assert window.autosaver.write(window.document, now)  # E4 longer: the take changed
    assert not window.autosaver.write(window.document, now)  # nothing new
    copy = load_project(window.autosave_path).melody.tracks[0].notes
    window.actions.record.setChecked(False)  # the take ends: the document has it
    assert window.take is None and len(window.document.melody) == 2
    # the copy is the melody the take gave at its end, quantized, not the notes as drawn
    assert list(copy) == list(window.document.melody)
    window.autosave()
    kept = load_project(window.autosave_path).melody.tracks[0].notes
    assert [n.pitch for n in kept] == [60, 64]
    assert list(kept) == list(window.document.melody)
