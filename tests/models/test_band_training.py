"""Training a band model on a band dataset, and exporting one that works at once."""

import json

import numpy as np
import pytest
import torch

from models.band_batches import BandWindowSampler
from models.band_evaluate import band_candidates, band_windows
from models.band_pieces import load_band_split
from models.checkpoint import load_model
from models.export import export_model
from models.train import train
from tests.support.band_data import TOY_STYLES, TOY_TRACKS, write_toy_band_dataset
from tests.support.model_files import TINY


@pytest.fixture(scope="module")
def band_data(tmp_path_factory):
    return write_toy_band_dataset(tmp_path_factory.mktemp("band") / "toy")


def test_transposition_shifts_pitched_tracks_and_melody_never_drums(band_data):
    data = load_band_split(band_data, "train")
    batch = BandWindowSampler(data, 32, np.random.default_rng(3), transpose=True).batch(64)
    assert len(set(batch["shifts"].tolist())) > 3  # several keys, not one
    for i in range(64):
        start, shift = int(batch["window_starts"][i]), int(batch["shifts"][i])
        window = slice(start, start + 32)
        melody = data.melody[window].astype(np.int64)
        assert np.array_equal(np.where(melody < 0, melody, melody + shift), batch["melody"][i])
        for t, spec in enumerate(TOY_TRACKS):
            move = 0 if spec.is_drums else shift
            for rolls, key in ((data.sounding, "sounding"), (data.onsets, "onsets")):
                rows = np.argwhere(rolls[t][window])
                assert np.array_equal(rows + [0, move], np.argwhere(batch[key][t][i]))


def test_a_band_model_trains_exports_calibrated_and_accompanies(band_data, tmp_path):
    config = TINY.replace(iterations=30, window_bars=2, batch_size=8, lr_g=2e-3)
    run = train(config, band_data, tmp_path / "run", log_every=5, checkpoint_every=20)
    saved = json.loads((run / "config.json").read_text())
    assert [t["name"] for t in saved["tracks"]] == ["bass", "piano", "drums"]
    assert saved["styles"] == list(TOY_STYLES)
    lines = (run / "log.csv").read_text().splitlines()
    header = lines[0].split(",")
    recon = [float(r.split(",")[header.index("reconstruction")]) for r in lines[1:]]
    assert recon[-1] < 0.85 * recon[0]  # it learns the progressions' parts

    out = export_model(run, tmp_path / "band.safetensors", band_data)
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["data"]["licence"].startswith("MIT") and card["data"]["styles"] == ["pop", "waltz"]
    assert "bass (bass)" in card["description"]
    quantiles = card["calibration"]["quantiles"]
    assert len(quantiles) == 101 and quantiles == sorted(quantiles)
    assert "candidate_quantiles" in card["calibration"]

    generator, critic, _ = load_model(out)
    assert generator.tracks == TOY_TRACKS
    window = band_windows(load_band_split(band_data, "valid"), bars=4)[0]
    with torch.no_grad():
        _, candidates = band_candidates(generator, window, 4, seed=1)
    assert len(candidates) == 4
    assert [s.shape[1] for s, _ in candidates[0]] == [t.n_rows for t in TOY_TRACKS]


def test_a_chorale_model_cannot_resume_on_a_band_dataset(band_data, tmp_path):
    from models.errors import DatasetError
    from models.train_data import training_data

    with pytest.raises(DatasetError, match="tracks"):
        training_data(band_data, TINY.replace(tracks=(TOY_TRACKS[0].to_dict(),)), None)
