"""Screenshots of the Style box on a 6/8 jig (issues 16 and 17), to docs/screenshots/.

    .venv/bin/python scripts/style_meter_shots.py [--out DIR]

Opens the music21 corpus's Battle the Cash jig (6/8) in the real app, offscreen at
1280x800, and grabs the Style box open (the styles that never learnt 6/8 greyed:
s14-style-box-6-8.png), then the window after opening a document saved in rock, which
keeps its take and says the sentence (s14-style-rock-on-jig.png).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from take_screenshots import style_box_shot  # noqa: E402
from window_shots import ROOT, generate_and_wait, offscreen_window, settle  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    from music21 import corpus

    scratch = Path(tempfile.mkdtemp(prefix="composer-style-meters-"))
    jig = scratch / "battle-the-cash.mid"
    corpus.parse("ryansMammoth/BattleTheCashJig.abc").write("midi", fp=str(jig))
    app, window, _ = offscreen_window()
    window.open_file(jig)
    settle()
    style_box_shot(window, args.out, "s14-style-box-6-8")
    window.style_box.setCurrentIndex(window.style_box.findData("pop ballad"))
    window.choose_style("pop ballad")
    window.count.setValue(4)
    if not generate_and_wait(app, window):
        return 1
    window.document.set_generate_settings(style="rock")  # as a document saved in rock
    project = scratch / "jig.composer"
    window.save_to(project)
    window.document.new(discard=True)
    window.open_file(project)
    settle(300)
    path = args.out / "s14-style-rock-on-jig.png"
    window.grab().save(str(path))
    print(f"wrote {path}: {window.statusBar().currentMessage()}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
