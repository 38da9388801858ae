"""``composer-gui styles``: the styles of the installed models, one a line.

Name first, then the tracks (the melody, then what the model writes), then a description,
all from the model cards (``composer_gui.core.styles``); ``accompany --style NAME`` and the
app's Style box take the same names. ``--model M`` adds a model of your own; a style of it
named like a shipped one is listed as "rock (M)".
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub) -> None:
    styles = sub.add_parser("styles", help="list the styles of the installed models")
    styles.add_argument(
        "--model",
        type=Path,
        default=None,
        help="also list the styles of this model file of your own",
    )
    styles.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from composer_gui.core.errors import ComposerError
    from composer_gui.core.styles import model_styles, styles_with

    if args.model is not None and not model_styles(args.model):
        raise ComposerError(f"{args.model} is not a model file with a readable card.")
    styles = styles_with(args.model)
    if not styles:
        raise ComposerError("No model is installed; reinstall Composer to get its styles.")
    for style in styles:
        print(style.line())
    return 0
