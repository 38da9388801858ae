"""The ``composer-gui`` command: the app, and the jobs that run without it.

Each subcommand parses its arguments here and calls one function in ``composer_gui.core``
or ``models``; imports are done inside the handlers so ``composer-gui --version`` and the
app start without loading torch. Expected failures become one sentence on stderr and exit
code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from composer_gui import __version__
from composer_gui.commands import (
    accompany_command,
    dataset_command,
    evaluate_commands,
    midi_commands,
    styles_command,
    train_commands,
)
from composer_gui.commands.common import EXIT_USER_ERROR
from composer_gui.core.errors import ComposerError
from models.errors import ModelError


def _open_app(args: argparse.Namespace) -> int:
    from composer_gui.ui.app import run_app

    return run_app(getattr(args, "files", []))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="composer-gui",
        description="Play a melody; a local GAN writes accompaniments ranked by its critic.",
    )
    parser.add_argument("--version", action="version", version=f"composer-gui {__version__}")
    parser.set_defaults(handler=_open_app)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    # Each group of subcommands lives in its own module with a register(sub) function.
    accompany_command.register(sub)
    midi_commands.register(sub)
    dataset_command.register(sub)
    train_commands.register(sub)
    evaluate_commands.register(sub)
    styles_command.register(sub)
    return parser


def _names_a_file(word: str) -> bool:
    """Whether a bare word on the command line is a file for the app to open.

    ``song.mid``, ``tunes/song``, ``~/x.composer`` and any existing path are files; a word
    such as ``stlyes`` (no suffix, no folder, nothing on disk) is a mistyped command.
    """
    path = Path(word).expanduser()
    return bool(path.suffix) or len(path.parts) > 1 or path.exists()


def main(argv: list[str] | None = None) -> int:
    # Python leaves SIGINT ignored when the parent ignored it (a shell's background job,
    # some CI runners); "Ctrl-C stops" must hold for play, record and train all the same.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    commands = {
        name
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for name in action.choices
    }
    if argv and argv[0] not in commands and not argv[0].startswith("-"):
        if not _names_a_file(argv[0]):
            print(
                f"composer-gui: '{argv[0]}' is neither a command nor a file; the commands are "
                f"{', '.join(sorted(commands))} (composer-gui --help).",
                file=sys.stderr,
            )
            return EXIT_USER_ERROR
        # `composer-gui song.mid` (the desktop's "Open with"): the app, opening the files.
        args = argparse.Namespace(command=None, handler=_open_app, files=argv)
    else:
        args, rest = parser.parse_known_args(argv)
        if rest and (args.command is not None or any(r.startswith("-") for r in rest)):
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        args.files = rest
    try:
        return int(args.handler(args) or 0)
    except (ComposerError, ModelError) as error:
        print(f"composer-gui: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as error:  # a full disk or an unwritable folder while saving
        print(
            f"composer-gui: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("composer-gui: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
