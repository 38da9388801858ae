"""The Style box says, before Generate, which styles never learnt the open tune's meter
(#16, #17): greyed, its tooltip the sentence; Generate with such a style (restored from
a saved document) says it instead of generating, and the document keeps its takes. Real
corpus tunes, the shipped models and the real engine."""

from __future__ import annotations

from PySide6.QtCore import Qt

ROCK = "rock plays 4/4 and 2/4; for this 6/8 tune choose chorale or pop ballad."


def enabled(window) -> dict[str, bool]:
    box = window.style_box
    return {box.itemData(i): box.model().item(i).isEnabled() for i in range(box.count())}


def tip(window, name: str) -> str:
    box = window.style_box
    return box.itemData(box.findData(name), Qt.ToolTipRole)


def test_the_style_box_greys_the_styles_that_never_learnt_the_tunes_meter(window, corpus_midi):
    # a new melody in 4/4: every style plays it but the waltz (3/4 only)
    assert [name for name, on in enabled(window).items() if not on] == ["waltz"]
    assert window.open_file(corpus_midi["battle-the-cash"].path)  # a 6/8 jig
    shown = enabled(window)
    assert [name for name, on in shown.items() if on] == ["chorale", "pop ballad"]
    assert tip(window, "rock").startswith(ROCK)
    assert tip(window, "pop ballad").startswith("pop ballad: melody, drums")
    box = window.style_box
    assert box.itemText(box.findData("rock")) == "rock (not in 6/8)"
    assert box.itemText(box.findData("pop ballad")) == "pop ballad"
    assert window.open_file(corpus_midi["suse-lewe-suse"].path)  # in 3/4
    shown = enabled(window)
    assert [name for name, on in shown.items() if on] == ["chorale", "country", "waltz"]
    window.document.new(discard=True)  # a new melody, and its meter box set to 6/8
    window.transport.meter.setCurrentIndex(window.transport.meter.findText("6/8"))
    assert window.document.time_signature == (6, 8)
    assert [name for name, on in enabled(window).items() if on] == ["chorale", "pop ballad"]


def test_a_saved_jig_in_rock_opens_keeps_its_takes_and_generate_says_why_not(
    qtbot, window, corpus_midi, tmp_path
):
    assert window.open_file(corpus_midi["battle-the-cash"].path)
    index = window.style_box.findData("pop ballad")
    window.style_box.setCurrentIndex(index)
    window.style_box.activated.emit(index)
    window.count.setValue(2)
    with qtbot.waitSignal(window.generation_done, timeout=120000):
        window.generate()
    assert len(window.document.generations) == 1
    # a document saved with rock (by an older Composer, or its style chosen elsewhere)
    window.document.set_generate_settings(style="rock")
    project = tmp_path / "jig.composer"
    assert window.save_to(project)
    window.document.new(discard=True)
    assert window.open_file(project)
    assert window.document.style == "rock" and window.style_box.currentData() == "rock"
    assert len(window.document.generations) == 1  # its take is kept
    assert ROCK in window.statusBar().currentMessage()
    assert window.style_box.toolTip() == ROCK
    assert window.style_box.currentText() == "rock (not in 6/8)"
    window.last_error = None
    window.generate()
    assert window.last_error == ROCK and window.generate_job is None
    assert len(window.document.generations) == 1
