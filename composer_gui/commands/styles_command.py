"""``composer-gui styles``: the styles of the installed models, one a line.

Name first, then the tracks (the melody, then what the model writes), then a description,
all from the model cards (``composer_gui.core.styles``); ``accompany --style NAME`` and the
app's Style box take the same names.
"""

from __future__ import annotations

import argparse


def register(sub) -> None:
    styles = sub.add_parser("styles", help="list the styles of the installed models")
    styles.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from composer_gui.core.errors import ComposerError
    from composer_gui.core.styles import installed_styles

    styles = installed_styles()
    if not styles:
        raise ComposerError("No model is installed; reinstall Composer to get its styles.")
    for style in styles:
        print(style.line())
    return 0
