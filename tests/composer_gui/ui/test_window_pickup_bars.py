"""The pickup as the window shows it (issue 16): the Pickup box says what auto found, and
the rolls draw the bars the engine accompanies, a found or given pickup's short bar first.

Greensleeves with its one-beat pickup at beat 0, 3/4 from beat 0 (as a notation program
exports it; ``scripts/pickup_screenshots.py`` writes it), and a 6/8 jig of O'Neill's with
a one-eighth pickup written the same way (``benchmarks/corpus_tunes``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from composer_gui.ui import theme
from tests.support.scripts import load_script

pytestmark = pytest.mark.gui


shots = load_script("scripts/pickup_screenshots.py")


@pytest.fixture
def greensleeves(tmp_path) -> Path:
    return shots.write_greensleeves(tmp_path / "greensleeves.mid")


def choose_pickup(window, pickup) -> None:
    shots.choose_pickup(window, pickup)
    assert window.document.pickup == pickup


def bar_starts(roll, until: float) -> list[float]:
    return [bar.start_beat for _n, bar, _end in roll.shown_bars() if bar.start_beat < until]


def ruler_ticks(roll, beats: list[float]) -> list[bool]:
    """Whether the ruler shows a bar's tick at each beat, read from the painted roll."""
    image = roll.grab().toImage()
    y = roll.RULER - 3
    tick = QColor(theme.DIM_TEXT).rgb()
    return [
        any(image.pixel(round(roll.x_for_beat(b)) + dx, y) == tick for dx in (-1, 0, 1))
        for b in beats
    ]


def test_the_box_says_what_auto_found(window, greensleeves, melody_file, tmp_path):
    box = window.pickup_box
    assert box.currentText() == "Pickup: auto"  # no melody yet: nothing to find
    assert window.open_file(greensleeves)
    assert box.currentText() == "Pickup: auto (found: 1 beat)"
    choose_pickup(window, "none")
    assert box.currentText() == "Pickup: none"
    assert box.itemText(0) == "Pickup: auto (found: 1 beat)"  # still what auto would take
    choose_pickup(window, 8)
    assert box.currentText() == "Pickup: 2 beats"
    assert window.open_file(melody_file, asked=True)  # two bars of 4/4 from a downbeat
    assert box.currentText() == "Pickup: auto (none found)"

    corpus = load_script("benchmarks/corpus_tunes.py")
    ref = next(r for r in corpus.index_tunes() if r.name == shots.JIG)
    jig = tmp_path / "jig.mid"
    corpus.write_midi(corpus.parse_tune(ref), jig)
    assert window.open_file(jig, asked=True)
    assert window.document.time_signature == (6, 8)
    assert box.currentText() == "Pickup: auto (found: 1 eighth)"


def test_an_edit_that_moves_the_pickup_is_said_at_once(window, greensleeves):
    """The box follows the melody: the pickup note deleted, auto finds none."""
    assert window.open_file(greensleeves)
    window.document.set_melody(window.document.melody[1:], "Delete note")
    assert window.pickup_box.currentText() == "Pickup: auto (none found)"
    window.document.undo()
    assert window.pickup_box.currentText() == "Pickup: auto (found: 1 beat)"


@pytest.mark.parametrize("signature", [(4, 4), (6, 8), (2, 4)])
def test_a_meter_change_reads_the_pickup_and_the_bars_again(window, greensleeves, signature):
    """The box and the roll say what the engine reads in the new meter, as the core does."""
    from composer_gui.core.bar_lines import read_bars

    assert window.open_file(greensleeves)
    window.document.set_meter(signature)
    reading = read_bars(window.document.melody, signature)
    assert window.pickup_box.currentText() == f"Pickup: auto ({reading.auto_words()})"
    expected = [bar.start_beat for bar in reading.bar_lines.bars_until(20.0)]
    assert bar_starts(window.melody_editor, 20.0) == expected
    window.document.set_meter((3, 4))
    assert window.pickup_box.currentText() == "Pickup: auto (found: 1 beat)"


def test_the_rolls_draw_the_bars_as_accompanied(window, greensleeves):
    assert window.open_file(greensleeves)
    roll = window.melody_editor
    assert bar_starts(roll, 11.0) == [0.0, 1.0, 4.0, 7.0, 10.0]
    assert window.transport.bars.value() == window.document.bars == 16  # 15 and the pickup's
    assert len(roll.shown_bars()) == 16 and roll.length_beats == 46.0
    assert ruler_ticks(roll, [0.0, 1.0, 4.0, 7.0]) == [True] * 4
    assert ruler_ticks(roll, [3.0, 6.0]) == [False, False]  # the file's barlines
    empty = window.arrangement_view  # no take yet: it spans the melody's bars
    assert bar_starts(empty, 11.0) == [0.0, 1.0, 4.0, 7.0, 10.0]

    choose_pickup(window, "none")
    assert bar_starts(roll, 10.0) == [0.0, 3.0, 6.0, 9.0] and window.transport.bars.value() == 15
    assert ruler_ticks(roll, [3.0, 6.0, 1.0]) == [True, True, False]


def test_open_none_given_save_reopen_keeps_the_text_and_the_bars(window, greensleeves, tmp_path):
    """The pickup setting is not an undo step (only melody edits are): the sequence is
    open, none, 2 beats, save, open another tune, reopen."""
    box, roll = window.pickup_box, window.melody_editor
    assert window.open_file(greensleeves)
    found = (box.currentText(), bar_starts(roll, 11.0), window.transport.bars.value())
    assert found == ("Pickup: auto (found: 1 beat)", [0.0, 1.0, 4.0, 7.0, 10.0], 16)
    choose_pickup(window, "none")
    assert bar_starts(roll, 7.0) == [0.0, 3.0, 6.0]
    choose_pickup(window, 8)
    given = (box.currentText(), bar_starts(roll, 9.0), window.transport.bars.value())
    assert given == ("Pickup: 2 beats", [0.0, 2.0, 5.0, 8.0], 16)
    assert not window.document.can_undo

    path = tmp_path / "greensleeves.composer"
    assert window.save_to(path)
    assert window.open_file(greensleeves, asked=True)
    assert box.currentText() == "Pickup: auto (found: 1 beat)"
    assert window.open_file(path, asked=True)
    assert (box.currentText(), bar_starts(roll, 9.0), window.transport.bars.value()) == given
    assert box.itemText(0) == "Pickup: auto (found: 1 beat)"
    choose_pickup(window, "auto")
    assert (box.currentText(), bar_starts(roll, 11.0), window.transport.bars.value()) == found


def test_the_candidate_roll_draws_the_bars_its_take_was_written_on(
    qtbot, window, greensleeves, tiny_model
):
    assert window.open_file(greensleeves)
    window.engine.configure(str(tiny_model), "cpu")
    with qtbot.waitSignal(window.generation_done, timeout=120000):
        window.generate()
    window.candidates.select(0)
    assert window.document.pick is not None
    view = window.arrangement_view
    assert bar_starts(view, 11.0) == [0.0, 1.0, 4.0, 7.0, 10.0]
    assert ruler_ticks(view, [1.0, 4.0, 3.0]) == [True, True, False]
    choose_pickup(window, "none")  # the take is stale: it still shows the bars it was written on
    assert window.document.stale
    assert bar_starts(view, 11.0) == [0.0, 1.0, 4.0, 7.0, 10.0]
    assert bar_starts(window.melody_editor, 7.0) == [0.0, 3.0, 6.0]


def test_export_bars_a_given_pickup_as_accompanied(window, greensleeves, tmp_path):
    """A given pickup is written as its own short bar (as ``accompany`` writes it), so the
    file opens on the same bars; a found one keeps the file's 3/4 from beat 0."""
    from composer_gui.core.midi_file import read_arrangement

    assert window.open_file(greensleeves)
    found = tmp_path / "found.mid"
    assert window.export_to(found, asked=True)
    assert read_arrangement(found).time_signature == (3, 4)
    assert read_arrangement(found).meter_changes == []
    choose_pickup(window, 8)
    given = bar_starts(window.melody_editor, 12.0)
    path = tmp_path / "given.mid"
    assert window.export_to(path, asked=True)
    written = read_arrangement(path)
    assert (written.time_signature, written.meter_changes) == ((2, 4), [(2.0, (3, 4))])
    assert window.open_file(path, asked=True)
    assert bar_starts(window.melody_editor, 12.0) == given == [0.0, 2.0, 5.0, 8.0, 11.0]
    assert window.pickup_box.currentText() == "Pickup: auto (the file's: 2 beats)"


LONG_TUNE = "essenFolksong/altdeu10#310"  # 4/4, 48 bars as the file bars it; notated: a
# 3-beat pickup, 47 bars and a last bar of 1 beat


def test_a_tune_over_32_bars_is_counted_whole_with_and_without_its_pickup(window, tmp_path):
    """The bars box once stopped at MAX_BARS (32, one generation's section) while the rolls
    drew every bar; the engine accompanies any length whole, so the box shows it whole."""
    corpus = load_script("benchmarks/corpus_tunes.py")
    ref = next(r for r in corpus.index_tunes(("essenFolksong",)) if r.name == LONG_TUNE)
    path = tmp_path / "long.mid"
    corpus.write_midi(corpus.parse_tune(ref), path)
    assert window.open_file(path)
    doc, roll = window.document, window.melody_editor
    assert doc.time_signature == (4, 4) and doc.length_beats() >= 192.0
    shown = window.transport.bars.value()
    assert shown == doc.bars == len(roll.shown_bars()) > 40  # auto (it finds 1 beat, not 3)
    choose_pickup(window, 12)  # the notated pickup, given
    assert doc.bar_lines().bars[0].length_beats == 3.0
    # the pickup's short bar, 47 whole bars and the last beat's partial bar
    assert window.transport.bars.value() == doc.bars == len(roll.shown_bars()) == 49
    choose_pickup(window, "none")
    assert window.transport.bars.value() == doc.bars == len(roll.shown_bars()) == 48
    window.transport.bars.setValue(2000)  # a new melody's length keeps a sane maximum
    assert doc.bars == 999
