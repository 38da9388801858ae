"""``composer-gui train --onsets TRACK``: a monophonic track that strikes repeated notes.

The option's own code, beside the train command (``train_commands``): its argument, and
the call into ``models.track_widen.onset_start``, the one path the Train window's child
(which is this command) and ``scripts/train_band_model.py`` share. A fresh run's named
tracks get an onset output from the start; with ``--init-from`` the model is grown into
them, playing and judging exactly as before at iteration 0; ``--resume`` keeps the
checkpoint's tracks, so ``--onsets`` must name the same ones there (or be left out).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from composer_gui.commands.common import resumes_a_checkpoint
from models.config import GanConfig


def add_onsets_argument(train: argparse.ArgumentParser) -> None:
    train.add_argument(
        "--onsets",
        action="append",
        default=[],
        metavar="TRACK",
        help="give a monophonic track (the bass) an onset output, so it can strike a held "
        "pitch again and play one-step notes; repeat it or give a comma list; with "
        "--init-from the model is grown into it; with --resume it must name the tracks "
        "the run already has",
    )


def onset_names(values: list[str]) -> tuple[str, ...]:
    """``--onsets bass --onsets lead,bass`` as ``("bass", "lead")``, in order, once each."""
    names = (name.strip() for value in values for name in value.split(","))
    return tuple(dict.fromkeys(name for name in names if name))


def with_onsets_option(
    args: argparse.Namespace, config: GanConfig, data_dir: Path, init_from: Path | None
) -> tuple[GanConfig, Path | None]:
    """The run's config and start model with ``--onsets`` applied (unchanged without it)."""
    from models.track_widen import onset_start

    resuming = resumes_a_checkpoint(args)
    return onset_start(
        config, data_dir, args.run_dir, onset_names(args.onsets), init_from, resuming
    )
