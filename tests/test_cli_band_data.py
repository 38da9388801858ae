"""``composer-gui dataset build --band`` and ``--songs DIR --role NAME=ROLE``, run as the
musician runs them (through ``main``), on MMA and on real multi-track songs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from composer_gui.cli import main
from tests.support.real_parts import needs, require


def _songs(folder: Path) -> Path:
    listed = subprocess.run(
        ["dpkg", "-L", "planetblupi-music-midi"], capture_output=True, text=True
    ).stdout.split()
    paths = sorted(p for p in listed if p.endswith(".mid"))[:3]
    if len(paths) < 3:
        require(False, "planetblupi-music-midi")
    folder.mkdir()
    for path in paths:
        (folder / Path(path).name).symlink_to(path)
    (folder / "broken.mid").write_bytes(b"MThd not really")
    return folder


def test_songs_are_built_with_a_role_override_and_the_skips_listed(tmp_path, capsys):
    songs = _songs(tmp_path / "songs")
    out = tmp_path / "data"
    code = main(["dataset", "build", "--songs", str(songs), "--role", "Melody 2=skip",
                 "--out", str(out)])  # fmt: skip
    printed = capsys.readouterr()
    assert code == 0
    assert "skipped broken.mid: broken.mid is cut short" in printed.err
    assert "music000.mid: Melody 1 [ch1] = melody" in printed.out
    assert "Melody 2 [ch4] = skip" in printed.out
    manifest = json.loads((out / "manifest.json").read_text())
    assert sum(manifest["counts"].values()) == 3
    assert "drums kit" in printed.out and "Dataset in" in printed.out


def test_a_bad_role_is_one_sentence(tmp_path, capsys):
    songs = _songs(tmp_path / "songs")
    assert main(["dataset", "build", "--songs", str(songs), "--role", "Piano"]) != 0
    assert "NAME=ROLE" in capsys.readouterr().err


@needs(shutil.which("mma") is not None, "MMA (mma)")
def test_the_band_data_builds_from_the_chorales(tmp_path, capsys):
    out = tmp_path / "band"
    assert main(["dataset", "build", "--band", "--limit", "1", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    # One 4/4 chorale: five styles in 4/4 and 2/4, the ballad in 6/8 too.
    assert sum(manifest["counts"].values()) == 11
    assert "pad" in capsys.readouterr().out


@needs(shutil.which("mma") is not None, "MMA (mma)")
def test_the_band_data_of_one_style(tmp_path, capsys):
    """The Train window's style choice: ``--style rock`` renders rock alone, and the
    dataset is of that one style (its pieces' style index 0)."""
    from models.band_pieces import load_band_split

    out = tmp_path / "rock"
    command = ["dataset", "build", "--band", "--style", "Rock", "--limit", "1", "--out", str(out)]
    assert main(command) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["styles"] == ["rock"]
    assert sum(manifest["counts"].values()) == 2  # one 4/4 chorale: rock in 4/4 and 2/4
    pieces = [
        p for split in ("train", "valid", "test") for p in load_band_split(out, split).pieces()
    ]
    assert {p.style for p in pieces} == {0} and all("@rock@" in p.name for p in pieces)
    assert main(["dataset", "build", "--band", "--style", "polka", "--out", str(out)]) == 2
    assert "choose one of" in capsys.readouterr().err
