"""Whole flows through the main window, as a musician drives it.

The generate flow uses the stand-in engine until the real engine and shipped weights
exist (see stand_in_engine.py); everything else (files, export, drag, mute, keys,
autosave) is the real code.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import mido
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.core.project import load_project
from composer_gui.paths import resource_path
from tests.composer_gui.ui.stand_in_engine import StandInEngine
from tests.composer_gui.ui.tunes import MELODY
from tests.support.crash import as_if_crashed

pytestmark = pytest.mark.gui


def generate(qtbot, window, engine=None) -> None:
    window.engine.engine = engine or StandInEngine()
    with qtbot.waitSignal(window.generation_done, timeout=10000):
        qtbot.keyClick(window, Qt.Key_G)


@pytest.fixture
def model_stem(request) -> str:
    """The shipped chorale model; without it, the tiny random-weight model (same engine
    code). By name: sorted, the shipped composer-band came first, and its drums track
    took the alto's place."""
    shipped = resource_path("weights", "composer-chorales.safetensors")
    if shipped.is_file():
        return str(shipped)
    return str(request.getfixturevalue("tiny_model"))


def test_open_generate_pick_mute_export_reads_back(
    qtbot, window, melody_file, tmp_path, model_stem
):
    """The whole path with the real engine: sample melody in, a picked candidate out."""
    assert window.open_file(melody_file)
    assert window.melody_editor.notes == MELODY
    assert window.transport.tempo.value() == 96.0
    window.engine.configure(model_stem, "cpu")
    with qtbot.waitSignal(window.generation_done, timeout=60000):
        qtbot.keyClick(window, Qt.Key_G)
    assert window.candidates.tree.topLevelItemCount() == window.count.value()
    qtbot.keyClick(window, Qt.Key_2)  # the second-ranked candidate
    assert window.project.pick == (0, 1)
    shown = window.arrangement_view.arrangement  # the melody on screen, the pick beneath
    # the candidate's parts, with the mix's volumes (a candidate keeps none)
    unmixed = [dataclasses.replace(t, volume=None) for t in shown.tracks[1:]]
    assert unmixed == window.project.candidates[1].arrangement.tracks[1:]
    assert [t.volume for t in shown.tracks] == [127] * 4
    tenor = window.tracks.strips[2]
    tenor.mute.click()
    bass_box = window.tracks.strips[3].instrument
    bass_box.setCurrentIndex(bass_box.findData(42))  # cello on the bass
    out = tmp_path / "out.mid"
    assert window.export_to(out)
    written = read_arrangement(out)
    assert [t.name for t in written.tracks] == ["melody", "alto", "bass"]
    assert written.tracks[0].notes == MELODY
    assert [t.program for t in written.tracks] == [
        window.tracks.strips[i].instrument.currentData() for i in (0, 1, 3)
    ]
    assert written.tracks[2].program == 42
    assert written.tracks[2].notes == window.project.candidates[1].arrangement.tracks[3].notes
    bass_setup = [m for m in mido.MidiFile(out).tracks[3] if m.type == "control_change"]
    assert [(m.control, m.value) for m in bass_setup] == [(7, 127)]  # its volume, as heard


def test_a_shipped_sample_melody_opens_from_the_menu(qtbot, window):
    samples = [a for a in window.samples_menu.actions() if a.isEnabled()]
    assert samples, "resources/melodies holds the sample melodies"
    samples[0].trigger()
    assert window.melody_editor.notes
    assert window.last_error is None


def test_generate_without_melody_says_what_to_do(qtbot, window):
    qtbot.keyClick(window, Qt.Key_G)
    assert "no melody" in window.last_error.lower()
    assert window.generate_job is None


def test_generation_runs_off_the_ui_thread_and_can_be_cancelled(qtbot, window, melody_file):
    window.open_file(melody_file)
    engine = StandInEngine(seconds=2.0)
    window.engine.engine = engine
    window.generate()
    assert window.progress.isVisible() and window.cancel_button.isVisible()
    qtbot.waitUntil(lambda: window.progress.value() > 0, timeout=5000)  # UI stays live
    qtbot.keyClick(window, Qt.Key_Escape)
    assert window.generate_job is None
    window.runner.wait(5000)
    qtbot.wait(50)
    assert window.candidates.tree.topLevelItemCount() == 0
    assert window.generate_button.isVisible()


def test_regenerate_keeps_earlier_takes(qtbot, window, melody_file):
    window.open_file(melody_file)
    generate(qtbot, window)
    generate(qtbot, window, window.engine.engine)
    assert len(window.project.generations) == 2
    assert window.candidates.history.count() == 2
    window.candidates.history.setCurrentIndex(0)
    window.candidates.select(3)
    assert window.project.pick == (0, 3)


def test_drag_handle_offers_a_midi_file_of_what_is_heard(qtbot, window, melody_file):
    window.open_file(melody_file)
    generate(qtbot, window)
    window.candidates.select(0)
    window.tracks.strips[0].mute.click()  # the DAW has the melody already
    mime = window.drag_handle.make_mime()
    (url,) = mime.urls()
    path = Path(url.toLocalFile())
    assert path.suffix == ".mid" and path.is_file()
    assert [t.name for t in read_arrangement(path).tracks] == ["alto", "tenor", "bass"]


def test_dropping_a_midi_file_opens_it(qtbot, window, melody_file):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(melody_file))])
    event = QDropEvent(
        QPoint(100, 100).toPointF(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier
    )
    window.dropEvent(event)
    assert window.melody_editor.notes == MELODY


def test_an_opened_midi_file_names_the_window_until_saved_and_new_forgets_it(
    window, melody_file, tmp_path
):
    assert window.windowTitle().startswith("Untitled")
    assert window.open_file(melody_file)
    assert window.windowTitle().startswith(f"{melody_file.stem} ")
    assert window.save_to(tmp_path / "arranged.composer")
    assert window.windowTitle().startswith("arranged ")
    window.new_project()
    assert window.windowTitle().startswith("Untitled")


def test_a_broken_file_gives_one_sentence(qtbot, window, tmp_path):
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"MThd\x00\x00")
    assert not window.open_file(bad)
    assert window.last_error and "\n" not in window.last_error
    assert window.melody_editor.notes == []


def test_save_and_open_a_project(qtbot, window, melody_file, tmp_path):
    window.open_file(melody_file)
    generate(qtbot, window)
    window.candidates.select(2)
    window.tracks.strips[1].instrument.setCurrentIndex(
        window.tracks.strips[1].instrument.findData(48)
    )
    window.tracks.strips[3].solo.click()
    path = tmp_path / "song.composer"
    assert window.save_to(path)
    assert "song" in window.windowTitle() and "*" not in window.windowTitle()
    project = load_project(path)
    assert project.pick == (0, 2) and project.mix[1].program == 48 and project.mix[3].solo
    window.new_project()
    assert window.melody_editor.notes == []
    assert window.open_file(path)
    assert window.melody_editor.notes == MELODY
    assert window.project.pick == (0, 2)
    assert window.candidates.current_index() == 2
    assert window.tracks.strips[1].instrument.currentData() == 48
    assert window.tracks.audible() == [False, False, False, True]


def test_autosave_is_offered_back_after_a_crash(qtbot, window, melody_file, tmp_path):
    from composer_gui.ui.main_window import MainWindow

    window.open_file(melody_file)
    window.melody_editor.edit(MELODY[:3], "Delete notes")
    window.autosave()
    assert window.autosave_path.is_file()
    # the app "crashed": no closeEvent; a new window starts on the same data folder
    as_if_crashed(window.autosaver)
    second = MainWindow(data_dir=window.data_dir)
    second.ask_before_closing = False
    qtbot.addWidget(second)
    assert second.offer_restore(ask=lambda: True)
    assert second.melody_editor.notes == MELODY[:3]
    second.close()
    assert not window.autosave_path.exists()  # a clean exit removes it


def test_letter_keys_play_notes_only_when_switched_on(qtbot, window):
    played = []
    window.computer_keyboard.note_on.connect(lambda pitch, _v: played.append(pitch))
    qtbot.keyClick(window, Qt.Key_A)
    assert played == []
    window.actions.computer_keyboard.setChecked(True)
    qtbot.keyClick(window, Qt.Key_A)
    qtbot.keyClick(window, Qt.Key_W)
    qtbot.keyClick(window, Qt.Key_Z)  # an octave down
    qtbot.keyClick(window, Qt.Key_A)
    assert played == [60, 61, 48]
    qtbot.keyClick(window, Qt.Key_G)  # a note now, not Generate
    assert played[-1] == 55 and window.generate_job is None


def test_recording_from_the_computer_keyboard(qtbot, window):
    window.actions.metronome.setChecked(False)  # silent here; the synth is tested elsewhere
    window.actions.count_in.setChecked(False)
    window.transport.tempo.setValue(240.0)  # one bar is one second
    window.transport.bars.setValue(1)
    window.actions.computer_keyboard.setChecked(True)
    window.actions.record.setChecked(True)
    assert window.take is not None
    pressed = time.perf_counter()
    qtbot.keyPress(window, Qt.Key_D)  # E4, on beat 1
    qtbot.wait(200)  # about 0.8 beats: a quarter note
    qtbot.keyRelease(window, Qt.Key_D)
    held_beats = (time.perf_counter() - pressed) * 240.0 / 60.0  # however long a busy CPU made it
    qtbot.waitUntil(lambda: window.take is None, timeout=3000)
    (note,) = window.melody_editor.notes
    assert (note.pitch, note.start_beat) == (64, 0.0)
    assert note.duration_beats >= 0.25
    assert abs(note.duration_beats - min(held_beats, 4.0)) <= 0.5  # quantized to 16ths
    window.document.undo()  # a take is one undo step
    assert window.melody_editor.notes == []


def test_compact_mode_stays_on_top_and_hides_the_editors(qtbot, window):
    window.actions.compact.setChecked(True)
    assert window.windowFlags() & Qt.WindowStaysOnTopHint
    assert not window.melody_panel.isVisible()
    assert window.candidates.isVisible() and window.drag_handle.isVisible()
    window.actions.compact.setChecked(False)
    assert not window.windowFlags() & Qt.WindowStaysOnTopHint
    assert window.melody_panel.isVisible()


def test_compact_mode_leaves_the_status_bar_to_its_messages(qtbot, window):
    """At 440 pixels the model's device label cut "Press 1-8 to hear one" to "hear o"."""
    window.actions.compact.setChecked(True)
    message = "8 accompaniments, best first. Press 1-8 to hear one."
    window.statusBar().showMessage(message)
    qtbot.wait(50)
    assert not window.device_label.isVisible()
    bar = window.statusBar()
    assert bar.fontMetrics().horizontalAdvance(message) + 12 <= bar.width()
    window.actions.compact.setChecked(False)
    assert window.device_label.isVisible()


def test_playing_without_sound_says_so_once_and_keeps_working(
    qtbot, window, melody_file, monkeypatch
):
    window.open_file(melody_file)
    window.audition._synth_tried = True
    window.audition.problem = "No soundfont was found; install one in Preferences."
    window.actions.play.setChecked(True)
    assert not window.actions.play.isChecked()
    assert window.last_error.startswith("No soundfont")
    window.last_error = None
    window.actions.play.setChecked(True)
    assert window.last_error is None  # said once; the status bar repeats it
    assert "soundfont" in window.statusBar().currentMessage()


def test_take_quantizes_human_timing():
    from composer_gui.core.recording import RecordingSetup, take_to_arrangement

    setup = RecordingSetup(tempo_bpm=120.0, bars=1, count_in_bars=0)
    t0 = 100.0
    stamped = [
        (t0 + 0.012, mido.Message("note_on", note=60, velocity=90)),
        (t0 + 0.49, mido.Message("note_off", note=60)),
        (t0 + 0.515, mido.Message("note_on", note=62, velocity=90)),
        (t0 + 1.47, mido.Message("note_off", note=62)),
        (t0 + 1.5, mido.Message("note_on", note=64, velocity=90)),
    ]
    take = take_to_arrangement(stamped, t0, t0 + 2.0, setup)
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in take.tracks[0].notes] == [
        (60, 0.0, 1.0),
        (62, 1.0, 2.0),
        (64, 3.0, 1.0),
    ]


def test_startup_imports_no_torch_or_music21():
    import subprocess
    import sys

    code = (
        "import sys; from composer_gui.ui.app import make_application; "
        "from composer_gui.ui.main_window import MainWindow; app = make_application(); "
        "w = MainWindow(); print(sorted({'torch', 'music21', 'composer_gui.core.engine'}"
        " & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=60,
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_a_long_melody_is_accompanied_whole_without_a_question(qtbot, window, tmp_path, model_stem):
    notes = [Note(60 + i % 5, 2.0 * i, 2.0, 90) for i in range(80)]  # 40 bars of 4/4
    path = tmp_path / "long.mid"
    write_arrangement(Arrangement([Track("melody", notes)], tempo_bpm=120.0), path)
    assert window.open_file(path)
    window.choose = lambda *_: pytest.fail("a long melody needs no question")
    window.engine.configure(model_stem, "cpu")
    with qtbot.waitSignal(window.generation_done, timeout=60000):
        window.generate()
    arrangement = window.project.candidates[0].arrangement
    assert arrangement.bar_count() == 40 and arrangement.tracks[0].notes == notes
    assert max(n.end_beat for t in arrangement.tracks[1:] for n in t.notes) > 36 * 4


@pytest.mark.parametrize(
    ("signature", "bars", "beat_lines_per_bar"),
    [((6, 8), 16, 2), ((9, 8), 9, 3), ((2, 2), 8, 2), ((3, 4), 12, 3)],
)
def test_a_compound_tune_opens_with_its_own_bar_count_and_beats(
    window, tmp_path, signature, bars, beat_lines_per_bar
):
    """The issue's cases: a 16-bar 6/8 tune opened as '8 bars', a 9-bar 9/8 tune as '5'."""
    from models.pianoroll import Meter

    meter = Meter(*signature)
    notes = [Note(67, i * meter.bar_beats, meter.bar_beats / 2, 90) for i in range(bars)]
    path = tmp_path / "tune.mid"
    write_arrangement(Arrangement([Track("melody", notes)], time_signature=signature), path)
    assert window.open_file(path)
    assert window.transport.bars.value() == bars
    assert window.transport.meter.currentText() == f"{signature[0]}/{signature[1]}"
    editor = window.melody_editor
    assert editor.meter == meter and editor.length_beats == bars * meter.bar_beats
    assert len(editor.meter.beat_starts) == beat_lines_per_bar


def test_a_tune_in_seven_eight_is_refused_when_it_opens(window, tmp_path):
    path = tmp_path / "seven.mid"
    notes = [Note(67, i * 3.5, 1.0, 90) for i in range(4)]
    write_arrangement(Arrangement([Track("melody", notes)], time_signature=(7, 8)), path)
    told = []
    window.report_error = told.append
    assert window.open_file(path)
    assert told and "7/8" in told[0] and "6/8" in told[0]


def test_a_short_bar_and_an_unbarred_stretch_open_in_the_meter_around_them(window, tmp_path):
    """A 1/4 bar ending a 2/4 tune and a song whose barlines stop after three bars of 4/4
    (one bar of 26/4, as music21 reads Essen's han1 #390) open without a refusal; the
    unbarred one is said in one sentence and counted in bars of 4/4."""
    told = []
    window.report_error = told.append
    short = [Note(67, float(i), 1.0, 90) for i in range(9)]  # 2/4 x4, then a 1/4 bar
    path = tmp_path / "short.mid"
    write_arrangement(
        Arrangement([Track("melody", short)], 100.0, (2, 4), [], [(8.0, (1, 4))]), path
    )
    assert window.open_file(path) and not told
    assert window.transport.bars.value() == 5
    song = [Note(67, float(i), 1.0, 90) for i in range(12 + 26)]
    path = tmp_path / "unbarred.mid"
    write_arrangement(
        Arrangement([Track("melody", song)], 100.0, (4, 4), [], [(12.0, (26, 4))]), path
    )
    assert window.open_file(path) and not told
    assert "one bar of 26/4" in window.statusBar().currentMessage()
    assert window.transport.bars.value() == 10  # 3 + 6 bars of 4/4 and a half bar
    assert window.document.melody_arrangement().meter_changes == [(12.0, (26, 4))]


def test_play_starts_where_the_ruler_was_clicked(qtbot, window, melody_file):
    window.open_file(melody_file)
    window.seek(4.0)
    assert window.melody_editor.playhead_beats == 4.0
    started = []
    window.start_playback = lambda beat=0.0, to_daw=False: started.append(beat) or False
    window.actions.play.setChecked(True)
    assert started == [4.0]
    window.open_file(melody_file)
    assert window.start_beat == 0.0  # a new melody plays from its start


def test_the_number_boxes_show_their_values(window):
    # Under the dark theme, Qt 6.11 laid an arrowless spin box's text field out one pixel
    # wide: tempo, bars and candidate count showed empty boxes.
    for box in (window.transport.tempo, window.transport.bars, window.count):
        assert box.text()
        assert box.lineEdit().width() >= box.fontMetrics().horizontalAdvance(box.text())


def test_a_new_melody_takes_the_meter_chosen_in_the_transport(window):
    from models.pianoroll import Meter

    box = window.transport.meter
    box.setCurrentIndex(box.findText("6/8"))
    assert window.document.time_signature == (6, 8)
    assert window.melody_editor.meter == Meter(6, 8)
    bars = window.transport.bars.value()
    assert window.melody_editor.length_beats == bars * 3.0  # 6/8 bars are 3 quarters long


def test_a_melody_played_in_two_note_chords_is_read_as_its_top_line_and_told(window, tmp_path):
    notes = [Note(72, float(i), 1.0, 90) for i in range(8)]
    notes += [Note(60, float(i), 1.0, 90) for i in range(8)]  # doubled an octave below
    path = tmp_path / "octaves.mid"
    write_arrangement(Arrangement([Track("melody", notes)]), path)
    assert window.open_file(path)
    assert "top line" in window.statusBar().currentMessage()


def test_an_opened_tune_keeps_its_meter_changes(window, tmp_path):
    notes = [Note(67, float(i), 1.0, 90) for i in range(10)]
    song = Arrangement([Track("melody", notes)], time_signature=(3, 4))
    song.meter_changes = [(6.0, (2, 4))]
    path = tmp_path / "changes.mid"
    write_arrangement(song, path)
    assert window.open_file(path)
    assert window.document.melody_arrangement().meter_changes == [(6.0, (2, 4))]
    saved = window.document.export_arrangement()
    assert saved.meter_changes == [(6.0, (2, 4))]
