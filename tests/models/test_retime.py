"""The chorales in other meters: re-timing keeps the music and moves it onto the new beat."""

import numpy as np

from models.build_dataset import REST, Piece
from models.pianoroll import Meter
from models.retime import augment, meter_variants, rebar, to_compound


def piece(voice: list[int], onsets: list[int], meter=(4, 4), phase=0) -> Piece:
    n = len(voice)
    voices = np.full((4, n), REST, dtype=np.int8)
    voices[0] = voice
    marks = np.zeros((4, n), dtype=bool)
    marks[0, onsets] = True
    return Piece("bwv1.1", voices, marks, Meter(*meter), phase, group="bwv1")


def test_a_quarter_beat_becomes_a_dotted_quarter_swung_as_a_musician_would():
    # Beat 1: a quarter (C); beat 2: two eighths (D, E); beat 3: four sixteenths (F G A B).
    voice = [0] * 4 + [2, 2, 4, 4] + [5, 7, 9, 11] + [REST] * 4
    compound = to_compound(piece(voice, [0, 4, 6, 8, 9, 10, 11]))
    assert compound.meter == Meter(12, 8) and compound.n_steps == 24
    assert compound.voices[0, :6].tolist() == [0] * 6  # the quarter is the dotted beat
    assert compound.voices[0, 6:12].tolist() == [2, 2, 2, 2, 4, 4]  # quarter + eighth
    assert compound.voices[0, 12:18].tolist() == [5, 5, 7, 7, 9, 11]  # 16ths in place
    assert np.flatnonzero(compound.onsets[0]).tolist() == [0, 6, 10, 12, 14, 16, 17]


def test_a_pickup_is_measured_in_the_new_bar():
    quarter_pickup = piece([0] * 32, [0], phase=12)  # a one-beat pickup in 4/4
    assert to_compound(quarter_pickup).bar_phase == 18  # three dotted beats into 12/8
    assert rebar(quarter_pickup, Meter(2, 4)).bar_phase == 4
    assert augment(rebar(to_compound(quarter_pickup), Meter(6, 8))).bar_phase == 12


def test_every_chorale_meter_yields_the_other_accompanied_meters_in_its_group():
    four = meter_variants(piece([0] * 32, [0]))
    three = meter_variants(piece([0] * 24, [0], meter=(3, 4)))
    assert [str(p.meter) for p in four] == ["12/8", "6/8", "6/4", "2/4", "2/2"]
    assert [str(p.meter) for p in three] == ["9/8", "3/8", "3/2"]
    assert {p.group for p in four + three} == {"bwv1"}  # held out together
    assert augment(piece([0] * 8, [0], meter=(3, 4))).n_steps == 16


def test_cut_time_is_the_chorale_augmented_so_each_quarter_becomes_a_half():
    # Bach's harmony moves on the quarter; in 2/2 it must move on the half note, not on
    # the half's second quarter as a re-barred 4/4 bar would (docs/meters.md).
    voice = [0] * 4 + [2] * 4 + [4] * 4 + [5] * 4  # one 4/4 bar of quarters
    cut = next(p for p in meter_variants(piece(voice, [0, 4, 8, 12])) if p.meter == Meter(2, 2))
    assert cut.n_steps == 32 and cut.meter.bar_steps == 16  # two bars of 2/2
    assert cut.voices[0].tolist() == [0] * 8 + [2] * 8 + [4] * 8 + [5] * 8
    assert np.flatnonzero(cut.onsets[0]).tolist() == [0, 8, 16, 24]  # on the half notes
    assert cut.name == "bwv1.1@2-2"
    pickup = next(
        p for p in meter_variants(piece([0] * 32, [0], phase=12)) if p.meter == Meter(2, 2)
    )
    assert pickup.bar_phase == 8  # a quarter's pickup is a half's pickup in cut time
