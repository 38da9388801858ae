"""One definition of bars and beats per meter (models.pianoroll.Meter)."""

import pytest

from models.pianoroll import ACCOMPANIED_METERS, Meter, meter_positions


@pytest.mark.parametrize(
    ("signature", "bar_steps", "beat_steps", "strong"),
    [
        ((2, 4), 8, (4, 4), (0,)),
        ((4, 4), 16, (4,) * 4, (0, 2)),
        ((2, 2), 16, (8, 8), (0,)),
        ((3, 2), 24, (8, 8, 8), (0,)),
        ((6, 4), 24, (12, 12), (0,)),
        ((3, 8), 6, (6,), (0,)),
        ((6, 8), 12, (6, 6), (0,)),
        ((9, 8), 18, (6, 6, 6), (0,)),
        ((12, 8), 24, (6,) * 4, (0, 2)),
        ((5, 8), 10, (6, 4), (0,)),
        ((7, 8), 14, (4, 4, 6), (0,)),
        ((5, 4), 20, (4,) * 5, (0, 3)),
    ],
)
def test_each_meter_has_its_bar_beats_and_strong_beats(signature, bar_steps, beat_steps, strong):
    meter = Meter(*signature)
    assert meter.bar_steps == bar_steps and meter.beat_steps == beat_steps
    assert meter.strong_beats == strong and sum(beat_steps) == bar_steps


def test_only_the_common_meters_are_accompanied():
    assert all(Meter(*s).accompanied for s in ACCOMPANIED_METERS)
    assert not any(Meter(*s).accompanied for s in ((5, 8), (7, 8), (5, 4), (7, 4), (1, 4)))
    with pytest.raises(ValueError, match="lower number"):
        Meter(6, 7)


def test_positions_follow_a_pickup_and_a_change():
    phase, accent = meter_positions([(0, Meter(6, 8)), (14, Meter(3, 4))], 26, bar_phase=10)
    assert [i for i, a in enumerate(accent) if a == 2] == [2, 14]  # pickup of 2, then 3/4
    assert phase[2:8].tolist() == [0, 1, 2, 3, 4, 5] and phase[14:18].tolist() == [0, 1, 2, 3]
