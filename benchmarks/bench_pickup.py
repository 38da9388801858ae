"""The pickup detector (``melody_grid.pickup_steps``) on labelled folk tunes, and its fit.

Tunes: ``benchmarks/pickup_tunes.py`` (the notation's pickup as the label, each tune
exported with the pickup at tick 0 and read back by the product; disjoint by name from
the corpus and band-styles benchmarks). Per meter and per pickup length (in eighths):

- **bar found**: the detected first downbeat is the notation's;
- **beat found**: it is on one of the notation's beats (a whole-beat error keeps the
  beats right and the bars wrong);
- **shifted, no pickup**: a tune notated without a pickup whose barlines were moved (the
  worst error, counted apart); **missed**: a pickup left at the file's barlines.

Each tune is also measured as its first 8 and 4 notated bars (``excerpt``: what a
musician plays in, or what ``bench_ranking_heldout`` gives the engine), side by side.

``--fit`` learns the per-meter profiles (``composer_gui/core/pickup.py``) on the fitting
part only, chooses the smoothing strength, the tonic (the last note or the key), the last
note's and the pitch's weights, the accent evidence and each meter's margin by 5-fold
cross-validation inside the fitting part, on whole tunes and their excerpts together
(session 17), and writes them to ``--out`` (a temporary file unless told; the product
reads ``resources/weights/pickup-profiles.json``, session 18b's since it shipped). Without
``--fit`` the shipped detector and the session-10 hand-weighted rule (kept here as the
baseline) are measured on the parts ``--part`` names (fit and held-out by default); the
held-out part is for reporting, never for choosing, so a candidate is measured with
``--part fit`` until it is fixed.
``--part fresh`` measures the fresh part (``pickup_tunes.load(fresh=True)``), which
judged session 12's second candidate (read once; docs/meters.md).

Session 18 (docs/meters.md): ``--choose-length`` chooses, on the fitting part, the length
from which session 17's candidate would be read; ``--fit-nested`` and ``--fit-per-meter``
choose settings with each meter's margin also chosen out of fold (``nested_detected``:
session 17's margins were chosen to move none of the fitting items, so its fitting
figures could not see a move); ``--candidate FILE`` measures a profile file beside the
shipped one; ``--part second-fresh`` is the second fresh part, read once.
Session 18b: ``--plain-floor FILE`` puts a changed meter with fewer than ``PLAIN_FLOOR``
fitting tunes without a pickup back to session 11's (``apply_plain_floor``);
``--part third-fresh`` is the third fresh part (2/4 and 6/8), read once. Session 11's
profiles, the baseline every fit is judged against, are read from their record
(``S11_PROFILES``), not from the shipped file; since session 18b's shipped, the
"learned profiles" tables are its, and session 11's are measured with ``--candidate
docs/benchmarks/pickup-profiles-s11.json``.
Session 19: ``--long-margin FILE --meter 2/4`` gives a meter's entry a second margin for
melodies of 12 bars or more (``choose_long_margin``, on every part read before it; the
product reads it through ``pickup.margin_for``); ``--part fourth-fresh`` is the fourth
fresh part (2/4), read once; the decision lines count the pickups found among tunes
notated with one as well.
Session 20: ``--held-last FILE --meter 2/4`` tells a meter's entry that a short last note
does not start a bar (``with_held_last``; ``pickup.last_note_allowed``); ``--part
fifth-fresh`` is the fifth fresh part (2/4), read once.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pickup_tunes as pt  # noqa: E402

from composer_gui.core import pickup  # noqa: E402
from composer_gui.core.melody_grid import pickup_steps  # noqa: E402
from models.pianoroll import Meter  # noqa: E402

STRENGTHS = (100.0, 400.0)  # session 11 also tried 20 and floors of 0.1-1 (never chosen)
FLOORS = (0.0,)
TONICS = ("last", "key")  # pickup.tonic_of
LAST_WEIGHTS = (0.0, 2.0, 5.0)
DEGREE_WEIGHTS = (0.5, 1.0)
ACCENT_EVIDENCES = (1.0, 1.1, 1.2)  # pickup.downbeat_allowed's evidence
MARGINS = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0)


def hand_rule(notes, meter: Meter, evidence: float = 1.2) -> int:
    """Session 10's rule, the baseline: ``pickup.accent_scores`` on its grid of offsets
    (half the smaller of the unit and the beat), taken only with 1.2 times the score of
    the file's barlines."""
    scores = pickup.accent_scores(notes, meter)
    step = max(1, min(meter.unit_steps, min(meter.beat_steps)) // 2)
    grid = np.arange(0, meter.bar_steps, step)
    best = int(grid[np.argmax(scores[grid])])
    return best if scores[best] > evidence * scores[0] else 0


def truth_offset(row: dict, meter: Meter) -> int:
    """The notation's first downbeat, in steps from step 0."""
    return (meter.bar_steps - row["phase"]) % meter.bar_steps


def outcome(row: dict, detected: int) -> dict:
    meter = Meter.of(tuple(int(x) for x in row["meter"].split("/")))
    true = truth_offset(row, meter)
    beat = min(meter.beat_steps)
    return {
        "bar": detected == true,
        "beat": (detected - true) % beat == 0,
        "shifted_no_pickup": row["phase"] == 0 and detected != 0,
        "missed": row["phase"] != 0 and detected == 0,
    }


def summarise(rows: list[dict], detected: list[int], key) -> dict[str, dict]:
    groups = defaultdict(list)
    for row, found in zip(rows, detected):
        groups[key(row)].append(outcome(row, found))
        groups["all"].append(outcome(row, found))
    return {
        group: {"tunes": len(items)} | {k: sum(o[k] for o in items) for k in items[0]}
        for group, items in sorted(groups.items(), key=lambda kv: str(kv[0]))
    }


def pickup_eighths(row: dict) -> str:
    """The pickup's length, in eighths (0: none)."""
    meter = Meter.of(tuple(int(x) for x in row["meter"].split("/")))
    length = truth_offset(row, meter)
    return f"{length / 2:g}" if length else "0"


def table(title: str, summaries: dict[str, dict[str, dict]]) -> list[str]:
    """One row a group, each kind (whole, 8 bars, ...) side by side: tunes, bar found,
    beat found, shifted with no pickup, missed."""
    head = " | ".join(
        f"{kind}: tunes | bar | beat | shifted, no pickup | missed" for kind in summaries
    )
    lines = [f"### {title}", "", f"| | {head} |", "|---|" + "---|" * 5 * len(summaries)]
    for group in next(iter(summaries.values())):
        cells = []
        for summary in summaries.values():
            s = summary.get(group)
            cells += (
                ["", "", "", "", ""]
                if s is None
                else [s["tunes"], s["bar"], s["beat"], s["shifted_no_pickup"], s["missed"]]
            )
        lines.append(f"| {group} | " + " | ".join(str(c) for c in cells) + " |")
    return lines + [""]


def meter_of(row: dict) -> Meter:
    return Meter.of(tuple(int(x) for x in row["meter"].split("/")))


EXCERPT_BARS = (8, 4)  # excerpts measured beside whole tunes (session 17)


def excerpt(row: dict, bars: int) -> dict | None:
    """The tune's first ``bars`` notated bars, the pickup's short bar counted as the
    first (as ``bench_ranking_heldout.folk_melody`` cuts them): cut at a notated barline,
    the pickup still at step 0, a note held over the cut ended there. None when the tune
    is not longer than that (the excerpt would be the whole tune)."""
    bar = meter_of(row).bar_steps
    end = bars * bar - row["phase"]
    if max(n[0] for n in row["notes"]) < end:
        return None
    notes = [(a, min(b, end), p) for a, b, p in row["notes"] if a < end]
    return row | {"notes": notes, "excerpt": bars}


def with_excerpts(rows: list[dict]) -> dict[str, list[dict]]:
    """The rows whole and as each ``EXCERPT_BARS`` excerpt, by kind ("whole", "8 bars")."""
    kinds = {"whole": rows}
    for bars in EXCERPT_BARS:
        cut = (excerpt(r, bars) for r in rows)
        kinds[f"{bars} bars"] = [r for r in cut if r is not None]
    return kinds


def priors(rows: list[dict], tonic: str = "last") -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each meter's smoothing priors (length and degree counts per place): pooled over
    every meter's tunes by the kind of place (accent, place in the beat, beat length)."""
    pooled = defaultdict(lambda: np.zeros(pickup.N_CLASSES))
    pooled_degrees = defaultdict(lambda: np.zeros(pickup.DEGREE_CLASSES))
    places: dict[tuple, int] = defaultdict(int)
    keys = {}
    for name in {r["meter"] for r in rows}:
        meter = meter_of({"meter": name})
        phase, accent = meter.positions(meter.bar_steps)
        keys[name] = [(int(a), int(p), max(meter.beat_steps)) for p, a in zip(phase, accent)]
        for key in keys[name]:
            places[key] += 1
    for row in rows:
        bar = meter_of(row).bar_steps
        notes = sorted(row["notes"])
        degrees = pickup.degree_class(
            np.array([n[2] for n in notes]), pickup.tonic_of(notes, tonic)
        )
        for (a, b, _), degree in zip(notes, degrees):
            key = keys[row["meter"]][(a + row["phase"]) % bar]
            pooled[key][pickup.length_class(np.array([b - a]))[0]] += 1
            pooled_degrees[key][degree] += 1
    return {
        name: (
            np.array([pooled[k] / places[k] for k in keys[name]]) + 0.5,
            np.array([pooled_degrees[k] / places[k] for k in keys[name]]) + 0.5,
        )
        for name in keys
    }


def fit(rows: list[dict], strength: float, floor: float, tonic: str = "last") -> dict[str, dict]:
    prior = priors(rows, tonic)
    fitted = {}
    for name, (lengths, degrees) in prior.items():
        tunes = [(r["notes"], r["phase"]) for r in rows if r["meter"] == name]
        bar = meter_of({"meter": name}).bar_steps
        fitted[name] = pickup.fit_profile(tunes, bar, lengths, degrees, strength, floor, tonic)
    return fitted


def fold_items(
    rows: list[dict], folds: int = 5, bars: tuple[int, ...] = EXCERPT_BARS
) -> list[tuple[dict, int, str]]:
    """Every fitting tune whole and as its excerpts of ``bars`` bars, with its fold (a
    tune's excerpts in its own fold, so no tune is judged by profiles fitted on it) and
    its kind."""
    items = []
    for i, row in enumerate(rows):
        for kind, cut in [("whole", row)] + [(f"{b} bars", excerpt(row, b)) for b in bars]:
            if cut is not None:
                items.append((cut, i % folds, kind))
    return items


def cross_validate(rows: list[dict], folds: int = 5) -> dict:
    """Out-of-fold (gain over offset 0 of each offset, offsets ``downbeat_allowed`` allows)
    of every tune and excerpt (``fold_items``), for every setting."""
    items = fold_items(rows, folds)
    allowed = {
        g: [pickup.downbeat_allowed(r["notes"], meter_of(r), g) for r, _, _ in items]
        for g in ACCENT_EVIDENCES
    }
    results = {}
    for strength, floor, tonic in itertools.product(STRENGTHS, FLOORS, TONICS):
        fitted_by_fold = [
            fit([r for i, r in enumerate(rows) if i % folds != k], strength, floor, tonic)
            for k in range(folds)
        ]
        for last_weight, degree_weight in itertools.product(LAST_WEIGHTS, DEGREE_WEIGHTS):
            weights = {"last_weight": last_weight, "degree_weight": degree_weight, "tonic": tonic}
            scores = [
                pickup.offset_scores(
                    row["notes"], meter_of(row).bar_steps, fitted_by_fold[k][row["meter"]] | weights
                )
                for row, k, _ in items
            ]
            for evidence in ACCENT_EVIDENCES:
                setting = (strength, floor, tonic, last_weight, degree_weight, evidence)
                results[setting] = [
                    (score - score[0], allows, row, kind)
                    for score, allows, (row, _, kind) in zip(scores, allowed[evidence], items)
                ]
    return results


def detected_offset(gain: np.ndarray, allowed: np.ndarray, margin: float) -> int:
    """What ``pickup.learned_pickup`` decides from the same scores."""
    allowed = allowed & (gain > margin)
    return int(np.argmax(np.where(allowed, gain, -np.inf))) if allowed.any() else 0


SESSION_11_MOVED_SHARE = 0.02  # session 11's margins: of its whole tunes without a pickup


def choose_margins(scored, moved_share: float = 0.0) -> tuple[dict[str, float], dict[str, int]]:
    """Per meter, the smallest margin that moves no tune or excerpt notated without a
    pickup out of fold (session 17: excerpts counted, none allowed; session 11's rule,
    given whole tunes alone and ``moved_share`` 2%: at most that share of them), and the
    bars found with it, by kind (whole, 8 bars, 4 bars)."""
    margins, found = {}, defaultdict(int)
    for name in sorted({row["meter"] for _, _, row, _ in scored}):
        mine = [item for item in scored if item[2]["meter"] == name]
        for margin in MARGINS:
            detected = [detected_offset(gain, allows, margin) for gain, allows, _, _ in mine]
            plain = [d for d, item in zip(detected, mine) if item[2]["phase"] == 0]
            allowed_moves = moved_share * max(1, len(plain))
            if sum(d != 0 for d in plain) <= allowed_moves or margin == MARGINS[-1]:
                margins[name] = margin
                for d, (_, _, row, kind) in zip(detected, mine):
                    found[kind] += d == truth_offset(row, meter_of(row))
                break
    return margins, dict(found)


def meter_entries(fitted: dict, margins: dict) -> dict:
    """Each meter's fitted tables and margin, as a profile file holds them
    (``pickup.read_profiles``)."""
    return {
        name: {**{k: np.round(v, 4).tolist() for k, v in tables.items()}, "margin": margins[name]}
        for name, tables in sorted(fitted.items())
    }


def run_fit(rows: list[dict], out: Path) -> None:
    fitting = [r for r in rows if r["part"] == "fit"]
    cv = cross_validate(fitting)
    best = None
    for setting, scored in cv.items():
        margins, found = choose_margins(scored)
        total = sum(found.values())
        print(
            "strength, floor, tonic, last weight, degree weight, accent evidence "
            f"{setting}: {total} bars out of fold {found}"
        )
        if best is None or total > best[3]:
            best = (setting, margins, found, total)
    (strength, floor, tonic, last_weight, degree_weight, evidence), margins, found, _ = best
    fitted = fit(fitting, strength, floor, tonic)
    data = {
        "command": f"python benchmarks/bench_pickup.py --fit --out {out.name}",
        "tunes": len(fitting),
        "strength": strength,
        "floor": floor,
        "tonic": tonic,
        "last_weight": last_weight,
        "degree_weight": degree_weight,
        "accent_evidence": evidence,
        "out_of_fold_bars_found": found,
        "meters": meter_entries(fitted, margins),
    }
    out.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    print(f"chose {best[0]}, margins {margins}; wrote {out}")


def melody_bars(row: dict) -> float:
    """How long the row's melody lasts in its file's bars (``pickup.melody_bars``)."""
    return pickup.melody_bars(row["notes"], meter_of(row).bar_steps)


RECORDS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks"
S17_CANDIDATE = RECORDS / "pickup-profiles-s17-candidate.json"  # 5184808's refit, not shipped
S11_PROFILES = RECORDS / "pickup-profiles-s11.json"  # session 11's fit, as shipped since 89e46d6
CHOICE_BARS = (2, 3, 4, 5, 6, 7, 8)  # excerpts the long profiles' min_bars is chosen on
MIN_BARS = (0.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 16.0, float("inf"))


def file_settings(data: dict) -> tuple[str, float, dict]:
    """A profile file's tonic, accent evidence and scoring weights (session 11's file names
    no tonic nor evidence: the last note and 1.2)."""
    tonic = data.get("tonic", "last")
    evidence = data.get("accent_evidence", pickup.ACCENT_EVIDENCE)
    weights = {
        "last_weight": data["last_weight"],
        "degree_weight": data["degree_weight"],
        "tonic": tonic,
    }
    return tonic, evidence, weights


def out_of_fold_detected(rows: list[dict], items, data: dict, folds: int = 5) -> list[int]:
    """Each item's first downbeat as the detector finds it with profiles refitted, out of
    fold, under a profile file's settings (``data``: its strength, floor, tonic, weights,
    accent evidence and margins, as ``run_fit`` writes them; session 11's file names no
    tonic nor evidence: the last note and 1.2)."""
    tonic, evidence, weights = file_settings(data)
    fitted = [
        fit(
            [r for i, r in enumerate(rows) if i % folds != k],
            data["strength"],
            data["floor"],
            tonic,
        )
        for k in range(folds)
    ]
    detected = []
    for row, k, _ in items:
        meter = meter_of(row)
        gain = pickup.offset_scores(
            row["notes"], meter.bar_steps, fitted[k][row["meter"]] | weights
        )
        allows = pickup.downbeat_allowed(row["notes"], meter, evidence)
        detected.append(
            detected_offset(gain - gain[0], allows, data["meters"][row["meter"]]["margin"])
        )
    return detected


def _scored(train: list[dict], items, data: dict) -> list[tuple]:
    """``choose_margins``' input for ``items`` under profiles fitted on ``train`` with a
    profile file's settings (``data``)."""
    tonic, evidence, weights = file_settings(data)
    fitted = fit(train, data["strength"], data["floor"], tonic)
    out = []
    for row, _, kind in items:
        meter = meter_of(row)
        gain = pickup.offset_scores(row["notes"], meter.bar_steps, fitted[row["meter"]] | weights)
        out.append(
            (gain - gain[0], pickup.downbeat_allowed(row["notes"], meter, evidence), row, kind)
        )
    return out


def nested_detected(
    rows: list[dict], items, data: dict, session_11: bool = False, folds: int = 5
) -> list[int]:
    """As ``out_of_fold_detected``, but each meter's margin also chosen without the item's
    fold, by its own session's rule (``choose_margins`` on the other folds' items, scored
    out of fold among those folds): session 17's (none of the tunes and 8- and 4-bar
    excerpts without a pickup moved) or with ``session_11`` session 11's (whole tunes,
    at most 2% moved). Session 17's margins were chosen to move no fitting tune or
    excerpt without a pickup out of fold, so with them the fitting part counts no such
    move however the profiles do elsewhere; this is the estimate that sees it."""
    bars = () if session_11 else EXCERPT_BARS
    share = SESSION_11_MOVED_SHARE if session_11 else 0.0
    detected = [0] * len(items)
    for k in range(folds):
        inner_rows = [(i, r) for i, r in enumerate(rows) if i % folds != k]
        inner = []
        for j in range(folds):
            if j == k:
                continue
            train = [r for i, r in inner_rows if i % folds != j]
            test = [
                (cut, j, kind)
                for i, r in inner_rows
                if i % folds == j
                for kind, cut in [("whole", r)] + [(f"{b} bars", excerpt(r, b)) for b in bars]
                if cut is not None
            ]
            inner += _scored(train, test, data)
        margins, _ = choose_margins(inner, share)
        mine = [n for n, (_, fold, _) in enumerate(items) if fold == k]
        scored = _scored([r for _, r in inner_rows], [items[n] for n in mine], data)
        for n, (gain, allows, row, _) in zip(mine, scored):
            detected[n] = detected_offset(gain, allows, margins[row["meter"]])
    return detected


def length_table(items, short: list[int], long: list[int]) -> dict[float, tuple[int, int]]:
    """Print, per ``MIN_BARS``, the bars found and the melodies without a pickup moved
    when the ``long`` detections are taken from min_bars bars on and ``short`` below;
    return them (all kinds together)."""
    spans = [melody_bars(row) for row, _, _ in items]
    kinds = ["whole"] + [f"{b} bars" for b in CHOICE_BARS]
    print("| min_bars | " + " | ".join(kinds) + " | all |")
    print("|---|" + "---|" * (len(kinds) + 1))
    results = {}
    for min_bars in MIN_BARS:
        found, moved = defaultdict(int), defaultdict(int)
        for (row, _, kind), s, lg, span in zip(items, short, long, spans):
            detected = lg if span >= min_bars else s
            found[kind] += detected == truth_offset(row, meter_of(row))
            moved[kind] += row["phase"] == 0 and detected != 0
        results[min_bars] = (sum(found.values()), sum(moved.values()))
        cells = [f"{found[k]} / {moved[k]}" for k in kinds]
        total = f"{results[min_bars][0]} / {results[min_bars][1]}"
        print(f"| {min_bars:g} | " + " | ".join(cells) + f" | {total} |")
    return results


def choose_min_bars(rows: list[dict]) -> float:
    """The length in bars (``melody_bars``) from which the long melodies' profiles
    are read, chosen on the fitting part alone: each fitting tune whole and cut to 2 ...
    8 bars, detected out of fold under session 11's settings (shipped) and session 17's,
    each with its margins chosen out of fold too by its own session's rule
    (``nested_detected``). The rule (session 18, docs/meters.md): of the ``MIN_BARS``,
    those whose melodies notated without a pickup that are moved are no more than session
    11's alone (min_bars infinite); of those, the most bars found; a tie goes to the
    longer min_bars (the shipped behaviour kept on more melodies). The same table with
    the files' own margins (session 17's chosen on these items to move none) is printed
    first; it cannot see the long profiles' moves and is not read by the rule."""
    fitting = [r for r in rows if r["part"] == "fit"]
    items = fold_items(fitting, bars=CHOICE_BARS)
    shipped = json.loads(S11_PROFILES.read_text())
    candidate = json.loads(S17_CANDIDATE.read_text())
    print(
        f"{len(fitting)} fitting tunes, {len(items)} tunes and excerpts. Per min_bars: "
        "bars found / moved without a pickup, by kind, then all."
    )
    print("\nout of fold, each file's margins as chosen on these items (not read):\n")
    short = out_of_fold_detected(fitting, items, shipped)
    length_table(items, short, out_of_fold_detected(fitting, items, candidate))
    print("\nout of fold, each session's margins chosen out of fold too (the rule reads this):\n")
    short = nested_detected(fitting, items, shipped, session_11=True)
    results = length_table(items, short, nested_detected(fitting, items, candidate))
    shipped_moved = results[float("inf")][1]
    allowed = [m for m in MIN_BARS if results[m][1] <= shipped_moved]
    chosen = max(allowed, key=lambda m: (results[m][0], m))
    print(
        f"\nchose min_bars {chosen:g}: {results[chosen][0]} bars found, "
        f"{results[chosen][1]} moved (session 11 alone: {results[float('inf')][0]}, "
        f"{shipped_moved})"
    )
    return chosen


def settings_grid() -> list[dict]:
    """Every setting ``--fit`` tries, as a profile file's settings."""
    return [
        {
            "strength": strength,
            "floor": floor,
            "tonic": tonic,
            "last_weight": last_weight,
            "degree_weight": degree_weight,
            "accent_evidence": evidence,
        }
        for strength, floor, tonic, last_weight, degree_weight, evidence in itertools.product(
            STRENGTHS, FLOORS, TONICS, LAST_WEIGHTS, DEGREE_WEIGHTS, ACCENT_EVIDENCES
        )
    ]


def run_fit_nested(rows: list[dict], out: Path) -> None:
    """Session 18's fit, on the fitting part alone: every ``--fit`` setting and every
    ``MIN_BARS`` (its profiles from that length on, session 11's below), judged by
    ``nested_detected`` (margins chosen out of fold too) on each fitting tune whole and
    cut to 2 ... 8 bars, against session 11's settings judged the same way. The rule
    (docs/meters.md, "Session 18", written before it was run): of the (setting,
    min_bars) whose melodies without a pickup that are moved are no more than session
    11's, the most bars found; a tie goes to the longer min_bars. The chosen setting's
    profiles are fitted on the whole fitting part, its margins by session 17's rule
    (``choose_margins`` on the tunes and 8- and 4-bar excerpts, out of fold), and written
    to ``out`` with its ``min_bars``."""
    fitting = [r for r in rows if r["part"] == "fit"]
    items = fold_items(fitting, bars=CHOICE_BARS)
    spans = np.array([melody_bars(row) for row, _, _ in items])
    truth = np.array([truth_offset(row, meter_of(row)) for row, _, _ in items])
    plain = np.array([row["phase"] == 0 for row, _, _ in items])
    shipped = json.loads(S11_PROFILES.read_text())
    short = np.array(nested_detected(fitting, items, shipped, session_11=True))
    base = (int((short == truth).sum()), int((plain & (short != 0)).sum()))
    print(f"session 11, nested: {base[0]} bars found, {base[1]} moved of {len(items)}")
    best = None
    for setting in settings_grid():
        long = np.array(nested_detected(fitting, items, setting))
        per_length = []
        for min_bars in MIN_BARS:
            detected = np.where(spans >= min_bars, long, short)
            found = int((detected == truth).sum())
            moved = int((plain & (detected != 0)).sum())
            per_length.append((min_bars, found, moved))
            if moved <= base[1] and (best is None or (found, min_bars) > (best[2], best[1])):
                best = (setting, min_bars, found, moved)
        everywhere = per_length[0]
        allowed = [x for x in per_length if x[2] <= base[1]]
        top = max(allowed, key=lambda x: (x[1], x[0]))
        print(
            f"{tuple(setting.values())}: everywhere {everywhere[1]} found, {everywhere[2]} moved; "
            f"best allowed min_bars {top[0]:g}: {top[1]} found, {top[2]} moved"
        )
    setting, min_bars, found, moved = best
    print(f"chose {setting}, min_bars {min_bars:g}: {found} found, {moved} moved (nested)")
    scored = []
    for k in range(5):
        train = [r for i, r in enumerate(fitting) if i % 5 != k]
        scored += _scored(train, [x for x in fold_items(fitting) if x[1] == k], setting)
    margins, oof_found = choose_margins(scored)
    fitted = fit(fitting, setting["strength"], setting["floor"], setting["tonic"])
    data = {
        "command": f"python benchmarks/bench_pickup.py --fit-nested --out {out.name}",
        "tunes": len(fitting),
        **setting,
        "min_bars": min_bars,
        "nested_bars_found": found,
        "nested_moved_without_pickup": moved,
        "session_11_nested": {"bars_found": base[0], "moved_without_pickup": base[1]},
        "out_of_fold_bars_found": oof_found,
        "meters": meter_entries(fitted, margins),
    }
    out.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    print(f"margins {margins}; wrote {out}")


PER_METER_Z = 2.0  # a meter's gain, over its tunes' spread, needed to change its setting


def clustered_z(gains: dict[str, int]) -> float:
    """The sum of per-tune gains (bars found, the tune whole and its excerpts together)
    over its spread: sum / sqrt(sum of squares). A tune's excerpts share its notes, so
    they are one observation, not eight."""
    values = np.array(list(gains.values()), dtype=float)
    spread = np.sqrt((values**2).sum())
    return float(values.sum() / spread) if spread else 0.0


def session_11_entry(session_11: dict, name: str) -> dict:
    """Session 11's entry for meter ``name``, with that file's weights written into it, as
    a per-meter file keeps a meter it leaves unchanged (``pickup.read_profiles`` reads it
    as session 11's file does)."""
    return session_11["meters"][name] | {
        "last_weight": session_11["last_weight"],
        "degree_weight": session_11["degree_weight"],
        "tonic": "last",
        "accent_evidence": pickup.ACCENT_EVIDENCE,
    }


def run_fit_per_meter(rows: list[dict], out: Path) -> None:
    """Session 18's fit, on the fitting part alone: each meter's setting chosen apart.
    Every ``--fit`` setting is judged by ``nested_detected`` (margins chosen out of fold
    too) on each fitting tune whole and cut to 2 ... 8 bars, against session 11's
    profiles judged the same way. The rule (docs/meters.md, "Session 18", written before
    it was run): per meter, of the settings whose melodies without a pickup that are
    moved are no more than session 11's in that meter, the one with the most bars found;
    the meter takes it only if its gain over session 11's is more than ``PER_METER_Z``
    times the gain's spread over tunes (``clustered_z``), and keeps session 11's entry
    otherwise. A changed meter's profiles are fitted on the whole fitting part, its
    margin by session 17's rule (``choose_margins``: no tune or 8- or 4-bar excerpt
    without a pickup moved out of fold), its weights in its entry; the file is written to
    ``out``."""
    fitting = [r for r in rows if r["part"] == "fit"]
    items = fold_items(fitting, bars=CHOICE_BARS)
    truth = np.array([truth_offset(row, meter_of(row)) for row, _, _ in items])
    plain = np.array([row["phase"] == 0 for row, _, _ in items])
    meters = np.array([row["meter"] for row, _, _ in items])
    tunes = [row["name"] for row, _, _ in items]
    shipped = json.loads(S11_PROFILES.read_text())
    short = np.array(nested_detected(fitting, items, shipped, session_11=True))
    by_setting = {
        tuple(setting.values()): (setting, np.array(nested_detected(fitting, items, setting)))
        for setting in settings_grid()
    }
    data = {
        "command": f"python benchmarks/bench_pickup.py --fit-per-meter --out {out.name}",
        "tunes": len(fitting),
        **{k: shipped[k] for k in ("strength", "floor", "last_weight", "degree_weight")},
        "tonic": "last",
        "accent_evidence": pickup.ACCENT_EVIDENCE,
        "meters": {},
    }
    print("| meter | session 11: found / moved | chosen | found / moved | z | taken |")
    print("|---|---|---|---|---|---|")
    for name in sorted(set(meters)):
        mine = meters == name
        found_short = int(((short == truth) & mine).sum())
        moved_short = int((plain & (short != 0) & mine).sum())
        best = None
        for setting, long in by_setting.values():
            found = int(((long == truth) & mine).sum())
            moved = int((plain & (long != 0) & mine).sum())
            if moved <= moved_short and (best is None or found > best[1]):
                best = (setting, found, moved, long)
        setting, found, moved, long = best
        gains: dict[str, int] = defaultdict(int)
        for n in np.flatnonzero(mine):
            gains[tunes[n]] += int(long[n] == truth[n]) - int(short[n] == truth[n])
        z = clustered_z(gains)
        taken = found > found_short and z > PER_METER_Z
        print(
            f"| {name} | {found_short} / {moved_short} | {tuple(setting.values())} | "
            f"{found} / {moved} | {z:.2f} | {'yes' if taken else 'no'} |"
        )
        if not taken:
            data["meters"][name] = session_11_entry(shipped, name)
            continue
        scored = []
        for k in range(5):
            train = [r for i, r in enumerate(fitting) if i % 5 != k]
            test = [x for x in fold_items(fitting) if x[1] == k and x[0]["meter"] == name]
            scored += _scored(train, test, setting)
        margins, _ = choose_margins(scored)
        tables = fit(fitting, setting["strength"], setting["floor"], setting["tonic"])[name]
        data["meters"][name] = {
            **{k: np.round(v, 4).tolist() for k, v in tables.items()},
            "margin": margins[name],
            **{k: setting[k] for k in ("strength", "tonic", "last_weight", "degree_weight")},
            "accent_evidence": setting["accent_evidence"],
            "nested_bars_found": [found_short, found],
            "nested_moved_without_pickup": [moved_short, moved],
        }
    out.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {out}")


PLAIN_FLOOR = 10  # fitting tunes without a pickup a meter's changed setting is chosen on


def command_line(args: argparse.Namespace) -> str:
    """The command that printed a measuring run's figures, as the record quotes it: its
    part, and the candidate file measured beside the shipped profiles with the bars it is
    read from (session 18's records left ``--candidate`` out, so the line did not rerun
    what they show)."""
    words = ["python benchmarks/bench_pickup.py", f"--part {args.part}"]
    if args.candidate:
        words.append(f"--candidate {args.candidate}")
        if args.min_bars:
            words.append(f"--min-bars {args.min_bars:g}")
    if args.md:
        words.append(f"--md {args.md}")
    return " ".join(words)


def changed_meters(candidate: dict, session_11: dict) -> list[str]:
    """The meters whose entry in the ``candidate`` file reads differently from session
    11's (its tables, margin, weights, tonic or accent evidence)."""

    def reads(data: dict, name: str) -> dict:
        entry = data["meters"][name]
        return {k: entry[k] for k in ("notes", "degrees", "last", "margin")} | {
            "last_weight": entry.get("last_weight", data["last_weight"]),
            "degree_weight": entry.get("degree_weight", data["degree_weight"]),
            "tonic": entry.get("tonic", data.get("tonic", "last")),
            "accent_evidence": entry.get(
                "accent_evidence", data.get("accent_evidence", pickup.ACCENT_EVIDENCE)
            ),
        }

    return sorted(
        name for name in candidate["meters"] if reads(candidate, name) != reads(session_11, name)
    )


def apply_plain_floor(
    rows: list[dict], candidate: dict, session_11: dict, floor: int = PLAIN_FLOOR
) -> dict:
    """The ``candidate`` file with each changed meter (``changed_meters``) whose fitting
    part has fewer than ``floor`` tunes notated without a pickup put back to session
    11's entry (session 18b, docs/meters.md). A changed meter's margin is the smallest
    that moves none of its fitting tunes without a pickup (nor their 8- and 4-bar
    excerpts): on n such tunes, none moved bounds the share a fresh part would move only
    below about 3/n (95%, the rule of three), so on under 10 it bounds nothing a musician
    would accept (12/8's 3 tunes: none)."""
    fitting = [r for r in rows if r["part"] == "fit"]
    plain = {
        name: sum(r["phase"] == 0 for r in fitting if r["meter"] == name)
        for name in candidate["meters"]
    }
    reverted = [name for name in changed_meters(candidate, session_11) if plain[name] < floor]
    meters = {
        name: session_11_entry(session_11, name) if name in reverted else entry
        for name, entry in candidate["meters"].items()
    }
    return candidate | {
        "plain_floor": floor,
        "fitting_tunes_without_a_pickup": plain,
        "put_back_to_session_11": reverted,
        "meters": meters,
    }


READ_PARTS = ("fit", "held-out", "fresh", "second-fresh", "third-fresh")  # read before session 19
LONG_FROM_BARS = (8.5, 10.0, 12.0, 16.0)  # 8.5: past every 8-bar excerpt (at most 8 bars)


def choose_long_margin(rows: list[dict], base: dict, name: str) -> dict:
    """Session 19's candidate: ``base`` (a profile file's data) with meter ``name``'s entry
    given a second margin for long melodies (``pickup.margin_for``), chosen on every part
    read before session 19 (``READ_PARTS``; all in sample for choosing), the meter's tunes
    whole and cut to 8 and 4 bars. The rule (docs/meters.md, "Session 19"): of every
    ``MARGINS`` x ``LONG_FROM_BARS``, those that move no more melodies notated without a
    pickup than ``base`` does, the most bars found; a tie goes to the larger margin, then
    the longer length (the nearer to ``base``). Nothing else in the entry changes, so a
    melody shorter than the chosen length is read exactly as ``base`` reads it."""
    entry = pickup.profiles_from_data(base)[name]
    items = []
    for row in rows:
        if row["meter"] != name or row["part"] not in READ_PARTS:
            continue
        for cut in [row] + [excerpt(row, b) for b in EXCERPT_BARS]:
            if cut is None:
                continue
            meter = meter_of(cut)
            gain = pickup.offset_scores(cut["notes"], meter.bar_steps, entry)
            allows = pickup.downbeat_allowed(cut["notes"], meter, entry["accent_evidence"])
            items.append(
                (gain - gain[0], allows, truth_offset(cut, meter), cut["phase"] == 0,
                 melody_bars(cut), cut.get("excerpt", "whole"))
            )  # fmt: skip

    def measure(margin: float, from_bars: float) -> tuple[int, int, dict]:
        found, moved, by_kind = 0, 0, defaultdict(int)
        for gain, allows, truth, plain, bars, kind in items:
            used = margin if bars >= from_bars else entry["margin"]
            detected = detected_offset(gain, allows, used)
            found += detected == truth
            by_kind[kind] += detected == truth
            moved += plain and detected != 0
        return found, moved, dict(by_kind)

    base_found, base_moved, base_kinds = measure(entry["margin"], float("inf"))
    print(f"{name}, {len(items)} tunes and excerpts of {', '.join(READ_PARTS)}")
    print(f"base (margin {entry['margin']} at every length): {base_found} found "
          f"{base_kinds}, {base_moved} moved")  # fmt: skip
    print("| long margin | from bars | found | moved |\n|---|---|---|---|")
    best = None
    for from_bars in LONG_FROM_BARS:
        for margin in MARGINS:
            found, moved, kinds = measure(margin, from_bars)
            print(f"| {margin} | {from_bars:g} | {found} {kinds} | {moved} |")
            key = (found, margin, from_bars)
            if moved <= base_moved and (best is None or key > best[0]):
                best = (key, moved, kinds)
    (found, margin, from_bars), moved, kinds = best
    print(f"chose long margin {margin} from {from_bars:g} bars: {found} found, {moved} moved")
    meters = dict(base["meters"])
    meters[name] = meters[name] | {
        "long_margin": margin,
        "long_from_bars": from_bars,
        "long_margin_chosen_on": {
            "parts": list(READ_PARTS),
            "bars_found": [base_found, found],
            "bars_found_by_kind": [base_kinds, kinds],
            "moved_without_pickup": [base_moved, moved],
        },
    }
    return base | {"meters": meters}


HELD_LAST_STEPS = 4  # session 20: a beat in 2/4; a last note shorter than it does not start a bar


def with_held_last(base: dict, name: str, steps: int = HELD_LAST_STEPS) -> dict:
    """Session 20's candidate: ``base`` (a profile file's data) with meter ``name``'s entry
    told that a melody's last note, when shorter than ``steps`` steps, does not start a
    bar (``pickup.last_note_allowed``). Nothing is fitted or chosen on data: the rule only
    takes offsets away, so it cannot move a melody notated without a pickup that ``base``
    leaves alone (docs/meters.md, "Session 20")."""
    meters = dict(base["meters"])
    meters[name] = meters[name] | {"held_last_steps": steps}
    return base | {"meters": meters}


def cost(rows: list[dict], repeats: int = 200) -> list[str]:
    """The shipped detector's time on the first fitting tune of 32 bars or more, cut to 32
    and to 8 bars (it runs once per request; bench_engine's latency is the engine's)."""
    row = next(r for r in rows if r["part"] == "fit" and excerpt(r, 32))
    lines = []
    for bars in (32, 8):
        cut = excerpt(row, bars)
        meter = meter_of(cut)
        pickup_steps(cut["notes"], meter)  # profiles read once
        started = time.perf_counter()
        for _ in range(repeats):
            pickup_steps(cut["notes"], meter)
        per_call = (time.perf_counter() - started) / repeats * 1000
        lines.append(
            f"{bars} bars of {row['meter']} ({len(cut['notes'])} notes, {row['name']}): "
            f"{per_call:.3f} ms a call"
        )
    return lines


def rule_lines(kinds: dict[str, list[dict]], before: dict, after: dict) -> list[str]:
    """A decision's figures, the shipped detector against a candidate: bars found, the
    pickups among them (tunes notated with one, session 19's rule), and melodies notated
    without a pickup moved, per kind and over all (docs/meters.md, "Session 18")."""
    lines = ["| shipped -> candidate | " + " | ".join(kinds) + " | all |"]
    lines.append("|---|" + "---|" * (len(kinds) + 1))
    fields = (
        ("bars found", "bar", lambda r: True),
        ("pickups found (tunes with one)", "bar", lambda r: r["phase"] != 0),
        ("without a pickup, moved", "shifted_no_pickup", lambda r: r["phase"] == 0),
    )
    for label, field, which in fields:
        cells, totals = [], [0, 0]
        for kind, all_rows in kinds.items():
            picked = [n for n, r in enumerate(all_rows) if which(r)]
            rows = [all_rows[n] for n in picked]
            was = summarise(rows, [before[kind][n] for n in picked], meter_of)["all"][field]
            now = summarise(rows, [after[kind][n] for n in picked], meter_of)["all"][field]
            counted = rows
            cells.append(f"{was} -> {now} of {len(counted)}")
            totals = [totals[0] + was, totals[1] + now]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {totals[0]} -> {totals[1]} |")
    return lines + [""]


def write_candidate(data: dict, option: str, args: argparse.Namespace) -> None:
    """Write a candidate profile file with the command that made it."""
    data["command"] = (
        f"python benchmarks/bench_pickup.py {option} --meter {args.meter} --out {args.out}"
    )
    args.out.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    print(f"wrote {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="fit the profiles and write them")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "pickup-profiles-candidate.json",
        help="where --fit writes (the product reads resources/weights/pickup-profiles.json; "
        "session 18b's per-meter profiles are shipped: docs/meters.md)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the labelled set")
    parser.add_argument("--md", type=Path, default=None, help="write the tables here")
    parser.add_argument(
        "--part",
        choices=(
            "fit",
            "held-out",
            "both",
            "fresh",
            "second-fresh",
            "third-fresh",
            "fourth-fresh",
            "fifth-fresh",
        ),  # fmt: skip
        default="both",
        help="the part(s) to measure ('both': fit and held-out; 'held-out', 'fresh', "
        "'second-fresh', 'third-fresh', 'fourth-fresh', 'fifth-fresh' judge)",
    )
    parser.add_argument(
        "--plain-floor",
        type=Path,
        default=None,
        metavar="FILE",
        help="write FILE's profiles to --out with each changed meter whose fitting part has "
        f"fewer than {PLAIN_FLOOR} tunes without a pickup put back to session 11's",
    )
    parser.add_argument(
        "--long-margin",
        type=Path,
        default=None,
        metavar="FILE",
        help="write FILE's profiles to --out with --meter's entry given a margin for long "
        "melodies, chosen on the parts read before session 19 (choose_long_margin)",
    )
    parser.add_argument(
        "--held-last",
        type=Path,
        default=None,
        metavar="FILE",
        help="write FILE's profiles to --out with --meter's entry told that a short last "
        "note does not start a bar (with_held_last)",
    )
    parser.add_argument("--meter", default="2/4", help="with --long-margin or --held-last")
    parser.add_argument("--cost", action="store_true", help="time the detector, 32 and 8 bars")
    parser.add_argument(
        "--choose-length",
        action="store_true",
        help="choose, on the fitting part, the length from which the long profiles are read",
    )
    parser.add_argument(
        "--candidate",
        type=Path,
        default=None,
        help="also measure this profile file (read from --min-bars bars on, the shipped "
        "profiles below) and print the decision figures",
    )
    parser.add_argument("--min-bars", type=float, default=0.0, help="with --candidate")
    parser.add_argument(
        "--fit-per-meter",
        action="store_true",
        help="session 18's fit: each meter's setting chosen apart, with nested margins",
    )
    parser.add_argument(
        "--fit-nested",
        action="store_true",
        help="session 18's fit: setting and min_bars chosen with nested margins",
    )
    args = parser.parse_args()
    rows = pt.load(
        args.rebuild,
        fresh=args.part == "fresh",
        second_fresh=args.part == "second-fresh",
        third_fresh=args.part == "third-fresh" or args.long_margin is not None,
        fourth_fresh=args.part == "fourth-fresh",
        fifth_fresh=args.part == "fifth-fresh",
    )
    if args.plain_floor:
        data = apply_plain_floor(
            rows, json.loads(args.plain_floor.read_text()), json.loads(S11_PROFILES.read_text())
        )
        data["command"] = (
            f"python benchmarks/bench_pickup.py --plain-floor {args.plain_floor} --out {args.out}"
        )
        args.out.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
        print(f"put back to session 11's: {data['put_back_to_session_11']}; wrote {args.out}")
        return
    if args.long_margin:
        data = choose_long_margin(rows, json.loads(args.long_margin.read_text()), args.meter)
        write_candidate(data, f"--long-margin {args.long_margin}", args)
        return
    if args.held_last:
        data = with_held_last(json.loads(args.held_last.read_text()), args.meter)
        write_candidate(data, f"--held-last {args.held_last}", args)
        return
    if args.cost:
        print("\n".join(cost(rows)))
        return
    if args.choose_length:
        choose_min_bars(rows)
        return
    if args.fit_nested:
        run_fit_nested(rows, args.out)
        return
    if args.fit_per_meter:
        run_fit_per_meter(rows, args.out)
        return
    if args.fit:
        run_fit(rows, args.out)
        return
    lines = [f"Command: `{command_line(args)}`", ""]
    for part in ("fit", "held-out") if args.part == "both" else (args.part,):
        kinds = with_excerpts([r for r in rows if r["part"] == part])
        started = time.perf_counter()
        shipped = {k: [pickup_steps(r["notes"], meter_of(r)) for r in v] for k, v in kinds.items()}
        per_tune = (time.perf_counter() - started) / sum(map(len, kinds.values())) * 1000
        baseline = {k: [hand_rule(r["notes"], meter_of(r)) for r in v] for k, v in kinds.items()}
        detectors = [("session-10 hand rule", baseline), ("learned profiles", shipped)]
        if args.candidate:
            profile_set = pickup.read_profiles(args.candidate)
            candidate = {
                k: [
                    pickup.learned_pickup(
                        r["notes"],
                        meter_of(r),
                        profile_set if melody_bars(r) >= args.min_bars else None,
                    )
                    or 0
                    for r in v
                ]
                for k, v in kinds.items()
            }
            detectors.append((f"candidate from {args.min_bars:g} bars", candidate))
        for name, found in detectors:
            for by, key in (("meter", lambda r: r["meter"]), ("pickup (eighths)", pickup_eighths)):
                summaries = {k: summarise(v, found[k], key) for k, v in kinds.items()}
                lines += table(f"{part} part, {name}, by {by}", summaries)
        lines.append(f"({part}: the shipped detector took {per_tune:.2f} ms a tune or excerpt)\n")
        if args.candidate:
            lines += rule_lines(kinds, shipped, candidate)
    text = "\n".join(lines)
    print(text)
    if args.md:
        args.md.write_text(text + "\n")


if __name__ == "__main__":
    main()
