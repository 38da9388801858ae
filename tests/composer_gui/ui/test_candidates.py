"""The candidate list speaks a musician's words; the research names stay in the JSON."""

from __future__ import annotations

import json

import numpy as np

from composer_gui.core.arrangement import Arrangement, Track
from composer_gui.core.candidate import Candidate
from composer_gui.ui.candidates import CandidatesPanel
from models.metrics import piece_metrics

JARGON = ("qualified", "tonal", "polyphony", "pitch class", "ratio", "_", "alto/")


def candidate_with_real_metrics():
    roll = np.zeros((4, 64, 64), dtype=bool)  # (track, step, pitch): melody, alto, tenor, bass
    roll[0, ::4, 40] = True
    roll[1, :, 36] = True
    roll[2, ::2, 31] = True
    roll[3, :32, 24] = True
    [metrics] = piece_metrics([roll], 16)
    return Candidate(Arrangement([Track("melody", [])]), 1, -9.1, 42.0, metrics)


def test_the_tooltip_and_columns_say_no_metric_jargon(qtbot):
    panel = CandidatesPanel()
    qtbot.addWidget(panel)
    candidate = candidate_with_real_metrics()
    assert "alto/qualified_note_rate" in candidate.metrics  # what the engine reports
    panel.set_generations([[candidate]])
    item = panel.tree.topLevelItem(0)
    tooltip = item.toolTip(1)
    headers = [panel.tree.headerItem().text(c) for c in range(panel.tree.columnCount())]
    for said in [tooltip, *headers]:
        for word in JARGON:
            assert word not in said.lower(), (word, said)
    assert "Held notes:" in tooltip and "Harmony gap:" in tooltip
    assert "Alto: in key" in tooltip and "Bass: " in tooltip


def test_accompany_table_is_in_words_and_json_keeps_the_metric_names(tiny_model, tmp_path, capsys):
    from composer_gui.cli import main
    from composer_gui.paths import resource_path

    sample = resource_path("melodies", "ode_to_joy.mid")
    args = ["accompany", str(sample), "-o", str(tmp_path / "o.mid"), "--model", str(tiny_model)]
    assert main([*args, "--candidates", "2", "--seed", "3"]) == 0
    table = capsys.readouterr().out
    assert "Held notes" in table and "Harmony gap" in table
    assert "qualified" not in table.lower() and "tonal" not in table.lower()

    assert main([*args, "--candidates", "2", "--seed", "3", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)["candidates"][0]["metrics"]
    assert {"qualified_note_rate", "tonal_distance", "in_key_ratio"} <= set(metrics)


def test_a_band_candidate_shows_its_score_whole_and_its_tracks_in_words(qtbot):
    """A band's measures are per track ("drums.empty_bars"): as columns they read
    "Drums.empty bars" and squeezed the score to "Sc"; they belong in the tooltip, in
    words, and the score is among the style's own renderings, not Bach's."""
    from composer_gui.core.band_take import band_metrics
    from tests.support.band_model import BAND

    parts = []
    for track in BAND:
        roll = np.zeros((64, track.n_rows), dtype=bool)
        roll[::4, 0] = True
        parts.append((roll, roll))
    metrics = band_metrics(parts, BAND, 16)
    assert "drums.empty_bars" in metrics  # what the engine reports
    candidate = Candidate(Arrangement([Track("melody", [])]), 1, -2.0, 61.0, metrics)
    candidate.style = "swing"
    panel = CandidatesPanel()
    qtbot.addWidget(panel)
    panel.resize(380, 300)
    panel.show()
    panel.set_generations([[candidate]])
    headers = [panel.tree.headerItem().text(c) for c in range(panel.tree.columnCount())]
    assert headers == ["#", "Score"]
    qtbot.wait(20)
    assert panel.tree.header().sectionSize(1) >= panel.tree.fontMetrics().horizontalAdvance("Score")
    tooltip = panel.tree.topLevelItem(0).toolTip(1)
    assert "swing style's real accompaniments" in tooltip and "Bach" not in tooltip
    for word in ("_", "drums.", "bass."):
        assert word not in tooltip.lower(), (word, tooltip)
    assert "Drums: silent bars 0%" in tooltip and "kick hits a bar" in tooltip
    assert "Piano: " in tooltip and "chord size 1.0" in tooltip
    assert "swing style" in panel.tree.headerItem().toolTip(1)


def test_the_columns_are_measures_on_which_the_candidates_differ(qtbot):
    """In key and silent bars read 100% and 0% on every row of a chorale take (the
    retaken screenshot 03): columns that set nothing apart give way to ones that do."""
    from dataclasses import replace

    panel = CandidatesPanel()
    qtbot.addWidget(panel)
    first = candidate_with_real_metrics()
    metrics = dict(first.metrics)
    assert {"in_key_ratio", "empty_bar_rate", "tonal_distance"} <= set(metrics)
    takes = []
    for rank, gap in enumerate((0.1, 0.3, 0.5), start=1):
        takes.append(replace(first, rank=rank, metrics=metrics | {"tonal_distance": gap}))
    panel.set_generations([takes])
    headers = [panel.tree.headerItem().text(c) for c in range(panel.tree.columnCount())]
    assert "Harmony gap" in headers and len(headers) == 4
    column = headers.index("Harmony gap")
    shown = [panel.tree.topLevelItem(i).text(column) for i in range(3)]
    assert shown == ["0.10", "0.30", "0.50"]
    panel.set_generations([[first]])  # one candidate: nothing to compare, the usual two
    headers = [panel.tree.headerItem().text(c) for c in range(panel.tree.columnCount())]
    assert headers[2:] == ["In key", "Silent bars"]


def test_the_score_header_says_what_the_number_is_among(qtbot):
    """Among the model's own candidates where the card has them (the engine then gives
    the real share beside it), else among real music: a band card calibrated before
    that used to be described as "own candidates" in the header."""
    panel = CandidatesPanel()
    qtbot.addWidget(panel)
    old_card = Candidate(Arrangement([Track("melody", [])]), 1, -2.0, 61.0, {}, style="rock")
    panel.set_generations([[old_card]])
    header = panel.tree.headerItem().toolTip(1)
    assert "the rock style's real accompaniments" in header and "own candidates" not in header
    new_card = Candidate(
        Arrangement([Track("melody", [])]), 1, -2.0, 61.0, {}, style="rock", real_share=12.0
    )
    panel.add_generation([new_card])
    header = panel.tree.headerItem().toolTip(1)
    assert "own candidates for the rock style's held-out melodies" in header

    empty = CandidatesPanel()  # no take: the chosen style's card says it
    qtbot.addWidget(empty)
    empty.describe_scores("pop", among_own=False)
    assert "the pop style's real accompaniments" in empty.tree.headerItem().toolTip(1)
    empty.describe_scores("chorale", among_own=True)
    assert "own candidates for held-out chorale" in empty.tree.headerItem().toolTip(1)


def test_the_score_header_before_a_take_names_a_train_calibrated_cards_songs(qtbot, tmp_path):
    """A musician's model calibrated on its training songs (none held out): before any
    take the Score header reads that from the card, as a take's candidates do."""
    from composer_gui.ui.window_settings import score_meaning

    card = tmp_path / "songs.json"
    card.write_text('{"calibration": {"split": "train", "ranked_candidate_quantiles": [0, 1]}}')
    style = type("Style", (), {"model_path": tmp_path / "songs.safetensors"})()
    assert score_meaning(style) == (True, "train")
    empty = CandidatesPanel()
    qtbot.addWidget(empty)
    empty.describe_scores("songs", *score_meaning(style))
    header = empty.tree.headerItem().toolTip(1)
    assert "held-out" not in header and "training melodies" in header
