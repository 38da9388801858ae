"""A small band dataset with real structure, for training tests (no MMA needed).

Each piece is a chord progression of triads a bar each: the melody plays chord tones,
the bass the root on every beat, the piano the triad struck on the downbeat and held,
the drums kick and snare on alternate beats and a closed hi-hat on every eighth. Two
styles differ in meter (4/4 "pop", 3/4 "waltz"), so style conditioning has something
to learn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.band_pieces import BandPiece, write_band_dataset
from models.build_dataset import REST, BuildReport
from models.pianoroll import LOWEST_PITCH, Meter
from models.tracks import TrackSpec, kit_row

TOY_TRACKS = (
    TrackSpec("bass", "bass", 28, 52, 33),
    TrackSpec("piano", "chords", 48, 84, 0),
    TrackSpec("drums", "drums"),
)
TOY_STYLES = ("pop", "waltz")
_TRIADS = ((0, 4, 7), (5, 9, 12), (7, 11, 14), (9, 12, 16))  # I IV V vi in C


def toy_piece(i: int, bars: int = 8) -> BandPiece:
    rng = np.random.default_rng(i)
    style = i % 2
    meter = Meter(4, 4) if style == 0 else Meter(3, 4)
    bar, beat = meter.bar_steps, 4
    n = bars * bar
    key = int(rng.integers(0, 5))
    melody = np.full(n, REST, dtype=np.int8)
    sounding = [np.zeros((n, t.n_rows), bool) for t in TOY_TRACKS]
    onsets = [np.zeros((n, t.n_rows), bool) for t in TOY_TRACKS]
    bass, piano, drums = TOY_TRACKS
    for b in range(bars):
        triad = _TRIADS[int(rng.integers(0, len(_TRIADS)))]
        a = b * bar
        for step in range(a, a + bar, 2):  # melody: chord tones in eighths
            melody[step : step + 2] = 60 + key + int(rng.choice(triad)) - LOWEST_PITCH
        for step in range(a, a + bar, beat):
            row = bass.pitch_row(36 + key + triad[0])
            sounding[0][step : step + beat, row] = True
            onsets[0][step, row] = True
        rows = [piano.pitch_row(60 + key + d) for d in triad]
        sounding[1][a : a + bar, rows] = True
        onsets[1][a, rows] = True
        for k, step in enumerate(range(a, a + bar, beat)):
            onsets[2][step, kit_row(36 if k % 2 == 0 else 38)] = True
        for step in range(a, a + bar, 2):
            onsets[2][step, kit_row(42)] = True
    sounding[2] = onsets[2].copy()
    melody_onsets = np.zeros(n, bool)
    melody_onsets[::2] = True
    return BandPiece(f"toy{i}", melody, melody_onsets, sounding, onsets, meter, 0, style=style)


def write_toy_band_dataset(out: Path, n_pieces: int = 60) -> Path:
    write_band_dataset(
        [toy_piece(i) for i in range(n_pieces)],
        TOY_TRACKS,
        TOY_STYLES,
        out,
        "toy progressions (tests/support/band_data.py)",
        BuildReport(),
        licence="MIT (written for the tests)",
    )
    return out
