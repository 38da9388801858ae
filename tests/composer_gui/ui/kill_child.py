"""The app as the kill test runs it: a real window (offscreen) that works until killed.

``python -m tests.composer_gui.ui.kill_child DATA_DIR PROJECT SEED`` starts the window on
DATA_DIR, answers Yes to the restore question if one is asked, prints what came back,
then keeps working as fast as it can: adds notes, generates (the stand-in engine, on the
worker thread), ticks autosave, saves to PROJECT, each in random order. Around every
write it prints what is being written (``WRITING kind hash``) and after it
(``WROTE kind hash``), so the test knows which states may be on disk when it kills.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

from composer_gui.core.arrangement import Note
from composer_gui.core.project import Project, project_to_dict


def state_hash(project: Project) -> str:
    """The work in a project, not where it belongs: autosaves also name their file."""
    data = project_to_dict(project)
    data.pop("file_path", None)
    return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


def say(*words: str) -> None:
    print(*words, flush=True)


def main(data_dir: str, project_path: str, seed: str) -> int:
    from PySide6.QtCore import QTimer

    from composer_gui.ui.app import make_application
    from composer_gui.ui.main_window import MainWindow
    from tests.composer_gui.ui.stand_in_engine import StandInEngine

    app = make_application()
    window = MainWindow(data_dir=Path(data_dir))
    window.ask_before_closing = False
    window.engine.engine = StandInEngine(seconds=0.02)
    window.autosave_timer.stop()  # ticks come from the loop below, at random
    window.show()
    doc = window.document
    asked = []
    restored = window.offer_restore(ask=lambda: asked.append(True) or True)
    if restored:
        say("RESTORED", state_hash(doc.snapshot()))
    else:
        say("NOTHING", "asked" if asked else "")
    rng = random.Random(int(seed))
    target = Path(project_path)

    def autosave() -> None:
        if window.autosaver.due(doc):
            code = state_hash(doc.snapshot())
            say("WRITING autosave", code)
            window.autosave()
            say("WROTE autosave", code)

    def save() -> None:
        code = state_hash(doc.snapshot())
        say("WRITING save", code)
        window.save_to(target)
        say("WROTE save", code)

    def edit() -> None:
        beat = float(len(doc.melody))
        notes = [*doc.melody, Note(60 + rng.randrange(12), beat, 1.0, 90)]
        doc.set_melody(notes[-60:], "Add note")

    def generate() -> None:
        if doc.melody and window.generate_job is None:
            window.count.setValue(rng.randint(4, 16))
            window.generate()

    def step() -> None:
        rng.choices([edit, generate, autosave, save], weights=[4, 2, 4, 1])[0]()

    timer = QTimer()
    timer.timeout.connect(step)
    timer.start(5)
    say("READY")
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
