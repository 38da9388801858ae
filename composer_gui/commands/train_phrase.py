"""``composer-gui train --phrase-bars N``: the band learns which bar of a phrase it plays.

The option's own code, beside the train command (``train_commands``), as
``train_onsets`` is: its argument, and the call into ``models.phrase_widen.phrase_start``,
the one path ``scripts/train_band_model.py --phrase-bars`` shares. A fresh run reads the
phrase position from the start; with ``--init-from`` the model is grown into it, writing
and judging exactly as before at iteration 0; ``--resume`` keeps the checkpoint's
networks, so the number must be theirs (or left out).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from composer_gui.commands.common import resumes_a_checkpoint
from models.config import PHRASE_BARS_RANGE, GanConfig


def add_phrase_argument(train: argparse.ArgumentParser) -> None:
    low, high = PHRASE_BARS_RANGE
    train.add_argument(
        "--phrase-bars",
        type=int,
        default=0,
        metavar="N",
        help=f"band data: the condition says which bar of an N-bar phrase ({low} to {high}; "
        "4) each step is "
        "in, counted from the tune's first full bar, so the band can walk or fill in the "
        "phrase's last bar; with --init-from the model is grown into it; with --resume it "
        "must be the run's",
    )


def with_phrase_option(
    args: argparse.Namespace, config: GanConfig, data_dir: Path, init_from: Path | None
) -> tuple[GanConfig, Path | None]:
    """The run's config and start model with ``--phrase-bars`` applied (unchanged
    without it)."""
    from models.phrase_widen import phrase_start

    resuming = resumes_a_checkpoint(args)
    return phrase_start(config, data_dir, args.run_dir, args.phrase_bars, init_from, resuming)
