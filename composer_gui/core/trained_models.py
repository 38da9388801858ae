"""The models trained here: their names, and renaming or removing one.

A trained model is a pair of files in the user's models folder, ``NAME.safetensors``
and its card ``NAME.json``; the card's ``name`` (and, for a model of one style of its
own, the style it lists) is the name the Style box and Preferences show.  The name
comes from the Train window's Name box (``TrainingPlan.name``), so a musician calls a
folder's model "my rock" rather than ``trained-20261201-225500``.  The list of models
in use is the settings' (``ui/settings.TRAINED_MODELS``); this module only touches the
files and says what is wrong with a name, without importing torch or Qt.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from composer_gui.core.errors import ComposerError
from composer_gui.core.styles import style_key

# Characters a file name may not hold on Windows, macOS or Linux: replaced by "-".
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def shipped_names() -> set[str]:
    """The names a trained model may not take: every shipped style and model file, so
    "rock" in the Style box is always the shipped rock (case and spacing forgiven)."""
    from composer_gui.core.styles import CHORALE_STYLE
    from composer_gui.paths import resource_path
    from models.band_styles import STYLE_NAMES

    names = {*STYLE_NAMES, CHORALE_STYLE}
    names |= {p.stem for p in resource_path("weights").glob("*.safetensors")}
    return {style_key(n) for n in names}


def file_stem(name: str) -> str:
    """The file name a model's name is saved under (the name itself where it can be)."""
    return _UNSAFE.sub("-", name.strip()).strip(". ") or "model"


def name_problem(name: str, models_dir: Path, keep: Path | None = None) -> str:
    """One sentence saying why ``name`` cannot name a trained model, or "".

    ``keep`` is the model being renamed (its own name is no clash)."""
    name = name.strip()
    if not name:
        return "Give the model a name: the Style box shows it by that name."
    if style_key(name) in shipped_names():
        return f'"{name}" is the name of a shipped style or model: choose another name.'
    keep = Path(keep).resolve() if keep is not None else None
    for taken in Path(models_dir).glob("*.safetensors"):  # case forgiven, as on macOS
        same = style_key(taken.stem) == style_key(file_stem(name))
        same = same or style_key(model_name(taken)) == style_key(name)
        if same and taken.resolve() != keep:
            return (
                f'A model named "{name}" is already trained here: choose another name, '
                "or remove that one in Preferences."
            )
    return ""


def model_name(path: Path) -> str:
    """The name a trained model's card gives it (its file's name where it has none)."""
    try:
        card = json.loads(Path(path).with_suffix(".json").read_text())
    except (OSError, ValueError):
        return Path(path).stem
    return str(card.get("name") or Path(path).stem)


def name_card(card: dict, name: str) -> dict:
    """The card renamed: its ``name``, and a model of one style of its own (a folder's
    songs, the chorale layout) calls that style ``name`` too; the band data's styles
    keep their shipped names (the engine dresses a shipped style in its instruments by
    name: ``core/instruments.track_programs``)."""
    from models.band_styles import STYLE_NAMES

    old = str(card.get("name") or "")
    card["name"] = name
    styles = list(card.get("config", {}).get("styles") or [])
    # a fine-tune offering one style of its own (a folder's songs on the band model) is
    # renamed in that style alone: its other, unoffered columns keep their names
    offered = list(card.get("offered_styles") or styles)
    if len(offered) == 1 and (offered[0] not in STYLE_NAMES or offered[0] == old):
        styles = [name if s == offered[0] else s for s in styles]
        card["config"]["styles"] = styles
        if card.get("offered_styles"):
            card["offered_styles"] = [name]
    return card


def rename_model(path: Path, name: str) -> Path:
    """Rename a trained model (its files and its card); returns the new weights' path."""
    path = Path(path)
    problem = name_problem(name, path.parent, keep=path)
    if problem:
        raise ComposerError(problem)
    name = name.strip()
    out = path.with_name(f"{file_stem(name)}.safetensors")
    card_path, new_card = path.with_suffix(".json"), out.with_suffix(".json")
    card = name_card(json.loads(card_path.read_text()), name)
    # The new card is written whole before anything moves, so a full disk leaves the
    # model as it was rather than weights without a card.
    draft = new_card.with_name(new_card.name + ".part")
    try:
        draft.write_text(json.dumps(card, indent=2) + "\n")
        if out != path:
            path.rename(out)
    except OSError:
        draft.unlink(missing_ok=True)
        raise
    draft.replace(new_card)
    # A rename that only changes case is one file on macOS and Windows: keep it.
    if card_path.exists() and not card_path.samefile(new_card):
        card_path.unlink()
    return out


def remove_model(path: Path) -> None:
    """Delete a trained model's weights and card (a file already gone is no error)."""
    path = Path(path)
    for file in (path, path.with_suffix(".json")):
        file.unlink(missing_ok=True)
