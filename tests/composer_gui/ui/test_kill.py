"""Kill test, for real: the app killed with SIGKILL at random moments, 50 times.

Each round starts the real window in a subprocess (offscreen, ``kill_child.py``) on the
same data folder; it restores what the last round left, works (notes, generating on the
worker thread, autosave ticks, saves), and is killed at a random moment, often in the
middle of a write. The next start must offer the restore and bring back the last state
written whole: the newest autosave (or the one being written when the kill came), or,
when the work was saved since, nothing to restore and the saved file intact.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from composer_gui.core.project import load_project
from tests.composer_gui.ui.kill_child import state_hash

pytestmark = [pytest.mark.gui, pytest.mark.slow]

ROUNDS = 50
ROOT = Path(__file__).resolve().parents[3]


def run_child(data: Path, project: Path, seed: int, kill_after: float) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.composer_gui.ui.kill_child",
            str(data),
            str(project),
            str(seed),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = child.stdout.readline().strip()
            if not line:
                break
            lines.append(line)
            if line == "READY":
                time.sleep(kill_after)
                break
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    lines += [line for line in rest.splitlines() if line.strip()]
    assert "READY" in lines, f"the app did not start: {lines}"
    return lines


def test_killed_fifty_times_the_last_written_state_comes_back(tmp_path):
    rng = random.Random(15)
    data, project = tmp_path / "data", tmp_path / "tune.composer"
    # What the next start may find in the autosave: hashes of whole states, or None for
    # "no autosave" (nothing unsaved was written, or a save made it unneeded).
    autosaved: set[str | None] = {None}
    saved: set[str] = set()  # hashes the project file may hold
    restores = 0
    lines: list[str] = []
    for number in range(ROUNDS):
        previous = lines
        lines = run_child(data, project, number, kill_after=rng.uniform(0.05, 0.8))
        first = lines[0].split()
        if first[0] == "RESTORED":
            restores += 1
            assert first[1] in autosaved, f"round {number}: restored a state never written"
            autosaved = {first[1]}
        else:
            assert first[0] == "NOTHING"
            assert None in autosaved, (
                f"round {number}: the autosave was not offered; before: {previous[-4:]}"
            )
            autosaved = {None}
        pending_autosave: str | None = None
        pending_save: str | None = None
        for line in lines[1:]:
            words = line.split()
            if len(words) != 3 or len(words[2]) != 12:
                continue  # a line the kill cut short: its write had not begun
            if words[:2] == ["WRITING", "autosave"]:
                pending_autosave = words[2]
            elif words[:2] == ["WROTE", "autosave"]:
                autosaved, pending_autosave = {words[2]}, None
            elif words[:2] == ["WRITING", "save"]:
                pending_save = words[2]
            elif words[:2] == ["WROTE", "save"]:
                saved, pending_save, autosaved = {words[2]}, None, {None}
        # killed mid-write: the new copy or the old one may be on disk, both whole
        if pending_autosave is not None:
            autosaved.add(pending_autosave)
        if pending_save is not None:
            saved.add(pending_save)
            autosaved.add(None)  # the save may have landed and the autosave gone
        if project.exists():  # the saved file is whole: the last save, or the one cut
            assert state_hash(load_project(project)) in saved, f"round {number}"
    assert restores >= ROUNDS // 4, f"only {restores} of {ROUNDS} rounds had work to restore"
