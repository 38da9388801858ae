"""The window keys a take by the style it was asked in: "rock (my-model)" and the shipped
rock are both "rock" to the engine, and a take that arrived after the Style box moved from
one to the other was keyed, and its strips dressed, as the other's (core.document)."""

from __future__ import annotations

import shutil
import threading

import pytest

from composer_gui.core.styles import find_style
from composer_gui.paths import resource_path
from composer_gui.ui import settings
from tests.composer_gui.ui.stand_in_engine import StandInEngine

pytestmark = pytest.mark.gui


class HeldEngine(StandInEngine):
    """Writes the band's take only when the test lets it: the box moves meanwhile."""

    def __init__(self) -> None:
        rock = find_style("rock")
        super().__init__(tracks=rock.tracks, styles=(rock.name,))
        self.started, self.release = threading.Event(), threading.Event()

    def generate(self, melody, **kwargs):
        self.started.set()
        assert self.release.wait(30)
        return super().generate(melody, **kwargs)


def test_a_take_asked_of_my_rock_stays_mine_when_the_box_moves_to_the_shipped_rock(
    qtbot, window, melody_file, tmp_path
):
    shipped = resource_path("weights", "composer-band.safetensors")
    if not shipped.is_file():
        pytest.skip("the shipped band model is not installed")
    mine = tmp_path / "my-model.safetensors"
    shutil.copy(shipped, mine)  # a copy: a link resolves to the shipped file
    shutil.copy(shipped.with_suffix(".json"), mine.with_suffix(".json"))
    settings.put(settings.MODEL_FILE, str(mine))
    window.apply_output_settings()
    assert window.style_box.findData("rock (my-model)") >= 0
    assert window.open_file(melody_file)
    window.choose_style("rock (my-model)")
    engine = window.engine.engine = HeldEngine()
    window.generate()
    qtbot.waitUntil(engine.started.is_set, timeout=10000)
    window.choose_style("rock")  # while the engine writes in my model's rock
    engine.release.set()
    qtbot.waitUntil(lambda: window.document.shown_take() is not None, timeout=10000)
    assert window.document.shown_take().style == "rock (my-model)"
