"""Why the ranking's first choice loses to the median in 6/8 and 12/8: each term apart.

Recorded command (docs/ranking.md, "Sixth pass"; validation tunes only, never the test
split or the held-out benchmark's folk tunes):

    python benchmarks/ranking_compound.py --seeds 3 --out /tmp/ranking-compound.npz

Melodies: the meters' validation set (``benchmarks/validation_tunes.py``, recorded in
``docs/benchmarks/meter-validation-set.json``: disjoint by name from the corpus
benchmark's selection, which holds every folk tune ``bench_ranking_heldout.py`` reads),
their first 8 bars laid out exactly as ``bench_ranking_heldout.folk_melody`` does. Each
gets 16 candidates per seed from ``Engine.generate`` (the shipped ranking, whatever it
is); every candidate's score is taken apart into the critic's units and each check's
penalty (``models.ranking.WEIGHTS`` x rate), and every candidate is judged by
``models/harmony_measures.py`` on the tune's true bars.

Printed per meter: the ranked first choice against the median (PCS on the beats,
CTnCTR, parallels; a tie counts half), the first choice of each term *alone*, the
ranking *without* each term, each term's mean within-take Spearman correlation with PCS
on the beats and CTnCTR (positive: the term prefers the better-fitting candidates) and its
spread within a take; and how often the engine's bars (its pickup, found or not) agree
with the tune's notated ones.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ranking_heldout as bh  # noqa: E402
import validation_tunes as vt  # noqa: E402

from composer_gui.core.chorale_take import chorale_ranking  # noqa: E402
from composer_gui.core.engine import Engine, accompaniment_roll, melody_on_grid  # noqa: E402
from models import harmony_measures as hm  # noqa: E402
from models.musical_checks import SHAPING_MEASURES, shaping_rates  # noqa: E402
from models.ranking import critic_units, weight_vector  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "docs" / "benchmarks" / "meter-validation-set.json"
JUDGED = ("pcs_beats", "ctnctr", "parallels")
TERMS = ("critic", *SHAPING_MEASURES)


def collect(engine: Engine, tunes, seeds: int, bars: int, at_zero: bool) -> list[dict]:
    """One record a set: every candidate's terms (critic units, each penalty), its
    ranking score and its judged measures, and the engine's bar phase against the tune's."""
    quantiles = engine.card["calibration"]["quantiles"]
    vector = weight_vector()
    out = []
    for j, tune in enumerate(tunes):
        melody, signatures, phase = bh.folk_melody(tune, bars, at_zero)
        grid = melody_on_grid(melody)
        bar_steps = round(tune.bar_quarters * 4)
        true_phase = round(phase * 4) % bar_steps
        for s in range(seeds):
            candidates = engine.generate(melody, k=16, seed=1000 * s + j)
            rolls = np.stack([accompaniment_roll(melody, c.arrangement) for c in candidates])
            raw = np.array([c.critic_score for c in candidates])
            ranking, checks = chorale_ranking(grid, rolls, raw, engine.card["calibration"])
            terms = np.column_stack(
                [critic_units(raw, quantiles), -shaping_rates(checks) * vector[None, :]]
            )
            judged = [hm.judge(bh.texture_of(c.arrangement, signatures, phase)) for c in candidates]
            # the same candidates judged on the engine's own bars (where it found them)
            own = [
                hm.judge(bh.texture_of(c.arrangement, signatures, grid.bar_phase / 4))
                for c in candidates
            ]
            out.append(
                {
                    "tune": tune.ref.name,
                    "seed": s,
                    "terms": terms,  # (candidate, term): what each adds to the score
                    "score": np.array([c.score for c in candidates]),
                    "rescored": ranking,
                    "judged": np.array([[x[m] for m in JUDGED] for x in judged]),
                    "judged_own_bars": np.array([[x[m] for m in JUDGED] for x in own]),
                    "engine_phase": int(grid.bar_phase),
                    "true_phase": int(true_phase),
                    "meters": [(int(a), str(m)) for a, m in grid.meters],
                }
            )
    return out


def beats_median(values: np.ndarray, first: int, higher: bool) -> float | None:
    x = values if higher else -values
    median = np.nanmedian(x)
    if np.isnan(x[first]) or np.isnan(median):
        return None
    return 0.5 if abs(x[first] - median) < 1e-12 else float(x[first] > median)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return np.nan
    ra = np.argsort(np.argsort(a, kind="stable"), kind="stable").astype(float)
    rb = np.argsort(np.argsort(b, kind="stable"), kind="stable").astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def share(outcomes: list[float | None]) -> float:
    kept = [o for o in outcomes if o is not None]
    return float(np.mean(kept)) if kept else np.nan


def report(meter: str, sets: list[dict]) -> None:
    higher = {m: hm.MEASURES[m][0] for m in JUDGED}

    def first_choice_row(first_of, subset=None, key="judged") -> str:
        cells = []
        for k, m in enumerate(JUDGED):
            outcomes = [
                beats_median(s[key][:, k], first_of(s), higher[m])
                for s in (sets if subset is None else subset)
            ]
            cells.append(f"{100 * share(outcomes):5.0f}%")
        return " ".join(cells)

    agree = np.mean([s["engine_phase"] == s["true_phase"] for s in sets])
    print(
        f"\n{meter}: {len(sets)} sets; engine's bars = the tune's notated bars "
        f"in {100 * agree:.0f}%"
    )
    print(f"  {'first choice by':<34} {'PCS beats':>6} {'CTnCTR':>6} {'parallels':>6}")
    print(
        f"  {'the shipped ranking':<34} " + first_choice_row(lambda s: int(np.argmax(s["score"])))
    )
    for label, keep in (("  bars as notated", True), ("  bars not as notated", False)):
        part = [s for s in sets if (s["engine_phase"] == s["true_phase"]) == keep]
        if part:
            row = first_choice_row(lambda s: int(np.argmax(s["score"])), part)
            print(f"  {label + f' ({len(part)})':<34} " + row)
    own = first_choice_row(lambda s: int(np.argmax(s["score"])), sets, "judged_own_bars")
    print(f"  {'  judged on the engine`s bars':<34} " + own)
    for t, name in enumerate(TERMS):
        print(
            f"  {name + ' alone':<34} "
            + first_choice_row(lambda s, t=t: int(np.argmax(s["terms"][:, t])))
        )
    print(f"  {'ranking without':<34}")
    for t, name in enumerate(TERMS):
        row = first_choice_row(
            lambda s, t=t: int(np.argmax(s["terms"].sum(axis=1) - s["terms"][:, t]))
        )
        print(f"  {'  - ' + name:<34} " + row)
    print(
        f"  {'term':<20} {'rho PCS':>8} {'rho CTnCTR':>10} {'spread':>8} "
        "(mean in-take Spearman; spread: std in a take, critic units)"
    )
    total_spread = np.mean([np.std(s["score"]) for s in sets])
    for t, name in enumerate(TERMS):
        rho_p = np.nanmean([spearman(s["terms"][:, t], s["judged"][:, 0]) for s in sets])
        rho_c = np.nanmean([spearman(s["terms"][:, t], s["judged"][:, 1]) for s in sets])
        spread = np.mean([np.std(s["terms"][:, t]) for s in sets])
        print(f"  {name:<20} {rho_p:8.2f} {rho_c:10.2f} {spread:8.3f}")
    rho_p = np.nanmean([spearman(s["score"], s["judged"][:, 0]) for s in sets])
    rho_c = np.nanmean([spearman(s["score"], s["judged"][:, 1]) for s in sets])
    print(f"  {'ranking score':<20} {rho_p:8.2f} {rho_c:10.2f} {total_spread:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--meters", default="6/8,12/8,4/4,2/4,9/8")
    parser.add_argument("--pickup-at-zero", action="store_true", help="as main gave the bars")
    parser.add_argument("--limit", type=int, default=None, help="tunes per meter")
    parser.add_argument("--out", type=Path, default=None, help="save every set (npz) here")
    parser.add_argument("--load", type=Path, default=None, help="report a saved run")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.load is not None:
        by_meter = np.load(args.load, allow_pickle=True)["by_meter"].item()
    else:
        engine = Engine(args.model, "cpu")
        engine.load()
        tunes = vt.read_set(SET, args.limit)
        by_meter = {
            m: collect(engine, tunes[m], args.seeds, args.bars, args.pickup_at_zero)
            for m in args.meters.split(",")
        }
        worst = max(
            float(np.max(np.abs(s["score"] - s["rescored"]))) for v in by_meter.values() for s in v
        )
        print(f"(candidates' scores against the decomposition: max difference {worst:.2g})")
        if args.out is not None:
            np.savez(args.out, by_meter=np.array(by_meter, dtype=object))
    for meter, sets in by_meter.items():
        report(meter, sets)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
