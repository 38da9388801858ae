import json

import numpy as np
import pytest

from models.build_dataset import (
    REST,
    build_chorales,
    chorale_group,
    load_split,
    notes_to_voice,
    read_manifest,
    split_of,
    voices_to_roll,
)
from models.errors import DatasetError
from models.pianoroll import LOWEST_PITCH, N_PITCHES


def test_notes_to_voice_keeps_short_notes_and_repeated_onsets():
    notes = [(0.0, 0.1, 60), (1.0, 1.0, 62), (2.0, 1.0, 62)]
    voice, onsets = notes_to_voice(notes, 16)
    assert voice[0] == 60 - LOWEST_PITCH  # shorter than a step: still one step
    assert voice[1] == REST
    assert list(voice[4:12]) == [62 - LOWEST_PITCH] * 8
    assert onsets[4] and onsets[8]  # the repeated note starts again


def test_notes_to_voice_keeps_the_highest_or_lowest_where_notes_overlap():
    chord = [(0.0, 1.0, 60), (0.0, 1.0, 67)]
    top, _ = notes_to_voice(chord, 4, keep="highest")
    bottom, _ = notes_to_voice(chord, 4, keep="lowest")
    assert set(top) == {67 - LOWEST_PITCH}
    assert set(bottom) == {60 - LOWEST_PITCH}


def test_out_of_range_pitch_is_refused():
    with pytest.raises(DatasetError):
        notes_to_voice([(0.0, 1.0, LOWEST_PITCH + N_PITCHES)], 4)


def test_split_is_by_chorale_and_stable():
    assert chorale_group(__import__("pathlib").Path("bwv112.5-sc.mxl")) == "bwv112.5"
    assert split_of("bwv112.5") == split_of("bwv112.5")
    splits = [split_of(f"bwv{i}.6") for i in range(300)]
    assert 0.7 < splits.count("train") / 300 < 0.9
    assert splits.count("test") > 10 and splits.count("valid") > 10


def test_built_chorales_have_four_voices_a_manifest_and_no_shared_pieces(chorale_data):
    data_dir, manifest, report = chorale_data
    assert sum(manifest["counts"].values()) == 14 - len(report.skipped)
    assert manifest == read_manifest(data_dir)
    names = {}
    for split in ("train", "valid", "test"):
        data = load_split(data_dir, split)
        assert data.voices.shape[0] == 4
        assert len(data) == manifest["counts"][split]
        names[split] = {n.split("-")[0] for n in data.names}
        for piece in data.pieces():
            roll = voices_to_roll(piece.voices)
            assert roll.sum(axis=2).max() <= 1  # one note per voice and step
            assert (roll[0].any(axis=1)).mean() > 0.8  # the soprano sings most of the time
    assert not names["train"] & names["test"]


def test_manifest_hash_changes_with_content(tmp_path):
    a, _ = build_chorales(tmp_path / "a", limit=2)
    b, _ = build_chorales(tmp_path / "b", limit=3)
    assert a["content_hash"] != b["content_hash"]
    c, _ = build_chorales(tmp_path / "a", limit=2)  # rebuilt in place, same content
    assert c["content_hash"] == a["content_hash"]
    assert not list(tmp_path.glob("a.*"))  # no staging folder left behind


def test_a_dataset_for_another_grid_is_refused(chorale_data, tmp_path):
    data_dir = chorale_data[0]
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in data_dir.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["grid"]["n_pitches"] = 128
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DatasetError, match="another grid"):
        load_split(copy, "train")


def test_missing_dataset_says_how_to_build_one(tmp_path):
    with pytest.raises(DatasetError, match="dataset build"):
        load_split(tmp_path, "train")


def test_voices_to_roll_marks_rests_as_silence():
    voices = np.array([[0, REST, 5]], dtype=np.int8)
    roll = voices_to_roll(voices)
    assert roll[0, 0, 0] and not roll[0, 1].any() and roll[0, 2, 5]
