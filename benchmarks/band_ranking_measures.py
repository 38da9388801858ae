"""What ``bench_band_ranking`` judges a band's take by, and how it spoils real renderings.

The measures read MIDI pitches on the 16th-note grid of the music's own meter, built with
``models.harmony_measures`` (written apart from the product, imports nothing of the
ranking): the pitched tracks (pad, chords, bass, top to bottom) form the accompaniment
texture; the drums are read as hits ``(step, GM key)``.

- ``pcs_beats``, ``pcs``, ``ctnctr``, ``mctd``, ``wrong_notes``: harmony_measures' own, of
  every pitched track with the melody ("harmony of the chord and bass tracks");
- ``pcs_beats_chords``, ``wrong_notes_chords``: the same of the chords and pad alone
  (band_ranking's checks read the bass only, so these are held out);
- ``bass_on_chord``: share of downbeats where the bass's pitch class is one the chords or
  pad sound there (``bass_on_chord_share``, which ``bench_band_styles`` counts by too);
- ``out_of_key``: share of pitched accompaniment notes outside the key of the melody
  (Krumhansl-Kessler profiles over the melody's note lengths; minor counts its raised
  sixth and seventh), a note counted once at its start;
- ``groove``: how steady the drums are: for each bar, the Jaccard agreement of its hits
  (place in the bar, kit instrument) with the closest of the bars one or two before or
  after it (a two-bar pattern, a bossa nova clave, is steady too), averaged. A drummer
  keeps a pattern and varies it at phrase ends; drums that change every bar sound like
  no groove at all. MMA's grooves repeat a one- or two-bar pattern
  with fills, so its renderings read near the top; a candidate whose pattern wanders
  reads low. Higher is steadier.

Spoiled renderings (``spoil``), each from a real window's tracks ``[(sounding, onsets)]``:
wrong notes (a tenth of the beats of each pitched track a semitone or tone off), moved
against the melody (every pitched track 1-6 semitones), late (every track one or two
beats), another piece's band (the tracks of another window of the same style and meter),
drums shuffled between bars (each kit instrument's bars in another order).
"""

from __future__ import annotations

import math

import numpy as np

from models import harmony_measures as hm
from models.band_negatives import shift_rows as _shift_rows  # one definition, shared
from models.pianoroll import Meter
from models.tracks import TrackSpec

# Krumhansl & Kessler (1982) key profiles, tonic first.
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 9, 10, 11)  # natural, with the raised sixth and seventh

# name: (higher is better, what it says); the order printed.
BAND_MEASURES: dict[str, tuple[bool, str]] = {
    "pcs_beats": (True, "PCS on the beats, all pitched tracks (Yeh et al. 2021)"),
    "pcs_beats_chords": (True, "PCS on the beats, chords and pad only"),
    "pcs": (True, "PCS on every 16th step"),
    "ctnctr": (True, "CTnCTR: melody on chord tones or resolved by step"),
    "mctd": (False, "melody-chord tonal distance (MCTD)"),
    "bass_on_chord": (True, "bass on a tone of the chords at downbeats"),
    "groove": (True, "steady groove: drum bars agreeing with the bar(s) before"),
    "wrong_notes": (False, "wrong notes: semitone/tritone off the melody on a beat"),
    "wrong_notes_chords": (False, "wrong notes of the chords and pad alone"),
    "out_of_key": (False, "accompaniment notes out of the melody's key"),
}
# Which measures band_ranking's checks (models.band_ranking.BAND_CHECKS) judge too, written
# apart from these: chords harsh against the melody on the beat (PCS, wrong notes), the
# bass off the chords (the bass on a chord tone), drum bars keeping no pattern (the
# groove), chords out of key (out of key). These are marked "shaped"; CTnCTR and MCTD
# only judge.
SHAPED_BY_CHECKS = {
    "pcs_beats",
    "pcs_beats_chords",
    "pcs",
    "bass_on_chord",
    "groove",
    "wrong_notes",
    "wrong_notes_chords",
    "out_of_key",
}
SPOILED = {
    "wrong_notes": "wrong notes",
    "transpose": "moved against the melody",
    "late": "late",
    "mismatch": "another piece's band",
    "drums_shuffled": "drums shuffled between bars",
}


def track_notes(sounding: np.ndarray, onsets: np.ndarray, track: TrackSpec) -> list[tuple]:
    """``(start step, end step, MIDI pitch or GM key)`` of one track's rolls (the like-for-
    like yardstick's reading, ``band_test_reference``)."""
    from band_test_reference import _notes_of

    return _notes_of(sounding, onsets, track)


def melody_key_scale(melody: np.ndarray) -> np.ndarray:
    """``(12,)`` bool: the pitch classes of the melody's best-fitting key."""
    sounding = melody[melody >= 0] % 12
    histogram = np.bincount(sounding, minlength=12).astype(np.float64)
    best, scale = -math.inf, MAJOR_SCALE
    for tonic in range(12):
        for profile, steps in ((MAJOR_PROFILE, MAJOR_SCALE), (MINOR_PROFILE, MINOR_SCALE)):
            r = float(np.corrcoef(histogram, np.roll(profile, tonic))[0, 1])
            if r > best:
                best, scale = r, tuple((tonic + s) % 12 for s in steps)
    mask = np.zeros(12, dtype=bool)
    mask[list(scale)] = True
    return mask


def groove_steadiness(hits: list[tuple[int, int]], bar_starts: np.ndarray) -> float:
    """Mean over the bars of the best Jaccard agreement of each bar's hits ``(place in
    bar, key)`` with a bar one or two before or after it; NaN under two bars."""
    starts = np.flatnonzero(bar_starts)
    if starts.size < 2:
        return math.nan
    edges = np.append(starts, bar_starts.shape[0])
    bars = [set() for _ in starts]
    for step, key in hits:
        i = int(np.searchsorted(edges, step, side="right")) - 1
        if 0 <= i < len(bars):
            bars[i].add((step - int(edges[i]), key))

    def agree(a: set, b: set) -> float:
        return len(a & b) / len(a | b) if a | b else 1.0

    full = [i for i in range(len(bars)) if edges[i + 1] - edges[i] == edges[1] - edges[0]]
    if len(full) < 2:
        return math.nan
    values = [  # a cut last bar is not judged
        max(agree(bars[i], bars[j]) for j in (i - 2, i - 1, i + 1, i + 2) if j in full)
        for i in full
    ]
    return float(np.mean(values)) if values else math.nan


def judge_band(
    melody: list[tuple[int, int, int]],
    parts: dict[str, list[tuple[int, int, int]]],
    signatures: list[tuple[int, int, int]],
    bar_phase: int = 0,
) -> dict[str, float]:
    """Every measure of :data:`BAND_MEASURES` for one band accompaniment: ``melody`` and
    each track's notes ``(start step, end step, MIDI pitch)`` (drums: GM keys) by name."""
    pitched = [parts.get(n, []) for n in ("pad", "chords", "bass")]
    whole = hm.texture_from_notes(melody, pitched, signatures, bar_phase=bar_phase)
    n = whole.n_steps
    upper = hm.texture_from_notes(melody, pitched[:2], signatures, n, bar_phase)
    scale = melody_key_scale(whole.melody)
    starts = [p for notes in pitched for a, _, p in notes if a < n]
    out_of_key = float(np.mean(~scale[np.array(starts) % 12])) if starts else math.nan
    hits = [(a, p) for a, _, p in parts.get("drums", []) if a < n]
    return {
        "pcs_beats": hm.pcs(whole, on_beats=True),
        "pcs_beats_chords": hm.pcs(upper, on_beats=True),
        "pcs": hm.pcs(whole),
        "ctnctr": hm.ctnctr(whole),
        "mctd": hm.mctd(whole),
        "bass_on_chord": bass_on_chord(whole),
        "groove": groove_steadiness(hits, whole.bar_starts),
        "wrong_notes": hm.wrong_note_share(whole),
        "wrong_notes_chords": hm.wrong_note_share(upper),
        "out_of_key": out_of_key,
    }


def moved_hits(tracks, real, spoiled) -> float:
    """The share of the real drum hits a copy no longer has (``band_shuffle_change.py``
    reads it over the split; ``bench_band_ranking`` reads the shuffle on copies moving 10%+)."""
    hits = [(a[1], b[1]) for t, a, b in zip(tracks, real, spoiled, strict=True) if t.is_drums]
    n = sum(int(a.sum()) for a, _ in hits)
    return sum(int((a & ~b).sum()) for a, b in hits) / n if n else 0.0


def bass_on_chord_share(bass: np.ndarray, upper: np.ndarray) -> float:
    """Share of downbeats where the bass's pitch class is one the chords or pad sound
    there: ``bass`` and ``upper`` ``(downbeat, 12)`` bool, the pitch classes each sounds
    at each downbeat; only downbeats where both sound are counted (NaN if none). The one
    judge of "bass on a chord tone" for this benchmark and ``bench_band_styles``."""
    bass, upper = np.asarray(bass, dtype=bool), np.asarray(upper, dtype=bool)
    counted = bass.any(axis=1) & upper.any(axis=1)
    if not counted.any():
        return math.nan
    return float((bass & upper).any(axis=1)[counted].mean())


def bass_on_chord(texture: hm.Texture) -> float:
    """:func:`bass_on_chord_share` of a texture's downbeats (its parts: pad, chords, bass)."""
    steps = np.flatnonzero(texture.bar_starts)
    parts = texture.parts[:, steps]  # (part, downbeat, 128 MIDI pitches)
    return bass_on_chord_share(_fold_octaves(parts[-1]), _fold_octaves(parts[:-1].any(axis=0)))


def _fold_octaves(pitches: np.ndarray) -> np.ndarray:
    """``(n, 128)`` MIDI pitches sounding → ``(n, 12)`` pitch classes sounding."""
    out = np.zeros((pitches.shape[0], 12), dtype=bool)
    rows, pitch = np.nonzero(pitches)
    out[rows, pitch % 12] = True
    return out


# ---------------------------------------------------------------------------------------
# Spoiled renderings


def _beat_spans(n_steps: int, meter: Meter) -> list[tuple[int, int]]:
    starts = [b + s for b in range(0, n_steps, meter.bar_steps) for s in meter.beat_starts]
    starts = [s for s in starts if s < n_steps] + [n_steps]
    return list(zip(starts[:-1], starts[1:]))


def spoil(kind: str, tracks, real, other, meter: Meter, rng: np.random.Generator):
    """A spoiled copy of ``real`` (per track ``(sounding, onsets)``); ``other`` is another
    window's tracks of the same style and meter, for ``mismatch``."""
    n = real[0][0].shape[0]
    if kind == "mismatch":
        out = []
        for sounding, onsets in other:
            s, o = np.zeros((n, sounding.shape[1]), bool), np.zeros((n, onsets.shape[1]), bool)
            m = min(n, sounding.shape[0])
            s[:m], o[:m] = sounding[:m], onsets[:m]
            out.append((s, o))
        return out
    if kind == "late":
        beats = int(rng.integers(1, 3))
        shift = sum(b - a for a, b in _beat_spans(n, meter)[:beats])
        return [(np.roll(s, shift, 0), np.roll(o, shift, 0)) for s, o in real]
    if kind == "drums_shuffled":
        bar = meter.bar_steps
        n_bars = n // bar
        out = list(real)
        for t, (track, (sounding, _)) in enumerate(zip(tracks, real, strict=True)):
            if not track.is_drums or n_bars < 2:
                continue
            shuffled = sounding.copy()
            for row in range(sounding.shape[1]):
                order = rng.permutation(n_bars)
                bars = sounding[: n_bars * bar, row].reshape(n_bars, bar)
                shuffled[: n_bars * bar, row] = bars[order].reshape(-1)
            out[t] = (shuffled, shuffled.copy())
        return out
    out = []
    semitones = int(rng.integers(1, 7)) * int(rng.choice([-1, 1]))
    spans = _beat_spans(n, meter)
    for track, (sounding, onsets) in zip(tracks, real, strict=True):
        if track.is_drums:
            out.append((sounding, onsets))
            continue
        if kind == "transpose":
            out.append((_shift_rows(sounding, semitones), _shift_rows(onsets, semitones)))
            continue
        assert kind == "wrong_notes", kind
        s, o = sounding.copy(), onsets.copy()
        wrong = rng.random(len(spans)) < 0.1
        if not wrong.any():
            wrong[rng.integers(len(spans))] = True
        for (a, b), spoilt in zip(spans, wrong, strict=True):
            if spoilt:
                off = int(rng.choice([-2, -1, 1, 2]))
                s[a:b], o[a:b] = _shift_rows(s[a:b], off), _shift_rows(o[a:b], off)
                o[a] |= s[a].astype(bool)  # the moved note is struck where it begins
        out.append((s, o))
    return out
