"""The MMA band dataset from real chorale harmony: the chart is the chorale's chords, the
band follows them, the melody is the soprano, and the dataset loads with its styles."""

from __future__ import annotations

import json

import numpy as np
import pytest

from models.band_pieces import is_band_dataset, load_band_split
from models.band_styles import STYLE_NAMES, style_named
from models.build_band_dataset import (
    build_band_mma,
    chorale_harmony,
    key_fifths,
    renderings,
    style_chords,
)
from models.build_dataset import REST, chorale_paths, read_chorale
from models.chord_symbols import chord_tones
from models.mma_render import mma_available
from models.pianoroll import Meter
from models.retime import to_compound
from tests.support.real_parts import require


@pytest.fixture(autouse=True)
def _mma_installed():
    require(mma_available(), "MMA (mma)")


def _chorale(stem: str):
    return read_chorale(next(p for p in chorale_paths() if p.stem == stem))


def test_the_chart_is_the_chorales_own_harmony():
    piece = _chorale("bwv66.6")  # F sharp minor: three sharps, a one-beat pickup
    assert key_fifths(piece) == 3
    harmony = chorale_harmony(piece)
    assert piece.bar_phase == 12 and harmony.n_steps % 16 == 0
    assert harmony.melody[:12].tolist() == [REST] * 12 and harmony.melody[12] != REST
    # The pickup's rests are filled with its chord, the first bar with the chorale's own.
    assert [s for _, s in harmony.beats[:8]] == ["A", "A", "A", "A", "F#m", "E/G#", "A", "E/G#"]
    per_bar = style_chords(harmony, style_named("pop ballad"), Meter(4, 4))
    assert all(step % 16 == 0 for step, _ in per_bar)
    half = style_chords(harmony, style_named("rock"), Meter(4, 4))
    assert all(step % 8 == 0 for step, _ in half) and len(half) > len(per_bar)


def _downbeat_bass_share(notes, chords, bar_steps):
    steps = [s for s, _ in chords]
    on_chord = total = 0
    for start, _, pitch in notes["bass"]:
        if start % bar_steps == 0:
            symbol = chords[int(np.searchsorted(steps, start, side="right")) - 1][1]
            total += 1
            on_chord += pitch % 12 in chord_tones(symbol)
    return on_chord / total


@pytest.mark.parametrize(("stem", "name"), [("bwv10.7", "rock"), ("bwv122.6", "waltz")])
def test_the_band_follows_the_chorales_chords(stem, name):
    piece, style = _chorale(stem), style_named(name)
    harmony = chorale_harmony(piece)
    rendered = renderings(harmony, style)
    assert [m.signature for m, _ in rendered] == [
        s for s in (piece.meter.signature, (2, 4)) if style.plays(Meter(*s))
    ]
    meter, notes = rendered[0]
    bar = meter.bar_steps
    n_bars = harmony.n_steps // bar
    for track in ("drums", "bass", "chords", "pad"):
        assert {s // bar for s, _, _ in notes[track]} == set(range(n_bars)), track
    assert _downbeat_bass_share(notes, style_chords(harmony, style, meter), bar) >= 0.85


def test_a_chorale_in_six_eight_is_its_compound_re_timing():
    piece, style = _chorale("bwv10.7"), style_named("pop ballad")
    harmony = chorale_harmony(to_compound(piece))
    ((meter, notes),) = renderings(harmony, style)
    assert meter.signature == (6, 8)
    n_bars = harmony.n_steps // 12
    for track in ("drums", "bass", "chords"):
        assert {s // 12 for s, _, _ in notes[track]} == set(range(n_bars)), track
    assert "pad" not in notes  # Ballad68 has no arpeggio
    assert {s % 6 for s, _, _ in notes["chords"]} <= {0, 2, 4}  # on the eighths of 6/8
    assert _downbeat_bass_share(notes, style_chords(harmony, style, meter), 12) >= 0.85


def test_a_small_build_writes_a_band_dataset_split_by_chorale(tmp_path):
    manifest, report = build_band_mma(tmp_path / "band", limit=3)
    assert is_band_dataset(tmp_path / "band")
    assert manifest["styles"] == list(STYLE_NAMES)
    assert [t["name"] for t in manifest["tracks"]] == ["drums", "bass", "chords", "pad"]
    assert "MMA" in manifest["source"] and "public domain" in manifest["licence"]
    assert "GPL-2+" in manifest["licence"] and "BSD" in manifest["licence"]
    written = json.loads((tmp_path / "band" / "manifest.json").read_text())
    assert written["counts"] == manifest["counts"]
    groups: dict[str, set[str]] = {}
    total = 0
    for split in ("train", "valid", "test"):
        data = load_band_split(tmp_path / "band", split)
        total += len(data)
        for i, name in enumerate(data.names):
            groups.setdefault(name.split("@")[0], set()).add(split)
            piece = data.piece(i)
            assert STYLE_NAMES[piece.style] == name.split("@")[1]
            assert (piece.melody != REST).any()
            for spec, held in zip(data.tracks, piece.sounding, strict=True):
                if spec.is_drums:
                    assert held.any(axis=1).reshape(-1, piece.meter.bar_steps).any(axis=1).all()
    # Three 4/4 chorales in five styles, each in 4/4 and 2/4, and the ballad in 6/8.
    assert total == 3 * (5 * 2 + 1)
    assert all(len(splits) == 1 for splits in groups.values())
