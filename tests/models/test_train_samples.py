"""Live samples: written only when asked, when due, atomically, with the data's own values."""

from __future__ import annotations

import json

from models import train_samples
from models.generator import Generator
from tests.support.model_files import TINY


def test_nothing_is_written_unless_the_run_asks(tmp_path, chorale_data):
    data_dir, _, _ = chorale_data
    generator = Generator(TINY).eval()
    for iteration in range(1, 5):
        train_samples.after_iteration(tmp_path, data_dir, generator, iteration)
    assert not (tmp_path / train_samples.SAMPLES_DIR).exists()
    assert train_samples.latest_sample(tmp_path) is None


def test_a_sample_every_n_iterations_of_one_melody(tmp_path, chorale_data):
    data_dir, _, _ = chorale_data
    generator = Generator(TINY).eval()
    train_samples.request_samples(tmp_path, every=2, bars=2)
    for iteration in range(1, 6):
        train_samples.after_iteration(tmp_path, data_dir, generator, iteration)
    names = sorted(p.name for p in (tmp_path / train_samples.SAMPLES_DIR).iterdir())
    assert names == ["iteration_000002.npz", "iteration_000004.npz"]  # no .tmp left behind
    sample = train_samples.latest_sample(tmp_path)
    assert sample["iteration"] == 4
    tracks, steps, _ = sample["roll"].shape
    assert tracks == 4 and steps == 2 * sample["steps_per_bar"]
    assert sample["roll"][0].any()  # the melody is there, note for note
    assert generator.training is False
    reference = json.loads((tmp_path / train_samples.REFERENCE_NAME).read_text())
    assert 0.0 < reference["val_in_key_ratio"] <= 1.0  # Bach's own value
