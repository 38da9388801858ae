"""The track strips before any take are the chosen style's (session 19's walk, "Left" 2,
``s19-two-four.png``: with pop ballad chosen the strips said Alto, Tenor, Bass on Church
Organ until a generation), and a kit chosen on them before generating is the take's."""

from __future__ import annotations

import pytest

from composer_gui.core.instruments import DRUM_KITS, track_programs
from composer_gui.core.styles import find_style
from tests.composer_gui.ui.stand_in_engine import StandInEngine
from tests.composer_gui.ui.test_window_styles import choose

pytestmark = pytest.mark.gui

BAND = ["melody", "drums", "bass", "chords", "pad"]
BRUSH = dict((name, program) for program, name in DRUM_KITS)["Brush kit"]


def shown(window) -> list[int]:
    return [strip.instrument.currentData() for strip in window.tracks.strips]


def test_the_style_box_sets_the_strips_before_a_take(window):
    assert window.tracks.names() == ["melody", "alto", "tenor", "bass"]
    choose(window, "pop ballad")
    style = find_style("pop ballad")
    assert window.tracks.names() == BAND
    drums = window.tracks.strips[1]
    assert drums.is_drum and drums.instrument.count() == len(DRUM_KITS)  # kits, not GM
    assert shown(window)[1:] == list(
        track_programs(window.document.preset, style.tracks, style.name)
    )
    window.document.new(discard=True)  # New keeps the style, and so its strips
    assert window.tracks.names() == BAND
    choose(window, "chorale")  # the chorale's voices stay the chorale's
    assert window.tracks.names() == ["melody", "alto", "tenor", "bass"]
    assert shown(window)[1:] == [19, 19, 19]  # the organ preset
    assert not any(strip.is_drum for strip in window.tracks.strips)


def test_a_kit_chosen_before_generating_is_the_takes(qtbot, window, melody_file):
    choose(window, "pop ballad")
    assert window.open_file(melody_file)
    assert window.tracks.names() == BAND  # Open: the style's strips too
    drums = window.tracks.strips[1]
    drums.instrument.setCurrentIndex(drums.instrument.findData(BRUSH))  # as a musician picks
    window.tracks.strips[4].mute.setChecked(True)  # and mutes the pad
    assert window.document.mix[1].program == BRUSH and window.document.mix[4].mute
    style = find_style("pop ballad")
    window.engine.engine = StandInEngine(tracks=style.tracks, styles=(style.name,))
    with qtbot.waitSignal(window.generation_done, timeout=10000):
        window.generate()
    assert window.document.takes and window.tracks.names() == BAND
    assert shown(window)[1] == BRUSH and window.tracks.strips[4].mute.isChecked()
    window.document.pick_candidate(0)
    heard = {t.name: t for t in window.document.heard_arrangement().tracks}
    assert heard["drums"].program == BRUSH


def test_switching_styles_back_and_forth_keeps_each_strips_settings(window):
    choose(window, "pop ballad")
    window.tracks.strips[1].mute.setChecked(True)  # the drums muted
    choose(window, "chorale")
    assert window.tracks.names() == ["melody", "alto", "tenor", "bass"]
    assert not any(strip.mute.isChecked() for strip in window.tracks.strips)
    window.tracks.strips[2].solo.setChecked(True)  # the tenor soloed
    choose(window, "rock")  # a band again: its strips, the drums still muted
    assert window.tracks.names() == BAND and window.tracks.strips[1].mute.isChecked()
    rock = find_style("rock")
    assert shown(window)[1:] == list(track_programs(window.document.preset, rock.tracks, "rock"))
    choose(window, "chorale")
    assert [strip.solo.isChecked() for strip in window.tracks.strips] == [False, False, True, False]


def test_a_rock_take_after_a_pop_ballad_take_is_heard_and_exported_in_rock(
    qtbot, window, melody_file, tmp_path
):
    """Session 20: pop ballad, Generate, rock, Generate: the strips and the exported
    file's program changes were the pop ballad take's (the same track names); going back
    to the pop ballad take brings its strips back, a kit chosen on it included."""
    import mido

    def generate() -> None:
        with qtbot.waitSignal(window.generation_done, timeout=10000):
            window.generate()
        if window.document.picked is None:
            window.document.pick_candidate(0)

    def exported(name: str) -> list[int]:
        """Each exported track's program change, in the file's track order, the melody's
        left out."""
        assert window.export_to(tmp_path / name)
        tracks = mido.MidiFile(tmp_path / name).tracks
        programs = [[m.program for m in t if m.type == "program_change"] for t in tracks]
        return [p[0] for p in programs if p][1:]

    pop, rock = find_style("pop ballad"), find_style("rock")
    pop_programs = list(track_programs(window.document.preset, pop.tracks, pop.name))
    rock_programs = list(track_programs(window.document.preset, rock.tracks, rock.name))
    assert pop_programs != rock_programs
    window.engine.engine = StandInEngine(tracks=pop.tracks, styles=(pop.name, rock.name))
    assert window.open_file(melody_file)
    choose(window, "pop ballad")
    generate()
    drums = window.tracks.strips[1]
    drums.instrument.setCurrentIndex(drums.instrument.findData(BRUSH))  # on the pop take
    window.tracks.strips[2].mute.setChecked(True)  # the bass muted
    choose(window, "rock")
    generate()
    assert len(window.document.takes) == 2 and window.tracks.names() == BAND
    assert shown(window)[1:] == rock_programs  # rock's kit and guitars, not pop's
    assert window.tracks.strips[2].mute.isChecked()  # the bass's mute stays
    assert exported("rock.mid") == [p for i, p in enumerate(rock_programs) if i != 1]
    window.document.show_take(0)
    assert shown(window)[1:] == [BRUSH, *pop_programs[1:]]
    window.document.pick_candidate(0)
    assert exported("pop.mid") == [BRUSH, *pop_programs[2:]]
