"""Trials of the ranking's checks on the validation split (issue 18, fourth pass).

Recorded command (docs/ranking.md, "Fourth pass"; about 4 minutes on the quiet 2-core
machine, 12 at load 13, most of it drawing the candidate sets):

    python benchmarks/ranking_trials.py --seeds 8

Each trial changes one thing in the checks or their priorities, puts every check on the
scale of a take again and chooses the scale as ``fit_ranking_weights.py`` does (the largest
keeping Bach's own above the median candidate for 90% of validation melodies), then
prints, at that scale: Bach above the median, Bach above each spoiled copy, and how often
the first choice beats the median candidate on the judge's measures that the checks
shape (``harmony_measures.SHAPING_MEASURES``: PCS on the beats, PCS with prepared
dissonance credited, crossing, spacing, leaps, parallels), a tie counting half, with
the share of sets where the median could be beaten at all for the voice-leading ones.

A trial sets a module constant of ``models.musical_checks`` or ``models.consonance`` for
its own run (the leap limit, the share of a resolved dissonance's grade, whether a
dissonance must also be prepared); the shipped checks are what ``fit_ranking_weights.py``
fits.  Validation only: the test split and the folk tunes are for
``bench_ranking_heldout.py``, once.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fit_ranking_weights as fit  # noqa: E402

import models.consonance as consonance  # noqa: E402
import models.musical_checks as checks_module  # noqa: E402
from composer_gui.core.engine import default_model_path  # noqa: E402
from models import harmony_measures as hm  # noqa: E402
from models.build_dataset import default_cache_dir, load_split  # noqa: E402
from models.checkpoint import load_model  # noqa: E402
from models.musical_checks import SHAPING_MEASURES, check_rolls, shaping_rates  # noqa: E402
from models.negatives import KINDS  # noqa: E402
from models.passing import resolves_by_step  # noqa: E402
from models.pianoroll import LOWEST_PITCH  # noqa: E402
from models.ranking import PRIORITIES, critic_units  # noqa: E402

JUDGED = ("pcs_beats", "pcs_treated", "crossing", "spacing", "leaps", "parallels")
HIGHER = {"pcs_beats": True, "pcs_treated": True}
TEXTBOOK_LEAPS = np.array([7, 7, 12])[None, :, None]  # alto, tenor: a fifth; bass: an octave


def prepared_and_resolved(lines: np.ndarray) -> np.ndarray:
    """A note left by step that was also prepared: held from the step before, or reached
    by a step (``models.passing.resolves_by_step`` asks only the first)."""
    lines = np.asarray(lines, dtype=np.int64)
    before = np.full_like(lines, -1)
    before[..., 1:] = lines[..., :-1]
    return resolves_by_step(lines) & (before >= 0) & (lines >= 0) & (np.abs(lines - before) <= 2)


# name: (module constants to set, priorities to change)
TRIALS: dict[str, tuple[dict, dict]] = {
    "shipped checks": ({}, {}),
    "crossing, spacing, leaps at priority 1": (
        {},
        {"voice_crossings": 1, "wide_spacing": 1, "large_leaps": 1},
    ),
    "crossing, spacing, leaps at priority 2": (
        {},
        {"voice_crossings": 2, "wide_spacing": 2, "large_leaps": 2},
    ),
    "crossing and spacing at 0": ({}, {"voice_crossings": 0, "wide_spacing": 0}),
    "leaps at priority 2": ({}, {"large_leaps": 2}),
    "textbook leaps (5th; bass 8ve), priority 1": (
        {"LEAP_LIMIT": TEXTBOOK_LEAPS},
        {"large_leaps": 1},
    ),
    "textbook leaps, priority 2": ({"LEAP_LIMIT": TEXTBOOK_LEAPS}, {"large_leaps": 2}),
    "textbook leaps, priority 3": ({"LEAP_LIMIT": TEXTBOOK_LEAPS}, {"large_leaps": 3}),
    "resolved dissonance at 1/4, prepared too": (
        {"RESOLVED_SHARE": 0.25, "resolves_by_step": prepared_and_resolved},
        {},
    ),
    "resolved dissonance at 0, prepared too": (
        {"RESOLVED_SHARE": 0.0, "resolves_by_step": prepared_and_resolved},
        {},
    ),
}


@contextmanager
def trial(constants: dict, priorities: dict):
    """Set the checks' constants and priorities for one trial, and put them back."""
    modules = {"LEAP_LIMIT": checks_module}
    saved = {name: getattr(modules.get(name, consonance), name) for name in constants}
    saved_priorities = dict(PRIORITIES)
    for name, value in constants.items():
        setattr(modules.get(name, consonance), name, value)
    PRIORITIES.update(priorities)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(modules.get(name, consonance), name, value)
        PRIORITIES.clear()
        PRIORITIES.update(saved_priorities)


def judged(candidate_set) -> np.ndarray:
    """``(roll, len(JUDGED))``: the judge's shaping measures of every roll of the set."""
    voices = checks_module.voices_of_rolls(candidate_set.rolls)
    voices = np.where(voices >= 0, voices + LOWEST_PITCH, hm.REST)
    w = candidate_set.window
    out = []
    for v in voices:
        t = hm.texture_from_voices(v, w.steps_per_bar, w.bar_phase)
        out.append(
            [
                hm.pcs(t, on_beats=True),
                hm.pcs_treated(t),
                hm.crossing_share(t),
                hm.spacing_share(t),
                hm.leap_share(t),
                float(hm.parallel_perfects(t)),
            ]
        )
    return np.array(out)


def first_against_median(values: np.ndarray, first: int, higher: bool):
    """``(outcome, beatable)`` of the first choice against the median candidate."""
    x = values if higher else -values
    median = np.nanmedian(x)
    if np.isnan(x[first]) or np.isnan(median):
        return None
    outcome = 0.5 if abs(x[first] - median) < 1e-12 else float(x[first] > median)
    return outcome, bool(np.nanmax(x) > median + 1e-12)


def run_trial(sets, judge, quantiles) -> tuple[float, dict]:
    sets = [copy.copy(s) for s in sets]
    for s in sets:
        s.checks = check_rolls(s.rolls, s.window.meter, s.window.bar_phase)
    critic_spread, spreads = fit.take_spreads(sets, quantiles)
    scale, _ = fit.choose_scale(sets, quantiles, critic_spread, spreads)
    vector = np.array([fit.weights_for(scale, critic_spread, spreads)[n] for n in SHAPING_MEASURES])
    rows: dict[str, list] = {"bach": [], **{k: [] for k in KINDS}, **{n: [] for n in JUDGED}}
    for s, values in zip(sets, judge):
        score = critic_units(s.critic, quantiles) - shaping_rates(s.checks) @ vector
        rows["bach"].append(fit._better(score[s.bach], float(np.median(score[: s.k]))))
        for kind in KINDS:
            rows[kind].append(fit._better(score[s.bach], score[s.spoiled(kind)]))
        first = int(np.argmax(score[: s.k]))
        for j, name in enumerate(JUDGED):
            result = first_against_median(values[: s.k, j], first, HIGHER.get(name, False))
            if result is not None:
                rows[name].append(result)
    figures = {k: float(np.mean(rows[k])) for k in ("bach", *KINDS)}
    for name in JUDGED:
        figures[name] = float(np.mean([o for o, _ in rows[name]]))
        figures[name + " beatable"] = float(np.mean([b for _, b in rows[name]]))
    return scale, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args()

    started = time.perf_counter()
    torch.manual_seed(0)
    generator, critic, card = load_model(args.model or default_model_path())
    quantiles = card["calibration"]["quantiles"]
    data = load_split(args.data, "valid")
    sets = []
    for seed in range(args.seeds):
        sets += fit.candidate_sets(generator, critic, data, k=16, bars=8, seed=1000 * seed)
    judge = [judged(s) for s in sets]
    print(f"{len(sets)} validation sets ({args.seeds} seeds) of 16 candidates")
    print("Bach against the median candidate, per judge measure (a tie counts half):")
    for j, name in enumerate(JUDGED):
        sign = 1.0 if HIGHER.get(name, False) else -1.0
        bach = [v[s.bach, j] for s, v in zip(sets, judge)]
        median = [np.nanmedian(v[: s.k, j]) for s, v in zip(sets, judge)]
        above = [fit._better(sign * b, sign * m) for b, m in zip(bach, median) if b == b]
        mean = np.nanmean([np.nanmean(v[: s.k, j]) for s, v in zip(sets, judge)])
        print(
            f"  {name:<12} Bach {np.nanmean(bach):.3f}, candidates {mean:.3f}: "
            f"Bach above the median {100 * np.mean(above):.0f}%"
        )
    print("trial (first choice against the median: the issue's figure; for voice leading the")
    print("share of sets where any candidate beats the median in brackets)")
    head = f"{'trial':<44}{'scale':>6}{'Bach':>5} {'spoiled':<16}"
    print(head + "".join(f"{n[:11]:>12}" for n in JUDGED))
    for name, (constants, priorities) in TRIALS.items():
        with trial(constants, priorities):
            scale, f = run_trial(sets, judge, quantiles)
        spoiled = "/".join(f"{100 * f[k]:.0f}" for k in KINDS)
        cells = []
        for n in JUDGED:
            cell = f"{100 * f[n]:.0f}%"
            if n in ("crossing", "spacing", "leaps"):
                cell += f" ({100 * f[n + ' beatable']:.0f})"
            cells.append(f"{cell:>12}")
        print(f"{name[:44]:<44}{scale:>6}{100 * f['bach']:>4.0f}% {spoiled:<16}" + "".join(cells))
    print(f"(spoiled: {'/'.join(KINDS)}; {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
