"""``composer-gui styles``: the styles the shipped models can play, one a line.

A style is a shipped model; its model card (``resources/weights/<name>.json``) gives the
name, the tracks and a description. Issue 17 adds band styles and ``--style NAME``; this
lists what is there today.

TODO(issue 17): a ``style`` field in the card; until then the style is named after the card.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from composer_gui.paths import resource_path


@dataclass(frozen=True)
class Style:
    name: str
    tracks: tuple[str, ...]
    description: str

    def line(self) -> str:
        """Name first, then the tracks, then the description: one line for a terminal."""
        return f"{self.name}: {', '.join(self.tracks)}. {self.description}"


def register(sub) -> None:
    styles = sub.add_parser("styles", help="list the styles of the shipped models")
    styles.set_defaults(handler=run)


def shipped_styles(weights_dir: Path | None = None) -> list[Style]:
    """One Style per shipped model file (weights plus card), sorted by name.

    Cards are read with ``models.checkpoint.read_card``, so a card this version cannot
    load is not offered as a style (its error names the field).
    """
    from models.checkpoint import read_card

    folder = weights_dir or resource_path("weights")
    found = []
    for weights in sorted(folder.glob("*.safetensors")):
        card = read_card(weights)
        found.append(
            Style(
                name=str(card.get("style") or card.get("name") or weights.stem),
                tracks=tuple(card["grid"]["tracks"]),
                description=str(card.get("description", "")).strip(),
            )
        )
    return found


def run(args: argparse.Namespace) -> int:
    from composer_gui.core.errors import ComposerError

    styles = shipped_styles()
    if not styles:
        raise ComposerError("No model is installed; reinstall Composer to get its styles.")
    for style in styles:
        print(style.line())
    return 0
