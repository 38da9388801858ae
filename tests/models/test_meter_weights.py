"""Chorale windows weighted per meter (``GanConfig.meter_weights`` on ``balance_meters``)."""

from __future__ import annotations

import numpy as np
import pytest

from models.build_dataset import Piece, _concatenate
from models.config import GanConfig
from models.pianoroll import Meter
from models.train_data import WindowSampler


def _pieces() -> list[Piece]:
    # 6 pieces in 4/4, 2 in 6/8, 1 in 2/2, of different lengths.
    out = []
    for i, (signature, n_steps) in enumerate([((4, 4), 64 + 16 * i) for i in range(6)]):
        out.append(_piece(f"a{i}", signature, n_steps))
    out += [_piece("b0", (6, 8), 96), _piece("b1", (6, 8), 48), _piece("c0", (2, 2), 64)]
    return out


def _piece(name: str, signature: tuple[int, int], n_steps: int) -> Piece:
    voices = np.full((4, n_steps), 30, dtype=np.int8)
    onsets = np.zeros((4, n_steps), dtype=bool)
    onsets[:, ::4] = True
    return Piece(name, voices, onsets, Meter(*signature), 0, name)


def _shares(config: GanConfig) -> dict[str, float]:
    data = _concatenate(_pieces())
    sampler = WindowSampler(
        data, 32, np.random.default_rng(0), False, config.balance_meters, config.meter_weight_map
    )
    shares: dict[str, float] = {}
    for piece, weight in zip(sampler.pieces, sampler.weights, strict=True):
        numerator, denominator = data.meters[piece]
        meter = f"{numerator}/{denominator}"
        shares[meter] = shares.get(meter, 0.0) + float(weight)
    return shares


def test_each_meter_weighs_its_share_times_its_weight():
    even = _shares(GanConfig(balance_meters=True))
    assert even == pytest.approx({"4/4": 1 / 3, "6/8": 1 / 3, "2/2": 1 / 3})
    leaning = _shares(GanConfig(balance_meters=True, meter_weights="6/8=2, 2/2=1.5"))
    assert leaning == pytest.approx({"4/4": 1 / 4.5, "6/8": 2 / 4.5, "2/2": 1.5 / 4.5})


def test_meter_weights_are_refused_unless_readable_and_balanced():
    with pytest.raises(ValueError, match="like 6/8=2"):
        GanConfig(balance_meters=True, meter_weights="6/8:2")
    with pytest.raises(ValueError, match="more than 0"):
        GanConfig(balance_meters=True, meter_weights="6/8=0")
    with pytest.raises(ValueError, match="needs balance_meters"):
        GanConfig(meter_weights="6/8=2")
    card = GanConfig(balance_meters=True, meter_weights="6/8=2").to_dict()
    assert GanConfig.from_dict(card).meter_weight_map == {(6, 8): 2.0}
