"""Which of a style's folk tunes the style classifier misnames, and why (issue 17: swing
and rock in 2/4 named right 75%, target 80%).

For one style and meter, on the tunes ``bench_band_styles`` judges (same seeded choice),
this prints per tune: the tune's notated bar phase (its pickup) beside the one the engine
found (``core.melody_grid.melody_on_grid``), the style it is named, and each bar's name;
then the mean rhythm, per step of the bar, of the style's and of bossa nova's training
bars (odd and even bars apart: a 2/4 bar cut from a 4-beat groove) and of the model's bars
named right and named wrong. The features are ``band_style_classifier``'s (kit groups
struck, notes started, per step); a digit is the share of bars, 0-9.

    python benchmarks/band_style_misnames.py --style swing --meter 2/4 \
        --band-data /work/data/band-mma-v2

``--tunes-from valid`` reads the meters' validation set instead (``validation_tunes.py``,
disjoint from ``bench_band_styles``' tunes, checked): where a cause is confirmed or a
choice made. ``--tunes-from fresh`` reads those tunes and, after them, ``--fresh`` more tunes with a
pickup and as many without (session 19): the next of the meter's tunes in the pickup
set's shuffle (``pickup_tunes.SEED``) past every recorded pickup part, none a judging
benchmark's (``fresh_tunes``), so a bigger sample than 12 judges the naming.
``--pickup-as-rests`` writes each tune with rests before its pickup, so that the file's
barlines are the notation's (what a musician's DAW export of a pickup looks like): does the
style come out right when the engine's bars can be the notated ones?
``--pickup-as-short-bar`` writes the pickup as its own short time signature (1/8, then
2/4), as MuseScore's MIDI export writes an irregular first measure (its time signature
map holds each measure's actual length) and as ``accompany`` writes a pickup the musician
gave; music21's own MIDI export and this benchmark's default write it at tick 0 under the
full bar's signature, which leaves the engine to find it from the notes.
``--from-abc`` gives the engine each tune as the musician would bring it from the tune
book: its own ABC text (its ``X:`` block) in a file, read by ``core.score_file`` (the
pickup as written, a short first bar), accompanied as ``accompany`` would.

Judges nothing and shapes nothing: it reads what ``bench_band_styles`` would.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_style_classifier as bsc  # noqa: E402
import bench_band_styles as bbs  # noqa: E402
import corpus_tunes as ct  # noqa: E402


def feature_rows(bar_steps: int) -> list[tuple[str, slice]]:
    """Named slices of ``bar_features``' columns: each kit group per step, each pitched
    track's onsets per step."""
    groups = len(bsc.GROUPS)
    rows = [(f"drums {g}", slice(i, bar_steps * groups, groups)) for i, g in enumerate(bsc.GROUPS)]
    start = bar_steps * groups
    for name in bsc.PITCHED:
        rows.append((f"{name} on", slice(start, start + bar_steps)))
        start += bar_steps + 1
    return rows


def show(title: str, bars: list[np.ndarray], bar_steps: int) -> None:
    print(f"  {title} ({len(bars)} bars)")
    if not bars:
        return
    mean = np.asarray(bars).mean(axis=0)
    for name, columns in feature_rows(bar_steps):
        digits = "".join(str(min(9, round(v * 9))) for v in mean[columns])
        if set(digits) != {"0"}:
            print(f"    {name:18s} {digits}")


def notated_phase(tune: ct.Tune) -> int:
    """Where in its bar the tune's first step falls, by its notation (the pickup)."""
    bar = round(tune.bar_quarters * 4)
    return round(tune.padding_quarters * 4) % bar


def chosen_tunes(source: str, meter: str, count: int, fresh: int = 0) -> list[ct.Tune]:
    """``bench_band_styles``' tunes of ``meter`` (they judge), or the meters' validation
    set's (``validation_tunes``), kept by the same rules (one meter throughout, at most
    ``bench_band_styles.MAX_BARS`` bars) and checked disjoint from the judged ones."""
    judged = bbs.choose_tunes(ct.index_tunes(), meter, count, 0)
    if source == "judged":
        return judged
    if source == "fresh":
        return judged + fresh_tunes(meter, fresh, judged)
    import validation_tunes as vt

    names = {t.ref.name for t in judged}
    tunes = [
        t
        for t in vt.read_set(vt_set_file())[meter]
        if t.meters == {meter}
        and len(t.signatures) == 1
        and t.notes[-1][1] / t.bar_quarters <= bbs.MAX_BARS
    ][:count]
    shared = sorted(names & {t.ref.name for t in tunes})
    if shared:
        raise AssertionError(f"validation tunes also judged by bench_band_styles: {shared}")
    return tunes


def fresh_tunes(meter: str, each: int, judged: list[ct.Tune]) -> list[ct.Tune]:
    """The first ``each`` tunes with a pickup and ``each`` without, at most
    ``bench_band_styles.MAX_BARS`` bars, in one meter throughout, of the meter's
    ``pickup_tunes.SEED`` shuffle past every pickup part recorded in
    ``docs/benchmarks/pickup-parts.json`` and none of ``pickup_tunes``' exclusions (the
    recorded benchmark runs, the front of the seed-0 shuffle, the corpus benchmark's
    selection, the meter validation sets) nor the ``judged`` tunes."""
    import json

    import pickup_tunes as pt

    refs = ct.index_tunes()
    recorded = json.loads(pt.RECORD.read_text())["parts"]
    used = {n for meters in recorded.values() for names in meters.values() for n in names}
    skipped = pt.excluded_names(refs) | pt.outside_names(refs) | used
    skipped |= {pt.source_name(n) for n in skipped} | {t.ref.name for t in judged}
    chosen: dict[bool, list[ct.Tune]] = {True: [], False: []}
    for ref in ct.choose(refs, meter, None, pt.SEED):
        if min(map(len, chosen.values())) >= each:
            break
        if ref.name in skipped:
            continue
        tune = ct.parse_tune(ref)
        if tune is None or [f"{n}/{d}" for _, n, d in tune.signatures] != [meter]:
            continue
        if tune.notes[-1][1] / tune.bar_quarters > bbs.MAX_BARS:
            continue
        group = chosen[notated_phase(tune) != 0]
        if len(group) < each:
            group.append(tune)
    return chosen[True] + chosen[False]


def with_short_first_bar(tune: ct.Tune) -> ct.Tune:
    """The tune with its pickup written as its own short bar: a time signature of the
    pickup's length at tick 0 (in eighths, or sixteenths where it needs them), then the
    tune's own where its first full bar starts; for writing only (its ``bar_quarters``
    is then the pickup's: the judge reads the tune as notated)."""
    from fractions import Fraction

    pickup = Fraction(tune.bar_quarters - tune.padding_quarters).limit_denominator(16)
    denominator = 8 if (pickup * 2).denominator == 1 else 16
    numerator = int(pickup * denominator / 4)
    _, bar_numerator, bar_denominator = tune.signatures[0]
    signatures = [(0.0, numerator, denominator), (float(pickup), bar_numerator, bar_denominator)]
    return dataclasses.replace(tune, signatures=signatures)


def abc_of(tune: ct.Tune, path: Path) -> Path:
    """The tune's own ABC text (its ``X:`` block of the collection's file) in ``path``."""
    text = Path(tune.ref.path).read_text(encoding="latin-1")
    for block in re.split(r"\n(?=X:)", "\n" + text):
        number = re.match(r"X:\s*(\d+)", block.strip())
        if number and int(number.group(1)) == tune.ref.number:  # "X:0010" is tune 10
            path.write_text(block.strip() + "\n", encoding="utf-8")
            return path
    raise AssertionError(f"no X:{tune.ref.number} in {tune.ref.path}")


def run_engine_on_abc(engine, tune: ct.Tune, work: Path, style: str) -> tuple[Path, Path]:
    """``bench_band_styles.run_engine`` with the tune read from its ABC by the product."""
    from composer_gui.core.midi_file import melody_of, read_arrangement
    from composer_gui.core.midi_writer import write_arrangement

    stem = re.sub(r"[^A-Za-z0-9]+", "_", tune.ref.name)
    source = abc_of(tune, work / f"{stem}.abc")
    melody = melody_of(read_arrangement(source), None, source.name)
    candidates = engine.generate(melody, k=4, seed=0, style=style)
    output = work / f"{stem}-judged.mid"
    write_arrangement(candidates[0].arrangement, output)
    return output, source


def vt_set_file() -> Path:
    return bbs.ROOT / "docs" / "benchmarks" / "meter-validation-set.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", default="swing")
    parser.add_argument("--meter", default="2/4")
    parser.add_argument("--band-data", type=Path, default=Path("/work/data/band-mma-v2"))
    parser.add_argument("--band-model", type=Path, default=None)
    parser.add_argument("--tunes", type=int, default=12)
    parser.add_argument("--fresh", type=int, default=12, help="with --tunes-from fresh")
    parser.add_argument("--pickup-as-rests", action="store_true")
    parser.add_argument("--pickup-as-short-bar", action="store_true")
    parser.add_argument("--from-abc", action="store_true", help="read each tune from its ABC")
    parser.add_argument(
        "--tunes-from",
        default="judged",
        choices=["judged", "valid", "fresh"],
        help="judged: bench_band_styles' own tunes (held out: they judge); valid: the "
        "meters' validation set (validation_tunes.py, disjoint from them: they may shape); "
        "fresh: the judged tunes and --fresh more with a pickup and as many without",
    )
    args = parser.parse_args()
    from composer_gui.core.engine import Engine
    from composer_gui.core.melody_grid import melody_on_grid
    from composer_gui.core.midi_file import melody_of, read_arrangement
    from composer_gui.paths import resource_path
    from models.band_pieces import load_band_split

    signature = tuple(int(v) for v in args.meter.split("/"))
    train = load_band_split(args.band_data, "train")
    x, y, classes = bsc.training_bars(train, signature)
    judge = bsc.StyleClassifier(classes).fit(x, y)
    for style in dict.fromkeys([args.style, "bossa nova"]):
        if style not in classes:
            continue
        for parity in (0, 1):
            bars = []
            for piece in train.pieces():
                if piece.meter.signature != signature or train.styles[int(piece.style)] != style:
                    continue
                steps = piece.meter.bar_steps
                events = bsc.events_from_rolls(piece, train.tracks)
                bars += list(bsc.bar_features(events, steps, (-int(piece.bar_phase)) % steps))[
                    parity::2
                ]
            right = np.mean([n == style for n in judge.name_bars(np.asarray(bars))])
            which = "odd" if parity == 0 else "even"
            show(f"data: {style}, {which} bars, named right {right:.0%}", bars, steps)

    model = args.band_model or resource_path("weights", "composer-band.safetensors")
    engine = Engine(Path(model), "cpu")
    tunes = chosen_tunes(args.tunes_from, args.meter, args.tunes, args.fresh)
    named_right, named_wrong = [], []
    tally = {"agree": [0, 0], "DISAGREE": [0, 0]}  # [named right, tunes]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for tune in tunes:
            if args.pickup_as_rests and tune.padding_quarters:
                shift = tune.padding_quarters
                notes = [(a + shift, b + shift, p) for a, b, p in tune.notes]
                tune = dataclasses.replace(tune, notes=notes, padding_quarters=0.0)
            written = tune  # the file the engine reads; the judge reads ``tune``'s bars
            if args.pickup_as_short_bar and tune.padding_quarters:
                written = with_short_first_bar(tune)
            if args.from_abc:
                out, source = run_engine_on_abc(engine, tune, work, args.style)
            else:
                out = bbs.run_engine(engine, written, work, args.style, "judged")
                source = out.with_name(out.name.replace("-judged.mid", ".mid"))
            grid = melody_on_grid(melody_of(read_arrangement(source), None, source.name))
            record = bbs.judge_band(tune, out, (), judge)
            names = record.get("bars_named", [])
            back = ct.read_midi(out)
            pitched = {
                k: [(round(a * 4), round(b * 4), p) for a, b, p in v] for k, v in back.tracks[1:]
            }
            drums = [(round(q * 4), r) for q, r in bbs.read_drums(out)]
            bars = bbs.bar_starts_quarters(tune, tune.notes[-1][1])
            steps = round(tune.bar_quarters * 4)
            n_steps = round((bars[-1] + tune.bar_quarters) * 4)
            events = bsc.events_from_notes(drums, pitched, n_steps)
            for name, row in zip(names, bsc.bar_features(events, steps, round(bars[0] * 4))):
                (named_right if name == args.style else named_wrong).append(row)
            phase, found = notated_phase(tune), grid.bar_phase
            cell = tally["agree" if phase == found else "DISAGREE"]
            cell[0] += record.get("named") == args.style
            cell[1] += 1
            print(
                f"{tune.ref.name:34s} phase notated {phase:2d}, engine's {found:2d} "
                f"{'(agree)   ' if phase == found else '(DISAGREE)'} named {record.get('named')}, "
                f"bars: {' '.join(n[:2] for n in names[:20])}"
            )
    right = sum(c[0] for c in tally.values())
    print(
        f"named {args.style}: {right} of {len(tunes)} tunes; where the engine's bars are "
        f"the notated ones {tally['agree'][0]} of {tally['agree'][1]}, where they are not "
        f"{tally['DISAGREE'][0]} of {tally['DISAGREE'][1]}"
    )
    print(f"the model's bars in {args.style} {args.meter}:")
    show("named right", named_right, steps)
    show("named wrong", named_wrong, steps)


if __name__ == "__main__":
    main()
