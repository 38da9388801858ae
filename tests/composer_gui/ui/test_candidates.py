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
