"""Does a judge that credits prepared dissonance tell Bach from the candidates where PCS
on the beats cannot?  Issue 18's harmony measure, and a proposal beside it.

Recorded command (validation split; figures in docs/ranking.md, "Fourth pass"):

    python benchmarks/bench_ranking_dissonance.py --seeds 4

Why: on the validation split Bach's own accompaniment is *less* consonant with the melody
on the beat than the model's candidates (suspensions, passing sevenths), so PCS on the
beats (Yeh et al. 2021) puts Bach below the median candidate for most melodies, and a
ranking that chases it must push Bach down: the issue's 75% on PCS and its 90% for
Bach's own above the median pull against each other.  ``harmony_measures.pcs_treated``
scores a dissonance that is prepared (held over, or reached by step) and left by step as
the textbooks allow it; if it puts Bach level with or above the candidates, it is the
measure of "harmony with the melody on strong beats" that does not punish Bach's style.

For every validation melody, its 16 candidates (the app's sampling and clean-up,
``models.ranking_sets``), Bach's own accompaniment and Bach spoiled five ways: the two
measures' means, Bach against the median candidate and against each spoiled copy, the
share of melody-accompaniment pairs on the beats that are treated dissonances, and the
shipped ranking's first choice against the median candidate on both measures (beats /
ties / loses).  Both measures are shaping measures (``harmony_measures.SHAPING_MEASURES``)
and this reads the validation split only (``--split test`` exists, but the test split is
for ``bench_ranking_heldout.py``, once).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch

from composer_gui.core.engine import default_model_path
from models import harmony_measures as hm
from models.build_dataset import default_cache_dir, load_split
from models.checkpoint import load_model
from models.musical_checks import voices_of_rolls
from models.negatives import KINDS
from models.pianoroll import LOWEST_PITCH
from models.ranking import ranking_scores
from models.ranking_sets import candidate_sets

MEASURES = ("pcs_beats", "pcs_treated")  # both: higher is better


def judged(candidate_set) -> np.ndarray:
    """``(roll, 2)``: PCS on the beats and PCS with prepared dissonance credited, for each
    roll of the set (candidates, Bach, spoiled Bach)."""
    voices = voices_of_rolls(candidate_set.rolls)
    voices = np.where(voices >= 0, voices + LOWEST_PITCH, hm.REST)
    w = candidate_set.window
    out = []
    for v in voices:
        texture = hm.texture_from_voices(v, w.steps_per_bar, w.bar_phase)
        out.append([hm.pcs(texture, on_beats=True), hm.pcs_treated(texture)])
    return np.array(out)


def _versus(a: float, b: float) -> float:
    """1 when a is higher, 0.5 on a tie, 0 when lower (NaN: not counted)."""
    if np.isnan(a) or np.isnan(b):
        return np.nan
    return 0.5 if abs(a - b) < 1e-12 else float(a > b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--split", default="valid")
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args()

    started = time.perf_counter()
    torch.manual_seed(0)
    generator, critic, card = load_model(args.model or default_model_path())
    quantiles = card["calibration"]["quantiles"]
    data = load_split(args.data, args.split)
    sets = []
    for seed in range(args.seeds):
        sets += candidate_sets(generator, critic, data, k=16, bars=8, seed=1000 * seed)
    rows = {name: {"bach": [], "cand": [], "median": [], "first": []} for name in MEASURES}
    spoiled = {name: {kind: [] for kind in KINDS} for name in MEASURES}
    for s in sets:
        values = judged(s)
        first = int(np.argmax(ranking_scores(s.critic, s.checks, quantiles)[: s.k]))
        for j, name in enumerate(MEASURES):
            column = values[:, j]
            median = float(np.nanmedian(column[: s.k]))
            rows[name]["bach"].append(column[s.bach])
            rows[name]["cand"].append(float(np.nanmean(column[: s.k])))
            rows[name]["median"].append(_versus(column[s.bach], median))
            rows[name]["first"].append(_versus(column[first], median))
            for kind in KINDS:
                spoiled[name][kind].append(_versus(column[s.bach], column[s.spoiled(kind)]))

    print(f"{len(sets)} {args.split} sets ({args.seeds} seeds) of {sets[0].k} candidates")
    print(
        f"{'measure':<13} {'Bach':>6} {'cands':>6} {'Bach > median':>13} "
        f"{'treated diss.':>13} {'first: beats/ties/loses':>24}  Bach > spoiled " + "/".join(KINDS)
    )
    treated = np.array(rows["pcs_treated"]["bach"]) - np.array(rows["pcs_beats"]["bach"])
    treated_cands = np.array(rows["pcs_treated"]["cand"]) - np.array(rows["pcs_beats"]["cand"])
    for name in MEASURES:
        r = rows[name]
        first = np.array([v for v in r["first"] if not np.isnan(v)])
        btl = "/".join(f"{100 * np.mean(first == v):.0f}" for v in (1.0, 0.5, 0.0))
        diss = (
            f"{50 * np.nanmean(treated):.1f} / {50 * np.nanmean(treated_cands):.1f}%"
            if name == "pcs_treated"
            else "-"
        )
        print(
            f"{name:<13} {np.nanmean(r['bach']):>6.3f} {np.nanmean(r['cand']):>6.3f} "
            f"{100 * np.nanmean(r['median']):>12.0f}% {diss:>13} "
            f"{btl + '%':>24}  "
            + "/".join(f"{100 * np.nanmean(spoiled[name][k]):.0f}" for k in KINDS)
        )
    print(
        "(treated diss.: the share of melody-accompaniment pairs on the beats that are "
        "prepared dissonances left by step, Bach / candidates; "
        f"{time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
