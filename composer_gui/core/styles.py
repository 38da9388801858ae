"""The styles a musician can choose: each one a model file and, in it, one of its styles.

A style is what the Style box, ``composer-gui styles`` and ``accompany --style NAME``
offer. It is read from the model cards in ``resources/weights`` (JSON only, so listing
them loads neither torch nor a network): a card that lists ``config.styles`` (the band
model, conditioned on style) gives one style per name, described by the card's
``styles`` entries where it has them, else by the shipped band style of that name
(``models.band_styles``), else by the card's description (a fine-tune's card lists the
styles it offers, ``offered_styles``: the others are not offered); a card without (the chorale
model) is one style, named by its card's ``style`` field, else "chorale" for the shipped
chorale model, else the model's name. The tracks are the card's (``card_tracks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from composer_gui.core.errors import ComposerError
from composer_gui.core.style_meters import learnt_meters
from composer_gui.paths import resource_path
from models.tracks import TrackSpec, tracks_from_card

CHORALE_MODEL = "composer-chorales"
CHORALE_STYLE = "chorale"
CHORALE_DESCRIPTION = "Alto, tenor and bass in the style of the Bach chorales, a chord a beat."


@dataclass(frozen=True)
class Style:
    """One style: its name, the model file that plays it, and what it writes."""

    name: str
    model_path: Path  # the .safetensors file
    tracks: tuple[TrackSpec, ...]
    description: str
    index: int = 0  # the style's place in the model's ``config.styles`` (0 for one style)
    label: str = ""  # how it is shown and chosen when another style has its name (told_apart)
    # The meters it was trained in (``core.style_meters.learnt_meters``); None: the card
    # cannot say (an older model of the musician's own), and it is not refused.
    meters: tuple[tuple[int, int], ...] | None = None

    @property
    def shown(self) -> str:
        """The name the Style box, ``styles`` and ``--style`` use: unique among the listed
        styles ("rock (my-model)" beside the shipped "rock"). ``name`` stays the model's
        own, which the engine is asked for."""
        return self.label or self.name

    def line(self) -> str:
        """Name first, then the tracks, then the description: one line for a terminal."""
        tracks = ", ".join(["melody", *(t.name for t in self.tracks)])
        meters = ""
        if self.meters is not None:
            meters = " in " + ", ".join(f"{n}/{d}" for n, d in self.meters)
        return f"{self.shown}: {tracks}{meters}. {self.description}".rstrip()


def style_key(name: str) -> str:
    """A style name as it is compared: any case, "-" or "_" for a space ("Bossa-Nova")."""
    return " ".join(name.strip().lower().replace("-", " ").replace("_", " ").split())


def card_tracks(card: dict) -> tuple[TrackSpec, ...]:
    """The tracks a card's model writes: its ``tracks`` list, else its config's (where
    ``train --export`` puts them), else the chorale's voices."""
    if card.get("tracks"):
        return tracks_from_card(card)
    return tracks_from_card({"tracks": card.get("config", {}).get("tracks") or []})


def _shipped_description(name: str) -> str:
    """A shipped band style's own description (``models.band_styles``), else ""."""
    from models.band_styles import style_named

    try:
        return style_named(name).description
    except ValueError:
        return ""


def card_styles(card: dict, model_path: Path) -> list[Style]:
    """The styles one model card offers, in the card's order."""
    tracks = card_tracks(card)
    names = list(card.get("config", {}).get("styles") or [])
    described = {
        str(entry.get("name")): entry
        for entry in card.get("styles", [])
        if isinstance(entry, dict) and entry.get("name")
    }
    if not names:
        if card.get("style"):
            name = str(card["style"])
        elif model_path.stem == CHORALE_MODEL:
            name = CHORALE_STYLE
        else:
            name = str(card.get("name") or model_path.stem)
        description = str(card.get("description", "")).strip()
        if name == CHORALE_STYLE and not description:
            description = CHORALE_DESCRIPTION
        meters = learnt_meters(card, name, chorale=model_path.stem == CHORALE_MODEL)
        return [Style(name, model_path, tracks, description, meters=meters)]
    # A fine-tune offers only the styles its data played (models.fine_tune): the other
    # columns are still in its networks, untrained on, and the shipped model plays them.
    offered = set(card.get("offered_styles") or names)
    styles = []
    for index, name in enumerate(names):
        if name not in offered:
            continue
        entry = described.get(str(name), {})
        description = entry.get("description") or _shipped_description(str(name))
        description = str(description or card.get("description", "")).strip()
        meters = learnt_meters(card, str(name))
        styles.append(Style(str(name), model_path, tracks, description, index, meters=meters))
    return styles


def installed_styles(weights_dir: Path | None = None) -> list[Style]:
    """Every style of every model file in ``weights_dir`` (the shipped ones by default):
    the chorale first, then the others by model file name. A card that cannot be read is
    left out, so one broken file does not hide the others."""
    folder = weights_dir or resource_path("weights")
    weights = sorted(folder.glob("*.safetensors"), key=lambda p: (p.stem != CHORALE_MODEL, p.stem))
    # The cards as JSON, not models.checkpoint.read_card: listing styles must not import
    # torch (the window starts without it); loading the model checks the card in full.
    return told_apart([style for path in weights for style in model_styles(path)])


def told_apart(styles: list[Style]) -> list[Style]:
    """The styles with a style named like an earlier one (a model of your own called
    "rock" beside the shipped rock) shown with its model's name: "rock (my-model)".
    Both stay listed; the first keeps the plain name."""
    from dataclasses import replace

    out: list[Style] = []
    for style in styles:
        taken = {style_key(s.shown) for s in out}
        if style_key(style.shown) in taken:
            label = f"{style.name} ({style.model_path.stem})"
            n = 2
            while style_key(label) in taken:  # two own models of one name, one style name
                label, n = f"{style.name} ({style.model_path.stem} {n})", n + 1
            style = replace(style, label=label)
        out.append(style)
    return out


def styles_with(model_path: Path | str | None) -> list[Style]:
    """The installed styles, then those of a model file of the musician's own (the one
    Preferences or ``--model`` name), told apart from them."""
    if not model_path:
        return installed_styles()
    own = Path(model_path).with_suffix(".safetensors")
    shipped = [s for s in installed_styles() if s.model_path.resolve() != own.resolve()]
    return told_apart(shipped + model_styles(own))


def model_styles(model_path: Path) -> list[Style]:
    """The styles of one model file (a model of the musician's own, chosen in
    Preferences); none when its card cannot be read."""
    import json

    model_path = Path(model_path).with_suffix(".safetensors")
    try:
        return card_styles(json.loads(model_path.with_suffix(".json").read_text()), model_path)
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def find_style(name: str, styles: list[Style] | None = None) -> Style:
    """The installed style called ``name`` (any case; as shown, "rock (my-model)"); one
    sentence naming them if none."""
    styles = installed_styles() if styles is None else styles
    for style in styles:
        if style_key(style.shown) == style_key(name):
            return style
    names = ", ".join(s.shown for s in styles) or "none (reinstall Composer)"
    raise ComposerError(f"There is no style '{name}'; the installed styles are {names}.")
