"""The window's file flow: New, Open, Save, autosave and the restore after a crash.

Every path here asks before work is dropped: ``confirm_discard`` offers Save, Don't Save
or Cancel when the document holds unsaved music, and only then tells the document to
discard (``discard=True``); the document refuses otherwise. Autosave lives in
``core/autosave.py``; this module only times it and asks the restore question, holding
autosave off until the question is answered.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from composer_gui.core.errors import ComposerError
from composer_gui.core.file_suffixes import READABLE_SUFFIXES, dialog_pattern, is_score
from composer_gui.core.midi_file import read_arrangement_and_tune_choice
from composer_gui.core.project import PROJECT_SUFFIX
from composer_gui.ui import settings

log = logging.getLogger(__name__)


def read_melody_file(path: Path):
    """The file reader's job (no widget touched): the file read, and for an ABC tune book
    the sentence saying which tune was taken, from one read of the file."""
    return read_arrangement_and_tune_choice(path)


class FilesFlow:
    """Mixed into MainWindow; uses its ``document``, ``autosaver``, ``choose`` and
    ``file_reader`` (a ``TaskRunner`` of its own, so a score read never waits behind a
    generation)."""

    autosave_failing = False  # a write failed and was said; the next good write clears it
    reading_bar = None  # the status bar's busy bar while a score is read

    @property
    def autosave_path(self) -> Path:
        return self.autosaver.files.path

    def has_unsaved_music(self) -> bool:
        doc = self.document
        return doc.dirty and bool(doc.melody or doc.takes)

    def confirm_discard(self, doing: str = "going on") -> bool:
        """True when the work may go: it is saved, or the musician said to save or drop it."""
        if not self.has_unsaved_music() or not self.ask_before_closing:
            return True
        answer = self.choose(
            "Save your work?",
            f"The melody and candidates have changes that are not saved. Save them before {doing}?",
            {"save": "Save", "discard": "Don't Save"},
        )
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_project(self) -> bool:
        if not self.confirm_discard("starting a new tune"):
            return False
        self.document.new(discard=True)  # the record settings of a new melody, not the last tune's
        self._left_the_tune()
        return True

    def _left_the_tune(self) -> None:
        """What New and Open stop of the tune they replaced: its playback and its stream
        into the DAW (Send to DAW went on playing the old tune, its button stuck on), its
        generation, its playheads, its autosave and what was said of that autosave."""
        self.actions.play.setChecked(False)
        self.actions.send_to_daw.setChecked(False)
        self.cancel_generation(quietly=True)
        self.start_beat = 0.0
        self.park_playheads()
        self.autosaver.discard()
        self.autosave_failing = False

    def choose_and_open(self) -> None:
        if not self.confirm_discard("opening another file"):
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open a melody or a project",
            str(settings.last_folder()),
            f"Melodies and projects ({dialog_pattern(READABLE_SUFFIXES)} *{PROJECT_SUFFIX});;"
            "All files (*)",
        )
        if path:
            settings.remember_folder(Path(path))
            self.open_file(Path(path), asked=True)

    def open_file(self, path: Path, asked: bool = False) -> bool:
        """Open a MIDI file or a score (ABC, MusicXML) as the melody, or a .composer
        project; errors go to a dialog."""
        path = Path(path)
        if not asked and not self.confirm_discard(f"opening {path.name}"):
            return False
        if is_score(path):
            self._read_in_background(path)
            return True
        try:
            if path.suffix.lower() == PROJECT_SUFFIX:
                self.document.open_project(path, discard=True)
                message = f"Opened {path.name}."
            else:
                taken = self.document.open_midi(path, discard=True)
                message = self._track_message(path, taken)
        except ComposerError as error:
            self.report_error(str(error))
            return False
        self._opened(message)
        return True

    def _read_in_background(self, path: Path) -> None:
        """A score is read on the file reader's thread (music21 takes 6 s on a Mozart
        quartet's movement, over a minute on the Grosse Fuge), the window answering
        meanwhile; it opens when it is read. A MIDI file is read at once (mido is fast)."""
        revision = self.document.revision
        self.reading_files.append(path)
        self._show_reading()
        self.file_reader.run(
            read_melody_file,
            path,
            on_done=lambda result: self._score_read(path, revision, *result),
            on_error=lambda message: self._score_not_read(path, message),
        )

    def _show_reading(self) -> None:
        if self.reading_bar is None:
            from PySide6.QtWidgets import QProgressBar

            self.reading_bar = QProgressBar(self)
            self.reading_bar.setRange(0, 0)  # busy: music21 says nothing of its progress
            self.reading_bar.setMaximumWidth(120)
            self.statusBar().addPermanentWidget(self.reading_bar)
        self.reading_bar.setVisible(bool(self.reading_files))
        if self.reading_files:
            self.statusBar().showMessage(f"Reading {self.reading_files[-1].name}...")

    def _score_not_read(self, path: Path, message: str) -> None:
        self.reading_files.remove(path)
        self._show_reading()
        self.statusBar().clearMessage()
        self.report_error(message)

    def _score_read(self, path: Path, revision: int, read, tunes: str | None) -> None:
        """On the UI thread: open the score read; the melody edited meanwhile is asked
        about again, as Open asks."""
        self.reading_files.remove(path)
        self._show_reading()
        self.statusBar().clearMessage()
        if self.document.revision != revision and not self.confirm_discard(f"opening {path.name}"):
            return
        try:
            taken = self.document.open_read(path, read, discard=True)
        except ComposerError as error:
            self.report_error(str(error))
            return
        message = self._track_message(path, taken)
        self._opened(f"{message} {tunes}" if tunes else message)  # a tune book: which tune

    def _opened(self, message: str) -> None:
        self._left_the_tune()
        self.melody_editor.fit_pitches([n.pitch for n in self.document.melody])
        note = self._reading_note()
        self.statusBar().showMessage(f"{message} {note}".strip(), 15000 if note else 8000)

    def _reading_note(self) -> str:
        """A meter that cannot be accompanied is said when the tune opens, not at Generate;
        otherwise how the melody was read (chords as their top line, a far register)."""
        from composer_gui.core.melody_grid import (
            melody_warnings,
            unaccompanied_meters,
            unsupported_meter_message,
        )

        melody = self.document.melody_arrangement()
        if melody is None:
            return ""
        unsupported = unaccompanied_meters(melody)
        if unsupported:
            self.report_error(unsupported_meter_message(unsupported[0], melody))
            return ""
        # a style that never learnt the meter (a saved document's, kept with its takes)
        refusal = self.style_refusal()
        return " ".join([*melody_warnings(melody), *([refusal] if refusal else [])])

    def _track_message(self, path: Path, taken: str) -> str:
        source = self.document.source
        pitched = [t for t in source.tracks if not t.is_drum] if source else []
        if len(pitched) < 2:
            return f"Opened {path.name}."
        return (
            f"Opened {path.name}: the melody is track {source.index + 1}, '{taken}', of "
            f"{len(source.tracks)}; choose another above the melody if it is not the tune."
        )

    def choose_melody_track(self, index: int) -> None:
        try:
            self.document.choose_melody_track(index)
        except ComposerError as error:
            self.report_error(str(error))
            self.show_document(frozenset({"source"}))
            return
        self.melody_editor.fit_pitches([n.pitch for n in self.document.melody])

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save the project",
            str(settings.last_folder() / self.document.name),
            f"Composer projects (*{PROJECT_SUFFIX})",
        )
        if not path:
            return False
        settings.remember_folder(Path(path))
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        try:
            written = self.document.save(path)
        except OSError as error:
            self.report_error(
                f"The project could not be saved ({error.strerror}); choose another folder."
            )
            return False
        self.autosaver.discard()  # the saved file is the copy now
        self.autosave_failing = False  # the work is safe: a later failing write is said again
        self.statusBar().showMessage(f"Saved {written.name}.", 4000)
        return True

    def autosave(self) -> None:
        """The timer's tick: write only unsaved work not yet written, never while held;
        a take being recorded is written as the melody it would give now.

        A failing write is said once until a write succeeds again: it used to go to the
        log only, every 5 s, and a crash on a full disk lost the work without warning."""
        take = self.take.notes_now() if self.take is not None else None
        try:
            written = self.autosaver.write(self.document, take)
        except OSError as error:
            log.warning("Autosave failed: %s", error)
            if not self.autosave_failing:
                self.autosave_failing = True
                reason = (error.strerror or str(error)).lower()
                self.report_error(
                    f"Autosave cannot write to {self.autosaver.folder} ({reason}), so a "
                    "crash now would lose this work: save it elsewhere with File > Save As."
                )
            return
        if written:
            self.autosave_failing = False

    def offer_restore(self, ask=None) -> bool:
        """After a crash the autosave is still there: offer it back. Each copy of the app
        no longer running left its own (``core.autosave``): the newest is offered first,
        and a declined one is removed before the next is offered. ``ask`` is for tests."""
        while True:
            leftover = self.autosaver.leftover()
            if leftover is None:
                self.autosaver.release()
                return False
            self.autosaver.hold()  # nothing is written while the question is open
            try:
                if ask is None:
                    answer = QMessageBox.question(
                        self,
                        "Restore your work?",
                        "Composer did not close properly last time. Restore the melody and "
                        "candidates you had then?",
                    )
                    restore = answer == QMessageBox.Yes
                else:
                    restore = ask()
            finally:
                self.autosaver.release()
            if restore:
                break
            self.autosaver.decline()
        self.document.restore(leftover, discard=True)
        self.autosaver.adopt(self.document)
        self.melody_editor.fit_pitches([n.pitch for n in self.document.melody])
        return True

    # drag and drop of files onto the window
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        path = self._dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.open_file(path)

    @staticmethod
    def _dropped_file(mime) -> Path | None:
        for url in mime.urls() if mime.hasUrls() else []:
            path = Path(url.toLocalFile())
            if path.suffix.lower() in (*READABLE_SUFFIXES, PROJECT_SUFFIX):
                return path
        return None
