"""The PyInstaller one-folder bundle starts and accompanies a melody with what it carries."""

import subprocess
import zipfile

import pytest

from tests.packaging.conftest import assert_accompaniment_written, clean_env, needs_shipped_model

pytestmark = pytest.mark.slow


def run_bundle(bundle_dir, *args, cwd, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(bundle_dir / "composer-gui"), *[str(arg) for arg in args]],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=clean_env(),
    )


def test_bundle_reports_its_version(bundle_dir, tmp_path):
    result = run_bundle(bundle_dir, "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("composer-gui 0.")


def test_bundle_self_test_runs_torch_qt_and_every_module(bundle_dir, tmp_path):
    result = subprocess.run(
        [str(bundle_dir / "composer-gui")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=clean_env(COMPOSER_BUNDLE_SELF_TEST="1", QT_QPA_PLATFORM="offscreen"),
    )
    assert result.returncode == 0, result.stderr
    assert "bundle self-test passed" in result.stdout
    assert str(bundle_dir / "_internal" / "composer_gui" / "resources") in result.stdout


def test_bundle_carries_the_same_resources_as_the_wheel(bundle_dir, built_dists):
    resources = bundle_dir / "_internal" / "composer_gui" / "resources"
    in_bundle = {
        str(path.relative_to(resources)) for path in resources.rglob("*") if path.is_file()
    }
    prefix = "composer_gui/resources/"
    names = zipfile.ZipFile(built_dists["wheel"]).namelist()
    in_wheel = {name[len(prefix) :] for name in names if name.startswith(prefix)}
    assert in_bundle == in_wheel


def test_bundle_leaves_out_training_only_packages(bundle_dir):
    internal = bundle_dir / "_internal"
    assert (internal / "composer_gui" / "resources" / "icons" / "composer-48.png").is_file()
    for unwanted in ("music21", "matplotlib", "torch/test", "torch/include"):
        assert not (internal / unwanted).exists(), f"{unwanted} is in the bundle"
    # `import torch` needs its shared-memory manager; torch's test programs stay out.
    assert [path.name for path in (internal / "torch" / "bin").iterdir()] == ["torch_shm_manager"]
    assert (bundle_dir / "desktop" / "install-desktop.sh").is_file()


@needs_shipped_model
def test_bundle_accompanies_a_shipped_sample(bundle_dir, tmp_path):
    melodies = bundle_dir / "_internal" / "composer_gui" / "resources" / "melodies"
    sample = sorted(melodies.glob("*.mid"))[0]
    out = tmp_path / "out.mid"
    result = run_bundle(
        bundle_dir,
        "accompany",
        sample,
        "-o",
        out,
        "--candidates",
        "2",
        "--seed",
        "1",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert_accompaniment_written(out)


def test_bundle_generates_with_a_model_file(bundle_dir, tiny_model, tmp_path):
    """The whole generation path runs (random weights: the shipped model may not be there)."""
    melodies = bundle_dir / "_internal" / "composer_gui" / "resources" / "melodies"
    sample = sorted(melodies.glob("*.mid"))[0]
    out = tmp_path / "out.mid"
    command = ["accompany", sample, "-o", out, "--model", tiny_model, "--candidates", "2"]
    result = run_bundle(bundle_dir, *command, "--seed", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "rank" in result.stdout and "seed 1" in result.stdout
    assert_accompaniment_written(out)
