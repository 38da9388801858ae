"""The app icon: one SVG and a PNG for each size desktops ask for, rendered from it."""

import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from composer_gui.paths import resource_path
from tests.support.scripts import load_script

# packaging/ is a folder of scripts, not a package (its name would shadow PyPI's packaging).
make_icons = load_script("packaging/make_icons.py")


def png_size_and_alpha(path) -> tuple[int, int, bool]:
    """Width, height and whether the PNG has an alpha channel, read from its IHDR chunk."""
    header = path.read_bytes()[:26]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height, _depth, color_type = struct.unpack(">IIBB", header[16:26])
    return width, height, color_type in (4, 6)


def test_svg_is_square_xml():
    root = ElementTree.parse(resource_path("icons", "composer.svg")).getroot()
    assert root.get("viewBox") == "0 0 512 512"


@pytest.mark.parametrize("size", make_icons.SIZES)
def test_png_has_its_size_and_a_transparent_background(size):
    assert png_size_and_alpha(resource_path("icons", f"composer-{size}.png")) == (size, size, True)


def test_make_icons_renders_every_size(tmp_path, monkeypatch):
    monkeypatch.setattr(make_icons, "ICON_DIR", tmp_path)
    written = make_icons.render_icons(sizes=(16, 64))
    assert [png_size_and_alpha(path) for path in written] == [(16, 16, True), (64, 64, True)]


def test_rendering_the_icons_leaves_a_process_that_can_open_windows(tmp_path):
    """The suite renders the icons in the same process as its window tests: what
    ``render_icons`` leaves behind must be an application that widgets can style."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tests.support.scripts import load_script\n"
        "make_icons = load_script('packaging/make_icons.py')\n"
        f"make_icons.ICON_DIR = Path({str(tmp_path)!r})\n"
        "make_icons.render_icons(sizes=(16,))\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication.instance()\n"
        "assert isinstance(app, QApplication), type(app)\n"
        "app.setStyle('Fusion')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
