"""Clean-up that knows the meter: voices move on the eighths and no voice rests a bar
(and, measured but not shipped, a compound beat held).

``models.cleanup`` tidies each voice step by step; these rules need the meter map,
and the engine and the evaluation apply them to every candidate
(``models.sampling.clean_candidates``):

- *On the eighths*: a voice's choice is taken at the start of each eighth of the
  meter (where the phase in the beat is even; every accompanied beat is a whole number
  of eighths) and held over its second sixteenth.  The network put about 0.4 note starts
  a beat on the off sixteenths, in 4/4 and 6/8 alike, most of them a sixteenth late or
  early against the beat; Bach's chorales have 0.03 there (re-timed into 6/8, the same),
  and cleaning such a step with its neighbours lost the choice the network made on the
  beat itself.  On the validation split of the re-timed chorales (24 windows a meter)
  it brought the 4/4 harmonic rhythm to Bach's (1.41 changes a beat, 62% on the beat,
  against his 1.41 and 64%) and PCS on the beats from 0.73 to 0.81 (docs/meters.md).
- *A compound beat held* (``held=compound_beat``; **off in the product**): in a beat of
  three eighths (6/8, 9/8, 12/8, 3/8; the dotted half of 6/4) a voice's note is chosen
  from the network's probabilities over the whole beat and held, with only passing and
  neighbour notes by step on its later eighths.
  The network changed the accompaniment's pitch classes on the dotted beat's second
  eighth about 0.6 times a beat where its training data (Bach re-timed) never does, and
  its alto on the beat was the least consonant voice; on the validation split this
  raised PCS on the beat heads in every compound meter to the 4/4 level (6/8 0.78 to
  0.82, 4/4 0.81) with CTnCTR level (docs/meters.md).  Simple beats (a quarter, a half)
  are not held: there it lowered PCS (2/2 0.78 to 0.66), as the chorales' harmony moves
  on the quarter.  Judged once on the corpus benchmark (real folk tunes), it lowered PCS
  in every compound meter (6/8 0.725 to 0.636, on the beats 0.768 to 0.721) while
  CTnCTR rose a little, so the engine does not use it: the re-timed chorales' melodies,
  on which it was chosen, do not stand for real tunes in compound time
  (docs/benchmarks/corpus.md).
- *No rest a bar long*: where a voice, so cleaned, would be silent for a bar or more
  (measured as runs, not within barlines, so a pickup the grid did not find cannot hide
  a silent bar across two of its bars), the rest class is taken out there and the voice
  plays the network's own next likeliest pitches.  The corpus benchmark found such
  holes where a melody rests a bar, and once under a sounding melody.
"""

from __future__ import annotations

import numpy as np

from models.cleanup import REST, clean_voices, voice_labels, voices_to_roll
from models.pianoroll import Meter, meter_positions

MeterMap = Meter | list[tuple[int, Meter]]


def meter_grid(
    meters: Meter | list[tuple[int, Meter]], n_steps: int, bar_phase: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``(eighth starts (T,) bool, bar length in steps at each step (T,) int)``."""
    meter_map = [(0, meters)] if isinstance(meters, Meter) else list(meters)
    phase, _ = meter_positions(meter_map, n_steps, bar_phase)
    bar_steps = np.zeros(n_steps, dtype=np.int64)
    for start, meter in meter_map:
        bar_steps[max(0, start) :] = meter.bar_steps
    return phase % 2 == 0, bar_steps


def beat_spans(meters: MeterMap, n_steps: int, bar_phase: int = 0) -> list[tuple[int, int]]:
    """``[(start, end), ...]``: the steps of each beat of the meter map (its own beat: a
    dotted quarter in 6/8, a half in 2/2), a pickup's partial beat as one."""
    meter_map = [(0, meters)] if isinstance(meters, Meter) else list(meters)
    phase, _ = meter_positions(meter_map, n_steps, bar_phase)
    starts = np.flatnonzero(phase == 0)
    if n_steps and (starts.size == 0 or starts[0] != 0):
        starts = np.concatenate(([0], starts))
    ends = np.concatenate((starts[1:], [n_steps]))
    return list(zip(starts.tolist(), ends.tolist()))


def compound_beat(length: int) -> bool:
    """Whether a beat of ``length`` steps divides into three (or six) eighths: the dotted
    quarter of 6/8, 9/8, 12/8 and 3/8, the dotted half of 6/4."""
    return length >= 6 and length % 6 == 0


def held_on_beats(
    probs: np.ndarray,
    labels: np.ndarray,
    spans: list[tuple[int, int]],
    eighth_starts: np.ndarray,
    density: float = 0.5,
    held=compound_beat,
) -> np.ndarray:
    """Voice labels ``(track, step)`` with each voice's note held over every beat for
    which ``held(length)`` is true, moving inside it by step only.

    The beat's note is the voice's choice from the network's probabilities over the
    whole beat: the mean over its steps, with its first step weighing as much as the
    rest together.  Each later eighth of the beat keeps the network's own choice there
    (``labels``, already on the eighths) only where it is a step (two semitones at most)
    from the note before and the next beat's note can still be reached from it by
    steps: a passing or neighbour note.  Anything else holds the note before.  A beat
    whose choice is a rest keeps the network's eighths as they are.
    """
    labels = np.array(labels)
    out = labels.copy()
    if not any(held(e - s) for s, e in spans):
        return out
    starts = np.array([s for s, _ in spans])
    lengths = np.array([e - s for s, e in spans])
    means = np.add.reduceat(probs, starts, axis=1) / lengths[None, :, None]
    heads = voice_labels(0.5 * probs[:, starts] + 0.5 * means, density).tolist()
    eighths = np.asarray(eighth_starts, dtype=bool)
    for track, row in enumerate(labels.tolist()):
        for i, (s, e) in enumerate(spans):
            head = heads[track][i]
            if not held(e - s) or head == REST:
                continue
            target = heads[track][i + 1] if i + 1 < len(spans) else REST
            out[track, s:e] = head
            note = head
            inside = [j for j in range(s + 1, e) if eighths[j]]
            for n, j in enumerate(inside):
                choice = row[j]
                eighths_left = len(inside) - n  # to the next beat's head
                steps_on = target == REST or abs(target - choice) <= 2 * eighths_left
                if choice != REST and abs(choice - note) <= 2 and steps_on:
                    note = choice
                end = inside[n + 1] if n + 1 < len(inside) else e
                out[track, j:end] = note
    return out


def on_eighths(labels: np.ndarray, eighth_starts: np.ndarray) -> np.ndarray:
    """Voice labels ``(track, step)`` with each step that starts no eighth taking the
    label of the step before it."""
    labels = np.array(labels)
    held = np.flatnonzero(~np.asarray(eighth_starts, dtype=bool))
    held = held[held > 0]
    labels[:, held] = labels[:, held - 1]
    return labels


def play_through_long_rests(
    probs: np.ndarray,
    bar_steps: np.ndarray,
    density: float = 0.5,
    eighth_starts: np.ndarray | None = None,
    min_steps: int = 2,
) -> np.ndarray:
    """``probs`` ``(track, step, pitches + rest)`` with the rest class taken out over every
    rest a bar long or longer once the voice is cleaned (on the eighths, where given, and
    by ``clean_voices``, which rests a short note between rests)."""
    probs = np.array(probs, dtype=np.float64)
    labels = voice_labels(probs, density)
    if eighth_starts is not None:
        labels = on_eighths(labels, eighth_starts)
    sounding = clean_voices(labels, min_steps, n_pitches=probs.shape[-1] - 1)[0].any(axis=2)
    for track, voice in enumerate(sounding):
        edges = np.flatnonzero(np.diff(np.concatenate(([1], voice.astype(np.int8), [1]))))
        for start, end in zip(edges[::2], edges[1::2]):  # each silent run [start, end)
            if end - start >= bar_steps[start]:
                probs[track, start:end, -1] = 0.0
    return probs


def accompaniment_voices(
    probs: np.ndarray,
    meters: MeterMap,
    bar_phase: int = 0,
    density: float = 0.5,
    min_steps: int = 2,
    held=None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(roll, onsets)`` ``(track, step, pitch)`` of one candidate's voices from their
    probabilities, by the meter's rules and then ``models.cleanup``'s.  ``held`` says
    which beats (by length in steps) are held (``held_on_beats``, e.g. ``compound_beat``);
    ``None``, the default the engine uses, holds none (see the module's docstring)."""
    eighths, bar_steps = meter_grid(meters, probs.shape[1], bar_phase)
    probs = play_through_long_rests(probs, bar_steps, density, eighths, min_steps)
    labels = on_eighths(voice_labels(probs, density), eighths)
    if held is not None:
        spans = beat_spans(meters, probs.shape[1], bar_phase)
        labels = held_on_beats(probs, labels, spans, eighths, density, held)
    return clean_voices(labels, min_steps, n_pitches=probs.shape[-1] - 1)


# The clean-ups benchmarks compare (``benchmarks/bench_meter_positions.py``), each
# ``(probs, meters, bar_phase) -> (roll, onsets)``: before meters; the shipped rules (on
# the eighths); compound beats held; and every beat held, a quarter or a half included
# (the last two measured and not shipped: docs/meters.md).
CLEANUPS = {
    "plain": lambda probs, meters, bar_phase: voices_to_roll(probs),
    "eighths": lambda probs, meters, bar_phase: accompaniment_voices(probs, meters, bar_phase),
    "held": lambda probs, meters, bar_phase: accompaniment_voices(
        probs, meters, bar_phase, held=compound_beat
    ),
    "all_beats": lambda probs, meters, bar_phase: accompaniment_voices(
        probs, meters, bar_phase, held=lambda length: True
    ),
}
