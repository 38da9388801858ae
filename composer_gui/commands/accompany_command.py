"""Subcommands: accompany."""

from __future__ import annotations

from composer_gui.commands.common import not_yet


def register(sub) -> None:
    sub.add_parser("accompany", help="not yet available").set_defaults(handler=not_yet("accompany"))
