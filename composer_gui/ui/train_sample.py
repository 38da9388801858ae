"""The Train window's newest live sample, read off the UI thread and handed over ready.

A sample (``models/train_samples.py``) is a compressed ``.npz`` the training child writes
every N iterations.  Finding the newest (listing a folder that grows to thousands of
files), reading and decompressing it, reading the run's tracks and drawing its roll into
an RGB image were done in the window's timer slot: 13.8 ms of one profiled pause, and a
``stat`` or a read on a disk busy with the child's checkpoints can block for longer.
Here one worker thread does all of that; the window's timer only asks (:meth:`poll`)
and gets a :class:`ReadSample` it puts on screen as it is, once per new sample.

The worker owns its state (the folder's last time, the sample on show), and the window
only reads finished results, so nothing is shared between the two threads while one
works.  The folder is listed only when its time changed or every few seconds (a coarse
clock may not show a new file), and always once the run has stopped, so a finished
run's last sample is the one shown.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer_gui.core.training_listen import run_tracks
from composer_gui.ui.train_plots import sample_image
from models.train_samples import SAMPLES_DIR, read_sample

RELIST_SECONDS = 5.0


@dataclass(frozen=True)
class ReadSample:
    """A new sample, ready to show: ``image`` is ``sample_image``'s ``(row, step, 3)``
    and ``bottom`` the pitch its first row stands for."""

    name: str
    sample: dict
    tracks: tuple
    image: np.ndarray
    bottom: int


class SampleReader:
    """The newest sample of one run folder, looked for on a thread of its own."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="train-sample")
        self._future: Future | None = None
        self._settled = False  # looked once since the run stopped: nothing more will come
        # the worker's own (only the worker thread touches them)
        self._stamp, self._listed_at, self._shown = 0, 0.0, ""

    @property
    def busy(self) -> bool:
        """A look is under way, or one is due once the run has stopped."""
        return self._future is not None or not self._settled

    def poll(self, running: bool) -> ReadSample | None:
        """A sample not shown before, once it is read; else None.  Called at every tick:
        it collects the last look's result, or starts the next look (never two)."""
        if self._future is not None:
            if not self._future.done():
                return None
            future, self._future = self._future, None
            return future.result()
        if running or not self._settled:
            self._settled = not running
            self._future = self._pool.submit(self._look, running)
        return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # --- on the worker thread -----------------------------------------------------------

    def _look(self, running: bool) -> ReadSample | None:
        folder = self.run_dir / SAMPLES_DIR
        try:
            stamp = folder.stat().st_mtime_ns
        except OSError:
            stamp = 0
        now = time.monotonic()
        recent = now - self._listed_at < RELIST_SECONDS
        if stamp == self._stamp and recent and running:
            return None
        self._stamp, self._listed_at = stamp, now
        names = sorted(p.name for p in folder.glob("iteration_*.npz")) if stamp else []
        if not names or names[-1] == self._shown:
            return None
        try:
            sample = read_sample(folder / names[-1])
        except (OSError, ValueError, KeyError):  # gone, or unreadable: listed again next time
            self._stamp = 0
            return None
        tracks = run_tracks(self.run_dir)  # each track's colour, as the main window's
        image, bottom = sample_image(sample, tracks)
        self._shown = names[-1]
        return ReadSample(names[-1], sample, tracks, image, bottom)
