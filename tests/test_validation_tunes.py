"""The meters' validation set is disjoint from the corpus benchmark's tunes
(``benchmarks/validation_tunes.py``): choices are made on one, judged on the other."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus_tunes as ct  # noqa: E402
import validation_tunes as vt  # noqa: E402

RECORDED_SET = ROOT / "docs" / "benchmarks" / "meter-validation-set.json"
RECORDED_CORPUS = ROOT / "docs" / "benchmarks" / "corpus.json"


def _tune(name: str, meter: str, pickup: float = 0.0) -> ct.Tune:
    collection, rest = name.split("/")
    path, number = rest.split("#")
    ref = ct.TuneRef(collection, path, int(number), meter)
    numerator, denominator = map(int, meter.split("/"))
    notes = [(i * 0.5, i * 0.5 + 0.5, 60 + i % 5) for i in range(24)]
    return ct.Tune(ref, name, notes, [(0.0, numerator, denominator)], pickup, {meter})


def test_a_tune_of_the_corpus_benchmark_or_one_twice_is_refused():
    chosen = {"6/8": [_tune("oneills1850/a#1", "6/8")], "2/4": [_tune("essenFolksong/b#2", "2/4")]}
    vt.assert_disjoint(chosen, {"oneills1850/a#2"})
    with pytest.raises(AssertionError, match="also in the corpus benchmark"):
        vt.assert_disjoint(chosen, {"essenFolksong/b#2"})
    twice = {"6/8": chosen["6/8"], "12/8": [vt.rebar_12_8(chosen["6/8"][0])]}
    with pytest.raises(AssertionError, match="twice"):
        vt.assert_disjoint(twice, set())


def test_a_jig_barred_in_12_8_keeps_its_notes_and_its_pickup():
    jig = _tune("oneills1850/a#1", "6/8", pickup=2.5)  # a one-eighth pickup
    slide = vt.rebar_12_8(jig)
    assert slide.signatures == [(0.0, 12, 8)] and slide.ref.meter == "12/8"
    assert slide.notes == jig.notes and slide.ref.name == jig.ref.name
    assert slide.padding_quarters == 5.5  # the 12/8 bar's first full 6/8 half starts a bar
    assert vt.rebar_12_8(_tune("oneills1850/a#1", "6/8")).padding_quarters == 0.0
    assert vt.rebar_12_8(_tune("oneills1850/a#1", "3/4")) is None


def test_the_recorded_set_shares_no_tune_with_the_recorded_corpus_run():
    names = json.loads(RECORDED_SET.read_text())["tunes"]
    corpus = {r["tune"] for r in json.loads(RECORDED_CORPUS.read_text())["tunes"]}
    assert set(names) == set(vt.METERS)
    assert all(len(v) == vt.PER_METER for v in names.values())
    flat = [n for v in names.values() for n in v]
    assert len(flat) == len(set(flat)) and not set(flat) & corpus


@pytest.mark.slow
def test_the_set_is_what_the_rule_chooses_and_disjoint_from_the_benchmarks_selection():
    # Parses the corpus benchmark's 383 tunes and the set's 96: about two minutes.
    corpus = vt.corpus_benchmark_names()
    chosen = vt.validation_tunes(corpus_names=corpus)
    names = {m: [t.ref.name for t in tunes] for m, tunes in chosen.items()}
    assert names == json.loads(RECORDED_SET.read_text())["tunes"]
    assert not {n for v in names.values() for n in v} & corpus


def test_the_cli_in_process_writes_what_the_cli_writes(tmp_path):
    # bench_meter_validation calls the CLI's main in its own process: it must judge the
    # same file a user's `composer-gui accompany` writes.
    import filecmp

    import bench_corpus as bc

    tune = vt.read_set(RECORDED_SET, limit=1)["6/8"][0]
    records = []
    for in_process in (True, False):
        work = tmp_path / str(in_process)
        work.mkdir()
        records.append(bc.run_tune(tune, work, in_process=in_process))
    assert all(r["accompanied"] and r["melody_kept"] for r in records)
    outputs = [bc.paths(tune, tmp_path / str(p))[1] for p in (True, False)]
    assert filecmp.cmp(*outputs, shallow=False)
    assert records[0]["pcs"] == records[1]["pcs"]
