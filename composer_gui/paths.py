"""Where the shipped resources (model weights, sample melodies, icons) live at run time.

The repository keeps them in the top-level ``resources/`` folder (the layout the user asked
for). An installed wheel carries the same folder as the data package
``composer_gui.resources`` (``setup.py`` maps one onto the other), and the PyInstaller
bundle copies it to ``composer_gui/resources`` inside the bundle folder. ``resource_path``
hides those three places behind one call, so no other module ever builds a path to a
shipped file by hand.

This module imports nothing heavy: ``composer-gui --version`` and the app's start use it.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _resources_root() -> Path:
    """The folder that holds ``weights/``, ``melodies/`` and ``icons/``."""
    bundle_dir = getattr(sys, "_MEIPASS", None)  # set by PyInstaller's boot loader
    if bundle_dir is not None:
        return Path(bundle_dir) / "composer_gui" / "resources"
    installed = _PACKAGE_DIR / "resources"  # a wheel installed into site-packages
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "resources"  # a checkout, or its editable install


def resource_path(*parts: str) -> Path:
    """The absolute path of a shipped resource, e.g. ``resource_path("melodies", "x.mid")``.

    With no parts it is the resources folder itself. The path is returned whether or not the
    file exists, so the caller can raise its own error that says what is missing.
    """
    for part in parts:
        if Path(part).is_absolute() or ".." in Path(part).parts:
            raise ValueError(f"resource part {part!r} must be a relative name inside resources/")
    return _resources_root().joinpath(*parts)
