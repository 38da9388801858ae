"""Chord symbols of a candidate: what its band or choir plays, beat by beat or bar by bar.

The naming is ``models.chord_symbols`` (issue 17d); this module only feeds it a
candidate's tracks and turns its steps into beats, so the engine, the app's chord lane,
``accompany``'s table and JSON and the exported file's markers all show the same symbols.
"""

from __future__ import annotations

from collections.abc import Sequence

from composer_gui.core.arrangement import Arrangement
from models.tracks import TrackSpec


def candidate_chords(
    arrangement: Arrangement, tracks: Sequence[TrackSpec], card: dict
) -> list[tuple[float, str]]:
    """``[(beat, symbol), ...]`` for a candidate (melody first, then ``tracks``), each
    symbol where the harmony changes; empty until ``models.chord_symbols`` exists."""
    try:
        from models.chord_symbols import chord_symbols  # noqa: F401
    except ImportError:  # TODO(issue 17d): lands with the chord namer
        return []
    return []
