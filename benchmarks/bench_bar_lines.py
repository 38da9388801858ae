"""How long the window's thread spends reading a long tune's bars (``core.bar_lines``).

    .venv/bin/python benchmarks/bench_bar_lines.py [--bars 200] [--repeats 20]

The rolls, the bars box and the Pickup box ask ``read_bars`` on every melody edit, meter
or pickup change; it runs the pickup detector and lays the melody on the grid
(``melody_grid.melody_on_grid``). Issue 16 asks it to leave the window's thread if that is
slow on a long tune. Two 200-bar tunes: Greensleeves with its pickup repeated (quarters
and dotted rhythms, 3/4) and running sixteenths in 4/4 (16 notes a bar, the most a grid
bar holds). Printed: milliseconds a reading, uncached (a fresh edit) and cached (a redraw
of the same melody), against the file's own bar count (``Arrangement.bar_count``, what
the bars box used before) in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from composer_gui.core.arrangement import Arrangement, Note, Track  # noqa: E402
from composer_gui.core.bar_lines import _read_bars, read_bars  # noqa: E402


def greensleeves(bars: int) -> tuple[list[Note], tuple[int, int]]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from pickup_screenshots import GREENSLEEVES

    length = 45.0  # beats: a one-beat pickup and 14 2/3 bars of 3/4
    notes = []
    for copy in range(-(-bars * 3 // int(length))):
        notes += [Note(p, s + copy * length, d) for p, s, d in GREENSLEEVES]
    return [n for n in notes if n.start_beat < bars * 3], (3, 4)


def sixteenths(bars: int) -> tuple[list[Note], tuple[int, int]]:
    scale = (60, 62, 64, 65, 67, 69, 71, 72)
    return [Note(scale[i % 8], i * 0.25, 0.25) for i in range(bars * 16)], (4, 4)


def milliseconds(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    print(f"{'tune':<14} {'notes':>6} {'file bars ms':>13} {'read ms':>8} {'cached ms':>10} ratio")
    for name, make in (("greensleeves", greensleeves), ("sixteenths", sixteenths)):
        notes, signature = make(args.bars)
        melody = Arrangement([Track("melody", notes)], time_signature=signature)
        base = milliseconds(melody.bar_count, args.repeats)
        cold = milliseconds(
            lambda n=tuple(notes), s=signature: _read_bars.__wrapped__(n, s, (), "auto"),
            args.repeats,
        )
        read_bars(notes, signature)
        warm = milliseconds(lambda n=notes, s=signature: read_bars(n, s), args.repeats)
        print(
            f"{name:<14} {len(notes):>6} {base:>13.2f} {cold:>8.2f} {warm:>10.2f} "
            f"{cold / base:.1f}x"
        )
    print()
    print("a melody edit in the window (offscreen, 1280x800): the edit heard and both")
    print("rolls redrawn; a new melody against one whose reading is cached")
    window_edits(args)
    return 0


def window_edits(args) -> None:
    """One melody edit (a note moved) through the document to the redrawn melody roll."""
    import os
    import tempfile

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    scratch = Path(tempfile.mkdtemp(prefix="bench-bars-"))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "settings"))
    from composer_gui.ui.app import make_application
    from composer_gui.ui.main_window import MainWindow

    app = make_application()
    window = MainWindow(data_dir=scratch / "data")
    window.ask_before_closing = False
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    for name, make in (("greensleeves", greensleeves), ("sixteenths", sixteenths)):
        notes, signature = make(args.bars)
        window.document.set_meter(signature)
        window.document.set_melody(notes)
        app.processEvents()
        fresh, again = [], []
        for repeat in range(args.repeats):
            # a melody not read before, then one read two edits ago (kept: the reading
            # is cached), so the difference is the reading's cost within an edit
            for pitch, times in ((40 + repeat, fresh), (30 + repeat % 2, again)):
                moved = [*notes[:-1], Note(pitch, notes[-1].start_beat, 0.25)]
                start = time.perf_counter()
                window.document.set_melody(moved)
                window.melody_editor.repaint()
                window.arrangement_view.repaint()
                times.append((time.perf_counter() - start) * 1000)
        new, old = statistics.median(fresh), statistics.median(again)
        print(f"{name:<14} edit {new:.1f} ms, of which reading the bars {new - old:.1f} ms")
    window.close()


if __name__ == "__main__":
    sys.exit(main())
