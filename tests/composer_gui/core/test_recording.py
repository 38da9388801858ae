"""Recording from a JACK port fed by another process, plus the pedal and click rules."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import mido
import pytest

from composer_gui.cli import main
from composer_gui.core import midi_io
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.recording import (
    CLICK_ACCENT_NOTE,
    CLICK_NOTE,
    Recorder,
    RecordingSetup,
    click_schedule,
    count_in_clicks,
    notes_from_messages,
)
from tests.support.midi_feeder import record_argv, start_feeder, stop_feeder

REPO = Path(__file__).resolve().parents[3]

# (pitch, start beat, length in beats): two bars with 16ths, 8ths and a dotted rhythm.
MELODY = [
    (60, 0.0, 1.0),
    (62, 1.0, 0.5),
    (64, 1.5, 0.5),
    (65, 2.0, 1.0),
    (67, 3.0, 1.0),
    (69, 4.0, 0.75),
    (67, 4.75, 0.25),
    (65, 5.0, 1.0),
    (64, 6.0, 2.0),
]


# -- rules, no ports ---------------------------------------------------------------------


def test_sustain_pedal_holds_released_notes_until_it_lifts():
    def on(note):
        return mido.Message("note_on", note=note, velocity=90)

    def off(note):
        return mido.Message("note_off", note=note)

    def pedal(value):
        return mido.Message("control_change", control=64, value=value)

    stamped = [
        (0.0, on(60)),
        (0.1, pedal(127)),
        (0.5, off(60)),
        (0.6, on(64)),
        (0.7, off(64)),
        (1.0, pedal(0)),
        (1.2, on(67)),
        (1.4, off(67)),
        (1.5, on(72)),
    ]
    notes = notes_from_messages(stamped, end_seconds=2.0)
    assert notes == [(60, 0.0, 1.0, 90), (64, 0.6, 1.0, 90), (67, 1.2, 1.4, 90), (72, 1.5, 2.0, 90)]


def test_pedal_held_note_struck_again_becomes_two_notes():
    stamped = [
        (0.0, mido.Message("control_change", control=64, value=100)),
        (0.1, mido.Message("note_on", note=60, velocity=80)),
        (0.2, mido.Message("note_off", note=60)),
        (0.4, mido.Message("note_on", note=60, velocity=70)),
        (0.45, mido.Message("note_off", note=60)),
        (0.5, mido.Message("control_change", control=64, value=0)),
    ]
    assert notes_from_messages(stamped, 1.0) == [(60, 0.1, 0.4, 80), (60, 0.4, 0.5, 70)]


def test_notes_held_when_the_keyboard_vanishes_end_then_not_at_the_end_of_the_take():
    """Session 21's walk: the keyboard's client killed while a key was down left that
    note sounding to the end of the take (its note-off never came: 18.5 beats of a
    half-beat note). What the input held, and its pedal, now end where it went away.
    Messages go in as the driver's callback gives them, the loss as the port watch
    says it; the on-screen keys are not the input's and play on."""
    setup = RecordingSetup(tempo_bpm=240.0, bars=2, count_in_bars=0)  # 8 beats in 2 s
    recorder = Recorder("", setup)
    recorder.start()
    recorder._on_message(mido.Message("note_on", note=60, velocity=80))
    recorder._on_message(mido.Message("control_change", control=64, value=127))
    recorder._on_message(mido.Message("note_off", note=60))  # held by the pedal
    recorder._on_message(mido.Message("note_on", note=64, velocity=80))
    recorder.play(mido.Message("note_on", note=72, velocity=80))  # the on-screen keys
    while recorder.beats_now() < 2.0:
        time.sleep(0.005)
    recorder._lost()
    lost_beat = recorder.beats_now()
    assert recorder.wait(10)  # the take goes on to its last bar
    recorder.stop()
    notes = {n.pitch: n for n in recorder.arrangement().tracks[0].notes}
    assert sorted(notes) == [60, 64, 72]
    for pitch in (60, 64):
        assert 2.0 <= notes[pitch].start_beat + notes[pitch].duration_beats <= lost_beat + 0.25
    assert notes[72].start_beat + notes[72].duration_beats == 8.0
    assert any("disappeared" in problem for problem in recorder.problems)


@pytest.mark.jack
def test_notes_held_on_the_old_input_end_where_another_input_is_chosen(jack_server):
    """Session 21's walk: another input chosen while a key (and the pedal) was down on
    the old one left that note sounding to the end of the take: its note-off goes to a
    port no longer listened to. What the old input held now ends where the input was
    switched, as for a keyboard that vanished; the new input's notes are recorded."""
    old = midi_io.open_virtual_output("old keys", api="jack")
    new = midi_io.open_virtual_output("new keys", api="jack")
    old_port = next(p for p in jack_server.ports() if p.endswith(":old keys"))
    new_port = next(p for p in jack_server.ports() if p.endswith(":new keys"))
    setup = RecordingSetup(tempo_bpm=240.0, bars=2, count_in_bars=0)  # 8 beats in 2 s
    recorder = Recorder(old_port, setup, api="jack")
    try:
        recorder.start()
        old.send(mido.Message("note_on", note=60, velocity=80))
        old.send(mido.Message("control_change", control=64, value=127))
        old.send(mido.Message("note_on", note=62, velocity=80))
        while len(recorder._stamped) < 3:  # the old input's three messages arrived
            time.sleep(0.005)
        while recorder.beats_now() < 2.0:
            time.sleep(0.005)
        recorder.switch_input(new_port)
        switched_beat = recorder.beats_now()
        old.send(mido.Message("note_off", note=60))  # nobody listens to it now
        new.send(mido.Message("note_on", note=67, velocity=80))
        while not any(m.type == "note_on" and m.note == 67 for _, m in recorder._stamped):
            time.sleep(0.005)
        assert recorder.wait(10)  # the take goes on to its last bar
    finally:
        recorder.stop()
        old.close()
        new.close()
    notes = {n.pitch: n for n in recorder.arrangement().tracks[0].notes}
    assert sorted(notes) == [60, 62, 67]
    for pitch in (60, 62):
        end = notes[pitch].start_beat + notes[pitch].duration_beats
        assert 2.0 <= end <= switched_beat + 0.25, (pitch, end)
    assert notes[67].start_beat + notes[67].duration_beats == 8.0  # held to the end
    assert recorder.problems == []


def test_clicks_accent_each_downbeat_through_count_in_and_take():
    setup = RecordingSetup(tempo_bpm=100, bars=2, time_signature=(3, 4), count_in_bars=1)
    ons = [
        (e.beat, e.message.note, e.message.velocity)
        for e in click_schedule(setup).events
        if e.message.type == "note_on"
    ]
    assert [beat for beat, _, _ in ons] == list(range(9))
    assert [note for _, note, _ in ons] == [CLICK_ACCENT_NOTE, CLICK_NOTE, CLICK_NOTE] * 3
    assert ons[0][2] > ons[1][2]
    assert all(e.message.channel == 9 for e in click_schedule(setup).events)


@pytest.mark.parametrize(
    ("signature", "click_beats"),
    [
        ((6, 8), [0.0, 1.5]),  # two dotted quarters, not six eighths
        ((9, 8), [0.0, 1.5, 3.0]),
        ((2, 2), [0.0, 2.0]),  # cut time on the half note
        ((5, 8), [0.0, 1.5]),  # 3 + 2 eighths
    ],
)
def test_clicks_fall_on_the_meters_own_beats(signature, click_beats):
    from models.pianoroll import Meter

    setup = RecordingSetup(tempo_bpm=100, bars=1, time_signature=signature, count_in_bars=1)
    ons = [e for e in click_schedule(setup).events if e.message.type == "note_on"]
    bar = Meter(*signature).bar_beats
    assert [e.beat for e in ons] == click_beats + [bar + b for b in click_beats]
    assert [e.message.note == CLICK_ACCENT_NOTE for e in ons] == (
        [True] + [False] * (len(click_beats) - 1)
    ) * 2
    assert count_in_clicks(setup, -bar) == (1, len(click_beats))
    assert count_in_clicks(setup, -0.01) == (len(click_beats), len(click_beats))


# -- real JACK ---------------------------------------------------------------------------


@pytest.mark.jack
def test_record_command_takes_down_a_melody_played_with_human_timing(
    jack_server, midi_dump, tmp_path, capsys
):
    tempo_bpm = 150.0
    feeder = start_feeder(jack_server, MELODY, tempo_bpm, "--follow-clicks", "4")
    take = tmp_path / "take.mid"
    try:
        code = main(record_argv(take, 2, tempo_bpm, "--thru", midi_dump.port))
    finally:
        stop_feeder(feeder)
    assert code == 0, capsys.readouterr().err
    notes = read_arrangement(take).tracks[0].notes
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in notes] == MELODY
    # MIDI thru: the player heard every note as it was played.
    heard = [event.data[1] for event in midi_dump.stop() if event.is_note_on]
    assert heard == [pitch for pitch, _, _ in MELODY]


@pytest.mark.jack
def test_record_can_start_with_the_first_note_instead_of_a_count_in(jack_server, tmp_path):
    tempo_bpm = 150.0
    # The first note sets the grid, so its own slip adds to every other note's: half the
    # jitter of the count-in test keeps the worst case under half a 16th.
    feeder = start_feeder(jack_server, MELODY, tempo_bpm, "--delay", "1.0", "--jitter-ms", "12")
    take = tmp_path / "take.mid"
    try:
        code = main(record_argv(take, 2, tempo_bpm, "--start-on-note", click="none"))
    finally:
        stop_feeder(feeder)
    assert code == 0
    notes = read_arrangement(take).tracks[0].notes
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in notes] == MELODY


@pytest.mark.jack
def test_a_vanishing_keyboard_keeps_the_take_says_so_once_and_comes_back(
    jack_server, tmp_path, capsys
):
    tempo_bpm = 200.0  # 3 bars of 4/4 take 3.6 s
    first_bar = [(60, 0.0, 1.0), (62, 1.0, 1.0), (64, 2.0, 1.0)]
    feeder = start_feeder(jack_server, first_bar, tempo_bpm, "--follow-clicks", "4")
    take = tmp_path / "take.mid"

    def kill_and_return():
        # Wait until the first bar is played, pull the plug, then plug a keyboard back in.
        for _ in range(2 * len(first_bar)):
            feeder.stdout.readline()
        feeder.kill()
        feeder.wait()
        time.sleep(0.5)
        returned.append(
            start_feeder(
                jack_server, [(72, 0.0, 0.5)], tempo_bpm, "--delay", "0.6", "--linger", "10"
            )
        )

    returned: list[subprocess.Popen] = []
    unplugger = threading.Thread(target=kill_and_return)
    unplugger.start()
    try:
        code = main(record_argv(take, 3, tempo_bpm))
    finally:
        unplugger.join()
        stop_feeder(feeder)
        for process in returned:
            stop_feeder(process)
    assert code == 0
    err = capsys.readouterr().err
    assert err.count("disappeared") == 1, err
    assert "Traceback" not in err
    pitches = [n.pitch for n in read_arrangement(take).tracks[0].notes]
    assert pitches == [60, 62, 64, 72]


@pytest.mark.jack
def test_ports_command_lists_our_virtual_output(jack_server, capsys):
    with midi_io.open_virtual_output(api="jack"):
        assert main(["ports", "--api", "jack"]) == 0
    out = capsys.readouterr().out
    assert "MIDI system: jack" in out
    assert f"{midi_io.CLIENT_NAME}:{midi_io.virtual_port_name()}" in out


@pytest.mark.jack
def test_recording_from_a_missing_port_is_one_sentence(jack_server, tmp_path, capsys):
    code = main(record_argv(tmp_path / "t.mid", 1, port="Nobody:keys", click="none"))
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("composer-gui: No MIDI input named 'Nobody:keys'")
    assert "composer-gui ports" in err
    assert not (tmp_path / "t.mid").exists()


@pytest.mark.jack
def test_recording_follows_a_daws_clock_start_and_stop(jack_server):
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.playback import Player, schedule_from_arrangement
    from composer_gui.core.recording import Recorder

    tempo_bpm = 150.0
    song = Arrangement([Track("melody", [Note(p, s, d) for p, s, d in MELODY])], tempo_bpm)
    daw = midi_io.open_virtual_output("daw out", api="jack")
    daw_port = next(p for p in jack_server.ports() if p.endswith(":daw out"))
    # Four bars asked for; the DAW stops after two, and its stop ends the take.
    setup = RecordingSetup(tempo_bpm=tempo_bpm, bars=4)
    recorder = Recorder(daw_port, setup, api="jack", clock_input=daw_port)
    try:
        recorder.start()
        time.sleep(0.3)
        assert not recorder.wait(0)  # nothing happens before the DAW starts
        player = Player(daw, schedule_from_arrangement(song), send_clock=True)
        with player:
            player.wait()
        assert recorder.wait(1.0)
    finally:
        recorder.stop()
        daw.close()
    # Bar one is the DAW's start, not the moment recording began (0.3 s earlier). 15 ms:
    # the host of a 2-core VM can hold one message back for up to ~10 ms.
    assert recorder.bar_one_time == pytest.approx(player.start_time, abs=0.015)
    notes = recorder.arrangement().tracks[0].notes
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in notes] == MELODY
