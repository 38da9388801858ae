"""The track strip's volume and instrument while playing to a MIDI output or the DAW
(docs/app.md, "Session 18b"); each test failed before its mend unless it says otherwise.

A recording port stands in for the MIDI output chosen in Preferences or the DAW's
virtual port (``test_window_session18.playing_candidates``); the real port on JACK is
in ``test_app_jack.py``."""

from __future__ import annotations

import time

import mido
import pytest

from composer_gui.core.midi_writer import assign_channels
from tests.composer_gui.ui.test_window_session18 import playing_candidates

pytestmark = pytest.mark.gui

BEAT = 0.25  # the flows' tune plays at 240 BPM here


def channel_of(window, index: int) -> int:
    return assign_channels(window.heard_arrangement().tracks)[index]


def volumes(port, after: float = 0.0) -> list[tuple[float, int, int]]:
    """(moment, channel, value) of each channel volume (CC 7) sent from ``after``."""
    return [
        (t, m.channel, m.value)
        for t, m in port.sent
        if t >= after and m.type == "control_change" and m.control == 7
    ]


def programs(port, after: float = 0.0) -> list[tuple[float, int, int]]:
    return [
        (t, m.channel, m.program) for t, m in port.sent if t >= after and m.type == "program_change"
    ]


def wait_beats(qtbot, start: float, beats: float) -> None:
    qtbot.waitUntil(lambda: time.perf_counter() > start + beats * BEAT, timeout=5000)


def choose_instrument(strip, program: int) -> None:
    strip.instrument.setCurrentIndex(strip.instrument.findData(program))


def test_each_track_starts_at_its_volume_and_a_moved_slider_is_heard_at_once(
    qtbot, window, melody_file
):
    """The volume slider never reached a MIDI output: the schedule sent programs and
    no channel volume, so pulling the bass down changed nothing there."""
    port, _start = playing_candidates(qtbot, window, melody_file, to_daw=False)
    window.actions.play.setChecked(False)
    window.tracks.strips[1].volume.setValue(64)  # the alto set before Play
    port.sent.clear()
    window.actions.play.setChecked(True)
    start = window.audition._player.start_time
    channels = [channel_of(window, i) for i in range(4)]
    wait_beats(qtbot, start, 2.3)
    at_start = sorted((c, v) for _t, c, v in volumes(port))
    assert at_start == sorted(
        [(channels[0], 127), (channels[1], 64), *((c, 127) for c in channels[2:])]
    )
    moved_at = time.perf_counter()
    window.tracks.strips[3].volume.setValue(40)  # the bass down while it plays
    wait_beats(qtbot, start, 3.5)
    window.actions.play.setChecked(False)
    moved = volumes(port, moved_at)
    assert [(c, v) for _t, c, v in moved] == [(channels[3], 40)]
    # At once: within a beat (the old code never sent it), and before the bass's next
    # note. Not within 50 ms: a loaded machine holds the player's thread back longer.
    assert moved[0][0] - moved_at < BEAT
    next_bass = [
        t
        for t, m in port.sent
        if t >= moved_at and m.type == "note_on" and m.velocity and m.channel == channels[3]
    ]
    assert not next_bass or moved[0][0] < next_bass[0]


def test_a_slider_drag_is_coalesced_and_ends_at_its_last_value(qtbot, window, melody_file):
    """A drag through a hundred values must not send a hundred messages at once."""
    from composer_gui.core.playback import CONTROL_INTERVAL_SECONDS

    port, start = playing_candidates(qtbot, window, melody_file, to_daw=False)
    bass = channel_of(window, 3)
    wait_beats(qtbot, start, 1.0)
    began = time.perf_counter()
    for value in range(126, 20, -1):  # 106 steps, as fast as the window takes them
        window.tracks.strips[3].volume.setValue(value)
    dragged = time.perf_counter() - began
    qtbot.wait(100)
    window.actions.play.setChecked(False)
    sent = [(t, v) for t, c, v in volumes(port, began) if c == bass]
    assert sent[-1][1] == 21  # the slider's last value is what the port holds
    assert len(sent) <= dragged / CONTROL_INTERVAL_SECONDS + 2
    gaps = [b[0] - a[0] for a, b in zip(sent, sent[1:])]
    assert all(gap >= CONTROL_INTERVAL_SECONDS * 0.9 for gap in gaps)


def test_an_instrument_chosen_while_playing_is_heard_from_the_next_note(qtbot, window, melody_file):
    """An instrument change reached a MIDI output at the next Play only (the program
    changes went out at beat 0)."""
    port, start = playing_candidates(qtbot, window, melody_file, to_daw=False)
    alto = channel_of(window, 1)
    wait_beats(qtbot, start, 2.3)
    chosen_at = time.perf_counter()
    choose_instrument(window.tracks.strips[1], 40)  # a violin for the alto
    wait_beats(qtbot, start, 5.0)
    window.actions.play.setChecked(False)
    changed = programs(port, chosen_at)
    assert [(c, p) for _t, c, p in changed] == [(alto, 40)]
    assert changed[0][0] - chosen_at < BEAT  # at once; the next note is the musical bound
    next_note = next(
        t for t, m in port.sent if t >= chosen_at and m.type == "note_on" and m.channel == alto
    )
    assert changed[0][0] < next_note


def test_looping_the_next_pass_keeps_the_volume_and_instrument_set_while_playing(
    qtbot, window, melody_file
):
    """The program and volume at beat 0 of the next pass are the ones chosen while
    playing, not the ones Play began with."""
    window.actions.loop.setChecked(True)
    port, start = playing_candidates(qtbot, window, melody_file, to_daw=False)
    tenor = channel_of(window, 2)
    wait_beats(qtbot, start, 2.3)
    changed_at = time.perf_counter()
    window.tracks.strips[2].volume.setValue(30)
    choose_instrument(window.tracks.strips[2], 73)  # a flute
    wait_beats(qtbot, start, 8.0 + 2.0)  # into the second pass
    window.actions.play.setChecked(False)
    assert {v for _t, c, v in volumes(port, changed_at) if c == tenor} == {30}
    assert {p for _t, c, p in programs(port, changed_at) if c == tenor} == {73}
    second_pass = start + 8.0 * BEAT - 0.01
    assert any(c == tenor for _t, c, _v in volumes(port, second_pass))  # sent again there


def test_sending_to_the_daw_the_mix_goes_out_and_the_clock_stays_unbroken(
    qtbot, window, melody_file
):
    """Send to DAW: the bass's volume and the alto's instrument reach the DAW at once;
    the DAW gets one Start and every clock of the two bars."""
    from tests.composer_gui.core.test_playback_swap import hanging

    port, start = playing_candidates(qtbot, window, melody_file, to_daw=True)
    alto, bass = channel_of(window, 1), channel_of(window, 3)
    wait_beats(qtbot, start, 2.3)
    changed_at = time.perf_counter()
    window.tracks.strips[3].volume.setValue(50)
    choose_instrument(window.tracks.strips[1], 48)  # string ensemble
    wait_beats(qtbot, start, 8.2)
    sent = list(port.sent)
    window.actions.send_to_daw.setChecked(False)
    assert [(c, v) for _t, c, v in volumes(port, changed_at)] == [(bass, 50)]
    assert [(c, p) for _t, c, p in programs(port, changed_at)] == [(alto, 48)]
    clocks = [t for t, m in port.sent if m.type == "clock"]
    assert len(clocks) == 2 * 4 * 24
    assert [m.type for _t, m in port.sent].count("start") == 1
    assert not hanging(sent)


def test_nothing_is_sent_when_nothing_plays_to_the_midi_output(qtbot, window, melody_file):
    """Mute, solo, volume and instrument before Play and after Stop send nothing to a
    MIDI output (passed before the mend too: it guards the new path)."""
    port, start = playing_candidates(qtbot, window, melody_file, to_daw=False)
    window.actions.play.setChecked(False)
    stopped = len(port.sent)
    strip = window.tracks.strips[2]
    strip.mute.click()
    strip.solo.click()
    strip.volume.setValue(20)
    choose_instrument(strip, 52)
    qtbot.wait(100)
    assert port.sent[stopped:] == []
    window.actions.play.setChecked(True)  # played through to its end this time
    qtbot.waitUntil(lambda: not window.actions.play.isChecked(), timeout=5000)
    ended = len(port.sent)
    strip.mute.click()
    strip.volume.setValue(90)
    choose_instrument(strip, 19)
    qtbot.wait(100)
    assert port.sent[ended:] == []


def test_a_drum_kit_chosen_while_playing_goes_out_on_channel_10():
    """A drums track has no GM program; its kit is a program change on channel 10 (what
    GS/XG devices, FluidSynth and the exported file take), sent at once as a melodic
    track's instrument is."""
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.synth import Mix
    from composer_gui.ui.audition import Audition
    from tests.composer_gui.core.test_playback_swap import RecordingPort

    tracks = [
        Track("melody", [Note(72, float(b), 0.9, 90) for b in range(8)], program=0, volume=127),
        Track(
            "drums",
            [Note(36, float(b), 0.2, 90) for b in range(8)],
            program=0,
            channel=9,
            is_drum=True,
            volume=127,
        ),
    ]
    arrangement = Arrangement(tracks, tempo_bpm=240.0)
    audition = Audition()
    audition.output_name = "Recording port"
    port = RecordingPort()
    audition._open_chosen_output = lambda: port  # opened at each Play
    audition.play(arrangement, Mix())
    try:
        time.sleep(0.3)
        changed_at = time.perf_counter()
        kit = Arrangement(
            [
                tracks[0],
                Track("drums", tracks[1].notes, program=25, channel=9, is_drum=True, volume=127),
            ],
            tempo_bpm=240.0,
        )
        audition.set_mix(Mix(), kit)
        time.sleep(0.2)
    finally:
        audition.stop()
    assert [(c, p) for _t, c, p in programs(port, changed_at)] == [(9, 25)]
    assert volumes(port, changed_at) == []  # nothing else changed, nothing else sent
    assert isinstance(port.sent[0][1], mido.Message)
