"""A track's volume and instrument while playing (session 18b): each part's channel
volume (CC 7) is written and played at its start, ``Player.set_controls`` sends a
program or a volume now, coalesced, and the value holds over the schedule's own."""

from __future__ import annotations

import time

import mido
import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_writer import arrangement_to_midi
from composer_gui.core.playback import (
    CONTROL_INTERVAL_SECONDS,
    Player,
    schedule_from_arrangement,
)
from tests.composer_gui.core.test_playback_swap import BEAT, BPM, RecordingPort


def two_parts(volume: int | None = 90) -> Arrangement:
    return Arrangement(
        [
            Track("melody", [Note(72, float(b), 0.9, 90) for b in range(8)], 73, 0, volume=volume),
            Track("bass", [Note(40, float(b), 0.9, 90) for b in range(8)], 32, 1, volume=volume),
        ],
        tempo_bpm=BPM,
    )


def setup_of(track: mido.MidiTrack) -> list[tuple[str, int]]:
    return [
        (m.type, m.program if m.type == "program_change" else m.value)
        for m in track
        if m.type in ("program_change", "control_change")
    ]


def test_a_part_with_a_volume_starts_with_its_channel_volume_in_the_file():
    midi = arrangement_to_midi(two_parts(volume=90))
    assert setup_of(midi.tracks[1]) == [("program_change", 73), ("control_change", 90)]
    assert all(m.time == 0 for m in midi.tracks[1][:3])  # before the first note
    assert setup_of(arrangement_to_midi(two_parts(volume=None)).tracks[2]) == [
        ("program_change", 32)
    ]  # a model's candidate, a file read: the receiver's own volume, as before


def test_play_sends_each_channel_its_volume_before_its_first_note():
    port = RecordingPort()
    with Player(port, schedule_from_arrangement(two_parts(volume=55))) as player:
        time.sleep(0.05)
    del player
    for channel in (0, 1):
        sent = [m for _t, m in port.sent if getattr(m, "channel", None) == channel]
        first_note = next(i for i, m in enumerate(sent) if m.type == "note_on")
        volumes = [m.value for m in sent[:first_note] if m.type == "control_change"]
        assert volumes == [55]


def test_set_controls_sends_now_and_coalesces_one_key():
    """The first value at once: within half the wait for the schedule's next event, not
    within 10 ms (15-17 ms in 2 of 5 stress runs under two extra CPU loads, 64 ms in a
    later one). What tells "now" from "with the next event" is that wait, not the
    machine's wake-up latency, so the parts hold one note each: the next event is their
    end, 2 s away, and a thread not woken by set_controls sends only then."""
    held = Arrangement(
        [
            Track("melody", [Note(72, 0.0, 8.0, 90)], 73, 0, volume=90),
            Track("bass", [Note(40, 0.0, 8.0, 90)], 32, 1, volume=90),
        ],
        tempo_bpm=BPM,
    )
    schedule = schedule_from_arrangement(held)
    port = RecordingPort()
    player = Player(port, schedule)
    player.start()

    def last_value_sent() -> bool:
        return any(t >= asked and getattr(m, "value", None) == 1 for t, m in list(port.sent))

    try:
        time.sleep(0.3 * BEAT)
        asked = time.perf_counter()
        for value in range(100, 0, -1):  # a hundred values in well under a millisecond each
            player.set_controls([mido.Message("control_change", channel=1, control=7, value=value)])
        deadline = time.monotonic() + 3.0
        while not last_value_sent() and time.monotonic() < deadline:
            time.sleep(0.005)
        told = time.perf_counter() - asked
    finally:
        player.stop()
    sent = [
        (t, m.value)
        for t, m in port.sent
        if t >= asked and m.type == "control_change" and m.control == 7
    ]
    asked_beats = (asked - player.start_time) / BEAT
    next_due = min(e.beat for e in schedule.events if e.beat > asked_beats)
    wait = player.start_time + next_due * BEAT - asked
    assert wait > 1.0  # asked well before it, or the bound proves nothing
    assert sent, "no control sent"
    assert sent[0][0] - asked < wait / 2
    assert sent[-1][1] == 1  # the last value always
    assert len(sent) <= told / CONTROL_INTERVAL_SECONDS + 2
    assert all(b[0] - a[0] >= 0.9 * CONTROL_INTERVAL_SECONDS for a, b in zip(sent, sent[1:]))


def test_a_send_held_back_does_not_shorten_the_interval_to_the_next():
    """One key goes out at most once per ``CONTROL_INTERVAL_SECONDS`` as the port sees
    it. The player stamped a control when it found it due, before sending it: a send held
    back (a slow port here; on a loaded machine, the CPU taken from the player's thread)
    let the next value follow it at once. Failed before the mend (a 5 ms gap)."""

    class HeldBackOnce(RecordingPort):
        hold = False

        def send(self, message: mido.Message) -> None:
            if self.hold and message.type == "control_change":
                self.hold = False
                time.sleep(0.015)
            super().send(message)

    def volume_sent(value: int) -> bool:
        return any(m.type == "control_change" and m.value == value for _t, m in port.sent)

    port = HeldBackOnce()
    player = Player(port, schedule_from_arrangement(two_parts()))
    player.start()
    try:
        time.sleep(0.3 * BEAT)  # past beat 0's own volumes
        port.hold = True
        player.set_controls([mido.Message("control_change", channel=1, control=7, value=100)])
        deadline = time.monotonic() + 2.0
        while not volume_sent(100) and time.monotonic() < deadline:
            time.sleep(0.001)
        player.set_controls([mido.Message("control_change", channel=1, control=7, value=50)])
        while not volume_sent(50) and time.monotonic() < deadline:
            time.sleep(0.001)
    finally:
        player.stop()
    (first,) = [t for t, m in port.sent if m.type == "control_change" and m.value == 100]
    (second,) = [t for t, m in port.sent if m.type == "control_change" and m.value == 50]
    assert second - first >= CONTROL_INTERVAL_SECONDS, f"{(second - first) * 1000:.1f} ms"


def test_a_value_set_live_holds_over_the_next_pass_start():
    port = RecordingPort()
    player = Player(port, schedule_from_arrangement(two_parts()), loop=True)
    player.start()
    try:
        time.sleep(2 * BEAT)
        changed = time.perf_counter()
        player.set_controls(
            [
                mido.Message("program_change", channel=0, program=40),
                mido.Message("control_change", channel=0, control=7, value=20),
            ]
        )
        time.sleep(8 * BEAT)  # the second pass's beat 0 comes meanwhile
    finally:
        player.stop()
    setup = ("program_change", "control_change")
    later = [m for t, m in port.sent if t >= changed and m.type in setup]
    melody = [
        ("program_change", m.program) if m.type == "program_change" else (m.type, m.value)
        for m in later
        if m.channel == 0
    ]
    melody = [e for e in melody if e != ("control_change", 0)]  # stop's all-notes-off
    assert set(melody) == {("program_change", 40), ("control_change", 20)}
    assert len(melody) >= 4  # sent now, and again at the second pass's start
    bass = [m for m in later if m.channel == 1 and m.type == "program_change"]
    assert [m.program for m in bass] == [32]  # the untouched part keeps the schedule's


def test_nothing_is_sent_once_the_player_has_played_through():
    port = RecordingPort()
    player = Player(port, schedule_from_arrangement(two_parts()))
    player.start()
    assert player.wait(5)
    count = len(port.sent)
    player.set_controls([mido.Message("control_change", channel=0, control=7, value=3)])
    time.sleep(0.05)
    assert len(port.sent) == count


def test_set_controls_takes_programs_and_controls_only():
    player = Player(RecordingPort(), schedule_from_arrangement(two_parts()))
    with pytest.raises(ValueError):
        player.set_controls([mido.Message("note_on", note=60)])
