"""The instrument menu: 128 General MIDI names under their 16 family headings."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from composer_gui.core.instruments import GM_FAMILIES
from composer_gui.core.project import TrackMix
from composer_gui.ui.tracks import TracksPanel


def test_instruments_are_grouped_under_unchoosable_family_headings(qtbot):
    panel = TracksPanel()
    qtbot.addWidget(panel)
    box = panel.strips[1].instrument
    rows = [
        (box.itemText(i), box.itemData(i), box.model().item(i).flags()) for i in range(box.count())
    ]
    headings = [text for text, data, _ in rows if data is None]
    assert headings == list(GM_FAMILIES)
    assert all(flags == Qt.NoItemFlags for _, data, flags in rows if data is None)
    assert [data for _, data, _ in rows if data is not None] == list(range(128))
    organ = [text for text, _, _ in rows].index("Organ")
    assert rows[organ + 4][:2] == ("20  Church Organ", 19)


def test_a_mix_shows_and_reads_back_its_program(qtbot):
    panel = TracksPanel()
    qtbot.addWidget(panel)
    panel.set_mixes([TrackMix(program=p) for p in (73, 19, 52, 127)])
    assert [m.program for m in panel.mixes()] == [73, 19, 52, 127]
    assert panel.strips[1].instrument.currentText() == "20  Church Organ"
    assert panel.strips[3].instrument.currentText() == "128  Gunshot"


def test_a_band_gets_a_strip_per_track_and_its_drums_a_kit_menu(qtbot):
    from composer_gui.core.instruments import DRUM_KITS

    panel = TracksPanel()
    qtbot.addWidget(panel)
    assert panel.names() == ["melody", "alto", "tenor", "bass"]
    panel.set_tracks(["melody", "drums", "bass", "chords", "pad"], [False, True])
    assert panel.names() == ["melody", "drums", "bass", "chords", "pad"]
    assert [s.is_drum for s in panel.strips] == [False, True, False, False, False]
    kits = panel.strips[1].instrument
    assert [kits.itemData(i) for i in range(kits.count())] == [p for p, _ in DRUM_KITS]
    assert kits.currentText() == "1  Standard kit"
    with qtbot.waitSignal(panel.changed):
        panel.set_mixes([TrackMix(program=p) for p in (0, 32, 33, 4, 48)])
    assert [m.program for m in panel.mixes()] == [0, 32, 33, 4, 48]  # the Jazz kit, ...
    panel.set_mixes([TrackMix(program=p) for p in (0, 19, 33, 4, 48)])  # no kit 19
    assert panel.mixes()[1].program == 0  # heard as the Standard kit, and shown so


def test_a_box_emptied_or_on_a_heading_passes_no_change_on(qtbot):
    """The window reads every strip's mix on a change; a box with no instrument chosen
    (emptied as the window is destroyed, or on a family heading) must not ask it to."""
    panel = TracksPanel()
    qtbot.addWidget(panel)
    read = []
    panel.changed.connect(lambda: read.append(panel.mixes()))
    box = panel.strips[2].instrument
    box.setCurrentIndex(box.findData(19))
    assert read and read[-1][2].program == 19
    count = len(read)
    box.setCurrentIndex(0)  # the "Piano" heading
    box.clear()  # as when the window goes
    assert len(read) == count


def test_strips_replaced_show_only_the_new_tracks_before_the_old_are_deleted(qtbot):
    """``set_tracks`` deletes the old strips' widgets later, from the event loop; a
    panel painted before then (a grab, a screenshot) must show only the new strips."""
    panel = TracksPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_tracks(
        ["melody", "drums", "bass", "chords", "pad"], [False, True, False, False, False]
    )
    shown = sorted(label.text() for label in panel.findChildren(QLabel) if label.isVisibleTo(panel))
    assert shown == ["Bass", "Chords", "Drums", "Melody", "Pad"]
