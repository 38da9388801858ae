"""What the band's own data scores on the measures ``bench_band_styles`` judges the model by.

The band data is the chorales' soprano over real harmony rendered in MMA's grooves, so
its PCS and CTnCTR say what a real band part scores against its melody, beside what
Bach's own alto, tenor and bass score (``bench_corpus.bach_row``).  The model's figures
are read against both: a band part sounds more pitch classes at once than three voices
(a chord and a pad over a bass), which lowers PCS by how PCS counts (every melody-chord
pair), whoever wrote it.  Judged only; nothing here feeds the model.
"""

from __future__ import annotations

import math

import numpy as np

from models import harmony_measures as hm
from models.pianoroll import LOWEST_PITCH
from models.track_metrics import track_kind_metrics


def piece_texture(piece, tracks) -> hm.Texture:
    """A band piece as a texture: its melody over its pitched tracks (drums left out)."""
    melody = np.where(piece.melody >= 0, piece.melody.astype(np.int64) + LOWEST_PITCH, hm.REST)
    pitched = [(t, s) for t, s in zip(tracks, piece.sounding) if not t.is_drums]
    roll = np.zeros((len(pitched), piece.n_steps, hm.N_MIDI), dtype=bool)
    for i, (track, sounding) in enumerate(pitched):
        steps, rows = np.nonzero(sounding)
        roll[i, steps, [track.row_pitch(r) for r in rows]] = True
    offsets = np.arange(piece.n_steps) + int(piece.bar_phase)
    beat = piece.meter.beat_steps[0]
    return hm.Texture(melody, roll, offsets % beat == 0, offsets % piece.meter.bar_steps == 0)


def band_data_rows(data, signatures: list[tuple[int, int]]) -> list[dict]:
    """Per style and meter of a band split: mean PCS and CTnCTR of its real parts, and
    each track's share of empty bars (``models.track_metrics``, bars from the roll's
    start)."""
    found: dict[tuple[str, tuple[int, int]], list[tuple[float, float]]] = {}
    for i in range(len(data)):
        signature = tuple(int(v) for v in data.meters[i])
        if signature not in signatures:
            continue
        piece = data.piece(i)
        texture = piece_texture(piece, data.tracks)
        key = (data.styles[int(piece.style)], signature)
        empty = {
            t.name: track_kind_metrics(s, o, t, piece.meter.bar_steps)["empty_bars"]
            for t, s, o in zip(data.tracks, piece.sounding, piece.onsets)
        }
        found.setdefault(key, []).append((hm.pcs(texture), hm.ctnctr(texture), empty))
    rows = []
    for (style, signature), values in sorted(found.items()):
        pcs = [p for p, _, _ in values if not math.isnan(p)]
        ctnctr = [c for _, c, _ in values if not math.isnan(c)]
        names = values[0][2]
        rows.append(
            {
                "style": style,
                "meter": f"{signature[0]}/{signature[1]}",
                "pieces": len(values),
                "pcs": float(np.mean(pcs)) if pcs else math.nan,
                "ctnctr": float(np.mean(ctnctr)) if ctnctr else math.nan,
                "empty_bars": {n: float(np.mean([v[2][n] for v in values])) for n in names},
            }
        )
    return rows
