"""Metrics per track kind, on rolls whose values are known."""

import numpy as np

from models.track_metrics import candidate_metrics, compare_to_data, track_kind_metrics
from tests.support.band_data import TOY_TRACKS, toy_piece


def test_each_kind_gets_its_metrics_with_the_values_the_parts_have():
    piece = toy_piece(0)  # 4/4: bass on every beat, a triad a bar, kick-snare-hat
    tracks = list(zip(piece.sounding, piece.onsets))
    table = candidate_metrics([tracks], TOY_TRACKS, 16)
    bass, piano, drums = table["bass"], table["piano"], table["drums"]
    assert bass["notes_per_bar"] == 4 and bass["pitch_classes_per_bar"] == 1
    assert bass["empty_bars"] == 0
    assert piano["notes_per_chord"] == 3 and piano["pitch_classes_per_bar"] == 3
    assert piano["notes_per_bar"] == 3 and "hits_per_bar_kick" not in piano
    assert drums["bars_with_drums"] == 1 and drums["hits_per_bar_kick"] == 2
    assert drums["hits_per_bar_snare"] == 2 and drums["hits_per_bar_hihat"] == 8
    assert drums["hits_per_bar_toms"] == 0 and "pitch_classes_per_bar" not in drums


def test_silence_is_measured_as_silence():
    silent = np.zeros((32, TOY_TRACKS[2].n_rows), bool)
    m = track_kind_metrics(silent, silent, TOY_TRACKS[2], 16)
    assert m["empty_bars"] == 1 and m["bars_with_drums"] == 0 and np.isnan(m["notes_per_bar"])


def test_compare_puts_model_beside_data():
    both = compare_to_data({"bass": {"empty_bars": 0.5}}, {"bass": {"empty_bars": 0.0}})
    assert both == {"bass": {"empty_bars": {"model": 0.5, "data": 0.0}}}
