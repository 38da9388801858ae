"""A band's drums heard and sent: the built-in synth plays them from the General MIDI
percussion bank, and the DAW gets them on channel 10 (real FluidSynth, real JACK).

The band's tracks are made the way the engine makes them, from a model's ``TrackSpec``s
and their rows (``core.track_notes``), so a drums track arrives as it would from a model.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from composer_gui.core import midi_io
from composer_gui.core.arrangement import Arrangement, Track
from composer_gui.core.playback import Player, schedule_from_arrangement
from composer_gui.core.synth import SAMPLE_RATE, render_arrangement
from composer_gui.core.track_notes import accompaniment_tracks, track_rolls
from models.tracks import DRUM_CHANNEL, TrackSpec, kit_row
from tests.support.jack_server import MidiDump
from tests.support.sound import rms

TEMPO = 60.0  # a beat a second, so each hit has a second to itself
BASS = TrackSpec("bass", "bass", 28, 55, 33)
DRUMS = TrackSpec("drums", "drums")
HIT_BEATS = (0.0, 1.0, 2.5)  # kick, snare, kick
N_STEPS = 16


def band() -> Arrangement:
    """A melody, then a bass and drums written from their tracks' rows."""
    bass_rolls = np.zeros((N_STEPS, BASS.n_rows), dtype=bool)
    bass_onsets = np.zeros_like(bass_rolls)
    drum_hits = np.zeros((N_STEPS, DRUMS.n_rows), dtype=bool)
    for beat, key in zip(HIT_BEATS, (36, 38, 36), strict=True):
        drum_hits[round(beat * 4), kit_row(key)] = True
    parts = [(bass_rolls, bass_onsets), (drum_hits, drum_hits)]
    tracks = accompaniment_tracks(parts, (BASS, DRUMS), (33, 0), shift=0, velocity=110)
    melody = Track("melody", [], program=0, channel=0)
    return Arrangement([melody, *tracks], tempo_bpm=TEMPO)


def test_a_drums_track_from_its_rows_is_on_channel_10_and_reads_back():
    arrangement = band()
    drums = arrangement.tracks[2]
    assert drums.is_drum and drums.channel == DRUM_CHANNEL
    assert [(n.pitch, n.start_beat) for n in drums.notes] == [(36, 0.0), (38, 1.0), (36, 2.5)]
    rolls = track_rolls(arrangement.tracks[1:], (BASS, DRUMS), N_STEPS)
    assert np.flatnonzero(rolls[1][1].any(axis=1)).tolist() == [0, 4, 10]


def test_the_synth_sounds_each_drum_hit_where_it_is(soundfont):
    audio = render_arrangement(band(), soundfont=soundfont).mean(axis=1)

    def loudness(start_s: float, end_s: float) -> float:
        return rms(audio[round(start_s * SAMPLE_RATE) : round(end_s * SAMPLE_RATE)])

    quiet = loudness(1.9, 2.45)  # after the snare has died away, before the last kick
    assert quiet < 1e-3
    for beat in HIT_BEATS:  # a beat is a second at 60 bpm
        assert loudness(beat, beat + 0.1) > 20 * max(quiet, 1e-5), beat
    # The kick is the kit's: its energy is low (under 200 Hz), not a piano's low C.
    kick = audio[: SAMPLE_RATE // 4]
    spectrum = np.abs(np.fft.rfft(kick)) ** 2
    freqs = np.fft.rfftfreq(len(kick), 1.0 / SAMPLE_RATE)
    assert spectrum[freqs < 200].sum() > 0.5 * spectrum.sum()


@pytest.mark.jack
def test_send_to_daw_puts_the_drums_on_channel_10(jack_server):
    dump = MidiDump(jack_server, client_name="dump-drums")
    with midi_io.open_virtual_output("drums test", api="jack") as port:
        source = next(p for p in jack_server.ports() if "drums test" in p)
        jack_server.connect(source, dump.port)
        arrangement = band()
        arrangement.tempo_bpm = 480.0  # quick: the channels are what is tested
        with Player(port, schedule_from_arrangement(arrangement)) as player:
            assert player.wait(5.0)
        time.sleep(0.05)
    note_ons = [(e.channel, e.data[1]) for e in dump.stop() if e.is_note_on]
    assert note_ons == [(DRUM_CHANNEL, 36), (DRUM_CHANNEL, 38), (DRUM_CHANNEL, 36)]
