"""A model of the musician's own with a style named like a shipped one ("rock (my-model)"
beside the shipped rock): its take is keyed by the style it was asked in, so its strips are
its own (docs/app.md, session 20 "Left" and session 21).

The engine names both "rock" (``Style.name``, what it is asked for), so a take that
arrives after the Style box moved from one to the other was keyed by the style chosen on
arrival: the own model's take was heard on the shipped rock's strips (a kit chosen by hand
for it left set aside), and the other way round."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.document import Document
from composer_gui.core.instruments import DRUM_KITS
from composer_gui.core.styles import find_style, installed_styles
from tests.composer_gui.ui.stand_in_engine import StandInEngine

MELODY = [Note(60 + i % 5, float(i), 1.0, 90) for i in range(8)]
BRUSH = dict((name, program) for program, name in DRUM_KITS)["Brush kit"]


def with_my_rock() -> tuple[Document, str]:
    shipped = find_style("rock")
    mine = replace(shipped, model_path=Path("my-model.safetensors"), label="rock (my-model)")
    doc = Document()
    doc.set_styles([*installed_styles(), mine])
    doc.set_melody(MELODY)
    return doc, mine.shown


def rock_take():
    """The engine's candidates for "rock", as either model writes them."""
    style = find_style("rock")
    engine = StandInEngine(tracks=style.tracks, styles=(style.name,))
    melody = Arrangement([Track("melody", list(MELODY))], tempo_bpm=100.0)
    return engine.generate(melody, k=2, style=style.name)


def test_my_models_take_arriving_after_the_box_moved_to_the_shipped_rock_keeps_my_strips():
    doc, mine = with_my_rock()
    doc.set_generate_settings(style=mine)
    doc.set_track_mix(1, program=BRUSH)  # a brush kit for my model's drums
    asked = doc.style  # Generate pressed in my model's style
    doc.set_generate_settings(style="rock")  # the box moved while it wrote
    assert doc.mix[1].program != BRUSH  # the shipped rock's own kit
    doc.add_take(rock_take(), MELODY, asked_style=asked)
    assert doc.shown_take().style == mine
    assert doc.mix[1].program == BRUSH  # my model's take on my model's strips


def test_the_shipped_rocks_take_arriving_after_the_box_moved_to_mine_keeps_its_strips():
    doc, mine = with_my_rock()
    doc.set_generate_settings(style="rock")
    doc.set_track_mix(1, program=BRUSH)  # the shipped rock's drums on brushes
    asked = doc.style
    doc.set_generate_settings(style=mine)
    doc.add_take(rock_take(), MELODY, asked_style=asked)
    assert doc.shown_take().style == "rock"
    assert doc.mix[1].program == BRUSH
