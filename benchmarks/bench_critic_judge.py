"""Two chorale critics as judges of the same candidates, on the validation split (issue 18).

Recorded command (docs/ranking.md, session 15; about 6 minutes on the quiet 2-core machine):

    python benchmarks/bench_critic_judge.py \
        --model resources/weights/composer-chorales.safetensors \
        --model RUN/composer-chorales.safetensors --seeds 8

The models must share their generator (a critic-only fine-tune): the candidate sets are
drawn once, with the first model's generator, and every critic scores the same rolls
(``models.ranking_sets``' sets, drawn the same way). For each critic it prints:

- the critic alone: Bach's own above the median candidate, Bach above each spoiled kind,
  and the first choice against the median candidate on the judge's shaping measures
  (``ranking_trials.JUDGED``: PCS on the beats, PCS with prepared dissonance credited,
  crossing, spacing, leaps, parallels), a tie counting half;
- its spread within a take (the pooled standard deviation of one melody's 16 candidates,
  in its own critic units) and Bach's gap: how far Bach's own sits above the median
  candidate, in take spreads (the median over melodies), which is the room the checks have
  under the "Bach above the median" constraint;
- the ranking with the shipped checks and priorities, its scale chosen again by
  ``fit_ranking_weights``' rule (the largest keeping Bach above the median for 90% of these
  melodies): the scale, Bach, the spoiled kinds and the judge's measures.

- what the first choice's pairs with the melody on the beats are, against the median
  candidate's: the share that are dissonances a line treats as the textbooks teach
  (``harmony_measures.beat_pairs``: prepared and left by step), untreated dissonances,
  and fourths (PCS's 0), so a change in PCS on the beats and in PCS with prepared
  dissonance credited can be read apart (a diagnostic, not a judge).

The held-out judging measures (CTnCTR, MCTD) and the test split are not read here.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fit_ranking_weights as fit  # noqa: E402
import ranking_trials as trials  # noqa: E402

from models import harmony_measures as hm  # noqa: E402
from models.build_dataset import REST, default_cache_dir, load_split, voices_to_roll  # noqa: E402
from models.checkpoint import load_model  # noqa: E402
from models.encoding import REST_CLASS  # noqa: E402
from models.evaluate import generate_for_window, windows  # noqa: E402
from models.musical_checks import check_rolls  # noqa: E402
from models.negatives import KINDS, beat_dissonance  # noqa: E402
from models.ranking import critic_units  # noqa: E402
from models.ranking_sets import CandidateSet, _spoiled_rolls  # noqa: E402
from models.sampling import critic_scores  # noqa: E402


def shared_sets(generator, critics, data, k: int, bars: int, seed: int) -> list[list]:
    """Per critic, the sets ``ranking_sets.candidate_sets`` draws, scored by that critic."""
    wins = windows(data, bars)
    rng = torch.Generator().manual_seed(seed)
    out: list[list] = [[] for _ in critics]
    for i, w in enumerate(wins):
        with torch.inference_mode():
            cond, rolls = generate_for_window(generator, w, k, seed + i)
        everything = np.concatenate(
            [rolls, voices_to_roll(w.voices)[None], np.stack(_spoiled_rolls(wins, i, rng))]
        )
        checks = check_rolls(everything, w.meter, w.bar_phase)
        trained = trained_kind_roll(w, cond, torch.Generator().manual_seed(seed + i))
        for j, critic in enumerate(critics):
            with torch.inference_mode():
                scores = critic_scores(critic, cond, everything[:, 1:].astype(np.float32))
                trained_score = critic_scores(critic, cond, trained[None, 1:])[0]
            candidate_set = CandidateSet(w, everything, scores, checks, k)
            candidate_set.trained_kind_score = float(trained_score)
            out[j].append(candidate_set)
    return out


def trained_kind_roll(w, cond, rng) -> np.ndarray:
    """Bach's accompaniment of ``w`` spoiled by the trial kind ``beat_dissonance`` (trained
    into the candidate critics, so it shows whether they learnt it, and judges nothing),
    as a roll ``(4, T, P)``."""
    classes = torch.from_numpy(np.where(w.voices[1:] == REST, REST_CLASS, w.voices[1:]))
    t = classes.shape[1]
    moved = beat_dissonance(classes[None], rng, None, cond[..., :t].float())[0].numpy()
    spoiled = np.where(moved == REST_CLASS, REST, moved)
    return voices_to_roll(np.concatenate([w.voices[:1], spoiled])).astype(np.float32)


PAIR_KINDS = ("treated dissonance", "untreated dissonance", "fourth")


def pair_shares(candidate_set) -> np.ndarray:
    """``(roll, 3)``: of each roll's melody-accompaniment pitch-class pairs on the beats
    (``harmony_measures.beat_pairs``), the share of treated dissonances, untreated
    dissonances and fourths."""
    voices = trials.checks_module.voices_of_rolls(candidate_set.rolls)
    voices = np.where(voices >= 0, voices + trials.LOWEST_PITCH, hm.REST)
    w = candidate_set.window
    out = []
    for v in voices:
        weights, treated = hm.beat_pairs(hm.texture_from_voices(v, w.steps_per_bar, w.bar_phase))
        dissonant = weights < 0
        counts = [(dissonant & treated).sum(), (dissonant & ~treated).sum(), (weights == 0).sum()]
        out.append(np.array(counts, dtype=np.float64) / max(len(weights), 1))
    return np.array(out)


def first_pairs(sets, pairs, quantiles, scores_of) -> np.ndarray:
    """Mean over sets of (first choice's share - the median candidate's share), per kind."""
    rows = []
    for s, shares in zip(sets, pairs):
        first = int(np.argmax(scores_of(s)[: s.k]))
        rows.append(shares[first] - np.median(shares[: s.k], axis=0))
    return np.mean(rows, axis=0)


def critic_alone(sets, judge, quantiles) -> dict[str, float]:
    rows: dict[str, list] = {"bach": [], **{kind: [] for kind in KINDS}}
    rows |= {name: [] for name in trials.JUDGED}
    spreads, gaps = [], []
    for s, values in zip(sets, judge):
        z = critic_units(s.critic, quantiles)
        median = float(np.median(z[: s.k]))
        spreads.append(z[: s.k].var())
        rows["bach"].append(fit._better(z[s.bach], median))
        for kind in KINDS:
            rows[kind].append(fit._better(z[s.bach], z[s.spoiled(kind)]))
        first = int(np.argmax(z[: s.k]))
        for j, name in enumerate(trials.JUDGED):
            result = trials.first_against_median(
                values[: s.k, j], first, trials.HIGHER.get(name, False)
            )
            if result is not None:
                rows[name].append(result[0])
        gaps.append(z[s.bach] - median)
        trained = critic_units(np.array([s.trained_kind_score]), quantiles)[0]
        rows.setdefault("beat_dissonance", []).append(fit._better(z[s.bach], trained))
    spread = float(np.sqrt(np.mean(spreads)))
    figures = {name: float(np.mean(v)) for name, v in rows.items()}
    figures["spread"] = spread
    figures["bach gap"] = float(np.median(gaps)) / spread
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, action="append", required=True)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--seeds", type=int, default=8)
    args = parser.parse_args()

    started = time.perf_counter()
    torch.manual_seed(0)
    models = [load_model(path) for path in args.model]
    generator = models[0][0]
    data = load_split(args.data, "valid")
    per_critic: list[list] = [[] for _ in models]
    for seed in range(args.seeds):
        drawn = shared_sets(generator, [m[1] for m in models], data, 16, 8, 1000 * seed)
        for j, sets in enumerate(drawn):
            per_critic[j] += sets
    judge = [trials.judged(s) for s in per_critic[0]]
    pairs = [pair_shares(s) for s in per_critic[0]]
    shares = np.mean([p[: s.k].mean(axis=0) for s, p in zip(per_critic[0], pairs)], axis=0)
    bach = np.mean([p[s.bach] for s, p in zip(per_critic[0], pairs)], axis=0)
    print(
        "pairs with the melody on the beats ("
        + ", ".join(PAIR_KINDS)
        + "): candidates "
        + "/".join(f"{100 * x:.1f}%" for x in shares)
        + ", Bach "
        + "/".join(f"{100 * x:.1f}%" for x in bach)
    )
    beatable = np.mean(
        [p[: s.k].min(axis=0) < np.median(p[: s.k], axis=0) for s, p in zip(per_critic[0], pairs)],
        axis=0,
    )
    print(
        "sets where some candidate has fewer of them than the median candidate: "
        + "/".join(f"{100 * x:.0f}%" for x in beatable)
    )
    print(f"{len(judge)} validation sets ({args.seeds} seeds) of 16 candidates, same rolls")
    spoiled = "/".join(KINDS)
    head = f"{'':<12}{'Bach':>6} {spoiled:<38}" + "".join(f"{n[:11]:>12}" for n in trials.JUDGED)
    for path, (_, _, card), sets in zip(args.model, models, per_critic):
        quantiles = card["calibration"]["quantiles"]
        print(f"\n{path}")
        alone = critic_alone(sets, judge, quantiles)
        print(
            f"  spread within a take {alone['spread']:.3f} critic units; Bach above the "
            f"median candidate by {alone['bach gap']:.2f} take spreads (median); above "
            f"Bach spoiled by beat_dissonance (trained into the trial critics) "
            f"{100 * alone['beat_dissonance']:.0f}%"
        )
        with trials.trial({}, {}):
            scale, ranked = trials.run_trial(sets, judge, quantiles)
            critic_spread, spreads = fit.take_spreads(sets, quantiles)
            weights = fit.weights_for(scale, critic_spread, spreads)
        vector = np.array([weights[n] for n in trials.SHAPING_MEASURES])

        def ranked_score(s, vector=vector, quantiles=quantiles):
            return critic_units(s.critic, quantiles) - trials.shaping_rates(s.checks) @ vector

        for name, scores_of in (
            ("critic alone", lambda s, q=quantiles: critic_units(s.critic, q)),
            (f"ranked {scale}", ranked_score),
        ):
            gap = first_pairs(sets, pairs, quantiles, scores_of)
            print(
                f"  {name}: first choice minus the median candidate, points of pairs: "
                + ", ".join(f"{k} {100 * g:+.2f}" for k, g in zip(PAIR_KINDS, gap))
            )
        print(head)
        for name, f in (("critic alone", alone), (f"ranked {scale}", ranked)):
            kinds = "/".join(f"{100 * f[k]:.0f}" for k in KINDS)
            cells = "".join(f"{100 * f[n]:>11.0f}%" for n in trials.JUDGED)
            print(f"  {name:<10}{100 * f['bach']:>5.0f}% {kinds:<38}" + cells)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
