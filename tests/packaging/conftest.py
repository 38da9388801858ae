"""Fixtures for the packaging tests: one built wheel, one fresh venv, one bundle per session.

Building is the slow part (seconds for the wheel, a minute for the venv, minutes for the
bundle), so each is made once and shared by every test that needs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUNDLE_BUILD_SECONDS = 900


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no PYTHONPATH or venv that could reach the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def run_checked(command: list, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """Run a build step and fail the test with its output when it fails."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=timeout, **kwargs
    )
    if result.returncode != 0:
        pytest.fail(f"{command[0]} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def shipped_files(folder: str) -> list[Path]:
    """The files in resources/<folder> of the checkout (hidden files excepted)."""
    return sorted(p for p in (REPO / "resources" / folder).glob("*") if not p.name.startswith("."))


def assert_accompaniment_written(midi_path: Path) -> None:
    """The file holds Composer's tracks in order, the melody and some accompaniment with notes."""
    import mido

    from models.pianoroll import TRACKS

    tracks = mido.MidiFile(midi_path).tracks[-len(TRACKS) :]  # after the tempo track
    assert [track.name for track in tracks] == list(TRACKS)
    with_notes = [
        track.name
        for track in tracks
        if any(message.type == "note_on" and message.velocity > 0 for message in track)
    ]
    assert with_notes[0] == TRACKS[0] and len(with_notes) >= 2, with_notes


MODEL_SHIPPED = bool(
    list((REPO / "resources" / "weights").glob("*.safetensors"))
    and list((REPO / "resources" / "melodies").glob("*.mid"))
)
needs_shipped_model = pytest.mark.xfail(
    not MODEL_SHIPPED,
    reason="the shipped model (resources/weights) and sample melodies are not in the tree yet",
    strict=False,
)


@pytest.fixture(scope="session")
def built_dists(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel that `python -m build` makes (the wheel is built from the sdist)."""
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the test venv already has setuptools and build (the test extra), so
    # nothing is downloaded; the wheel is still built from the unpacked sdist.
    run_checked([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, REPO], 300)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="session")
def wheel_venv(tmp_path_factory, built_dists) -> Path:
    """A new, empty venv with only the wheel (and what it depends on) installed."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    run_checked([sys.executable, "-m", "venv", venv], 120)
    python = venv / "bin" / "python"
    # The same torch build as the test venv (e.g. 2.13.0+cpu), so pip takes it from this
    # machine's wheels and never fetches the multi-GB CUDA build.
    torch = f"torch=={version('torch')}"
    run_checked(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-compile",
            "--disable-pip-version-check",
            torch,
            built_dists["wheel"],
        ],
        600,
        env=clean_env(),
    )
    return venv


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory) -> Path:
    """The one-folder bundle that packaging/build_bundle.sh makes, built from this checkout."""
    work = tmp_path_factory.mktemp("bundle")
    run_checked(
        [REPO / "packaging" / "build_bundle.sh"],
        BUNDLE_BUILD_SECONDS,
        env=clean_env(
            PYTHON=sys.executable, DIST_DIR=str(work / "dist"), WORK_DIR=str(work / "build")
        ),
        cwd=REPO,
    )
    return work / "dist" / "composer-gui"
