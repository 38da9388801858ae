"""Screenshots of the Melody panel for three tunes, to see the pickup as the app reads it.

    .venv/bin/python scripts/pickup_screenshots.py [--out DIR] [--full] [--generate]

Runs offscreen at 1280x800 with a scratch settings store and grabs the Melody panel
(``--full``: the whole window) for: Greensleeves with its one-beat pickup, written as a
notation program exports it (the pickup at tick 0, 3/4 from tick 0); Twinkle, Twinkle
(the app's sample, no pickup); and a 6/8 jig of O'Neill's with a one-eighth pickup
(``oneills1850/0001-0050#19``, written the same way by ``benchmarks/corpus_tunes``).
Each is grabbed with the Pickup box on auto, and Greensleeves also with "none" and with
a given two beats; ``--generate`` adds the whole window after generating for it. The
shots in docs/screenshots/pickup-*.png come from this script.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QTimer  # noqa: E402

SIZE = (1280, 800)
JIG = "oneills1850/0001-0050#19"  # a 6/8 tune whose pickup the detector finds (tests)

# Greensleeves in 3/4, A minor, with its pickup (A) written at beat 0 as notation
# programs export it: (pitch, start beat, beats). The shipped sample leaves the pickup out.
GREENSLEEVES = [
    (69, 0, 1), (72, 1, 2), (74, 3, 1), (76, 4, 1.5), (77, 5.5, 0.5), (76, 6, 1),
    (74, 7, 2), (71, 9, 1), (67, 10, 1.5), (69, 11.5, 0.5), (71, 12, 1), (72, 13, 2),
    (69, 15, 1), (69, 16, 1.5), (68, 17.5, 0.5), (69, 18, 1), (71, 19, 2), (68, 21, 1),
    (64, 22, 2), (69, 24, 1), (72, 25, 2), (74, 27, 1), (76, 28, 1.5), (77, 29.5, 0.5),
    (76, 30, 1), (74, 31, 2), (71, 33, 1), (67, 34, 1.5), (69, 35.5, 0.5), (71, 36, 1),
    (72, 37, 1.5), (71, 38.5, 0.5), (69, 39, 1), (68, 40, 1.5), (66, 41.5, 0.5),
    (68, 42, 1), (69, 43, 2),
]  # fmt: skip


def settle(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def write_greensleeves(path: Path) -> Path:
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_writer import write_arrangement

    notes = [Note(p, float(s), float(d), 80) for p, s, d in GREENSLEEVES]
    write_arrangement(Arrangement([Track("melody", notes)], 92.0, (3, 4)), path)
    return path


def write_jig(path: Path) -> Path:
    spec = importlib.util.spec_from_file_location(
        "corpus_tunes", ROOT / "benchmarks/corpus_tunes.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_tunes", module)
    spec.loader.exec_module(module)
    ref = next(r for r in module.index_tunes() if r.name == JIG)
    module.write_midi(module.parse_tune(ref), path)
    return path


def choose_pickup(window, pickup) -> None:
    """As a click in the Pickup box does (``activated``, which the window hears)."""
    index = window.pickup_box.findData(pickup)
    window.pickup_box.setCurrentIndex(index)
    window.pickup_box.activated.emit(index)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--full", action="store_true", help="grab the whole window")
    parser.add_argument("--prefix", default="pickup", help="the shots' file name prefix")
    parser.add_argument(
        "--generate",
        action="store_true",
        help="also the whole window after generating for Greensleeves (the shipped waltz)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="composer-shots-"))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "settings"))
    from composer_gui.paths import resource_path
    from composer_gui.ui.app import make_application
    from composer_gui.ui.main_window import MainWindow

    app = make_application()
    QCoreApplication.setOrganizationName("ComposerScreenshots")
    window = MainWindow(data_dir=scratch / "data")
    window.ask_before_closing = False
    window.resize(*SIZE)
    window.show()

    def shot(name: str) -> None:
        settle()
        widget = window if args.full else window.melody_panel
        path = args.out / f"{args.prefix}-{name}.png"
        widget.grab().save(str(path))
        box = window.pickup_box.currentText()
        print(f"wrote {path.name}: {box!r}, {window.document.bars} bars")

    tunes = [
        ("greensleeves", write_greensleeves(scratch / "greensleeves.mid")),
        ("twinkle", resource_path("melodies", "twinkle_twinkle.mid")),
        ("jig-6-8", write_jig(scratch / "jig.mid")),
    ]
    for name, path in tunes:
        window.open_file(path, asked=True)
        shot(name)
        if name == "greensleeves":
            choose_pickup(window, "none")
            shot(f"{name}-none")
            choose_pickup(window, 8)  # two beats: a given pickup
            shot(f"{name}-given")
    if args.generate:
        window.open_file(tunes[0][1], asked=True)
        # the waltz (a chord a bar) when the band model is shipped, chosen as a click does
        index = window.style_box.findData("waltz")
        if index >= 0:
            window.style_box.setCurrentIndex(index)
            window.style_box.activated.emit(index)
        done = []
        window.generation_done.connect(lambda: done.append(True))
        window.generate()
        while not done and window.generate_job is not None:
            app.processEvents(QEventLoop.AllEvents, 50)
        if not done:
            print(f"generation failed: {window.last_error}", file=sys.stderr)
            return 1
        window.candidates.select(0)
        settle()
        path = args.out / f"{args.prefix}-greensleeves-window.png"
        window.grab().save(str(path))
        print(f"wrote {path.name}: chords {window.document.picked.chords[:8]}")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
