"""A short bar and an unbarred stretch inside a learnt meter (#16): accompanied in that
meter (``melody_grid.accompanied_bars``), never as a meter of their own, and the file's
time signatures kept.

The two corpus tunes the benchmark refused (``docs/benchmarks/corpus.json``): Essen's
"Gueijiang shuiji tan you wan" (han2 #29), a 2/4 song whose last bar is a lone 1/4
bar, and "Huangying zhanchi" (han1 #390), three bars of 4/4 and then its barlines stop:
music21 reads the rest as one bar of 26/4. Before this, both were refused ("The melody
is in 1/4", "in 26/4"). Hand-made cases put a short bar in the middle of a tune, and
check that what is not a short bar or an unbarred stretch is still refused.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pretty_midi
import pytest
from music21 import converter, corpus, meter

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.bar_lines import read_bars
from composer_gui.core.errors import MeterError
from composer_gui.core.melody_grid import (
    accompanied_bars,
    check_melody,
    melody_on_grid,
    melody_warnings,
    unaccompanied_meters,
)
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.style_meters import tune_meters
from models.pianoroll import Meter
from tests.support.scripts import load_script

ct = load_script("benchmarks/corpus_tunes.py")

TWO, FOUR = Meter(2, 4), Meter(4, 4)


def tune_of(stem: str, number: int, header: str):
    path = str(corpus.getWork(f"essenFolksong/{stem}.abc"))
    tune = ct.parse_tune(ct.TuneRef("essenFolksong", path, number, header))
    assert tune is not None
    return tune


def accompany(tune, folder: Path) -> tuple[Path, Path, subprocess.CompletedProcess]:
    source, result = folder / "in.mid", folder / "out.mid"
    ct.write_midi(tune, source)
    done = subprocess.run(
        [sys.executable, "-m", "composer_gui.cli", "accompany", str(source), "-o",
         str(result), "--candidates", "2", "--seed", "0", "--device", "cpu"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return source, result, done


def read_back(tune, result: Path) -> None:
    """The output's melody note for note and its time signatures where the tune has
    them, by mido, pretty_midi and music21; three accompaniment tracks with notes."""
    back = ct.read_midi(result)  # mido
    assert back.signatures == tune.signatures
    assert sorted(back.tracks[0][1]) == tune.notes
    assert len(back.tracks) == 4 and all(notes for _, notes in back.tracks[1:])
    pm = pretty_midi.PrettyMIDI(str(result))
    seconds = 60.0 / 100.0  # the tune is written at 100 bpm
    found = [
        (round(t.time / seconds, 4), t.numerator, t.denominator) for t in pm.time_signature_changes
    ]
    assert found == tune.signatures
    # music21 bars the file itself and restates the meter after a short bar: each of the
    # file's signatures is among what it reads, and no other meter; the melody, untied
    part = converter.parse(str(result), forceSource=True).parts[0]
    read = {
        (float(ts.getOffsetInHierarchy(part)), ts.numerator, ts.denominator)
        for ts in part.recurse().getElementsByClass(meter.TimeSignature)
    }
    assert set(tune.signatures) <= read
    assert {(n, d) for _, n, d in read} == {(n, d) for _, n, d in tune.signatures}
    notes = [
        (round(float(n.offset), 4), round(float(n.offset + n.quarterLength), 4), n.pitch.midi)
        for n in part.stripTies().flatten().notes
    ]
    assert sorted(notes) == [(round(a, 4), round(b, 4), p) for a, b, p in tune.notes]


def sounding_between(notes, start: float, end: float) -> bool:
    return any(a < end - 1e-9 and b > start + 1e-9 for a, b, _ in notes)


def test_a_two_four_song_ending_on_a_one_quarter_bar_is_accompanied_in_two_four(tmp_path):
    tune = tune_of("han2", 29, "2/4")
    assert tune.signatures[-1] == (62.0, 1, 4) and tune.notes[-1][1] == 63.0  # the case
    source, result, _ = accompany(tune, tmp_path)
    read_back(tune, result)
    melody = read_arrangement(source)
    assert unaccompanied_meters(melody) == []
    grid = melody_on_grid(melody)
    assert {m for _, m in grid.meters} == {TWO}  # no meter of its own
    assert grid.bar_starts[-2:] == [62 * 4, 63 * 4]  # the last bar: half a bar of 2/4
    assert tune_meters(melody).keys() == {TWO}  # what a style is asked to play
    # the short bar is accompanied, not left silent
    back = ct.read_midi(result)
    assert all(sounding_between(notes, 62.0, 63.0) for _, notes in back.tracks[1:])


def test_a_song_whose_barlines_stop_is_barred_in_its_own_four_four(tmp_path):
    tune = tune_of("han1", 390, "4/4")
    assert tune.signatures == [(0.0, 4, 4), (12.0, 26, 4)]  # the case
    source, result, done = accompany(tune, tmp_path)
    read_back(tune, result)
    melody = read_arrangement(source)
    grid = melody_on_grid(melody)
    assert {m for _, m in grid.meters} == {FOUR}
    # bars of 4/4 through the unbarred stretch (12-38 quarters), the last one short
    assert grid.bar_starts == [*range(0, 38 * 4, 16), 38 * 4]  # ends with the file's bar
    shown = read_bars(melody.tracks[0].notes, (4, 4), [(12.0, (26, 4))]).bar_lines
    assert shown.count(melody.length_beats()) == 10  # the app's bars box: 3 + 7 bars of 4/4
    # The musician is told, in one sentence
    (warning,) = [w for w in melody_warnings(melody) if "26/4" in w]
    assert warning.startswith("Bar 4 is written as one bar of 26/4") and "4/4" in warning
    assert warning in done.stderr
    # each candidate's chords in the 10 bars accompanied (one bar of 26/4 before session 19)
    chord_rows = [line for line in done.stdout.splitlines() if "chords: |" in line]
    assert len(chord_rows) == 2 and all(row.count("|") == 10 + 1 for row in chord_rows)
    back = ct.read_midi(result)
    for start in range(12, 36, 4):  # every 4/4 bar of the stretch has its accompaniment
        assert all(sounding_between(notes, start, start + 4) for _, notes in back.tracks[1:])


def bars(*lengths_and_meters: tuple[float, tuple[int, int]]) -> Arrangement:
    """A melody of quarter notes through bars ``(length in quarters, signature)``, each
    signature written at its bar."""
    notes, changes, beat = [], [], 0.0
    for length, signature in lengths_and_meters:
        changes.append((beat, signature))
        notes += [Note(60 + int(beat + i) % 7, beat + i, 1.0) for i in range(int(length))]
        beat += length
    first = changes[0][1]
    later = [(b, s) for b, s in changes[1:]]
    return Arrangement([Track("lead", notes)], 100.0, first, [], later)


def test_a_short_bar_inside_a_tune_is_a_short_bar_of_the_meter_around_it():
    melody = bars((4, (2, 4)), (1, (1, 4)), (4, (2, 4)))  # 2/4 x2, a 1/4 bar, 2/4 x2
    assert unaccompanied_meters(melody) == []
    barred = accompanied_bars(melody)
    assert barred.meter_map() == [(0.0, TWO), (4.0, TWO), (5.0, TWO)]
    assert barred.bar_starts() == [0.0, 2.0, 4.0, 5.0, 7.0]  # the short bar: 4-5
    grid = melody_on_grid(melody)
    assert grid.bar_starts == [0, 8, 16, 20, 28, 36]
    assert check_melody(melody) is melody  # the melody itself is not changed
    assert melody.meter_changes == [(4.0, (1, 4)), (5.0, (2, 4))]


def test_a_short_bar_of_six_eight_is_one_of_six_eight():
    melody = bars((6, (6, 8)), (2.5, (5, 8)), (3, (6, 8)))
    assert [m for _, m in accompanied_bars(melody).meter_map()] == [Meter(6, 8)] * 3


@pytest.mark.parametrize(
    "melody",
    [
        bars((4, (2, 4)), (2, (1, 4))),  # two bars of 1/4: a stretch in 1/4, not a short bar
        bars((4, (2, 4)), (5, (5, 4))),  # a bar of 5/4 is longer than 2/4's, not short
        bars((2, (1, 4))),  # a tune in 1/4, with no meter around it
        bars((7, (7, 8))),
    ],
)
def test_what_is_no_short_bar_is_still_refused_in_one_sentence(melody):
    assert unaccompanied_meters(melody)
    with pytest.raises(MeterError) as raised:
        check_melody(melody)
    assert str(raised.value).count(". ") == 0 and "Composer accompanies 2/4" in str(raised.value)


def test_an_unbarred_stretch_takes_the_meter_after_it_when_none_is_before():
    melody = bars((26, (26, 4)), (8, (3, 4)))
    assert [m for _, m in accompanied_bars(melody).meter_map()] == [Meter(3, 4)] * 2
    assert accompanied_bars(melody).bar_starts()[:3] == [0.0, 3.0, 6.0]


def test_a_song_unbarred_throughout_is_refused_in_one_sentence_saying_so():
    melody = bars((26, (26, 4)))
    with pytest.raises(MeterError) as raised:
        check_melody(melody)
    message = str(raised.value)
    assert message.startswith("The melody is written as one bar of 26/4, an unbarred song")
    assert message.count(". ") == 0 and message.endswith("sung in.")


def test_the_chord_line_bars_an_unbarred_stretch_as_it_is_accompanied():
    """Session 18 left the CLI's chord line grouping chords by the file's bars: han1
    #390's stretch (three bars of 4/4, then 26 quarters written as one bar) printed as one
    long bar of chords. Now by ``accompanied_bars``: 3 + 7 bars of 4/4, the last short."""
    from composer_gui.commands.ranking_table import chord_line

    melody = bars((12, (4, 4)), (26, (26, 4)))
    names = ["C", "F", "G", "Am", "Dm", "Em", "C", "G", "F", "C"]
    chords = [(4.0 * bar, name) for bar, name in enumerate(names)]
    assert chord_line(chords, melody) == "| " + " | ".join(names) + " |"


def test_first_bars_counts_the_bars_accompanied_not_the_files():
    """``--first-bars`` keeps the first 32 bars as accompanied: a 4/4 song whose
    barlines stop after three bars (200 quarters unbarred: 3 + 50 bars) is cut after 32
    bars of 4/4, 128 quarters. It counted the file's four bars and kept all 53."""
    from models.pianoroll import MAX_BARS

    melody = bars((12, (4, 4)), (200, (200, 4)))
    first = check_melody(melody, "first")
    assert accompanied_bars(first).bar_count() == MAX_BARS
    assert max(n.end_beat for n in first.tracks[0].notes) == 4.0 * MAX_BARS
    assert first.meter_changes == [(12.0, (200, 4))]  # the file's signatures are kept


@pytest.mark.parametrize("signature", [(13, 8), (15, 8)])
def test_a_bar_of_an_irregular_meter_inside_four_four_is_refused_naming_what_is_accompanied(
    signature,
):
    """Issue #16: an irregular meter is refused in one sentence naming what Composer
    accompanies. A 13/8 or a 15/8 bar (6.5, 7.5 quarters) was "unbarred" (more than 12
    units) and silently barred in 4/4; it is no unbarred stretch: less than two bars of
    the 4/4 around it (han1 #390's 26 quarters are six and a half)."""
    numerator, denominator = signature
    melody = bars((8, (4, 4)), (numerator * 4 / denominator, signature), (8, (4, 4)))
    assert unaccompanied_meters(melody) == [Meter(*signature)]
    with pytest.raises(MeterError) as raised:
        check_melody(melody)
    message = str(raised.value)
    assert message.startswith(f"The melody is in {numerator}/{denominator};")
    assert message.count(". ") == 0 and "Composer accompanies 2/4" in message
    assert not [w for w in melody_warnings(melody) if "unbarred" in w]


def test_a_bar_of_seven_eight_inside_four_four_is_a_short_bar_not_an_unbarred_stretch():
    """7/8 (3.5 quarters) inside 4/4 is session 18's short bar: accompanied as a short
    bar of 4/4, no unbarred sentence; a tune in 7/8 is refused (above)."""
    melody = bars((8, (4, 4)), (3.5, (7, 8)), (8, (4, 4)))
    assert unaccompanied_meters(melody) == []
    assert [m for _, m in accompanied_bars(melody).meter_map()] == [FOUR] * 3
    assert not [w for w in melody_warnings(melody) if "unbarred" in w]


@pytest.mark.parametrize("signature", [(13, 8), (15, 8), (7, 8)])
def test_a_tune_in_thirteen_or_fifteen_eight_is_refused_as_a_meter_not_as_unbarred(signature):
    """Four bars of 13/8 are a tune in 13/8, not "an unbarred song" (the sentence it got)."""
    numerator, denominator = signature
    melody = bars((4 * numerator * 4 / denominator, signature))
    with pytest.raises(MeterError) as raised:
        check_melody(melody)
    assert str(raised.value).startswith(f"The melody is in {numerator}/{denominator};")


def test_han1_390s_stretch_is_unbarred_by_the_rule():
    """What the file says: the ABC is in M:4/4 throughout, and music21 invents the 26/4
    (``bestTimeSignature`` for the rest of an overlong bar, split at 4/4's length). One
    signature holding one bar of 26 quarters after 4/4: unbarred."""
    from models.pianoroll import unbarred

    assert unbarred(Meter(26, 4), 26.0, FOUR)
    assert not unbarred(Meter(13, 8), 6.5, FOUR)
    assert not unbarred(Meter(15, 8), 7.5, FOUR)
    assert not unbarred(Meter(26, 4), 2 * 26.0, FOUR)  # two bars of 26/4: a meter
    assert unbarred(Meter(26, 4), 26.0, None)  # nothing around: longer than 2 x 6 quarters
    assert not unbarred(Meter(13, 8), 6.5, None)
