"""Subcommands: dataset, train, train-report, evaluate."""

from __future__ import annotations

from composer_gui.commands.common import not_yet


def register(sub) -> None:
    sub.add_parser("dataset", help="not yet available").set_defaults(handler=not_yet("dataset"))
    sub.add_parser("train", help="not yet available").set_defaults(handler=not_yet("train"))
    sub.add_parser("train-report", help="not yet available").set_defaults(
        handler=not_yet("train-report")
    )
    sub.add_parser("evaluate", help="not yet available").set_defaults(handler=not_yet("evaluate"))
