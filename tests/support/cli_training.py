"""The toy band data, the tiny config and the real `composer-gui train` child, for the
tests of the train command's options (`--onsets`, `--phrase-bars`): one definition.

A test module imports the fixtures (``toy``, ``tiny``) with ``cli`` and ``train``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from composer_gui.core.training_plan import composer_command
from tests.support.band_data import write_toy_band_dataset
from tests.support.training import TINY_CONFIG


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    return write_toy_band_dataset(tmp_path_factory.mktemp("band") / "toy", n_pieces=24)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "tiny.json"
    path.write_text(json.dumps(TINY_CONFIG))
    return path


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*composer_command(), *args], capture_output=True, text=True, timeout=timeout
    )


def train(toy: Path, tiny: Path, run_dir: Path, *extra: str, iterations: int = 4):
    return cli(
        "train", "--data", str(toy), "--run-dir", str(run_dir), "--config", str(tiny),
        "--iterations", str(iterations), "--threads", "1", "--device", "cpu",
        "--log-every", "2", *extra,
    )  # fmt: skip


def accompany_in_the_toy_waltz(model: Path, out: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """``accompany`` a shipped 3/4 melody with ``model``'s toy "waltz" (the toy's other
    style plays 4/4 only, and is refused for it); returns the process and the melody."""
    from composer_gui.paths import resource_path

    melody = resource_path("melodies", "amazing_grace.mid")
    played = cli("accompany", str(melody), "-o", str(out), "--model", str(model),
                 "--style", "waltz", "--candidates", "2", "--device", "cpu",
                 "--json")  # fmt: skip
    return played, melody
