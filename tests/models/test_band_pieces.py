"""The band data contract: any list of track kinds round-trips through a dataset folder."""

import numpy as np
import pytest

from models.band_pieces import BandPiece, is_band_dataset, load_band_split, write_band_dataset
from models.build_dataset import REST, SPLITS, BuildReport
from models.errors import DatasetError
from models.pianoroll import Meter
from models.tracks import CHORALE_TRACKS, DRUM_KIT, TrackSpec, kit_row, tracks_from_card

BAND = (
    TrackSpec("bass", "bass", 28, 60, 33),
    TrackSpec("piano", "chords", 40, 84, 0),
    TrackSpec("drums", "drums"),
)


def _piece(i: int, n: int = 32) -> BandPiece:
    rng = np.random.default_rng(i)
    melody = rng.integers(-1, 40, n).astype(np.int8)
    sounding = [rng.random((n, t.n_rows)) < 0.1 for t in BAND]
    onsets = [s & (rng.random(s.shape) < 0.5) for s in sounding]
    onsets[2] = sounding[2]
    return BandPiece(f"p{i}", melody, melody != REST, sounding, onsets, Meter(3, 4), 2, style=i % 2)


def test_round_trip_keeps_every_track(tmp_path):
    pieces = [_piece(i) for i in range(30)]
    manifest = write_band_dataset(
        pieces,
        BAND,
        ("rock", "waltz"),
        tmp_path / "d",
        "test",
        BuildReport([], [("bad.mid", "5/4")]),
    )
    assert is_band_dataset(tmp_path / "d")
    assert manifest["skipped"] == [{"name": "bad.mid", "reason": "5/4"}]
    back = {p.name: p for s in SPLITS for p in load_band_split(tmp_path / "d", s).pieces()}
    assert sorted(back) == sorted(p.name for p in pieces)
    for p in pieces:
        q = back[p.name]
        assert np.array_equal(q.melody, p.melody) and q.meter == Meter(3, 4)
        assert q.bar_phase == 2 and q.style == p.style
        for a, b in zip(p.sounding + p.onsets, q.sounding + q.onsets, strict=True):
            assert np.array_equal(a, b)


def test_wrong_shape_refused(tmp_path):
    piece = _piece(0)
    piece.sounding[1] = piece.sounding[1][:, :3]
    with pytest.raises(DatasetError, match="piano"):
        write_band_dataset([piece], BAND, ("rock",), tmp_path / "d", "t", BuildReport())


def test_kinds_and_kit():
    assert BAND[1].n_outputs == 2 * 45 and BAND[0].n_outputs == 34
    assert BAND[2].n_rows == len(DRUM_KIT) and BAND[2].channel == 9
    assert kit_row(35) == kit_row(36) == 0 and kit_row(20) is None
    assert BAND[2].row_pitch(BAND[2].pitch_row(42)) == 42
    assert tracks_from_card({}) == CHORALE_TRACKS
    assert tracks_from_card({"tracks": [t.to_dict() for t in BAND]}) == BAND
    with pytest.raises(ValueError):
        TrackSpec("x", "tuba")
