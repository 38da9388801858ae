"""The pickup box (issue 16): the musician says where the melody's first downbeat is.

Set in the window, it is the document's (``Document.set_pickup``), goes to the real
engine with Generate (a tiny random-weight model), marks the take stale when changed
like a melody edit, and is kept by the project file; an older file opens as auto.
"""

from __future__ import annotations

import pytest

from composer_gui.core.project import load_project, project_from_dict, project_to_dict

pytestmark = pytest.mark.gui


def choose_pickup(window, pickup) -> None:
    """Choose an item of the box as a click does (``activated``, which the window hears)."""
    box = window.pickup_box
    index = box.findData(pickup)
    assert index >= 0, [box.itemText(i) for i in range(box.count())]
    box.setCurrentIndex(index)
    box.activated.emit(index)


def test_set_generate_save_open_the_pickup_is_kept(
    qtbot, window, melody_file, tmp_path, tiny_model, monkeypatch
):
    holder = type(window.engine)  # hands the request to the engine's child process
    asked, real = [], holder.generate

    def generate(self, request, **options):  # the real engine, told what it was asked
        asked.append(request.pickup)
        return real(self, request, **options)

    monkeypatch.setattr(holder, "generate", generate)
    assert window.open_file(melody_file)
    box = window.pickup_box
    assert window.document.pickup == "auto" and box.currentText() == "Pickup: auto (none found)"
    assert [box.itemText(i) for i in range(2, 5)] == [  # 4/4, in its own units
        "Pickup: 1 eighth",
        "Pickup: 1 beat",
        "Pickup: 3 eighths",
    ]
    choose_pickup(window, 4)
    assert window.document.pickup == 4
    window.engine.configure(str(tiny_model), "cpu")
    with qtbot.waitSignal(window.generation_done, timeout=60000):
        window.generate()
    assert asked == [4] and window.document.takes[-1].pickup == 4
    assert not window.document.stale
    choose_pickup(window, "none")  # another setting: the take was written for the last
    assert window.document.stale and window.stale_label.isVisible()
    choose_pickup(window, 4)
    assert not window.document.stale

    path = tmp_path / "tune.composer"
    assert window.save_to(path)
    assert load_project(path).pickup == 4
    choose_pickup(window, "none")
    assert window.open_file(path, asked=True)
    assert window.document.pickup == 4 and box.currentText() == "Pickup: 1 beat"
    assert window.document.takes[-1].pickup == 4 and not window.document.stale


def test_a_pickup_too_long_for_the_melody_is_one_sentence(qtbot, window, melody_file):
    """A 6/8 pickup of 5 eighths, then the meter set to 2/4: the box forgets it (auto)."""
    assert window.open_file(melody_file)
    window.document.set_meter((6, 8))
    choose_pickup(window, 10)
    assert window.pickup_box.currentText() == "Pickup: 5 eighths"
    window.document.set_meter((2, 4))
    assert window.document.pickup == "auto"
    assert window.pickup_box.currentText() == "Pickup: auto (none found)"


def test_an_older_project_file_opens_as_auto(window):
    data = project_to_dict(window.document.snapshot())
    del data["pickup"], data["take_pickups"]
    assert project_from_dict(data).pickup == "auto"
    data["pickup"] = 6
    assert project_from_dict(data).pickup == 6


def test_the_request_hands_a_set_pickup_to_the_engine():
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.generate_request import GenerateRequest

    class Asked:
        def generate(self, melody, **options):
            return options

    melody = Arrangement([Track("melody", [Note(60, 0.0, 1.0)])])
    assert GenerateRequest(melody, pickup=2).run_on(Asked())["pickup"] == 2
    assert "pickup" not in GenerateRequest(melody).run_on(Asked())  # auto: as before
