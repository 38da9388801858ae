"""A pickup played into the count-in, recorded in the window (issue 16), the whole way:
record in 3/4 with a one-beat pickup, from a player in another process counted in by the
window's metronome over JACK -> the melody starts with the pickup, given as the
metronome measured it, and the roll's first barline is a beat after it -> generate with
the shipped model -> the take is written on the same bars, its first the pickup's ->
save -> reopen -> the same."""

from __future__ import annotations

import pytest

from composer_gui.core.arrangement import Note
from composer_gui.core.engine import default_model_path
from composer_gui.core.project import load_project
from composer_gui.ui import settings
from tests.support.midi_feeder import CLICKS_PORT, KEYS_PORT, start_feeder, stop_feeder

pytestmark = [pytest.mark.gui, pytest.mark.jack]

TEMPO_BPM = 200.0  # 0.3 s a beat: the count-in and two bars of 3/4 last 2.7 s
# Greensleeves' first two bars, the pickup on the count-in's last click.
PLAYED = [(69, -1.0, 1.0), (72, 0.0, 2.0), (74, 2.0, 1.0), (76, 3.0, 1.5), (77, 4.5, 0.5)]
PLAYED += [(76, 5.0, 1.0)]
BARS = [0.0, 1.0, 4.0]  # the pickup's short bar, then 3/4 from the metronome's bar 1


def bar_starts(roll, until: float) -> list[float]:
    return [bar.start_beat for _n, bar, _end in roll.shown_bars() if bar.start_beat < until]


def record(qtbot, window, jack_server, played, seen=None) -> list[tuple[int, float, float]]:
    """A take of two bars of 3/4 with the count-in, played by the feeder; its notes.
    ``seen`` gets what the melody roll drew each time the take's progress changed:
    ``(first beat, the bars' names from it, the notes drawn as (pitch, start))``."""
    settings.put(settings.MIDI_API, "jack")
    settings.put(settings.MIDI_INPUT, KEYS_PORT)
    settings.put(settings.MIDI_OUTPUT, CLICKS_PORT)  # the metronome to the player's ears
    window.apply_output_settings()
    window.document.set_meter((3, 4))
    window.transport.tempo.setValue(TEMPO_BPM)
    window.transport.bars.setValue(2)
    window.actions.metronome.setChecked(True)
    window.actions.count_in.setChecked(True)
    feeder = start_feeder(jack_server, played, TEMPO_BPM, "--follow-clicks", "3")
    try:
        window.actions.record.setChecked(True)
        assert window.take is not None, window.last_error
        if seen is not None:
            roll = window.melody_editor

            def look(_so_far=None) -> None:
                names = [(bar.start_beat, name) for bar, name in roll.bar_labels()]
                drawn = [(n.pitch, n.start_beat) for n in roll.take.notes]
                seen.append((roll.first_beat, names, drawn))

            look()
            window.take.progress.connect(look)
        qtbot.waitUntil(lambda: window.take is None, timeout=10000)
    finally:
        stop_feeder(feeder)
    return [(n.pitch, n.start_beat, n.duration_beats) for n in window.melody_editor.notes]


def test_a_stray_key_in_the_count_in_is_dropped_and_the_setting_kept(qtbot, window, jack_server):
    notes = record(qtbot, window, jack_server, [(60, -2.5, 0.25), *PLAYED[1:]])
    assert notes == PLAYED[1:]  # from the metronome's bar 1, as before
    assert window.document.pickup == "auto"


def test_the_roll_draws_the_count_in_bar_and_the_pickup_as_played_then_its_short_bar(
    qtbot, window, jack_server
):
    """While the take records the roll starts with the count-in's bar, before bar 1 and
    named so, and the pickup shows in it as it is played, on the count-in's last beat;
    after the take the pickup is kept as the short bar it becomes."""
    seen: list = []
    record(qtbot, window, jack_server, PLAYED, seen)
    first_beat, names, drawn = seen[0]  # the take has begun: the count-in's bar, empty
    assert first_beat == -3.0 and drawn == []
    assert names[:3] == [(-3.0, "count-in"), (0.0, "1"), (3.0, "2")]
    drawings = [drawn for _first, _names, drawn in seen if drawn]
    assert drawings, "no note was drawn while the take recorded"
    first_drawn = drawings[0]
    assert [pitch for pitch, _start in first_drawn] == [69]
    assert abs(first_drawn[0][1] + 1.0) < 0.25  # on the last click, as the feeder played it
    last = seen[-1][2]
    assert [pitch for pitch, _start in last] == [pitch for pitch, _s, _d in PLAYED]
    roll = window.melody_editor
    assert roll.take is None and roll.first_beat == 0.0
    assert [name for _bar, name in roll.bar_labels()] == ["1", "2", "3"]
    assert bar_starts(roll, 7.0) == BARS  # the pickup's short bar, then the metronome's


def test_record_a_pickup_into_the_count_in_generate_save_reopen(
    qtbot, window, jack_server, tmp_path
):
    notes = record(qtbot, window, jack_server, PLAYED)
    assert notes == [(p, s + 1.0, d) for p, s, d in PLAYED]  # from the pickup on
    doc, box, roll = window.document, window.pickup_box, window.melody_editor
    assert doc.pickup == 4 and box.currentText() == "Pickup: 1 beat"
    assert bar_starts(roll, 7.0) == BARS  # the first barline a beat after the first note
    assert window.transport.bars.value() == 3  # the pickup's bar and the two played

    window.engine.configure(str(default_model_path()), "cpu")
    window.count.setValue(2)
    with qtbot.waitSignal(window.generation_done, timeout=180000):
        window.generate()
    assert doc.takes[-1].pickup == 4 and not doc.stale
    window.candidates.select(0)
    assert bar_starts(window.arrangement_view, 7.0) == BARS
    for candidate in doc.takes[-1].candidates:
        beats = [beat for beat, _symbol in candidate.chords]  # the chorale's: by the beat
        assert beats[0] == 0.0 and 1.0 in beats, candidate.chords  # the pickup's, bar 1's
        accompanied = [n.start_beat for t in candidate.arrangement.tracks[1:] for n in t.notes]
        assert min(accompanied) < 1.0, "the pickup's bar is accompanied"
    exported = doc.export_arrangement()  # the pickup as its own short bar, as accompany
    assert (exported.time_signature, exported.meter_changes) == ((1, 4), [(1.0, (3, 4))])

    path = tmp_path / "take.composer"
    assert window.save_to(path)
    assert load_project(path).pickup == 4
    window.document.set_pickup("auto")
    assert window.open_file(path, asked=True)
    doc = window.document
    assert doc.pickup == 4 and window.pickup_box.currentText() == "Pickup: 1 beat"
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in doc.melody] == notes
    assert bar_starts(window.melody_editor, 7.0) == BARS
    assert bar_starts(window.arrangement_view, 7.0) == BARS
    assert doc.takes[-1].pickup == 4 and not doc.stale


def test_undo_a_take_with_a_pickup_restores_the_old_setting_and_redo_the_new(
    qtbot, window, jack_server
):
    """The take sets the melody and its measured pickup in one undo step: undone, the old
    notes under the new pickup would be barred a beat off."""
    doc, roll = window.document, window.melody_editor
    doc.set_meter((3, 4))
    doc.set_pickup("none")  # a melody of three bars from a downbeat, barred as the file
    old = [(67, float(beat), 1.0) for beat in range(9)]
    doc.set_melody([Note(p, s, d) for p, s, d in old])
    assert window.transport.bars.value() == 3 and bar_starts(roll, 9.0) == [0.0, 3.0, 6.0]

    notes = record(qtbot, window, jack_server, PLAYED)
    assert doc.pickup == 4 and window.transport.bars.value() == 3
    assert bar_starts(roll, 7.0) == BARS
    assert window.undo_action.text() == "&Undo Record take"

    window.undo_action.trigger()  # the bars as before
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in doc.melody] == old
    assert doc.pickup == "none" and window.pickup_box.currentText() == "Pickup: none"
    assert window.transport.bars.value() == 3 and bar_starts(roll, 9.0) == [0.0, 3.0, 6.0]

    window.redo_action.trigger()  # the bars as after
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in doc.melody] == notes
    assert doc.pickup == 4 and window.pickup_box.currentText() == "Pickup: 1 beat"
    assert window.transport.bars.value() == 3 and bar_starts(roll, 7.0) == BARS
    window.undo_action.trigger()
    window.undo_action.trigger()  # the first melody undone: nothing, and the setting kept
    assert not doc.melody and doc.pickup == "none"
