"""Renaming a trained model never leaves weights without their card: a rename that only
changes case keeps the one card, and a card that cannot be written (a full disk, or here
a folder in the way of its draft: the write fails the same way) leaves the model as it
was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from composer_gui.core.trained_models import model_name, rename_model


def trained(folder: Path, stem: str, name: str) -> Path:
    weights = folder / f"{stem}.safetensors"
    weights.write_bytes(b"weights")
    weights.with_suffix(".json").write_text(json.dumps({"name": name, "config": {}}))
    return weights


def test_a_rename_moves_both_files_and_names_the_card(tmp_path):
    new = rename_model(trained(tmp_path, "my rock", "my rock"), "Garage band")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "Garage band.json",
        "Garage band.safetensors",
    ]
    assert model_name(new) == "Garage band" and new.read_bytes() == b"weights"


def test_a_rename_of_the_case_only_keeps_the_card(tmp_path):
    new = rename_model(trained(tmp_path, "my rock", "my rock"), "My Rock")
    assert new.is_file() and new.with_suffix(".json").is_file()
    assert model_name(new) == "My Rock"
    assert not list(tmp_path.glob("*.part"))


def test_a_card_that_cannot_be_written_leaves_the_model_as_it_was(tmp_path):
    weights = trained(tmp_path, "my rock", "my rock")
    (tmp_path / "Garage band.json.part").mkdir()  # the card's draft cannot be written
    with pytest.raises(OSError):
        rename_model(weights, "Garage band")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "my rock.json",
        "my rock.safetensors",
    ]
    assert model_name(weights) == "my rock"
