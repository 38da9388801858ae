"""The phrase position (issue 17): which bar of a four-bar phrase a step is in.

One definition (``pianoroll.bar_numbers`` / ``phrase_bars_of``) for the band's training
windows, the engine's condition and the evaluations; a model without it reads and plays
as before; a trained model grown into it writes and judges exactly as before."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from models.band_batches import BandWindowSampler, band_tensors
from models.band_pieces import load_band_split
from models.config import GanConfig
from models.consonance import beat_steps
from models.errors import DatasetError
from models.pianoroll import (
    LOWEST_PITCH,
    Meter,
    bar_name,
    bar_names,
    bar_number,
    bar_numbers,
    phrase_bars_of,
)
from models.sampling import candidate_probabilities, critic_scores, melody_condition
from tests.support.band_data import TOY_STYLES, TOY_TRACKS, toy_piece


def test_bars_count_from_the_first_full_bar_and_a_pickup_is_the_bar_before():
    meter = [(0, Meter(3, 4))]
    bars = bar_numbers(meter, 5 * 12)
    assert list(bars[::12]) == [0, 1, 2, 3, 4] and bars[11] == 0 and bars[12] == 1
    # a pickup of one quarter: step 0 is 8 steps into its bar
    bars = bar_numbers(meter, 4 + 2 * 12, bar_phase=8)
    assert list(bars[:4]) == [-1] * 4 and bars[4] == 0 and bars[16] == 1
    phrase = phrase_bars_of(meter, 4 + 5 * 12, bar_phase=8, phrase_bars=4)
    assert phrase[0] == 3 and list(phrase[4::12]) == [0, 1, 2, 3, 0]
    # a meter change starts a bar; a later section goes on counting
    changed = bar_numbers([(0, Meter(4, 4)), (32, Meter(3, 4))], 32 + 24)
    assert list(changed[[0, 16, 32, 44]]) == [0, 1, 2, 3]
    assert list(bar_numbers(meter, 24, first=9)[[0, 12]]) == [9, 10]


def test_a_bar_has_one_number_and_the_musician_names_it_from_one():
    meter = [(0, Meter(3, 4))]
    # no pickup: bar 0 is the first bar, named bar 1
    assert list(bar_names(meter, 2 * 12)[[0, 11, 12]]) == [1, 1, 2]
    assert bar_number(0, pickup=False) == 0 and bar_name(0) == 1
    # a one-quarter pickup: bar -1, named bar 1; the first full bar is 0, named bar 2
    names = bar_names(meter, 4 + 2 * 12, bar_phase=8)
    numbers = bar_numbers(meter, 4 + 2 * 12, bar_phase=8)
    assert list(names[[0, 3, 4, 16]]) == [1, 1, 2, 3]
    assert bar_number(0, pickup=True) == -1 and bar_number(1, pickup=True) == 0
    assert (names == bar_name(numbers - bar_number(0, pickup=True))).all()
    # a pickup shorter than a beat is a bar of its own too: the graded beats and the
    # checks' findings name the same bars (they were 1 and 2 for the same bar)
    _, beat_bars, _ = beat_steps(1 + 12, meter, bar_phase=11)
    assert list(beat_bars) == [2, 2, 2] and bar_names(meter, 13, bar_phase=11)[0] == 1
    assert bar_names(meter, 0).shape == (0,)


def _marked_dataset(tmp_path, phases: tuple[int, ...]):
    """Toy waltz and pop pieces whose melody pitch is each step's true bar (counted
    here by hand from the piece's first full bar), some starting with a pickup."""
    from models.band_pieces import write_band_dataset
    from models.build_dataset import BuildReport

    pieces = []
    for i, phase in enumerate(phases):
        piece = toy_piece(i, bars=12)
        bar = piece.meter.bar_steps
        steps = np.arange(piece.melody.shape[0])
        true_bar = (steps + phase) // bar - int(phase > 0)
        melody = (true_bar + 1 + 60 - LOWEST_PITCH).astype(np.int8)  # pickup -1 -> 60
        pieces.append(dataclasses.replace(piece, melody=melody, bar_phase=phase))
    out = tmp_path / "marked"
    write_band_dataset(pieces, TOY_TRACKS, TOY_STYLES, out, "marked", BuildReport())
    return out


def test_each_training_window_is_given_its_true_bars(tmp_path):
    out = _marked_dataset(tmp_path, (0, 4, 8, 0, 6, 2) * 4)
    for split in ("train", "valid", "test"):
        data = load_band_split(out, split)
        if len(data.starts) < 2:
            continue
        sampler = BandWindowSampler(data, 64, np.random.default_rng(0), transpose=False)
        batch = sampler.batch(64)
        true_bar = batch["melody"] - (1 + 60 - LOWEST_PITCH)
        assert np.array_equal(batch["bars"], true_bar)
        assert (batch["bars"] == -1).any() and batch["bars"].max() >= 4
        cond, _ = band_tensors(batch, 2, "cpu", phrase_bars=4)
        plain, _ = band_tensors(batch, 2, "cpu")
        assert torch.equal(cond[:, : plain.shape[1]], plain)  # the phrase comes last
        assert torch.equal(cond[:, plain.shape[1] :].argmax(1), torch.from_numpy(true_bar % 4))


def test_a_piece_s_bars_are_counted_once_and_every_window_reads_what_it_did(tmp_path):
    """The sampler counts each piece's bars once (``piece_bars``), not every window over
    its piece up to there: every window's bars, over several batches, are what counting
    that stretch gave (pianoroll.bar_numbers up to the window's end)."""
    data = load_band_split(_marked_dataset(tmp_path, (0, 4, 8, 0, 6, 2) * 4), "train")
    sampler = BandWindowSampler(data, 48, np.random.default_rng(3), transpose=True)
    for _ in range(3):
        batch = sampler.batch(32)
        for row, start in enumerate(batch["window_starts"].tolist()):
            piece = int(np.searchsorted(data.starts, start, side="right")) - 1
            offset = start - int(data.starts[piece])
            meter = [(0, Meter(*map(int, data.meters[piece])))]
            counted = bar_numbers(meter, offset + 48, int(data.bar_phase[piece]))[offset:]
            assert np.array_equal(batch["bars"][row], counted)
    assert 0 < len(sampler._piece_bars) <= len(data.starts) - 1


def test_a_card_without_the_field_reads_as_before_and_writes_as_before():
    config = GanConfig.from_dict(GanConfig().to_dict())
    assert config.phrase_bars == 0 and "phrase_bars" not in config.to_dict()
    grown = config.replace(phrase_bars=4)
    assert GanConfig.from_dict(grown.to_dict()).phrase_bars == 4
    assert grown.n_condition_channels == config.n_condition_channels + 4
    with pytest.raises(ValueError, match="phrase_bars"):
        GanConfig(phrase_bars=-1)
    melody, onsets = np.full(48, 30), np.ones(48, bool)
    plain = melody_condition(melody, onsets, Meter(3, 4), 0, 48)
    assert torch.equal(plain, melody_condition(melody, onsets, Meter(3, 4), 0, 48, phrase_bars=0))


@pytest.fixture(scope="module")
def shipped_and_grown(tmp_path_factory):
    """A band model without the phrase position (random weights: the equality holds for
    any), and it grown into one."""
    from models.checkpoint import load_model
    from models.phrase_widen import grow_phrase
    from tests.support.band_model import write_band_model

    path = write_band_model(tmp_path_factory.mktemp("band") / "plain", styles=TOY_STYLES)
    generator, critic, _ = load_model(path)
    grown_g, grown_c, config = grow_phrase(generator, critic, 4)
    return generator.eval(), critic.eval(), grown_g.eval(), grown_c.eval(), config


def test_the_grown_band_model_writes_and_judges_as_before(shipped_and_grown):
    generator, critic, grown_g, grown_c, config = shipped_and_grown
    assert config.phrase_bars == 4 and generator.config.phrase_bars == 0
    n, n_styles = 96, generator.config.n_style_channels
    rng = np.random.default_rng(3)
    melody, onsets = rng.integers(20, 40, n), rng.random(n) < 0.5
    cond = melody_condition(melody, onsets, Meter(3, 4), 0, n, "cpu", 1, n_styles)
    phrased = melody_condition(melody, onsets, Meter(3, 4), 0, n, "cpu", 1, n_styles, 4, 6)
    assert phrased.shape[1] == cond.shape[1] + 4
    assert list(phrased[0, -4:, ::12].argmax(0)) == [2, 3, 0, 1, 2, 3, 0, 1]  # from bar 6
    with torch.inference_mode():
        old = candidate_probabilities(generator, cond, 4, 0)
        new = candidate_probabilities(grown_g, phrased, 4, 0)
        for a, b in zip(old, new, strict=True):
            assert torch.equal(a, b)
        drawn = [(p[0, :n] > 0.5).numpy() for p in old]
        tracks = [(d[:, : t.n_rows], d[:, : t.n_rows]) for d, t in zip(drawn, generator.tracks)]
        old_score = critic_scores(critic, cond, [tracks])
        assert np.array_equal(old_score, critic_scores(grown_c, phrased, [tracks]))
    # the new columns, the stem's and the critic's condition's last 4, start at zero
    assert grown_g.stem[0].weight.shape[1] == generator.stem[0].weight.shape[1] + 4
    assert (
        not grown_g.stem[0].weight[:, -4:].any()
        and not grown_c.body[0].weight[:, phrased.shape[1] - 4 : phrased.shape[1]].any()
    )


def test_phrase_start_refuses_chorale_data_and_a_changed_resume(tmp_path):
    from models.phrase_widen import phrase_start
    from tests.support.band_data import write_toy_band_dataset

    band = write_toy_band_dataset(tmp_path / "toy", n_pieces=8)
    config = GanConfig()
    assert phrase_start(config, band, tmp_path / "run", 0) == (config, None)
    assert phrase_start(config, band, tmp_path / "run", 4)[0].phrase_bars == 4
    chorale = tmp_path / "chorales"
    chorale.mkdir()
    (chorale / "manifest.json").write_text(json.dumps({"name": "chorales"}))
    with pytest.raises(DatasetError, match="chorale data"):
        phrase_start(config, chorale, tmp_path / "run", 4)
    with pytest.raises(DatasetError, match="resumed run keeps its networks"):
        phrase_start(config, band, tmp_path / "run", 4, resuming=True)
    resumed = config.replace(phrase_bars=4)
    assert phrase_start(resumed, band, tmp_path / "run", 4, resuming=True) == (resumed, None)


def test_a_phrase_model_fine_tuned_for_another_phrase_length_is_refused_in_a_sentence(tmp_path):
    """--init-from a 4-bar phrase model with --phrase-bars 8 raised a bare ValueError
    from the growth (a traceback in the CLI)."""
    from models.phrase_widen import grow_phrase_file, phrase_start
    from tests.support.band_data import write_toy_band_dataset
    from tests.support.band_model import write_band_model

    band = write_toy_band_dataset(tmp_path / "toy", n_pieces=8)
    plain = write_band_model(tmp_path / "plain", styles=TOY_STYLES)
    four = grow_phrase_file(plain, 4, tmp_path / "four")
    config = GanConfig()
    assert phrase_start(config, band, tmp_path / "run", 4, four) == (
        config.replace(phrase_bars=4),
        four,
    )
    with pytest.raises(DatasetError, match="reads a 4-bar phrase; fine-tune it"):
        phrase_start(config, band, tmp_path / "run", 8, four)
