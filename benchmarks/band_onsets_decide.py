"""Does the band model grown an onset channel ship? The rule of ``docs/band-model.md``
("The bass's onset channel (session 13)"), measured for two models in one run.

On one split of the band data (``--split valid`` decides; the test split is read once
afterwards, to judge), the shipped model and the candidate on the same melodies, each
through the engine (``Engine.generate(k=4, seed=0, style=...)``, the first choice):

1. per style, the first choice's bass notes a bar against MMA's real bass on the same
   pieces (``band_audio_real_parts.style_pieces``: ``--pieces`` a style, the sample's
   meter, no pickup, the first 4 bars of 4/4 or 8 of 3/4, as ``band_audio_bass``);
2. per style, the share of bass notes struck on the pitch of the note before with under
   two steps between (``band_audio_bass.repeats``' definition, read here from notes);
3. like for like on ``--melodies`` melodies a style and meter
   (``band_test_reference.test_pieces`` of this split, written and judged by
   ``bench_band_styles.judge_band``): PCS, CTnCTR, bass on a chord tone at downbeats,
   drums in bars, style named right (the classifier trained on the training split), the
   mean paired difference (candidate - shipped) and its standard error.

    python benchmarks/band_onsets_decide.py --candidate runs/band-onsets/composer-band.safetensors \
        --split valid > docs/benchmarks/band-onsets-valid.txt
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_audio_bass as bab  # noqa: E402
import band_audio_real_parts as barp  # noqa: E402
import band_style_classifier as bsc  # noqa: E402
import band_test_reference as btr  # noqa: E402
import bench_band_styles as bbs  # noqa: E402

MEASURES = ("pcs", "ctnctr", "bass_on_chord", "drum_bars", "style_right")
REPEATS_OF_NOTE = 0.10  # a style "has" repeated notes where MMA's share reaches this


def note_repeats(notes) -> tuple[int, int]:
    """``(repeated, notes)`` of a bass's notes (``Note``, beats): struck on the pitch of
    the note before with under two 16th steps between its end and this start."""
    ordered = sorted(notes, key=lambda n: n.start_beat)
    repeated = sum(
        b.pitch == a.pitch and (b.start_beat - a.end_beat) * 4 < 2 - 1e-6
        for a, b in zip(ordered[:-1], ordered[1:], strict=True)
    )
    return int(repeated), len(ordered)


def bass_rows(style, data, engines: dict, count: int) -> dict:
    """Per source (MMA, each model): notes a bar per piece, and repeated/notes pooled."""
    from composer_gui.core.arrangement import Arrangement, Track

    bass = next(i for i, t in enumerate(data.tracks) if t.kind == "bass")
    out = {name: {"notes": [], "repeated": 0, "all": 0} for name in ("mma", *engines)}
    for piece in barp.style_pieces(data, style, count):
        n_bars = 4 if barp.sample_signature(style) == (4, 4) else 8
        n = n_bars * piece.meter.bar_steps
        sounding, onsets = piece.sounding[bass][:n], piece.onsets[bass][:n]
        out["mma"]["notes"].append(onsets.any(axis=1).sum() / n_bars)
        repeated, notes = bab.repeats(sounding, onsets)
        out["mma"]["repeated"] += repeated
        out["mma"]["all"] += notes
        band = barp.real_arrangement(piece, data, style, n)
        melody = Arrangement(
            [Track("melody", band.tracks[0].notes)], band.tempo_bpm, band.time_signature
        )
        for name, engine in engines.items():
            best = engine.generate(melody, k=4, seed=0, style=style.name)[0].arrangement
            out[name]["notes"].append(barp.notes_per_bar(best, n_bars)["bass"])
            line = next(t for t in best.tracks if t.name == "bass").notes
            repeated, notes = note_repeats([x for x in line if x.start_beat < n / 4])
            out[name]["repeated"] += repeated
            out[name]["all"] += notes
    return out


def like_for_like(data, train, engines: dict, count: int, work: Path) -> list[dict]:
    """Per melody: each model's judged first choice (and MMA's real parts)."""
    from models.band_styles import STYLES

    work.mkdir(parents=True, exist_ok=True)
    records = []
    for meter in bbs.METERS:
        signature = tuple(int(v) for v in meter.split("/"))
        fitted = bsc.training_bars(train, signature)
        classifier = None if fitted is None else bsc.StyleClassifier(fitted[2]).fit(*fitted[:2])
        for style in STYLES:
            if signature not in style.grooves:
                continue
            style_index = list(data.styles).index(style.name)
            playing = ("drums", *(t for t, names in style.sources.items() if names))
            for i in btr.test_pieces(data, style_index, signature, count):
                piece = btr.from_first_bar(data.piece(i))
                tune = btr.piece_tune(piece, piece.name)
                record = {"style": style.name, "meter": meter}
                for name, engine in engines.items():
                    out = bbs.run_engine(engine, tune, work, style.name, name)
                    if isinstance(out, str):
                        record[name] = None
                        continue
                    judged = bbs.judge_band(tune, out, playing, classifier)
                    judged["style_right"] = float(judged.get("named") == style.name)
                    record[name] = judged
                records.append(record)
    return records


def paired(records: list[dict], key: str, a: str, b: str) -> tuple[float, float, float, int]:
    """``(mean a, mean b, mean of b - a, its standard error, n)`` over melodies both have."""
    pairs = [
        (r[a][key], r[b][key])
        for r in records
        if r.get(a)
        and r.get(b)
        and not any(isinstance(v, float) and math.isnan(v) for v in (r[a][key], r[b][key]))
    ]
    x = np.array(pairs, dtype=float).reshape(-1, 2)
    d = x[:, 1] - x[:, 0]
    se = float(d.std(ddof=1) / math.sqrt(len(d))) if len(d) > 1 else math.nan
    return float(x[:, 0].mean()), float(x[:, 1].mean()), float(d.mean()), se, len(d)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", type=Path, required=True)
    parser.add_argument("--shipped", type=Path, default=None)
    parser.add_argument("--split", default="valid", choices=("valid", "test"))
    parser.add_argument("--data", type=Path, default=barp.DATA)
    parser.add_argument("--pieces", type=int, default=24, help="bass pieces a style")
    parser.add_argument("--melodies", type=int, default=6, help="melodies a style and meter")
    parser.add_argument("--work", type=Path, default=Path("/tmp/band_onsets_decide"))
    args = parser.parse_args()
    from composer_gui.core.engine import Engine
    from composer_gui.paths import resource_path
    from models.band_pieces import load_band_split
    from models.band_styles import STYLES

    started = time.perf_counter()
    shipped = args.shipped or resource_path("weights", "composer-band.safetensors")
    engines = {"shipped": Engine(Path(shipped), "cpu"), "candidate": Engine(args.candidate, "cpu")}
    data = load_band_split(args.data, args.split)
    print(f"split {args.split}; shipped {shipped}; candidate {args.candidate}")
    print("\nbass notes a bar (mean over pieces) and repeated notes (pooled share)")
    print(f"{'style':<11} {'pieces':>6} {'MMA':>6} {'shipped':>8} {'cand.':>6}   repeats: "
          f"{'MMA':>5} {'shipped':>7} {'cand.':>6}")  # fmt: skip
    gaps = {"shipped": [], "candidate": []}
    verdict = []
    for style in STYLES:
        rows = bass_rows(style, data, engines, args.pieces)
        notes = {k: float(np.mean(v["notes"])) for k, v in rows.items()}
        share = {k: v["repeated"] / max(v["all"], 1) for k, v in rows.items()}
        for name in gaps:
            gaps[name].append(abs(notes[name] - notes["mma"]))
        print(f"{style.name:<11} {len(rows['mma']['notes']):>6} {notes['mma']:>6.2f} "
              f"{notes['shipped']:>8.2f} {notes['candidate']:>6.2f}   repeats: "
              f"{share['mma']:>5.0%} {share['shipped']:>7.0%} {share['candidate']:>6.0%}",
              flush=True)  # fmt: skip
        if gaps["candidate"][-1] > gaps["shipped"][-1] + 0.25:
            verdict.append(f"1 fails: {style.name}'s notes a bar moved farther from MMA's")
        if share["mma"] >= REPEATS_OF_NOTE:
            closer = abs(share["candidate"] - share["mma"]) < abs(share["shipped"] - share["mma"])
            verdict.append(f"2 {'holds' if closer else 'fails'}: {style.name}'s repeats")
    mean_gap = {k: float(np.mean(v)) for k, v in gaps.items()}
    holds = mean_gap["candidate"] < mean_gap["shipped"]
    print(f"mean |model - MMA| notes a bar: shipped {mean_gap['shipped']:.2f}, candidate "
          f"{mean_gap['candidate']:.2f}")  # fmt: skip
    verdict.append(f"1 {'holds' if holds else 'fails'}: the mean gap to MMA's notes a bar")
    print(f"\nlike for like: {args.melodies} melodies a style and meter of the {args.split} split")
    train = load_band_split(args.data, "train")
    records = like_for_like(data, train, engines, args.melodies, args.work)
    print(f"{'measure':<14} {'shipped':>8} {'cand.':>8} {'diff':>8} {'2 SE':>7} {'n':>4}")
    for key in MEASURES:
        a, b, d, se, n = paired(records, key, "shipped", "candidate")
        print(f"{key:<14} {a:>8.3f} {b:>8.3f} {d:>+8.3f} {2 * se:>7.3f} {n:>4}")
        ok = not d < -2 * se
        verdict.append(f"3 {'holds' if ok else 'fails'}: {key} ({d:+.3f}, 2 SE {2 * se:.3f})")
    print(verdict_text(verdict))
    print(f"{time.perf_counter() - started:.0f} s")


def verdict_text(verdict: list[str]) -> str:
    """The verdict lines (numbered as session 13's rule) and both rules' outcomes, each
    named: session 13's onset rule (every line) and the rule later decisions apply,
    session 15's rule 3 (``band_fill_decide.onsets_rule``, the one definition: the
    like-for-like lines and the per-style "moved farther" lines). It printed session
    13's "ships" alone, which session 18's record had to explain away."""
    import band_fill_decide as bfd

    lines = [f"- {v}" for v in verdict]
    session_13 = not any(" fails" in v for v in verdict)
    rule_3, _kept = bfd.onsets_rule("\n".join(lines))
    return "\n".join(
        [
            "",
            "verdict (the lines numbered as session 13's rule, docs/band-model.md):",
            *lines,
            f"ships by session 13's onset rule (every line): {'yes' if session_13 else 'no'}",
            "ships by session 15's rule 3 (band_fill_decide.onsets_rule: like for like and "
            f"no style's bass notes a bar moved farther): {'yes' if rule_3 else 'no'}",
        ]
    )


if __name__ == "__main__":
    main()
