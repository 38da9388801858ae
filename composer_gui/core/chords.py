"""Chord symbols of a candidate: what its band or choir plays, beat by beat or bar by bar.

The naming is ``models.chord_symbols``'s; this module only feeds it a candidate's notes
and turns its steps into beats, so the engine, the app's chord lane, ``accompany``'s
table and JSON and the exported file's markers all show the same symbols.

What is named: every pitched track but the melody (drums never), so a melody's passing
notes do not rename the band's chord; a model with no chords track (the chorale's three
voices) adds the melody, since alto, tenor and bass alone leave the soprano's chord tone
out. How often: the style's harmonic rhythm (``harmonic_rhythm`` of the card's style
entry, else of the card, else of the shipped band style of that name in
``models.band_styles``), else a chord a beat for voices and a half bar for a band.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from composer_gui.core.arrangement import Arrangement
from models.pianoroll import STEPS_PER_BEAT
from models.tracks import TrackSpec


def harmonic_rhythm(card: dict, style: str, tracks: Sequence[TrackSpec]) -> str:
    """ "beat", "half bar" or "bar": how often the style's chords change."""
    for entry in card.get("styles", []):
        if isinstance(entry, dict) and entry.get("name") == style and entry.get("harmonic_rhythm"):
            return str(entry["harmonic_rhythm"])
    if card.get("harmonic_rhythm"):
        return str(card["harmonic_rhythm"])
    from models.band_styles import style_named

    try:
        return style_named(style).harmonic_rhythm  # a shipped band style's own
    except ValueError:
        pass
    return "half bar" if any(t.kind == "chords" for t in tracks) else "beat"


def candidate_chords(
    arrangement: Arrangement, tracks: Sequence[TrackSpec], card: dict, style: str = ""
) -> list[tuple[float, str]]:
    """``[(beat, symbol), ...]`` for a candidate (melody first, then one part per track
    of ``tracks``), a symbol where the harmony changes, from beat 0 to its last bar."""
    from models.chord_symbols import chord_symbols_of_pitches

    named = [part for part, spec in zip(arrangement.tracks[1:], tracks) if not spec.is_drums]
    if not any(spec.kind == "chords" for spec in tracks):
        named.append(arrangement.tracks[0])
    n_steps = round(arrangement.end_of_bars(arrangement.bar_count()) * STEPS_PER_BEAT)
    if n_steps <= 0:
        return []
    sounding = np.zeros((n_steps, 128), dtype=bool)  # (step, MIDI pitch)
    for part in named:
        for note in part.notes:
            start = round(note.start_beat * STEPS_PER_BEAT)
            end = max(start + 1, round(note.end_beat * STEPS_PER_BEAT))
            sounding[max(start, 0) : min(end, n_steps), note.pitch] = True
    meters = [(round(beat * STEPS_PER_BEAT), meter) for beat, meter in arrangement.meter_map()]
    per = harmonic_rhythm(card, style, tracks)
    symbols = chord_symbols_of_pitches(sounding, meters, 0, per)
    return [(step / STEPS_PER_BEAT, symbol) for step, symbol in symbols]
