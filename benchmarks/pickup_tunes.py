"""A labelled set of folk tunes for the pickup detector (``melody_grid.pickup_steps``).

The label is the notation's: music21's first measure of a tune with a pickup is short, its
``paddingLeft`` the part of the bar before the pickup, so step 0 (the pickup's first note)
lies ``paddingLeft`` into its bar (the same reading as ``models/build_dataset.py``). Each
tune is exported as a musician's notation program exports it (``corpus_tunes.write_midi``:
one track, the pickup at tick 0, the time signature from tick 0), read back by the
product's own reader (``midi_file.read_melody``) and put on the grid in steps as
``melody_on_grid`` gives them to the detector.

**Disjoint by name from what the judging benchmarks select.** Excluded: every tune named
in the recorded runs under ``docs/benchmarks/`` (``corpus.json``: bench_corpus's selection,
which takes *every* 9/8 and 12/8 tune of the four collections; ``band-styles*.json``:
bench_band_styles' held-out tunes, among them the three Ryan's Mammoth 2/4 tunes whose
missed pickup spoils the band's style), and, so that a rerun with more tunes stays
disjoint, the first ``FRONT`` tunes of each meter's seed-0 shuffle, which is where those
benchmarks read from. This set reads each meter's shuffle under its own seed.
Per meter: the four collections (``corpus_tunes.COLLECTIONS``); 9/8 from music21's
``miscFolk`` (the Northumbrian Minstrelsy, which the benchmarks never read: the four
collections' 9/8 tunes are all the corpus benchmark's); 12/8, of which the four
collections hold six (all the benchmark's), from this set's own 6/8 pool barred two bars
a bar (as many double jigs and slides are written; a pickup stays a pickup). Only tunes
in one time signature throughout are kept (a restated signature restarts the bar, and the
detector is skipped for a melody whose meter map changes).

Each meter's tunes are split by a seeded shuffle into a fitting part (the detector's
profiles and threshold are chosen on it) and a held-out part (reported once).

**A fresh part** (session 12, ``load(fresh=True)``): session 12's first pickup candidate
was judged on the held-out part and not adopted; its revision was fitted on the fitting
and held-out parts and judged on this part, read once (docs/meters.md). It is the next
tunes of each meter's same shuffle, past every tune of the set above (and under the same
exclusions): ``FRESH_PER_METER`` of them where the collections have them (3/2, 6/4: what
is left; 9/8: none, ``miscFolk``'s are all used).

**A second fresh part** (session 18, ``load(second_fresh=True)``, part "second-fresh"):
the held-out and fresh parts judged session 17's candidate and are read, so the rule
shaped after that reading (the candidate's profiles for long melodies only) is judged
here, read once. The next tunes of each meter's same shuffle past every tune of the three
parts above (``SECOND_FRESH_PER_METER``; 3/2, 6/4 and 9/8 have none left), under the same
exclusions and also, by name, every tune of the corpus benchmark's selection
(``bench_corpus.corpus_selection``, through ``validation_tunes.corpus_benchmark_names``)
and of the meters' validation sets (``docs/benchmarks/meter-validation-set*.json``, which
read the seed-0 shuffle from its back). ``assert_disjoint`` checks it; the names of every
part are recorded in ``docs/benchmarks/pickup-parts.json`` (``python
benchmarks/pickup_tunes.py --record``) before the second fresh part is measured.

**A third fresh part** (session 18b, ``load(third_fresh=True)``, part "third-fresh"): the
second fresh part judged session 18's per-meter candidate and is read, so the candidate
shaped after that reading (its 2/4 and 6/8 entries only) is judged here, read once. The
next 2/4 and 6/8 tunes (``THIRD_FRESH_PER_METER``) of the same shuffles past every tune
of the four parts above, under the second fresh part's exclusions; no other meter, whose
entries that candidate leaves at session 11's.

**A fourth fresh part** (session 19, ``load(fourth_fresh=True)``, part "fourth-fresh"):
every part above is read, and session 19's candidate (a second 2/4 margin for long
melodies, chosen on all of them) is judged here, read once: the next 300 2/4 tunes
(``FOURTH_FRESH_PER_METER``) of the same shuffle past the five parts above, under the
same exclusions; no other meter, whose entries that candidate does not change.

**A fifth fresh part** (session 20, ``load(fifth_fresh=True)``, part "fifth-fresh"): the
fourth part is read too, and session 20's candidate (a 2/4 tune's last note, when short,
does not start a bar; chosen on all six parts) is judged here, read once: the next 300
2/4 tunes (``FIFTH_FRESH_PER_METER``) of the same shuffle past the six parts above,
under the same exclusions.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus_tunes as ct  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = 1616  # this set's shuffle (the benchmarks read seed 0)
FRONT = 80  # tunes of each meter's seed-0 shuffle excluded besides the recorded names
PER_METER = {
    "2/4": 90, "3/4": 90, "4/4": 90, "6/8": 90, "2/2": 60,
    "3/2": 40, "6/4": 40, "3/8": 40, "9/8": 17, "12/8": 40,
}  # fmt: skip
FIT_SHARE = 0.5
CACHE = Path(tempfile.gettempdir()) / "composer-pickup-tunes-v2.json"  # notes with pitch
FRESH_PER_METER = {
    "2/4": 100, "3/4": 100, "4/4": 100, "6/8": 100, "2/2": 100,
    "3/2": 40, "6/4": 40, "3/8": 60, "12/8": 40,
}  # fmt: skip
FRESH_CACHE = Path(tempfile.gettempdir()) / "composer-pickup-tunes-fresh-v1.json"
SECOND_FRESH_PER_METER = {
    "2/4": 100, "3/4": 100, "4/4": 100, "6/8": 100, "2/2": 100, "3/8": 60, "12/8": 40,
}  # fmt: skip
SECOND_FRESH_CACHE = Path(tempfile.gettempdir()) / "composer-pickup-tunes-fresh2-v1.json"
THIRD_FRESH_PER_METER = {"2/4": 200, "6/8": 200}  # the meters session 18b's candidate changes
THIRD_FRESH_CACHE = Path(tempfile.gettempdir()) / "composer-pickup-tunes-fresh3-v1.json"
FOURTH_FRESH_PER_METER = {"2/4": 300}  # the one meter session 19's candidate changes
FOURTH_FRESH_CACHE = Path(tempfile.gettempdir()) / "composer-pickup-tunes-fresh4-v1.json"
FIFTH_FRESH_PER_METER = {"2/4": 300}  # the one meter session 20's candidate changes
FIFTH_FRESH_CACHE = Path(tempfile.gettempdir()) / "composer-pickup-tunes-fresh5-v1.json"
RECORD = ROOT / "docs" / "benchmarks" / "pickup-parts.json"
VALIDATION_SETS = "meter-validation-set*.json"  # docs/benchmarks: benchmarks/validation_tunes.py


# A tune's name as ``corpus_tunes.TuneRef.name`` prints it (a 12/8 row's collection
# carries "@12/8"): how the band-style misnames records (plain text) name their tunes.
PRINTED_NAME = re.compile(rf"\b(?:{'|'.join(ct.COLLECTIONS)})(?:@12/8)?/[A-Za-z0-9_-]+#\d+")
MISNAMES_RECORDS = "band-style-misnames*.txt"  # docs/benchmarks: band_style_misnames.py


def printed_names(text: str) -> set[str]:
    """Every tune name printed in ``text``."""
    return set(PRINTED_NAME.findall(text))


def recorded_names(misnames: bool = True) -> set[str]:
    """Every tune name in the recorded benchmark runs (bench_corpus, bench_band_styles)
    and in the band-style misnames records (``band_style_misnames.py``, whose fresh tunes
    are drawn from this set's 2/4 shuffle past the pickup parts and printed with the
    detector's bars: session 20 found 24 of them in the fifth fresh part). ``misnames``
    False: the JSON records only, as every part recorded before session 21 was drawn
    (so that they rebuild as recorded); a part drawn from now on skips both."""
    names: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, str) and "#" in value and "/" in value:
            names.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for path in (ROOT / "docs" / "benchmarks").glob("*.json"):
        if path.name.startswith(("corpus", "band-styles")):
            collect(json.loads(path.read_text()).get("tunes"))
    for path in (ROOT / "docs" / "benchmarks").glob(MISNAMES_RECORDS) if misnames else ():
        names |= printed_names(path.read_text())
    return names


def excluded_names(refs: list[ct.TuneRef], misnames: bool = True) -> set[str]:
    """The recorded names (``recorded_names(misnames)``) and the front of each meter's
    seed-0 shuffle."""
    names = recorded_names(misnames)
    for meter in {r.meter for r in refs}:
        names |= {r.name for r in ct.choose(refs, meter, None, 0)[:FRONT]}
    return names


def validation_names() -> set[str]:
    """Every tune name in the meters' recorded validation sets (``validation_tunes.py``)."""
    names: set[str] = set()
    for path in (ROOT / "docs" / "benchmarks").glob(VALIDATION_SETS):
        names |= {n for tunes in json.loads(path.read_text())["tunes"].values() for n in tunes}
    return names


def source_name(name: str) -> str:
    """The tune a row was made from (a 12/8 row's 6/8 source: ``rebar_12_8``)."""
    return name.replace("@12/8", "")


def assert_disjoint(rows: list[dict], outside: set[str] = frozenset()) -> None:
    """No melody is in the set twice (a 12/8 row by its 6/8 source, so not in two parts
    either) and none is one of the ``outside`` names (the judging benchmarks' tunes)."""
    names = [source_name(r["name"]) for r in rows]
    if len(names) != len(set(names)):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise AssertionError(f"pickup tunes in the set twice: {twice[:5]}")
    shared = sorted(set(names) & {source_name(n) for n in outside})
    if shared:
        raise AssertionError(f"pickup tunes also in a judging benchmark: {shared[:5]}")


def true_phase(tune: ct.Tune) -> int:
    """Where step 0 lies in its bar, in steps, by the notation."""
    bar = round(tune.bar_quarters * 4)
    return round(tune.padding_quarters * 4) % bar


def grid_notes(tune: ct.Tune, work: Path) -> list[tuple[int, int, int]]:
    """The tune as the detector sees it: written, read back by the product, in steps."""
    from composer_gui.core.midi_file import read_melody

    path = work / "tune.mid"
    ct.write_midi(tune, path)
    melody = read_melody(path)
    return [
        (round(n.start_beat * 4), round(n.end_beat * 4), n.pitch) for n in melody.tracks[0].notes
    ]


def _one_meter(tune: ct.Tune | None, meter: str) -> bool:
    return tune is not None and [f"{n}/{d}" for _, n, d in tune.signatures] == [meter]


def rebar_12_8(tune: ct.Tune) -> ct.Tune:
    """A 6/8 tune barred in 12/8: the first full 6/8 bar starts a 12/8 bar."""
    pickup = tune.padding_quarters + 3.0 if tune.padding_quarters > 0 else 0.0
    ref = dataclasses.replace(tune.ref, meter="12/8", collection=tune.ref.collection + "@12/8")
    return dataclasses.replace(tune, ref=ref, signatures=[(0.0, 12, 8)], padding_quarters=pickup)


def _choose_tunes(per_meter: dict[str, int], pool_of, skipped: set[str]) -> dict:
    """Each meter's first ``per_meter`` tunes in its pool's ``SEED`` shuffle (``pool_of(meter)``),
    in that meter alone and not ``skipped``; the 12/8 tunes are the next 6/8 ones,
    re-barred (``rebar_12_8``)."""
    chosen: dict[str, list[ct.Tune]] = {m: [] for m in per_meter}
    spare_6_8: list[ct.Tune] = []
    twelve = per_meter.get("12/8", 0)  # a part may have none (the third fresh part)
    for meter, count in per_meter.items():
        if meter == "12/8":
            continue
        for ref in ct.choose(pool_of(meter), meter, None, SEED):
            full = len(chosen[meter]) >= count
            if full and (meter != "6/8" or len(spare_6_8) >= twelve):
                break
            if ref.name in skipped:
                continue
            tune = ct.parse_tune(ref)
            if not _one_meter(tune, meter):
                continue
            (spare_6_8 if full else chosen[meter]).append(tune)
    if "12/8" in per_meter:
        chosen["12/8"] = [rebar_12_8(t) for t in spare_6_8[:twelve]]
    return chosen


def _row(tune: ct.Tune, meter: str, part: str, work: Path) -> dict:
    return {
        "name": tune.ref.name,
        "title": tune.title,
        "meter": meter,
        "phase": true_phase(tune),
        "part": part,
        "notes": grid_notes(tune, work),
    }


def build() -> list[dict]:
    """Every tune of the set as ``{name, meter, phase, part, notes}``."""
    refs = ct.index_tunes()
    folk = ct.index_tunes(("miscFolk",))
    chosen = _choose_tunes(
        PER_METER,
        lambda meter: folk if meter == "9/8" else refs,
        excluded_names(refs, misnames=False),
    )
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for meter, tunes in chosen.items():
            order = list(range(len(tunes)))
            random.Random(f"{SEED}:{meter}:split").shuffle(order)
            fit = set(order[: round(len(order) * FIT_SHARE)])
            for i, tune in enumerate(tunes):
                rows.append(_row(tune, meter, "fit" if i in fit else "held-out", Path(work)))
    return rows


def build_fresh(used: list[dict]) -> list[dict]:
    """The fresh part (part "fresh"): each meter's next tunes past the ``used`` set."""
    refs = ct.index_tunes()
    skipped = excluded_names(refs, misnames=False) | {r["name"] for r in used}
    skipped |= {source_name(name) for name in skipped}  # the 12/8 tunes' 6/8 sources
    chosen = _choose_tunes(FRESH_PER_METER, lambda _meter: refs, skipped)
    with tempfile.TemporaryDirectory() as work:
        return [
            _row(tune, meter, "fresh", Path(work))
            for meter, tunes in chosen.items()
            for tune in tunes
        ]


def outside_names(refs: list[ct.TuneRef]) -> set[str]:
    """The judging benchmarks' tunes the second fresh part leaves out besides
    ``excluded_names``: the corpus benchmark's selection and the validation sets."""
    import validation_tunes as vt

    return vt.corpus_benchmark_names(refs) | validation_names()


def build_next_fresh(used: list[dict], per_meter: dict, part: str) -> list[dict]:
    """A fresh part named ``part``: each of ``per_meter``'s meters' next tunes past the
    ``used`` set (every part drawn before it), none a judging benchmark's.

    The second fresh part ("second-fresh", ``SECOND_FRESH_PER_METER``) came after the fit,
    held-out and fresh parts; the third ("third-fresh", ``THIRD_FRESH_PER_METER``) after
    those and the second, and only in the meters session 18b's candidate changes: in the
    others its entries are session 11's, so both detectors read their tunes alike and
    they could not tell the two apart."""
    refs = ct.index_tunes()
    outside = outside_names(refs)
    skipped = excluded_names(refs, misnames=False) | outside | {r["name"] for r in used}
    skipped |= {source_name(name) for name in skipped}
    chosen = _choose_tunes(per_meter, lambda _meter: refs, skipped)
    with tempfile.TemporaryDirectory() as work:
        rows = [
            _row(tune, meter, part, Path(work)) for meter, tunes in chosen.items() for tune in tunes
        ]
    assert_disjoint(used + rows)
    assert_disjoint(rows, outside)
    return rows


def _cached(path: Path, rebuild: bool, make) -> list[dict]:
    if path.exists() and not rebuild:
        return json.loads(path.read_text())
    rows = make()
    path.write_text(json.dumps(rows))
    return rows


def load(
    rebuild: bool = False,
    fresh: bool = False,
    second_fresh: bool = False,
    third_fresh: bool = False,
    fourth_fresh: bool = False,
    fifth_fresh: bool = False,
) -> list[dict]:
    """The set, from the cache when it is there (built once, under a minute); with
    ``fresh`` the fresh part after it (built once, about a minute); with ``second_fresh``
    the fresh part and the second fresh part after them (built once, a few minutes: the
    corpus benchmark's selection is parsed to leave it out); with ``third_fresh`` the
    third fresh part after those (built once, a few minutes); with ``fourth_fresh`` the
    fourth after the third; with ``fifth_fresh`` the fifth after the fourth."""
    fourth_fresh = fourth_fresh or fifth_fresh
    third_fresh = third_fresh or fourth_fresh
    rows = _cached(CACHE, rebuild, build)
    if not (fresh or second_fresh or third_fresh):
        return rows
    rows = rows + _cached(FRESH_CACHE, rebuild, lambda: build_fresh(rows))
    if not (second_fresh or third_fresh):
        return rows
    rows = rows + _cached(
        SECOND_FRESH_CACHE,
        rebuild,
        lambda: build_next_fresh(rows, SECOND_FRESH_PER_METER, "second-fresh"),
    )
    if not third_fresh:
        return rows
    rows = rows + _cached(
        THIRD_FRESH_CACHE,
        rebuild,
        lambda: build_next_fresh(rows, THIRD_FRESH_PER_METER, "third-fresh"),
    )
    if not fourth_fresh:
        return rows
    rows = rows + _cached(
        FOURTH_FRESH_CACHE,
        rebuild,
        lambda: build_next_fresh(rows, FOURTH_FRESH_PER_METER, "fourth-fresh"),
    )
    if not fifth_fresh:
        return rows
    return rows + _cached(
        FIFTH_FRESH_CACHE,
        rebuild,
        lambda: build_next_fresh(rows, FIFTH_FRESH_PER_METER, "fifth-fresh"),
    )


def record(rows: list[dict]) -> dict:
    """The names of every part, per meter, as ``RECORD`` keeps them."""
    parts: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        parts.setdefault(row["part"], {}).setdefault(row["meter"], []).append(row["name"])
    return {
        "command": "python benchmarks/pickup_tunes.py --record",
        "seed": SEED,
        "rule": "each meter's SEED shuffle; fit and held-out split, then fresh, then "
        "second-fresh past them, then third-fresh (2/4 and 6/8 only) past those, then "
        "fourth-fresh (2/4 only) past those, then fifth-fresh (2/4 only) past those; none in "
        "docs/benchmarks' corpus and band-styles runs, nor the first FRONT tunes of the "
        "seed-0 shuffle; second-fresh to fifth-fresh also none of "
        "bench_corpus.corpus_selection nor the meter validation sets",
        "parts": parts,
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached parts")
    parser.add_argument(
        "--record", action="store_true", help=f"write every part's names to {RECORD}"
    )
    args = parser.parse_args()
    rows = load(args.rebuild, fifth_fresh=True)
    assert_disjoint(rows)
    counts = Counter(r["part"] for r in rows)
    print(f"{len(rows)} tunes: {dict(counts)}")
    if args.record:
        RECORD.write_text(json.dumps(record(rows), indent=1) + "\n")
        print(f"wrote {RECORD}")


if __name__ == "__main__":
    main()
