"""Render the app icon resources/icons/composer.svg to PNGs in the sizes desktops ask for.

Run it after editing the SVG (the PNGs are committed, so neither a build nor the app needs
this script): ``.venv/bin/python packaging/make_icons.py``. It uses Qt's own SVG renderer
from PySide6-Essentials, so no extra tool is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG_PATH = ICON_DIR / "composer.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    """Where the PNG of one size lives, e.g. resources/icons/composer-48.png."""
    return ICON_DIR / f"composer-{size}.png"


def render_icons(svg_path: Path = SVG_PATH, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Write one transparent square PNG per size and return their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtWidgets import QApplication

    # A QApplication, not the QGuiApplication that would do: a process that goes on to
    # open windows (the test suite, which calls this) cannot make one after a plain
    # QGuiApplication, and its window fixtures would fail on setStyle.
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 (kept alive)
    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise ValueError(f"{svg_path} is not an SVG that Qt can read; fix it and run again.")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = png_path(size)
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in render_icons():
        print(path.relative_to(ICON_DIR.parent.parent))
