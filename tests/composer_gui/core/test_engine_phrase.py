"""A band model with a phrase position (issue 17) in the engine: a long tune is drawn in
sections, and each section's condition goes on counting the bars of the phrase from the
tune's first full bar (a pickup is the bar before it), as the whole tune's count says.
A band model grown into it (zero-weight columns) draws and scores exactly as before,
section by section."""

from __future__ import annotations

import json

import numpy as np
import pytest

from composer_gui.core.engine import melody_on_grid
from models.pianoroll import phrase_bars_of
from tests.composer_gui.core.test_engine import melody
from tests.support.model_files import loaded_engine


@pytest.fixture(scope="module")
def plain_and_grown(tmp_path_factory):
    """A band model without the phrase position (random weights, ``write_band_model``)
    and it grown a 4-bar phrase position, with the same card (styles, calibration)."""
    from models.checkpoint import load_model, model_tensors, save_tensors_and_card
    from models.phrase_widen import grow_phrase
    from tests.support.band_model import write_band_model

    folder = tmp_path_factory.mktemp("phrase")
    plain = write_band_model(folder / "plain")
    generator, critic, _ = load_model(plain)
    grown_g, grown_c, config = grow_phrase(generator, critic, 4)
    card = json.loads(plain.with_suffix(".json").read_text()) | {"config": config.to_dict()}
    save_tensors_and_card(model_tensors(grown_g, grown_c), card, folder / "grown")
    return plain, folder / "grown.safetensors"


def test_sections_go_on_counting_the_phrase_and_draw_as_before(plain_and_grown, monkeypatch):
    import models.sampling as sampling

    grown, plain = loaded_engine(plain_and_grown[1]), loaded_engine(plain_and_grown[0])
    assert grown._generator.config.phrase_bars == 4
    grid = melody_on_grid(melody(bars=40, meter=(3, 4)), pickup=4)  # a quarter's pickup
    assert grid.bar_phase == 8
    conds = []

    def recorded(*args, **kwargs):
        conds.append(real(*args, **kwargs))
        return conds[-1]

    real = sampling.melody_condition
    monkeypatch.setattr(sampling, "melody_condition", recorded)
    style = grown.style_index("swing")
    parts, drawn = grown.draw_sections(grid, 2, 2, 5, 0.5, 0.5, lambda _: None, style)
    assert len(parts) >= 2 and len(conds) == len(parts)
    whole = phrase_bars_of(grid.meters, grid.n_steps, grid.bar_phase, 4)
    assert whole[0] == 3 and whole[grid.bar_starts[1]] == 0  # the pickup, then bar 1 of 4
    for (first, end), cond in zip(parts, conds, strict=True):
        a, b = grid.bar_starts[first], grid.bar_starts[end]
        phrase = cond[0, -4:, : b - a].argmax(0).numpy()
        assert np.array_equal(phrase, whole[a:b]), (first, end)
    # a later section starts mid-phrase here: counting again from 0 there would fail
    assert any(whole[grid.bar_starts[first]] != 0 for first, _ in parts[1:])

    monkeypatch.setattr(sampling, "melody_condition", real)
    _, expected = plain.draw_sections(grid, 2, 2, 5, 0.5, 0.5, lambda _: None, style)
    for (cleaned, scores), (plain_cleaned, plain_scores) in zip(drawn, expected, strict=True):
        assert np.array_equal(scores, plain_scores)
        for candidate, plain_candidate in zip(cleaned, plain_cleaned, strict=True):
            for (s, o), (ss, so) in zip(candidate, plain_candidate, strict=True):
                assert np.array_equal(s, ss) and np.array_equal(o, so)
