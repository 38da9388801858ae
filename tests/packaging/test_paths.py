"""composer_gui.paths.resource_path finds shipped files in a checkout and in a bundle."""

import sys
from pathlib import Path

import pytest

from composer_gui import paths
from composer_gui.paths import resource_path

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_root():
    """resource_path caches where the resources are; each test here decides it anew."""
    paths._resources_root.cache_clear()
    yield
    paths._resources_root.cache_clear()


def test_checkout_resolves_to_the_top_level_resources_folder(fresh_root):
    assert resource_path() == REPO / "resources"
    icon = resource_path("icons", "composer-48.png")
    assert icon == REPO / "resources" / "icons" / "composer-48.png"
    assert icon.is_file()


def test_pyinstaller_bundle_resolves_inside_the_bundle(fresh_root, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("melodies") == tmp_path / "composer_gui" / "resources" / "melodies"


def test_missing_files_are_returned_for_the_caller_to_report(fresh_root):
    missing = resource_path("weights", "no-such-model.safetensors")
    assert missing.parent == REPO / "resources" / "weights"
    assert not missing.exists()


@pytest.mark.parametrize("part", ["..", "../pyproject.toml", "/etc/passwd"])
def test_parts_cannot_leave_the_resources_folder(part):
    with pytest.raises(ValueError, match="relative name inside resources"):
        resource_path("icons", part)
