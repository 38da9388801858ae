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


def train_tiny_on_songs(runs_dir: Path, kinds: tuple[str, ...], name: str = "", timeout=300):
    """A tiny model of ``kinds`` trained on the songs by the real training child, to its
    end (30 iterations, exported and calibrated); returns the finished ``TrainingRun``."""
    from composer_gui.core.training_run import TrainingPlan, TrainingRun

    plan = TrainingPlan(
        source=str(SONGS),
        kinds=kinds,
        name=name,
        iterations=30,
        sample_every=0,
        log_every=5,
        eval_every=30,
        threads=1,
        config=TINY_CONFIG,
    )
    run = TrainingRun.create(runs_dir, plan)
    run.start()
    done = run.wait(timeout)
    assert done.state == "done", done.message
    return run
