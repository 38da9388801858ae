"""The Train window's "What to learn from": the source, and a folder's files read first.

Three sources: the Bach chorales (three voices), the shipped band data (the chorales'
harmony rendered by MMA in every shipped style, or in the one chosen: drums, bass,
chords, pad; slow to build the first time), or a folder of the musician's own MIDI
files.  A folder is kept whole by default (each song's melody, drums, bass, chords and
other voices, as ``dataset build --songs`` keeps them), or read as the chorale layout
(melody and three voices, drums dropped); the musician can give a part its role by name
(``Piano*=chords``).  Before anything trains the folder is read in a child process
(``core/training_preview.py``, the dataset builder's own verdict) and every file is
listed: kept ones with each part's role, skipped ones with their reason.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QProcess, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
)

from composer_gui.core import training_plan as tp
from composer_gui.ui import settings, theme
from models.build_song_dataset import nothing_to_learn, song_tracks

SOURCES = (  # (words, the plan's source; None: the folder's)
    ("The Bach chorales (music21): three voices", tp.CHORALES),
    ("The shipped band data (MMA, every style or one): drums, bass, chords, pad", tp.BAND),
    ("A folder of your own MIDI songs", None),
)
LAYOUTS = (
    ("Each song whole: melody, drums, bass, chords, other voices", "band"),
    ("Melody and three voices, as the chorales (drums dropped)", "voices"),
)
CHORALE_WORDS = "The 350-odd four-part chorales that ship in music21."
BAND_WORDS = (
    "The chorales' own harmony rendered by MMA in every shipped style (pop ballad, rock, "
    "country, swing, bossa nova, waltz), or the one chosen: one model learns them. "
    "Building every style takes 11-15 minutes on two cores the first time (one style, a "
    "few; it needs 'apt-get install mma'); later runs reuse it."
)


class WrappedLabel(QLabel):
    """A word-wrapped label that asks its layout for the height its text needs at its
    width: the layouts gave a text that wrapped to more lines later one line's height,
    and the group's frame cut the rest (the estimate, the band data's words; seen under
    Xvfb, not offscreen)."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        needed = self.heightForWidth(self.width()) if self.text() else 0
        if needed >= 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)


def narrow(box: QComboBox) -> None:
    """Let a box of long choices be narrower than its longest (the text is cut, the list
    shows it whole): the source's "The shipped band data (MMA, ...)" made the window's
    left column 620 px wide, and at the default 1200 px the plots were left too narrow
    for their titles."""
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(20)


def parse_roles(text: str) -> tuple[str, ...]:
    """The roles box, ``Piano*=chords, Flute=melody``, as ``--role`` values."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


class TrainSource(QGroupBox):
    """The source widgets; ``previewed`` when a folder's files are listed."""

    previewed = Signal()

    def __init__(self) -> None:
        super().__init__("What to learn from")
        self.preview_process: QProcess | None = None
        self._previews: list[dict] | None = None  # the folder's files as last read
        form = QFormLayout(self)
        self.source_box = QComboBox()
        for words, _ in SOURCES:
            self.source_box.addItem(words)
        self.source_box.currentIndexChanged.connect(self._source_changed)
        form.addRow("Source", self.source_box)
        from models.band_styles import STYLE_NAMES

        self.style_box = QComboBox()  # the band data's: every style, or one
        self.style_box.addItem("Every style (one model plays them all)", "")
        for name in STYLE_NAMES:
            self.style_box.addItem(name, name)
        self.style_box.setToolTip("The band data's styles the model learns")
        form.addRow("Style", self.style_box)
        folder_row = QHBoxLayout()
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText("A folder of your own multi-track MIDI songs")
        self.folder_edit.editingFinished.connect(self.preview_folder)
        self.choose_button = QPushButton("Choose…", clicked=self._choose_folder)
        folder_row.addWidget(self.folder_edit)
        folder_row.addWidget(self.choose_button)
        form.addRow("Folder", folder_row)
        self.layout_box = QComboBox()
        for words, value in LAYOUTS:
            self.layout_box.addItem(words, value)
        self.layout_box.setToolTip("The track kinds the model learns to write")
        self.layout_box.currentIndexChanged.connect(self._layout_changed)
        form.addRow("Tracks", self.layout_box)
        # each song whole: the kinds of band track it learns (dataset build --kinds); a
        # part of a kind left out is not learnt, the melody is always the model's input
        from models.song_roles import SONG_TRACKS

        kinds_row = QHBoxLayout()
        self.kind_boxes: dict[str, QCheckBox] = {}
        for track in SONG_TRACKS:
            box = QCheckBox(track.name, checked=True)
            box.setToolTip(f"The model learns to write the songs' {track.name} parts")
            box.toggled.connect(self._show_previews)
            self.kind_boxes[track.name] = box
            kinds_row.addWidget(box)
        kinds_row.addStretch(1)
        form.addRow("Learns", kinds_row)
        # a band's bass given an onset output (train --onsets bass), as the shipped band's
        # has: it strikes a held pitch again and keeps one-step notes
        self.onsets_box = QCheckBox("The bass strikes repeated notes", checked=True)
        self.onsets_box.setToolTip(
            "The bass learns where its notes start, so it can play the same note again "
            "and short pickup notes, as the shipped band's bass does (train --onsets bass)"
        )
        self.kind_boxes["bass"].toggled.connect(self._enable_onsets)
        form.addRow("", self.onsets_box)
        # band data: which bar of a phrase each step is in (train --phrase-bars), so the
        # band walks and fills in a phrase's last bar; 4 as the shipped band reads
        from models.config import PHRASE_BARS_RANGE

        self.phrase_box = QComboBox()
        self.phrase_box.addItem("no phrase position", 0)
        low, high = PHRASE_BARS_RANGE
        for bars in range(low, high + 1):
            self.phrase_box.addItem(f"{bars} bars", bars)
        self.phrase_box.setCurrentIndex(self.phrase_box.findData(4))
        self.phrase_box.setToolTip(
            "The band learns which bar of a phrase it plays, so it can walk or fill in "
            "the phrase's last bar, as the shipped band does (train --phrase-bars)"
        )
        form.addRow("Phrase", self.phrase_box)
        self.roles_edit = QLineEdit()
        self.roles_edit.setPlaceholderText("Piano*=chords, Flute=melody (optional)")
        self.roles_edit.setToolTip(
            "Give parts a role by name (wildcards allowed): melody, drums, bass, chords, "
            "other or skip. Found from channel 10, programs and names otherwise."
        )
        self.roles_edit.editingFinished.connect(self.preview_folder)
        form.addRow("Roles", self.roles_edit)
        self.files_tree = QTreeWidget()
        self.files_tree.setHeaderLabels(["File and its parts", "Used as"])
        self.files_tree.setColumnWidth(0, 230)
        self.files_summary = WrappedLabel("")
        form.addRow(self.files_tree)
        form.addRow(self.files_summary)
        # the model's name, as the Style box will show it: the folder's own name (or the
        # source's) until the musician types one
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip("The model's name in the Style box and in Preferences")
        form.addRow("Name", self.name_edit)
        self.folder_edit.textChanged.connect(self._default_name)
        self.style_box.currentIndexChanged.connect(self._default_name)
        for box in (self.source_box, self.style_box, self.layout_box):
            narrow(box)
        self._source_changed()

    # --- what the plan takes ------------------------------------------------------------

    @property
    def folder(self) -> bool:
        return SOURCES[self.source_box.currentIndex()][1] is None

    def plan_values(self) -> dict:
        name = self.name_edit.text().strip()
        if not self.folder:
            source = SOURCES[self.source_box.currentIndex()][1]
            style = self.style_box.currentData() if source == tp.BAND else ""
            return {
                "source": source,
                "style": style,
                "name": name,
                "onsets": self._onsets(),
                "phrase_bars": self._phrase_bars(),
            }
        return {
            "name": name,
            "source": self.folder_edit.text().strip(),
            "layout": self.layout_box.currentData(),
            "roles": parse_roles(self.roles_edit.text()) if self._band_layout() else (),
            "kinds": self._kinds() if self._band_layout() else (),
            "onsets": self._onsets(),
            "phrase_bars": self._phrase_bars(),
        }

    def _onsets(self) -> tuple[str, ...]:
        """The tracks given an onset output: the bass, where the model has one and the
        box is checked."""
        return ("bass",) if self.onsets_box.isEnabled() and self.onsets_box.isChecked() else ()

    def _phrase_bars(self) -> int:
        """The phrase's bars, where the data is a band's and a length is chosen."""
        return self.phrase_box.currentData() if self.phrase_box.isEnabled() else 0

    def _enable_onsets(self) -> None:
        """The box applies to a band's bass: the band data's, or a folder kept whole
        whose bass is learnt; the chorale layout's voices have no onset output."""
        band = SOURCES[self.source_box.currentIndex()][1] == tp.BAND
        songs = self.folder and self._band_layout() and self.kind_boxes["bass"].isChecked()
        self.onsets_box.setEnabled(band or songs)
        # the phrase position is for band data: the band's, or a folder's songs whole
        self.phrase_box.setEnabled(band or (self.folder and self._band_layout()))

    def _kinds(self) -> tuple[str, ...]:
        """The kinds checked; () when every one is (the plan as before the boxes)."""
        checked = tuple(name for name, box in self.kind_boxes.items() if box.isChecked())
        return () if len(checked) == len(self.kind_boxes) else checked

    def problem(self) -> str:
        """Why the source cannot train as it stands, in one sentence, or ""."""
        if (
            self.folder
            and self._band_layout()
            and not any(box.isChecked() for box in self.kind_boxes.values())
        ):
            return "Check at least one kind of track for the model to learn."
        return ""

    def _default_name(self) -> None:
        """The Name box follows the source until the musician types a name of their own:
        a folder's name ("my rock songs"), else "my chorales" or "my <style> band"."""
        if self.name_edit.isModified():  # the musician typed one: keep it
            return
        if self.folder:
            from pathlib import Path

            folder = self.folder_edit.text().strip().rstrip("/\\")
            name = Path(folder).name if folder else ""
        elif SOURCES[self.source_box.currentIndex()][1] == tp.BAND:
            style = self.style_box.currentData()
            name = f"my {style} band" if style else "my band"
        else:
            name = "my chorales"
        self.name_edit.setText(name)

    def _band_layout(self) -> bool:
        return self.layout_box.currentData() == "band"

    def _enable_learnt_parts(self) -> None:
        """The Learns boxes and the roles apply to a folder's songs kept whole (the band
        layout): the one place that says so, for a change of source or of layout."""
        songs = self.folder and self._band_layout()
        self.roles_edit.setEnabled(songs)
        for box in self.kind_boxes.values():
            box.setEnabled(songs)
        self._enable_onsets()

    def _layout_changed(self) -> None:
        self._enable_learnt_parts()
        self.preview_folder()

    def _source_changed(self) -> None:
        folder = self.folder
        for widget in (self.folder_edit, self.choose_button, self.files_tree, self.layout_box):
            widget.setEnabled(folder)
        self._enable_learnt_parts()
        self.style_box.setEnabled(SOURCES[self.source_box.currentIndex()][1] == tp.BAND)
        self._default_name()
        # no files to list but a folder's: the source's words take the room (they were
        # cut at the top and bottom under an empty list in a 440 px column)
        self.files_tree.setVisible(folder)
        if not folder:
            self.files_tree.clear()
            band = SOURCES[self.source_box.currentIndex()][1] == tp.BAND
            self.files_summary.setText(BAND_WORDS if band else CHORALE_WORDS)
        elif self.folder_edit.text().strip():
            self.preview_folder()

    def _choose_folder(self) -> None:
        start = settings.dialog_start(self.folder_edit.text())
        folder = QFileDialog.getExistingDirectory(self, "A folder of MIDI files", start)
        if folder:
            settings.remember_folder(Path(folder))
            self.folder_edit.setText(folder)
            self.preview_folder()

    # --- the folder's preview -----------------------------------------------------------

    def preview_folder(self) -> None:
        """Read the folder in a child process and list its files, roles and skips."""
        folder = self.folder_edit.text().strip()
        if not folder or not self.folder:
            return
        self.close_preview()
        self.files_tree.clear()
        self._previews = None
        self.files_summary.setText(f"Reading {folder}…")
        command = [*tp.module_command("composer_gui.core.training_preview"), folder]
        if not self._band_layout():
            command.append("--voices")
        for role in parse_roles(self.roles_edit.text()) if self._band_layout() else ():
            command += ["--role", role]
        process = QProcess(self)
        process.finished.connect(lambda *_: self._preview_done(process))
        self.preview_process = process
        process.start(command[0], command[1:])

    def close_preview(self) -> None:
        if self.preview_process is not None:
            process, self.preview_process = self.preview_process, None
            process.kill()
            process.waitForFinished(1000)

    def _preview_done(self, process: QProcess) -> None:
        if process is not self.preview_process:
            return
        self.preview_process = None
        if process.exitCode() != 0:
            error = bytes(process.readAllStandardError()).decode(errors="replace").strip()
            self.files_summary.setText(error.removeprefix("composer-gui: ") or "Unreadable.")
            return
        self._previews = json.loads(bytes(process.readAllStandardOutput()).decode())
        self._show_previews()
        self.previewed.emit()

    def _show_previews(self) -> None:
        """List the folder's files as read; a part of a kind not checked is not learnt,
        and a song with none of the kinds checked is skipped, as the build will say."""
        previews = self._previews
        if previews is None or not self.folder:
            return
        self.files_tree.clear()
        left_out = {n for n, b in self.kind_boxes.items() if not b.isChecked()}
        left_out = left_out if self._band_layout() else set()
        learnt = song_tracks(self._kinds()) if self._band_layout() and self._kinds() else ()
        kept = 0
        for preview in previews:
            item = QTreeWidgetItem([preview["name"], ""])
            reason = learnt and preview["kept"] and nothing_to_learn(preview["kinds"], learnt)
            if reason:
                preview = preview | {"kept": False, "reason": reason}
            if preview["kept"]:
                kept += 1
                item.setText(1, "kept")
                for part, role in preview["roles"]:
                    shown = f"{role} (not learnt)" if role in left_out else role
                    QTreeWidgetItem(item, [part, shown])
            else:
                item.setText(1, f"skipped: {preview['reason']}")
                item.setForeground(1, theme.RECORD)
            item.setToolTip(1, item.text(1))
            self.files_tree.addTopLevelItem(item)
        self.files_summary.setText(
            f"{kept} of {len(previews)} files kept, {len(previews) - kept} skipped "
            "(the reason is beside each)."
        )
