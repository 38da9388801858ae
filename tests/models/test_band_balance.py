"""Band windows weighted per style and meter (``BandWindowSampler(balance=True)``)."""

from __future__ import annotations

import numpy as np

from models.band_batches import BandWindowSampler
from models.band_pieces import load_band_split, write_band_dataset
from models.build_dataset import BuildReport
from tests.support.band_data import TOY_STYLES, TOY_TRACKS, toy_piece


def test_a_rare_style_and_meter_weighs_as_much_as_a_common_one(tmp_path):
    # 30 pieces in 4/4 "pop" (even i), 3 in 3/4 "waltz" (odd i), all in the training split.
    pieces = [toy_piece(i) for i in range(0, 60, 2)] + [toy_piece(i) for i in (1, 3, 5)]
    for piece in pieces:
        piece.group = "all"
    write_band_dataset(pieces, TOY_TRACKS, TOY_STYLES, tmp_path, "toy", BuildReport(), "MIT")
    data = load_band_split(tmp_path, "train")
    assert len(data) == len(pieces)
    waltz = np.array([int(data.piece_styles[p]) == 1 for p in range(len(data))])

    def waltz_share(balance: bool) -> float:
        sampler = BandWindowSampler(data, 32, np.random.default_rng(0), False, balance)
        return float(sampler.weights[waltz[sampler.pieces]].sum())

    assert waltz_share(False) < 0.1  # by length: 3 short pieces of 33
    assert abs(waltz_share(True) - 0.5) < 1e-9
