"""Autosave that never overwrites a better copy.

Two files in the app's data folder: ``autosave.composer`` (the newest) and
``autosave-previous.composer`` (the one before). A write goes to a temporary file first,
is flushed to disk, then the newest becomes the previous and the temporary the newest,
each by an atomic rename; a crash at any moment leaves at least one whole copy.

What the first version got wrong (issue 15): it wrote every few seconds whenever the
window "counted as unsaved", also while the restore question was open, so a fresh
empty window overwrote the autosave it was about to offer. Here a write happens only
for a document revision that differs from the last one written and that holds unsaved
work, and never while ``hold()`` is in force (the window holds it until the restore
question is answered). A leftover autosave is offered until the musician answers.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

from composer_gui.core.document import Document
from composer_gui.core.project import (
    PROJECT_SUFFIX,
    Project,
    ProjectFileError,
    load_project,
    project_to_dict,
)

log = logging.getLogger(__name__)


class Autosave:
    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.path = self.folder / f"autosave{PROJECT_SUFFIX}"
        self.previous_path = self.folder / f"autosave-previous{PROJECT_SUFFIX}"
        self.held = False
        self.written_revision: int | None = None

    def hold(self) -> None:
        """Write nothing until ``release``: a leftover copy is waiting for its answer."""
        self.held = True

    def release(self) -> None:
        self.held = False

    def leftover(self) -> Project | None:
        """The newest whole autosave left by a session that did not end cleanly."""
        for path in (self.path, self.previous_path):
            if path.is_file():
                try:
                    project = load_project(path)
                except ProjectFileError:
                    log.warning("Autosave %s is damaged; trying the previous one", path)
                    continue
                if superseded(project, path):
                    return None
                return project
        return None

    def due(self, document: Document) -> bool:
        return not self.held and document.dirty and document.revision != self.written_revision

    def write(self, document: Document) -> bool:
        """Write the document if there is unsaved work not yet written; True if written."""
        if not self.due(document):
            return False
        text = json.dumps(project_to_dict(document.snapshot(for_autosave=True)), indent=1)
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".autosave-", dir=self.folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            if self.path.exists():
                os.replace(self.path, self.previous_path)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.written_revision = document.revision
        return True

    def adopt(self, document: Document) -> None:
        """The document was just restored from the autosave: that copy is already written."""
        self.written_revision = document.revision

    def discard(self) -> None:
        """The work is saved or the musician let it go: no copy is needed any more.

        While held, the files are the leftover waiting for its answer and stay."""
        if self.held:
            return
        for path in (self.path, self.previous_path):
            # A folder that cannot be reached holds no copy to remove; New and Open must
            # not fail for it (the autosave itself says so, session 14).
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
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
