"""Every menu command and shortcut, built once (as Frescobaldi's actioncollection does).

The main window connects the actions' ``triggered`` signals; buttons reuse the same
actions, so a shortcut, a menu item and a button can never disagree.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

MAX_PICK_SHORTCUTS = 9  # keys 1-9 choose a candidate


class Actions:
    """Attributes are QActions; ``pick`` holds the nine "choose candidate N" actions."""

    def __init__(self, parent: QObject) -> None:
        def make(
            text: str,
            shortcut: str | QKeySequence.StandardKey | None = None,
            tip: str = "",
            checkable: bool = False,
        ) -> QAction:
            action = QAction(text, parent)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
                # shortcuts work wherever the focus is inside the window
                action.setShortcutContext(Qt.WindowShortcut)
            action.setCheckable(checkable)
            shown = action.shortcut().toString(QKeySequence.NativeText)
            action.setToolTip(
                f"{tip or text.replace('&', '').rstrip('.')}" + (f"  ({shown})" if shown else "")
            )
            action.setStatusTip(tip)
            return action

        # File
        self.new = make("&New", QKeySequence.New, "Start again with an empty melody")
        self.open = make("&Open...", QKeySequence.Open, "Open a MIDI file or a Composer project")
        self.save = make("&Save", QKeySequence.Save, "Save the project")
        self.save_as = make("Save &As...", QKeySequence.SaveAs, "Save the project as a new file")
        self.export = make(
            "&Export MIDI...",
            "Ctrl+E",
            "Save what you hear (melody and chosen candidate) as a MIDI file",
        )
        self.preferences = make(
            "&Preferences...",
            QKeySequence.Preferences,
            "MIDI ports, audio output, model and sounds",
        )
        self.quit = make("&Quit", QKeySequence.Quit)
        # Transport
        self.play = make("&Play", "Space", "Play or stop", checkable=True)
        self.record = make(
            "&Record", "R", "Record a melody (count-in, then the bars set)", checkable=True
        )
        self.loop = make("&Loop", "L", "Play round and round", checkable=True)
        self.metronome = make("&Metronome", None, "Click while recording", checkable=True)
        self.count_in = make(
            "&Count-in", None, "One bar of clicks before recording", checkable=True
        )
        self.computer_keyboard = make(
            "Computer &Keyboard",
            "Ctrl+K",
            "Play notes with the letter keys: A S D F ... are white keys, W E T ... black, "
            "Z/X change octave",
            checkable=True,
        )
        self.send_to_daw = make(
            "Send to &DAW",
            "Ctrl+D",
            "Play the chosen candidate into the 'Composer' MIDI port your DAW records from",
            checkable=True,
        )
        # Generate
        self.generate = make("&Generate", "G", "Write accompaniments for the melody")
        self.cancel = make("&Cancel Generation", "Escape", "Stop the running generation")
        self.cancel.setEnabled(False)
        self.train_model = make(
            "&Train a Model...",
            None,
            "Train or fine-tune a model on the chorales or your own MIDI songs, and watch it learn",
        )
        self.pick = [
            make(f"Choose Candidate &{n}", str(n), f"Audition candidate {n}")
            for n in range(1, MAX_PICK_SHORTCUTS + 1)
        ]
        # Edit: undo and redo come from the QUndoStack, see MainWindow
        self.clear_melody = make("C&lear Melody", None, "Remove every note of the melody")
        # View
        self.compact = make(
            "&Compact Mode",
            "Ctrl+Shift+M",
            "A small window that stays on top of your DAW",
            checkable=True,
        )
        # Help
        self.open_log_folder = make(
            "Open &Log Folder", None, "Where Composer writes the details of problems"
        )
        self.about = make("&About Composer")
