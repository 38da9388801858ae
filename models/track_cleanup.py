"""Clean-up per track kind: from a track's probabilities to what a musician would play.

Monophonic tracks (voice, bass) are cleaned as the chorale voices are
(``models.cleanup.voices_to_roll``); one with an onset output (``TrackSpec.onsets``) is
cleaned by the same rules, but a step its onset output strikes starts a note even on the
pitch already sounding, and a struck note may be one step long (``clean_struck_voice``):
the two-step minimum merged MMA's sixteenths into the beat and one pitch a step could
not repeat a note (issue 17, the pop ballad's bass at 2.0 notes a bar against 3.5).
The other kinds are Bernoulli rolls, binarized with the same density rule (a cell plays
where ``density * p > (1 - density) * (1 - p)``, so 0.5 is "more likely than not") and
then tidied:

- *chords*: decided per chord, not per cell (``clean_chords``): where the track is
  expected to sound, chords held until the network strikes again, each of the 2-5
  likeliest notes over its steps; every chord's notes start together.
- *drums*: a hit where the hit probability passes the threshold, at most one per kit
  row and step; a drum sounds only where it is struck (``sounding == onsets``).
- *bass*, given the bars (``bar_starts``): a bass plays in every bar. Cleaned step by
  step, the rest class could win a whole bar (the benchmark found one silent bar in 20
  of a country 3/4 tune, and the last bar of waltz tunes), and in every style's real
  parts the bass plays in every bar (``docs/band-data.md``); in such a bar the rest is
  taken out over the bar's first beat, so the bass plays its likeliest pitch on the
  downbeat, as the styles' basses do, and rests the rest of the bar as the network
  chose (``bass_in_every_bar``).
- the *band together*, given the bars (``clean_band``): a bass note struck on a bar's
  first step whose pitch class none of the chords tracks sound there moves to the
  likeliest pitch (the bass's own probabilities over the note) among those they do
  sound: a bass player lands on the chord on the one, a passing tone is for the weak
  beats. Cleaned alone, the bass took its own likeliest pitch, and on the held-out folk
  tunes in country 3/4 (session 11) 12% of the candidates' downbeats missed the chord
  the comping played, a tenth of them in bars the rule above had filled
  (``docs/band-model.md``). A note held over the bar line is left as it is.

Each returns ``(sounding, onsets)``, ``(step, track.n_rows)`` bool. The pitch classes a
pitched track sounds (``pitch_classes``, for a step, a take or candidates) are read here
once, for this clean-up, the band ranking (``models.band_ranking``) and the per-track
metrics (``models.track_metrics``).
"""

from __future__ import annotations

import functools

import numpy as np

from models.cleanup import (
    REST,
    _clean_segments,
    voice_labels,
    voices_to_roll,
)
from models.pianoroll import Meter, bar_starts, meter_positions
from models.tracks import TrackSpec

Rolls = tuple[np.ndarray, np.ndarray]  # (sounding, onsets), (step, rows) bool

MIN_CHORD_NOTES = 2
MAX_CHORD_NOTES = 5


def _plays(probs: np.ndarray, density: float) -> np.ndarray:
    if not 0.0 <= density <= 1.0:
        raise ValueError(f"Density must be between 0 and 1 (0.5 is neutral); got {density}.")
    return density * probs > (1.0 - density) * (1.0 - probs)


def _expected_notes_threshold(density: float) -> float:
    """How many notes a step must be expected to sound (the sum of its probabilities)
    to sound at all: 1 at density 0.5, fewer at higher density, more at lower."""
    if not 0.0 <= density <= 1.0:
        raise ValueError(f"Density must be between 0 and 1 (0.5 is neutral); got {density}.")
    return (1.0 - density) / density if density > 0 else float("inf")


def clean_chords(
    sounds: np.ndarray, starts: np.ndarray, density: float = 0.5, min_steps: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """A chords track's ``sounds``/``starts`` probabilities ``(step, rows)`` → rolls.

    Decided per chord rather than per cell: a network unsure *which* notes sound spreads
    its probability over neighbouring rows, so no cell passes one half although a chord
    surely sounds. A step sounds where its expected number of notes (the sum of its
    probabilities) reaches ``_expected_notes_threshold``; a new chord starts where the
    track starts sounding or its expected number of struck notes reaches one; a chord
    shorter than ``min_steps`` joins the chord before it (a flicker, not a new chord).
    Each chord takes its likeliest rows over its steps, as many as its expected notes,
    2 to 5 (a lone note is no chord, and more than five is a smear).
    """
    n_steps, n_rows = sounds.shape
    active = sounds.sum(axis=1) >= _expected_notes_threshold(density)
    struck = starts.sum(axis=1) >= 1.0
    segments: list[list[int]] = []  # [first step, length]
    for step in range(n_steps):
        if not active[step]:
            continue
        joins = segments and segments[-1][0] + segments[-1][1] == step and not struck[step]
        short = (
            segments and segments[-1][0] + segments[-1][1] == step and segments[-1][1] < min_steps
        )
        if joins or short:
            segments[-1][1] += 1
        else:
            segments.append([step, 1])
    sounding = np.zeros((n_steps, n_rows), dtype=bool)
    onsets = np.zeros_like(sounding)
    for first, length in segments:
        mean = sounds[first : first + length].mean(axis=0)
        n_notes = int(np.clip(round(float(mean.sum())), MIN_CHORD_NOTES, MAX_CHORD_NOTES))
        rows = np.sort(np.argsort(-mean, kind="stable")[:n_notes])
        sounding[first : first + length, rows] = True
        onsets[first, rows] = True
    return sounding, onsets


def clean_drums(hits: np.ndarray, density: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """A drums track's hit probabilities ``(step, kit rows)`` → rolls (hits only)."""
    struck = _plays(hits, density)
    return struck.copy(), struck


def first_beats(
    meters: Meter | list[tuple[int, Meter]], n_steps: int, bar_phase: int = 0
) -> list[tuple[int, int, int]]:
    """``(bar start, first beat's end, bar end)`` of every bar under the meter map; a
    pickup's partial bar is a bar from step 0 (its first beat is the first one it has)."""
    meter_map = [(0, meters)] if isinstance(meters, Meter) else list(meters)
    phase, _ = meter_positions(meter_map, n_steps, bar_phase)
    starts = bar_starts(meter_map, n_steps, bar_phase)
    beats = np.flatnonzero(phase == 0)
    bars = []
    for start, end in zip(starts, [*starts[1:], n_steps], strict=True):
        later = beats[beats > start]
        bars.append((start, int(min(later[0], end)) if later.size else end, end))
    return bars


def bass_in_every_bar(
    probs: np.ndarray, bars: list[tuple[int, int, int]], density: float = 0.5
) -> np.ndarray:
    """A bass's probabilities ``(step, pitches + rest)`` with the rest class taken out
    over the first beat of every bar in which, cleaned, it would not play at all."""
    probs = np.array(probs, dtype=np.float64)
    sounding = voices_to_roll(probs[None], density=density)[0][0].any(axis=1)
    for start, beat_end, end in bars:
        if not sounding[start:end].any():
            probs[start:beat_end, -1] = 0.0
    return probs


Segment = list[int]  # [label (row or REST), steps, struck at its first step (0/1)]


def clean_struck_voice(
    classes: np.ndarray, strikes: np.ndarray, density: float = 0.5, min_steps: int = 2
) -> Rolls:
    """A monophonic track with an onset output → ``(sounding, onsets)`` ``(step, rows)``.

    ``classes`` ``(step, rows + rest)`` are chosen per step as ``voice_labels`` does;
    ``strikes`` ``(step,)`` are the onset output's probabilities, a strike where they
    pass the density rule on a sounding step. The notes are cleaned by ``cleanup``'s
    bridging and minimum length, except that a struck step starts a new note (the same
    pitch again too) and a struck note is kept however short. With no strike this is
    ``voices_to_roll`` exactly (tested)."""
    labels = voice_labels(np.asarray(classes)[None], density)[0]
    struck = _plays(np.asarray(strikes, dtype=np.float64), density) & (labels != REST)
    segments: list[Segment] = []
    for step, label in enumerate(labels):
        if segments and segments[-1][0] == label and not struck[step]:
            segments[-1][1] += 1
        else:
            segments.append([int(label), 1, int(struck[step])])
    segments = _clean_segments(segments, min_steps)
    n_rows = classes.shape[1] - 1
    sounding = np.zeros((labels.shape[0], n_rows), dtype=bool)
    onsets = np.zeros_like(sounding)
    step = 0
    for label, n_steps, _ in segments:
        if label != REST:
            sounding[step : step + n_steps, label] = True
            onsets[step, label] = True
        step += n_steps
    return sounding, onsets


def clean_track(
    probs: np.ndarray,
    track: TrackSpec,
    density: float = 0.5,
    bars: list[tuple[int, int, int]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One track's probabilities ``(step, track.n_outputs)`` → ``(sounding, onsets)``;
    ``bars`` (``first_beats``), where given, keeps a bass playing in every bar."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2 or probs.shape[1] != track.n_outputs:
        raise ValueError(
            f"track {track.name!r} needs (step, {track.n_outputs}) probabilities, not {probs.shape}"
        )
    if track.monophonic:
        classes = probs[:, : track.n_rows + 1]
        if bars is not None and track.kind == "bass":
            classes = bass_in_every_bar(classes, bars, density)
        if track.onsets:
            return clean_struck_voice(classes, probs[:, -1], density)
        roll, onsets = voices_to_roll(classes[None], density=density)
        return roll[0], onsets[0]
    if track.kind == "chords":
        return clean_chords(probs[:, : track.n_rows], probs[:, track.n_rows :], density)
    return clean_drums(probs, density)


@functools.cache
def row_pitch_classes(track: TrackSpec) -> np.ndarray:
    """``(track.n_rows,)`` int, read-only: the pitch class of each row of a pitched track
    (kept per track: the clean-up asks once a bar and candidate)."""
    classes = np.array([track.row_pitch(r) % 12 for r in range(track.n_rows)], dtype=np.int64)
    classes.setflags(write=False)
    return classes


@functools.cache
def _fold(track: TrackSpec) -> np.ndarray:
    """``(track.n_rows, 12)`` float32, read-only: each row's one-hot pitch class."""
    fold = np.zeros((track.n_rows, 12), dtype=np.float32)
    fold[np.arange(track.n_rows), row_pitch_classes(track)] = 1.0
    fold.setflags(write=False)
    return fold


def pitch_classes(roll: np.ndarray, track: TrackSpec) -> np.ndarray:
    """``(..., rows)`` → ``(..., 12)`` bool: the pitch classes a pitched track's rows
    sound (or strike), for one step, a take ``(step, rows)`` or candidates ``(c, step,
    rows)`` alike. The one reading of "which pitch classes does this track play here" for
    the clean-up, the ranking and the metrics."""
    return (np.asarray(roll, dtype=np.float32) @ _fold(track)) > 0


def bass_on_the_chord(
    bass: Rolls,
    bass_probs: np.ndarray,
    track: TrackSpec,
    chords: list[tuple[Rolls, TrackSpec]],
    bars: list[tuple[int, int, int]],
) -> Rolls:
    """The bass ``(sounding, onsets)`` with each note struck on a bar's first step moved,
    where its pitch class is none the ``chords`` tracks sound at that step, to the pitch
    among theirs that ``bass_probs`` ``(step, rows + rest)`` makes likeliest over the
    note's steps (the whole note moves; its rhythm is kept)."""
    sounding, onsets = bass[0].copy(), bass[1].copy()
    n_steps = sounding.shape[0]
    pitch_class = row_pitch_classes(track)
    for start, _, _ in bars:
        struck = np.flatnonzero(onsets[start] & sounding[start])
        if struck.size != 1:
            continue
        harmony = np.zeros(12, dtype=bool)
        for (held, _), chord_track in chords:
            harmony |= pitch_classes(held[start], chord_track)
        row = int(struck[0])
        if not harmony.any() or harmony[pitch_class[row]]:
            continue
        end = start + 1
        while end < n_steps and sounding[end, row] and not onsets[end, row]:
            end += 1
        on_chord = np.flatnonzero(harmony[pitch_class])
        if not on_chord.size:  # no chord tone in the bass's range
            continue
        likelihood = bass_probs[start:end, on_chord].mean(axis=0)
        new = int(on_chord[np.argmax(likelihood)])
        sounding[start:end, row], onsets[start, row] = False, False
        sounding[start:end, new], onsets[start, new] = True, True
    return sounding, onsets


def clean_band(
    probs: list[np.ndarray],
    tracks: tuple[TrackSpec, ...],
    density: float = 0.5,
    bars: list[tuple[int, int, int]] | None = None,
) -> list[Rolls]:
    """One candidate's tracks, each ``probs[i]`` ``(step, tracks[i].n_outputs)``, cleaned
    per kind (``clean_track``); given ``bars``, its bass then lands on the chords' tones
    on every bar's first step (``bass_on_the_chord``)."""
    cleaned = [clean_track(p, t, density, bars) for p, t in zip(probs, tracks, strict=True)]
    if bars is None:
        return cleaned
    chords = [(cleaned[i], t) for i, t in enumerate(tracks) if t.kind == "chords"]
    for i, track in enumerate(tracks):
        if track.kind == "bass" and chords:
            cleaned[i] = bass_on_the_chord(cleaned[i], probs[i], track, chords, bars)
    return cleaned
