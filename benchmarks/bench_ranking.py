"""Is the critic's ranking worth showing?  Over a split (test by default): how often the
critic's top-ranked of 16 candidates is closer to real Bach's metrics than the median candidate.

Closeness is ``models.metrics.distance_to_reference`` against the split's own Bach
row (empty bars, pitch classes per bar, qualified notes, polyphony, in-key).  A critic that
ranked at random would score about 50%.  Two more figures say what that one can mean: how
often Bach's own accompaniment of the melody would pass the same test (what a ranker that
knew Bach's answer could score), how often the critic's top candidate is closer to
Bach's harmony for the melody (``harmonic_agreement.harmonic_agreement``) than the median candidate,
and how often it moves in parallel octaves and fifths less often than the median candidate
(``metrics.parallel_perfect_rate``, the textbook fault).  A tie counts half.  Two more
lines put the harmony test in context: a consensus pick that needs no critic
(``harmonic_agreement.harmony_consensus``), and the first test's own favourite, the candidate
closest to Bach's metrics.  Last, why the first test and the critic disagree: the
critic's correlation with pitch classes per bar, and how far Bach's lie above the
candidates'.
``--split train`` asks whether a critic fine-tuned on the training melodies
(``composer-gui train-ranking``) fits the target there at all: the reference is then the
stage's ``--closeness-to corpus`` label (Bach over up to four windows per chorale; the
shipped stage's sampled labels have no single reference), and the candidates are
fresh draws (but for the first melody at seed 0, which the stage drew the same way).
"The critic's top candidate" is the first choice of ``--ranking``: ``checked`` (default)
ranks as the engine does, the critic less the musical checks' penalties (``models.ranking``);
``critic`` by the critic alone.
Usage: python benchmarks/bench_ranking.py [--model PATH] [--bars 8] [--seeds 3] [--split test]
       [--ranking checked|critic]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from composer_gui.core.engine import default_model_path
from models.build_dataset import default_cache_dir, load_split
from models.checkpoint import load_model
from models.critic_ranking import RankingConfig
from models.evaluate import bach_reference, ranking_quality, windows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--split", default="test", choices=["train", "valid", "test"])
    parser.add_argument(
        "--ranking",
        default="checked",
        choices=["checked", "critic"],
        help="rank as the engine does (the critic less the checks' penalties) or by the "
        "critic alone",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    generator, critic, card = load_model(args.model or default_model_path())
    quantiles = card["calibration"]["quantiles"] if args.ranking == "checked" else None
    data = load_split(args.data, args.split)
    wins = windows(data, args.bars)
    if args.split == "train":  # what train-ranking --closeness-to corpus labelled against
        per_piece = RankingConfig().windows_per_chorale
        reference = bach_reference(windows(data, args.bars, per_piece=per_piece))
    else:
        reference = bach_reference(wins)
    results = [
        ranking_quality(generator, critic, data, reference, 16, args.bars, 1000 * s, quantiles)
        for s in range(args.seeds)
    ]
    print(
        f"{len(wins)} {args.split} melodies x {args.seeds} seeds, 16 candidates of {args.bars} "
        f"bars, ranked by the {'critic with the musical checks' if quantiles else 'critic alone'}"
    )
    lines = (
        ("critic", "critic's top candidate closer to Bach's metrics than the median candidate"),
        ("bach_own", "Bach's own accompaniment closer to Bach's metrics than the median candidate"),
        ("harmony", "critic's top candidate closer to Bach's harmony than the median candidate"),
        (
            "voice_leading",
            "critic's top candidate with fewer parallel octaves/fifths than the median candidate",
        ),
        (
            "consensus",
            "consensus pick (no critic) closer to Bach's harmony than the median candidate",
        ),
        (
            "metrics_pick",
            "candidate closest to Bach's metrics closer to Bach's harmony than the median",
        ),
        (
            "most_pitch_classes",
            "candidate with the most pitch classes/bar (no critic) closer to Bach's metrics",
        ),
    )
    for key, text in lines:
        values = [r[key] for r in results]
        mean = sum(values) / len(values)
        print(
            f"{text}: "
            + ", ".join(f"{100 * v:.0f}%" for v in values)
            + f" (mean {100 * mean:.0f}%)"
        )
    print("(random ranking ~50%; target for the first line >= 70%)")
    for key, text in (
        ("critic_vs_pitch_classes", "correlation of the critic's score with pitch classes/bar"),
        ("pitch_classes_below_bach", "Bach's pitch classes/bar minus the median candidate's"),
    ):
        values = [r[key] for r in results]
        print(f"{text}: " + ", ".join(f"{v:+.2f}" for v in values))
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
