"""Test servers left behind by a test process that was killed, found by name and stopped.

Every server a fixture starts (``jackd``, ``pulseaudio``) carries ``composer-test-<pid>-``
in its command line, ``<pid>`` being the test process that started it. A test process
that is killed (SIGKILL, a CI timeout) runs no teardown, so its servers live on: realtime
``jackd`` servers with 64-frame periods piled up that way and made a later one miss its
start deadline. Before a fixture starts a server it stops the orphans of its program:
those whose ``<pid>`` is gone, or is another process now (the pid was reused, so it is
not the server's parent). A live run's servers are never touched: their parent is the
``<pid>`` in their name.

The servers are also started to die with their test process where Linux allows it
(``die_with_parent``), so orphans should be rare; this is the net for the rest.
Linux only (``/proc``); elsewhere nothing is found.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

PREFIX = "composer-test"
_OWNER = re.compile(rf"{PREFIX}-(\d+)-")
PROC = Path("/proc")


def server_name(kind: str) -> str:
    """A name for a server this process starts, unique in the machine: the prefix, this
    process's pid (whose death makes the server an orphan) and ``kind``."""
    return f"{PREFIX}-{os.getpid()}-{kind}"


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent pid, or None where it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    state, ppid = text[text.rindex(")") + 2 :].split()[:2]
    return state, int(ppid)


def process_alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in "ZX"  # a zombie has ended


def orphans(program: str) -> list[int]:
    """Pids of this user's ``program`` processes named for a test process that is gone or
    is no longer their parent."""
    found = []
    for entry in PROC.glob("[0-9]*") if PROC.is_dir() else ():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if not argv or os.path.basename(argv[0].decode(errors="replace")) != program:
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid != os.getuid():
                continue  # another user's: not ours to stop
        match = _OWNER.search(b" ".join(argv).decode(errors="replace"))
        stat = _stat(int(entry.name))
        if match is None or stat is None or stat[0] in "ZX":
            continue
        owner = int(match.group(1))
        if not process_alive(owner) or stat[1] != owner:
            found.append(int(entry.name))
    return found


def stop_orphans(program: str, timeout_seconds: float = 5.0) -> list[int]:
    """Stop the orphans of ``program`` (SIGTERM, then SIGKILL after ``timeout_seconds``)
    and return their pids. They are not our children, so we watch them go by ``/proc``."""
    pids = orphans(program)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout_seconds
        while any(process_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        if not any(process_alive(pid) for pid in pids):
            break
    return pids


def stop_child(process: subprocess.Popen, timeout_seconds: float = 10.0) -> None:
    """Stop a server we started: SIGTERM, so it exits cleanly (a ``jackd`` then frees its
    place in JACK's registry), and SIGKILL only if it is still there after the timeout."""
    process.terminate()
    try:
        process.wait(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@functools.cache
def _setpriv_pdeathsig() -> bool:
    if shutil.which("setpriv") is None:
        return False
    usage = subprocess.run(["setpriv", "--help"], capture_output=True, text=True).stdout
    return "--pdeathsig" in usage


def die_with_parent(command: list[str]) -> list[str]:
    """``command`` wrapped so that its process gets SIGTERM when the thread that starts
    it ends (Linux's parent-death signal, set by util-linux's ``setpriv``, kept across
    its exec); unchanged where ``setpriv`` cannot. Start such servers from the thread
    that lives as long as they should (a fixture's: pytest's main thread)."""
    if not _setpriv_pdeathsig():
        return command
    return ["setpriv", "--pdeathsig", "TERM", *command]
