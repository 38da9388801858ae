"""The window says a barely trained model is so (core.rough_model): in the status bar after
a take, where it stays, and in each candidate's tooltip; a project file keeps it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from composer_gui.core.project import candidate_from_dict, candidate_to_dict

pytestmark = pytest.mark.gui


def test_a_take_of_a_model_that_never_trained_says_so(qtbot, window, melody_file, tiny_model):
    assert window.open_file(melody_file)
    window.engine.configure(str(tiny_model), "cpu")
    with qtbot.waitSignal(window.generation_done, timeout=60000):
        qtbot.keyClick(window, Qt.Key_G)
    note = window.project.candidates[0].model_note
    assert note.startswith("This model has had no training")
    message = window.statusBar().currentMessage()
    assert message.startswith(note) and "best first" in message
    tree = window.candidates.tree
    assert all(note in tree.topLevelItem(i).toolTip(1) for i in range(tree.topLevelItemCount()))
    kept = candidate_from_dict(candidate_to_dict(window.project.candidates[0]))
    assert kept.model_note == note
