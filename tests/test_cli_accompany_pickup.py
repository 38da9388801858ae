"""``accompany --pickup``: the musician says where the first downbeat is.

A real corpus tune the detector misses (Ryan's Fisher's Hornpipe, 2/4 in running
sixteenths, notated with an eighth's pickup; ``test_melody_grid_pickup.py``), exported as
notation programs write it (the pickup at tick 0, 2/4 from tick 0), accompanied on a tiny
model: with ``--pickup 1`` its output is barred as the notation (a bar of one eighth,
then 2/4), with ``--pickup none`` as the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from composer_gui.cli import main
from composer_gui.core.melody_grid import PICKUP_FILE, melody_on_grid
from composer_gui.core.midi_file import read_arrangement, read_melody
from tests.support.scripts import load_script

TUNE = "ryansMammoth/FishersHornpipe#1"


def _corpus_tunes():
    return load_script("benchmarks/corpus_tunes.py")


@pytest.fixture(scope="module")
def hornpipe(tmp_path_factory) -> tuple[Path, float]:
    """The exported tune and where its notation puts the first downbeat, in beats."""
    ct = _corpus_tunes()
    ref = next(r for r in ct.index_tunes() if r.name == TUNE)
    tune = ct.parse_tune(ref)
    path = tmp_path_factory.mktemp("hornpipe") / "fishers.mid"
    ct.write_midi(tune, path)
    return path, tune.bar_quarters - tune.padding_quarters


def accompany(path: Path, out: Path, model: Path, capsys, *extra: str):
    args = ["accompany", str(path), "-o", str(out), "--model", str(model)]
    code = main([*args, "--candidates", "2", "--seed", "3", *extra])
    return code, capsys.readouterr()


def test_an_eighths_pickup_given_bars_the_output_as_the_notation(
    hornpipe, tiny_model, tmp_path, capsys
):
    path, downbeat = hornpipe
    assert downbeat == 0.5  # the notation: an eighth before the first 2/4 downbeat
    assert melody_on_grid(read_melody(path)).bar_phase == 0  # what auto finds: not it
    out = tmp_path / "out.mid"
    code, io = accompany(path, out, tiny_model, capsys, "--pickup", "1")
    assert code == 0, io.err
    assert "pickup: 1 eighth (as given)" in io.out.splitlines()
    written = read_arrangement(out)
    assert written.time_signature == (1, 8) and written.meter_changes == [(0.5, (2, 4))]
    assert written.bar_starts()[:3] == [0.0, downbeat, downbeat + 2.0]
    assert written.tracks[0].notes == read_melody(path).tracks[0].notes  # melody as played
    again = melody_on_grid(read_melody(out))  # read back: the same bars, from the file
    assert again.pickup == 2 and again.bar_phase == 6 and again.pickup_from == PICKUP_FILE


def test_none_keeps_the_files_barlines(hornpipe, tiny_model, tmp_path, capsys):
    path, _ = hornpipe
    out = tmp_path / "out.mid"
    code, io = accompany(path, out, tiny_model, capsys, "--pickup", "none", "--json")
    assert code == 0, io.err
    assert json.loads(io.out)["pickup"] == {"steps": 0, "from": None}
    written = read_arrangement(out)
    assert written.time_signature == (2, 4) and written.meter_changes == []


@pytest.mark.parametrize(
    ("value", "words"), [("4", "whole bar of 2/4"), ("half", "number of eighths")]
)
def test_a_pickup_it_cannot_take_is_one_sentence_and_writes_nothing(
    hornpipe, tmp_path, capsys, value, words
):
    path, _ = hornpipe
    out = tmp_path / "out.mid"
    code, io = accompany(path, out, tmp_path / "no-model.safetensors", capsys, "--pickup", value)
    assert code != 0 and words in io.err and len(io.err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_pickup_found_from_the_notes_is_said_and_the_files_bars_kept(
    tiny_model, tmp_path, capsys
):
    ct = _corpus_tunes()
    ref = next(r for r in ct.index_tunes() if r.name == "ryansMammoth/HareInTheCornJig#1")
    tune = ct.parse_tune(ref)
    ct.write_midi(tune, tmp_path / "jig.mid")
    grid = melody_on_grid(read_melody(tmp_path / "jig.mid"))
    out = tmp_path / "out.mid"
    code, io = accompany(tmp_path / "jig.mid", out, tiny_model, capsys)  # auto, the default
    assert code == 0, io.err
    assert any(
        line.startswith("pickup: ") and line.endswith("(found from the notes)")
        for line in io.out.splitlines()
    )
    assert grid.bar_starts[1] > 0  # accompanied on the bars the notes imply
    written = read_arrangement(out)
    source = read_arrangement(tmp_path / "jig.mid")
    assert written.time_signature == source.time_signature and written.meter_changes == []
