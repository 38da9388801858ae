"""``scripts/rerender_band_meter.py`` renders one meter's pieces again with real MMA and
keeps every other piece, and every piece's split, as they were."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from models.band_pieces import load_band_split, write_band_dataset
from models.band_styles import STYLE_NAMES
from models.build_band_dataset import build_band_mma
from models.build_dataset import SPLITS, BuildReport, chorale_group
from models.mma_render import mma_available
from models.tracks import kit_row
from tests.support.real_parts import require

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _mma_installed():
    require(mma_available(), "MMA (mma)")


def _pieces(data_dir: Path) -> dict[str, tuple[str, object]]:
    return {
        p.name: (split, p) for split in SPLITS for p in load_band_split(data_dir, split).pieces()
    }


def test_only_the_meters_pieces_are_rendered_again(tmp_path):
    built = tmp_path / "built"
    manifest, _ = build_band_mma(built, limit=3)
    pieces = _pieces(built)
    assert any(name.endswith("@2-4") for name in pieces)
    # A source whose 2/4 pieces lost their drums: the script must render them again.
    source = tmp_path / "source"
    damaged = []
    for name, (_, piece) in pieces.items():
        copy = replace(piece, sounding=list(piece.sounding), onsets=list(piece.onsets))
        copy.group = chorale_group(Path(name.split("@")[0] + ".mxl"))
        if name.endswith("@2-4"):
            copy.sounding[0] = np.zeros_like(piece.sounding[0])
            copy.onsets[0] = np.zeros_like(piece.onsets[0])
        damaged.append(copy)
    tracks = load_band_split(built, "train").tracks
    write_band_dataset(damaged, tracks, tuple(manifest["styles"]), source, "t", BuildReport())
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "rerender_band_meter.py"), str(source), str(out)]
        + ["--meter", "2/4", "--limit", "3"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    again, kept = _pieces(out), _pieces(source)
    assert sorted(again) == sorted(kept)
    kick = kit_row(36)
    for name, (split, piece) in again.items():
        assert split == kept[name][0], name  # every piece stays in its split
        old = kept[name][1]
        if not name.endswith("@2-4"):  # kept bit for bit
            for a, b in zip(piece.onsets + piece.sounding, old.onsets + old.sounding, strict=True):
                assert np.array_equal(a, b), name
            continue
        assert piece.onsets[0].any(), name  # rendered again: the drums are back
        fresh = pieces[name][1]
        for a, b in zip(piece.onsets, fresh.onsets, strict=True):
            assert np.array_equal(a, b), name
        if name.split("@")[1] == STYLE_NAMES[1]:  # rock: one kick pattern in every bar
            bars = piece.onsets[0][:, kick].reshape(-1, 8)
            assert (bars == bars[0]).all() and bars[0].any(), name
