"""The window's output flow: Export MIDI, Send to DAW and the drag-out handle.

All three carry the document's ``export_arrangement``: exactly what the screen shows
(the melody on screen, the picked accompaniment, the mix's instruments, muted tracks
left out). When the melody was edited after the candidates were written, Export asks
whether to generate again or export as shown; Send to DAW and the drag (which cannot
stop to ask) go ahead and say so in the status bar.
"""

from __future__ import annotations

import logging
from pathlib import Path

from composer_gui.core.errors import ComposerError
from composer_gui.core.file_suffixes import MIDI_SUFFIXES
from composer_gui.ui import settings

log = logging.getLogger(__name__)

NOTHING_TO_EXPORT = "There is nothing to export yet: record or open a melody first."
STALE_NOTE = "The candidates were written for an earlier melody; press G to write new ones."


class OutputFlow:
    """Mixed into MainWindow."""

    def export_arrangement(self):
        """What export, drag and Send carry (the drag handle calls this)."""
        if self.document.stale:
            self.statusBar().showMessage(STALE_NOTE, 8000)
        return self.document.export_arrangement()

    def _stale_go_on(self) -> bool:
        """Before Export: if the candidates are stale, ask; True to export as shown."""
        if not self.document.stale:
            return True
        answer = self.choose(
            "The melody changed",
            "The melody was edited after these candidates were written, so they accompany "
            "an earlier melody. Generate new ones, or export the melody as it is now with "
            "this accompaniment?",
            {"generate": "Generate Again", "export": "Export As Shown"},
        )
        if answer == "generate":
            self.generate()
        return answer == "export"

    def choose_and_export(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.document.export_arrangement() is None:
            self.report_error(NOTHING_TO_EXPORT)
            return
        if not self._stale_go_on():
            return
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export MIDI",
            str(settings.last_folder() / f"{self.document.export_stem}.mid"),
            "MIDI files (*.mid)",
        )
        if path:
            settings.remember_folder(Path(path))
            self.export_to(Path(path), asked=True)

    def export_to(self, path: Path, asked: bool = False) -> bool:
        from composer_gui.core.midi_writer import write_arrangement

        arrangement = self.document.export_arrangement()
        if arrangement is None:
            self.report_error(NOTHING_TO_EXPORT)
            return False
        if not asked and not self._stale_go_on():
            return False
        path = Path(path)
        if path.suffix.lower() not in MIDI_SUFFIXES:
            path = path.with_name(path.name + ".mid")
        try:
            write_arrangement(arrangement, path)
        except ComposerError as error:
            # The writer's sentence names the file, the folder, why and what to do; it
            # used to be wrapped in a second sentence saying the same.
            self.report_error(str(error))
            return False
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            self.report_error(
                f"The MIDI file could not be written ({reason}); choose another folder."
            )
            return False
        self.statusBar().showMessage(f"Exported {path.name}.", 5000)
        return True

    def set_sending_to_daw(self, on: bool) -> None:
        if on:
            self.actions.play.setChecked(False)
            if self.start_playback(0.0, to_daw=True):
                self.statusBar().showMessage(
                    STALE_NOTE
                    if self.document.stale
                    else "Playing into the MIDI port 'Composer': arm a track in your DAW to record."
                )
            else:
                self.actions.send_to_daw.setChecked(False)
        else:
            self.audition.stop()
            self.park_playheads()
            self.statusBar().clearMessage()  # "Playing into the MIDI port..." is over

    def open_daw_port(self) -> None:
        """Create the 'Composer' MIDI port at start, so a DAW can connect to it before playing."""
        try:
            name = self.audition.open_daw_port()
        except ComposerError as error:
            log.warning("No virtual MIDI port: %s", error)
            self.actions.send_to_daw.setToolTip(str(error))
            return
        log.info("Virtual MIDI port '%s' is open for DAWs", name)
