"""Quantizing a performed melody: human timing snaps back to the written notes."""

from __future__ import annotations

import random

import pytest

from composer_gui.core.arrangement import Arrangement, Note
from composer_gui.core.midi_file import read_melody
from composer_gui.core.quantize import quantize_notes
from models.pianoroll import STEPS_PER_BEAT

TIMING_NOISE_SECONDS = 0.030  # a careful player is within ±30 ms of the beat
VELOCITY_NOISE = 25


def perform(melody: Arrangement, seed: int) -> list[Note]:
    """The written melody as a player would play it: every onset and release off by up to
    ±30 ms at the piece's tempo, every velocity off by up to ±25."""
    assert melody.tempo_changes == []  # seconds <-> beats below assume one tempo
    beats_per_second = melody.tempo_bpm / 60.0
    rng = random.Random(seed)
    played = []
    for note in melody.melody().notes:
        start = note.start_beat + rng.uniform(-1, 1) * TIMING_NOISE_SECONDS * beats_per_second
        end = note.end_beat + rng.uniform(-1, 1) * TIMING_NOISE_SECONDS * beats_per_second
        velocity = min(127, max(1, note.velocity + rng.randint(-VELOCITY_NOISE, VELOCITY_NOISE)))
        played.append(Note(note.pitch, start, end - start, velocity))
    return played


def timing(notes: list[Note]) -> list[tuple[int, float, float]]:
    return [(note.pitch, note.start_beat, note.duration_beats) for note in notes]


@pytest.mark.parametrize("name", ["bwv66.6", "bwv269", "han1-5", "kinder0-4"])
@pytest.mark.parametrize("seed", range(5))
def test_a_jittered_performance_quantizes_back_to_the_written_melody(corpus_midi, name, seed):
    written = read_melody(corpus_midi[name].path)
    played = perform(written, seed)
    assert timing(played) != timing(written.melody().notes)  # the noise really moved notes

    quantized = quantize_notes(played)

    assert timing(quantized) == timing(written.melody().notes)
    assert [note.velocity for note in quantized] == [note.velocity for note in played]


def test_a_written_melody_is_already_on_the_grid(corpus_midi):
    written = read_melody(corpus_midi["bwv66.6"].path).melody().notes
    assert quantize_notes(written) == written


def test_a_note_shorter_than_a_step_keeps_one_step():
    grace = Note(67, 1.02, 0.05, 64)  # a flick of about 25 ms at 120 bpm
    assert quantize_notes([grace]) == [Note(67, 1.0, 1 / STEPS_PER_BEAT, 64)]


def test_repeated_notes_rounding_onto_one_step_stay_two_notes():
    # Two quick strikes of one key, 40 ms apart at 120 bpm: both round to beat 2.
    first, second = Note(60, 1.98, 0.04), Note(60, 2.06, 0.2)
    assert quantize_notes([first, second]) == [Note(60, 2.0, 0.25), Note(60, 2.25, 0.25)]


def test_overlapping_repeated_notes_shorten_the_first():
    # The player strikes the key again before the first note's release reached the grid.
    held, again = Note(62, 0.0, 1.3), Note(62, 1.0, 1.0)
    assert quantize_notes([again, held]) == [Note(62, 0.0, 1.0), Note(62, 1.0, 1.0)]


def test_three_strikes_on_one_step_become_three_steps():
    strikes = [Note(64, 3.0 + offset, 0.03) for offset in (-0.05, 0.0, 0.05)]
    assert timing(quantize_notes(strikes)) == [(64, 3.0, 0.25), (64, 3.25, 0.25), (64, 3.5, 0.25)]


def test_chords_keep_every_pitch():
    chord = [Note(60, 0.02, 0.98), Note(64, -0.01, 1.0), Note(67, 0.04, 0.9)]
    assert timing(quantize_notes(chord)) == [(60, 0.0, 1.0), (64, 0.0, 1.0), (67, 0.0, 1.0)]


def test_a_coarser_grid_can_be_asked_for():
    assert timing(quantize_notes([Note(60, 0.6, 0.3)], steps_per_beat=2)) == [(60, 0.5, 0.5)]
