"""The tiny model and the real songs the training tests and the Train window benchmark use.

One definition, so the test and ``benchmarks/bench_train_window_gap.py --tiny`` train the
same model: 16 channels a layer, batches of 4, two-bar windows, a few hundred iterations
in well under a minute on two cores.  The songs are openttd-openmsx's multi-track MIDI
files (drums, bass, piano, leads), installed by ``scripts/system-deps.sh``.
"""

from __future__ import annotations

from pathlib import Path

SONGS = Path("/usr/share/games/openttd/baseset/openmsx")
TINY_CONFIG = {
    "g_channels": [16, 16, 16, 16],
    "d_channels": [16, 16, 16, 16],
    "noise_channels": 4,
    "batch_size": 4,
    "critic_steps": 2,
    "window_bars": 2,
}
