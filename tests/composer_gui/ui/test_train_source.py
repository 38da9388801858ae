"""The Train window's source box: the Learns boxes and the roles apply to a folder's
songs kept whole, and follow a change of source or of layout (one place says so)."""

from __future__ import annotations

import pytest

from composer_gui.ui.train_source import LAYOUTS, SOURCES, TrainSource

pytestmark = pytest.mark.gui


def learnt_parts_enabled(source: TrainSource) -> list[bool]:
    return [source.roles_edit.isEnabled(), *(b.isEnabled() for b in source.kind_boxes.values())]


def test_the_learns_boxes_follow_the_source_and_the_layout(qtbot):
    source = TrainSource()
    qtbot.addWidget(source)
    sources = [s for _, s in SOURCES]
    layouts = [key for _, key in LAYOUTS]
    assert not any(learnt_parts_enabled(source))  # the chorales, the first source
    source.source_box.setCurrentIndex(sources.index(None))  # a folder, kept whole
    assert all(learnt_parts_enabled(source))
    source.layout_box.setCurrentIndex(layouts.index("voices"))  # as the chorales: no kinds
    assert not any(learnt_parts_enabled(source))
    source.layout_box.setCurrentIndex(layouts.index("band"))
    assert all(learnt_parts_enabled(source))
    source.source_box.setCurrentIndex(sources.index("band"))  # the shipped band data
    assert not any(learnt_parts_enabled(source))
