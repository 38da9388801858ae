"""The candidates' Gumbel perturbation is held for the meter's own beat (issue 16).

Held for a quarter whatever the meter, it changed a 6/8 voice's choice in the middle of a
dotted-quarter beat, where a musician hears no new beat.
"""

from __future__ import annotations

import numpy as np
import torch

from models.pianoroll import STEPS_PER_BEAT, Meter
from models.sampling import beat_held_gumbel, beat_of_step, melody_condition


def condition_of(meter: Meter, n_steps: int, bar_phase: int = 0) -> torch.Tensor:
    melody = np.full(n_steps, 30, dtype=np.int64)
    return melody_condition(melody, np.ones(n_steps, bool), meter, bar_phase, n_steps)


def runs(noise: torch.Tensor) -> list[int]:
    """Lengths of the runs of equal noise along the steps of the first candidate/voice."""
    values = noise[0, 0].numpy()
    change = np.flatnonzero((np.diff(values, axis=0) != 0).any(axis=1)) + 1
    return np.diff(np.concatenate(([0], change, [values.shape[0]]))).tolist()


def test_in_four_four_from_a_downbeat_the_draws_are_those_of_quarters_as_before():
    shape = (3, 3, 64, 65)
    beats = beat_of_step(condition_of(Meter(4, 4), 64))
    assert beats.tolist() == [s // STEPS_PER_BEAT for s in range(64)]
    new = beat_held_gumbel(shape, torch.Generator().manual_seed(5), beats)
    # The rule before meters, written out: one draw a quarter, repeated over its steps.
    uniform = torch.rand((3, 3, 16, 65), generator=torch.Generator().manual_seed(5))
    old = (-torch.log(-torch.log(uniform.clamp(1e-9, 1 - 1e-9)))).repeat_interleave(4, dim=2)
    assert torch.equal(new, old)
    assert torch.equal(beat_held_gumbel(shape, torch.Generator().manual_seed(5)), old)


def test_in_compound_meters_one_draw_lasts_a_dotted_quarter():
    for meter in (Meter(6, 8), Meter(9, 8), Meter(12, 8)):
        beats = beat_of_step(condition_of(meter, 48))
        noise = beat_held_gumbel((1, 1, 48, 65), torch.Generator().manual_seed(0), beats)
        assert runs(noise) == [6] * 8


def test_half_note_and_dotted_half_beats_and_a_pickup():
    beats = beat_of_step(condition_of(Meter(2, 2), 32))
    assert (
        runs(beat_held_gumbel((1, 1, 32, 65), torch.Generator().manual_seed(0), beats)) == [8] * 4
    )
    beats = beat_of_step(condition_of(Meter(6, 4), 48))
    assert (
        runs(beat_held_gumbel((1, 1, 48, 65), torch.Generator().manual_seed(0), beats)) == [12] * 4
    )
    # A 6/8 tune starting two eighths before the downbeat (bar phase 8 of 12): the
    # partial beat holds one draw, then whole dotted quarters.
    beats = beat_of_step(condition_of(Meter(6, 8), 28, bar_phase=8))
    assert runs(beat_held_gumbel((1, 1, 28, 65), torch.Generator().manual_seed(0), beats)) == [
        4,
        6,
        6,
        6,
        6,
    ]
