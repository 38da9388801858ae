"""What every subcommand shares."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

EXIT_USER_ERROR = 2


def not_yet(name: str) -> Callable[[argparse.Namespace], int]:
    """A handler for a subcommand whose issue has not landed yet."""

    def handler(args: argparse.Namespace) -> int:
        print(f"composer-gui {name}: not yet available in this version.", file=sys.stderr)
        return EXIT_USER_ERROR

    return handler
