"""How well the voices sound together on every beat, graded: the harmony a musician hears.

The clash checks of :mod:`models.musical_checks` count only the harshest intervals against
the melody, and most candidates have none, so they rarely tell two candidates apart.  This
module grades every beat of the meter (``models.pianoroll.meter_positions``: a dotted
quarter in 6/8, a quarter in 3/4) from the textbook theory of consonance, on the notes
sounding as the beat begins (a passing note between beats is not judged):

- ``melody_discord``: how dissonant the accompaniment is against the melody: the
  harshest interval of any voice with it (that is what one hears against a tune);
- ``inner_discord``: how dissonant the accompaniment's own voices are with each other,
  the mean over every pair (one tritone in a dominant seventh is not a clash);
- ``weak_bass``: how little the bass supports the harmony of the beat: the root of the
  triad heard there is full support, its third (first inversion) nearly so, its fifth (a
  six-four chord, unstable outside a cadence) weak, a note outside the triad none;
- ``thin_beats``: how much of that triad is missing (a beat of one pitch class, or a bare
  fifth without its third, sounds empty under a chorale melody);
- ``no_passing``: no voice moves by step inside the beat (:mod:`models.passing`): block
  chords where Bach writes passing notes.

Intervals are graded as counterpoint treatises class them (Fux; Piston, *Harmony*):
unisons, octaves, fifths, thirds and sixths are consonant (0); the fourth is consonant
between upper voices but a dissonance above the bass (0.5); major seconds and minor
sevenths are mild dissonances (0.5, the sevenths of dominant-seventh chords), the
tritone a sharp one (0.75), minor seconds and major sevenths the harshest (1).

Each term is a grade from 0 (best) to 1 per beat; a candidate's rate is its mean over the
beats that have something to judge, so melodies in any meter and of any length compare.
A dissonance with the melody that resolves by step (the voice or the melody moves on by
a tone or a semitone: a suspension, an appoggiatura) counts :data:`RESOLVED_SHARE` of its
grade: the textbook's way to use a dissonance on the beat, and much of what Bach does.

``models.ranking`` weighs the five rates, each on the scale of its spread within a take,
chosen on the validation split (``benchmarks/fit_ranking_weights.py``), not against any
judging measure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from models.passing import no_passing_grades, resolves_by_step
from models.pianoroll import LOWEST_PITCH, Meter, bar_names, meter_positions

GRADED_MEASURES = ("melody_discord", "inner_discord", "weak_bass", "thin_beats", "no_passing")

# Dissonance of an interval class (semitones, upper minus lower, mod 12).
DISCORD = np.array([0.0, 1.0, 0.5, 0.0, 0.0, 0.0, 0.75, 0.0, 0.0, 0.0, 0.5, 1.0])
FOURTH_ABOVE_BASS = 0.5  # the fourth, consonant between upper voices, is not over the bass
# Support by the bass's place in the triad heard: root, third, fifth, outside it.
BASS_SUPPORT_DISCORD = {0: 0.0, 1: 0.25, 2: 0.6}
OUTSIDE_TRIAD = 1.0
_TRIADS = ((0, 4, 7), (0, 3, 7), (0, 3, 6))  # major, minor, diminished, root first
# A beat is named in a reason when its grade is at least this (a tritone, a 6/4 chord, a
# third of the triad missing: what one hears as a weak spot).
NAMED_GRADE = 0.5
RESOLVED_SHARE = 0.5  # of a dissonance with the melody that resolves by step


@dataclass(frozen=True)
class BeatGrades:
    """The four grades of every judged beat of one candidate."""

    bar: np.ndarray  # (beat,) 1-based bar of each beat
    beat: np.ndarray  # (beat,) 1-based beat within its bar
    grades: dict[str, np.ndarray]  # name -> (beat,) 0..1, NaN where nothing to judge

    def rate(self, name: str) -> float:
        """Mean grade over the beats with something to judge (0 when none)."""
        return self._rates[name]

    @cached_property
    def _rates(self) -> dict[str, float]:
        """Every rate once: the ranking and its reasons ask for each many times."""
        out = {}
        for name, values in self.grades.items():
            judged = ~np.isnan(values)
            out[name] = float(values[judged].mean()) if judged.any() else 0.0
        return out

    def weak_spots(self, name: str) -> list[tuple[int, int]]:
        """``(bar, beat)`` of the beats graded :data:`NAMED_GRADE` or worse."""
        values = np.nan_to_num(self.grades[name], nan=0.0)
        return [
            (int(b), int(n))
            for b, n in zip(self.bar[values >= NAMED_GRADE], self.beat[values >= NAMED_GRADE])
        ]


def _pair_discord(upper: np.ndarray, lower: np.ndarray, lower_is_bass: bool) -> np.ndarray:
    """Graded dissonance of two voices (pitch indices, -1 rest), NaN where either rests."""
    interval = (upper - lower) % 12
    discord = DISCORD[interval]
    if lower_is_bass:
        discord = np.where(interval == 5, FOURTH_ABOVE_BASS, discord)
    return np.where((upper >= 0) & (lower >= 0), discord, np.nan)


def _nanmean(stack: np.ndarray, axis: int) -> np.ndarray:
    counted = ~np.isnan(stack)
    total = np.where(counted, stack, 0.0).sum(axis=axis)
    n = counted.sum(axis=axis)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def _nanmax(stack: np.ndarray, axis: int) -> np.ndarray:
    counted = ~np.isnan(stack)
    top = np.where(counted, stack, -np.inf).max(axis=axis)
    return np.where(counted.any(axis=axis), top, np.nan)


def _triad_reading(chord: np.ndarray, bass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(root, tones present 0-3)`` of the triad that explains most of the beat's voices
    ``chord`` ``(c, voice, beat)``; ties go to the triad on the bass (the simplest reading).
    """
    sounding = chord >= 0
    pc = (chord + LOWEST_PITCH) % 12
    present = np.zeros(chord.shape[:1] + chord.shape[2:] + (12,), dtype=bool)  # (c, beat, 12)
    c_idx, _, b_idx = np.nonzero(sounding)
    present[c_idx, b_idx, pc[sounding]] = True
    bass_pc = np.where(bass >= 0, (bass + LOWEST_PITCH) % 12, -1)
    best_fit = np.full(present.shape[:2], -1.0)
    best_root = np.zeros(present.shape[:2], dtype=np.int64)
    best_tones = np.zeros(present.shape[:2], dtype=np.int64)
    for triad in _TRIADS:
        for root in range(12):
            tones = present[..., [(root + step) % 12 for step in triad]].sum(axis=-1)
            fit = tones + 0.5 * (bass_pc == root)  # a tie goes to the root-position reading
            better = fit > best_fit
            best_fit = np.where(better, fit, best_fit)
            best_root = np.where(better, root, best_root)
            best_tones = np.where(better, tones, best_tones)
    return best_root, best_tones


def _bass_discord(bass: np.ndarray, root: np.ndarray, chord_tones: dict) -> np.ndarray:
    """Graded weakness of the bass under the triad read at each beat."""
    bass_pc = (bass + LOWEST_PITCH) % 12
    out = np.full(bass.shape, OUTSIDE_TRIAD)
    for place, discord in BASS_SUPPORT_DISCORD.items():
        out = np.where(chord_tones[place] == bass_pc, discord, out)
    return np.where(bass >= 0, out, np.nan)


def beat_steps(
    n_steps: int, meters: Sequence[tuple[int, Meter]], bar_phase: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(step, bar, beat)`` of every beat start: its step, its bar as the musician names
    it (``pianoroll.bar_names``: a pickup's partial bar is bar 1) and its beat (from 1;
    a pickup's beats are counted from its first)."""
    phase, accent = meter_positions(meters, n_steps, bar_phase)
    steps = np.flatnonzero(phase == 0)
    bar_start = accent[steps] == 2
    bar = bar_names(meters, n_steps, bar_phase)[steps]
    beat = np.ones(steps.size, dtype=np.int64)
    for i in range(1, steps.size):
        beat[i] = 1 if bar_start[i] else beat[i - 1] + 1
    return steps, bar, beat


def grade_beats(
    voices: np.ndarray, meters: Sequence[tuple[int, Meter]], bar_phase: int = 0
) -> list[BeatGrades]:
    """The graded harmony of every beat of each candidate ``(candidate, track, step)``:
    pitch index or -1, the melody first and the bass last."""
    voices = np.asarray(voices, dtype=np.int64)
    steps, bar, beat = beat_steps(voices.shape[2], meters, bar_phase)
    chord = voices[:, :, steps]  # (c, track, beat)
    melody, bass = chord[:, 0], chord[:, -1]
    n_tracks = chord.shape[1]
    # A dissonance that resolves by step (a suspension, an appoggiatura) is the
    # textbook's way to use one: it counts RESOLVED_SHARE of its grade.
    resolves = resolves_by_step(voices)[:, :, steps]  # (c, track, beat)
    with_melody = np.stack(
        [
            _pair_discord(melody, chord[:, v], v == n_tracks - 1)
            * np.where(resolves[:, 0] | resolves[:, v], RESOLVED_SHARE, 1.0)
            for v in range(1, n_tracks)
        ]
    )
    inner = [
        _pair_discord(chord[:, a], chord[:, b], b == n_tracks - 1)
        for a in range(1, n_tracks)
        for b in range(a + 1, n_tracks)
    ]
    root, tones = _triad_reading(chord, bass)
    # The reading's own third and fifth: the better of major, minor or diminished.
    pcs = (chord + LOWEST_PITCH) % 12
    has = lambda interval: ((pcs == ((root + interval) % 12)[:, None]) & (chord >= 0)).any(1)  # noqa: E731
    third = np.where(has(4), (root + 4) % 12, (root + 3) % 12)
    fifth = np.where(has(7) | ~has(6), (root + 7) % 12, (root + 6) % 12)
    any_sound = (chord >= 0).any(axis=1)
    grades = {
        # Against the tune the harshest interval is what one hears; among the voices, how
        # much of the chord is dissonant (a dominant seventh's one tritone is not a clash).
        "melody_discord": _nanmax(with_melody, axis=0),
        "inner_discord": _nanmean(np.stack(inner), axis=0) if inner else np.nan * bass,
        "weak_bass": _bass_discord(bass, root, {0: root, 1: third, 2: fifth}),
        "thin_beats": np.where(any_sound, (3 - tones) / 3.0, np.nan),
        # Not a consonance: whether anything moves by step inside the beat (models.passing).
        "no_passing": no_passing_grades(voices, steps),
    }
    return [
        BeatGrades(bar, beat, {name: values[c] for name, values in grades.items()})
        for c in range(voices.shape[0])
    ]
