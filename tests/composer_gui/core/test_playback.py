"""The playback scheduler, heard by a real JACK client (jack_midi_dump) on a dummy server."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import mido
import pytest

from composer_gui.core import midi_io
from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.playback import (
    ALL_NOTES_OFF,
    Player,
    Schedule,
    TempoMap,
    TimedMessage,
    schedule_from_arrangement,
    schedule_from_midifile,
)
from tests.support.jack_server import MidiDump, MidiReceiver

REPO = Path(__file__).resolve().parents[3]


def four_track_file(path: Path, seconds: float) -> None:
    """Four monophonic parts on channels 0-3 with a tempo change half-way, ``seconds`` long."""
    ticks_per_beat = 480
    midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    first_bpm, second_bpm = 120.0, 96.0
    half_beats = int(seconds / 2 * first_bpm / 60)
    total_beats = half_beats + int(seconds / 2 * second_bpm / 60)
    conductor = mido.MidiTrack(
        [
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(first_bpm), time=0),
            mido.MetaMessage(
                "set_tempo", tempo=mido.bpm2tempo(second_bpm), time=half_beats * ticks_per_beat
            ),
        ]
    )
    midi.tracks.append(conductor)
    # (channel, note length in beats, base pitch): eighths, quarters, dotted quarters, halves
    parts = [(0, 0.5, 72), (1, 1.0, 64), (2, 1.5, 55), (3, 2.0, 43)]
    for channel, length_beats, base_pitch in parts:
        track = mido.MidiTrack([mido.Message("program_change", channel=channel, program=channel)])
        last_tick = 0
        beat, index = 0.0, 0
        while beat + length_beats <= total_beats:
            pitch = base_pitch + (index * 5) % 12
            on_tick = round(beat * ticks_per_beat)
            # Slightly detached notes so every off precedes the next on at a distinct tick.
            off_tick = round((beat + length_beats * 0.9) * ticks_per_beat)
            track.append(
                mido.Message(
                    "note_on", channel=channel, note=pitch, velocity=90, time=on_tick - last_tick
                )
            )
            track.append(
                mido.Message("note_off", channel=channel, note=pitch, time=off_tick - on_tick)
            )
            last_tick = off_tick
            beat += length_beats
            index += 1
        midi.tracks.append(track)
    midi.save(path)


def expected_notes(path: Path) -> list[tuple[float, str, int, int]]:
    """(seconds, type, channel, note) of each note event, by mido's own reading of the file."""
    seconds = 0.0
    events = []
    for message in mido.MidiFile(path):
        seconds += message.time
        if message.type in ("note_on", "note_off"):
            kind = "on" if message.type == "note_on" and message.velocity > 0 else "off"
            events.append((seconds, kind, message.channel, message.note))
    return events


def received_notes(dumped) -> list[tuple[int, str, int, int]]:
    return [
        (e.frame, "on" if e.is_note_on else "off", e.channel, e.data[1])
        for e in dumped
        if e.is_note_on or e.is_note_off
    ]


def run_play(jack_server, listeners, path: Path, *extra: str) -> subprocess.Popen:
    """Start `composer-gui play --virtual --wait`, connect the listeners, press Enter."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "composer_gui.cli",
            "play",
            str(path),
            "--virtual",
            "--api",
            "jack",
            "--wait",
            *extra,
        ],
        cwd=REPO,
        env=jack_server.env(),
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    source = f"{midi_io.CLIENT_NAME}:{midi_io.virtual_port_name()}"
    jack_server.wait_for_port(source)
    for listener in listeners:
        jack_server.connect(source, listener.port)
    process.stdin.write("\n")
    process.stdin.flush()
    return process


# -- pure timing arithmetic ---------------------------------------------------------------


def test_tempo_map_turns_beats_into_seconds_across_changes():
    tempo = TempoMap(120.0, [(4.0, 60.0)])
    assert tempo.seconds_at(2.0) == pytest.approx(1.0)
    assert tempo.seconds_at(4.0) == pytest.approx(2.0)
    assert tempo.seconds_at(5.0) == pytest.approx(3.0)


def test_arrangement_plays_each_track_on_its_own_channel_with_its_program():
    arrangement = Arrangement(
        [
            Track("melody", [Note(60, 0.0, 1.0)], program=73, channel=0),
            Track("bass", [Note(40, 1.0, 2.0)], program=32, channel=3),
        ],
        tempo_bpm=90.0,
    )
    schedule = schedule_from_arrangement(arrangement)
    programs = {
        (e.message.channel, e.message.program)
        for e in schedule.events
        if e.message.type == "program_change"
    }
    notes = [
        (e.beat, e.message.type, e.message.channel, e.message.note)
        for e in schedule.events
        if e.message.type.startswith("note")
    ]
    assert programs == {(0, 73), (3, 32)}
    assert notes == [
        (0.0, "note_on", 0, 60),
        (1.0, "note_off", 0, 60),
        (1.0, "note_on", 3, 40),
        (3.0, "note_off", 3, 40),
    ]
    assert schedule.length_beats == 4.0  # one whole bar of 4/4
    assert schedule.tempo.seconds_at(3.0) == pytest.approx(2.0)


# -- real JACK ---------------------------------------------------------------------------


@pytest.mark.jack
@pytest.mark.slow
def test_play_command_delivers_a_60_second_four_track_file_on_time(daw_period_server, tmp_path):
    server = daw_period_server
    path = tmp_path / "four_tracks.mid"
    four_track_file(path, seconds=60.0)
    midi_dump = MidiDump(server, client_name="dump60")
    midi_receiver = MidiReceiver(client_name="receiver60")
    try:
        process = run_play(server, [midi_dump, midi_receiver], path)
        _, stderr = process.communicate(timeout=120)
    finally:
        received = received_notes(midi_dump.stop())
        arrivals = midi_receiver.stop()
    assert process.returncode == 0, stderr
    expected = expected_notes(path)
    timed = [(seconds, data) for seconds, data in arrivals if (data[0] & 0xF0) in (0x80, 0x90)]
    print(f"jack_midi_dump got {len(received)}, the receiver {len(timed)} of {len(expected)}")

    # Every note-on and note-off arrives, on its channel, in the file's order per channel.
    for channel in range(4):
        assert [r[1:] for r in received if r[2] == channel] == [
            e[1:] for e in expected if e[2] == channel
        ]
    assert len(received) == len(expected)

    # Timing, from the receiver that stamps arrivals with JACK's wall clock (the dummy
    # driver's frame counter loses time on a busy machine): pair events per channel.
    assert len(timed) == len(expected)
    errors = []  # (scheduled seconds, arrival - schedule in seconds)
    for channel in range(4):
        got = [seconds for seconds, data in timed if (data[0] & 0x0F) == channel]
        want = [e[0] for e in expected if e[2] == channel]
        errors += [(w, g - w) for g, w in zip(got, want, strict=True)]
    offset = statistics.median(error for _, error in errors)  # the fixed latency
    spread = sorted(abs(error - offset) * 1000 for _, error in errors)
    period_ms = server.period_seconds * 1000
    beyond = sum(d > period_ms for d in spread)
    print(
        f"timing error (ms) at a {period_ms:.2f} ms period: median {spread[len(spread) // 2]:.3f}, "
        f"p99 {spread[int(len(spread) * 0.99)]:.3f}, max {spread[-1]:.3f}; beyond it: {beyond}"
    )
    # Within one JACK period of the schedule. rtmidi hands a message to JACK at the start of
    # the next cycle, so a perfect sender already spreads +-half a period around the median;
    # the rest of the period is the scheduler's. The hosts of this project's 2-core VMs take
    # the CPU away for 2-9 ms now and then, even from a realtime thread: four full runs here
    # put 0, 1, 3 and 17 of 900 events beyond the period, the worst 2.8-9.5 ms off, and
    # on another day two fresh-clone runs of three each had an event about 25 ms off (on
    # the idle machine a single one, p99 3.1 ms): a stall of the host, not the scheduler.
    # So: 95% within one period, at most 0.5% beyond four, none beyond ten (a plain sleep
    # loop is off by 50-120 ms, and accumulated sleeps would drift:
    # benchmarks/bench_scheduler.py).
    assert beyond <= len(spread) * 5 // 100, f"{beyond} events more than one period off"
    far = sum(d > 4 * period_ms for d in spread)
    assert far <= len(spread) // 200, f"{far} events more than four periods off"
    assert spread[-1] <= 10 * period_ms, f"an event {spread[-1]:.1f} ms off"
    assert spread[len(spread) // 2] <= period_ms / 2
    # No drift: the first and last ten seconds sit at the same latency.
    early = statistics.mean(error for t, error in errors if t < 10)
    late = statistics.mean(error for t, error in errors if t > 50)
    assert abs(late - early) < server.period_seconds / 2


@pytest.mark.jack
def test_stopping_the_play_command_mid_note_leaves_nothing_hanging(
    jack_server, midi_dump, tmp_path
):
    path = tmp_path / "long_notes.mid"
    track = mido.MidiTrack()
    for channel, pitch in ((0, 60), (1, 64), (2, 67)):
        track.append(mido.Message("note_on", channel=channel, note=pitch, velocity=90))
    track.append(mido.Message("note_off", channel=0, note=60, time=480 * 16))
    midi = mido.MidiFile(ticks_per_beat=480)
    midi.tracks.append(track)
    midi.save(path)

    process = run_play(jack_server, [midi_dump], path)
    time.sleep(1.0)  # mid-note: the notes last 8 seconds
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    dumped = midi_dump.stop()

    sounding = set()
    for event in dumped:
        key = (event.channel, event.data[1])
        if event.is_note_on:
            sounding.add(key)
        elif event.is_note_off:
            sounding.discard(key)
    assert sounding == set()
    all_off = {e.channel for e in dumped if e.status == 0xB0 and e.data[1] == ALL_NOTES_OFF}
    assert all_off == {0, 1, 2}


def click_track(beats: int, channel: int = 0) -> Schedule:
    events = []
    for beat in range(beats):
        events.append(
            TimedMessage(
                beat, mido.Message("note_on", channel=channel, note=60 + beat, velocity=100)
            )
        )
        events.append(
            TimedMessage(beat + 0.5, mido.Message("note_off", channel=channel, note=60 + beat))
        )
    return Schedule(events, TempoMap(240.0), float(beats))


def open_connected_output(jack_server, listener, name: str):
    output = midi_io.open_virtual_output(name, api="jack")
    jack_server.connect(f"{midi_io.CLIENT_NAME}:{name}", listener.port)
    return output


@pytest.mark.jack
def test_loop_and_tempo_change_while_playing(jack_server, midi_receiver):
    output = open_connected_output(jack_server, midi_receiver, "loop test")
    # Two beats at 240 BPM = 0.5 s a pass. At beat 5.25 (1.3125 s, between two notes),
    # double the tempo; then at least six more beats at 0.125 s.
    player = Player(output, click_track(2), loop=True)
    start = time.perf_counter() + 0.1
    player.start(at=start)
    time.sleep(start + 1.3125 - time.perf_counter())
    player.set_tempo(480.0)
    time.sleep(0.85)
    player.stop()
    time.sleep(0.05)
    output.close()
    # Arrival times on JACK's wall clock: the dummy driver's frame counter loses time
    # when the busy VM makes it miss cycles, which shortens gaps measured in frames.
    ons = [seconds for seconds, data in midi_receiver.stop() if data[0] & 0xF0 == 0x90]
    gaps = [b - a for a, b in zip(ons, ons[1:], strict=False)]
    assert len(gaps) >= 11, gaps
    before, across, after = gaps[:5], gaps[5], gaps[6:]
    # Beats 0-5 at 0.25 s (the loop wraps twice without a hiccup); the gap across the
    # change is a quarter beat at 0.25 s and three quarters at 0.125 s; then 0.125 s.
    # The medians (which one late event cannot move) must be within two JACK periods.
    # Every single gap gets 15 ms: the host of this 2-core VM now and then takes the CPU
    # away for up to ~10 ms, which moves the two gaps around that event (a wrong tempo or
    # a lost wrap is off by 60 ms or more).
    exact, slack = 2 * jack_server.period_seconds, 0.015
    assert statistics.median(before) == pytest.approx(0.25, abs=exact), gaps
    assert statistics.median(after) == pytest.approx(0.125, abs=exact), gaps
    assert all(g == pytest.approx(0.25, abs=slack) for g in before), gaps
    assert across == pytest.approx(0.25 / 4 + 0.125 * 3 / 4, abs=slack), gaps
    assert all(g == pytest.approx(0.125, abs=slack) for g in after), gaps


@pytest.mark.jack
def test_player_stop_silences_sounding_notes_and_every_used_channel(jack_server, midi_dump):
    output = open_connected_output(jack_server, midi_dump, "stop test")
    held = Schedule(
        [
            TimedMessage(0.0, mido.Message("note_on", channel=5, note=50, velocity=90)),
            TimedMessage(8.0, mido.Message("note_off", channel=5, note=50)),
            TimedMessage(6.0, mido.Message("note_on", channel=7, note=70, velocity=90)),
        ],
        TempoMap(120.0),
        8.0,
    )
    with Player(output, held) as player:
        time.sleep(0.3)
        assert player.playing
    time.sleep(0.05)
    output.close()
    dumped = midi_dump.stop()
    note_events = [
        (e.channel, e.data[1], e.is_note_on) for e in dumped if e.is_note_on or e.is_note_off
    ]
    assert note_events == [(5, 50, True), (5, 50, False)]
    assert {e.channel for e in dumped if e.status == 0xB0 and e.data[1] == ALL_NOTES_OFF} == {5, 7}


def test_schedule_from_a_file_keeps_channels_and_tempo(tmp_path):
    path = tmp_path / "short.mid"
    four_track_file(path, seconds=4.0)
    schedule = schedule_from_midifile(mido.MidiFile(path))
    assert schedule.channels == {0, 1, 2, 3}
    assert schedule.tempo.first_bpm == pytest.approx(120.0)
    assert schedule.tempo.bpms[1] == pytest.approx(96.0)


def test_play_reports_a_missing_file_in_one_sentence(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "composer_gui.cli",
            "play",
            str(tmp_path / "nope.mid"),
            "--port",
            "x",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "JACK_NO_START_SERVER": "1"},
    )
    assert result.returncode == 2
    assert "No file at" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.jack
def test_one_port_per_track_sends_each_part_to_its_own_port(jack_server):
    from composer_gui.core.midi_writer import arrangement_to_midi
    from composer_gui.core.playback import track_channels

    arrangement = Arrangement(
        [
            Track("melody", [Note(72, 0.0, 0.5)], channel=0),
            Track("bass", [Note(40, 0.0, 0.5), Note(43, 0.5, 0.5)], program=33, channel=1),
        ],
        tempo_bpm=240.0,
    )
    dumps = {name: MidiDump(jack_server, client_name=f"dump-{name}") for name in ("m", "b")}
    with midi_io.TrackPorts(track_channels(arrangement_to_midi(arrangement)), "jack") as ports:
        for key, track_name in (("m", "melody"), ("b", "bass")):
            port_name = midi_io.virtual_port_name(track_name)
            source = next(p for p in jack_server.ports() if p.endswith(f":{port_name}"))
            jack_server.connect(source, dumps[key].port)
        with Player(ports, schedule_from_arrangement(arrangement)) as player:
            assert player.wait(3.0)
        time.sleep(0.05)
    got = {
        key: [(e.channel, e.data[1]) for e in dump.stop() if e.is_note_on]
        for key, dump in dumps.items()
    }
    assert got == {"m": [(0, 72)], "b": [(1, 40), (1, 43)]}


EXIT_WHILE_PLAYING = """
import sys, time
import mido
from composer_gui.core import midi_io
from composer_gui.core.playback import Player, Schedule, TempoMap, TimedMessage
output = midi_io.open_virtual_output("exit test", api="jack")
print("ready", flush=True)
sys.stdin.readline()
held = [TimedMessage(0.0, mido.Message("note_on", channel=2, note=62, velocity=90))]
Player(output, Schedule(held, TempoMap(120.0), 16.0)).start()
time.sleep(0.3)
sys.exit(0)  # no stop(): the exit handler must silence the note
"""


@pytest.mark.jack
def test_leaving_the_program_while_playing_leaves_nothing_hanging(jack_server, midi_dump):
    process = subprocess.Popen(
        [sys.executable, "-c", EXIT_WHILE_PLAYING],
        cwd=REPO,
        env=jack_server.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "ready"
    source = next(p for p in jack_server.ports() if p.endswith(":exit test"))
    jack_server.connect(source, midi_dump.port)
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.wait(timeout=10) == 0
    dumped = midi_dump.stop()
    notes = [(e.channel, e.data[1], e.is_note_on) for e in dumped if e.is_note_on or e.is_note_off]
    assert notes == [(2, 62, True), (2, 62, False)]
    assert any(e.status == 0xB0 and e.data[1] == ALL_NOTES_OFF and e.channel == 2 for e in dumped)


@pytest.mark.jack
def test_play_waits_for_the_daws_start_and_stops_on_its_stop(jack_server, midi_dump, tmp_path):
    path = tmp_path / "held.mid"
    track = mido.MidiTrack()
    track.append(mido.Message("note_on", channel=0, note=62, velocity=90))
    track.append(mido.Message("note_off", channel=0, note=62, time=480 * 16))
    midi = mido.MidiFile(ticks_per_beat=480)
    midi.tracks.append(track)
    midi.save(path)
    # A client of its own, so the player's port keeps the app's name.
    daw = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output(
        "transport", virtual=True, client_name="daw"
    )
    try:
        jack_server.wait_for_port("daw:transport")
        daw_port = "daw:transport"
        process = run_play(jack_server, [midi_dump], path, "--follow-clock", daw_port)
        time.sleep(1.0)
        assert process.poll() is None  # still waiting: the DAW has not started
        daw.send(mido.Message("start"))
        time.sleep(1.0)  # the note (8 s long) is sounding
        daw.send(mido.Message("stop"))
        _, stderr = process.communicate(timeout=10)
    finally:
        daw.close()
    assert process.returncode == 0, stderr
    assert "Waiting for start" in stderr
    dumped = midi_dump.stop()
    ons = [e for e in dumped if e.is_note_on]
    offs = [e for e in dumped if e.is_note_off and e.data[1] == 62]
    assert len(ons) == 1 and ons[0].data[1] == 62
    assert offs and offs[0].frame > ons[0].frame  # released by the DAW's stop, not hanging
    assert (offs[0].frame - ons[0].frame) / 48000 < 2.5  # long before the note's own end


@pytest.mark.jack
def test_play_at_another_tempo_prints_the_duration_it_plays(jack_server, midi_receiver, tmp_path):
    """Two bars at 120 BPM (4 s) played with --tempo 240: it says 2.0 s and lasts 2 s."""
    path = tmp_path / "two_bars.mid"
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(120.0))])
    for beat in range(8):  # a note on every beat, 0.9 beat long (delta ticks)
        track.append(mido.Message("note_on", note=60 + beat, velocity=90, time=48 if beat else 0))
        track.append(mido.Message("note_off", note=60 + beat, time=432))
    midi = mido.MidiFile(ticks_per_beat=480)
    midi.tracks.append(track)
    midi.save(path)

    process = run_play(jack_server, [midi_receiver], path, "--tempo", "240")
    _, stderr = process.communicate(timeout=30)
    arrivals = [t for t, data in midi_receiver.stop() if (data[0] & 0xF0) in (0x80, 0x90)]
    assert process.returncode == 0, stderr
    printed = float(stderr.split("(", 1)[1].split(" s", 1)[0])
    assert "at 240 BPM" in stderr
    assert printed == pytest.approx(2.0, abs=0.05)
    played = arrivals[-1] - arrivals[0]  # first note-on to last note-off: 7.9 of 8 beats
    assert played == pytest.approx(printed * 7.9 / 8, abs=0.1)
