"""What every subcommand shares: the exit code, the default data and model, the progress bar."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from composer_gui.core.errors import ComposerError

EXIT_USER_ERROR = 2
DEFAULT_DATA_NAME = "bach-chorales"


def not_yet(name: str) -> Callable[[argparse.Namespace], int]:
    """A handler for a subcommand whose issue has not landed yet."""

    def handler(args: argparse.Namespace) -> int:
        print(f"composer-gui {name}: not yet available in this version.", file=sys.stderr)
        return EXIT_USER_ERROR

    return handler


def dataset_dir(path: Path | None) -> Path:
    """The dataset folder asked for, or the chorales' in the cache."""
    from models.build_dataset import default_cache_dir

    return path if path is not None else default_cache_dir() / DEFAULT_DATA_NAME


def model_file(path: Path | None) -> Path:
    """The model file asked for, or the shipped one; one sentence if it is not there."""
    from composer_gui.core.engine import default_model_path

    model = path or default_model_path()
    if model.is_file() and model.suffix not in (".safetensors", ".json"):
        raise ComposerError(
            f"{model.name} is not a model file; a model is a .safetensors file with its "
            ".json card beside it."
        )
    if not model.with_suffix(".safetensors").is_file():
        raise ComposerError(f"The model file {model} is missing.")
    return model


def given(**options) -> dict:
    """The options the user gave (argparse leaves the others None), to change a config."""
    return {name: value for name, value in options.items() if value is not None}


class Progress:
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
            f"\r{self.label} [{bar}] {done}/{total} {clock(elapsed)} ETA {clock(eta)} {extra}"
        )
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def resumes_a_checkpoint(args: argparse.Namespace) -> bool:
    """``train --resume`` where the run folder has a checkpoint to go on from: then a
    network cannot be grown (``--onsets``, ``--phrase-bars`` must be the run's own)."""
    return bool(args.resume) and (Path(args.run_dir) / "checkpoint.json").is_file()
