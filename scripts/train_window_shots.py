"""A musician's training session in the app, with screenshots, for docs/screenshots/.

    xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python scripts/train_window_shots.py \
        [--out docs/screenshots] [--name band] [--source FOLDER|band] [--style NAME] \
        [--iterations 600] [--running-at 250] [--full] [--generate]

The whole app, as a musician drives it: the main window opens, Generate > Train a Model...
opens the Train window, the source is chosen (a folder of songs kept whole, by default
openttd-openmsx's: melody, drums, bass, chords, other, with one song opened in the file
list; or ``band``, the shipped band data MMA renders from the chorales, every style or
``--style``'s, built by the window into the user's dataset cache when it is not there),
"Estimate the time" is pressed and its sentence waited for, then Start. The window is
grabbed once it has measured (``train-window-NAME-estimate.png``), while it builds the
data when it does (``-building``), while it trains (``-running``, once a few samples are
in) and when it is done (``-done``). ``--generate``: "Use this model" is pressed, a
sample melody opened, Generate pressed in the main window, and the main window grabbed
with the model's candidates (``main-window-NAME-generated.png``).

The model is the tests' tiny one (``tests/support/training.py``) unless ``--full`` (the
default size). A scratch folder holds the runs, the installed model, the settings and
the autosaves; nothing of the user's is touched but the dataset cache. Buttons are
pressed with real mouse events (``QTest.mouseClick``). Under Xvfb the window is drawn
by the X server's own path (xcb), as on a desktop; without a display, offscreen Qt.
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

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer  # noqa: E402

from tests.support.training import SONGS, TINY_CONFIG  # noqa: E402

SHOWN_SONG = "boogi_marabi_redfarn.mid"  # drums, piano comping, a flute melody
MELODY = ROOT / "resources" / "melodies" / "greensleeves.mid"


def spin(seconds: float) -> None:
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def spin_until(condition, timeout_seconds: float, what: str) -> None:
    deadline = time.monotonic() + timeout_seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        spin(0.2)


def click(button) -> None:
    from PySide6.QtTest import QTest

    assert button.isEnabled(), f"{button.text()} is not enabled"
    QTest.mouseClick(button, Qt.LeftButton)


def shot(widget, path: Path) -> None:
    widget.grab().save(str(path))
    print(f"saved {path.name}", flush=True)


def choose_source(train, args) -> None:
    from composer_gui.ui.train_source import SOURCES

    source = train.source
    if args.source == "band":
        from composer_gui.core.training_plan import BAND

        source.source_box.setCurrentIndex([s for _, s in SOURCES].index(BAND))
        source.style_box.setCurrentIndex(max(0, source.style_box.findData(args.style)))
        return
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))
    source.folder_edit.setText(args.source)
    source.preview_folder()
    spin_until(lambda: source.preview_process is None, 120, "the folder's preview")
    tree = source.files_tree
    for i in range(tree.topLevelItemCount()):
        if tree.topLevelItem(i).text(0) == SHOWN_SONG:
            tree.topLevelItem(i).setExpanded(True)
            tree.scrollToItem(tree.topLevelItem(i))
    print(source.files_summary.text(), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--name", default="band", help="the screenshots' middle name")
    parser.add_argument("--source", default=str(SONGS), help="a folder of songs, or 'band'")
    parser.add_argument("--style", default="", help="the band data's one style ('' every one)")
    parser.add_argument("--iterations", type=int, default=600)
    parser.add_argument("--running-at", type=int, default=250, help="running shot's iteration")
    parser.add_argument("--full", action="store_true", help="the default-size model")
    parser.add_argument("--generate", action="store_true", help="use the model, generate")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="composer-train-shots-"))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "settings"))
    from composer_gui.core import training_run
    from composer_gui.ui.app import make_application

    training_run.default_runs_dir = lambda: scratch / "runs"
    training_run.user_models_dir = lambda: scratch / "models"
    app = make_application()
    from composer_gui.ui.main_window import MainWindow

    main_window = MainWindow(data_dir=scratch / "data")
    main_window.ask_before_closing = False
    main_window.resize(1400, 860)
    main_window.show()
    spin(1.0)
    main_window.actions.train_model.trigger()  # Generate > Train a Model...
    train = main_window.train_window
    train.plan_defaults = {"log_every": 5, "eval_every": 100, "sample_every": 50}
    if not args.full:
        train.plan_defaults["config"] = TINY_CONFIG
    # the window at its own default size, as a musician first sees it
    spin(0.5)
    choose_source(train, args)
    train.iterations_box.setValue(args.iterations)
    args.out.mkdir(parents=True, exist_ok=True)

    click(train.estimate_button)
    spin(5.0)
    if train.measurement is not None and train.measurement.run.state == "building":
        print(train.estimate_label.text(), flush=True)  # the data is built first
        shot(train, args.out / f"train-window-{args.name}-building.png")
    spin_until(lambda: train.measurement is None, 3600, "the time estimate")
    print(train.estimate_label.text(), flush=True)
    shot(train, args.out / f"train-window-{args.name}-estimate.png")

    click(train.start_button)
    run, started = train.run, time.monotonic()
    shot_building = shot_running = False
    while run.running and time.monotonic() - started < 4 * 3600:
        spin(0.25)
        progress = run.poll()
        if not shot_building and progress.state == "building" and time.monotonic() - started > 5:
            shot(train, args.out / f"train-window-{args.name}-building.png")
            shot_building = True
        if not shot_running and progress.iteration >= args.running_at:
            spin(1.5)  # the plots draw one a tick
            shot(train, args.out / f"train-window-{args.name}-running.png")
            print(f"running: {train.state_label.text()} {train.eta_label.text()}", flush=True)
            shot_running = True
    spin(2.0)
    shot(train, args.out / f"train-window-{args.name}-done.png")
    progress = run.poll()
    seconds = time.monotonic() - started
    print(f"{progress.state}: {progress.message}; {seconds:.0f} s; {run.run_dir}", flush=True)
    if progress.state == "done" and args.generate:
        click(train.use_button)
        print(train.state_label.text(), flush=True)
        train.close()
        main_window.activateWindow()
        assert main_window.open_file(MELODY)
        spin(1.0)
        style = main_window.current_style()
        print(f"style box: {main_window.style_box.currentText()}, {style.description}")
        finished = []
        main_window.generation_done.connect(lambda: finished.append(1))
        click(main_window.generate_button)
        spin_until(lambda: finished or main_window.last_error, 600, "the generation")
        spin(1.5)
        print(f"error: {main_window.last_error}; tracks: {main_window.document.track_names()}")
        shot(main_window, args.out / f"main-window-{args.name}-generated.png")
    train.close()
    main_window.close()
    app.processEvents()
    return 0 if progress.state == "done" else 1


if __name__ == "__main__":
    sys.exit(main())
