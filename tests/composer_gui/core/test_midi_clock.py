"""MIDI clock: the player sends it, the follower reads tempo and transport from it."""

from __future__ import annotations

import time

import mido
import pytest

from composer_gui.core import midi_io
from composer_gui.core.midi_clock import ClockFollower
from composer_gui.core.playback import Player, Schedule, TempoMap


def test_follower_reads_tempo_from_tick_spacing_and_transport_from_start_stop():
    events = []
    follower = ClockFollower(
        on_start=lambda t: events.append("start"), on_stop=lambda t: events.append("stop")
    )
    assert follower.tempo_bpm is None
    follower.feed(mido.Message("start"), 0.0)
    for tick in range(49):
        follower.feed(mido.Message("clock"), tick * 0.5 / 24)  # 0.5 s a beat: 120 BPM
    assert follower.running
    assert follower.tempo_bpm == pytest.approx(120.0)
    assert follower.position_beats == pytest.approx(49 / 24)
    follower.feed(mido.Message("stop"), 3.0)
    assert not follower.running
    assert events == ["start", "stop"]


@pytest.mark.jack
def test_a_dawlike_follower_locks_to_the_players_clock_over_jack(jack_server):
    follower = ClockFollower()
    daw_in = midi_io.open_virtual_input("daw clock in", follower.feed, api="jack")
    output = midi_io.open_virtual_output("clock out", api="jack")
    # Each rtmidi port is its own JACK client; JACK renames the second "Composer" client.
    source = next(p for p in jack_server.ports() if p.endswith(":clock out"))
    destination = next(p for p in jack_server.ports() if p.endswith(":daw clock in"))
    jack_server.connect(source, destination)
    try:
        silent_bar = Schedule([], TempoMap(150.0), 8.0)
        with Player(output, silent_bar, send_clock=True) as player:
            time.sleep(1.2)
            assert follower.running
            assert follower.tempo_bpm == pytest.approx(150.0, rel=0.02)
            player.set_tempo(100.0)
            time.sleep(1.0)
            assert follower.tempo_bpm == pytest.approx(100.0, rel=0.02)
        time.sleep(0.1)
        assert not follower.running
    finally:
        output.close()
        daw_in.close()
