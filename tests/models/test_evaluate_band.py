"""`composer-gui evaluate` on a band model: per track kind, against its dataset's tracks."""

from __future__ import annotations

import json

import pytest

from composer_gui.cli import main
from tests.support.band_data import TOY_STYLES, TOY_TRACKS, write_toy_band_dataset
from tests.support.band_model import write_band_model


@pytest.fixture(scope="module")
def toy_band(tmp_path_factory):
    """A toy band dataset and a random-weight model shaped like it (its tracks, styles)."""
    root = tmp_path_factory.mktemp("band-eval")
    data = write_toy_band_dataset(root / "data", n_pieces=24)
    model = write_band_model(root / "toy-band", tracks=TOY_TRACKS, styles=TOY_STYLES)
    return model, data


def test_evaluate_measures_a_band_model_per_track_and_updates_its_card(toy_band, tmp_path, capsys):
    model, data = toy_band
    out = tmp_path / "band.json"
    args = ["evaluate", "--model", str(model), "--data", str(data), "--split", "test"]
    code = main([*args, "--candidates", "2", "--bars", "4", "--out", str(out), "--update-card"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    saved = json.loads(out.read_text())
    assert saved["kind"] == "band" and saved["tracks"] == ["bass", "piano", "drums"]
    assert saved["table"]  # one entry per meter the split has
    for rows in saved["table"].values():
        assert {"bass", "piano", "drums"} <= set(rows)
        assert {"notes_per_chord", "pitch_classes_per_bar"} <= set(rows["piano"])
        assert "hits_per_bar_kick" in rows["drums"] and "notes_per_chord" not in rows["drums"]
        # The data's own figures are the toy progressions': the bass on every beat, one
        # triad a bar, so they are known without the model.
        assert rows["piano"]["notes_per_chord"]["data"] == pytest.approx(3.0)
        assert rows["drums"]["bars_with_drums"]["data"] == pytest.approx(1.0)
        assert rows["band"]["bass_on_chord_tone_downbeats"]["data"] == pytest.approx(1.0)
    assert "piano" in printed.out and "notes_per_chord" in printed.out
    assert 0 <= saved["candidate_median_among_real"] <= 100

    card = json.loads(model.with_suffix(".json").read_text())
    assert card["calibration"]["split"] == "valid"
    assert len(card["calibration"]["quantiles"]) == 101
    assert card["metrics"]["test"]["table"] == saved["table"]


def test_a_band_model_on_the_wrong_data_is_one_sentence(toy_band, band_model, tmp_path, capsys):
    model, data = toy_band
    # The tiny band model's piano and styles are not the toy data's.
    code = main(["evaluate", "--model", str(band_model), "--data", str(data)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "tracks" in err
    code = main(["evaluate", "--model", str(model), "--data", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "band dataset" in err and "dataset build --band" in err
