"""The meters' validation set: real tunes in the weak meters, disjoint from the corpus
benchmark's tunes, so that choices are made on one set and judged on the other.

Issue 16's last session chose a rule (the compound beat held) on the re-timed chorales'
validation split, where it helped, and the corpus benchmark, run once, showed that it
hurt real jigs: chorale melodies do not move like dance tunes. So choices about the
meters (a fine-tune, its meter weights, a clean-up rule, a model to ship) are made here,
on real melody-only tunes judged by the corpus benchmark's own code
(``bench_corpus.run_tune``: the CLI as a user runs it, Yeh et al.'s PCS and CTnCTR of
the accompaniment with the melody), and ``bench_corpus.py`` only judges, once, at the end.

The rule: **no tune of the corpus benchmark's selection is in this set** (excluded by
name, from ``bench_corpus.corpus_selection`` itself, and checked by ``assert_disjoint``;
``tests/benchmarks/test_validation_tunes.py``). Per meter:

- 4/4 (the reference row), 2/4, 2/2, 6/8, 6/4, 3/8: the four collections of the corpus
  benchmark, each meter's seeded shuffle read from the *back* (the benchmark reads it from
  the front), less any tune the benchmark chose;
- 9/8: the benchmark takes every 9/8 tune of the four collections, so this set's come from
  the Northumbrian Minstrelsy (music21's ``miscFolk``, 17 tunes in 9/8), which the
  benchmark never reads;
- 12/8: the four collections hold six, all in the benchmark, and no other collection in
  music21 has any. This set's 12/8 tunes are real 6/8 tunes (from the back of the 6/8
  shuffle, none in the benchmark nor in this set's 6/8 row) barred in 12/8, two 6/8 bars
  a bar, as slides and many double jigs are written: real melodies in the 12/8 bar and
  its strong beats (1 and 3), though not tunes their makers wrote in 12/8.

The choice is seeded and fixed: the same call gives the same tunes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus_tunes as ct  # noqa: E402

METERS = ("4/4", "2/4", "2/2", "6/8", "9/8", "12/8", "6/4", "3/8")
NINE_EIGHT_COLLECTIONS = ("miscFolk",)
PER_METER = 12
SEED = 0  # the corpus benchmark's recorded seed: its selection is the one excluded


def rebar_12_8(tune: ct.Tune) -> ct.Tune | None:
    """A 6/8 tune without meter changes barred in 12/8 (two 6/8 bars a bar; the first full
    6/8 bar starts a 12/8 bar, a pickup stays a pickup)."""
    if [(n, d) for _, n, d in tune.signatures] != [(6, 8)]:
        return None
    pickup = tune.padding_quarters + 3.0 if tune.padding_quarters > 0 else 0.0
    ref = dataclasses.replace(tune.ref, meter="12/8")
    return dataclasses.replace(
        tune, ref=ref, signatures=[(0.0, 12, 8)], padding_quarters=pickup, meters={"12/8"}
    )


def _from_back(refs: list[ct.TuneRef], meter: str, seed: int) -> list[ct.TuneRef]:
    """The corpus benchmark's shuffle of ``meter`` (``corpus_tunes.choose``), reversed."""
    return list(reversed(ct.choose(refs, meter, None, seed)))


def _take(
    refs: list[ct.TuneRef], count: int, excluded: set[str], convert=lambda t: t
) -> list[ct.Tune]:
    out = []
    for ref in refs:
        if len(out) == count:
            break
        if ref.name in excluded:
            continue
        tune = ct.parse_tune(ref)
        tune = convert(tune) if tune is not None else None
        if tune is not None:
            out.append(tune)
            excluded.add(ref.name)  # a melody is in the set once
    return out


def validation_tunes(
    per_meter: int = PER_METER, corpus_names: set[str] | None = None, seed: int = SEED
) -> dict[str, list[ct.Tune]]:
    """The set, per meter. ``corpus_names``: the benchmark's tune names (computed from
    ``bench_corpus.corpus_selection`` when not given; parsing its 383 tunes takes a
    minute or two)."""
    refs = ct.index_tunes()
    if corpus_names is None:
        corpus_names = corpus_benchmark_names(refs, seed)
    excluded = set(corpus_names)
    chosen: dict[str, list[ct.Tune]] = {}
    for meter in METERS:
        if meter in ("9/8", "12/8"):
            continue
        chosen[meter] = _take(_from_back(refs, meter, seed), per_meter, excluded)
    chosen["12/8"] = _take(_from_back(refs, "6/8", seed), per_meter, excluded, rebar_12_8)
    others = ct.index_tunes(NINE_EIGHT_COLLECTIONS)
    chosen["9/8"] = _take(_from_back(others, "9/8", seed), per_meter, excluded)
    chosen = {m: chosen[m] for m in METERS}
    assert_disjoint(chosen, corpus_names)
    return chosen


def corpus_benchmark_names(refs: list[ct.TuneRef] | None = None, seed: int = SEED) -> set[str]:
    """Names of the tunes ``bench_corpus.py`` chooses (seed 0 as recorded)."""
    import bench_corpus

    selection, _ = bench_corpus.corpus_selection(refs or ct.index_tunes(), seed)
    return {t.ref.name for tunes in selection.values() for t in tunes}


def assert_disjoint(chosen: dict[str, list[ct.Tune]], corpus_names: set[str]) -> None:
    """No melody of the set is one the corpus benchmark judges (12/8's by their 6/8
    source), and none is in the set twice."""
    names = [t.ref.name for tunes in chosen.values() for t in tunes]
    shared = sorted(set(names) & set(corpus_names))
    if shared:
        raise AssertionError(f"validation tunes also in the corpus benchmark: {shared[:5]}")
    if len(names) != len(set(names)):
        raise AssertionError("a validation tune is in the set twice")


def read_set(path: Path, limit: int | None = None) -> dict[str, list[ct.Tune]]:
    """The set written by ``main`` (names per meter), parsed again (12/8: re-barred)."""
    names = json.loads(Path(path).read_text())["tunes"]
    refs = {r.name: r for r in ct.index_tunes() + ct.index_tunes(NINE_EIGHT_COLLECTIONS)}
    out: dict[str, list[ct.Tune]] = {}
    for meter, wanted in names.items():
        tunes = []
        for name in wanted[:limit]:
            tune = ct.parse_tune(refs[name])
            tune = rebar_12_8(tune) if meter == "12/8" and tune is not None else tune
            if tune is None:
                raise ValueError(f"validation tune {name} no longer reads as {meter}")
            tunes.append(tune)
        out[meter] = tunes
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-meter", type=int, default=PER_METER)
    parser.add_argument("--out", type=Path, required=True, help="the set's JSON")
    args = parser.parse_args()
    chosen = validation_tunes(args.per_meter)
    record = {
        "command": "python benchmarks/validation_tunes.py " + " ".join(sys.argv[1:]),
        "seed": SEED,
        "rule": "disjoint by name from bench_corpus.corpus_selection (seed 0); 12/8 = 6/8 "
        "tunes barred in 12/8; 9/8 from miscFolk (Northumbrian Minstrelsy)",
        "tunes": {m: [t.ref.name for t in tunes] for m, tunes in chosen.items()},
        "bars": {
            m: [round(t.notes[-1][1] / t.bar_quarters, 1) for t in ts] for m, ts in chosen.items()
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    for meter, tunes in chosen.items():
        print(f"{meter}: {len(tunes)} tunes, " + ", ".join(t.ref.name for t in tunes))


if __name__ == "__main__":
    main()
