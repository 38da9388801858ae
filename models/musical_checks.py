"""Explicit musical checks of a candidate, with where they happen: the faults a musician hears.

The critic gives one number; a musician asks *what* is wrong, and *where*.  Each check here
is a textbook rule of four-part writing, counted on the grid of :mod:`models.pianoroll`
with the bar it happens in:

- ``strong_beat_clashes``: on a strong beat (the downbeat, and the middle of a 4/4 bar:
  the meter's own strong beats, ``models.pianoroll.Meter.strong_beats``) an
  accompaniment voice sounds a minor second, major seventh or tritone against the melody
  (held or struck: the checks do not tell a prepared suspension from a slip; Bach's
  chorales have about 0.09 such beats a bar, the model's candidates 0.04)
  (a beat counts once however many voices clash); ``other_beat_clashes``, the same on
  the other beats;
- ``parallels``: two voices (the melody included) move from a fifth to a fifth or an
  octave (or unison) to an octave, both voices changing pitch;
- ``voice_crossings``: a lower voice goes above the one written above it;
- ``wide_spacing``: more than an octave between melody and alto or alto and tenor, more
  than two octaves between tenor and bass;
- ``large_leaps``: an accompaniment voice leaps more than :data:`LEAP_LIMIT` semitones;
- ``out_of_key``: accompaniment notes outside the key of the melody (the melody alone sets
  the key, as in :mod:`models.metrics`).

And one description that is not a fault in a chorale (Bach writes inversions all the time)
but is what a band's bass should do: ``bass_on_root``, the bars whose downbeat has the bass
on the root of the chord sounding there (the best-fitting major, minor or diminished triad).

These are the *shaping* measures: :data:`SHAPING_MEASURES` are combined with the critic's
score in :mod:`models.ranking`.  The judging measures of the ranking benchmark are
written apart, so that what shaped the ranking is not what proves it.

Every function takes voices ``(candidate, track, step)``: a pitch index per step or -1 for
a rest, melody first (``models.metrics``' rolls convert with :func:`voices_of_rolls`).
Everything is vectorized over candidates: 20 candidates of 8 bars take about a millisecond.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from models.consonance import GRADED_MEASURES, BeatGrades, grade_beats
from models.pianoroll import (
    LOWEST_PITCH,
    TRACKS,
    Meter,
    bar_names,
    bar_starts,
    meter_positions,
)
from models.tonality import estimate_key, key_pitch_classes

# The checks combined with the critic's score, in the order of models.ranking's weights.
SHAPING_MEASURES = (
    "strong_beat_clashes",
    "other_beat_clashes",
    "parallels",
    "voice_crossings",
    "wide_spacing",
    "large_leaps",
    "out_of_key",
    *GRADED_MEASURES,  # graded per beat (models.consonance), not counted
)
# Described (reasons, JSON) but not ranked on.
DESCRIPTIVE_MEASURES = ("bass_on_root",)

CLASH_INTERVALS = {1: "minor second", 11: "major seventh", 6: "tritone"}  # melody minus voice
LEAP_LIMIT = 9  # semitones: more than a major sixth; Bach's voices rarely leap further
ADJACENT_PAIRS = ((0, 1), (1, 2), (2, 3))  # (upper, lower) track indices
SPACING_LIMITS = (12, 12, 24)  # semitones allowed between each adjacent pair
_TRIADS = ((0, 4, 7), (0, 3, 7), (0, 3, 6))  # major, minor, diminished, root first


@dataclass(frozen=True)
class Finding:
    """One occurrence of a check: which, in which bar (its name, ``pianoroll.bar_name``: 1
    the first), and what exactly."""

    check: str
    bar: int
    detail: str


@dataclass
class CheckResult:
    """The checks of one candidate: counts of each, and every finding with its bar."""

    n_bars: int
    counts: dict[str, int]
    findings: list[Finding] = field(default_factory=list)
    bass_on_root: int = 0  # bars whose downbeat has the bass on the chord's root
    bass_bars: int = 0  # bars whose downbeat has a bass note and a chord to judge
    beats: BeatGrades | None = None  # the graded harmony of every beat (models.consonance)

    def bars(self, check: str) -> list[int]:
        """The bars (1-based, sorted, once each) where ``check`` was found."""
        return sorted({f.bar for f in self.findings if f.check == check})

    def per_bar(self, check: str) -> float:
        return self.counts[check] / max(1, self.n_bars)

    def rate(self, check: str) -> float:
        """What the ranking weighs: a counted check per bar, a graded one's mean per beat."""
        if check in GRADED_MEASURES:
            return self.beats.rate(check) if self.beats is not None else 0.0
        return self.per_bar(check)


def voices_of_rolls(rolls: np.ndarray) -> np.ndarray:
    """``(candidate, track, step)`` pitch index or -1 from boolean rolls
    ``(candidate, track, step, pitch)``; the top note where a track has several."""
    rolls = np.asarray(rolls, dtype=bool)
    top = rolls.shape[-1] - 1 - np.argmax(rolls[..., ::-1], axis=-1)
    return np.where(rolls.any(axis=-1), top, -1).astype(np.int64)


MeterMap = Sequence[tuple[int, Meter]]


def _meter_map(meter: Meter | MeterMap | None) -> list[tuple[int, Meter]]:
    """A meter map ``[(step, Meter), ...]`` from one meter, a map, or None (4/4)."""
    if meter is None:
        return [(0, Meter())]
    if isinstance(meter, Meter):
        return [(0, meter)]
    return list(meter)


def _starts(mask: np.ndarray) -> np.ndarray:
    """Where a run of True begins along the last axis (``mask`` and not the step before)."""
    before = np.zeros_like(mask)
    before[..., 1:] = mask[..., :-1]
    return mask & ~before


def _beat_steps(n_steps: int, meters: MeterMap, bar_phase: int):
    """``(strong, other)``: the steps that begin a strong beat of the meter (every
    downbeat, the middle of a bar of four beats) and those that begin any other beat."""
    phase, accent = meter_positions(meters, n_steps, bar_phase)
    on_beat = phase == 0
    return np.flatnonzero(on_beat & (accent > 0)), np.flatnonzero(on_beat & (accent == 0))


def check_voices(
    voices: np.ndarray, meter: Meter | MeterMap | None = None, bar_phase: int = 0
) -> list[CheckResult]:
    """Every check of each candidate ``(candidate, track, step)``, melody as track 0.

    ``meter`` is one ``Meter`` or a meter map ``[(step, Meter), ...]`` (default 4/4);
    ``bar_phase`` is the first step's place in its bar (0: it starts on a downbeat).
    """
    meters = _meter_map(meter)
    voices = np.asarray(voices, dtype=np.int64)
    if voices.ndim != 3 or voices.shape[1] != len(TRACKS):
        raise ValueError(
            f"check_voices takes voices shaped (candidate, {len(TRACKS)} tracks, step); "
            f"got {voices.shape}."
        )
    n_candidates, n_tracks, n_steps = voices.shape
    bar_of_step = bar_names(meters, n_steps, bar_phase)  # the musician's, from 1
    n_bars = max(1, len(bar_starts(meters, n_steps, bar_phase)))
    sounds = voices >= 0
    findings: list[list[Finding]] = [[] for _ in range(n_candidates)]
    counts = {name: np.zeros(n_candidates, dtype=np.int64) for name in SHAPING_MEASURES}

    def record(check: str, where: tuple[np.ndarray, np.ndarray], details) -> None:
        candidate, step = where
        bars = bar_of_step[step]
        for c, bar, detail in zip(candidate.tolist(), bars.tolist(), details, strict=True):
            findings[c].append(Finding(check, bar, detail))
        np.add.at(counts[check], candidate, 1)

    # Clashes with the melody on beats: one finding per beat, the first voice named.
    strong, other = _beat_steps(n_steps, meters, bar_phase)
    for check, steps in (("strong_beat_clashes", strong), ("other_beat_clashes", other)):
        melody, accompaniment = voices[:, 0, steps], voices[:, 1:, steps]  # (c, s), (c, v, s)
        interval = (melody[:, None] - accompaniment) % 12
        clash = (melody[:, None] >= 0) & (accompaniment >= 0)
        clash &= np.isin(interval, list(CLASH_INTERVALS))
        c_idx, s_idx = np.nonzero(clash.any(axis=1))
        first_voice = np.argmax(clash[c_idx, :, s_idx], axis=1)
        details = [
            f"{CLASH_INTERVALS[int(interval[c, v, s])]} ({TRACKS[v + 1]} against the melody)"
            for c, v, s in zip(c_idx.tolist(), first_voice.tolist(), s_idx.tolist(), strict=True)
        ]
        record(check, (c_idx, steps[s_idx]), details)

    # Parallel (or contrary) fifths and octaves between every pair of voices.
    for a in range(n_tracks):
        for b in range(a + 1, n_tracks):
            x, y = voices[:, a], voices[:, b]
            both = sounds[:, a, 1:] & sounds[:, a, :-1] & sounds[:, b, 1:] & sounds[:, b, :-1]
            moved = both & (x[:, 1:] != x[:, :-1]) & (y[:, 1:] != y[:, :-1])
            before, after = (x[:, :-1] - y[:, :-1]) % 12, (x[:, 1:] - y[:, 1:]) % 12
            fault = moved & (before == after) & ((before == 0) | (before == 7))
            c_idx, s_idx = np.nonzero(fault)
            kinds = ["octaves" if before[c, s] == 0 else "fifths" for c, s in zip(c_idx, s_idx)]
            details = [f"{kind} ({TRACKS[a]} and {TRACKS[b]})" for kind in kinds]
            record("parallels", (c_idx, s_idx + 1), details)

    # Crossing and spacing between voices written next to each other.
    for (upper, lower), limit in zip(ADJACENT_PAIRS, SPACING_LIMITS, strict=True):
        both = sounds[:, upper] & sounds[:, lower]
        gap = voices[:, upper] - voices[:, lower]
        for check, mask in (
            ("voice_crossings", both & (gap < 0)),
            ("wide_spacing", both & (gap > limit)),
        ):
            c_idx, s_idx = np.nonzero(_starts(mask))
            words = "above" if check == "voice_crossings" else "far from"
            detail = f"{TRACKS[lower]} {words} {TRACKS[upper]}"
            record(check, (c_idx, s_idx), [detail] * c_idx.size)

    # Leaps and notes out of key, in the accompaniment.
    accompaniment = voices[:, 1:]
    changes = (accompaniment[:, :, 1:] != accompaniment[:, :, :-1]) & (
        accompaniment[:, :, :-1] >= 0
    )
    leap = np.abs(accompaniment[:, :, 1:] - accompaniment[:, :, :-1])
    big = changes & (accompaniment[:, :, 1:] >= 0) & (leap > LEAP_LIMIT)
    c_idx, v_idx, s_idx = np.nonzero(big)
    details = [
        f"{TRACKS[v + 1]} leaps {int(leap[c, v, s])} semitones"
        for c, v, s in zip(c_idx.tolist(), v_idx.tolist(), s_idx.tolist(), strict=True)
    ]
    record("large_leaps", (c_idx, s_idx + 1), details)

    onsets = _starts(accompaniment >= 0) | np.pad(
        changes & (accompaniment[:, :, 1:] >= 0), ((0, 0), (0, 0), (1, 0))
    )
    pitch_class = (accompaniment + LOWEST_PITCH) % 12
    for c in range(n_candidates):
        key = estimate_key(_melody_histogram(voices[c, 0]))
        if key is None:
            continue
        outside = onsets[c] & ~key_pitch_classes(*key)[pitch_class[c]]
        v_idx, s_idx = np.nonzero(outside)
        details = [
            f"{TRACKS[v + 1]} plays {_NOTE_NAMES[pitch_class[c, v, s]]}"
            for v, s in zip(v_idx.tolist(), s_idx.tolist())
        ]
        record("out_of_key", (np.full(s_idx.size, c), s_idx), details)

    # The graded harmony of every beat: its weak spots are findings, their number a count.
    graded = grade_beats(voices, meters, bar_phase)
    for c, beats in enumerate(graded):
        for name in GRADED_MEASURES:
            spots = beats.weak_spots(name)
            findings[c] += [Finding(name, bar, f"beat {beat}") for bar, beat in spots]
            counts[name][c] = len(spots)

    on_root, bass_bars = _bass_on_root(voices, meters, bar_phase)
    return [
        CheckResult(
            n_bars,
            {name: int(counts[name][c]) for name in SHAPING_MEASURES},
            sorted(findings[c], key=lambda f: (f.bar, f.check)),
            int(on_root[c]),
            int(bass_bars[c]),
            graded[c],
        )
        for c in range(n_candidates)
    ]


_NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def _melody_histogram(melody: np.ndarray) -> np.ndarray:
    sounding = melody[melody >= 0]
    return np.bincount((sounding + LOWEST_PITCH) % 12, minlength=12).astype(np.float64)


def _bass_on_root(voices: np.ndarray, meters: MeterMap, bar_phase: int):
    """``(on_root, judged)`` per candidate: bars whose first beat's bass note is the root of
    the triad that best fits every voice's pitch classes over that beat."""
    n_candidates, _, n_steps = voices.shape
    phase, accent = meter_positions(meters, n_steps, bar_phase)
    downbeats = np.flatnonzero(accent == 2)
    on_root = np.zeros(n_candidates, dtype=np.int64)
    judged = np.zeros(n_candidates, dtype=np.int64)
    if downbeats.size == 0:
        return on_root, judged
    # Chroma of the first beat of each bar: (c, bar, 12), duration weighted. The beat is
    # the meter's own (a dotted quarter in 6/8): the steps from the downbeat to the next
    # beat's start.
    beat_length = max(m.beat_steps[0] for _, m in meters)
    after = np.arange(beat_length)[None, :]
    within = after < np.array([_next_beat_start(phase, d) for d in downbeats])[:, None]
    span = np.minimum(downbeats[:, None] + after, n_steps - 1)  # (bar, step)
    beat = voices[:, :, span]  # (c, track, bar, step)
    counted = (beat >= 0) & within[None, None]
    chroma = np.zeros((n_candidates, downbeats.size, 12))
    c_idx, _, bar_idx, _ = np.nonzero(counted)
    np.add.at(chroma, (c_idx, bar_idx, (beat[counted] + LOWEST_PITCH) % 12), 1.0)
    fits = np.stack(
        [
            chroma[..., [(root + step) % 12 for step in triad]].sum(axis=-1)
            for triad in _TRIADS
            for root in range(12)
        ],
        axis=-1,
    )  # (c, bar, 36): triad-major roots, then minor, then diminished
    root = np.argmax(fits, axis=-1) % 12
    bass = voices[:, 3, downbeats]
    has = (bass >= 0) & (chroma.sum(axis=-1) > 0)
    on_root = (has & ((bass + LOWEST_PITCH) % 12 == root)).sum(axis=1)
    return on_root, has.sum(axis=1)


def _next_beat_start(phase: np.ndarray, step: int) -> int:
    """Steps from ``step`` to the next beat's start (or the end)."""
    later = np.flatnonzero(phase[step + 1 :] == 0)
    return int(later[0]) + 1 if later.size else int(phase.size - step)


def check_rolls(
    rolls: np.ndarray, meter: Meter | MeterMap | None = None, bar_phase: int = 0
) -> list[CheckResult]:
    """:func:`check_voices` of boolean rolls ``(candidate, track, step, pitch)``."""
    return check_voices(voices_of_rolls(rolls), meter, bar_phase)


def shaping_rates(results: list[CheckResult]) -> np.ndarray:
    """``(candidate, len(SHAPING_MEASURES))``: each shaping check's rate (``CheckResult.rate``)."""
    return np.array([[r.rate(name) for name in SHAPING_MEASURES] for r in results])
