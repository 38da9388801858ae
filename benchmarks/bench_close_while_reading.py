"""How long the app takes to exit when its window is closed while a score is read.

    .venv/bin/python benchmarks/bench_close_while_reading.py [--work beethoven/opus133]
        [--close-after 3]

The real window (offscreen, ``tests/composer_gui/ui/close_child.py``) saves a tune,
opens a large score from the music21 corpus (Beethoven's Grosse Fuge by default: over a
minute in music21) and is closed ``--close-after`` seconds later. Printed: seconds from
the close to the process's exit, the exit status, whether the saved tune is unchanged
and whether anything was left in the data folder's autosave. Measured once before the
mend (session 18) and once after; a figure that only judges, nothing is tuned to it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def close_while(score: str, close_after: float, folder: Path) -> dict[str, object]:
    """One run of the child: the seconds from the close to the loop's end and to the exit."""
    project = folder / "tune.composer"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "tests.composer_gui.ui.close_child"]
    command += [str(folder / "data"), str(project), score, str(close_after)]
    child = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    out, _ = child.communicate()
    exited = time.monotonic()
    lines = dict(line.split(" ", 1) for line in out.decode().splitlines() if " " in line)
    closing = float(lines["CLOSING"].split()[0])
    data = folder / "data"
    settings = data / "settings"  # the child's scratch settings, written by design
    left_behind = sorted(
        str(p.relative_to(data))
        for p in data.rglob("*")
        if p.is_file() and settings not in p.parents
    )
    return {
        "loop": float(lines["LEFT"].split()[0]) - closing,
        "exit": exited - closing,
        "status": child.returncode,
        "kept": hashlib.sha1(project.read_bytes()).hexdigest() == lines["SAVED"].strip(),
        "left": left_behind or "none",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="beethoven/opus133")
    parser.add_argument("--close-after", type=float, default=3.0)
    args = parser.parse_args()
    from music21 import corpus

    source = Path(str(corpus.getWork(args.work)))
    print(f"{args.work} ({source.stat().st_size // 1024} KiB), closed after {args.close_after} s")
    for what in ("nothing read (baseline)", f"reading {source.name}"):
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            score = "-"
            if what.startswith("reading"):
                score = str(shutil.copy(source, folder / source.name))
            run = close_while(score, args.close_after, folder)
        print(
            f"{what}: close -> loop left {run['loop']:.2f} s, -> exit {run['exit']:.2f} s "
            f"(status {run['status']}); saved tune unchanged: {run['kept']}; "
            f"left in the data folder: {run['left']}"
        )


if __name__ == "__main__":
    main()
