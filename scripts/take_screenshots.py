"""Screenshots of the real app in its main states, saved to docs/screenshots/.

    .venv/bin/python scripts/take_screenshots.py [--out DIR]

Runs offscreen (no display needed) with a scratch settings store, opens a shipped sample
melody, generates with the shipped model and the real engine, and grabs the window at
1280x800: empty, melody, candidates, preferences and compact mode, then the Style box
opened (06-style-box) and the chosen candidate's chord lane and roll (07-chord-lane).
With ``--band-model M`` (or a shipped ``composer-band`` model) it also generates in that
model's first band style (08-band). Without shipped weights the candidate shots are left
out and the script says so (exit code 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from window_shots import (  # noqa: E402 - sets the offscreen platform before Qt loads
    ROOT,
    SIZE,
    generate_and_wait,
    offscreen_window,
    settle,
)

SAMPLE = "ode_to_joy.mid"


def save(widget, out: Path, name: str) -> Path:
    settle()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


def style_box_shot(window, out: Path, name: str = "06-style-box") -> None:
    """The Style box with its list open, grabbed with the window beneath it."""
    from PySide6.QtGui import QPainter, QPixmap

    box = window.style_box
    box.showPopup()
    settle(300)
    popup = box.view().window()
    shot = QPixmap(window.grab())
    painter = QPainter(shot)
    painter.drawPixmap(
        popup.mapToGlobal(popup.rect().topLeft()) - window.mapToGlobal(window.rect().topLeft()),
        popup.grab(),
    )
    painter.end()
    path = out / f"{name}.png"
    shot.save(str(path))
    print(f"wrote {path}")
    box.hidePopup()


def band_shot(app, window, band: Path, out: Path) -> bool:
    """Generate in the band model's first style and grab the window with the chord lane.
    The style is chosen as a musician would: a shipped band's in the Style box alone, a
    model of one's own (``--band-model``) in Preferences first (the shots used to name the
    shipped band model in Preferences, so 04-preferences showed it as a model of one's own)."""
    from composer_gui.core.styles import model_styles
    from composer_gui.paths import resource_path
    from composer_gui.ui import settings

    window.resize(*SIZE)
    if band.resolve() != resource_path("weights", band.name).resolve():
        settings.put(settings.MODEL_FILE, str(band))
        window.apply_output_settings()
    first = model_styles(band)[0]
    shown = next(s.shown for s in window.styles if s.model_path == first.model_path)
    index = window.style_box.findData(shown)
    window.style_box.setCurrentIndex(index)
    window.style_box.activated.emit(index)  # as a click in the box does
    if not generate_and_wait(app, window):
        return False
    window.candidates.select(0)
    save(window, out, "08-band")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="a model file instead of the shipped one (for trying the script)",
    )
    parser.add_argument(
        "--band-model",
        type=Path,
        default=None,
        help="a band model file for the band shot (default: a shipped composer-band)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    app, window, _scratch = offscreen_window()
    from composer_gui.paths import resource_path
    from composer_gui.ui.preferences import PreferencesDialog

    save(window, args.out, "01-empty")

    window.open_file(resource_path("melodies", SAMPLE))
    window.melody_editor.set_playhead(6.0)
    save(window, args.out, "02-melody")
    window.melody_editor.set_playhead(None)

    complete = True
    # The chorale model first: sorted by name, composer-band would come before it.
    chorale = resource_path("weights", "composer-chorales.safetensors")
    shipped = sorted(resource_path("weights").glob("*.safetensors"), key=lambda p: p != chorale)
    weights = [args.model] if args.model else shipped
    if weights:
        window.engine.configure(str(weights[0]), "auto")
        if generate_and_wait(app, window):
            window.candidates.select(0)
            window.tracks.strips[2].mute.setChecked(True)  # the tenor: its strip shows muted
            window.arrangement_view.set_playhead(5.0)
            save(window, args.out, "03-candidates")
            save(window.candidate_panel, args.out, "07-chord-lane")
            window.actions.compact.setChecked(True)
            save(window, args.out, "05-compact")
            window.actions.compact.setChecked(False)
        else:
            complete = False
    else:
        print(
            "no shipped weights in resources/weights: candidate screenshots left out",
            file=sys.stderr,
        )
        complete = False

    band = args.band_model or resource_path("weights", "composer-band.safetensors")
    if band.is_file():
        complete &= band_shot(app, window, band, args.out)
    else:
        print("no band model: the band screenshot left out", file=sys.stderr)
    style_box_shot(window, args.out)

    dialog = PreferencesDialog(window)
    dialog.show()
    window.runner.wait(1000)
    deadline = 1200  # up to 60 s for the GPU check (it imports torch; slow on a busy machine)
    while dialog.device_found.text().startswith("Looking") and deadline:
        settle(50)
        deadline -= 1
    save(dialog, args.out, "04-preferences")
    dialog.close()
    window.close()
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
