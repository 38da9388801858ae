"""A take that follows a DAW is barred by the DAW's clock ticks, not by one beat's tempo.

CI once recorded the last note of a take armed while following a DAW a sixteenth long
(4.25 beats for 4): the take was timed in seconds from the DAW's start, so a note-off that
arrived 50 ms late (the receiving thread held up on a loaded machine) ended the note
late, though the ticks that came with it said where the DAW was. Now each message is
placed by the ticks around it, and the take's tempo is the whole take's, not the last
beat's. Here the messages arrive at scripted
moments (the recorder's clock is replaced), so the jitter is exact and the test is
deterministic: no port, no thread.
"""

from __future__ import annotations

import random
import time

import mido
import pytest

from composer_gui.core.playback import CLOCKS_PER_BEAT
from composer_gui.core.recording import Recorder, RecordingSetup

MELODY = [(60, 0.0, 1.0), (62, 1.0, 0.5), (64, 1.5, 0.5), (65, 2.0, 2.0), (67, 4.0, 4.0)]
START = 100.0  # the moment the DAW's start arrives (perf_counter seconds)


def daw_messages(bpm: float, jitter) -> list[tuple[float, mido.Message]]:
    """What a DAW playing MELODY sends on one port: start, 24 ticks a beat, the notes,
    stop; each tick ``jitter(index)`` seconds late."""
    beat = 60.0 / bpm
    events = [(START, mido.Message("start"))]
    end = max(start + length for _, start, length in MELODY)
    for index in range(round(end * CLOCKS_PER_BEAT)):
        events.append(
            (START + index * beat / CLOCKS_PER_BEAT + jitter(index), mido.Message("clock"))
        )
    for pitch, start, length in MELODY:
        events.append((START + start * beat, mido.Message("note_on", note=pitch, velocity=90)))
        events.append((START + (start + length) * beat, mido.Message("note_off", note=pitch)))
    events.append((START + end * beat + 0.01, mido.Message("stop")))
    return sorted(events, key=lambda event: event[0])


def take_of(messages, monkeypatch) -> list[tuple[int, float, float]]:
    now = [0.0]
    monkeypatch.setattr(time, "perf_counter", lambda: now[0])
    setup = RecordingSetup(tempo_bpm=100.0, bars=4, count_in_bars=1)
    recorder = Recorder("daw", setup, clock_input="daw")  # not started: no port is opened
    for moment, message in messages:
        now[0] = moment
        recorder._on_message(message)  # what the input's callback does as each arrives
    assert recorder.wait(0)  # the DAW's stop ended the take
    now[0] = messages[-1][0] + 0.05
    recorder.stop()
    notes = recorder.arrangement().tracks[0].notes
    return [(n.pitch, n.start_beat, n.duration_beats) for n in notes]


def stalled(messages, start: float, seconds: float) -> list[tuple[float, mido.Message]]:
    """Every message sent in ``start .. start + seconds`` arrives at its end, in order: the
    receiving thread waited that long (for Python's lock, or a loaded machine's JACK)."""
    end = start + seconds
    return [(end if start <= moment < end else moment, message) for moment, message in messages]


def test_a_stall_at_the_end_does_not_lengthen_the_last_note(monkeypatch):
    # 150 BPM: 0.4 s a beat. The receiving side stalls 100 ms from just before the end of
    # bar 2, so the last ticks, the last note-off and the DAW's stop arrive together, late.
    messages = stalled(daw_messages(150.0, lambda index: 0.0), START + 7.9 * 0.4, 0.1)
    assert take_of(messages, monkeypatch) == MELODY


def test_a_note_off_held_up_after_the_last_tick_ends_where_the_daw_was(monkeypatch):
    # The stall comes after the last tick: the last note-off and the stop arrive 60 ms late
    # (beat 8.15 by the seconds), though the DAW would have sent another tick by then.
    last_tick = START + (8 - 1 / CLOCKS_PER_BEAT) * 0.4
    messages = stalled(daw_messages(150.0, lambda index: 0.0), last_tick + 0.001, 0.06 + 0.016)
    assert take_of(messages, monkeypatch) == MELODY


def test_a_late_first_tick_of_the_last_beat_does_not_move_the_last_note(monkeypatch):
    # The last beat's first tick 8 ms late: that beat's ticks alone say 153 BPM, not 150.
    first_of_last_beat = round((max(s + n for _, s, n in MELODY) - 1) * CLOCKS_PER_BEAT) - 1
    messages = daw_messages(150.0, lambda index: 0.008 if index == first_of_last_beat else 0.0)
    assert take_of(messages, monkeypatch) == MELODY


@pytest.mark.parametrize("bpm", [72.0, 137.0, 180.0])
def test_every_tick_jittered_the_take_is_barred_as_the_daw_played_it(monkeypatch, bpm):
    rng = random.Random(bpm)
    messages = daw_messages(bpm, lambda index: rng.uniform(0.0, 0.006))
    assert take_of(messages, monkeypatch) == MELODY
