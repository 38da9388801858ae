"""The window's settings flow: the musician's saved defaults and the Preferences dialog.

Defaults (a new melody's tempo, bars and meter, ``core.tune.NewTune``; preset, density,
variety) seed a new tune's document, which then starts clean: a fresh window has nothing
unsaved (issue 15: it used to count as unsaved, so autosave overwrote the copy it was
about to offer). QSettings keys live in
``ui/settings.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSize

from composer_gui.core.tune import NewTune
from composer_gui.paths import resource_path
from composer_gui.ui import settings
from composer_gui.ui.window_layout import (
    BAND_PRESET_TIP,
    PRESET_TIP,
    fill_style_box,
    mark_style_box,
)


def score_meaning(style) -> tuple[bool, str]:
    """Whether the style's model card places the shown number among the model's own
    candidates (``metric_words.places_among_own``), and what it was calibrated on
    (``metric_words.calibrated_on``), read from the card itself; a style not listed, or a
    card that cannot be read (the engine will say why), as the shipped cards do."""
    from composer_gui.core.metric_words import calibrated_on, places_among_own

    if style is None:
        return True, ""
    try:
        card = json.loads(Path(style.model_path).with_suffix(".json").read_text())
    except (OSError, ValueError):
        return True, ""
    calibration = card.get("calibration") or {}
    return places_among_own(calibration), calibrated_on(calibration)


FIRST_SIZE = QSize(1280, 800)
"""The window at a first start, where the screen has room for it."""
TITLE_BAR_PIXELS = 40
"""Room left for the window manager's title bar, which the screen's free area does not
count and which is not known before the window is shown (30-38 px in GNOME and KDE)."""


def first_size(available: QSize) -> QSize:
    """The first start's size, no larger than the screen's free area: at 1280x720 the
    window was 1280x800 and its keyboard and status bar lay below the screen's edge
    (Qt keeps the window's minimum size whatever this returns)."""
    return FIRST_SIZE.boundedTo(available - QSize(0, TITLE_BAR_PIXELS))


class SettingsFlow:
    """Mixed into MainWindow."""

    def read_settings(self) -> None:
        """The musician's defaults for a new tune; the document starts clean with them."""
        geometry = settings.get(settings.GEOMETRY)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(first_size(self.screen().availableGeometry().size()))
        self.actions.metronome.setChecked(settings.get(settings.METRONOME))
        self.actions.count_in.setChecked(settings.get(settings.COUNT_IN))
        self.count.setValue(settings.get(settings.CANDIDATE_COUNT))
        doc = self.document
        doc.set_generate_settings(
            preset=settings.get(settings.PRESET),
            style=settings.get(settings.STYLE),
            density=settings.get(settings.DENSITY),
            variety=settings.get(settings.VARIETY),
        )
        start = NewTune.read(
            settings.get(settings.TEMPO_BPM),
            settings.get(settings.BARS),
            settings.get(settings.METER),
        )
        doc.new(discard=True, defaults=start)  # clean, not "unsaved"
        self.apply_output_settings()
        self.transport.set_inputs([], settings.get(settings.MIDI_INPUT))
        settings.changes().trained_models_changed.connect(self.trained_models_changed)

    def trained_models_changed(self, old: str, new: str) -> None:
        """A trained model added, renamed or removed (Preferences): the Style box lists
        the models there now; a style of a renamed model follows it, and one whose model
        was removed falls back to the shipped chorale, said in the status bar."""
        from composer_gui.core.styles import CHORALE_STYLE

        style = self.current_style()
        self._listed_model = settings.get(settings.MODEL_FILE)
        self.list_styles()
        if style is not None and old and str(style.model_path) == old:
            renamed = [s for s in self.styles if str(s.model_path) == new]
            if renamed:
                index = min(style.index, len(renamed) - 1)
                self.document.set_generate_settings(style=renamed[index].shown)
            else:
                self.document.set_generate_settings(style=CHORALE_STYLE)
                self.statusBar().showMessage(
                    f'"{style.shown}" was removed: the shipped chorale style is in use.', 8000
                )
        self.show_style(self.document.style)

    def write_settings(self) -> None:
        doc = self.document
        settings.put(settings.GEOMETRY, self.saveGeometry())
        # a new melody's record settings, never an opened tune's tempo, length or meter
        settings.put(settings.TEMPO_BPM, doc.new_tune.tempo_bpm)
        settings.put(settings.BARS, doc.new_tune.bars)
        settings.put(settings.METER, doc.new_tune.meter_text)
        settings.put(settings.METRONOME, self.actions.metronome.isChecked())
        settings.put(settings.COUNT_IN, self.actions.count_in.isChecked())
        settings.put(settings.DENSITY, doc.density)
        settings.put(settings.VARIETY, doc.variety)
        settings.put(settings.CANDIDATE_COUNT, self.count.value())
        settings.put(settings.PRESET, doc.preset)
        settings.put(settings.STYLE, doc.style)

    def apply_output_settings(self) -> None:
        self.audition.configure(
            settings.get(settings.MIDI_OUTPUT),
            settings.get(settings.MIDI_API),
            settings.get(settings.SOUNDFONT),
            settings.get(settings.AUDIO_DRIVER),
        )
        chosen = settings.get(settings.MODEL_FILE)
        if chosen != getattr(self, "_listed_model", None):
            # A model chosen in Preferences: its styles join the box, and its first is taken.
            self._listed_model = chosen
            self.list_styles()
            own = [s for s in self.styles if settings.same_model(chosen, s.model_path)]
            if own:
                self.document.set_generate_settings(style=own[0].shown)
            elif chosen:  # a file with no card the styles can be read from: say so
                self.statusBar().showMessage(
                    f"{Path(chosen).name} is not a model Composer can read (a .safetensors "
                    "file with its .json card); the Style box's models are in use.",
                    15000,
                )
            self.show_style(self.document.style)
        self.configure_engine()

    # --- the style: the model the engine runs -------------------------------------
    def list_styles(self) -> None:
        """Fill the Style box: the shipped models' styles, then those of the model file
        Preferences name (a model of the musician's own), if any, then those of the models
        trained and used here before; one named like a shipped style is shown with its
        model's name ("rock (my-model)")."""
        from composer_gui.core.styles import model_styles, styles_with, told_apart

        styles = styles_with(settings.get(settings.MODEL_FILE))
        # and every model trained here before ("Use this model"), while its file is there
        listed = {s.model_path.resolve() for s in styles}
        for path in map(Path, settings.trained_models()):
            if path.is_file() and path.resolve() not in listed:
                styles = told_apart(styles + model_styles(path))
                listed.add(path.resolve())
        self.document.set_styles(styles)  # the strips before a take are the style's tracks
        fill_style_box(self.style_box, styles)
        self.mark_styles()

    def open_tune(self):
        """The open tune as an ``Arrangement`` for its meters: the melody, or before it
        has notes the meter chosen for it (a new melody's meter box)."""
        from composer_gui.core.arrangement import Arrangement

        melody = self.document.melody_arrangement()
        return melody or Arrangement([], time_signature=tuple(self.document.time_signature))

    def mark_styles(self) -> None:
        """The Style box says which styles never learnt the open tune's meter (#16, #17)."""
        if hasattr(self, "document"):
            mark_style_box(self.style_box, self.styles, self.open_tune())

    def style_refusal(self) -> str | None:
        """The sentence refusing the chosen style for the open tune (a meter it never
        learnt, ``core.style_meters``), else None."""
        from composer_gui.core.style_meters import meter_refusal

        style = self.current_style()
        return None if style is None else meter_refusal(style, self.open_tune(), self.styles)

    @property
    def styles(self):
        """The styles the Style box lists: the document's (``Document.set_styles``)."""
        return self.document.styles

    def current_style(self):
        """The document's style (kept as shown in the box, ``Style.shown``)."""
        return self.document.chosen_style()

    def style_model(self) -> str:
        """The model file the engine runs: the chosen style's ("" is the shipped chorale
        model, as before styles), else the one Preferences name."""
        style = self.current_style()
        if style is None:
            return settings.get(settings.MODEL_FILE)
        if style.model_path == resource_path("weights", "composer-chorales.safetensors"):
            return ""
        return str(style.model_path)

    def request_style(self) -> str | None:
        """The style a Generate asks for: the box's, when the engine runs that style's
        model (else the model's first: a model set on the engine by other means), by the
        model's own name for it ("rock", not "rock (my-model)")."""
        style = self.current_style()
        if style is None or self.engine.model_path != self.style_model():
            return None
        return style.name

    def configure_engine(self) -> None:
        self.engine.configure(self.style_model(), settings.get(settings.COMPUTE_DEVICE))

    def choose_style(self, name: str) -> None:
        """The Style box: the document keeps the choice, the engine takes its model."""
        self.document.set_generate_settings(style=name)
        self.configure_engine()

    def show_style(self, name: str) -> None:
        """Show the document's style; the Sound presets dress the chorale's voices only
        (a band's instruments come with its style, and change per track)."""
        from models.tracks import CHORALE_TRACKS

        index = self.style_box.findData(name)
        if index >= 0:
            self.style_box.setCurrentIndex(index)
        style = next((s for s in self.styles if s.shown == name), None)
        self.candidates.describe_scores(style.name if style else name, *score_meaning(style))
        chorale = style is None or style.tracks == CHORALE_TRACKS
        self.preset.setEnabled(chorale)
        self.preset.setToolTip(PRESET_TIP if chorale else BAND_PRESET_TIP)
        self.mark_styles()
        self.configure_engine()

    def refresh_inputs(self) -> None:
        """List MIDI keyboards (after the window shows: the MIDI system can be slow)."""
        from composer_gui.ui.preferences import midi_port_lists

        _apis, inputs, _outputs, problem = midi_port_lists(settings.get(settings.MIDI_API))
        self.transport.set_inputs(inputs, settings.get(settings.MIDI_INPUT))
        if problem:
            self.statusBar().showMessage(problem, 8000)

    def show_preferences(self) -> None:
        from composer_gui.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self)
        if dialog.exec():
            self.apply_output_settings()
            self.refresh_inputs()
            self.synth_problem_said = False
