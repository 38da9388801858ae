"""The Style box, the band's track strips and the chord lane, with the real engine on the
tiny random-weight band model (``tests.support.band_model``) chosen in Preferences."""

from __future__ import annotations

import mido
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.styles import installed_styles
from composer_gui.paths import resource_path
from composer_gui.ui import settings
from composer_gui.ui.window_layout import PRESET_TIP

SAMPLE = resource_path("melodies", "ode_to_joy.mid")


def choose(window, name: str) -> None:
    index = window.style_box.findData(name)
    assert index >= 0, [window.style_box.itemData(i) for i in range(window.style_box.count())]
    window.style_box.setCurrentIndex(index)
    window.style_box.activated.emit(index)  # as a click in the box does


def test_the_style_box_lists_the_chorale_and_a_chosen_models_styles(window, band_model):
    shipped = [s.name for s in installed_styles()]
    assert shipped[0] == "chorale" and "swing" in shipped  # the shipped band model's too
    assert [window.style_box.itemData(i) for i in range(window.style_box.count())] == shipped
    assert window.preset.isEnabled()
    settings.put(settings.MODEL_FILE, str(band_model))
    window.apply_output_settings()
    names = [window.style_box.itemData(i) for i in range(window.style_box.count())]
    # The chosen model's styles follow; its swing, named like the shipped one, is told
    # apart by the model's name (it used to be left out of the box).
    assert names == [*shipped, "pop", "swing (tiny-band)"]
    assert window.document.style == "pop"  # a model chosen in Preferences: its first style
    assert window.engine.model_path == str(band_model)
    assert not window.preset.isEnabled()  # a band's instruments come with its style
    tip = window.style_box.itemData(names.index("pop"), Qt.ToolTipRole)
    assert tip.startswith("pop: melody, bass, piano, drums.")
    choose(window, "swing (tiny-band)")
    assert window.document.style == "swing (tiny-band)"
    assert window.engine.model_path == str(band_model)
    assert window.request_style() == "swing"  # the model's own name for it
    choose(window, "swing")  # the shipped one
    assert window.engine.model_path.endswith("composer-band.safetensors")
    assert window.request_style() == "swing"
    choose(window, "chorale")
    assert window.document.style == "chorale" and window.engine.model_path == ""
    assert window.preset.isEnabled()


def brightest(widget) -> int:
    """The brightest grey level the widget draws: its text, on this dark theme."""
    image = widget.grab().toImage()
    return max(
        QColor(image.pixel(x, y)).lightness()
        for x in range(image.width())
        for y in range(image.height())
    )


def test_the_sound_box_looks_disabled_for_a_band_style(qtbot, window, band_model):
    """Disabled, the Sound box must not read as a live choice: its text is dimmed (the
    style sheet drew a disabled combo box exactly like an enabled one)."""
    qtbot.wait(50)
    live = brightest(window.preset)
    settings.put(settings.MODEL_FILE, str(band_model))
    window.apply_output_settings()
    assert not window.preset.isEnabled()
    qtbot.wait(50)
    assert brightest(window.preset) < 0.7 * live
    assert "per track" in window.preset.toolTip()
    choose(window, "chorale")
    assert window.preset.isEnabled() and window.preset.toolTip() == PRESET_TIP


def test_a_band_take_shows_its_tracks_and_chords_and_exports_them(
    qtbot, window, band_model, tmp_path
):
    settings.put(settings.MODEL_FILE, str(band_model))
    window.apply_output_settings()
    choose(window, "pop")  # the tiny model's ("swing" is the shipped band model's)
    assert window.open_file(SAMPLE)
    window.engine.configure(str(band_model), "cpu")
    window.count.setValue(2)
    with qtbot.waitSignal(window.generation_done, timeout=120000):
        qtbot.keyClick(window, Qt.Key_G)
    picked = window.document.picked
    assert picked.style == "pop"
    assert window.tracks.names() == ["melody", "bass", "piano", "drums"]
    assert [s.instrument.currentData() for s in window.tracks.strips[1:]] == [33, 4, 0]
    assert window.chord_lane.chords == picked.chords and picked.chords
    shown = window.chord_lane.symbols_in_view()
    assert shown and all(x >= window.arrangement_view.GUTTER for x, _ in shown)

    out = tmp_path / "band.mid"
    assert window.export_to(out)
    midi = mido.MidiFile(out)
    assert [m.text for m in midi.tracks[0] if m.type == "marker"] == [s for _, s in picked.chords]
    written = read_arrangement(out)
    assert [t.name for t in written.tracks if t.is_drum] == ["drums"]

    # The project file keeps the style and each candidate's chords.
    project = tmp_path / "band.composer"
    assert window.save_to(project)
    window.document.new(discard=True)
    assert window.open_file(project)
    assert window.document.style == "pop"
    assert window.document.picked.chords == picked.chords
    assert window.tracks.names() == ["melody", "bass", "piano", "drums"]


def test_the_score_header_reads_the_chosen_styles_card(window, band_model):
    """The tiny band model's card places the number among its real renderings (no
    ``ranked_candidate_quantiles``); the shipped chorale card among its own candidates."""
    import json

    assert (
        "ranked_candidate_quantiles"
        not in json.loads(band_model.with_suffix(".json").read_text())["calibration"]
    )
    header = window.candidates.tree.headerItem()
    assert "own candidates for held-out chorale melodies" in header.toolTip(1)
    settings.put(settings.MODEL_FILE, str(band_model))
    window.apply_output_settings()
    assert window.document.style == "pop"
    assert "the pop style's real accompaniments" in header.toolTip(1)
    assert "own candidates" not in header.toolTip(1)
    choose(window, "swing")  # the shipped band card has its own candidates' quantiles
    assert "own candidates for the swing style's" in header.toolTip(1)
    choose(window, "swing (tiny-band)")  # told apart in the box, the model's own name
    assert "the swing style's real accompaniments" in header.toolTip(1)


def test_a_file_that_is_not_a_model_chosen_in_preferences_is_said_not_ignored(window, tmp_path):
    """Session 20's walk: a tune chosen as the model file in Preferences added no style
    and said nothing; Generate ran the style box's model as if nothing had been chosen."""
    tune = tmp_path / "tune.mid"
    tune.write_bytes(SAMPLE.read_bytes())
    before = [window.style_box.itemData(i) for i in range(window.style_box.count())]
    settings.put(settings.MODEL_FILE, str(tune))
    window.apply_output_settings()
    assert [window.style_box.itemData(i) for i in range(window.style_box.count())] == before
    message = window.statusBar().currentMessage()
    assert "tune.mid is not a model Composer can read" in message
