"""The held-out ranking benchmark tells the engine the bars it judges on
(``benchmarks/bench_ranking_heldout.folk_melody``): a folk tune's pickup and its meter
changes reach the engine, so the checks and the critic grade the beats that PCS on the
beats is measured on. Before session 16 the pickup was put at tick 0 for the engine's
detector to find in an 8-bar excerpt (it missed most compound pickups: the engine's beats
fell an eighth before the tune's) and meter changes were dropped."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_ranking_heldout as bench  # noqa: E402
import corpus_tunes as ct  # noqa: E402

from composer_gui.core.engine import melody_on_grid  # noqa: E402
from models import harmony_measures as hm  # noqa: E402
from models.pianoroll import meter_positions  # noqa: E402


def jig(pickup_eighths: int, signatures=((0.0, 6, 8),)) -> ct.Tune:
    """A hand-made 6/8 tune of running eighths (no long notes to give its bars away),
    ``pickup_eighths`` before its first downbeat, as ``corpus_tunes.parse_tune`` reads
    one: notes from quarter 0, the pickup as the first bar's padding."""
    ref = ct.TuneRef("test", "jig.abc", 1, "6/8")
    pitches = [62, 64, 66, 67, 69, 71]
    notes = [(i * 0.5, i * 0.5 + 0.5, pitches[i % 6]) for i in range(60)]
    padding = 3.0 - 0.5 * pickup_eighths if pickup_eighths else 0.0
    return ct.Tune(ref, "jig", notes, list(signatures), padding, {"6/8"})


def engine_and_judge_beats(tune: ct.Tune) -> tuple[np.ndarray, np.ndarray, int]:
    melody, signatures, phase = bench.folk_melody(tune, 8)
    grid = melody_on_grid(melody)
    engine_phase, _ = meter_positions(grid.meters, grid.n_steps, grid.bar_phase)
    steps = [(round(a * 4), num, den) for a, num, den in signatures]
    judge_beats, _ = hm.metric_grid(grid.n_steps, steps, round(phase * 4))
    return engine_phase == 0, judge_beats, grid.bar_phase


def test_a_jigs_one_eighth_pickup_reaches_the_engine_so_it_harmonizes_the_judged_beats():
    engine_beats, judge_beats, bar_phase = engine_and_judge_beats(jig(1))
    assert bar_phase == 10  # step 0 is the bar's last eighth
    assert np.array_equal(engine_beats, judge_beats)
    assert np.flatnonzero(engine_beats)[:3].tolist() == [2, 8, 14]  # the dotted quarters


def test_a_tune_without_a_pickup_keeps_its_barlines():
    engine_beats, judge_beats, bar_phase = engine_and_judge_beats(jig(0))
    assert bar_phase == 0
    assert np.array_equal(engine_beats, judge_beats)


def test_a_meter_change_inside_the_excerpt_reaches_the_engine():
    # 6/8 for the pickup and two bars, then 9/8 (as Essen tunes change meter)
    tune = jig(1, signatures=((0.0, 6, 8), (6.5, 9, 8)))
    melody, _, _ = bench.folk_melody(tune, 8)
    grid = melody_on_grid(melody)
    assert [(s, str(m)) for s, m in grid.meters] == [(0, "6/8"), (26, "9/8")]
    engine_beats, judge_beats, _ = engine_and_judge_beats(tune)
    assert np.array_equal(engine_beats, judge_beats)


def test_the_pickups_short_bar_is_the_products():
    """A quarter's pickup in 6/8 is a 2/8 bar (core.score_file.meter_map), not 1/4."""
    melody, _, _ = bench.folk_melody(jig(2), 8)
    assert melody.time_signature == (2, 8) and melody.meter_changes[0] == (1.0, (6, 8))


def test_an_off_grid_pickup_gets_a_whole_first_bar_as_in_the_product():
    tune = jig(1)
    tune.padding_quarters = 3.0 - 1 / 3  # a triplet eighth's pickup
    melody, signatures, phase = bench.folk_melody(tune, 8)
    assert melody.time_signature == (6, 8) and melody.meter_changes == []
    assert phase == 0.0 and signatures == [(0.0, 6, 8)]
    assert melody.tracks[0].notes[0].start_beat == pytest.approx(3.0 - 1 / 3)
