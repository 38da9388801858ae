"""The 6/4 row's harmonic rhythm on the meter validation set (issue 16, session 23).

Each validation tune of one meter (default 6/4) through ``composer-gui accompany`` as
``bench_meter_validation`` runs it (``bench_corpus.run_tune``: 4 candidates, seed 0, the
CLI's ``main`` in this process), then, on the written file, where the accompaniment's
pitch-class set changes and how consonant the melody is there:

- ``chg/beat``: changes per beat of the meter (the dotted half in 6/4), and the share of
  them at the beat head, at the beat's later quarters and elsewhere;
- the melody's onsets per beat by the same positions (how the tune itself moves);
- PCS (every step) in beats where the harmony moves inside the beat against beats where
  it holds, and PCS at each quarter of the beat.

``--as SIG`` accompanies another file made from the tune instead and reads the result back
onto the tune: ``6/8`` (every time halved, 6/4 written as 6/8: the engine's 6/8 at twice
the tempo; the output's times doubled back) or ``3/4`` (each 6/4 bar written as two 3/4
bars: the same times). The melody judged is the tune's own in every case. Recorded
commands in docs/meters.md, "Session 23".
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_corpus as bc  # noqa: E402
import corpus_tunes as ct  # noqa: E402
import validation_tunes as vt  # noqa: E402

from models import harmony_measures as hm  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def recast(tune: ct.Tune, how: str | None) -> tuple[ct.Tune, float]:
    """The file to accompany for ``how`` and the factor that maps its times back."""
    if how is None:
        return tune, 1.0
    if how == "6/8":
        notes = [(a / 2, b / 2, p) for a, b, p in tune.notes]
        sigs = [
            (q / 2, 6, 8) if (n, d) == (6, 4) else (q / 2, n, d * 2) for q, n, d in tune.signatures
        ]
        return replace(
            tune, notes=notes, signatures=sigs, padding_quarters=tune.padding_quarters / 2
        ), 2.0
    if how == "3/4":
        sigs = [(q, 3, 4) if (n, d) == (6, 4) else (q, n, d) for q, n, d in tune.signatures]
        return replace(tune, signatures=sigs, padding_quarters=tune.padding_quarters % 3), 1.0
    raise ValueError(f"--as {how}: 6/8 or 3/4")


def rhythm(tune: ct.Tune, parts: list[list[tuple[float, float, int]]]) -> dict:
    """Where the accompaniment's harmony moves against the beats of the tune's meter."""
    sigs = [(round(q * 4), n, d) for q, n, d in tune.signatures]
    texture = hm.texture_from_notes(
        ct.to_steps(tune.notes),
        [ct.to_steps(p) for p in parts],
        sigs,
        bar_phase=round(tune.padding_quarters * 4),
    )
    chord = hm.chord_pitch_classes(texture)  # (step, 12)
    heads = np.flatnonzero(texture.beat_starts)
    phase = np.full(texture.n_steps, -1)
    beat_of = np.full(texture.n_steps, -1)
    for i, head in enumerate(heads):
        end = heads[i + 1] if i + 1 < len(heads) else texture.n_steps
        phase[head:end] = np.arange(end - head)
        beat_of[head:end] = i
    change = np.zeros(texture.n_steps, dtype=bool)
    last = None
    for s in range(texture.n_steps):
        if chord[s].any():
            if last is not None and not np.array_equal(chord[s], last):
                change[s] = True
            last = chord[s]
    melody = texture.melody
    onset = (melody >= 0) & np.r_[True, melody[1:] != melody[:-1]]
    counted = phase >= 0
    n_beats = max(1, len(heads))

    def where(mask):  # per beat: at the head, at a later quarter's head, elsewhere
        m = mask & counted
        return (
            float(m.sum() / n_beats),
            float((m & (phase == 0)).sum() / max(1, m.sum())),
            float((m & (phase > 0) & (phase % 4 == 0)).sum() / max(1, m.sum())),
        )

    moving_beats = {int(beat_of[s]) for s in np.flatnonzero(change & (phase > 0))}
    moves = np.isin(beat_of, list(moving_beats)) & counted

    def pcs_on(mask) -> float:
        steps = mask & (melody >= 0) & chord.any(axis=1)
        pcs_weights = hm.PCS_WEIGHT[(melody[steps][:, None] % 12 - np.arange(12)) % 12]
        return hm._mean((pcs_weights * chord[steps]).sum(), chord[steps].sum())

    chg, chg_head, chg_quarters = where(change)
    ons, ons_head, ons_quarters = where(onset)
    return {
        "beats": n_beats,
        "chg_per_beat": chg,
        "chg_at_head": chg_head,
        "chg_at_quarters": chg_quarters,
        "onsets_per_beat": ons,
        "onsets_at_head": ons_head,
        "onsets_at_quarters": ons_quarters,
        "share_beats_moving": len(moving_beats) / n_beats,
        "pcs_moving": pcs_on(moves),
        "pcs_holding": pcs_on(counted & ~moves),
        **{f"pcs_q{q}": pcs_on(phase == 4 * q) for q in range(3)},
    }


def run(tune: ct.Tune, work: Path, how: str | None) -> dict:
    made, back = recast(tune, how)
    record = bc.run_tune(made, work, in_process=True)
    if not record["accompanied"]:
        return {"tune": tune.ref.name, "accompanied": False, "refusal": record["refusal"]}
    written = ct.read_midi(bc.paths(made, work)[1])
    parts = [[(a * back, b * back, p) for a, b, p in notes] for _, notes in written.tracks[1:]]
    judged = bc.judge_notes(tune.notes, parts, tune.signatures, tune.padding_quarters)
    return {
        "tune": tune.ref.name,
        "accompanied": True,
        "notes_per_quarter": bc.notes_per_quarter(tune),
        **{k: judged[k] for k in ("pcs", "pcs_beats", "ctnctr")},
        **rhythm(tune, parts),
    }


COLUMNS = (
    "pcs", "pcs_beats", "ctnctr", "chg_per_beat", "chg_at_head", "chg_at_quarters",
    "onsets_per_beat", "onsets_at_head", "onsets_at_quarters", "share_beats_moving",
    "pcs_moving", "pcs_holding", "pcs_q0", "pcs_q1", "pcs_q2",
)  # fmt: skip


def mean_row(records: list[dict]) -> dict:
    done = [r for r in records if r["accompanied"]]
    return {
        k: float(np.nanmean([r[k] for r in done if r[k] is not None])) if done else math.nan
        for k in COLUMNS
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meter", action="append", default=None, help="default 6/4")
    parser.add_argument("--as", dest="how", choices=("6/8", "3/4"), default=None)
    parser.add_argument(
        "--set", type=Path, default=ROOT / "docs/benchmarks/meter-validation-set.json"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/sixfour_rhythm"))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    meters = args.meter or ["6/4"]
    tunes = vt.read_set(args.set)
    out = {"command": " ".join(sys.argv), "as": args.how, "meters": {}}
    for meter in meters:
        work = args.work / meter.replace("/", "-") / (args.how or "own").replace("/", "-")
        work.mkdir(parents=True, exist_ok=True)
        records = [run(t, work, args.how if meter == "6/4" else None) for t in tunes[meter]]
        row = mean_row(records)
        out["meters"][meter] = {"row": row, "tunes": records}
        print(f"{meter} ({args.how or 'as written'}), {len(records)} tunes:")
        for k in COLUMNS:
            print(f"  {k:>20} {row[k]:.3f}")
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.json is not None:
        args.json.write_text(json.dumps(bc._no_nan(out), indent=1) + "\n")


if __name__ == "__main__":
    main()
