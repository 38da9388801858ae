"""The chorales in other meters: compound time by re-timing, other simple meters by re-barring.

The Bach chorales in music21 are in 4/4 and 3/4 (a few in other simple meters). A model
that accompanies 6/8 must see 6/8, so each chorale also yields copies in the meters the
app accompanies, made by three musical operations:

- ``to_compound``: every quarter-note beat becomes a dotted-quarter beat (4/4 → 12/8,
  3/4 → 9/8). The beat's four sixteenths map onto the dotted quarter's six as a
  musician would swing them: on the beat → on the beat, the second sixteenth → the
  second eighth, the off-beat eighth → the third eighth, the last sixteenth → the last
  sixteenth. A quarter stays a beat (now dotted), two eighths become quarter + eighth.
- ``rebar``: the same notes barred in a meter of the same beat (4/4 → 2/4, 12/8 → 6/8,
  9/8 → 3/8); the pickup is measured in the new bar.
- ``augment``: every duration doubled (3/4 → 3/2, 6/8 → 6/4, 4/4 → 4/2 barred as 2/2), as
  Bach's own 3/2 and cut-time chorales are notated.

Cut time is the 4/4 chorale augmented, not re-barred: re-barred, a 2/2 bar is a 4/4 bar
with Bach's harmony moving on every quarter, so it changed on the half note's second
quarter as often as on the beat (0.87 a beat, docs/meters.md) and taught 2/2 as 4/4.
Augmented, each quarter becomes a half, so the harmony per half note is Bach's per beat.

The copies share the chorale's group, so a held-out chorale is held out in every meter.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from models.build_dataset import Piece
from models.pianoroll import Meter

# Where each sixteenth of a quarter beat lands in a dotted-quarter beat (six sixteenths).
COMPOUND_STEP = (0, 2, 4, 5)


def _stretch(voices: np.ndarray, onsets: np.ndarray, source: np.ndarray):
    """New voices where new step j holds old step ``source[j]``; onsets only where a new
    step is the first to take its old step."""
    new_voices = voices[:, source]
    first = np.ones(source.shape[0], dtype=bool)
    first[1:] = source[1:] != source[:-1]
    new_onsets = onsets[:, source] & first[None, :]
    return new_voices.astype(np.int8), new_onsets


def to_compound(piece: Piece) -> Piece:
    """A quarter-beat piece (2/4, 3/4, 4/4) re-timed into dotted-quarter beats."""
    meter = piece.meter
    if meter.denominator != 4 or meter.compound:
        raise ValueError(f"to_compound takes a quarter-note meter, not {meter}")
    n_beats = -(-piece.n_steps // 4)
    starts = np.array(COMPOUND_STEP)
    # Old step for each new step: the last old sixteenth whose mapped start is at or before it.
    in_beat = np.searchsorted(starts, np.arange(6), side="right") - 1  # (6,) → 0,0,1,1,2,3
    source = (np.arange(n_beats)[:, None] * 4 + in_beat[None, :]).reshape(-1)
    source = np.minimum(source, piece.n_steps - 1)
    voices, onsets = _stretch(piece.voices, piece.onsets, source)
    phase = 6 * (piece.bar_phase // 4) + COMPOUND_STEP[piece.bar_phase % 4]
    return Piece(
        f"{piece.name}@{meter.numerator * 3}-8",
        voices,
        onsets,
        Meter(meter.numerator * 3, 8),
        phase,
        piece.group,
    )


def rebar(piece: Piece, meter: Meter) -> Piece:
    """The same steps in another meter whose bar divides (or equals) the old bar."""
    if piece.meter.bar_steps % meter.bar_steps:
        raise ValueError(f"{piece.meter} does not divide into bars of {meter}")
    return Piece(
        f"{piece.name.split('@')[0]}@{meter.numerator}-{meter.denominator}",
        piece.voices,
        piece.onsets,
        meter,
        piece.bar_phase % meter.bar_steps,
        piece.group,
    )


def augment(piece: Piece) -> Piece:
    """Every duration doubled, the lower number halved (3/4 → 3/2, 6/8 → 6/4, 4/4 → 4/2)."""
    meter = Meter(piece.meter.numerator, piece.meter.denominator // 2)
    source = np.arange(2 * piece.n_steps) // 2
    voices, onsets = _stretch(piece.voices, piece.onsets, source)
    return Piece(
        f"{piece.name.split('@')[0]}@{meter.numerator}-{meter.denominator}",
        voices,
        onsets,
        meter,
        2 * piece.bar_phase,
        piece.group,
    )


def meter_variants(piece: Piece) -> list[Piece]:
    """The chorale's copies in the other accompanied meters (not the chorale itself)."""
    signature = piece.meter.signature
    if signature == (4, 4):
        compound = to_compound(piece)  # 12/8
        six_eight = rebar(compound, Meter(6, 8))
        return [
            compound,
            six_eight,
            augment(six_eight),  # 6/4
            rebar(piece, Meter(2, 4)),
            rebar(augment(piece), Meter(2, 2)),  # 4/2 barred as 2/2: a half per quarter
        ]
    if signature == (3, 4):
        compound = to_compound(piece)  # 9/8
        return [compound, rebar(compound, Meter(3, 8)), augment(piece)]  # 3/8, 3/2
    return []


def with_meter_variants(pieces: Iterable[Piece]) -> list[Piece]:
    """Each piece followed by its meter variants."""
    out: list[Piece] = []
    for piece in pieces:
        out.append(piece)
        out.extend(meter_variants(piece))
    return out
