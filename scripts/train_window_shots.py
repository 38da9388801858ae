"""Screenshots of the Train window during a band run on real songs, for docs/screenshots/.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/train_window_shots.py \
        [--out docs/screenshots] [--iterations 600] [--full] [--name band]

Opens the Train window on openttd-openmsx's songs kept whole (melody, drums, bass, chords,
other), lists the files with each part's role (one song opened in the list), trains the
tests' tiny model (``tests/support/training.py``; ``--full``: the default-size one)
through the real child processes, and grabs the window while it trains
(``train-window-NAME-running.png``, once a few samples are in) and when it is done
(``train-window-NAME-done.png``). A scratch folder holds the
run and the settings; nothing of the user's is touched. Under Xvfb the window is drawn
by the X server's own path (xcb), as on a desktop; without a display it falls back to
offscreen Qt.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from tests.support.training import SONGS, TINY_CONFIG  # noqa: E402

SHOWN_SONG = "boogi_marabi_redfarn.mid"  # drums, piano comping, a flute melody


def spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--iterations", type=int, default=600)
    parser.add_argument("--running-at", type=int, default=250, help="first shot's iteration")
    parser.add_argument("--full", action="store_true", help="the default-size model")
    parser.add_argument("--name", default="band", help="the screenshots' middle name")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="composer-train-shots-"))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "settings"))
    from composer_gui.ui.app import make_application
    from composer_gui.ui.train_source import SOURCES
    from composer_gui.ui.train_window import TrainWindow

    app = make_application()
    window = TrainWindow(runs_dir=scratch / "runs", models_dir=scratch / "models")
    window.plan_defaults = {"log_every": 5, "eval_every": 100, "sample_every": 50}
    if not args.full:
        window.plan_defaults["config"] = TINY_CONFIG
    window.resize(1400, 860)
    window.show()
    source = window.source
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))
    source.folder_edit.setText(str(SONGS))
    source.preview_folder()
    while source.preview_process is not None:
        spin(0.1)
    tree = source.files_tree
    for i in range(tree.topLevelItemCount()):
        if tree.topLevelItem(i).text(0) == SHOWN_SONG:
            tree.topLevelItem(i).setExpanded(True)
            tree.scrollToItem(tree.topLevelItem(i))
    window.iterations_box.setValue(args.iterations)
    window.start()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    shot_running = False
    while window.run.running and time.monotonic() - started < 3600:
        spin(0.25)
        iteration = window.run.poll().iteration
        if not shot_running and iteration >= args.running_at:
            spin(1.5)  # the plots draw one a tick
            window.grab().save(str(args.out / f"train-window-{args.name}-running.png"))
            print(f"running shot at iteration {window.run.poll().iteration}")
            shot_running = True
    spin(2.0)
    window.grab().save(str(args.out / f"train-window-{args.name}-done.png"))
    progress = window.run.poll()
    print(f"done shot: {progress.state}, {progress.message}; run folder {window.run.run_dir}")
    window.close()
    app.processEvents()
    return 0 if progress.state == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
