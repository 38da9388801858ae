"""Faults of the app left by earlier sessions and mended in session 18 (docs/app.md,
"Session 18"), one test each; each failed before its mend."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.composer_gui.core.test_score_file import ONEILLS, copied

pytestmark = pytest.mark.gui


def test_a_tune_book_is_read_once_for_its_tune_and_its_sentence(tmp_path, monkeypatch):
    """The window's score reader read an ABC file a second time for the sentence saying
    which tune was taken (as accompany did): one read now gives both."""
    from composer_gui.ui.window_files import read_melody_file

    path = copied(ONEILLS, tmp_path)
    reads = []
    real_read_bytes = Path.read_bytes

    def read_bytes(self):
        if self == path:
            reads.append(self)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    read, sentence = read_melody_file(path)
    assert len(reads) == 1
    assert read.time_signature == (2, 4)  # The Enchanted Valley, the first tune
    assert sentence.startswith("0001-0050.abc holds 50 tunes; Composer took the first, X:1")


# --- mute and solo while playing to a MIDI output ------------------------------------


def playing_candidates(qtbot, window, melody_file, to_daw: bool):
    """The flows' tune with the stand-in's four voices (melody, alto, tenor, bass on
    channels 1-4), playing at 240 BPM (two bars in 2 s) to a recording port standing in
    for the MIDI output chosen in Preferences or, ``to_daw``, the DAW's virtual port."""
    from tests.composer_gui.core.test_playback_swap import RecordingPort
    from tests.composer_gui.ui.test_window_issue15 import generate

    assert window.open_file(melody_file)
    window.document.set_tempo(240.0)
    generate(qtbot, window)
    window.candidates.select(0)
    port = RecordingPort()
    port.close = lambda: None
    port.name = "Recording port"
    if to_daw:
        window.audition._virtual_out = port
        window.actions.send_to_daw.setChecked(True)
    else:
        window.audition.output_name = "Recording port"  # a MIDI output, not the synth
        window.audition._open_chosen_output = lambda: port  # opened at each Play
        window.actions.play.setChecked(True)
    return port, window.audition._player.start_time


def notes_after(port, channel: int, moment: float) -> list[tuple[str, int]]:
    return [
        ("on" if m.type == "note_on" and m.velocity > 0 else "off", m.note)
        for t, m in port.sent
        if t >= moment and m.type in ("note_on", "note_off") and m.channel == channel
    ]


def test_a_track_muted_while_playing_to_a_midi_output_is_silent_from_then(
    qtbot, window, melody_file
):
    """A mute while playing to a MIDI output took effect at the next Play only: the
    muted tenor went on playing (the built-in synth cut it at once)."""
    import time

    from tests.composer_gui.core.test_playback_swap import hanging

    beat = 0.25
    port, start = playing_candidates(qtbot, window, melody_file, to_daw=False)
    qtbot.waitUntil(lambda: time.perf_counter() > start + 2.3 * beat, timeout=3000)
    tenor_note = next(n for n in window.heard_arrangement().tracks[2].notes if n.start_beat == 2)
    muted_at = time.perf_counter()
    window.tracks.strips[2].mute.click()  # the tenor's half note (beats 2-4) sounds now
    qtbot.waitUntil(lambda: time.perf_counter() > start + 8.2 * beat, timeout=5000)
    sent = list(port.sent)
    window.actions.play.setChecked(False)
    # the sounding note released at once (it would end on the barline), nothing after it
    assert notes_after(port, 2, muted_at) == [("off", tenor_note.pitch)]
    off = next(t for t, m in port.sent if t >= muted_at and m.channel == 2)
    assert off - muted_at < 0.5 * beat
    for channel in (0, 1, 3):  # the others play on: bar 2's three notes each
        assert [k for k, _p in notes_after(port, channel, muted_at)].count("on") == 3
    assert not hanging(sent)


def test_a_track_soloed_while_sending_to_the_daw_silences_the_others_from_then(
    qtbot, window, melody_file
):
    """Solo while Send to DAW ran was heard at the next Send only; the DAW kept
    recording the other voices."""
    import time

    from tests.composer_gui.core.test_playback_swap import hanging

    beat = 0.25
    port, start = playing_candidates(qtbot, window, melody_file, to_daw=True)
    qtbot.waitUntil(lambda: time.perf_counter() > start + 4.3 * beat, timeout=3000)
    soloed_at = time.perf_counter()
    window.tracks.strips[3].solo.click()  # the bass alone from here
    qtbot.waitUntil(lambda: time.perf_counter() > start + 8.2 * beat, timeout=5000)
    sent = list(port.sent)
    window.actions.send_to_daw.setChecked(False)
    heard = window.heard_arrangement()
    for channel in (0, 1, 2):  # each had bar 2's first note (beats 4-5.5) sounding
        sounding = next(n for n in heard.tracks[channel].notes if n.start_beat == 4).pitch
        assert notes_after(port, channel, soloed_at) == [("off", sounding)]
    assert [k for k, _p in notes_after(port, 3, soloed_at)].count("on") == 2  # 5.5 and 6
    clocks = [t for t, m in port.sent if m.type == "clock"]
    assert len(clocks) == 2 * 4 * 24  # the clock unbroken: the DAW follows on
    assert [m.type for _t, m in port.sent].count("start") == 1
    assert not hanging(sent)


# --- closing while a score is read -----------------------------------------------------


def test_closing_while_a_score_is_read_exits_at_once_and_keeps_the_work(tmp_path):
    """The app exited only once music21 had read the score (the reader's thread was
    joined at exit; a minute on a large score). Here the read never ends: the real
    window (a subprocess, offscreen) must still exit within seconds of the close, the
    saved tune untouched and no autosave left behind."""
    import hashlib
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    score = tmp_path / "endless.musicxml"
    score.write_text("<score-partwise/>")  # never parsed: the reader never returns
    project, data = tmp_path / "tune.composer", tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "tests.composer_gui.ui.close_child"]
    command += [str(data), str(project), str(score), "0.5", "--never"]
    child = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        out, _ = child.communicate(timeout=30)  # the start, 0.5 s, the close
    except subprocess.TimeoutExpired:
        child.kill()
        out, _ = child.communicate()
        pytest.fail(f"the app was still running 30 s after it started: {out}")
    lines = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    assert child.returncode == 0
    assert "LEFT" in lines  # the window closed and the event loop ended
    assert hashlib.sha1(project.read_bytes()).hexdigest() == lines["SAVED"].strip()
    settings = data / "settings"  # the child's scratch settings
    assert [p for p in data.rglob("*") if p.is_file() and settings not in p.parents] == []


def test_a_score_read_after_its_window_closed_is_not_opened(qtbot, window, tmp_path, monkeypatch):
    """A read that ends after the window closed is dropped: it used to open the score
    into the closed window."""
    import threading

    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.ui import window_files

    release = threading.Event()

    def slow_read(_path):
        release.wait(10)
        return Arrangement([Track("score", [Note(72, 0.0, 1.0, 90)])]), None

    monkeypatch.setattr(window_files, "read_melody_file", slow_read)
    window.document.set_melody([Note(60, 0.0, 1.0, 90)], "Add note")
    score = tmp_path / "tune.musicxml"
    score.write_text("<score-partwise/>")
    assert window.open_file(score)
    window.close()
    release.set()
    qtbot.wait(300)
    assert [n.pitch for n in window.document.melody] == [60]
