"""The engine on a tiny random-weight model: shapes, the user's melody kept, ranking, errors.

Musical quality is measured on the shipped model by ``composer-gui evaluate`` and
benchmarks/bench_ranking.py; these tests check the engine's own promises.
"""

import threading

import numpy as np
import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.engine import (
    CancelledError,
    Engine,
    MelodyTooLongError,
    _fold_near_identical,
    melody_on_grid,
    sections,
)
from composer_gui.core.errors import MeterError, ModelLoadError, NoMelodyError
from composer_gui.core.instruments import DRUM_CHANNEL, PRESETS
from models.musical_checks import SHAPING_MEASURES
from models.pianoroll import LOWEST_PITCH
from models.ranking import critic_units


def melody(bars=4, meter=(4, 4), octave=0, tempo=96.0):
    """A scale melody with uneven lengths and velocities, off the grid in places."""
    notes, beat, i = [], 0.0, 0
    pitches = [60, 62, 64, 65, 67, 65, 64, 62]
    while beat < bars * meter[0] - 0.5:
        length = 1.0 if i % 3 else 0.5
        notes.append(Note(pitches[i % 8] + 12 * octave, beat + 0.013, length * 0.9, 70 + i % 20))
        beat += length
        i += 1
    return Arrangement([Track("lead", notes, program=73, channel=5)], tempo, meter)


@pytest.fixture(scope="module")
def engine(tiny_model):
    e = Engine(tiny_model, "cpu")
    e.load()
    return e


def test_the_melody_is_kept_note_for_note_and_candidates_are_ranked(engine):
    tune = melody()
    candidates = engine.generate(tune, k=6, seed=3)
    assert 1 <= len(candidates) <= 6
    assert [c.rank for c in candidates] == list(range(1, len(candidates) + 1))
    # Ranked by the critic less the faults' penalties (models.ranking), never above the
    # critic's own units, and each says in at most three reasons what sets it apart.
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)
    quantiles = engine.card["calibration"]["quantiles"]
    for c in candidates:
        assert c.score <= critic_units(np.array([c.critic_score]), quantiles)[0] + 1e-9
        assert len(c.reasons) <= 3 and all(isinstance(r, str) and r for r in c.reasons)
        assert set(c.checks) == set(SHAPING_MEASURES)
    for c in candidates:
        arr = c.arrangement
        assert arr.tracks[0] == tune.tracks[0]  # pitch, onset, length, velocity, program
        assert [t.name for t in arr.tracks] == ["lead", "alto", "tenor", "bass"]
        assert arr.tempo_bpm == 96.0 and arr.time_signature == (4, 4)
        assert 0.0 <= c.percentile <= 100.0
        assert {"polyphony", "in_key_ratio", "tonal_distance"} <= set(c.metrics)
        channels = [t.channel for t in arr.tracks[1:]]
        assert len(set(channels)) == 3 and DRUM_CHANNEL not in channels
        for track in arr.tracks[1:]:
            assert all(n.end_beat <= tune.length_beats() + 4 for n in track.notes)


def test_same_seed_same_output_and_another_seed_differs(engine):
    a = engine.generate(melody(), k=4, seed=11)
    b = engine.generate(melody(), k=4, seed=11)
    c = engine.generate(melody(), k=4, seed=12)
    assert [x.arrangement for x in a] == [x.arrangement for x in b]
    assert [x.arrangement for x in a] != [x.arrangement for x in c]


@pytest.mark.parametrize("bars", [1, 3, 32])
def test_any_length_from_one_to_thirty_two_bars(engine, bars):
    candidates = engine.generate(melody(bars), k=2, seed=0)
    assert candidates[0].arrangement.tracks[0].notes == melody(bars).tracks[0].notes


def test_three_four_time_works(engine):
    candidates = engine.generate(melody(4, (3, 4)), k=2, seed=0)
    assert candidates[0].arrangement.time_signature == (3, 4)


def test_a_high_melody_is_conditioned_in_range_and_accompanied_near_its_register(engine):
    assert melody_on_grid(melody(octave=2)).shift == 0  # 84-91 is inside the range
    assert melody_on_grid(melody(octave=3)).shift == -12

    def pitches(octave):
        arrangement = engine.generate(melody(octave=octave), k=1, seed=0)[0].arrangement
        return [[n.pitch for n in t.notes] for t in arrangement.tracks[1:]]

    in_range, high, higher = pitches(2), pitches(3), pitches(4)
    # The same conditioning, written back an octave up with the melody, but never further.
    assert high == [[p + 12 for p in track] for track in in_range]
    assert higher == high
    arr = engine.generate(melody(octave=3), k=1, seed=0)[0].arrangement
    assert arr.tracks[0].notes[0].pitch == 60 + 36  # the user's own notes, unshifted


def test_instrument_presets_set_programs(engine):
    for preset, programs in PRESETS.items():
        arr = engine.generate(melody(1), k=1, seed=0, preset=preset)[0].arrangement
        assert tuple(t.program for t in arr.tracks[1:]) == programs


def test_near_identical_candidates_are_folded():
    rolls = np.zeros((4, 3, 16, 64), dtype=bool)
    rolls[:, 0, :, 10] = True
    rolls[2, 1, :, 20] = True  # only candidate 2 differs
    kept = _fold_near_identical(rolls, np.array([4.0, 3.0, 2.0, 1.0]), k=4)
    assert kept == [0, 2]


@pytest.mark.parametrize(
    "bad, error",
    [
        (Arrangement([Track("empty", [])]), NoMelodyError),
        (Arrangement([Track("drums", [Note(36, 0, 1)], 0, 9, True)]), NoMelodyError),
        (melody(2, (6, 8)), MeterError),
        (melody(33), MelodyTooLongError),
    ],
)
def test_what_cannot_be_accompanied_is_refused_in_one_sentence(engine, bad, error):
    with pytest.raises(error) as raised:
        engine.generate(bad, k=2, seed=0)
    assert str(raised.value).count(". ") == 0 and str(raised.value).endswith(".")


def test_a_long_melody_can_use_its_first_32_bars(engine):
    candidates = engine.generate(melody(40), k=1, seed=0, allow_long="first")
    assert candidates[0].arrangement.length_beats() <= 32 * 4 + 4


def test_sections_are_even_and_at_most_32_bars():
    assert sections(8) == [(0, 8)]
    assert sections(32) == [(0, 32)]
    assert sections(40) == [(0, 20), (20, 40)]
    assert sections(70) == [(0, 23), (23, 47), (47, 70)]


def test_a_long_melody_can_be_accompanied_whole_in_sections(engine):
    long = melody(40)
    candidates = engine.generate(long, k=3, seed=0, allow_long="sections")
    assert len(candidates) == 3
    for candidate in candidates:
        arr = candidate.arrangement
        assert arr.tracks[0].notes == long.tracks[0].notes  # the user's melody, untouched
        for track in arr.tracks[1:]:  # every section is accompanied, up to the last bar
            assert track.notes and max(n.end_beat for n in track.notes) > 36 * 4
            assert min(n.start_beat for n in track.notes) < 4
    again = engine.generate(long, k=3, seed=0, allow_long="sections")
    assert [c.critic_score for c in again] == [c.critic_score for c in candidates]


def test_cancel_stops_the_generation(engine):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        engine.generate(melody(), k=2, seed=0, cancel=cancel)


def test_progress_reaches_one(engine):
    seen = []
    engine.generate(melody(), k=2, seed=0, progress=seen.append)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="missing"):
        Engine(tmp_path / "nothing.safetensors", "cpu").load()


def test_accompaniment_pitches_stay_in_midi_range(engine):
    arr = engine.generate(melody(octave=-2), k=2, seed=0)[0].arrangement
    for track in arr.tracks[1:]:
        assert all(0 <= n.pitch <= 127 for n in track.notes)
    assert LOWEST_PITCH - 12 >= 0
