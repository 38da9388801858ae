"""A tune's pickup written as its own short bar (``band_style_misnames.with_short_first_bar``,
the form MuseScore's MIDI export gives an irregular first measure) reaches the engine with
the notated bars: the Ryan's hornpipes whose eighth's pickup the detector misses at tick 0
(docs/band-model.md, session 15)."""

from __future__ import annotations

import sys
from pathlib import Path

import mido
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import band_style_misnames as bsm  # noqa: E402
import corpus_tunes as ct  # noqa: E402

from composer_gui.core.melody_grid import PICKUP_FILE, melody_on_grid  # noqa: E402
from composer_gui.core.midi_file import melody_of, read_arrangement  # noqa: E402

RYANS_HORNPIPES = (
    "ryansMammoth/FishersHornpipe#1",
    "ryansMammoth/NInWoodPileJig#1",
    "ryansMammoth/HandOrganHornpipe#1",
)


@pytest.fixture(scope="module")
def tunes() -> dict:
    refs = {r.name: r for r in ct.index_tunes(("ryansMammoth",))}
    return {name: ct.parse_tune(refs[name]) for name in RYANS_HORNPIPES}


@pytest.mark.parametrize("name", RYANS_HORNPIPES)
def test_a_pickup_written_as_its_own_short_bar_is_read_as_notated(tunes, name, tmp_path):
    tune = tunes[name]
    assert bsm.notated_phase(tune) == 6  # an eighth's pickup in 2/4
    path = tmp_path / "tune.mid"
    ct.write_midi(bsm.with_short_first_bar(tune), path)
    tick, signatures = 0, []
    for message in mido.MidiFile(path).tracks[0]:
        tick += message.time
        if message.type == "time_signature":
            signatures.append((tick, message.numerator, message.denominator))
    assert signatures == [(0, 1, 8), (ct.TICKS // 2, 2, 4)]
    grid = melody_on_grid(melody_of(read_arrangement(path), None, path.name))
    assert grid.bar_phase == 6 and grid.pickup_from == PICKUP_FILE


@pytest.mark.parametrize("name", RYANS_HORNPIPES)
def test_from_abc_gives_the_engine_the_tunes_own_abc_read_as_notated(tunes, name, tmp_path):
    tune = tunes[name]
    path = bsm.abc_of(tune, tmp_path / "tune.abc")
    assert path.read_text().startswith("X:")
    read = read_arrangement(path)
    assert [(n.start_beat, n.end_beat, n.pitch) for n in read.tracks[0].notes] == tune.notes
    assert read.time_signature == (1, 8) and read.meter_changes[0] == (0.5, (2, 4))
    # later, 2/4 only restated where the score restarts a bar (N in the Wood Pile's second
    # ending, after a one-beat first ending: score_file.restated_at_measures)
    assert {signature for _, signature in read.meter_changes} == {(2, 4)}
    grid = melody_on_grid(melody_of(read, None, path.name))
    assert grid.bar_phase == bsm.notated_phase(tune) == 6 and grid.pickup_from == PICKUP_FILE


def test_from_abc_finds_a_tune_numbered_with_leading_zeros(tmp_path):
    """Aird's Airs numbers its tunes X:0010; the judged pop ballad 6/8 tune is one."""
    refs = {r.name: r for r in ct.index_tunes(("airdsAirs",))}
    tune = ct.parse_tune(refs["airdsAirs/book1#10"])
    path = bsm.abc_of(tune, tmp_path / "tune.abc")
    assert path.read_text().startswith("X:0010\n")
    read = read_arrangement(path)
    assert [(n.start_beat, n.end_beat, n.pitch) for n in read.tracks[0].notes] == tune.notes


@pytest.mark.slow
def test_the_fresh_tunes_are_of_both_kinds_and_in_no_pickup_part_nor_judged():
    # Session 19's bigger sample for the 2/4 naming: --fresh N tunes with a pickup and N
    # without, past every recorded pickup part, none of bench_band_styles' judged tunes.
    import json

    import pickup_tunes as pt

    judged = bsm.chosen_tunes("judged", "2/4", 12)
    fresh = bsm.fresh_tunes("2/4", 3, judged)
    assert [bsm.notated_phase(t) != 0 for t in fresh] == [True] * 3 + [False] * 3
    parts = json.loads(pt.RECORD.read_text())["parts"]
    used = {n for meters in parts.values() for names in meters.values() for n in names}
    names = {t.ref.name for t in fresh}
    assert len(names) == 6 and not names & (used | {t.ref.name for t in judged})
    assert all(t.meters == {"2/4"} and len(t.signatures) == 1 for t in fresh)
    assert bsm.chosen_tunes("fresh", "2/4", 12, 3)[12:] == fresh
