"""The Arrangement's own arithmetic: length, bars, steps and clock time."""

from __future__ import annotations

import dataclasses

import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track


def tune(*notes: Note, **fields) -> Arrangement:
    return Arrangement(tracks=[Track("Melody", list(notes)), Track("Bass", [])], **fields)


def test_notes_are_immutable_and_know_their_end():
    note = Note(60, 1.5, 0.75)
    assert note.end_beat == 2.25 and note.velocity == 80
    with pytest.raises(dataclasses.FrozenInstanceError):
        note.pitch = 61


def test_length_is_where_the_last_note_of_any_track_ends():
    arrangement = tune(Note(60, 0.0, 1.0), Note(62, 5.0, 0.5))
    arrangement.tracks[1].notes.append(Note(40, 4.0, 3.0))
    assert arrangement.length_beats() == 7.0
    assert arrangement.melody().name == "Melody"


def test_a_silent_arrangement_has_no_length_and_no_bars():
    assert tune().length_beats() == 0.0
    assert tune().bar_count() == 0


@pytest.mark.parametrize(
    ("signature", "beats_per_bar", "steps_per_bar"),
    [((4, 4), 4.0, 16), ((3, 4), 3.0, 12), ((6, 8), 3.0, 12), ((2, 2), 4.0, 16), ((7, 8), 3.5, 14)],
)
def test_bar_length_follows_the_time_signature(signature, beats_per_bar, steps_per_bar):
    arrangement = tune(time_signature=signature)
    assert arrangement.beats_per_bar() == beats_per_bar
    assert arrangement.steps_per_bar() == steps_per_bar


def test_a_note_ending_on_the_barline_does_not_open_a_bar():
    assert tune(Note(60, 0.0, 8.0)).bar_count() == 2
    assert tune(Note(60, 0.0, 8.25)).bar_count() == 3
    # A pickup on beat 4 counts as a whole first bar.
    assert tune(Note(60, 3.0, 1.0), Note(62, 4.0, 4.0)).bar_count() == 2


def test_seconds_follow_the_tempo_map():
    arrangement = tune(tempo_bpm=60.0, tempo_changes=[(4.0, 120.0), (8.0, 30.0)])
    assert arrangement.seconds_at(2.0) == 2.0
    assert arrangement.seconds_at(4.0) == 4.0
    assert arrangement.seconds_at(6.0) == 5.0
    assert arrangement.seconds_at(9.0) == 4.0 + 2.0 + 2.0


def test_defaults_are_four_four_at_120_with_no_changes():
    arrangement = Arrangement(tracks=[])
    assert (arrangement.tempo_bpm, arrangement.time_signature) == (120.0, (4, 4))
    assert arrangement.tempo_changes == []
    assert Arrangement(tracks=[]).tempo_changes is not arrangement.tempo_changes


def test_bars_follow_the_meter_in_compound_time():
    """The issue's cases: a 16-bar 6/8 tune is 16 bars (not 8), a 9-bar 9/8 tune 9 (not 5)."""
    six_eight = tune(Note(60, 0.0, 1.5), Note(62, 46.5, 1.5), time_signature=(6, 8))
    assert six_eight.bar_count() == 16
    nine_eight = tune(Note(60, 0.0, 4.5), Note(62, 36.0, 4.5), time_signature=(9, 8))
    assert nine_eight.bar_count() == 9


def test_a_meter_change_starts_bars_of_the_new_length():
    changing = tune(Note(60, 0.0, 1.0), Note(62, 9.0, 1.0), time_signature=(3, 4))
    changing.meter_changes = [(6.0, (2, 4))]
    assert changing.bar_starts() == [0.0, 3.0, 6.0, 8.0]
    assert changing.meter_at(7.0).signature == (2, 4)
    assert changing.end_of_bars(4) == 10.0
    assert [str(m) for m in changing.meters()] == ["3/4", "2/4"]
