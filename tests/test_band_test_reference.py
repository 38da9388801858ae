"""The like-for-like yardstick's reference file holds the band piece's own notes
(``benchmarks/band_test_reference.py``): what it judges is MMA's real parts."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from tests.support.band_data import TOY_TRACKS, toy_piece

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import band_test_reference as btr  # noqa: E402
import bench_band_styles as bbs  # noqa: E402
import corpus_tunes as ct  # noqa: E402


def test_the_real_parts_file_is_the_piece_note_for_note(tmp_path):
    piece = toy_piece(1)  # 3/4, a bass on every beat, a triad a bar, kick, snare, hi-hat
    piece.melody[:12] = -1  # a silent first bar: the engine would start at the second
    trimmed = btr.from_first_bar(piece)
    assert trimmed.n_steps == piece.n_steps - 12
    tune = btr.piece_tune(trimmed, "toy1")
    path = tmp_path / "real.mid"
    btr.write_real_parts(trimmed, TOY_TRACKS, tune, path)
    back = ct.read_midi(path)
    assert back.signatures == [(0.0, 3, 4)]
    assert sorted(back.tracks[0][1]) == tune.notes  # the melody first, as the engine writes
    pitched = dict(back.tracks[1:])
    bass = TOY_TRACKS[0]
    expected = [
        (s / 4, (s + 4) / 4, bass.row_pitch(int(np.flatnonzero(trimmed.onsets[0][s])[0])))
        for s in range(0, trimmed.n_steps, 4)
    ]
    assert pitched["bass"] == expected
    assert len(pitched["piano"]) == 3 * (trimmed.n_steps // 12)  # a triad a bar
    hits = bbs.read_drums(path)
    assert len(hits) == int(trimmed.onsets[2].sum())
    record = bbs.judge_band(tune, path, ("drums", "bass"), None)
    assert record["melody_kept"] and record["drum_bars"] == 1.0
    assert record["empty_by_track"] == {"drums": 0.0, "bass": 0.0}
