"""The Train window's child processes run from the bundle as they run from a checkout.

A frozen app has no ``python -m``: ``core/training_plan.composer_command`` starts the
bundle's own executable for ``dataset build`` and ``train``, and ``module_command`` gives
it ``--run-composer-module`` for the folder preview (``packaging/pyinstaller/
composer_entry.py``). Each is run here as the window runs it, on real songs, with the
tests' tiny model; music21 is not in the bundle, so the chorale build is not.
"""

import json

import pytest

from tests.packaging.test_bundle import run_bundle
from tests.support.real_parts import needs
from tests.support.training import SONGS, TINY_CONFIG

pytestmark = pytest.mark.slow
needs_songs = needs(SONGS.is_dir(), "openttd-openmsx")


@needs_songs
def test_the_folder_preview_runs_in_the_bundle(bundle_dir, tmp_path):
    module = "composer_gui.core.training_preview"
    result = run_bundle(bundle_dir, "--run-composer-module", module, SONGS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    previews = {p["name"]: p for p in json.loads(result.stdout)}
    assert previews["boogi_marabi_redfarn.mid"]["kept"]
    assert "5/4" in previews["5432gone_redfarn.mid"]["reason"]
    refused = run_bundle(bundle_dir, "--run-composer-module", "os", cwd=tmp_path)
    assert refused.returncode != 0 and "not one of Composer's modules" in refused.stderr


@needs_songs
def test_songs_are_built_and_trained_into_a_calibrated_model_in_the_bundle(bundle_dir, tmp_path):
    data, run, model = tmp_path / "data", tmp_path / "run", tmp_path / "model.safetensors"
    built = run_bundle(
        bundle_dir, "dataset", "build", "--songs", SONGS, "--out", data, cwd=tmp_path
    )
    assert built.returncode == 0, built.stderr
    config = tmp_path / "tiny.json"
    config.write_text(json.dumps(TINY_CONFIG))
    trained = run_bundle(
        bundle_dir, "train", "--data", data, "--run-dir", run, "--iterations", "20",
        "--config", config, "--threads", "1", "--export", model, cwd=tmp_path,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    card = json.loads(model.with_suffix(".json").read_text())
    assert "calibration" in card and card["config"]["tracks"][0]["kind"] == "drums"
