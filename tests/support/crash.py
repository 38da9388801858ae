"""A crash of the app, as the next start sees it, inside one test process.

Each running copy's autosave has a lock holding its process id (``core.autosave``); a
window or autosaver a test leaves behind is still running as far as the lock says, so
``as_if_crashed`` writes the id of a process that has ended into its lock, which is what
a copy killed by a crash leaves.
"""

from __future__ import annotations

import functools
import subprocess
import sys


@functools.cache
def dead_pid() -> int:
    """The id of a process that has ended (a child started and waited for)."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def as_if_crashed(autosaver) -> None:
    """The autosaver's copy of the app died: its lock names a process no longer running."""
    lock = autosaver.files.lock_path
    if lock.is_file():
        lock.write_text(f"{dead_pid()}\n", encoding="utf-8")
