"""Issue 18's "never under 50%" misses read with their noise, on validation only.

Recorded command (docs/ranking.md, "Seventh pass"; never the test split nor the held-out
benchmark's folk tunes):

    python benchmarks/ranking_misses.py --seeds 6 --out /tmp/ranking-misses.npz
    python benchmarks/ranking_misses.py --load /tmp/ranking-misses.npz [--weights JSON]

Melodies: the chorales' validation split (one 8-bar window a chorale, as the held-out
benchmark reads the test split) and the meters' validation folk set
(``validation_tunes.py``; ``--set``, default the 24-a-meter set), laid out exactly as
``bench_ranking_heldout`` lays its melodies. Each gets 16 candidates a seed from
``Engine.generate``; every candidate's score is taken apart (critic units, each check's
``WEIGHTS`` x rate, as ``ranking_compound.py`` does), judged by
``models/harmony_measures.py`` on the tune's bars, and its accompaniment's moves are kept
as a histogram (voice, semitones) so another leap rule can be tried without generating
again. For the chorales, Bach's own accompaniment and its five spoiled copies are taken
apart the same way, so a trial weighting is held to "Bach above the median" and "Bach
above each spoiled kind" on the same candidates.

Printed per group (chorales, each folk meter, all folk, all): every measure's "first
choice beats the median" (a tie half) with its tie share and a bootstrap 90% interval
over tunes (``bench_ranking_heldout.tune_interval``), the voice-leading composite
(``harmony_measures.voice_leading_faults``), and, for the measures asked about, each
term's first choice alone, the ranking without it and its in-take Spearman correlation.
``--weights`` re-ranks the saved candidates with other weights (and ``--leap-limits
UPPER,BASS`` with the large-leaps check counted by other limits), beside the shipped
ranking, on the same sets.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ranking_heldout as bh  # noqa: E402
import validation_tunes as vt  # noqa: E402

from composer_gui.core.chorale_take import chorale_ranking  # noqa: E402
from composer_gui.core.engine import Engine, accompaniment_roll, melody_on_grid  # noqa: E402
from models import harmony_measures as hm  # noqa: E402
from models.build_dataset import REST, default_cache_dir, load_split, voices_to_roll  # noqa: E402
from models.encoding import REST_CLASS  # noqa: E402
from models.evaluate import windows  # noqa: E402
from models.musical_checks import SHAPING_MEASURES, shaping_rates, voices_of_rolls  # noqa: E402
from models.negatives import KINDS  # noqa: E402
from models.ranking import WEIGHTS, critic_units, weight_vector  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "docs" / "benchmarks" / "meter-validation-set-24.json"
MEASURES = tuple(hm.MEASURES)
HIGHER = {m: h for m, (h, _) in hm.MEASURES.items()}
MAX_MOVE = 25  # moves of 25 semitones or more share the last bin
LEAP_CHECK = SHAPING_MEASURES.index("large_leaps")


def move_histogram(voices: np.ndarray) -> np.ndarray:
    """``(candidate, voice, semitones)``: each accompaniment voice's moves between two
    sounding steps (as ``musical_checks`` counts its leaps), by size."""
    acc = voices[:, 1:]
    moved = (acc[:, :, 1:] != acc[:, :, :-1]) & (acc[:, :, :-1] >= 0) & (acc[:, :, 1:] >= 0)
    size = np.minimum(np.abs(acc[:, :, 1:] - acc[:, :, :-1]), MAX_MOVE)
    out = np.zeros((acc.shape[0], acc.shape[1], MAX_MOVE + 1), dtype=np.int32)
    c, v, s = np.nonzero(moved)
    np.add.at(out, (c, v, size[c, v, s]), 1)
    return out


def take_apart(grid, rolls: np.ndarray, raw: np.ndarray, quantiles) -> dict:
    """Terms (critic units, each check's penalty), rates, bars and move histograms."""
    ranking, checks = chorale_ranking(grid, rolls, raw, {"quantiles": quantiles})
    rates = shaping_rates(checks)
    voices = np.concatenate(
        [np.broadcast_to(grid.voice, (rolls.shape[0], 1, grid.n_steps)), voices_of_rolls(rolls)],
        axis=1,
    )
    return {
        "critic": critic_units(raw, quantiles),
        "rates": rates,  # (candidate, check)
        "bars": np.array([c.n_bars for c in checks]),
        "moves": move_histogram(voices),
        "score": ranking,
    }


def judged(arrangements, signatures, phase) -> np.ndarray:
    out = []
    for arrangement in arrangements:
        j = hm.judge(bh.texture_of(arrangement, signatures, phase))
        out.append([j[m] for m in MEASURES])
    return np.array(out, dtype=np.float64)


def collect_chorales(engine: Engine, data_dir: Path, seeds: int) -> list[dict]:
    quantiles = engine.card["calibration"]["quantiles"]
    wins = windows(load_split(data_dir, "valid"), 8)
    classes = [
        torch.from_numpy(np.where(w.voices[1:] == REST, REST_CLASS, w.voices[1:]).astype(np.int64))
        for w in wins
    ]
    rng = torch.Generator().manual_seed(0)
    out = []
    for i, w in enumerate(wins):
        melody = bh.chorale_melody(w)
        grid = melody_on_grid(melody)
        spoiled = bh.spoiled_rolls(classes, i, rng)
        if grid.shift != 0:
            continue
        stacked = np.stack([voices_to_roll(w.voices[1:]), *spoiled.values()])
        # on the melody's grid, as score_accompaniments pads or cuts them
        reference = np.zeros((*stacked.shape[:2], grid.n_steps, stacked.shape[3]), dtype=bool)
        t = min(grid.n_steps, stacked.shape[2])
        reference[:, :, :t] = stacked[:, :, :t]
        totals = engine.score_accompaniments(melody, reference)
        # the same terms as the candidates': the critic is the total less the penalties
        ref = take_apart(grid, reference, np.zeros(len(reference)), quantiles)
        ref["critic"] = totals - (ref["score"] - critic_units(np.zeros(1), quantiles)[0])
        ref["score"] = totals
        for s in range(seeds):
            candidates = engine.generate(melody, k=16, seed=1000 * s + i)
            rolls = np.stack([accompaniment_roll(melody, c.arrangement) for c in candidates])
            raw = np.array([c.critic_score for c in candidates])
            record = take_apart(grid, rolls, raw, quantiles)
            record.update(
                tune=w.name,
                group="chorales",
                judged=judged([c.arrangement for c in candidates], [(0.0, *w.meter.signature)], 0),
                engine_score=np.array([c.score for c in candidates]),
                reference=ref,  # Bach's own, then each spoiled kind (KINDS' order)
            )
            out.append(record)
    return out


def collect_folk(engine: Engine, tunes: dict, seeds: int) -> list[dict]:
    quantiles = engine.card["calibration"]["quantiles"]
    out = []
    for meter, group in tunes.items():
        for j, tune in enumerate(group):
            melody, signatures, phase = bh.folk_melody(tune, 8)
            grid = melody_on_grid(melody)
            for s in range(seeds):
                candidates = engine.generate(melody, k=16, seed=1000 * s + j)
                rolls = np.stack([accompaniment_roll(melody, c.arrangement) for c in candidates])
                raw = np.array([c.critic_score for c in candidates])
                record = take_apart(grid, rolls, raw, quantiles)
                record.update(
                    tune=tune.ref.name,
                    group=f"folk {meter}",
                    judged=judged([c.arrangement for c in candidates], signatures, phase),
                    engine_score=np.array([c.score for c in candidates]),
                )
                out.append(record)
    return out


def leap_rates(record: dict, limits: tuple[int, int] | None) -> np.ndarray:
    """The large-leaps check's rate (per bar) counted with ``(upper, bass)`` limits:
    moves larger than the limit (``None``: the shipped check's own rate)."""
    if limits is None:
        return record["rates"][:, LEAP_CHECK]
    upper, bass = limits
    moves = record["moves"]  # (candidate, voice, semitones); the last voice is the bass
    count = moves[:, :-1, upper + 1 :].sum(axis=(1, 2)) + moves[:, -1, bass + 1 :].sum(axis=1)
    return count / np.maximum(record["bars"], 1)


def scores_of(record: dict, weights: dict, limits=None) -> np.ndarray:
    rates = record["rates"].copy()
    rates[:, LEAP_CHECK] = leap_rates(record, limits)
    return record["critic"] - rates @ weight_vector(weights)


def outcome(values: np.ndarray, first: int, higher: bool) -> float | None:
    """1 when the first choice is better than the median candidate, 0.5 on a tie."""
    median = float(np.nanmedian(values))
    if np.isnan(values[first]) or np.isnan(median):
        return None
    if abs(values[first] - median) < 1e-12:
        return 0.5
    return float((values[first] > median) == higher)


def figures(sets: list[dict], first_of) -> dict[str, tuple]:
    """measure -> (share, ties, (low, high), n sets) over ``sets``."""
    out = {}
    for k, m in enumerate(MEASURES):
        o, tunes = [], []
        for s in sets:
            r = outcome(s["judged"][:, k], first_of(s), HIGHER[m])
            if r is not None:
                o.append(r)
                tunes.append(s["tune"])
        if not o:
            out[m] = None
            continue
        o = np.array(o)
        out[m] = (float(o.mean()), float((o == 0.5).mean()), bh.tune_interval(o, tunes), len(o))
    return out


def cell(f) -> str:
    if f is None:
        return f"{'-':>22}"
    share, ties, (low, high), _ = f
    return f"{100 * share:4.0f}% t{100 * ties:3.0f} [{100 * low:3.0f},{100 * high:3.0f}]"


def groups_of(sets: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for s in sets:
        out.setdefault(s["group"], []).append(s)
    out["folk (all)"] = [s for s in sets if s["group"].startswith("folk")]
    out["all"] = sets
    return out


def bach_figures(chorales: list[dict], score) -> tuple[float, dict[str, float]]:
    """Bach above the median candidate (per set) and above each spoiled kind (per window)."""
    above, spoiled, seen = [], {k: [] for k in KINDS}, set()
    for s in chorales:
        ref = s["reference"]
        ref_scores = score(ref)
        median = float(np.median(score(s)))
        above.append(float(ref_scores[0] > median))
        if s["tune"] not in seen:
            seen.add(s["tune"])
            for kind, value in zip(KINDS, ref_scores[1:]):
                spoiled[kind].append(float(ref_scores[0] > value))
    return float(np.mean(above)), {k: float(np.mean(v)) for k, v in spoiled.items()}


def report(sets: list[dict], weights: dict | None, limits) -> None:
    rankers = {"shipped": lambda s: int(np.argmax(s["score"]))}
    if weights is not None or limits is not None:
        trial = dict(WEIGHTS, **(weights or {}))
        rankers["trial"] = lambda s: int(np.argmax(scores_of(s, trial, limits)))
        print(f"trial weights {weights or {}} leap limits {limits or 'shipped'}")
    groups = groups_of(sets)
    print(
        "first choice beats the median (a tie half): share, t = tie share, "
        "[bootstrap 90% interval over tunes]"
    )
    for name, rank in rankers.items():
        print(f"\n== {name} ranking")
        shown = list(groups)
        print(f"{'measure':<14} " + " ".join(f"{g[:22]:>22}" for g in shown))
        table = {g: figures(groups[g], rank) for g in shown}
        for m in MEASURES:
            print(f"{m:<14} " + " ".join(cell(table[g][m]) for g in shown))
        print(
            "sets / tunes: "
            + ", ".join(
                f"{g} {len(groups[g])}/{len({s['tune'] for s in groups[g]})}" for g in shown
            )
        )
    chorales = groups.get("chorales", [])
    if chorales:
        shipped = bach_figures(chorales, lambda r: r["score"])
        print(
            f"\nBach above the median, shipped: {100 * shipped[0]:.0f}%; above spoiled: "
            + ", ".join(f"{k} {100 * v:.0f}%" for k, v in shipped[1].items())
        )
        if "trial" in rankers:
            trial = dict(WEIGHTS, **(weights or {}))
            t = bach_figures(chorales, lambda r: scores_of(r, trial, limits))
            print(
                f"Bach above the median, trial: {100 * t[0]:.0f}%; above spoiled: "
                + ", ".join(f"{k} {100 * v:.0f}%" for k, v in t[1].items())
            )


def terms_report(sets: list[dict], measures: tuple[str, ...]) -> None:
    """For each asked measure and group: each term's first choice alone, the ranking
    without it, and the term's mean in-take Spearman correlation with the measure
    (positive: the term prefers the better candidates on it)."""
    import ranking_compound as rc

    vector = weight_vector()
    terms = ("critic", *SHAPING_MEASURES)
    for name, group in groups_of(sets).items():
        print(f"\n{name}: {len(group)} sets; per term: alone / ranking without / rho")
        print(f"  {'term':<20} " + " ".join(f"{m:>22}" for m in measures))
        for t, term in enumerate(terms):
            cells = []
            for m in measures:
                k = MEASURES.index(m)

                def part(s, t=t):
                    if t == 0:
                        return s["critic"]
                    return -s["rates"][:, t - 1] * vector[t - 1]

                alone = figures(group, lambda s: int(np.argmax(part(s))))[m]
                without = figures(group, lambda s: int(np.argmax(s["score"] - part(s))))[m]
                sign = 1 if HIGHER[m] else -1
                rho = np.nanmean([rc.spearman(part(s), sign * s["judged"][:, k]) for s in group])
                cells.append(f"{100 * alone[0]:4.0f} / {100 * without[0]:3.0f} / {rho:5.2f}")
            print(f"  {term:<20} " + " ".join(f"{c:>22}" for c in cells))


def move_features(moves: np.ndarray, bars: np.ndarray) -> dict[str, np.ndarray]:
    """Per candidate, from its move histogram: moves a bar by size and voice, and the
    judge's leap share (an upper line over a fifth, the bass over an octave)."""
    upper, bass = moves[:, :-1].sum(axis=1), moves[:, -1]  # (candidate, semitones)
    per_bar = np.maximum(bars, 1)
    total = upper.sum(axis=1) + bass.sum(axis=1)
    return {
        "moves a bar": total / per_bar,
        "upper fifths (7) a bar": upper[:, 7] / per_bar,
        "upper sixths (8-9) a bar": upper[:, 8:10].sum(axis=1) / per_bar,
        "upper over a sixth a bar": upper[:, 10:].sum(axis=1) / per_bar,
        "bass sevenths to octaves (10-12) a bar": bass[:, 10:13].sum(axis=1) / per_bar,
        "bass over an octave a bar": bass[:, 13:].sum(axis=1) / per_bar,
        "judge's leap share": (upper[:, 8:].sum(axis=1) + bass[:, 13:].sum(axis=1))
        / np.maximum(total, 1),
    }


def moves_report(sets: list[dict]) -> None:
    """What the first choice leaps by, against the set's median candidate and Bach's own
    (means over sets), so a leap rule is read in the intervals a musician hears."""
    for name in ("chorales", "folk (all)"):
        group = groups_of(sets).get(name, [])
        if not group:
            continue
        rows: dict[str, list[tuple[float, float, float]]] = {}
        for s in group:
            features = move_features(s["moves"], s["bars"])
            bach = (
                move_features(s["reference"]["moves"][:1], s["reference"]["bars"][:1])
                if "reference" in s
                else None
            )
            top = int(np.argmax(s["score"]))
            for key, v in features.items():
                b = float(bach[key][0]) if bach is not None else np.nan
                rows.setdefault(key, []).append((float(v[top]), float(np.median(v)), b))
        print(f"\n{name}: {len(group)} sets; mean over sets: first choice / median / Bach")
        for key, values in rows.items():
            a = np.array(values)
            print(f"  {key:<40} {a[:, 0].mean():7.3f} {a[:, 1].mean():7.3f} {a[:, 2].mean():7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--set", type=Path, default=SET)
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--meters", default="2/4,4/4,6/8,9/8,12/8")
    parser.add_argument("--limit", type=int, default=None, help="tunes per meter")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--load", type=Path, default=None)
    parser.add_argument("--weights", type=json.loads, default=None, help="JSON, as WEIGHTS")
    parser.add_argument("--leap-limits", default=None, help="UPPER,BASS semitones")
    parser.add_argument("--terms", default="leaps,ctnctr,parallels,voice_leading")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.load is not None:
        sets = list(np.load(args.load, allow_pickle=True)["sets"])
    else:
        engine = Engine(args.model, "cpu")
        engine.load()
        tunes = vt.read_set(args.set, args.limit)
        tunes = {m: tunes[m] for m in args.meters.split(",")}
        sets = collect_chorales(engine, args.data, args.seeds) + collect_folk(
            engine, tunes, args.seeds
        )
        worst = max(float(np.max(np.abs(s["score"] - s["engine_score"]))) for s in sets)
        print(f"(candidates' scores against the decomposition: max difference {worst:.2g})")
        if args.out is not None:
            np.savez(args.out, sets=np.array(sets, dtype=object))
    limits = tuple(int(x) for x in args.leap_limits.split(",")) if args.leap_limits else None
    report(sets, args.weights, limits)
    if args.terms:
        terms_report(sets, tuple(args.terms.split(",")))
    moves_report(sets)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
