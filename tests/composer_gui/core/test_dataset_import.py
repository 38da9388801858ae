"""Training data from the user's own MIDI files: `composer-gui dataset build --from-midi`."""

import shutil

import numpy as np

from composer_gui.cli import main
from composer_gui.core.dataset_import import piece_from_file
from models.build_dataset import REST, load_split, read_manifest
from models.pianoroll import LOWEST_PITCH, Meter


def test_a_chorale_file_becomes_four_voices_with_the_soprano_as_melody(corpus_midi):
    piece = piece_from_file(corpus_midi["bwv66.6"].path)
    assert piece.voices.shape[0] == 4 and piece.meter == Meter(4, 4)
    sounding = [v[v != REST].mean() for v in piece.voices]
    assert sounding == sorted(sounding, reverse=True)  # melody, alto, tenor, bass by height
    assert piece.voices.max() < 64 and (piece.voices[piece.voices != REST] >= 0).all()


def test_dataset_build_from_a_folder_reports_what_it_skipped(
    corpus_midi, bad_midi_files, tmp_path, capsys
):
    folder = tmp_path / "my midi"
    folder.mkdir()
    for name in ("bwv66.6", "bwv269", "bwv1.6"):
        shutil.copy(corpus_midi[name].path, folder / f"{name}.mid")
    shutil.copy(bad_midi_files["garbage"], folder / "garbage.mid")
    out = tmp_path / "data"
    code = main(["dataset", "build", "--from-midi", str(folder), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "skipped garbage.mid" in captured.err
    manifest = read_manifest(out)
    assert sum(manifest["counts"].values()) == 3
    assert [s["name"] for s in manifest["skipped"]] == ["garbage.mid"]
    pieces = sum((load_split(out, s).pieces() for s in ("train", "valid", "test")), [])
    assert all(p.voices.shape[0] == 4 for p in pieces)
    assert LOWEST_PITCH + np.max([p.voices.max() for p in pieces]) <= 91


def test_a_folder_with_no_usable_midi_writes_nothing(bad_midi_files, tmp_path, capsys):
    folder = tmp_path / "junk"
    folder.mkdir()
    shutil.copy(bad_midi_files["garbage"], folder / "a.mid")
    out = tmp_path / "data"
    code = main(["dataset", "build", "--from-midi", str(folder), "--out", str(out)])
    assert code == 2
    assert "No usable pieces" in capsys.readouterr().err
    assert not out.exists()


def test_an_empty_folder_says_so(tmp_path, capsys):
    code = main(["dataset", "build", "--from-midi", str(tmp_path), "--out", str(tmp_path / "d")])
    assert code == 2 and "no MIDI files" in capsys.readouterr().err


def test_chorale_build_from_the_command_line(tmp_path, capsys):
    code = main(["dataset", "build", "--limit", "3", "--out", str(tmp_path / "d")])
    assert code == 0
    assert "pieces" in capsys.readouterr().out
    assert sum(read_manifest(tmp_path / "d")["counts"].values()) == 3
