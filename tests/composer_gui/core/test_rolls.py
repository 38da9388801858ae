"""Arrangement <-> piano roll on the grid models.pianoroll defines."""

from __future__ import annotations

import numpy as np
import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.rolls import arrangement_to_roll, roll_to_notes
from models.pianoroll import (
    HIGHEST_PITCH,
    LOWEST_PITCH,
    N_PITCHES,
    N_TRACKS,
    STEPS_PER_BAR,
    STEPS_PER_BEAT,
)


def test_a_chorale_fills_whole_bars_and_comes_back_note_for_note(corpus_midi):
    arrangement = read_arrangement(corpus_midi["bwv66.6"].path)
    roll = arrangement_to_roll(arrangement)
    assert roll.shape == (N_TRACKS, arrangement.bar_count() * STEPS_PER_BAR, N_PITCHES)
    assert roll.dtype == bool
    for track_index, track in enumerate(arrangement.tracks):
        back = roll_to_notes(roll[track_index])
        # Chorale voices sit inside the range and on the grid, so the roll loses only
        # the boundary between touching repeats of one pitch.
        merged = merge_touching_repeats(track.notes)
        assert sorted((n.pitch, n.start_beat, n.duration_beats) for n in back) == merged


def merge_touching_repeats(notes: list[Note]) -> list[tuple[int, float, float]]:
    """What a roll keeps: notes of one pitch that touch become one note."""
    merged: list[list] = []
    for note in sorted(notes, key=lambda n: (n.pitch, n.start_beat)):
        if merged and merged[-1][0] == note.pitch and merged[-1][2] == note.start_beat:
            merged[-1][2] = note.end_beat
        else:
            merged.append([note.pitch, note.start_beat, note.end_beat])
    return sorted((pitch, start, end - start) for pitch, start, end in merged)


def test_steps_and_pitches_land_where_the_grid_says():
    melody = Track("Melody", [Note(60, 1.0, 0.5), Note(64, 2.25, 0.25)])
    bass = Track("Bass", [Note(36, 0.0, 4.0)])
    roll = arrangement_to_roll(
        Arrangement(tracks=[melody, Track("Alto", []), Track("T", []), bass])
    )
    assert roll.shape == (N_TRACKS, STEPS_PER_BAR, N_PITCHES)
    on = {tuple(index) for index in np.argwhere(roll)}
    expected = {(0, step, 60 - LOWEST_PITCH) for step in (4, 5)}
    expected |= {(0, 9, 64 - LOWEST_PITCH)}
    expected |= {(3, step, 36 - LOWEST_PITCH) for step in range(16)}
    assert on == expected


def test_a_melody_only_arrangement_leaves_the_other_tracks_silent():
    roll = arrangement_to_roll(Arrangement(tracks=[Track("Melody", [Note(70, 0.0, 1.0)])]))
    assert roll[0].any() and not roll[1:].any()


def test_three_four_bars_are_twelve_steps():
    waltz = Arrangement(tracks=[Track("Melody", [Note(67, 0.0, 4.0)])], time_signature=(3, 4))
    assert arrangement_to_roll(waltz).shape[1] == 2 * 12


def test_n_steps_pads_or_cuts():
    arrangement = Arrangement(tracks=[Track("Melody", [Note(60, 0.0, 2.0), Note(62, 7.0, 1.0)])])
    assert arrangement_to_roll(arrangement, n_steps=64)[0].sum() == 8 + 4
    cut = arrangement_to_roll(arrangement, n_steps=4)
    assert cut.shape[1] == 4 and cut[0].sum() == 4


def test_pickup_and_leading_silence_keep_their_steps():
    late = Arrangement(tracks=[Track("Melody", [Note(65, 3.0, 1.0), Note(69, 4.0, 4.0)])])
    roll = arrangement_to_roll(late)
    assert not roll[0, : 3 * STEPS_PER_BEAT].any()
    assert roll[0, 3 * STEPS_PER_BEAT, 65 - LOWEST_PITCH]


def test_a_melody_played_an_octave_too_high_is_shifted_as_a_whole():
    high = [Note(HIGHEST_PITCH + 2, 0.0, 1.0), Note(HIGHEST_PITCH - 3, 1.0, 1.0)]
    roll = arrangement_to_roll(Arrangement(tracks=[Track("Melody", high)]))
    pitches = sorted({LOWEST_PITCH + pitch for _, pitch in np.argwhere(roll[0])})
    # Both notes move down one octave together, keeping their interval.
    assert pitches == [HIGHEST_PITCH - 15, HIGHEST_PITCH - 10]


def test_a_straggler_outside_the_range_is_folded_in_alone():
    # Far above the rest: no octave shift of the whole melody brings it in, so the melody
    # stays put and this one note is folded down by octaves on its own.
    straggler = HIGHEST_PITCH + 31
    notes = [Note(60, beat, 1.0) for beat in range(4)] + [Note(straggler, 4.0, 1.0)]
    arrangement = Arrangement(tracks=[Track("Melody", notes)])
    roll = arrangement_to_roll(arrangement)
    pitches = [LOWEST_PITCH + int(np.flatnonzero(roll[0, step])[0]) for step in range(0, 20, 4)]
    assert pitches == [60, 60, 60, 60, straggler - 36]
    # The arrangement itself keeps the pitch as played.
    assert arrangement.melody().notes[-1].pitch == straggler


def test_a_note_shorter_than_a_step_still_shows():
    roll = arrangement_to_roll(Arrangement(tracks=[Track("Melody", [Note(60, 0.5, 0.05)])]))
    assert np.argwhere(roll[0]).tolist() == [[2, 60 - LOWEST_PITCH]]


def test_too_many_tracks_is_an_error():
    tracks = [Track(f"T{index}", [Note(60, 0.0, 1.0)]) for index in range(N_TRACKS + 1)]
    with pytest.raises(ValueError, match=str(N_TRACKS)):
        arrangement_to_roll(Arrangement(tracks=tracks))


def test_roll_to_notes_reads_runs_and_velocity():
    track_roll = np.zeros((16, N_PITCHES), dtype=bool)
    track_roll[0:4, 10] = True
    track_roll[6:7, 10] = True
    track_roll[12:16, 0] = True  # runs to the very end
    notes = roll_to_notes(track_roll, velocity=100)
    assert notes == [
        Note(LOWEST_PITCH + 10, 0.0, 1.0, 100),
        Note(LOWEST_PITCH + 10, 1.5, 0.25, 100),
        Note(LOWEST_PITCH, 3.0, 1.0, 100),
    ]


def test_roll_to_notes_wants_one_track():
    with pytest.raises(ValueError, match="one track"):
        roll_to_notes(np.zeros((N_TRACKS, 16, N_PITCHES), dtype=bool))
