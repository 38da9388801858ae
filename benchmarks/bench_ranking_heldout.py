"""Is "best first" true on held-out melodies and held-out measures?  Issue 18's benchmark.

Recorded command (figures in docs/benchmarks/ranking.md):

    python benchmarks/bench_ranking_heldout.py --seeds 3 --folk-per-meter 12

Melodies: 8-bar windows of the chorales' test split (``models.evaluate.windows``), and
folk tunes from the music21 corpus (``benchmarks/corpus_tunes.py``: a seeded choice per
meter of 2/4, 3/4, 4/4, 6/8, 9/8 and 12/8, their first 8 bars, given to the engine with the
bars they are judged on: a pickup as its own short bar, meter changes kept; ``folk_melody``);
a meter the engine refuses is skipped and counted.  Each melody gets 16 candidates per
seed from the engine's public ranking (``Engine.generate``: whatever the ranking is, it
is what gets measured).

For every measure of ``models/harmony_measures.py`` (written apart from the product):
how often the first choice is better than the median candidate (a tie counts half;
chance is 50%), with the measure marked *held out* unless it is in
``harmony_measures.SHAPING_MEASURES`` (it shapes the ranking).  Targets: 75% on harmony
with the melody on the beats, 65% on voice leading, never under 50%.  Beside that figure,
what ties hide: beats / ties / loses, the share of sets where any candidate beats the
median at all, the best figure any ranking could reach there, "at least as good as the
median" and "beats it where it could" (a count that most candidates have none of, as
crossing and spacing, leaves the median unbeatable in most sets).  ``--reprint RUN.json``
prints a saved run's figures again without running.

Then, on the chorales, with ``Engine.score_accompaniments`` (the score generate ranks by,
checked here against the candidates' own scores): Bach's own accompaniment ranks above
the median of the 16 candidates for what share (target 90%), and Bach's own scores above
each kind of spoiled Bach (``models/negatives.py``: wrong notes, moved against the
melody, late, another chorale's accompaniment, passing notes removed) for what share
(target 90%).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus_tunes as ct  # noqa: E402

from composer_gui.core.arrangement import Arrangement, Note, Track  # noqa: E402
from composer_gui.core.engine import Engine, accompaniment_roll, melody_on_grid  # noqa: E402
from composer_gui.core.errors import ComposerError  # noqa: E402
from composer_gui.core.score_file import meter_map, off_grid_padding  # noqa: E402
from models import harmony_measures as hm  # noqa: E402
from models.build_dataset import REST, default_cache_dir, load_split, voices_to_roll  # noqa: E402
from models.encoding import REST_CLASS  # noqa: E402
from models.evaluate import windows  # noqa: E402
from models.negatives import KINDS, spoiled_window  # noqa: E402
from models.pianoroll import LOWEST_PITCH, STEPS_PER_BEAT  # noqa: E402

FOLK_METERS = ("2/4", "3/4", "4/4", "6/8", "9/8", "12/8")
VOICE_LEADING = ("parallels", "crossing", "spacing", "leaps", "voice_leading")
TARGETS = {"pcs_beats": 0.75} | {m: 0.65 for m in VOICE_LEADING}
ROOT = Path(__file__).resolve().parents[1]
SPOILED = {
    "wrong_notes": "wrong notes",
    "transpose": "moved against the melody",
    "late": "late",
    "mismatch": "another chorale's accompaniment",
    "block": "passing notes removed",
}


def voice_notes(voice: np.ndarray, onsets: np.ndarray) -> list[tuple[int, int, int]]:
    """A grid voice (pitch index or REST) as notes ``(start_step, end_step, midi_pitch)``."""
    notes = []
    for step, index in enumerate(voice):
        if index == REST:
            continue
        new = step == 0 or voice[step - 1] != index or onsets[step]
        if new:
            notes.append([step, step + 1, int(index) + LOWEST_PITCH])
        else:
            notes[-1][1] = step + 1
    return [tuple(n) for n in notes]


def chorale_melody(window) -> Arrangement:
    notes = [
        Note(p, a / STEPS_PER_BEAT, (b - a) / STEPS_PER_BEAT, 80)
        for a, b, p in voice_notes(window.voices[0], window.onsets[0])
    ]
    return Arrangement([Track("melody", notes)], 100.0, window.meter.signature)


def folk_melody(
    tune: ct.Tune, bars: int, pickup_at_zero: bool = False
) -> tuple[Arrangement, list, float]:
    """The tune's first ``bars`` bars as the engine is given them, its time signatures
    and its bar phase in quarters (for the judge).

    The engine is told the bars the judge judges on: the pickup written as its own short
    bar (1/8, then 6/8: as notation programs export one, ``melody_grid.pickup_bar``) and
    the meter changes kept. ``pickup_at_zero`` gives it as main did before session 16: the
    pickup at tick 0 in the first meter alone, for the engine's detector to find in an
    8-bar excerpt (it missed most compound pickups there, so the engine harmonized beats
    an eighth before the judged ones; docs/ranking.md, "Sixth pass")."""
    end = bars * tune.bar_quarters - tune.padding_quarters
    notes = [Note(p, a, min(b, end) - a, 80) for a, b, p in tune.notes if a < end]
    signatures = [s for s in tune.signatures if s[0] < end]
    first = tuple(signatures[0][1:])
    if pickup_at_zero:
        return (
            Arrangement([Track("melody", notes)], 100.0, first),
            signatures,
            tune.padding_quarters,
        )
    # The product's own rules (core.score_file): a pickup on the grid as its short bar
    # (meter_map); one off the grid after a whole first bar of rests (off_grid_padding).
    padding = Fraction(tune.padding_quarters).limit_denominator(960)
    pickup = Fraction(tune.bar_quarters) - padding if padding else Fraction(0)
    shift = off_grid_padding(signatures, pickup)
    if shift:
        notes = [Note(n.pitch, n.start_beat + shift, n.duration_beats, 80) for n in notes]
        signatures = [(0.0, *first)] + [(q + shift, n, d) for q, n, d in signatures[1:]]
        first, changes = meter_map(signatures, Fraction(0))
        arrangement = Arrangement([Track("melody", notes)], 100.0, first, meter_changes=changes)
        return arrangement, signatures, 0.0
    first, changes = meter_map(signatures, pickup)
    arrangement = Arrangement([Track("melody", notes)], 100.0, first, meter_changes=changes)
    return arrangement, signatures, tune.padding_quarters


def texture_of(arrangement: Arrangement, signatures, bar_phase_quarters: float) -> hm.Texture:
    def steps(track):
        return [(round(n.start_beat * 4), round(n.end_beat * 4), n.pitch) for n in track.notes]

    sigs = [(round(q * 4), num, den) for q, num, den in signatures]
    return hm.texture_from_notes(
        steps(arrangement.tracks[0]),
        [steps(t) for t in arrangement.tracks[1:]],
        sigs,
        bar_phase=round(bar_phase_quarters * 4),
    )


def first_beats_median(values: list[float], higher_is_better: bool) -> tuple[float, bool] | None:
    """``(outcome, beatable)``: outcome 1 when the first value is better than the median,
    0.5 on a tie, 0 when worse; beatable when some candidate of the set is better than the
    median (where none is, the median is already the set's best and no ranking can beat
    it: a count that is 0 for most candidates can only tie)."""
    first, median = values[0], float(np.nanmedian(values))
    if math.isnan(first) or math.isnan(median):
        return None
    sign = 1.0 if higher_is_better else -1.0
    beatable = bool(np.nanmax(sign * np.asarray(values)) > sign * median + 1e-12)
    if abs(first - median) < 1e-12:
        return 0.5, beatable
    return float((first > median) == higher_is_better), beatable


def judge_set(candidates, signatures, phase, tune: str = "") -> dict:
    """Each measure's :func:`first_beats_median` for one set, and under ``"tune"`` the
    melody it accompanies (the unit :func:`tune_interval` resamples)."""
    judged = [hm.judge(texture_of(c.arrangement, signatures, phase)) for c in candidates]
    return {
        name: first_beats_median([j[name] for j in judged], higher)
        for name, (higher, _) in hm.MEASURES.items()
    } | {"tune": tune}


BOOTSTRAP_DRAWS = 2000


def tune_interval(
    outcomes, tunes, level: float = 0.90, draws: int = BOOTSTRAP_DRAWS
) -> tuple[float, float]:
    """A bootstrap ``level`` interval of the mean of ``outcomes`` (one a set), resampling
    *tunes* with their sets, not sets: the seeds of one tune share its melody, so they
    are not independent draws and a set bootstrap would read them as more evidence than
    they are. Seeded, so a run prints the same interval every time."""
    outcomes = np.asarray(outcomes, dtype=np.float64)
    names = sorted(set(tunes))
    index = {n: i for i, n in enumerate(names)}
    tune_of = np.array([index[t] for t in tunes])
    sums = np.bincount(tune_of, weights=outcomes, minlength=len(names))
    counts = np.bincount(tune_of, minlength=len(names)).astype(np.float64)
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(names), size=(draws, len(names)))
    means = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    tail = (1.0 - level) / 2.0
    return float(np.quantile(means, tail)), float(np.quantile(means, 1.0 - tail))


def outcome_table(rows: list[dict]) -> dict:
    """Per measure over ``rows`` (one dict a set): the issue's figure (a tie counts half)
    and its share of ties, and under ``breakdown`` what ties hide: beats, ties and loses,
    the share of sets where the median could be beaten at all, the best figure any ranking
    could reach (beat every beatable set, tie the rest), "at least as good as the median"
    (beats + ties) and "beats where it could" (beats among beatable sets)."""
    table: dict = {"sets": len(rows), "breakdown": {}}
    for measure in hm.MEASURES:
        kept = [r for r in rows if r[measure] is not None]
        if not kept:
            table[measure] = table[measure + "_ties"] = table["breakdown"][measure] = None
            table[measure + "_interval"] = None
            continue
        outcome = np.array([r[measure][0] for r in kept])
        beatable = np.array([r[measure][1] for r in kept])
        beats, ties = outcome == 1.0, outcome == 0.5
        table[measure] = float(outcome.mean())
        table[measure + "_ties"] = float(ties.mean())
        # a row without its tune (a hand-made one) is a unit of its own
        tunes = [r.get("tune") or f"set {i}" for i, r in enumerate(kept)]
        table[measure + "_interval"] = list(tune_interval(outcome, tunes))
        table["breakdown"][measure] = {
            "beats": float(beats.mean()),
            "ties": float(ties.mean()),
            "loses": float((outcome == 0.0).mean()),
            "beatable": float(beatable.mean()),
            "ceiling": float(beatable.mean() + 0.5 * (~beatable).mean()),
            "at_least_as_good": float((beats | ties).mean()),
            "beats_where_beatable": float(beats[beatable].mean()) if beatable.any() else None,
        }
    return table


def spoiled_rolls(classes: list[torch.Tensor], i: int, rng: torch.Generator) -> dict:
    """Bach's accompaniment of window i and each spoiled copy, as grid rolls (3, T, P)."""
    out = {}
    for kind in KINDS:
        spoiled = spoiled_window(kind, classes, i, rng)
        voices = torch.where(spoiled == REST_CLASS, REST, spoiled).numpy()
        out[kind] = voices_to_roll(voices)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--folk-per-meter", type=int, default=12)
    parser.add_argument("--limit", type=int, default=None, help="chorale windows (quick run)")
    parser.add_argument(
        "--pickup-at-zero",
        action="store_true",
        help="give a folk tune's pickup at tick 0 in its first meter, as before session 16",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "benchmarks" / "ranking.json")
    parser.add_argument("--reprint", type=Path, default=None, help="print a saved run's JSON")
    args = parser.parse_args()
    if args.reprint is not None:
        print_report(json.loads(args.reprint.read_text()))
        return

    started = time.perf_counter()
    engine = Engine(args.model, args.device)
    engine.load()
    wins = windows(load_split(args.data, "test"), args.bars)[: args.limit]
    refs = ct.index_tunes()
    folk = []
    for meter in FOLK_METERS:
        pool = [
            ct.parse_tune(r) for r in ct.choose(refs, meter, None, 0)[: 3 * args.folk_per_meter]
        ]
        folk += [t for t in pool if t is not None][: args.folk_per_meter]

    wins_by_set: dict[str, list[dict]] = defaultdict(list)
    refused: Counter = Counter()
    bach_above, rescore_error, n_shifted = [], 0.0, 0
    real_above: dict[str, list[float]] = {kind: [] for kind in KINDS}
    classes = [
        torch.from_numpy(np.where(w.voices[1:] == REST, REST_CLASS, w.voices[1:]).astype(np.int64))
        for w in wins
    ]
    rng = torch.Generator().manual_seed(0)
    for i, w in enumerate(wins):
        melody = chorale_melody(w)
        signatures, grid = [(0.0, *w.meter.signature)], melody_on_grid(melody)
        bach = voices_to_roll(w.voices[1:])
        spoiled = spoiled_rolls(classes, i, rng)
        if grid.shift != 0:  # Bach's roll would have to move with the melody; not done
            n_shifted += 1
            continue
        real, *others = engine.score_accompaniments(melody, np.stack([bach, *spoiled.values()]))
        for kind, score in zip(spoiled, others):
            real_above[kind].append(float(real > score) if real != score else 0.5)
        for s in range(args.seeds):
            candidates = engine.generate(melody, k=16, seed=1000 * s + i)
            wins_by_set["chorales"].append(judge_set(candidates, signatures, 0.0, w.name))
            scores = np.array([c.score for c in candidates])
            median = float(np.median(scores))
            bach_above.append(0.5 if real == median else float(real > median))
            if s == 0:
                rolls = np.stack([accompaniment_roll(melody, c.arrangement) for c in candidates])
                again = engine.score_accompaniments(melody, rolls)
                rescore_error = max(rescore_error, float(np.max(np.abs(again - scores))))
    for j, tune in enumerate(folk):
        melody, signatures, phase = folk_melody(tune, args.bars, args.pickup_at_zero)
        for s in range(args.seeds):
            try:
                candidates = engine.generate(melody, k=16, seed=1000 * s + j)
            except ComposerError as error:
                refused[(tune.ref.meter, str(error))] += 1
                break
            wins_by_set[f"folk {tune.ref.meter}"].append(
                judge_set(candidates, signatures, phase, tune.ref.name)
            )

    sets = dict(wins_by_set)
    folk_all = [r for name, rows in sets.items() if name.startswith("folk") for r in rows]
    sets["folk (all meters)"] = folk_all
    sets["all"] = sets.get("chorales", []) + folk_all
    table = {name: outcome_table(rows) for name, rows in sets.items()}

    result = {
        "command": " ".join(sys.argv),
        "model": engine.card.get("name"),
        "chorale_windows": len(wins),
        "folk_tunes": len(folk),
        "folk_bars": "pickup at tick 0, first meter" if args.pickup_at_zero else "as notated",
        "bars": args.bars,
        "seeds": args.seeds,
        "shaping_measures": list(hm.SHAPING_MEASURES),
        "first_beats_median": table,
        "bach_above_median": float(np.mean(bach_above)) if bach_above else math.nan,
        "bach_sets": len(bach_above),
        "bach_above_spoiled": {k: float(np.mean(v)) for k, v in real_above.items() if v},
        "spoiled_windows": len(next(iter(real_above.values()), [])),
        "refused": [{"meter": m, "message": msg, "tunes": n} for (m, msg), n in refused.items()],
        "rescore_max_difference": rescore_error,
        "shifted_windows": n_shifted,
        "seconds": round(time.perf_counter() - started),
    }
    print_report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")


def print_report(result: dict) -> None:
    """The benchmark's printed figures, from its result (also ``--reprint`` of a saved
    JSON, so a report is printed from the figures a run recorded)."""
    table = result["first_beats_median"]
    shown = ["chorales", "folk (all meters)", "all"]
    print(
        f"{result['chorale_windows']} test chorale windows and {result['folk_tunes']} folk "
        f"tunes of {result['bars']} bars, {result['seeds']} seeds, 16 candidates each; "
        f"model {result['model']}"
    )
    print(
        "first choice better than the median candidate (tie = half; chance 50%), its ties, "
        "[a bootstrap 90% interval over tunes]:"
    )
    header = f"{'measure':<62} {'held out':>8} " + " ".join(f"{s[:26]:>26}" for s in shown)
    print(header + f" {'target':>7}")
    for measure, (_, text) in hm.MEASURES.items():
        if measure not in table.get("all", {}):
            continue  # a measure newer than the run (its JSON)
        held = "no" if measure in result["shaping_measures"] else "yes"
        cells = []
        for s in shown:
            row = table.get(s, {})
            v, ties = row.get(measure), row.get(measure + "_ties")
            if v is None:
                cells.append("-")
                continue
            interval = row.get(measure + "_interval")  # absent from runs before session 17
            cells.append(
                f"{100 * v:>3.0f}% (ties {100 * ties:>2.0f}%)"
                + (f" [{100 * interval[0]:.0f}-{100 * interval[1]:.0f}]" if interval else "")
            )
        target = f"{100 * TARGETS.get(measure, 0.5):.0f}%"
        print(f"{text[:62]:<62} {held:>8} " + " ".join(f"{c:>26}" for c in cells) + f" {target:>7}")
    print(
        "what ties hide (all sets): beats / ties / loses the median; sets where any candidate "
        "beats the median; the best figure any ranking could reach; at least as good as the "
        "median; beats it where it could be beaten"
    )
    print(
        f"{'measure':<62} {'beats/ties/loses':>17} {'beatable':>8} {'ceiling':>7} "
        f"{'at least as good':>16} {'beats where it could':>20}"
    )
    for measure, (_, text) in hm.MEASURES.items():
        b = table.get("all", {}).get("breakdown", {}).get(measure)
        if b is None:
            continue
        btl = "/".join(f"{100 * b[k]:.0f}" for k in ("beats", "ties", "loses"))
        where = b["beats_where_beatable"]
        print(
            f"{text[:62]:<62} {btl + '%':>17} {100 * b['beatable']:>7.0f}% "
            f"{100 * b['ceiling']:>6.0f}% {100 * b['at_least_as_good']:>15.0f}% "
            + (f"{100 * where:>19.0f}%" if where is not None else f"{'-':>20}")
        )
    print("per folk meter (sets; PCS on the beats, CTnCTR, parallels, voice leading):")
    for name in sorted(n for n in table if n.startswith("folk ") and "all" not in n):
        t = table[name]
        cells = []
        for m in ("pcs_beats", "ctnctr", "parallels", "voice_leading"):
            if t.get(m) is None:
                continue
            interval = t.get(m + "_interval")
            span = f" [{100 * interval[0]:.0f}-{100 * interval[1]:.0f}]" if interval else ""
            cells.append(f"{m} {100 * t[m]:.0f}%{span}")
        print(f"  {name}: {t['sets']} sets; " + ", ".join(cells))
    for refused in result["refused"]:
        print(
            f"  skipped {refused['tunes']} folk tune(s) in {refused['meter']}: {refused['message']}"
        )
    print(
        f"Bach's own accompaniment above the median of its chorale's 16 candidates: "
        f"{100 * result['bach_above_median']:.0f}% of {result['bach_sets']} sets (target 90%)"
    )
    for kind, share in result["bach_above_spoiled"].items():
        print(
            f"Bach's own scored above Bach spoiled ({SPOILED.get(kind, kind)}): "
            f"{100 * share:.0f}% of {result['spoiled_windows']} windows (target 90%)"
        )
    print(
        f"(score_accompaniments against the candidates' ranking scores: max difference "
        f"{result['rescore_max_difference']:.2g}; {result['shifted_windows']} windows skipped "
        f"for a shifted melody; {result['seconds']} s)"
    )


if __name__ == "__main__":
    main()
