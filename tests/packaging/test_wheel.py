"""The wheel and sdist carry everything the app needs, and the wheel works with no checkout."""

import subprocess
import tarfile
import zipfile

import pytest

from tests.packaging.conftest import (
    assert_accompaniment_written,
    clean_env,
    needs_shipped_model,
    shipped_files,
)

pytestmark = pytest.mark.slow

SHIPPED_FOLDERS = ("weights", "melodies", "icons")


def test_wheel_carries_every_shipped_resource_as_package_data(built_dists):
    names = set(zipfile.ZipFile(built_dists["wheel"]).namelist())
    for folder in SHIPPED_FOLDERS:
        for path in shipped_files(folder):
            assert f"composer_gui/resources/{folder}/{path.name}" in names
    assert "composer_gui/paths.py" in names
    assert "models/pianoroll.py" in names
    assert not [name for name in names if name.startswith(("tests/", "resources/"))]


def test_sdist_carries_resources_and_packaging(built_dists):
    with tarfile.open(built_dists["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for folder in SHIPPED_FOLDERS:
        for path in shipped_files(folder):
            assert f"resources/{folder}/{path.name}" in names
    assert {"setup.py", "packaging/build_bundle.sh", "packaging/linux/composer.desktop"} <= names


def run_installed(venv, *args, cwd, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "composer-gui"), *[str(arg) for arg in args]],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=clean_env(),
    )


def test_installed_wheel_reports_its_version(wheel_venv, tmp_path):
    result = run_installed(wheel_venv, "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("composer-gui 0.")


def test_installed_wheel_finds_its_resources_inside_the_venv(wheel_venv, tmp_path):
    result = subprocess.run(
        [
            str(wheel_venv / "bin" / "python"),
            "-c",
            "from composer_gui.paths import resource_path; print(resource_path('icons'))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=clean_env(),
    )
    icons = result.stdout.strip()
    assert icons.startswith(str(wheel_venv)) and icons.endswith("composer_gui/resources/icons")


@needs_shipped_model
def test_installed_wheel_accompanies_a_shipped_sample(wheel_venv, tmp_path):
    site_resources = next(wheel_venv.glob("lib/python*/site-packages/composer_gui/resources"))
    sample = sorted((site_resources / "melodies").glob("*.mid"))[0]
    out = tmp_path / "out.mid"
    result = run_installed(
        wheel_venv,
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


def test_installed_wheel_generates_with_a_model_file(wheel_venv, tiny_model, tmp_path):
    """The whole generation path runs (random weights: the shipped model may not be there)."""
    site_resources = next(wheel_venv.glob("lib/python*/site-packages/composer_gui/resources"))
    sample = sorted((site_resources / "melodies").glob("*.mid"))[0]
    out = tmp_path / "out.mid"
    command = ["accompany", sample, "-o", out, "--model", tiny_model, "--candidates", "2"]
    result = run_installed(wheel_venv, *command, "--seed", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "rank" in result.stdout and "seed 1" in result.stdout
    assert_accompaniment_written(out)
