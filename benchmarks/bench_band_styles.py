"""Issue 17's "Must show" for the shipped band model: each style on held-out folk tunes.

Recorded command (about 5 minutes on a loaded 2-core machine):

    python benchmarks/bench_band_styles.py --tunes 12 > docs/benchmarks/band-styles.txt

Tunes: a seeded choice (``benchmarks/corpus_tunes.py``) of ``--tunes`` music21 folk tunes
per meter (2/4, 3/4, 4/4, 6/8), each in one meter throughout and at most 32 bars (so
none is refused as long).  None of them is in the band data (Bach chorales rendered by
MMA).  Each style is run on the meters it plays (``models.band_styles``: the waltz in
3/4, country in 3/4 too, the others in 4/4 and 2/4, the pop ballad also in 6/8), the
chorale model on every tune, in the same run.  Each accompaniment is written through the
engine (``Engine.generate(k=4, seed=0, style=...)``, what ``accompany --style`` does) to
a .mid and judged from that file, read back:

- melody kept note for note (the file's first track against the tune);
- PCS and CTnCTR (``models.harmony_measures``, Yeh et al. 2021) of the pitched
  accompaniment (bass, chords, pad; the chorale's alto, tenor, bass) with the melody,
  and their ratio to the chorale model's on the same tunes (target: 0.9 or more);
- bass on a chord tone at downbeats: the bass's pitch class among those the chords and
  pad sound at the bar start, where both sound (``band_ranking_measures.
  bass_on_chord_share``, the judges' one definition; target 85%);
- drums in bars (a drum struck in the bar; target 95%) and empty bars of every track the
  style plays (issue 17's target: none; judged here against the style's real parts in
  that meter, which rest where the groove does: MMA's swing pad one 2/4 bar in four),
  the tune's last, partial bar apart; bars come from the tune's true meter and pickup;
- beside them, the band data's own PCS and CTnCTR (its test split: the chorales' soprano
  over MMA's real parts, ``band_data_reference``) and Bach's own (the chorale test split),
  to tell what a band texture scores from what the model does;
- style named right by ``band_style_classifier`` (trained here on the band dataset's
  training split, checked on its validation split; target 80%);
- like for like (``band_test_reference``): the model and MMA's real parts on the same
  held-out chorale melodies in each style and meter, on the same measures.

These figures only judge: nothing here tunes or selects the model.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path

import mido
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_data_reference as bdr  # noqa: E402
import band_ranking_measures as brm  # noqa: E402
import band_style_classifier as bsc  # noqa: E402
import band_styles_report as report  # noqa: E402
import band_test_reference as btr  # noqa: E402
import bench_corpus as bc  # noqa: E402
import corpus_tunes as ct  # noqa: E402

from models.band_styles import STYLES  # noqa: E402
from models.tracks import kit_row  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
METERS = ("4/4", "2/4", "3/4", "6/8")
MAX_BARS = 32
TARGETS = {"ratio": 0.9, "bass_on_chord": 0.85, "drum_bars": 0.95, "style_right": 0.8}


def choose_tunes(refs, meter: str, count: int, seed: int) -> list[ct.Tune]:
    """Tunes in one meter throughout, at most MAX_BARS long, the corpus's seeded order."""
    chosen = []
    for ref in ct.choose(refs, meter, None, seed):
        if len(chosen) == count:
            break
        tune = ct.parse_tune(ref)
        if tune is None or tune.meters != {meter} or len(tune.signatures) != 1:
            continue
        if tune.notes[-1][1] / tune.bar_quarters > MAX_BARS:
            continue
        chosen.append(tune)
    return chosen


def bar_starts_quarters(tune: ct.Tune, end: float) -> np.ndarray:
    """The tune's true bar starts (a pickup is not a bar), up to ``end``."""
    length = tune.bar_quarters
    first = (length - tune.padding_quarters) % length
    return np.arange(first, end, length)


def read_drums(path: Path) -> list[float]:
    """Drum hits (channel 10) of a MIDI file, in quarters: ``(quarter, kit_row)``."""
    midi = mido.MidiFile(path)
    hits = []
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0 and message.channel == 9:
                hits.append((tick / midi.ticks_per_beat, kit_row(message.note)))
    return sorted(hits, key=lambda h: h[0])


def bass_on_chord(tune: ct.Tune, pitched: dict[str, list], bars: np.ndarray) -> float:
    """Share of downbeats where the bass's pitch class is one the chords or pad sound
    (``band_ranking_measures.bass_on_chord_share``, of the notes sounding at each bar
    start ``bars``, in quarters)."""

    def classes(notes) -> np.ndarray:  # (downbeat, 12)
        out = np.zeros((len(bars), 12), dtype=bool)
        for i, start in enumerate(bars):
            for a, b, p in notes:
                if a <= start + 1e-6 < b:
                    out[i, p % 12] = True
        return out

    upper = classes(pitched.get("chords", [])) | classes(pitched.get("pad", []))
    return brm.bass_on_chord_share(classes(pitched.get("bass", [])), upper)


def judge_band(tune: ct.Tune, output: Path, playing: tuple[str, ...], classifier) -> dict:
    """The band figures of one written accompaniment (``bench_corpus`` judges harmony)."""
    record = bc.judge_output(tune, output)
    back = ct.read_midi(output)
    pitched = dict(back.tracks[1:])
    drums = read_drums(output)
    end = tune.notes[-1][1]
    bars = bar_starts_quarters(tune, end)
    edges = np.append(bars, bars[-1] + tune.bar_quarters) if bars.size else bars
    drum_bars = np.histogram([q for q, _ in drums], edges)[0] > 0 if bars.size else []
    record["drum_bars"] = float(np.mean(drum_bars)) if bars.size else math.nan
    record["bass_on_chord"] = bass_on_chord(tune, pitched, bars)
    empty, empty_at = {}, set()
    for name in playing:
        if not bars.size:
            continue
        if name == "drums":
            sounding = np.asarray(drum_bars, dtype=bool)
        else:
            sounding = np.zeros(len(bars), dtype=bool)
            for a, b, _ in pitched.get(name, []):
                sounding |= (edges[:-1] < b) & (edges[1:] > a)
        empty[name] = ~sounding
        empty_at |= set(np.flatnonzero(~sounding).tolist())
    record["empty_by_track"] = {t: float(np.mean(v)) for t, v in empty.items()}
    # Empty bars that are only the tune's last, partial bar (the melody ends inside it and
    # the accompaniment may stop before), told apart from empty bars inside the tune.
    last_short = bars.size and end - bars[-1] < tune.bar_quarters - 1e-6
    record["empty_last_bar_only"] = bool(last_short) and empty_at == {len(bars) - 1}
    inner = slice(0, len(bars) - 1 if last_short else len(bars))
    record["empty_inner"] = {t: float(np.mean(v[inner])) for t, v in empty.items() if v[inner].size}
    # The classifier reads 16th steps from the first true bar on.
    n_steps = round((edges[-1] if bars.size else end) * 4)
    steps = {k: [(round(a * 4), round(b * 4), p) for a, b, p in v] for k, v in pitched.items()}
    events = bsc.events_from_notes([(round(q * 4), r) for q, r in drums], steps, n_steps)
    if classifier is not None and bars.size:
        x = bsc.bar_features(events, round(tune.bar_quarters * 4), round(bars[0] * 4))
        record["named"] = classifier.name_piece(x)
        bar_names = classifier.name_bars(x)
        record["bars_named"] = bar_names
    return record


def run_engine(engine, tune: ct.Tune, work: Path, style: str | None, tag: str) -> Path | str:
    """One accompaniment written as the CLI writes it; the file, or the refusal's text."""
    from composer_gui.core.errors import ComposerError
    from composer_gui.core.midi_file import melody_of, read_arrangement
    from composer_gui.core.midi_writer import write_arrangement

    stem = re.sub(r"[^A-Za-z0-9]+", "_", tune.ref.name)
    source, output = work / f"{stem}.mid", work / f"{stem}-{tag}.mid"
    ct.write_midi(tune, source)
    try:
        melody = melody_of(read_arrangement(source), None, source.name)
        candidates = engine.generate(melody, k=4, seed=0, style=style)
    except ComposerError as error:
        return str(error)
    write_arrangement(candidates[0].arrangement, output)
    return output


def mean(records: list[dict], key: str) -> float:
    values = [r[key] for r in records if isinstance(r.get(key), float) and not math.isnan(r[key])]
    values += [float(r[key]) for r in records if isinstance(r.get(key), bool)]
    return float(np.mean(values)) if values else math.nan


def summarise(style: str, meter: str, records: list[dict], refusals: list[str], ref: dict):
    row = {"style": style, "meter": meter, "tunes": len(records) + len(refusals)}
    row["refused"] = refusals
    for key in ("melody_kept", "pcs", "ctnctr", "bass_on_chord", "drum_bars"):
        row[key] = mean(records, key)
    for key in ("pcs", "ctnctr"):
        row[f"{key}_ratio"] = row[key] / ref[key] if ref and ref.get(key) else math.nan
    tracks = sorted({t for r in records for t in r.get("empty_by_track", {})})
    row["empty_bars"] = {t: mean([r["empty_by_track"] for r in records], t) for t in tracks}
    row["empty_inner_bars"] = {t: mean([r["empty_inner"] for r in records], t) for t in tracks}
    row["tunes_with_empty_bars"] = sum(
        any(v > 0 for v in r.get("empty_by_track", {}).values()) for r in records
    )
    row["tunes_with_empty_inner_bars"] = sum(
        any(v > 0 for v in r.get("empty_by_track", {}).values())
        and not r.get("empty_last_bar_only")
        for r in records
    )
    named = [r["named"] for r in records if r.get("named")]
    row["style_right"] = float(np.mean([n == style for n in named])) if named else math.nan
    bars = [n for r in records for n in r.get("bars_named", [])]
    row["bars_right"] = float(np.mean([n == style for n in bars])) if bars else math.nan
    row["named_as"] = {n: named.count(n) for n in sorted(set(named))}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tunes", type=int, default=12, help="tunes per meter")
    parser.add_argument("--seed", type=int, default=0, help="which tunes are chosen")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_band_styles"))
    parser.add_argument("--band-data", type=Path, default=None, help="a built band dataset")
    parser.add_argument("--band-model", type=Path, default=None)
    parser.add_argument("--reference-pieces", type=int, default=6, help="test melodies a row")
    parser.add_argument("--md", type=Path, default=ROOT / "docs" / "benchmarks" / "band-styles.md")
    args = parser.parse_args()
    from composer_gui.core.engine import Engine
    from composer_gui.paths import resource_path
    from models.band_pieces import load_band_split

    started = time.perf_counter()
    args.work.mkdir(parents=True, exist_ok=True)
    data_dir = args.band_data
    if data_dir is None:
        from models.build_dataset import default_cache_dir

        data_dir = default_cache_dir() / "band-mma"
        if not data_dir.is_dir():
            data_dir = Path("/work/data/band-mma")
    train = load_band_split(data_dir, "train")
    valid = load_band_split(data_dir, "valid")
    signatures = [tuple(int(v) for v in m.split("/")) for m in METERS]
    real = {
        (r["style"], r["meter"]): r
        for r in bdr.band_data_rows(load_band_split(data_dir, "test"), signatures)
    }
    try:
        from models.build_dataset import default_cache_dir

        bach = bc.bach_row(default_cache_dir() / "bach-chorales")
    except Exception as error:  # no chorale dataset built: the table stands without it
        bach = {"pcs": math.nan, "ctnctr": math.nan, "tunes": 0, "error": str(error)}
    classifiers, checks = {}, {}
    for meter in METERS:
        signature = tuple(int(v) for v in meter.split("/"))
        fitted = bsc.training_bars(train, signature)
        if fitted is None:
            checks[meter] = "no training data in this meter: not classified"
            continue
        x, y, classes = fitted
        classifiers[meter] = bsc.StyleClassifier(classes).fit(x, y)
        accuracy, n = bsc.piece_accuracy(classifiers[meter], valid, signature)
        checks[meter] = (
            f"{len(x)} training bars, {classes}; validation pieces {accuracy:.0%} of {n}"
        )
        print(f"classifier {meter}: {checks[meter]}")

    band_path = args.band_model or resource_path("weights", "composer-band.safetensors")
    band, chorale = Engine(Path(band_path), "cpu"), Engine(None, "cpu")
    refs = ct.index_tunes()
    rows, tunes_used = [], {}
    for meter in METERS:
        tunes = choose_tunes(refs, meter, args.tunes, args.seed)
        tunes_used[meter] = [t.ref.name for t in tunes]
        print(f"{meter}: {len(tunes)} tunes")
        judged, refused = [], []
        for tune in tunes:
            out = run_engine(chorale, tune, args.work, None, "chorale")
            if isinstance(out, str):
                refused.append(out)
            else:
                judged.append(bc.judge_output(tune, out))
        ref = summarise("chorale model", meter, judged, refused, {})
        rows.append(ref)
        for style in STYLES:
            if meter not in {str(m) for m in style.meters}:
                continue
            playing = ("drums", *(t for t, names in style.sources.items() if names))
            judged, refused = [], []
            for tune in tunes:
                out = run_engine(band, tune, args.work, style.name, style.name.replace(" ", "_"))
                if isinstance(out, str):
                    refused.append(out)
                else:
                    judged.append(judge_band(tune, out, playing, classifiers.get(meter)))
            row = summarise(style.name, meter, judged, refused, ref)
            data_row = real.get((style.name, meter), {})
            row["data_pcs"] = data_row.get("pcs", math.nan)
            row["data_ctnctr"] = data_row.get("ctnctr", math.nan)
            row["data_empty_bars"] = data_row.get("empty_bars", {})
            rows.append(row)
            print(f"  {style.name}: {len(judged)} judged, {len(refused)} refused")

    print("like for like: the band data's test melodies")
    test = load_band_split(data_dir, "test")
    like = btr.reference_rows(
        sys.modules[__name__], band, test, STYLES, METERS, args.reference_pieces,
        classifiers, args.work / "reference",
    )  # fmt: skip
    lines = report.table(rows)
    seconds = time.perf_counter() - started
    text = [
        '# Band styles on held-out folk tunes (issue 17, "Must show")',
        "",
        f"`{' '.join(['python', *sys.argv])}`, {seconds:.0f} s. Written by "
        "`benchmarks/bench_band_styles.py`; the method is its docstring. The band model is "
        f"`{Path(band_path).name}`; each band row's ratio is to the chorale model's row above "
        "it (same tunes, same run). The band data's PCS / CTnCTR are its test split's real "
        "parts; Bach's own alto, tenor and bass over the chorale test split "
        f"({bach['tunes']} chorales) score PCS {report.fmt(bach['pcs'])}, CTnCTR "
        f"{report.fmt(bach['ctnctr'])}.",
        "",
        *lines,
        "",
        "Like for like (the fair yardstick, `benchmarks/band_test_reference.py`): the band "
        f"model and MMA's real parts on the same melodies, the band data's test split (Bach's "
        f"sopranos, first {args.reference_pieces} by name a style and meter), judged by the "
        "same code; each model row's ratio is to the real parts' row above it.",
        "",
        *report.table(like),
        "",
        *btr.reference_verdicts(like, TARGETS),
        "",
        "Style classifier (trained on the band dataset's training split, per meter):",
        "",
        *(f"- {m}: {c}" for m, c in checks.items()),
        "",
        "Targets:",
        "",
        *report.verdicts(rows, TARGETS),
        "",
    ]
    refusals = sorted({m for r in rows for m in r["refused"]})
    if refusals:
        text += ["Refusals:", "", *(f"- {m}" for m in refusals), ""]
    print("\n".join(text))
    args.md.parent.mkdir(parents=True, exist_ok=True)
    args.md.write_text("\n".join(text))
    result = {"command": " ".join(sys.argv), "seconds": round(seconds), "seed": args.seed}
    result |= {"classifier": checks, "tunes": tunes_used, "rows": rows, "like_for_like": like}
    result |= {"band_data": list(real.values()), "bach": {k: bach[k] for k in ("pcs", "ctnctr")}}
    args.md.with_suffix(".json").write_text(json.dumps(bc._no_nan(result), indent=1) + "\n")


if __name__ == "__main__":
    main()
