"""The engine on a tiny random-weight band model (bass, piano, drums; two styles), built
by ``tests.support.band_model``."""

from __future__ import annotations

import numpy as np
import pytest

from composer_gui.core.errors import ComposerError
from composer_gui.core.instruments import track_channels
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.core.styles import installed_styles
from models.musical_checks import SHAPING_MEASURES
from models.ranking import critic_units
from models.tracks import DRUM_CHANNEL, DRUM_KEYS, TrackSpec
from tests.composer_gui.core.test_engine import melody
from tests.support.band_model import BAND


def test_a_band_candidate_has_the_models_tracks_programs_and_channels(band_engine):
    tune = melody(bars=4)
    candidates = band_engine.generate(tune, k=4, seed=1, style="swing")
    assert 1 <= len(candidates) <= 4
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    # Ranked by the critic less the faults of the bass against the melody (the checks
    # judge monophonic tracks), never above the critic's own units, with reasons.
    quantiles = band_engine.card["calibration"]["quantiles"]
    for c in candidates:
        assert c.score <= critic_units(np.array([c.critic_score]), quantiles)[0] + 1e-9
        assert set(c.checks) == set(SHAPING_MEASURES)
        assert len(c.reasons) <= 3
        assert 0.0 < c.metrics["drums.bars_with_drums"] <= 1.0
        assert 0.0 <= c.metrics["bass.empty_bars"] <= 1.0
    for c in candidates:
        tracks = c.arrangement.tracks
        assert tracks[0] == tune.tracks[0]  # the melody note for note
        assert [t.name for t in tracks] == ["lead", "bass", "piano", "drums"]
        assert [t.program for t in tracks[1:]] == [33, 4, 0]
        assert [t.channel for t in tracks[1:]] == [1, 2, DRUM_CHANNEL]  # the melody keeps its own
        assert [t.is_drum for t in tracks] == [False, False, False, True]
        assert c.style == "swing"
        drums, bass = tracks[3], tracks[1]
        assert drums.notes and {n.pitch for n in drums.notes} <= set(DRUM_KEYS)
        # The bass is written back near the user's register, at most an octave moved.
        assert all(28 - 12 <= n.pitch <= 55 + 12 for n in bass.notes)
        assert c.chords and all(isinstance(s, str) and s for _, s in c.chords)
        beats = [b for b, _ in c.chords]
        assert beats == sorted(beats) and beats[0] == 0.0
        assert all(b % 4 == 0 for b in beats)  # swing's harmonic rhythm: a chord a bar
        assert c.arrangement.markers == c.chords


def test_drums_go_to_channel_10_and_chords_into_markers_in_the_file(band_engine, tmp_path):
    import mido

    candidate = band_engine.generate(melody(bars=2), k=2, seed=2, style="pop")[0]
    path = tmp_path / "band.mid"
    write_arrangement(candidate.arrangement, path)
    midi = mido.MidiFile(path)
    on_channels = {m.channel for m in midi.merged_track if m.type == "note_on" and m.velocity}
    assert DRUM_CHANNEL in on_channels
    drum_keys = {
        m.note
        for m in midi.merged_track
        if m.type == "note_on" and m.velocity and m.channel == DRUM_CHANNEL
    }
    assert drum_keys <= set(DRUM_KEYS)
    markers = [m.text for m in midi.tracks[0] if m.type == "marker"]
    assert markers == [symbol for _, symbol in candidate.chords]
    read = read_arrangement(path)
    # Read back, the drums are one drum part (tracks without notes are not read).
    assert [t.name for t in read.tracks if t.is_drum] == ["drums"]


def test_an_unknown_style_is_one_sentence_naming_the_models_styles(band_engine):
    with pytest.raises(ComposerError, match="no style 'polka'; its styles are pop, swing"):
        band_engine.generate(melody(bars=2), k=2, seed=0, style="polka")


def test_the_styles_of_a_band_model_are_listed_after_the_chorale(band_model):
    styles = installed_styles(band_model.parent)
    assert [s.name for s in styles] == ["pop", "swing"]
    assert styles[1].index == 1 and styles[1].tracks == BAND
    assert styles[1].line() == ("swing: melody, bass, piano, drums. Ride cymbal and walking bass.")


def test_track_channels_skip_10_for_pitched_tracks_and_put_drums_on_it():
    many = tuple(TrackSpec(f"t{i}", "voice") for i in range(10)) + (TrackSpec("kit", "drums"),)
    channels = track_channels(many)
    assert channels[:10] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 10]
    assert channels[-1] == DRUM_CHANNEL
    assert channels.count(DRUM_CHANNEL) == 1
