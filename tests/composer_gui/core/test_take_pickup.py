"""A pickup played into the count-in (issue 16): the take keeps the count-in's last bar
(``take_notes.count_in_lead_in``) and is barred as the metronome counted it; noodling
in earlier count-in bars, or a stray key that ends before the last beat, is dropped, and
a take without a pickup is as before. The rules on timed messages, then the real
recorder: the CLI's ``record`` on a JACK port fed by a player in another process."""

from __future__ import annotations

import mido
import pytest

from composer_gui.cli import main
from composer_gui.core.arrangement import Note
from composer_gui.core.bar_lines import read_bars
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.recording import RecordingSetup, take_to_arrangement
from composer_gui.core.take_notes import lead_in_as_pickup, take_so_far
from tests.support.midi_feeder import record_argv, start_feeder, stop_feeder

BAR_ONE = 100.0  # seconds; the setups below play a beat a second
TUNE = [(72, 0.0, 2.0), (74, 1.99, 1.0), (76, 3.02, 1.5), (77, 4.5, 0.5), (76, 5.0, 1.0)]


def stamp(notes: list[tuple[int, float, float]]) -> list[tuple[float, mido.Message]]:
    """Note on and off at ``BAR_ONE`` plus their beats, at 60 BPM."""
    stamped = []
    for pitch, start, length in notes:
        stamped.append((BAR_ONE + start, mido.Message("note_on", note=pitch, velocity=80)))
        stamped.append((BAR_ONE + start + length, mido.Message("note_off", note=pitch)))
    return sorted(stamped, key=lambda pair: pair[0])


def take(notes, signature=(3, 4), count_in_bars=1, bars=2) -> list[tuple[int, float, float]]:
    setup = RecordingSetup(60.0, bars, signature, count_in_bars)
    end = BAR_ONE + setup.length_beats
    arrangement = take_to_arrangement(stamp(notes), BAR_ONE, end, setup)
    return [(n.pitch, n.start_beat, n.duration_beats) for n in arrangement.tracks[0].notes]


PLAIN = [(72, 0.0, 2.0), (74, 2.0, 1.0), (76, 3.0, 1.5), (77, 4.5, 0.5), (76, 5.0, 1.0)]


def test_a_take_without_a_pickup_is_as_before():
    assert take(TUNE) == PLAIN


@pytest.mark.parametrize(
    "noise",
    [
        [(60, -5.0, 0.5)],  # in an earlier count-in bar
        [(60, -2.5, 0.4)],  # a stray key in the last bar, released before its last beat
        [(60, -3.0, 2.9)],  # on the count-in's last downbeat: a whole bar, no pickup
        [(60, -6.0, 5.9)],  # held from an earlier bar
    ],
)
def test_noodling_in_the_count_in_is_dropped_and_the_take_is_unchanged(noise):
    assert take(noise + TUNE, count_in_bars=2) == PLAIN


@pytest.mark.parametrize(
    ("signature", "pickup", "bar"),
    [
        ((3, 4), [(69, -1.02, 1.0)], 3.0),  # a beat
        ((4, 4), [(67, -1.0, 0.5), (69, -0.49, 0.4)], 4.0),  # two eighths, staccato
        ((6, 8), [(69, -0.5, 0.3)], 3.0),  # an eighth into the dotted quarter's beat
        ((3, 4), [(60, -2.5, 0.4), (69, -1.0, 1.0)], 3.0),  # a stray key, then the pickup
    ],
)
def test_a_pickup_in_the_count_ins_last_bar_is_kept_with_that_bar(signature, pickup, bar):
    noise = [(55, -5.5, 0.5)]  # an earlier count-in bar: still dropped
    kept = take(noise + pickup + TUNE, signature, count_in_bars=2, bars=3)
    expected = [(p, round((s + bar) * 4) / 4, round(d * 4) / 4) for p, s, d in pickup]
    assert kept[: len(pickup)] == expected
    assert kept[len(pickup) :] == [(p, s + bar, d) for p, s, d in PLAIN]


def test_without_a_count_in_nothing_before_bar_one_is_kept():
    assert take([(69, -1.0, 1.0), *TUNE], count_in_bars=0) == PLAIN


def test_the_window_starts_the_melody_with_the_pickup_and_gives_its_length():
    notes = [Note(69, 2.0, 1.0), Note(72, 3.0, 2.0), Note(74, 5.0, 1.0)]
    moved, steps = lead_in_as_pickup(notes, 3.0)
    assert steps == 4 and [(n.pitch, n.start_beat) for n in moved] == [(69, 0), (72, 1), (74, 3)]
    reading = read_bars(moved, (3, 4), pickup=steps)
    assert [b.start_beat for b in reading.bar_lines.bars_until(5.0)] == [0.0, 1.0, 4.0]
    assert lead_in_as_pickup(notes, 0.0) == (notes, 0)  # no lead-in: the take as it is


@pytest.mark.parametrize(
    ("signature", "count_in_bars", "bar_starts", "beats"),
    [
        ((3, 4), 1, [-3.0, 0.0, 3.0], [-2.0, -1.0, 1.0, 2.0, 4.0, 5.0]),
        ((6, 8), 2, [-6.0, -3.0, 0.0, 3.0], [-4.5, -1.5, 1.5, 4.5]),  # dotted quarters
        ((4, 4), 0, [0.0, 4.0], [1.0, 2.0, 3.0, 5.0, 6.0, 7.0]),  # no count-in: none drawn
    ],
)
def test_a_take_so_far_is_drawn_on_the_count_ins_bars_then_the_takes(
    signature, count_in_bars, bar_starts, beats
):
    setup = RecordingSetup(60.0, 2, signature, count_in_bars)
    so_far = take_so_far([], BAR_ONE, BAR_ONE - 1.0, setup)
    bars = [bar for bar, _end in so_far.bar_lines.spans(setup.length_beats)]
    # what the roll reads (roll_view.set_length): its first bar, the count-in's
    assert bars[0].start_beat == -setup.count_in_beats
    assert sum(bar.start_beat < 0 for bar in bars) == count_in_bars
    assert [bar.start_beat for bar in bars] == bar_starts
    assert [beat for bar in bars for beat in bar.beat_beats()] == beats
    assert so_far.notes == ()


def test_a_take_so_far_shows_the_pickup_where_it_was_played_and_a_held_note_by_steps():
    setup = RecordingSetup(60.0, 2, (3, 4), 1)
    played = stamp([(60, -2.5, 0.4), (69, -1.02, 1.0)])
    played.append((BAR_ONE + 0.01, mido.Message("note_on", note=72, velocity=80)))  # held
    so_far = take_so_far(played, BAR_ONE, BAR_ONE + 1.4, setup)
    notes = [(n.pitch, round(n.start_beat, 6), round(n.duration_beats, 6)) for n in so_far.notes]
    # as played, before bar 1 too (the stray key's dropping is decided when the take ends)
    assert notes[:2] == [(60, -2.5, 0.4), (69, -1.02, 1.0)]
    assert notes[2] == (72, 0.01, 1.24)  # held: to the last step passed, 1.25
    later = take_so_far(played, BAR_ONE, BAR_ONE + 1.45, setup)
    assert later == so_far  # the same step: nothing to draw again
    assert take_so_far(played, BAR_ONE, BAR_ONE + 1.5, setup) != so_far


@pytest.mark.jack
def test_record_keeps_a_pickup_played_after_the_clicks_of_the_count_in(
    jack_server, tmp_path, capsys
):
    """A player counted in by three clicks of 3/4 plays a one-beat pickup on the third,
    then two bars; the file keeps the count-in's bar (rests, then the pickup) and opens
    on the metronome's bars, the detector not asked (the first note is not at beat 0)."""
    tempo_bpm = 150.0
    played = [(69, -1.0, 1.0), *PLAIN]
    feeder = start_feeder(jack_server, played, tempo_bpm, "--follow-clicks", "3")
    path = tmp_path / "take.mid"
    try:
        code = main(record_argv(path, 2, tempo_bpm, "--meter", "3/4"))
    finally:
        stop_feeder(feeder)
    assert code == 0, capsys.readouterr().err
    melody = read_arrangement(path)
    notes = [(n.pitch, n.start_beat, n.duration_beats) for n in melody.tracks[0].notes]
    assert notes == [(p, s + 3.0, d) for p, s, d in played]
    reading = read_bars(melody.tracks[0].notes, tuple(melody.time_signature))
    assert [b.start_beat for b in reading.bar_lines.bars_until(9.0)] == [0.0, 3.0, 6.0]
