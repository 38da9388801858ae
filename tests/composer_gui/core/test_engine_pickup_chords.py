"""The chord symbols of a melody with a pickup are named on the bars it is accompanied on.

The shipped band model's waltz (a chord a bar) over Greensleeves with its one-beat pickup
written at beat 0, 3/4 from beat 0 (``scripts/pickup_screenshots.py``). The engine's
candidates keep the file's meters; their chords used to be named on them too, so every
symbol fell a beat before the bar the band changed chord in (0, 3, 9, 12 ... against
bars at 1, 4, 7 ...; issue 16).
"""

from __future__ import annotations

import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.bar_lines import read_bars
from composer_gui.core.engine import Engine
from composer_gui.core.melody_grid import melody_on_grid
from composer_gui.paths import resource_path
from tests.support.scripts import load_script

BAND = resource_path("weights") / "composer-band.safetensors"


def _greensleeves() -> list[Note]:
    module = load_script("scripts/pickup_screenshots.py")
    return [Note(p, float(s), float(d), 80) for p, s, d in module.GREENSLEEVES]


@pytest.mark.skipif(not BAND.is_file(), reason="the shipped band model is not installed")
@pytest.mark.parametrize(("pickup", "first_downbeat"), [("auto", 1.0), (8, 2.0), ("none", 3.0)])
def test_a_waltzs_chords_change_on_the_bars_accompanied(pickup, first_downbeat):
    notes = _greensleeves()
    melody = Arrangement([Track("melody", notes)], 92.0, (3, 4))
    engine = Engine(model_path=BAND, device="cpu")
    candidates = engine.generate(melody, k=2, seed=3, style="waltz", pickup=pickup)
    bars = read_bars(notes, (3, 4), pickup=pickup).bar_lines
    downbeats = {bar.start_beat for bar in bars.bars_until(60.0)}
    assert first_downbeat in downbeats
    for candidate in candidates:
        assert candidate.arrangement.time_signature == (3, 4)  # the file's, kept
        assert candidate.arrangement.meter_changes == []
        beats = [beat for beat, _symbol in candidate.chords]
        assert len(beats) >= 8 and set(beats) <= downbeats, candidate.chords


@pytest.mark.skipif(not BAND.is_file(), reason="the shipped band model is not installed")
def test_a_given_pickup_is_accompanied_to_the_melodys_last_bar_and_no_further():
    """A one-beat pickup and two bars of 3/4, ending at beat 7.0: the file's barlines end
    at 9.0, and bars counted from the moved downbeat up to there ran one past the
    melody, a chord named at 8.0 over silence."""
    notes = [Note(67, 0.0, 1.0, 80)] + [Note(69 + b % 3, 1.0 + b, 1.0, 80) for b in range(6)]
    melody = Arrangement([Track("melody", notes)], 100.0, (3, 4))
    grid = melody_on_grid(melody, 4)
    assert grid.bar_starts == [0, 4, 16, 28]  # the pickup's bar and two: 7 beats
    assert read_bars(notes, (3, 4), pickup=4).bar_lines.count(7.0) == 3
    engine = Engine(model_path=BAND, device="cpu")
    for candidate in engine.generate(melody, k=2, seed=3, style="waltz", pickup=4):
        assert candidate.chords and max(beat for beat, _ in candidate.chords) < 7.0
        accompaniment = [n for t in candidate.arrangement.tracks[1:] for n in t.notes]
        assert accompaniment and max(n.start_beat for n in accompaniment) < 7.0
