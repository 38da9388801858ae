"""Chord symbols: the name of what sounds (C, Am7, G/B, "N.C."), per beat, half bar or bar.

One naming for everything that shows or writes harmony as a musician reads it: the chord
lane above a candidate, ``accompany``'s table and JSON, the MIDI markers of an export,
and the chord charts the band data is rendered from (``models.mma_render``). A chord is
named by matching the pitch classes that sound, weighted by how long they sound (and more
at the start of the span, where a chord is heard), against the usual chord qualities;
the lowest note names the bass, written after a slash when it is not the root (G/B).
Passing notes weigh little, so a beat with a passing seventh stays a triad.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from models.pianoroll import Meter, bar_starts, meter_positions

if TYPE_CHECKING:
    import numpy as np

    from models.tracks import TrackSpec

NO_CHORD = "N.C."
SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
# Lead-sheet spelling when the key is not known: the accidentals keys most often have.
COMMON_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

# (suffix, intervals above the root), simplest first: on an equal score the simpler wins.
QUALITIES = (
    ("", (0, 4, 7)),
    ("m", (0, 3, 7)),
    ("dim", (0, 3, 6)),
    ("aug", (0, 4, 8)),
    ("sus4", (0, 5, 7)),
    ("sus2", (0, 2, 7)),
    ("7", (0, 4, 7, 10)),
    ("maj7", (0, 4, 7, 11)),
    ("m7", (0, 3, 7, 10)),
    ("6", (0, 4, 7, 9)),
    ("m6", (0, 3, 7, 9)),
    ("m7b5", (0, 3, 6, 10)),
    ("dim7", (0, 3, 6, 9)),
    ("mmaj7", (0, 3, 7, 11)),
    ("7sus4", (0, 5, 7, 10)),
    ("5", (0, 7)),
)
# Score costs, as shares of the span's total weight: a tone the chord names but nobody
# plays, each tone past a triad (so a passing seventh does not make a seventh chord),
# and a root other than the bass (so C6 and Am7, the same notes, follow the bass).
_MISSING_COST = 0.15
_EXTRA_TONE_COST = 0.25
_NOT_BASS_ROOT_COST = 0.04
_POWER_CHORD_COST = 0.1  # a bare fifth only where nothing else fits
RHYTHMS = ("beat", "half bar", "bar")


_LETTERS = "CDEFGAB"
_NATURAL = (0, 2, 4, 5, 7, 9, 11)
_ACCIDENTAL = {0: "", 1: "#", 11: "b"}
# Scale degrees (letters above the root) of each interval, as chord spelling counts them.
_DEGREE = (0, 1, 1, 2, 2, 3, 4, 4, 4, 5, 6, 6)


def _key_names(key_fifths: int) -> dict[int, str]:
    """The seven notes of the major key with ``key_fifths`` sharps (< 0: flats)."""
    sharps, flats = "FCGDAEB"[: max(0, key_fifths)], "BEADGCF"[: max(0, -key_fifths)]
    names = {}
    for letter, natural in zip(_LETTERS, _NATURAL, strict=True):
        shift = 1 if letter in sharps else -1 if letter in flats else 0
        names[(natural + shift) % 12] = letter + _ACCIDENTAL[shift % 12]
    return names


def pitch_name(pitch_class: int, key_fifths: int | None = None) -> str:
    """A pitch class spelt as the key spells it (``key_fifths`` sharps, < 0 flats); a note
    outside the key, or any note where the key is not known, as lead sheets mostly spell
    it (C#, Eb, F#, Ab, Bb)."""
    pitch_class %= 12
    if key_fifths is not None:
        name = _key_names(key_fifths).get(pitch_class)
        if name is not None:
            return name
    return COMMON_NAMES[pitch_class]


def spell_above(root: str, interval: int, key_fifths: int | None = None) -> str:
    """The note ``interval`` semitones above a spelt root, on the letter its degree asks
    (the third of D is F#, not Gb); a double accidental falls back to ``pitch_name``."""
    letter = _LETTERS.index(root[0])
    root_pc = (_NATURAL[letter] + {"#": 1, "b": -1}.get(root[1:], 0)) % 12
    target = (root_pc + interval) % 12
    new_letter = (letter + _DEGREE[interval % 12]) % 7
    accidental = _ACCIDENTAL.get((target - _NATURAL[new_letter]) % 12)
    if accidental is None:
        return pitch_name(target, key_fifths)
    return _LETTERS[new_letter] + accidental


@cache
def _templates():
    """Every (quality, root) a span is matched against, in the order the naming prefers
    on an equal score (simplest quality first, then the lowest root): their tones as a
    ``(n, 12)`` mask and each one's fixed costs, so all spans of a candidate are scored in
    one matrix product rather than chord by chord in Python (the naming was half of a
    generation's time)."""
    import numpy as np

    keys = [(suffix, root) for suffix, _ in QUALITIES for root in range(12)]
    mask = np.zeros((len(keys), 12))
    extra, power = np.zeros(len(keys)), np.zeros(len(keys))
    for row, (suffix, root) in enumerate(keys):
        intervals = dict(QUALITIES)[suffix]
        mask[row, [(root + i) % 12 for i in intervals]] = 1.0
        extra[row] = _EXTRA_TONE_COST * max(0, len(intervals) - 3)
        power[row] = _POWER_CHORD_COST if len(intervals) == 2 else 0.0
    roots = np.array([root for _, root in keys])
    return keys, mask, extra, power, roots


def _scores(weights: np.ndarray, bass: np.ndarray) -> np.ndarray:
    """``(span, template)`` scores of ``(span, 12)`` pitch-class weights over each span's
    bass class: the share of the weight inside the chord less the share outside, less a
    cost per chord tone nobody plays, per tone past a triad, for a bare fifth and for a
    root other than the bass. A template whose root does not sound is -inf."""
    import numpy as np

    _, mask, extra, power, roots = _templates()
    total = weights.sum(axis=1)
    total[total == 0] = 1.0
    inside = weights @ mask.T
    missing = (weights <= 0).astype(float) @ mask.T
    # The same operations in the same order as one chord at a time would make them, so
    # every score (and so every tie) is the same float.
    score = (inside - (total[:, None] - inside)) / total[:, None] - _MISSING_COST * missing
    score = score - extra - power
    score = score - np.where(roots[None, :] != bass[:, None], _NOT_BASS_ROOT_COST, 0.0)
    score[weights[:, roots] <= 0] = -np.inf
    return score


def _best_templates(scores: np.ndarray) -> np.ndarray:
    """The template the naming picks from each span's scores: the first in preference
    order among those within 1e-9 of the best (float noise is no reason to prefer a
    harder chord; real scores differ by far more)."""
    import numpy as np

    top = scores.max(axis=1, keepdims=True)
    return np.argmax(scores >= top - 1e-9, axis=1)


def _symbol(weights: np.ndarray, bass: int, best: int, key_fifths: int | None) -> str:
    sounding = [pc for pc in range(12) if weights[pc] > 0]
    if not sounding:
        return NO_CHORD
    if len(sounding) == 1:
        return pitch_name(sounding[0], key_fifths)
    suffix, root = _templates()[0][best]
    root_name = pitch_name(root, key_fifths)
    symbol = root_name + suffix
    if bass != root:
        symbol += "/" + spell_above(root_name, (bass - root) % 12, key_fifths)
    return symbol


def names_weighted(
    weights: np.ndarray, bass: Sequence[int | None], key_fifths: int | None = None
) -> list[str]:
    """The chord symbol of each row of ``(span, 12)`` pitch-class ``weights`` over its
    ``bass`` class (None: the lowest sounding class).

    The root must be a sounding pitch class; the bass goes after a slash when it is not
    the root. A lone pitch class is named by its note alone (a bass under a rest of the
    other tracks reads as that root)."""
    import numpy as np

    weights = np.asarray(weights, dtype=float).reshape(-1, 12)
    if len(weights) == 0:
        return []
    lowest = np.argmax(weights > 0, axis=1)
    basses = np.array([lowest[i] if b is None else int(b) % 12 for i, b in enumerate(bass)])
    best = _best_templates(_scores(weights, basses))
    return [
        _symbol(weights[i], int(basses[i]), int(best[i]), key_fifths) for i in range(len(weights))
    ]


def name_weighted(weights: Sequence[float], bass: int | None, key_fifths: int | None = None) -> str:
    """The chord symbol for pitch-class ``weights`` (12 values) over a ``bass`` class
    (``names_weighted`` for one span)."""
    return names_weighted([[float(w) for w in weights]], [bass], key_fifths)[0]


def name_chord(
    pitches: Iterable[int], bass: int | None = None, key_fifths: int | None = None
) -> str:
    """The chord symbol of MIDI pitches sounding together; ``bass`` defaults to the lowest."""
    pitches = [int(p) for p in pitches]
    if not pitches:
        return NO_CHORD
    weights = [0.0] * 12
    for p in pitches:
        weights[p % 12] += 1.0
    return name_weighted(weights, min(pitches) if bass is None else bass, key_fifths)


def chord_root(symbol: str) -> int | None:
    """The root pitch class of a symbol written here, or None for "N.C."."""
    if symbol == NO_CHORD or not symbol:
        return None
    if symbol[0] not in _LETTERS:
        raise ValueError(f"{symbol!r} is not a chord symbol (expected a root from C to B)")
    accidental = symbol[1] if len(symbol) > 1 and symbol[1] in "#b" else ""
    return (_NATURAL[_LETTERS.index(symbol[0])] + {"#": 1, "b": -1, "": 0}[accidental]) % 12


def chord_tones(symbol: str) -> frozenset[int]:
    """The pitch classes a symbol names (its bass included), empty for "N.C."."""
    root = chord_root(symbol)
    if root is None:
        return frozenset()
    head, _, bass = symbol.partition("/")
    suffix = head[2:] if len(head) > 1 and head[1] in "#b" else head[1:]
    intervals = dict(QUALITIES).get(suffix, (0,))
    tones = {(root + i) % 12 for i in intervals}
    if bass:
        tones.add(chord_root(bass))
    return frozenset(tones)


# --- Symbols over time ----------------------------------------------------------------


def sounding_pitches(rolls: Sequence[np.ndarray], tracks: Sequence[TrackSpec]) -> np.ndarray:
    """``(step, 128)`` bool: the MIDI pitches the pitched tracks sound (drums left out).

    ``rolls[i]`` is track i's ``(step, n_rows)`` sounding roll (``BandPiece.sounding``, or
    a chorale voice's rows)."""
    import numpy as np

    n_steps = int(rolls[0].shape[0]) if len(rolls) else 0
    out = np.zeros((n_steps, 128), dtype=bool)
    for roll, spec in zip(rolls, tracks, strict=True):
        if spec.is_drums:
            continue
        out[:, spec.low : spec.high + 1] |= np.asarray(roll, dtype=bool)
    return out


def span_starts(
    meters: Sequence[tuple[int, Meter]], n_steps: int, bar_phase: int = 0, per: str = "beat"
) -> list[int]:
    """Steps where a chord span starts: every beat, every strong beat (a half bar in
    4/4, each beat in 2/4 and 6/8, the bar in 3/4), or every bar."""
    import numpy as np

    if per not in RHYTHMS:
        raise ValueError(f"harmonic rhythm must be one of {', '.join(RHYTHMS)}, not {per!r}")
    if per == "bar":
        return bar_starts(meters, n_steps, bar_phase)
    phase, accent = meter_positions(meters, n_steps, bar_phase)
    if per == "beat":
        starts = np.flatnonzero(phase == 0)
    else:
        strong = accent > 0
        # A bar with one strong beat and an even count of beats (2/4, 6/8, 2/2) halves
        # at its middle beat; 3/4 and 9/8 keep a chord per bar.
        halves = np.zeros(n_steps, dtype=bool)
        for index, (start, meter) in enumerate(meters):
            beats = meter.beats_per_bar
            if len(meter.strong_beats) > 1 or beats % 2:
                continue
            end = meters[index + 1][0] if index + 1 < len(meters) else n_steps
            offset = bar_phase if index == 0 else 0
            in_bar = (np.arange(max(0, end - start)) + offset) % meter.bar_steps
            halves[start:end] = in_bar == meter.beat_starts[beats // 2]
        starts = np.flatnonzero(strong | halves)
    starts = [int(s) for s in starts]
    return starts if starts and starts[0] == 0 else [0, *starts]


def span_weights(
    sounding: np.ndarray, starts: Sequence[int], ends: Sequence[int]
) -> tuple[np.ndarray, list[int | None]]:
    """Each span's ``(12,)`` pitch-class weights and bass, for spans ``[start, end)`` of a
    ``(step, 128)`` sounding roll: every pitch weighs the steps it sounds, twice over at
    the span's first sounding step, where a chord is heard; the bass is the lowest note
    there (None for a silent span)."""
    import numpy as np

    held = np.asarray(sounding, dtype=bool)
    starts, ends = np.asarray(starts, dtype=int), np.asarray(ends, dtype=int)
    if len(starts) == 0:
        return np.zeros((0, 12)), []
    counts = np.zeros((held.shape[0] + 1, 128))
    np.cumsum(held, axis=0, out=counts[1:])
    per_pitch = counts[ends] - counts[starts]
    active = np.flatnonzero(held.any(axis=1))
    silent = np.ones(len(starts), dtype=bool)
    first_step = np.zeros(len(starts), dtype=int)
    if len(active):
        first_at = np.searchsorted(active, starts)
        first_step = active[np.minimum(first_at, len(active) - 1)]
        silent = (first_at >= len(active)) | (first_step >= ends)
    first = held[np.where(silent, 0, first_step)] & ~silent[:, None]
    per_pitch += first * (ends - starts)[:, None]
    padded = np.zeros((len(starts), 132))
    padded[:, :128] = per_pitch
    weights = padded.reshape(len(starts), 11, 12).sum(axis=1)
    bass = [None if silent[i] else int(np.argmax(first[i])) for i in range(len(starts))]
    return weights, bass


def merge_repeats(symbols: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Drop a symbol that repeats the one before it, as a lead sheet writes it once."""
    merged: list[tuple[int, str]] = []
    for step, symbol in symbols:
        if not merged or merged[-1][1] != symbol:
            merged.append((step, symbol))
    return merged


def chord_symbols_of_pitches(
    sounding: np.ndarray,
    meters: Sequence[tuple[int, Meter]],
    bar_phase: int = 0,
    per: str = "beat",
    key_fifths: int | None = None,
    merge: bool = True,
) -> list[tuple[int, str]]:
    """``[(step, symbol), ...]`` for a ``(step, 128)`` sounding roll, one per span of the
    harmonic rhythm ``per``, repeats merged unless ``merge`` is False."""
    n_steps = int(sounding.shape[0])
    starts = span_starts(meters, n_steps, bar_phase, per)
    ends = [*starts[1:], n_steps]
    spans = [(a, b) for a, b in zip(starts, ends) if b > a]
    weights, bass = span_weights(sounding, [a for a, _ in spans], [b for _, b in spans])
    symbols = list(zip([a for a, _ in spans], names_weighted(weights, bass, key_fifths)))
    return merge_repeats(symbols) if merge else symbols


def chord_symbols(
    rolls: Sequence[np.ndarray],
    tracks: Sequence[TrackSpec],
    meters: Sequence[tuple[int, Meter]],
    bar_phase: int = 0,
    per: str = "beat",
    key_fifths: int | None = None,
) -> list[tuple[int, str]]:
    """Chord symbols of a candidate or a piece: its pitched tracks' sounding rolls, read
    per beat, half bar or bar under the meter map, repeats merged."""
    return chord_symbols_of_pitches(
        sounding_pitches(rolls, tracks), meters, bar_phase, per, key_fifths
    )


def reduce_symbols(
    beat_symbols: Sequence[tuple[int, str]], span_steps: Sequence[int], n_steps: int
) -> list[tuple[int, str]]:
    """Per-beat symbols (unmerged) reduced to coarser spans starting at ``span_steps``:
    the chord that lasts the most beats of the span, counting inversions as one chord
    (C and C/E), and on a tie the one heard first (on the span's strong beat); its bass
    is the one it has on its first beat in the span. Repeats merged."""
    ends = [*span_steps[1:], n_steps]
    reduced = []
    for start, end in zip(span_steps, ends):
        inside = [(s, sym) for s, sym in beat_symbols if start <= s < end]
        if not inside:
            continue
        counts: dict[str, int] = {}
        first_of: dict[str, str] = {}
        for _, sym in inside:
            head = sym.partition("/")[0]
            counts[head] = counts.get(head, 0) + 1
            first_of.setdefault(head, sym)
        heads = [sym.partition("/")[0] for _, sym in inside]
        sounding = [h for h in heads if h != NO_CHORD] or heads
        best = max(dict.fromkeys(sounding), key=lambda h: counts[h])
        reduced.append((start, first_of[best]))
    return merge_repeats(reduced)


__all__ = [
    "NO_CHORD",
    "QUALITIES",
    "RHYTHMS",
    "chord_root",
    "chord_symbols",
    "chord_symbols_of_pitches",
    "chord_tones",
    "merge_repeats",
    "name_chord",
    "name_weighted",
    "names_weighted",
    "reduce_symbols",
    "sounding_pitches",
    "span_starts",
]
