"""One drawing path for every model: ``Engine.draw_sections`` (through
``models.sampling.draw_candidates``) draws the chorale's sections exactly as the engine
did before the band shared the path, and a band's in the style asked for.

The chorale reference below is the engine's former ``_draw`` written out: pad,
condition, probabilities, clean-up on the meter map, the critic on the roll array.
``tests/models/test_chorale_unchanged.py`` pins that sequence's output itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from composer_gui.core.engine import default_model_path, melody_on_grid
from models.sampling import (
    candidate_probabilities,
    clean_candidates,
    critic_scores,
    melody_condition,
    pad_length,
    stack_voices,
)
from tests.composer_gui.core.test_engine import melody
from tests.support.model_files import loaded_engine


@pytest.fixture(scope="module")
def chorale_engine():
    return loaded_engine(default_model_path())


def reference_chorale_draw(engine, voice, onsets, meters, bar_phase, k, seed, density, variety):
    """The chorale engine's draw before it was shared: ``(rolls, onsets, scores)``."""
    generator = engine._generator
    n = pad_length(voice.shape[0], generator.config.time_multiple)
    cond = melody_condition(voice, onsets, meters, bar_phase, n)
    probs = candidate_probabilities(generator, cond, k, seed, variety)
    cleaned = clean_candidates(probs, density, voice.shape[0], meters=meters, bar_phase=bar_phase)
    rolls, onset_rolls = stack_voices(cleaned)
    return rolls, onset_rolls, critic_scores(engine._critic, cond, rolls.astype(np.float32))


@pytest.mark.parametrize("meter", [(3, 4), (6, 8)])
def test_the_chorale_sections_are_drawn_exactly_as_before(chorale_engine, meter):
    grid = melody_on_grid(melody(bars=40, meter=meter))  # over 32 bars: sections
    fractions = []
    parts, drawn = chorale_engine.draw_sections(grid, 5, 10, 7, 0.5, 0.5, fractions.append)
    assert len(parts) >= 2 and len(fractions) == len(parts)
    for index, ((first, end), (cleaned, scores)) in enumerate(zip(parts, drawn)):
        a, b = grid.bar_starts[first], grid.bar_starts[end]
        rolls, onsets, expected = reference_chorale_draw(
            chorale_engine,
            grid.voice[a:b],
            grid.onsets[a:b],
            grid.meters_from(a),
            grid.phase_at(a),
            5 if index == 0 else 10,
            7 + index,
            0.5,
            0.5,
        )
        got_rolls, got_onsets = stack_voices(cleaned)
        assert np.array_equal(got_rolls, rolls) and np.array_equal(got_onsets, onsets)
        assert scores.tolist() == expected.tolist()


def test_the_meter_map_reaches_the_chorale_clean_up(chorale_engine):
    """The same melody cleaned without its meter map (``voices_to_roll``) differs, so the
    test above can tell a draw that dropped the meters."""
    grid = melody_on_grid(melody(bars=8, meter=(6, 8)))
    _, [(cleaned, _)] = chorale_engine.draw_sections(grid, 4, 4, 3, 0.5, 0.5, lambda f: None)
    generator = chorale_engine._generator
    n = pad_length(grid.n_steps, generator.config.time_multiple)
    cond = melody_condition(grid.voice, grid.onsets, grid.meters, grid.bar_phase, n)
    probs = candidate_probabilities(generator, cond, 4, 3, 0.5)
    without = stack_voices(clean_candidates(probs, 0.5, grid.n_steps))[0]
    assert not np.array_equal(stack_voices(cleaned)[0], without)


def test_a_band_is_drawn_in_the_style_asked_for(band_engine):
    grid = melody_on_grid(melody(bars=4))
    n_styles = band_engine._generator.config.n_style_channels
    assert n_styles > 1
    draws = [
        band_engine.draw_sections(grid, 3, 3, 2, 0.5, 0.5, lambda f: None, style)[1][0]
        for style in (0, 0, n_styles - 1)
    ]
    tracks = band_engine.tracks
    for cleaned, scores in draws:
        assert len(cleaned) == 3 and scores.shape == (3,)
        for candidate in cleaned:
            assert [s.shape for s, _ in candidate] == [(grid.n_steps, t.n_rows) for t in tracks]
    assert draws[0][1].tolist() == draws[1][1].tolist()  # same seed, same style
    assert draws[0][1].tolist() != draws[2][1].tolist()  # the style's channels are read
    # The critic scores the drawn candidates under the same condition, style included.
    generator = band_engine._generator
    n = pad_length(grid.n_steps, generator.config.time_multiple)
    cond = melody_condition(
        grid.voice, grid.onsets, grid.meters, grid.bar_phase, n, "cpu", n_styles - 1, n_styles,
        generator.config.phrase_bars,
    )  # fmt: skip
    again = critic_scores(band_engine._critic, cond, draws[2][0])
    assert again.tolist() == draws[2][1].tolist()
