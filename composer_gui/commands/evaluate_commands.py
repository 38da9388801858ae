"""The subcommands that read a run or a model: ``train-report`` (a run's plots) and
``evaluate`` (a model against real music, optionally into its card)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from composer_gui.commands.common import dataset_dir, model_file


def register(sub) -> None:
    report = sub.add_parser("train-report", help="plot a training run")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", nargs="+")
    report.add_argument("--out", type=Path, default=None, help="folder for the PNGs and markdown")
    report.set_defaults(handler=run_train_report)

    evaluate = sub.add_parser(
        "evaluate", help="measure a model against real music (Bach's, or its band data's)"
    )
    evaluate.add_argument("--model", type=Path, default=None, help="a .safetensors model file")
    evaluate.add_argument("--data", type=Path, default=None, help="a built dataset folder")
    evaluate.add_argument("--split", default="test", choices=["train", "valid", "test"])
    evaluate.add_argument("--candidates", type=int, default=4)
    evaluate.add_argument("--bars", type=int, default=8)
    evaluate.add_argument("--out", type=Path, default=None, help="write the table as JSON here")
    evaluate.add_argument(
        "--update-card",
        action="store_true",
        help="store the metrics and the critic calibration in the model card",
    )
    evaluate.set_defaults(handler=run_evaluate)


def run_train_report(args: argparse.Namespace) -> int:
    from models.report import write_report

    out = args.out or args.run_dir[0]
    path = write_report(args.run_dir, out)
    print(f"Report written to {path}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from models.evaluate_job import run_evaluation

    model = model_file(args.model)
    result = run_evaluation(
        model,
        dataset_dir(args.data),
        args.split,
        args.candidates,
        args.bars,
        update_card=args.update_card,
    )
    print(result["text"])
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result["json"], indent=2) + "\n")
        print(f"Table written to {args.out}")
    return 0
