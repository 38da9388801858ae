"""Subcommands: ports, play, record."""

from __future__ import annotations

from composer_gui.commands.common import not_yet


def register(sub) -> None:
    sub.add_parser("ports", help="not yet available").set_defaults(handler=not_yet("ports"))
    sub.add_parser("play", help="not yet available").set_defaults(handler=not_yet("play"))
    sub.add_parser("record", help="not yet available").set_defaults(handler=not_yet("record"))
