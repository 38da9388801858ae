"""The window's transport against real JACK ports: the one recorder, clock follow, live tempo.

A keyboard player in another process (tests.support.midi_feeder) is unplugged mid-take
by killing it; a DAW is an in-process JACK output sending MIDI clock from a ``Player``;
what the window plays is stamped on arrival by an in-process JACK input
(``MidiReceiver``, JACK's own clock). Timing tolerances are a few tens of ms, which a
loaded 2-core machine holds (a wrong tempo is off by 100 ms or more a beat).
"""

from __future__ import annotations

import math
import statistics
import subprocess
import threading
import time

import pytest

from composer_gui.core import midi_io
from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.playback import Player, schedule_from_arrangement
from composer_gui.ui import settings
from tests.support.midi_feeder import CLICKS_PORT, KEYS_PORT, start_feeder, stop_feeder

pytestmark = [pytest.mark.gui, pytest.mark.jack]

TEMPO_BPM = 200.0  # 0.3 s a beat: a 3-bar take with its count-in lasts 4.8 s
FIRST_BAR = [(60, 0.0, 1.0), (62, 1.0, 1.0), (64, 2.0, 1.0)]


def use_jack(window, input_name: str = "", output_name: str = "") -> None:
    settings.put(settings.MIDI_API, "jack")
    settings.put(settings.MIDI_INPUT, input_name)
    settings.put(settings.MIDI_OUTPUT, output_name)
    window.apply_output_settings()


def choose(box, port: str) -> None:
    """Pick a port in a transport box the way a musician does (it must be listed)."""
    index = box.findData(port)
    assert index >= 0, [box.itemData(i) for i in range(box.count())]
    box.setCurrentIndex(index)


def start_take(qtbot, window, bars: int = 3) -> list[str]:
    """Record with the metronome to the feeder's ears; returns the status bar's messages."""
    messages: list[str] = []
    window.statusBar().messageChanged.connect(lambda text: text and messages.append(text))
    window.transport.tempo.setValue(TEMPO_BPM)
    window.transport.bars.setValue(bars)
    window.actions.metronome.setChecked(True)
    window.actions.count_in.setChecked(True)
    window.actions.record.setChecked(True)
    assert window.take is not None, window.last_error
    return messages


def unplug_after_first_bar(feeder: subprocess.Popen) -> threading.Thread:
    def unplug() -> None:
        for _ in range(2 * len(FIRST_BAR)):  # note on and off of each note, then pull it
            feeder.stdout.readline()
        feeder.kill()
        feeder.wait()

    thread = threading.Thread(target=unplug)
    thread.start()
    return thread


def recorded(window) -> list[int]:
    return [n.pitch for n in window.melody_editor.notes]


def test_an_unplugged_keyboard_keeps_the_take_says_so_once_and_records_on_when_back(
    qtbot, window, jack_server
):
    feeder = start_feeder(jack_server, FIRST_BAR, TEMPO_BPM, "--follow-clicks", "4")
    use_jack(window, KEYS_PORT, CLICKS_PORT)
    returned: list[subprocess.Popen] = []
    try:
        messages = start_take(qtbot, window)
        unplugger = unplug_after_first_bar(feeder)
        qtbot.waitUntil(lambda: not unplugger.is_alive(), timeout=5000)
        qtbot.waitUntil(lambda: any("disappeared" in m for m in messages), timeout=5000)
        assert window.take is not None  # the take goes on
        # The same keyboard plugged back in: one note about a second later.
        returned.append(
            start_feeder(
                jack_server, [(72, 0.0, 0.5)], TEMPO_BPM, "--delay", "0.6", "--linger", "10"
            )
        )
        qtbot.waitUntil(lambda: window.take is None, timeout=10000)
    finally:
        stop_feeder(feeder)
        for process in returned:
            stop_feeder(process)
    assert recorded(window) == [60, 62, 64, 72]
    assert sum("disappeared" in m for m in messages) == 1, messages
    assert window.last_error is None  # said in the status bar, no dialog mid-take


def test_choosing_another_keyboard_mid_take_records_on_from_it(qtbot, window, jack_server):
    feeder = start_feeder(jack_server, FIRST_BAR, TEMPO_BPM, "--follow-clicks", "4")
    spare = midi_io.open_virtual_output("spare keys", api="jack")
    spare_port = next(p for p in jack_server.ports() if p.endswith(":spare keys"))
    use_jack(window, KEYS_PORT, CLICKS_PORT)
    try:
        messages = start_take(qtbot, window)
        unplugger = unplug_after_first_bar(feeder)
        qtbot.waitUntil(lambda: not unplugger.is_alive(), timeout=5000)
        window.refresh_inputs()
        choose(window.transport.input, spare_port)
        assert any("goes on from" in m for m in messages), messages
        # On the spare keyboard, beats 9 and 11 of the take (of 12), played by the app's
        # own scheduler from the take's bar one: polled from this (GUI) thread with
        # qtbot.waitUntil, a loaded machine sent beats 7 and 9 at 7.5 and 10.75, and
        # chose the spare only at beat 6.6 (so the notes moved two beats later).
        recorder = window.take.recorder
        keys = [Note(67, 9.0, 0.5, 90), Note(69, 11.0, 0.5, 90)]
        musician = Player(
            spare, schedule_from_arrangement(Arrangement([Track("keys", keys)], TEMPO_BPM))
        )
        beats_in = (time.perf_counter() - recorder.bar_one_time) * TEMPO_BPM / 60.0
        assert beats_in < 8.8, beats_in  # the spare chosen before its first note is due
        musician.start(at=recorder.bar_one_time)
        qtbot.waitUntil(lambda: window.take is None, timeout=10000)
        musician.stop()
    finally:
        stop_feeder(feeder)
        spare.close()
    notes = window.melody_editor.notes
    assert [n.pitch for n in notes] == [60, 62, 64, 67, 69]
    assert [n.start_beat for n in notes[3:]] == [9.0, 11.0]


def melody_of_quarters(count: int, first_pitch: int = 48) -> list[Note]:
    """Distinct pitches, so a restart from an earlier beat shows as a repeated pitch."""
    return [Note(first_pitch + i, float(i), 0.5, 90) for i in range(count)]


def note_on_times(receiver) -> list[tuple[float, int]]:
    return [(s, data[1]) for s, data in receiver.stop() if data[0] & 0xF0 == 0x90 and data[2]]


def test_a_tempo_change_while_playing_is_heard_live_on_the_midi_output(
    qtbot, window, jack_server, midi_receiver
):
    use_jack(window, "", midi_receiver.port)
    window.document.set_melody(melody_of_quarters(24))
    window.transport.tempo.setValue(120.0)
    window.actions.play.setChecked(True)
    # Into beat 2 at 0.5 s a beat; then twice as fast, from where it is. The beat of the
    # change is read from the player, not assumed from a qtbot.wait(1250), which a loaded
    # machine can stretch past beat 3 (then the gap taken as the first fast one was not).
    audition = window.audition
    qtbot.waitUntil(lambda: audition.position_beats() > 2.5, timeout=10000)
    changed_from = audition.position_beats()
    window.transport.tempo.setValue(240.0)
    changed_by = audition.position_beats()
    qtbot.waitUntil(lambda: audition.position_beats() > changed_by + 6.5, timeout=10000)
    window.actions.play.setChecked(False)
    qtbot.wait(100)
    events = note_on_times(midi_receiver)
    pitches = [p for _, p in events]
    assert pitches == list(range(48, 48 + len(pitches))), pitches  # on, never from beat 0
    gaps = [b[0] - a[0] for a, b in zip(events, events[1:], strict=False)]
    # gap i runs from beat i to i + 1: wholly before the change, or wholly after it
    before = gaps[: math.floor(changed_from)]
    after = gaps[math.ceil(changed_by) :]
    assert len(before) >= 2 and len(after) >= 5, (changed_from, changed_by, gaps)
    assert statistics.median(before) == pytest.approx(0.5, abs=0.03), gaps
    assert statistics.median(after) == pytest.approx(0.25, abs=0.03), gaps
    assert all(g == pytest.approx(0.25, abs=0.06) for g in after), gaps
    assert window.document.tempo_bpm == 240.0


def test_the_transport_follows_a_daws_clock_start_tempo_and_stop(
    qtbot, window, jack_server, midi_receiver
):
    daw = midi_io.open_virtual_output("daw clock", api="jack")
    daw_port = next(p for p in jack_server.ports() if p.endswith(":daw clock"))
    use_jack(window, "", midi_receiver.port)
    window.document.set_melody(melody_of_quarters(16))
    window.transport.tempo.setValue(100.0)
    window.refresh_inputs()
    choose(window.transport.clock, daw_port)
    assert window.clock_source() == daw_port
    song = Arrangement([Track("click", [Note(40, float(b), 0.1) for b in range(8)])], 150.0)
    player = Player(daw, schedule_from_arrangement(song), send_clock=True)
    try:
        qtbot.wait(300)
        assert not window.actions.play.isChecked()  # nothing until the DAW starts
        player.start()
        qtbot.waitUntil(window.actions.play.isChecked, timeout=5000)
        qtbot.waitUntil(lambda: window.document.tempo_bpm == 150.0, timeout=5000)
        assert "150 BPM" in window.transport.clock_label.text()
        assert window.transport.tempo.value() == 150.0
        qtbot.waitUntil(lambda: not player.playing, timeout=6000)
        player.stop()  # the DAW's stop
        qtbot.waitUntil(lambda: not window.actions.play.isChecked(), timeout=5000)
    finally:
        player.stop()
        window.transport.clock.setCurrentIndex(0)
        daw.close()
    assert window.clock is None and window.transport.clock_label.text() == ""
    events = note_on_times(midi_receiver)
    # Played along: at the DAW's 150 BPM once its tempo is read (0.4 s a beat).
    gaps = [b[0] - a[0] for a, b in zip(events, events[1:], strict=False)]
    assert len(gaps) >= 4, gaps
    assert statistics.median(gaps[-3:]) == pytest.approx(0.4, abs=0.03), gaps


def test_a_take_armed_while_following_starts_and_ends_with_the_daw(qtbot, window, jack_server):
    # The DAW plays a melody and its clock on one port; the window records from that port.
    melody = [(60, 0.0, 1.0), (62, 1.0, 0.5), (64, 1.5, 0.5), (65, 2.0, 2.0), (67, 4.0, 4.0)]
    song = Arrangement([Track("melody", [Note(p, s, d) for p, s, d in melody])], 150.0)
    daw = midi_io.open_virtual_output("daw both", api="jack")
    daw_port = next(p for p in jack_server.ports() if p.endswith(":daw both"))
    use_jack(window, daw_port, "")
    window.transport.tempo.setValue(100.0)
    window.transport.bars.setValue(4)  # asked for four; the DAW stops after two
    window.actions.metronome.setChecked(False)
    window.refresh_inputs()
    choose(window.transport.clock, daw_port)
    player = Player(daw, schedule_from_arrangement(song), send_clock=True)
    try:
        window.actions.record.setChecked(True)
        assert window.take is not None, window.last_error
        qtbot.wait(300)
        assert not window.take.recorder.started  # waiting for the DAW, no count-in
        assert window.melody_editor.first_beat == 0.0  # and no count-in bar drawn
        player.start()
        qtbot.waitUntil(lambda: window.take.recorder.started, timeout=5000)
        qtbot.waitUntil(lambda: not player.playing, timeout=6000)
        assert window.take is not None  # four bars asked for; the DAW has played two
        player.stop()  # the DAW's stop ends the take
        qtbot.waitUntil(lambda: window.take is None, timeout=5000)
    finally:
        player.stop()
        window.transport.clock.setCurrentIndex(0)
        daw.close()
    notes = window.melody_editor.notes
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in notes] == melody
    assert not window.actions.play.isChecked()  # the DAW's start began the take, not Play
