"""The training subcommands: ``train`` (the GAN, a fine-tune with ``--init-from``, and its
export) and ``train-ranking`` (a model's critic taught to rank one melody's candidates)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from composer_gui.commands.common import Progress, dataset_dir, given, model_file
from composer_gui.commands.train_onsets import add_onsets_argument, with_onsets_option
from composer_gui.commands.train_phrase import add_phrase_argument, with_phrase_option
from composer_gui.core.errors import ComposerError
from composer_gui.core.training_words import LEGEND, progress_words
from models.config import CLOSENESS_TO, LOSSES


def register(sub) -> None:
    train = sub.add_parser("train", help="train the GAN")
    train.add_argument("--data", type=Path, default=None, help="a built dataset folder")
    train.add_argument(
        "--run-dir", type=Path, required=True, help="the run folder (log, checkpoints)"
    )
    train.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="JSON",
        help="GanConfig fields to change, as a JSON object (with --resume: from here on)",
    )
    train.add_argument("--loss", default=None, choices=LOSSES)
    train.add_argument("--iterations", type=int, default=None)
    train.add_argument("--batch-size", type=int, default=None)
    train.add_argument("--seed", type=int, default=None)
    train.add_argument("--device", default="auto", help="auto, cpu or cuda")
    train.add_argument(
        "--threads", type=int, default=None, help="CPU threads for torch (default: torch's choice)"
    )
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint")
    train.add_argument(
        "--init-from",
        type=Path,
        default=None,
        metavar="MODEL.safetensors",
        help="fine-tune: start a new run from this model's weights and config (its "
        "critic's bar head left out); band data in other tracks or ranges is re-encoded "
        "into the model's first, and said; --config and --iterations then count from zero",
    )
    train.add_argument(
        "--init-style",
        default="",
        metavar="STYLE",
        help="with --init-from a model of several styles and data of a style it lacks (a "
        "folder's songs): the new style starts as this one of the model's (default: zero)",
    )
    add_onsets_argument(train)
    add_phrase_argument(train)
    train.add_argument("--eval-every", type=int, default=250, help="validation metrics every N")
    train.add_argument("--log-every", type=int, default=10, help="a log row every N iterations")
    train.add_argument(
        "--export",
        type=Path,
        default=None,
        metavar="MODEL.safetensors",
        help="when done, write the model file (weights and card)",
    )
    train.set_defaults(handler=run_train)

    ranking = sub.add_parser(
        "train-ranking", help="teach a model's critic to rank one melody's candidates"
    )
    ranking.add_argument("--model", type=Path, default=None, help="the model file to start from")
    ranking.add_argument("--data", type=Path, default=None, help="a built dataset folder")
    ranking.add_argument(
        "--out", type=Path, required=True, help="the model file to write (may be --model)"
    )
    ranking.add_argument("--steps", type=int, default=None, help="fine-tuning steps")
    ranking.add_argument("--seed", type=int, default=None)
    ranking.add_argument(
        "--anchor-weight",
        type=float,
        default=None,
        metavar="W",
        help="hold the critic's scores of Bach, a spoiled Bach and the candidates' mean "
        "where they were; with --bar-head, keep Bach above four spoiled copies and the "
        "candidates' mean (default 0: see docs/model.md, 'Teaching the critic the test')",
    )
    ranking.add_argument(
        "--closeness-to",
        choices=CLOSENESS_TO,
        default=None,
        help="label each candidate by its closeness to Bach's accompaniment of that melody "
        "(own, the default), to Bach's average over the training split (corpus), or by how "
        "often it is the closer one against averages over samples of it (sampled)",
    )
    ranking.add_argument(
        "--bar-head",
        type=int,
        default=None,
        metavar="UNITS",
        help="add a bar head of UNITS hidden units to the critic and train only it "
        "(default 0: fine-tune the whole critic)",
    )
    ranking.add_argument("--lr", type=float, default=None, help="learning rate")
    ranking.add_argument(
        "--batch-melodies", type=int, default=None, metavar="N", help="melodies per step"
    )
    ranking.add_argument(
        "--threads", type=int, default=None, help="CPU threads for torch (default: torch's choice)"
    )
    ranking.set_defaults(handler=run_train_ranking)


def run_train(args: argparse.Namespace) -> int:
    import torch

    from models.band_pieces import is_band_dataset
    from models.build_dataset import load_split
    from models.config import GanConfig
    from models.evaluate import training_evaluator
    from models.train import train

    if args.threads:
        torch.set_num_threads(args.threads)
    data_dir = dataset_dir(args.data)
    changes = given(
        loss=args.loss, iterations=args.iterations, batch_size=args.batch_size, seed=args.seed
    )
    config = GanConfig()
    if args.init_style and args.init_from is None:
        raise ComposerError(
            "--init-style names the style a fine-tune starts from: give --init-from too."
        )
    if args.init_from is not None:
        from models.checkpoint import read_card

        card = read_card(model_file(args.init_from))
        # a fine-tune trains both networks, whatever the model's last stage trained (the
        # shipped band model's was its critic alone); --config may say otherwise
        config = GanConfig.from_dict(card["config"]).replace(critic_bar_head=0, critic_only=False)
    if args.resume and (args.run_dir / "config.json").is_file():
        config = GanConfig.from_dict(json.loads((args.run_dir / "config.json").read_text()))
    if args.config is not None:  # on --resume, a later stage of the same run
        try:
            config = GanConfig.from_dict(config.to_dict() | json.loads(args.config.read_text()))
        except (OSError, ValueError, TypeError) as error:
            raise ComposerError(f"The config {args.config} cannot be used: {error}.") from None
    config = config.replace(**changes)
    init_from = model_file(args.init_from) if args.init_from else None
    config, init_from = with_onsets_option(args, config, data_dir, init_from)
    config, init_from = with_phrase_option(args, config, data_dir, init_from)
    # The periodic validation metrics read the chorale layout; a band dataset's model is
    # measured per track kind at export (models.track_metrics) instead.
    evaluator = (
        None if is_band_dataset(data_dir) else training_evaluator(load_split(data_dir, "valid"))
    )
    bar = Progress(f"Training ({config.loss})")
    rows: list[dict] = []  # this session's logged rows, for which way each figure goes

    def progress(iteration: int, total: int, row: dict) -> None:
        if not rows:
            print(f"{LEGEND} Every figure is in {args.run_dir / 'log.csv'}.", file=sys.stderr)
            # a resumed run's trend goes on from the rows it logged before (as the window's)
            from models.run_log import read_log

            logged = read_log(args.run_dir / "log.csv")
            rows.extend(r for r in logged if r["iteration"] < iteration)
        rows.append(row)  # the words: core.training_words
        bar(iteration, total, progress_words(rows, short=True))

    try:
        train(
            config,
            data_dir,
            args.run_dir,
            args.device,
            args.resume,
            log_every=args.log_every,
            eval_every=args.eval_every,
            progress=progress,
            evaluate=evaluator,
            init_from=init_from,
            init_style=args.init_style,
        )
    except KeyboardInterrupt:
        print(
            f"\nStopped; checkpoint saved in {args.run_dir} (continue with --resume).",
            file=sys.stderr,
        )
        return 130
    print(f"Training done: {args.run_dir}")
    # Under torchrun rank 0 alone writes the checkpoint (``models/train.py``): another
    # process exporting read a checkpoint not yet written, or none on another machine,
    # failed, and torchrun then stopped rank 0 mid-export.
    if args.export and int(os.environ.get("RANK", "0")) == 0:
        from models.export import export_model

        split = export_model(args.run_dir, args.export, data_dir)[1]["calibration"]["split"]
        words = "validation split" if split == "valid" else f"{split} split (no validation songs)"
        print(f"Model written to {args.export}, calibrated on the {words}.")
    return 0


def run_train_ranking(args: argparse.Namespace) -> int:
    import torch

    from models.build_dataset import load_split
    from models.critic_ranking import RankingConfig, tune_model_file

    if args.threads:
        torch.set_num_threads(args.threads)
    model = model_file(args.model)
    changes = given(
        steps=args.steps,
        seed=args.seed,
        anchor_weight=args.anchor_weight,
        closeness_to=args.closeness_to,
        bar_head=args.bar_head,
        lr=args.lr,
        batch_melodies=args.batch_melodies,
    )
    if args.steps is not None and args.steps < 1:
        raise ComposerError("--steps must be at least 1.")
    if args.anchor_weight is not None and args.anchor_weight < 0:
        raise ComposerError("--anchor-weight cannot be negative.")
    if args.bar_head is not None and args.bar_head < 0:
        raise ComposerError("--bar-head cannot be negative.")
    if args.lr is not None and args.lr <= 0:
        raise ComposerError("--lr must be positive.")
    if args.batch_melodies is not None and args.batch_melodies < 1:
        raise ComposerError("--batch-melodies must be at least 1.")
    config = RankingConfig(**changes)
    data = load_split(dataset_dir(args.data), "train")
    drawing, learning = Progress("Drawing candidates"), Progress("Learning to rank")

    def progress(stage: str, done: int, total: int, row: dict | None = None) -> None:
        if stage == "draw":
            drawing(done, total)
        else:
            learning(done, total, f"ranking loss {row['ranking_loss']:.3f}" if row else "")

    try:
        out = tune_model_file(model, data, args.out, config, progress)
    except KeyboardInterrupt:
        print("\nStopped; nothing written.", file=sys.stderr)
        return 130
    print(f"Model written to {out} (run 'composer-gui evaluate --update-card' next).")
    return 0
