"""Subcommands for the model: ``dataset``, ``train``, ``train-ranking``, ``train-report`` and
``evaluate``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from composer_gui.commands.train_onsets import add_onsets_argument, with_onsets_option
from composer_gui.commands.train_phrase import add_phrase_argument, with_phrase_option
from composer_gui.core.errors import ComposerError
from models.config import CLOSENESS_TO, LOSSES

DEFAULT_DATA_NAME = "bach-chorales"


def register(sub) -> None:
    dataset = sub.add_parser("dataset", help="build the training data")
    dataset_sub = dataset.add_subparsers(dest="dataset_command", metavar="ACTION", required=True)
    build = dataset_sub.add_parser("build", help="build a dataset into the cache")
    build.add_argument(
        "--from-midi",
        type=Path,
        default=None,
        metavar="DIR",
        help="a folder of your own multi-track MIDI files instead of the chorales",
    )
    build.add_argument(
        "--melody-track",
        type=int,
        default=None,
        metavar="N",
        help="with --from-midi: the melody track in every file (default: the "
        "first non-drum track with notes)",
    )
    build.add_argument(
        "--meters",
        action="store_true",
        help="also each chorale re-timed and re-barred into every other meter Composer "
        "accompanies (2/4, 2/2, 3/2, 6/4, 3/8, 6/8, 9/8, 12/8)",
    )
    build.add_argument(
        "--band",
        action="store_true",
        help="the band styles' data: the chorales' own chords rendered by MMA in every "
        "shipped style (drums, bass, chords, pad; needs 'apt-get install mma')",
    )
    build.add_argument(
        "--style",
        action="append",
        default=[],
        metavar="NAME",
        help="with --band: only this shipped style (repeat for more; default: every one)",
    )
    build.add_argument(
        "--songs",
        type=Path,
        default=None,
        metavar="DIR",
        help="a folder of your own multi-track songs, kept whole: melody, drums, bass, "
        "chords and other voices, found from channel 10, programs and track names",
    )
    build.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="NAME=ROLE",
        help="with --songs: parts whose name matches NAME (wildcards allowed) play ROLE "
        "(melody, drums, bass, chords, other or skip); repeat for more",
    )
    build.add_argument(
        "--kinds",
        default="",
        metavar="KIND,...",
        help="with --songs: only these band tracks are learnt (drums, bass, chords, other; "
        "default: every one); the parts of the others are left out",
    )
    build.add_argument("--out", type=Path, default=None, help="where to write it")
    build.add_argument("--limit", type=int, default=None, help="only the first N pieces")
    build.set_defaults(handler=run_dataset_build)

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


def _data_dir(path: Path | None) -> Path:
    from models.build_dataset import default_cache_dir

    return path if path is not None else default_cache_dir() / DEFAULT_DATA_NAME


def _model_file(path: Path | None) -> Path:
    """The model file asked for, or the shipped one; one sentence if it is not there."""
    from composer_gui.core.engine import default_model_path

    model = path or default_model_path()
    if not model.with_suffix(".safetensors").is_file():
        raise ComposerError(f"The model file {model} is missing.")
    return model


def _given(**options) -> dict:
    """The options the user gave (argparse leaves the others None), to change a config."""
    return {name: value for name, value in options.items() if value is not None}


class _Progress:
    """A one-line progress bar with rate and ETA on stderr."""

    def __init__(self, label: str):
        self.label, self.started, self.first_done = label, None, 0

    def __call__(self, done: int, total: int, extra: str = "") -> None:
        # The clock starts at the first report, so a stage made after a long one
        # (learning after drawing) does not count the wait as its own time; the rate is
        # then of the units done since that report.
        if self.started is None:
            self.started, self.first_done = time.monotonic(), done
        elapsed = time.monotonic() - self.started
        since = done - self.first_done
        eta = elapsed / since * (total - done) if since else 0.0
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(
            f"\r{self.label} [{bar}] {done}/{total} {_clock(elapsed)} ETA {_clock(eta)} {extra}"
        )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def run_dataset_build(args: argparse.Namespace) -> int:
    from models.build_dataset import BuildReport, build_chorales, default_cache_dir, write_dataset

    progress = _Progress("Reading")
    if args.band or args.songs is not None:
        from composer_gui.commands.band_data import run_band_dataset_build

        return run_band_dataset_build(args, progress)
    if args.from_midi is None:
        try:
            import music21  # noqa: F401  (the chorales ship inside it)
        except ImportError:
            raise ComposerError(
                "Building the chorale dataset needs music21, which this installation lacks; "
                "install it with 'pip install music21'."
            ) from None
        out = args.out or (None if args.meters else _data_dir(None))
        manifest, report = build_chorales(out, args.limit, progress, meters=args.meters)
    else:
        from composer_gui.core.dataset_import import pieces_from_midi_folder

        report = BuildReport()
        pieces = pieces_from_midi_folder(
            args.from_midi, args.melody_track, report, progress, args.limit
        )
        out = args.out or default_cache_dir() / args.from_midi.resolve().name
        manifest = write_dataset(pieces, out, str(args.from_midi), report)
    for name, reason in report.skipped:
        print(f"skipped {name}: {reason}", file=sys.stderr)
    counts = ", ".join(f"{n} {k}" for k, n in manifest["counts"].items())
    print(f"Dataset: {counts} pieces; {len(report.skipped)} skipped (listed above).")
    return 0


def run_train(args: argparse.Namespace) -> int:
    import torch

    from models.band_pieces import is_band_dataset
    from models.build_dataset import load_split
    from models.config import GanConfig
    from models.evaluate import training_evaluator
    from models.train import train

    if args.threads:
        torch.set_num_threads(args.threads)
    data_dir = _data_dir(args.data)
    changes = _given(
        loss=args.loss, iterations=args.iterations, batch_size=args.batch_size, seed=args.seed
    )
    config = GanConfig()
    if args.init_style and args.init_from is None:
        raise ComposerError(
            "--init-style names the style a fine-tune starts from: give --init-from too."
        )
    if args.init_from is not None:
        from models.checkpoint import read_card

        card = read_card(_model_file(args.init_from))
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
    init_from = _model_file(args.init_from) if args.init_from else None
    config, init_from = with_onsets_option(args, config, data_dir, init_from)
    config, init_from = with_phrase_option(args, config, data_dir, init_from)
    # The periodic validation metrics read the chorale layout; a band dataset's model is
    # measured per track kind at export (models.track_metrics) instead.
    evaluator = (
        None if is_band_dataset(data_dir) else training_evaluator(load_split(data_dir, "valid"))
    )
    bar = _Progress(f"Training ({config.loss})")

    def progress(iteration: int, total: int, row: dict) -> None:
        bar(iteration, total, f"W {row['wasserstein']:+.2f} rec {row['reconstruction']:.2f}")

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

        out = export_model(args.run_dir, args.export, data_dir)
        split = json.loads(out.with_suffix(".json").read_text())["calibration"]["split"]
        words = "validation split" if split == "valid" else f"{split} split (no validation songs)"
        print(f"Model written to {args.export}, calibrated on the {words}.")
    return 0


def run_train_ranking(args: argparse.Namespace) -> int:
    import torch

    from models.build_dataset import load_split
    from models.critic_ranking import RankingConfig, tune_model_file

    if args.threads:
        torch.set_num_threads(args.threads)
    model = _model_file(args.model)
    changes = _given(
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
    data = load_split(_data_dir(args.data), "train")
    drawing, learning = _Progress("Drawing candidates"), _Progress("Learning to rank")

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


def run_train_report(args: argparse.Namespace) -> int:
    from models.report import write_report

    out = args.out or args.run_dir[0]
    path = write_report(args.run_dir, out)
    print(f"Report written to {path}")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from models.evaluate_job import run_evaluation

    model = _model_file(args.model)
    result = run_evaluation(
        model,
        _data_dir(args.data),
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
