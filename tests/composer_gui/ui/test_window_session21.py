"""Session 21's walk: a MIDI output that goes away and comes back.

Real ports on the JACK dummy server; ``jack_midi_dump`` stands in for the synth module
or DAW chosen as the MIDI output in Preferences. Switched off, it leaves; switched on
again, it is a new client of the same name, which nothing connects to by itself.
"""

from __future__ import annotations

import time

import pytest

from composer_gui.core.recording import RecordingSetup, click_schedule
from composer_gui.ui import settings
from tests.support.jack_server import MidiDump

pytestmark = [pytest.mark.gui, pytest.mark.jack]


def note_ons(events) -> list[int]:
    return [e.data[1] for e in events if e.is_note_on]


def test_play_and_the_clicks_reach_a_midi_output_that_went_away_and_came_back(
    qtbot, window, jack_server, melody_file
):
    """The walk: the metronome's clicks never reached the keyboard plugged back in (its
    player waited for them), and Play to the DAW's port chosen as the output sent it
    nothing once it was back, even after OK in Preferences, with nothing said: the
    window kept its first connection, to a client that was gone."""
    name = f"synth{time.monotonic_ns() % 100000}"
    dump = MidiDump(jack_server, client_name=name)
    settings.put(settings.MIDI_API, "jack")
    settings.put(settings.MIDI_OUTPUT, dump.port)
    window.apply_output_settings()
    assert window.open_file(melody_file)
    window.document.set_tempo(480.0)
    expected = sum(len(t.notes) for t in window.heard_arrangement().tracks)

    def play_through() -> None:
        window.actions.play.setChecked(True)
        qtbot.waitUntil(lambda: not window.actions.play.isChecked(), timeout=20000)

    try:
        play_through()
    finally:
        first = dump.stop()  # switched off
    assert len(note_ons(first)) == expected
    qtbot.waitUntil(lambda: dump.port not in jack_server.ports(), timeout=10000)
    dump = MidiDump(jack_server, client_name=name)  # switched on again
    try:
        play_through()
        setup = RecordingSetup(tempo_bpm=480.0, bars=1, count_in_bars=1)
        clicks = click_schedule(setup)
        window.audition.play_schedule(clicks)  # the metronome of a take
        qtbot.waitUntil(lambda: not window.audition.is_playing, timeout=20000)
    finally:
        again = dump.stop()
    clicks_sent = sum(1 for e in clicks.events if e.message.type == "note_on")
    assert len(note_ons(again)) == expected + clicks_sent
    assert window.last_error is None


def test_a_take_whose_clicks_cannot_sound_says_so_and_is_still_recorded(qtbot, window, jack_server):
    """The walk: the MIDI output chosen for the clicks gone when Record was pressed; the
    clicks' failure was only logged and the take ran silently, the musician waiting for
    a count-in that never came. Now one sentence in the status bar says the take goes on
    without clicks and why, and what is played is recorded."""
    name = f"clicks{time.monotonic_ns() % 100000}"
    dump = MidiDump(jack_server, client_name=name)
    settings.put(settings.MIDI_API, "jack")
    settings.put(settings.MIDI_OUTPUT, dump.port)
    window.apply_output_settings()
    dump.stop()  # switched off before Record
    qtbot.waitUntil(lambda: dump.port not in jack_server.ports(), timeout=10000)
    messages: list[str] = []
    window.statusBar().messageChanged.connect(lambda text: text and messages.append(text))
    window.transport.tempo.setValue(240.0)
    window.transport.bars.setValue(1)
    window.actions.metronome.setChecked(True)
    window.actions.count_in.setChecked(True)
    window.actions.record.setChecked(True)
    take = window.take
    assert take is not None, window.last_error
    said = [m for m in messages if "without clicks" in m]
    assert len(said) == 1, messages
    assert dump.port in said[0] and said[0].count(".") == 1  # one sentence, names it
    qtbot.waitUntil(lambda: take.recorder.beats_now() >= 1.0, timeout=10000)
    assert window.statusBar().currentMessage() == said[0]  # still there in the take
    window.play_note(67, 90)  # the on-screen piano, in the take's bar
    qtbot.waitUntil(lambda: take.recorder.beats_now() >= 2.0, timeout=10000)
    window.release_note(67)
    qtbot.waitUntil(lambda: window.take is None, timeout=10000)
    assert [n.pitch for n in window.melody_editor.notes] == [67]
    assert window.last_error is None  # said in the status bar, no dialog mid-take
