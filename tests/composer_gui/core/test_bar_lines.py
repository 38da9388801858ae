"""The bars a melody is accompanied on, in beats (``core.bar_lines``), read back from the
engine's grid (``melody_grid.melody_on_grid``): what the rolls draw and the bars box counts.

Greensleeves is written as a notation program exports its one-beat pickup: the pickup at
beat 0 and 3/4 from beat 0, so the file's barlines are a beat off (its notes are the
screenshot script's, ``scripts/pickup_screenshots.py``).
"""

from __future__ import annotations

import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.bar_lines import Bar, BarLines, Reading, read_bars
from composer_gui.core.melody_grid import PICKUP_FOUND, melody_on_grid
from composer_gui.core.tune import Take, Tune, bars_for, take_bars, tune_bars
from models.pianoroll import Meter
from tests.support.scripts import load_script

_SHOTS = load_script("scripts/pickup_screenshots.py")
GREENSLEEVES = [Note(p, float(s), float(d)) for p, s, d in _SHOTS.GREENSLEEVES]
END = max(n.end_beat for n in GREENSLEEVES)  # 45 beats: a beat's pickup and 14 2/3 bars


def starts(reading: Reading, until: float) -> list[float]:
    return [bar.start_beat for bar in reading.bar_lines.bars_until(until)]


def test_a_found_pickup_is_the_first_short_bar_and_every_later_barline_moves():
    reading = read_bars(GREENSLEEVES, (3, 4))
    assert (reading.pickup_steps, reading.pickup_from) == (4, PICKUP_FOUND)
    assert reading.auto_words() == "found: 1 beat"
    assert starts(reading, 11.0) == [0.0, 1.0, 4.0, 7.0, 10.0]
    first = reading.bar_lines.bars[0]
    assert first.skipped_steps == 8 and first.length_beats == 1.0
    assert first.beat_beats() == []  # the pickup is the third beat: none of the bar's after it
    assert reading.bar_lines.bars[1].beat_beats() == [2.0, 3.0]
    spans = [(bar.start_beat, end) for bar, end in reading.bar_lines.spans(5.0)]
    assert spans == [(0.0, 1.0), (1.0, 4.0), (4.0, 5.0)]  # the last cut where asked
    # the bars box: the file's 15 bars, plus the pickup's
    file_bars = Arrangement([Track("melody", GREENSLEEVES)], time_signature=(3, 4)).bar_count()
    assert file_bars == 15 and reading.bar_lines.count(END) == 16


def test_the_bars_are_the_engines_grid_read_back():
    """Every barline is one of the grid's, in beats: the one definition of the bars."""
    melody = Arrangement([Track("melody", GREENSLEEVES)], time_signature=(3, 4))
    for pickup in ("auto", "none", 8):
        grid = melody_on_grid(melody, pickup)
        shown = starts(read_bars(GREENSLEEVES, (3, 4), pickup=pickup), END)
        assert shown == [grid.first_beat + s / 4 for s in grid.bar_starts[:-1]]


def test_none_keeps_the_files_bars_and_says_nothing_was_taken():
    reading = read_bars(GREENSLEEVES, (3, 4), pickup="none")
    assert reading.pickup_steps == 0 and reading.auto_words() == "none found"
    assert starts(reading, 10.0) == [0.0, 3.0, 6.0, 9.0]
    assert reading.bar_lines.count(END) == 15


def test_a_given_pickup_moves_the_bars_from_the_first_note():
    reading = read_bars(GREENSLEEVES, (3, 4), pickup=8)  # two beats
    assert starts(reading, 9.0) == [0.0, 2.0, 5.0, 8.0]
    assert reading.bar_lines.bars[0].beat_beats() == [1.0]  # its second beat: the pickup's
    # one the engine refuses (a bar or more): the file's bars, as Generate says why
    assert starts(read_bars(GREENSLEEVES, (3, 4), pickup=12), 7.0) == [0.0, 3.0, 6.0]


def test_a_tune_without_a_pickup_and_an_empty_one_keep_the_files_bars():
    twinkle = [Note(60, float(b), 1.0) for b in range(32)]
    reading = read_bars(twinkle, (4, 4))
    assert reading.auto_words() == "none found"
    assert starts(reading, 17.0) == [0.0, 4.0, 8.0, 12.0, 16.0]
    assert starts(read_bars([], (6, 8)), 7.0) == [0.0, 3.0, 6.0]


def test_silent_bars_before_the_melody_and_bars_past_its_end_are_of_its_meters():
    late = [Note(n.pitch, n.start_beat + 6.0, n.duration_beats) for n in GREENSLEEVES]
    reading = read_bars(late, (3, 4), pickup=4)  # the pickup on beat 6, given
    assert starts(reading, 14.0) == [0.0, 3.0, 6.0, 7.0, 10.0, 13.0]
    lines = reading.bar_lines
    past = lines.end_of(lines.count(END + 6.0) + 2)  # two bars past the grid's end
    assert past == lines.end_of(lines.count(END + 6.0)) + 6.0


def test_a_file_that_writes_its_pickup_as_a_short_bar_is_read_as_the_files():
    notes = [Note(67, 0.0, 1.0)] + [Note(60, 1.0 + b, 1.0) for b in range(8)]
    reading = read_bars(notes, (1, 4), [(1.0, (4, 4))])
    assert reading.auto_words() == "the file's: 1 beat"
    assert starts(reading, 6.0) == [0.0, 1.0, 5.0]
    assert reading.bar_lines.bars[0] == Bar(0.0, Meter(4, 4), 12)


@pytest.mark.parametrize(
    ("steps", "signature", "words"),
    [(2, (6, 8), "found: 1 eighth"), (6, (6, 8), "found: 1 beat"), (4, (3, 4), "found: 1 beat")],
)
def test_auto_says_what_it_found_in_the_meters_own_units(steps, signature, words):
    meter = Meter.of(signature)
    assert Reading(BarLines.regular(meter), steps, PICKUP_FOUND, meter).auto_words() == words


def test_a_meter_change_inside_a_bar_starts_a_bar_there():
    notes = [Note(60, float(b), 1.0) for b in range(12)]
    reading = read_bars(notes, (4, 4), [(6.0, (3, 4))])
    assert starts(reading, 13.0) == [0.0, 4.0, 6.0, 9.0, 12.0]
    assert [str(b.meter) for b in reading.bar_lines.bars_until(13.0)][-2:] == ["3/4", "3/4"]


def test_the_tune_counts_its_bars_as_accompanied_and_a_take_keeps_its_own():
    tune = Tune(melody=tuple(GREENSLEEVES), time_signature=(3, 4))
    assert bars_for(tune) == 16 and tune_bars(tune).pickup_steps == 4
    tune.pickup = "none"
    assert bars_for(tune) == 15
    take = Take([], tuple(GREENSLEEVES), meter=((3, 4), ()), pickup="auto")
    assert starts(take_bars(take, tune), 5.0) == [0.0, 1.0, 4.0]  # written on auto's bars


def test_a_given_pickup_is_notated_as_its_own_short_bar_and_a_found_one_is_not():
    given = read_bars(GREENSLEEVES, (3, 4), pickup=8)
    assert given.notated == ((2, 4), ((2.0, (3, 4)),))  # as accompany writes it
    assert read_bars(GREENSLEEVES, (3, 4)).notated is None  # found: the file's meters
    assert read_bars(GREENSLEEVES, (3, 4), pickup="none").notated is None
    # read back, the short bar gives the same bars (a file's pickup bar)
    written = read_bars(GREENSLEEVES, given.notated[0], given.notated[1])
    assert starts(written, END) == starts(given, END)


@pytest.mark.parametrize("pickup", ["none", "auto", 4])
def test_a_pickup_played_into_the_count_in_is_kept_and_bar_one_is_a_downbeat(pickup):
    """The take keeps the count-in's last bar (rests, then the pickup) and is barred as
    the metronome counted: under the setting the window records ("none"), under auto
    (rests before the first note: the file's bars) and under a given beat's pickup."""
    import mido

    from composer_gui.core.take_notes import RecordingSetup, take_to_arrangement

    setup = RecordingSetup(tempo_bpm=60.0, bars=5, time_signature=(3, 4), count_in_bars=1)
    bar_one = 100.0  # seconds; a beat a second
    stamped = []
    for note in GREENSLEEVES[:12]:  # the pickup on the count-in's last beat, then bar 1 on
        start = bar_one + note.start_beat - 1.0
        stamped.append((start, mido.Message("note_on", note=note.pitch, velocity=80)))
        stamped.append((start + note.duration_beats, mido.Message("note_off", note=note.pitch)))
    stamped.sort(key=lambda pair: pair[0])
    take = take_to_arrangement(stamped, bar_one, bar_one + 15.0, setup).tracks[0].notes
    reading = read_bars(take, (3, 4), pickup=pickup)
    assert take[0].pitch == 69 and take[0].start_beat == 2.0  # the pickup is kept
    downbeat = next(n.start_beat for n in take if n.pitch == 72)  # "-las": bar 1's downbeat
    assert downbeat == 3.0  # a bar of the count-in kept before bar 1
    assert starts(reading, downbeat + 1.0) == [0.0, 3.0]
    assert [(n.pitch, n.start_beat - 3.0, n.duration_beats) for n in take[1:]] == [
        (n.pitch, n.start_beat - 1.0, n.duration_beats) for n in GREENSLEEVES[1:12]
    ]
