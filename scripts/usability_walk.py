"""Session 19's walk through the whole app, as a musician would, in a real window.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/usability_walk.py OUT

``--record-only`` stops after step 1 (the take); ``--no-grab`` leaves out its grab of the
window in the middle of the take.

Starts its own JACK dummy server (stopped by its PID), a keyboard player in another process
(tests.support.midi_feeder, a mido/rtmidi output that follows the metronome) and
``jack_midi_dump`` as the DAW; the app runs with scratch settings and data under OUT. Each
step prints what the window shows and grabs the window to OUT/NN-name.png. Step 5 starts
the app again as a child (``--crash-child``), edits, waits for the autosave, is killed with
SIGKILL, and the next start is asked to restore. The findings are in
docs/usability/session19.md.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QCoreApplication, QEventLoop, QPoint, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

TEMPO_BPM = 100.0
# 4 bars of 6/8 in quarter beats (a bar is 3 quarters): a jig's long-short figures
MELODY = [
    (67, 0.0, 1.0), (69, 1.0, 0.5), (71, 1.5, 1.0), (72, 2.5, 0.5),
    (74, 3.0, 1.5), (71, 4.5, 1.5),
    (72, 6.0, 1.0), (71, 7.0, 0.5), (69, 7.5, 1.0), (67, 8.5, 0.5),
    (66, 9.0, 1.5), (67, 10.5, 1.5),
]  # fmt: skip
CORPUS = Path(__import__("music21").__file__).parent / "corpus" / "ryansMammoth"
TWO_FOUR = CORPUS / "ArielHornpipe.abc"  # 2/4 with a two-sixteenth pickup
NINE_EIGHT = CORPUS / "AndrewCareysSlipjig.abc"


def say(*words) -> None:
    print(*words, flush=True)


def wait(app, ms: int = 150) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        app.processEvents(QEventLoop.AllEvents, 20)


def wait_until(app, check, seconds: float, what: str) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        app.processEvents(QEventLoop.AllEvents, 20)
    say(f"  !! timed out waiting for {what}")
    return False


def shot(window, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    window.grab().save(str(path))
    say(f"  [shot {path.name}]")


def scratch_env(out: Path) -> None:
    for key, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        (out / sub).mkdir(parents=True, exist_ok=True)
        os.environ[key] = str(out / sub)


def make_window(out: Path):
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(out / "settings"))
    from composer_gui.ui import main_window
    from composer_gui.ui.app import make_application
    from composer_gui.ui.main_window import MainWindow

    app = make_application()
    QCoreApplication.setOrganizationName("ComposerWalk")
    errors: list[str] = []
    main_window.show_error = lambda _parent, message: errors.append(message)
    window = MainWindow(data_dir=out / "appdata")
    window.questions = []  # what the musician was asked, and answered
    window.answers = []

    def choose(title, question, answers):
        answer = window.answers.pop(0) if window.answers else None
        window.questions.append((question, answer))
        say(f"  ASKED: {question!r} -> {answer}")
        return answer

    window.choose = choose
    window.errors = errors
    window.resize(1400, 860)
    window.show()
    wait(app, 300)
    return app, window


def describe(window) -> None:
    doc = window.document
    say(
        f"  title={window.windowTitle()!r} meter={window.transport.meter.currentText()} "
        f"bars={window.transport.bars.value()} notes={len(doc.melody)} "
        f"candidates={len(doc.candidates)} undo={doc.undo_text!r} redo={doc.redo_text!r}"
    )
    if window.stale_label.isVisible():
        say(f"  stale label: {window.stale_label.text()!r}")
    say(f"  status: {window.statusBar().currentMessage()!r}")
    labels = window.melody_editor.bar_labels()
    if labels:
        say(f"  roll bars: {[text for _bar, text in labels][:8]}")


def generate(app, window, what: str) -> bool:
    done = []
    window.generation_done.connect(lambda: done.append(True))
    started = time.monotonic()
    window.generate()
    wait_until(app, lambda: done or window.generate_job is None, 240, what)
    say(f"  generated in {time.monotonic() - started:.1f} s: {bool(done)} {window.last_error!r}")
    return bool(done)


def start_jack() -> tuple[object, subprocess.Popen]:
    from tests.support.jack_server import JackServer

    server = JackServer(period_frames=256)
    env = {**server.env(), "JACK_NO_AUDIO_RESERVATION": "1"}
    command = ["jackd", "-n", server.name, "--sync", "--no-realtime", "-d", "dummy"]
    server.process = subprocess.Popen(
        [*command, "-r", "48000", "-p", "256"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run(["jack_wait", "-w", "-s", server.name, "-t", "10"], env=env, check=True)
    os.environ.update({"JACK_DEFAULT_SERVER": server.name, "JACK_NO_START_SERVER": "1"})
    return server


def walk(out: Path) -> None:
    from composer_gui.core import midi_io
    from composer_gui.ui import settings
    from tests.support.jack_server import MidiDump
    from tests.support.midi_feeder import CLICKS_PORT, KEYS_PORT, start_feeder

    server = start_jack()
    try:
        app, window = make_window(out)
        window.offer_restore(ask=lambda: False)
        settings.put(settings.MIDI_API, "jack")
        settings.put(settings.MIDI_INPUT, KEYS_PORT)
        settings.put(settings.MIDI_OUTPUT, CLICKS_PORT)
        say("== 1. New in 6/8, record 4 bars with count-in and metronome")
        feeder = start_feeder(server, MELODY, TEMPO_BPM, "--follow-clicks", "3")
        window.apply_output_settings()
        window.actions.new.trigger()
        window.transport.meter.setCurrentText("6/8")
        window.transport.tempo.setValue(TEMPO_BPM)
        window.transport.bars.setValue(4)
        window.actions.metronome.setChecked(True)
        window.actions.count_in.setChecked(True)
        wait(app)
        describe(window)
        window.refresh_inputs()
        window.activateWindow()
        wait(app)
        QTest.keyClick(window, Qt.Key_R)
        say(f"  recording after R: {window.take is not None} {window.last_error!r}")
        if window.take is None:
            window.actions.record.trigger()
            say(f"  recording after Rec: {window.take is not None} {window.last_error!r}")
        wait(app, 2500)
        if "--no-grab" not in sys.argv:  # a grab of the whole window mid-take
            shot(window, out, "01-recording")
        wait_until(app, lambda: window.take is None, 30, "the take")
        feeder.wait(timeout=30)
        got = [(n.pitch, n.start_beat, n.duration_beats) for n in window.document.melody]
        say(f"  recorded {len(got)} notes; as played: {got == MELODY}")
        for want, have in zip(MELODY, got, strict=False):
            if want != have:
                say(f"    played {want} recorded {have}")
        describe(window)
        shot(window, out, "02-recorded")
        if "--record-only" in sys.argv:
            say(f"  load average {os.getloadavg()}")
            window.ask_before_closing = False
            window.close()
            return

        say("== 2. Generate in pop ballad (6/8), audition, mute/solo, instrument")
        index = window.style_box.findText("pop ballad", Qt.MatchContains)
        items = [window.style_box.itemText(i) for i in range(window.style_box.count())]
        say(f"  style items: {items}")
        window.style_box.setCurrentIndex(index)
        window.style_box.activated.emit(index)
        wait(app)
        generate(app, window, "generation")
        describe(window)
        tree = window.candidates.tree if hasattr(window.candidates, "tree") else None
        say(f"  chord lane: {window.chord_lane.symbols_in_view()[:12]}")
        for position, candidate in enumerate(window.document.candidates[:3]):
            say(f"  tooltip {position}: {window.candidates._tooltip(position, candidate)!r}")
        say(f"  tracks: {window.tracks.names()}")
        strips = window.tracks.strips
        strips[1].mute.click()
        strips[3].solo.click()
        box = strips[4].instrument
        box.setCurrentIndex((box.currentIndex() + 5) % box.count())
        wait(app)
        say(f"  audible after mute drums, solo chords: {window.tracks.audible()}")
        say(f"  pad instrument now {box.currentText()!r}")
        window.actions.play.setChecked(True)
        wait(app, 1500)
        shot(window, out, "03-candidates")
        window.actions.play.setChecked(False)
        strips[3].solo.click()
        strips[1].mute.click()
        _ = tree

        say("== 3. Edit after generating: move a note, add a bar")
        editor = window.melody_editor
        note = window.document.melody[4]
        rect = editor.note_rect(note)
        start = rect.center().toPoint()
        QTest.mousePress(editor, Qt.LeftButton, Qt.NoModifier, start)
        up = start + QPoint(0, -int(2 * editor.row_height()))
        QTest.mouseMove(editor, up)
        QTest.mouseRelease(editor, Qt.LeftButton, Qt.NoModifier, up)
        wait(app)
        say(f"  moved note 5: {note.pitch} -> {window.document.melody[4].pitch}")
        describe(window)
        window.transport.bars.setValue(5)
        wait(app)
        x = int(editor.x_for_beat(12.5))
        y = int(editor.y_for_pitch(67) + editor.row_height() / 2)
        QTest.mouseClick(editor, Qt.LeftButton, Qt.NoModifier, QPoint(x, y))
        wait(app)
        say(f"  notes after adding one in bar 5: {len(window.document.melody)}")
        describe(window)
        shot(window, out, "04-stale")
        generate(app, window, "second generation")
        describe(window)
        window.choose_candidate(1)
        wait(app)
        export = out / "export.mid"
        window.answers = ["export"]
        ok = window.export_to(export)
        say(f"  exported: {ok} {export.exists()}")
        import mido

        file = mido.MidiFile(export)
        say(f"  export: type {file.type}, {len(file.tracks)} tracks")
        for track in file.tracks:
            sigs = [m for m in track if m.type == "time_signature"]
            ons = sum(1 for m in track if m.type == "note_on" and m.velocity)
            say(f"    {track.name!r}: {ons} notes {[(s.numerator, s.denominator) for s in sigs]}")
        heard = window.heard_arrangement()
        say(f"  heard melody {len(heard.tracks[0].notes)}; doc {len(window.document.melody)}")
        window.open_daw_port()
        source = f"{midi_io.CLIENT_NAME}:{midi_io.virtual_port_name()}"
        server.wait_for_port(source)
        dump = MidiDump(server, client_name="walkdaw")
        server.connect(source, dump.port)
        window.actions.send_to_daw.setChecked(True)
        wait_until(app, lambda: not window.actions.send_to_daw.isChecked(), 60, "send to DAW")
        wait(app, 300)
        events = dump.stop()
        ons = [e for e in events if e.is_note_on]
        clocks = sum(1 for e in events if e.data == (0xF8,))
        say(f"  DAW got {len(events)} events, {len(ons)} note-ons, {clocks} clocks")
        say(f"  expected note-ons {sum(len(t.notes) for t in heard.tracks)}")

        say("== 4. Save; open 2/4 pickup tune, 9/8 tune, corrupt file; undo/redo; New")
        saved = out / "walk.composer"
        window.save_to(saved)
        describe(window)
        window.transport.tempo.setValue(110)
        wait(app)
        say(f"  after a tempo change, unsaved: {window.has_unsaved_music()}")
        window.answers = ["discard"]
        window.open_file(TWO_FOUR)
        wait_until(app, lambda: not window.reading_files, 60, "the 2/4 score")
        wait(app, 300)
        describe(window)
        say(f"  pickup box: {window.pickup_box.currentText()!r}")
        shot(window, out, "05-two-four")
        window.answers = ["discard"]
        window.open_file(NINE_EIGHT)
        wait_until(app, lambda: not window.reading_files, 60, "the 9/8 score")
        wait(app, 300)
        describe(window)
        corrupt = out / "corrupt.mid"
        corrupt.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\xff\xffjunk")
        window.answers = ["discard"]
        window.open_file(corrupt)
        wait(app)
        say(f"  errors so far: {window.errors}")
        describe(window)
        window.undo_action.trigger()
        wait(app)
        say("  after Undo:")
        describe(window)
        window.redo_action.trigger()
        wait(app)
        say("  after Redo:")
        describe(window)
        # an edit to the 9/8 tune, then New: is it asked?
        editor = window.melody_editor
        n = window.document.melody[0]
        rect = editor.note_rect(n)
        QTest.mousePress(editor, Qt.LeftButton, Qt.NoModifier, rect.center().toPoint())
        up = rect.center().toPoint() + QPoint(0, -int(editor.row_height()))
        QTest.mouseMove(editor, up)
        QTest.mouseRelease(editor, Qt.LeftButton, Qt.NoModifier, up)
        wait(app)
        asked = len(window.questions)
        window.answers = [None]  # cancel
        window.actions.new.trigger()
        wait(app)
        kept = len(window.document.melody)
        say(f"  New after an edit asked: {len(window.questions) > asked}; notes kept {kept}")
        window.answers = ["discard"]
        window.actions.new.trigger()
        wait(app)
        describe(window)
        say(f"  questions: {window.questions}")
        window.answers = []
        window.open_file(saved)
        wait(app)
        say("  the saved project again:")
        describe(window)
        window.ask_before_closing = False
        window.close()
        wait(app, 300)
    finally:
        server.stop()


def crash_child(out: Path) -> None:
    """Open the saved project, move a note, wait for the autosave, then sleep to be killed."""
    app, window = make_window(out)
    window.offer_restore(ask=lambda: False)
    window.open_file(out / "walk.composer")
    wait(app)
    editor = window.melody_editor
    note = window.document.melody[0]
    rect = editor.note_rect(note)
    QTest.mousePress(editor, Qt.LeftButton, Qt.NoModifier, rect.center().toPoint())
    up = rect.center().toPoint() + QPoint(0, -int(3 * editor.row_height()))
    QTest.mouseMove(editor, up)
    QTest.mouseRelease(editor, Qt.LeftButton, Qt.NoModifier, up)
    window.transport.tempo.setValue(123)
    wait(app)
    state = {
        "pitches": [n.pitch for n in window.document.melody],
        "notes": len(window.document.melody),
        "candidates": len(window.document.candidates),
        "tempo": window.document.tempo_bpm,
    }
    if "--mid-take" in sys.argv:  # Record, two notes from the on-screen keys, crash
        from composer_gui.ui import settings

        settings.put(settings.MIDI_INPUT, "")  # the on-screen keys (JACK is stopped now)
        settings.put(settings.MIDI_API, "")
        settings.put(settings.MIDI_OUTPUT, "")
        window.apply_output_settings()
        window.actions.count_in.setChecked(False)
        window.transport.tempo.setValue(60)  # 15 s: still recording when killed
        window.actions.record.setChecked(True)
        window.play_note(60, 100)
        wait(app, 400)
        window.release_note(60)
        window.play_note(64, 100)
        wait(app, 400)
        state["recording"] = window.take is not None
        state["error"] = window.last_error
    wait(app, 6500)  # past one autosave tick
    (out / "crash-state.json").write_text(json.dumps(state))
    say(
        f"  child edited: {state}; autosave at {window.autosave_path}",
    )
    while True:
        wait(app, 200)


def recover(out: Path) -> None:
    app, window = make_window(out)
    asked, result = [], []

    def after_show() -> None:  # as run_app does: inside the event loop
        result.append(window.offer_restore(ask=lambda: asked.append(True) or True))
        window.ask_before_closing = False
        QTimer.singleShot(500, app.quit)

    QTimer.singleShot(0, after_show)
    app.exec()
    restored = result[0]
    before = json.loads((out / "crash-state.json").read_text())
    say(f"  asked to restore: {bool(asked)}; restored: {restored}")
    say(f"  before the kill: {before}")
    say(
        f"  after restore: pitches {[n.pitch for n in window.document.melody]}, "
        f"notes {len(window.document.melody)}, candidates {len(window.document.candidates)}, "
        f"tempo {window.document.tempo_bpm}"
    )
    describe(window)
    shot(window, out, "06-restored" if "--mid-edit" in sys.argv else "07-restored-take")
    window.ask_before_closing = False
    window.close()


def main() -> None:
    out = Path(sys.argv[-1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    scratch_env(out)
    if "--crash-child" in sys.argv:
        return crash_child(out)
    if "--recover" in sys.argv:
        return recover(out)
    if "--skip-walk" not in sys.argv:
        walk(out)
    if "--record-only" in sys.argv:
        return None
    for how in ("--mid-edit", "--mid-take"):
        say(f"== 5. Kill the app {how[2:]}, start again, recover")
        (out / "crash-state.json").unlink(missing_ok=True)
        child = subprocess.Popen([sys.executable, __file__, "--crash-child", how, str(out)])
        end = time.monotonic() + 120
        while not (out / "crash-state.json").exists() and time.monotonic() < end:
            time.sleep(0.2)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        say(f"  killed the child {child.pid} with SIGKILL")
        subprocess.run([sys.executable, __file__, "--recover", how, str(out)], check=False)


if __name__ == "__main__":
    main()
