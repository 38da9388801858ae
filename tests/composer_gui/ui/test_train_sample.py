"""The Train window's sample reader: the newest sample, read and drawn off the UI thread.

A run folder written by the training loop's own writer (``models.train_samples._write``)
with the shipped band model's tracks: the reader hands the newest sample over once,
with the image the roll draws, read on a thread that is not the window's; a newer
sample follows; a stopped run is looked at once more, then the reader is idle.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import composer_gui.ui.train_sample as train_sample
from composer_gui.core.training_listen import run_tracks
from composer_gui.ui.train_plots import sample_image
from composer_gui.ui.train_sample import SampleReader
from models.train_samples import _write, latest_sample
from tests.composer_gui.core.test_training_listen import band_run

pytestmark = pytest.mark.gui


def _poll_until(reader: SampleReader, running: bool, timeout_seconds: float = 10.0):
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if (shown := reader.poll(running)) is not None:
            return shown
        time.sleep(0.01)
    return None


def test_the_newest_sample_is_read_off_the_ui_thread_once_then_the_next(tmp_path, monkeypatch):
    band_run(tmp_path)  # a sample at iteration 50
    readers: list[str] = []
    real_read = train_sample.read_sample

    def read(path):
        readers.append(threading.current_thread().name)
        return real_read(path)

    monkeypatch.setattr(train_sample, "read_sample", read)
    reader = SampleReader(tmp_path)
    shown = _poll_until(reader, running=True)
    assert shown is not None and shown.name == "iteration_000050.npz"
    assert readers and all(name != threading.main_thread().name for name in readers)
    expected, bottom = sample_image(latest_sample(tmp_path), run_tracks(tmp_path))
    assert shown.bottom == bottom and np.array_equal(shown.image, expected)
    assert [t.name for t in shown.tracks] == ["drums", "bass", "chords", "pad"]
    # the same sample is not handed over again
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        assert reader.poll(True) is None
        time.sleep(0.01)

    # a newer one, with a note the first had not: it comes (the folder is listed again
    # within RELIST_SECONDS even where the clock did not show the folder change)
    sample = latest_sample(tmp_path)
    roll = sample["roll"].copy()
    roll[0, 8:12, 10] = 1
    _write(tmp_path, 100, roll, sample["drums"], list(sample["names"]), 28, 16)
    newer = _poll_until(reader, running=True, timeout_seconds=train_sample.RELIST_SECONDS + 5)
    assert newer is not None and newer.sample["iteration"] == 100
    assert not np.array_equal(newer.image, shown.image)
    reader.close()


def test_a_stopped_run_is_looked_at_once_more_then_the_reader_is_idle(tmp_path):
    reader = SampleReader(tmp_path)  # no sample yet
    assert reader.busy  # a look is due
    assert _poll_until(reader, running=True, timeout_seconds=0.3) is None
    band_run(tmp_path)  # the run's last sample, written as it stopped
    shown = _poll_until(reader, running=False)
    assert shown is not None and shown.sample["iteration"] == 50
    deadline = time.monotonic() + 5
    while reader.busy and time.monotonic() < deadline:
        reader.poll(False)
        time.sleep(0.01)
    assert not reader.busy  # the window's timer may stop
    assert reader.poll(False) is None and not reader.busy
    reader.close()
