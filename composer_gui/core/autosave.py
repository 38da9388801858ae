"""Autosave that never overwrites a better copy, one set of files per running copy.

Each running copy of the app (each ``Autosave``) writes its own two files in the data
folder: ``autosave-<id>.composer`` (the newest) and ``autosave-<id>-previous.composer``
(the one before), beside ``autosave-<id>.lock``, which says who the writer is: its
process id and, where the system tells (Linux), the boot id and the process's start
time. A write goes to a temporary file first, is flushed to disk, then the newest becomes the
previous and the temporary the newest, each by an atomic rename; a crash at any moment
leaves at least one whole copy.

What the first version got wrong (issue 15): it wrote every few seconds whenever the
window "counted as unsaved", also while the restore question was open, so a fresh
empty window overwrote the autosave it was about to offer. Here a write happens only
for a document revision that differs from the last one written and that holds unsaved
work, and never while ``hold()`` is in force (the window holds it until the restore
question is answered). A leftover autosave is offered until the musician answers.

Session 16: two running copies shared one ``autosave.composer``: the second overwrote
the first's recovery, and a clean close of one removed the other's. Now a start offers
only the copies whose writer is no longer running (its lock's process is gone, or it
has no lock: a file of an older Composer), the newest first; a running copy's are left
alone. A lock naming this process but none of its autosavers is an earlier launch's
(a PID namespace, Flatpak or a container, gives each launch the same id); one from
another boot, or whose process started at another time, is a dead writer's. Where only
the id is known (macOS, Windows) a program that reused it keeps that copy waiting until
it ends (nothing is lost). The lock lands whole (a temporary file renamed), an empty or
unreadable one younger than a few seconds counts as being written, and a lone lock (a
crash before the first autosave) of a dead writer is removed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from composer_gui.core.arrangement import Note
from composer_gui.core.document import Document
from composer_gui.core.melody_grid import Pickup
from composer_gui.core.project import (
    PROJECT_SUFFIX,
    Project,
    ProjectFileError,
    load_project,
    project_to_dict,
)

log = logging.getLogger(__name__)

# A take being recorded as it would end now: its notes and the pickup it measured
# (``lead_in_as_pickup``; None: none), what ``Autosave.write`` keeps of it.
TakeNow = tuple[list[Note], Pickup | None]

# autosave.composer (an older Composer's, no lock), autosave-<id>.composer (the id was
# <pid>-<random> on session 16's first day, random since), each one's
# -previous copy, and autosave-<id>.lock (alone when a copy died before its first write)
COPY_NAME = re.compile(
    rf"autosave(?:-(?P<id>[0-9a-f]+(?:-[0-9a-f]+)?))?"
    rf"(?:(?P<previous>-previous)?{re.escape(PROJECT_SUFFIX)}|\.lock)"
)

# An empty lock this young is being written by a starting copy, not left by a crash.
YOUNG_LOCK_SECONDS = 5.0

# The instances this process has made: a lock naming our own process id but none of
# these was left by an earlier process that had the same id (a PID namespace gives each
# launch the same one).
_MADE_HERE: set[str] = set()


def boot_id() -> str | None:
    """This boot's id (Linux); None where the system does not say."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return None


def process_start_ticks(pid: int) -> str | None:
    """When the process started, in clock ticks since boot (``/proc/<pid>/stat`` field
    22, Linux); None where unknown. Tells a reused process id from the writer."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # the name (field 2) is in parentheses and may hold spaces: count after its end
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def writer_identity(pid: int) -> list[str]:
    """What a lock says of its writer: the process id, then where known the boot id and
    the process's start time (macOS and Windows: the process id alone)."""
    boot, start = boot_id(), process_start_ticks(pid)
    return [str(pid), boot, start] if boot and start else [str(pid)]


def process_alive(pid: int) -> bool:
    """Whether a process with this id is running (on this machine)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would end the process there
        import ctypes

        synchronize, still_active = 0x00100000 | 0x1000, 259
        handle = ctypes.windll.kernel32.OpenProcess(synchronize, False, pid)
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == still_active
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class CopyFiles:
    """One running copy's autosave files: the newest, the previous, the lock."""

    folder: Path
    instance: str  # "" for an older Composer's autosave.composer (it has no lock)

    @property
    def stem(self) -> str:
        return f"autosave-{self.instance}" if self.instance else "autosave"

    @property
    def path(self) -> Path:
        return self.folder / f"{self.stem}{PROJECT_SUFFIX}"

    @property
    def previous_path(self) -> Path:
        return self.folder / f"{self.stem}-previous{PROJECT_SUFFIX}"

    @property
    def lock_path(self) -> Path:
        return self.folder / f"{self.stem}.lock"

    def writer_running(self) -> bool:
        """Whether the copy of the app that wrote these files still runs. An empty or
        unreadable lock younger than a few seconds is a lock being written (running)."""
        try:
            fields = self.lock_path.read_text(encoding="utf-8").split()
            pid = int(fields[0])
        except FileNotFoundError:
            return False  # no lock: an older Composer's file
        except (OSError, ValueError, IndexError):
            return self._lock_young()
        if pid == os.getpid():
            return self.instance in _MADE_HERE
        if not process_alive(pid):
            return False
        if len(fields) >= 3:
            # another boot, or another process that got the id: the writer is gone
            return writer_identity(pid)[1:] in ([], fields[1:3])
        return True

    def _lock_young(self) -> bool:
        try:
            age = time.time() - self.lock_path.stat().st_mtime
        except OSError:
            return False
        return age < YOUNG_LOCK_SECONDS

    def has_copy(self) -> bool:
        return self.path.exists() or self.previous_path.exists()

    def newest_mtime(self) -> int:
        times = []
        for path in (self.path, self.previous_path):
            with contextlib.suppress(OSError):
                times.append(path.stat().st_mtime_ns)
        return max(times, default=0)

    def remove(self) -> None:
        """The previous copy goes first: a crash between two removals then leaves the
        newest (the work last written), never the older copy alone to be offered."""
        for path in (self.previous_path, self.path, self.lock_path):
            # A folder that cannot be reached holds no copy to remove; New and Open must
            # not fail for it (the autosave itself says so, session 14).
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


class Autosave:
    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        # random: two autosavers in one process (the tests' windows) differ too, and a
        # reused process id never meets an old copy's files (the lock holds the id)
        self.files = CopyFiles(self.folder, secrets.token_hex(8))
        _MADE_HERE.add(self.files.instance)
        self.held = False
        self.written_revision: int | None = None
        self.written_take: TakeNow | None = None  # the take in progress last written
        self.offered: CopyFiles | None = None  # the leftover ``leftover`` last returned
        self.offered_path: Path | None = None  # which of its files that copy was read from

    def hold(self) -> None:
        """Write nothing until ``release``: a leftover copy is waiting for its answer."""
        self.held = True

    def release(self) -> None:
        self.held = False

    def leftovers(self) -> list[CopyFiles]:
        """The autosave files of copies of the app no longer running, newest first."""
        found: dict[str, CopyFiles] = {}
        with contextlib.suppress(OSError):
            for entry in self.folder.iterdir():
                match = COPY_NAME.fullmatch(entry.name)
                if match is not None:
                    instance = match.group("id") or ""
                    found.setdefault(instance, CopyFiles(self.folder, instance))
        found.pop(self.files.instance, None)
        dead = [files for files in found.values() if not files.writer_running()]
        return sorted(dead, key=lambda files: files.newest_mtime(), reverse=True)

    def leftover(self) -> Project | None:
        """The newest whole autosave left by a copy of the app that did not end cleanly
        (the one ``adopt`` and ``decline`` then act on). A copy whose project file was
        saved after it is removed: the saved file is the better copy."""
        self.offered, self.offered_path = None, None
        for files in self.leftovers():
            if not files.has_copy():
                files.remove()  # a lone lock: the copy died before its first autosave
                continue
            found = self._newest_whole(files)
            if found is not None and superseded(*found):
                files.remove()
            elif found is not None:
                self.offered, self.offered_path = files, found[1]
                return found[0]
        return None

    @staticmethod
    def _newest_whole(files: CopyFiles) -> tuple[Project, Path] | None:
        for path in (files.path, files.previous_path):
            if path.is_file():
                try:
                    return load_project(path), path
                except ProjectFileError:
                    log.warning("Autosave %s is damaged; trying the previous one", path)
        return None

    def due(self, document: Document) -> bool:
        return not self.held and document.dirty and document.revision != self.written_revision

    def _lock(self) -> None:
        """Say that this copy's files belong to a running app (before any copy lands)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.files.lock_path.is_file():
            return
        # whole or not at all: a starting copy that read it half written took the writer
        # for dead, and declining removed this copy's files
        handle, temporary = tempfile.mkstemp(prefix=".autosave-lock-", dir=self.folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(" ".join(writer_identity(os.getpid())) + "\n")
            os.replace(temporary, self.files.lock_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def write(self, document: Document, take: TakeNow | None = None) -> bool:
        """Write the document if there is unsaved work not yet written; True if written.

        ``take``: a take being recorded, as ``(notes, pickup)`` were it to end now. It is
        written as the melody whenever its notes changed since the last write, clean
        document or not (session 19: the document does not change until the take ends,
        so a crash mid-take lost everything played in it)."""
        if take is not None and take[0]:
            if self.held or take == self.written_take:
                return False
            project = document.snapshot_with_take(*take)
        elif not self.due(document):
            return False
        else:
            project = document.snapshot(for_autosave=True)
        text = json.dumps(project_to_dict(project), indent=1)
        self._lock()
        handle, temporary = tempfile.mkstemp(prefix=".autosave-", dir=self.folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            if self.files.path.exists():
                os.replace(self.files.path, self.files.previous_path)
            os.replace(temporary, self.files.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.written_revision = document.revision
        # a take's copy is not the document's revision: the take's end writes again
        self.written_take = take if take is not None and take[0] else None
        if self.written_take is not None:
            self.written_revision = None
        return True

    def adopt(self, document: Document) -> None:
        """The document was just restored from the offered leftover: its files become
        this copy's (already written), and its lock goes."""
        offered, self.offered = self.offered, None
        if offered is not None:
            self._lock()
            # One rename, so a crash at any moment leaves the restored copy in one set
            # of files: moving the newest and the previous one by one left, cut between
            # them, the older copy alone in the dead copy's files, offered again later.
            # The copy restored is the one kept; the other one of theirs goes first.
            restored = self.offered_path or offered.path
            for path in (offered.previous_path, offered.path):
                if path != restored:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()
            with contextlib.suppress(FileNotFoundError):
                os.replace(restored, self.files.path)
            offered.remove()
        self.offered_path = None
        self.written_revision = document.revision

    def decline(self) -> None:
        """The musician let the offered leftover go: its files are removed."""
        offered, self.offered = self.offered, None
        self.offered_path = None
        if offered is not None:
            offered.remove()

    def discard(self) -> None:
        """The work is saved or the musician let it go: no copy is needed any more.

        While held, nothing is removed (a leftover is waiting for its answer); another
        running copy's files are never touched."""
        if self.held:
            return
        self.files.remove()
        self.written_revision = None


def superseded(project: Project, path: Path) -> bool:
    """The project file the autosave belongs to was saved after it (a crash came between
    saving and removing the autosave): that file is the better copy."""
    if not project.file_path:
        return False
    saved = Path(project.file_path)
    try:
        # strictly later: on a coarse clock a tie offers the autosave, the safe side
        return saved.stat().st_mtime_ns > path.stat().st_mtime_ns
    except OSError:
        return False
