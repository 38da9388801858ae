"""The app against real MIDI ports on a JACK dummy server and the engine on a real model.

A keyboard player in another process (tests.support.midi_feeder) follows the app's
metronome and plays a melody with human timing; the app records it, then generates with
the engine. Sending to the DAW is captured by ``jack_midi_dump``. The engine runs the
tiny random-weight model of tests/support/model_files.py; the shipped-model flow is in
test_main_window.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from composer_gui.core import midi_io
from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.ui import settings
from tests.support.jack_server import MidiDump
from tests.support.midi_feeder import CLICKS_PORT, KEYS_PORT
from tests.support.midi_feeder import start_feeder as feeder_process

pytestmark = [pytest.mark.gui, pytest.mark.jack]

REPO = Path(__file__).resolve().parents[3]
TEMPO_BPM = 120.0
# two bars of quarters, eighths and a half note
MELODY = [
    (64, 0.0, 1.0),
    (62, 1.0, 0.5),
    (60, 1.5, 0.5),
    (62, 2.0, 1.0),
    (64, 3.0, 1.0),
    (64, 4.0, 1.0),
    (64, 5.0, 1.0),
    (62, 6.0, 2.0),
]


def start_feeder(jack_server, *options: str):
    return feeder_process(jack_server, MELODY, TEMPO_BPM, *options)


def use_jack(window, input_name: str = "", output_name: str = "") -> None:
    settings.put(settings.MIDI_API, "jack")
    settings.put(settings.MIDI_INPUT, input_name)
    settings.put(settings.MIDI_OUTPUT, output_name)
    window.apply_output_settings()


def connect_daw(window, jack_server) -> MidiDump:
    """The app's virtual port opened and connected to a DAW's stand-in, a
    ``jack_midi_dump`` client; the caller stops it (``dump.stop()``: what it received)."""
    window.open_daw_port()
    source = f"{midi_io.CLIENT_NAME}:{midi_io.virtual_port_name()}"
    jack_server.wait_for_port(source)
    dump = MidiDump(jack_server, client_name=f"daw{time.monotonic_ns() % 100000}")
    jack_server.connect(source, dump.port)
    return dump


@pytest.fixture
def picked_to_daw(qtbot, window, jack_server, melody_file) -> MidiDump:
    """The flows' tune at 240 BPM (two bars in 2 s) generated on JACK, its first
    candidate picked, the DAW's port connected (``connect_daw``)."""
    from tests.composer_gui.ui.test_window_issue15 import generate

    use_jack(window)
    assert window.open_file(melody_file)
    window.document.set_tempo(240.0)
    generate(qtbot, window)
    window.candidates.select(0)
    return connect_daw(window, jack_server)


def test_record_from_a_jack_keyboard_then_generate(qtbot, window, jack_server, tiny_model):
    feeder = start_feeder(jack_server, "--follow-clicks", "4")
    try:
        use_jack(window, KEYS_PORT, CLICKS_PORT)  # clicks go to the player's ears
        window.engine.configure(str(tiny_model), "cpu")
        window.transport.tempo.setValue(TEMPO_BPM)
        window.transport.bars.setValue(2)
        window.actions.metronome.setChecked(True)
        window.actions.count_in.setChecked(True)
        qtbot.keyClick(window, Qt.Key_R)
        assert window.take is not None, window.last_error
        qtbot.waitUntil(lambda: window.take is None, timeout=10000)
    finally:
        if feeder.poll() is None:
            feeder.kill()
        feeder.wait(timeout=10)
    recorded = [(n.pitch, n.start_beat, n.duration_beats) for n in window.melody_editor.notes]
    assert recorded == MELODY
    with qtbot.waitSignal(window.generation_done, timeout=60000):
        qtbot.keyClick(window, Qt.Key_G)
    candidates = window.project.candidates
    assert candidates and [c.rank for c in candidates] == sorted(c.rank for c in candidates)
    melody = candidates[0].arrangement.tracks[0].notes
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in melody] == MELODY
    assert window.device_label.text().endswith("cpu")


def test_send_to_the_daw_port_plays_what_is_heard(qtbot, window, jack_server, tiny_model, tmp_path):
    use_jack(window)
    window.engine.configure(str(tiny_model), "cpu")
    path = tmp_path / "short.mid"
    notes = [Note(p, s, d, 90) for p, s, d in MELODY]
    write_arrangement(Arrangement([Track("melody", notes)], tempo_bpm=240.0), path)
    assert window.open_file(path)
    with qtbot.waitSignal(window.generation_done, timeout=60000):
        window.generate()
    qtbot.keyClick(window, Qt.Key_1)
    window.tracks.strips[2].mute.click()  # the tenor stays silent
    dump = connect_daw(window, jack_server)
    try:
        window.actions.send_to_daw.setChecked(True)
        qtbot.waitUntil(lambda: not window.actions.send_to_daw.isChecked(), timeout=15000)
        time.sleep(0.2)
    finally:
        events = dump.stop()
    heard = window.heard_arrangement()
    expected = sorted(
        (t.channel, n.pitch) for i, t in enumerate(heard.tracks) if i != 2 for n in t.notes
    )
    note_ons = sorted((e.channel, e.data[1]) for e in events if e.is_note_on)
    assert note_ons == expected
    tenor_channel = heard.tracks[2].channel
    assert not any(e.is_note_on and e.channel == tenor_channel for e in events)
    programs = {e.channel: e.data[1] for e in events if e.status == 0xC0}
    assert programs[heard.tracks[3].channel] == window.tracks.strips[3].instrument.currentData()


def test_letter_keys_sound_through_the_chosen_midi_output(qtbot, window, jack_server):
    dump = MidiDump(jack_server, client_name=f"keys{time.monotonic_ns() % 100000}")
    try:
        use_jack(window, output_name=dump.port)
        window.actions.computer_keyboard.setChecked(True)
        qtbot.keyPress(window, Qt.Key_A)
        qtbot.wait(50)
        qtbot.keyRelease(window, Qt.Key_A)
        qtbot.wait(200)
    finally:
        events = dump.stop()
    assert [(e.is_note_on, e.data[1]) for e in events if e.status in (0x80, 0x90)] == [
        (True, 60),
        (False, 60),
    ]


def test_a_track_muted_while_sending_to_the_daw_port_goes_silent_there_at_once(
    qtbot, window, picked_to_daw
):
    """Session 18: a mute while Send to DAW ran reached the DAW only at the next Send.
    Through the real virtual port on JACK, counted in the clock the DAW receives: the
    tenor's sounding note ends within half a beat of the mute, no tenor note after it,
    and the other voices' notes all arrive."""
    dump = picked_to_daw
    try:
        window.actions.send_to_daw.setChecked(True)
        qtbot.waitUntil(lambda: window.audition.position_beats() > 2.3, timeout=5000)
        muted_beat = window.audition.position_beats()  # the tenor's half note sounds
        window.tracks.strips[2].mute.click()
        qtbot.waitUntil(lambda: not window.actions.send_to_daw.isChecked(), timeout=15000)
        time.sleep(0.2)
    finally:
        events = dump.stop()
    heard = window.heard_arrangement()
    tenor = heard.tracks[2]
    clocks = 0
    tenor_events = []  # (clocks received before it, on?, pitch)
    for event in events:
        if event.data[0] == 0xF8:
            clocks += 1
        elif event.channel == tenor.channel and (event.is_note_on or event.is_note_off):
            tenor_events.append((clocks, event.is_note_on, event.data[1]))
    held = next(n for n in tenor.notes if n.start_beat <= muted_beat < n.end_beat)
    last_on = max(i for i, e in enumerate(tenor_events) if e[1])
    assert tenor_events[last_on][2] == held.pitch  # no tenor note after the held one
    release = next(e for e in tenor_events[last_on:] if not e[1] and e[2] == held.pitch)
    assert muted_beat * 24 - 2 <= release[0] <= (muted_beat + 0.5) * 24  # not at its end
    others = sorted(
        (t.channel, n.pitch) for i, t in enumerate(heard.tracks) if i != 2 for n in t.notes
    )
    assert (
        sorted(
            (e.channel, e.data[1]) for e in events if e.is_note_on and e.channel != tenor.channel
        )
        == others
    )


def test_volume_and_instrument_changed_while_sending_to_the_daw_port_arrive_at_once(
    qtbot, window, picked_to_daw
):
    """Session 18b: the volume slider never reached the DAW and an instrument change
    reached it at the next Send. Through the real virtual port on JACK, counted in the
    clock the DAW receives: each voice's channel volume before its first note, then the
    bass's new volume and the alto's new program within a quarter beat of the change,
    before the alto's next note, and the clock unbroken with one Start."""
    from composer_gui.core.midi_writer import assign_channels

    dump = picked_to_daw
    strips = window.tracks.strips
    try:
        window.actions.send_to_daw.setChecked(True)
        qtbot.waitUntil(lambda: window.audition.position_beats() > 2.3, timeout=5000)
        changed_beat = window.audition.position_beats()
        strips[3].volume.setValue(45)
        strips[1].instrument.setCurrentIndex(strips[1].instrument.findData(40))
        qtbot.waitUntil(lambda: not window.actions.send_to_daw.isChecked(), timeout=15000)
        time.sleep(0.2)
    finally:
        events = dump.stop()
    channels = assign_channels(window.heard_arrangement().tracks)
    clocks, received = 0, []  # (clocks received before it, status, channel, data 1)
    for event in events:
        if event.data[0] == 0xF8:
            clocks += 1
        elif event.status in (0xB0, 0xC0) or event.is_note_on:
            received.append((clocks, event.status, event.channel, event.data[1:]))
    for channel in channels:  # each voice's volume (full) came before its first note
        own = [e for e in received if e[2] == channel]
        first_note = next(i for i, e in enumerate(own) if e[1] == 0x90)
        assert (0xB0, (7, 127)) in [(e[1], e[3]) for e in own[:first_note]]
    volume = next(e for e in received if e[1:] == (0xB0, channels[3], (7, 45)))
    program = next(e for e in received if e[1:] == (0xC0, channels[1], (40,)))
    for change in (volume, program):
        assert changed_beat * 24 - 2 <= change[0] <= (changed_beat + 0.25) * 24
    alto_next = next(
        e for e in received if e[0] >= program[0] and e[1] == 0x90 and e[2] == channels[1]
    )
    assert received.index(program) < received.index(alto_next)
    assert clocks == 2 * 4 * 24
    assert [e.data[0] for e in events].count(0xFA) == 1  # one Start
