"""Measures that judge an accompaniment against its melody, written apart from the product.

The ranking (the critic, and whatever musical checks shape it) must not be judged by its
own yardstick, so these measures are defined here from published sources and textbook
rules, import nothing from the engine or the ranking, and are used only by benchmarks
(``benchmarks/bench_corpus.py``, ``benchmarks/bench_ranking_heldout.py``) and tests.

Harmony with the melody, from Yeh et al. (2021), "Automatic melody harmonization with
triad chords: a comparative study", J. New Music Research 50(1), section 5.1, checked
against the evaluation code its authors released.  Their "chord" is a triad label; here
the chord at a step is the set of pitch classes the accompaniment sounds there.  All
three are counted per 16th step, as the authors' code does (a long note weighs more).

- **PCS**, pitch consonance score: for each step where the melody and the accompaniment
  sound, each pair (melody note, chord pitch class) scores +1 for a unison/octave, third,
  perfect fifth or sixth, 0 for a perfect fourth and -1 for anything else; PCS is the
  mean over all pairs (1 = every pair consonant, -1 = every pair dissonant).  The
  interval is taken from the chord tone up to the melody note, modulo 12, as the chord
  sits under the melody.  (The authors' code takes ``|m - c|`` of the pitch-class
  numbers, which tells fourths from fifths by key: C-G always scores +1 and G-D always
  0.  That is not reproduced; the price of the directional reading is that a melody on
  the root of a triad scores 2/3, the root a fourth above the chord's fifth, as the
  paper scores every fourth.)  ``pcs(..., on_beats=True)`` counts only the steps that
  begin a beat: "harmony with the melody on strong beats".
- **PCS on the beats, prepared dissonance credited** (``pcs_treated``, a proposal beside
  PCS, not the issue's measure): as ``pcs(on_beats=True)``, but a dissonant pair (-1)
  scores +1 when either of its notes is *treated* as the textbooks teach (Aldwell &
  Schachter ch. 9; Piston, *Harmony*, "Nonharmonic tones"): its line had it already at
  the step before (a suspension, held over or struck again) or reached it by step (an
  accented passing or neighbour note), and leaves it by step to its next pitch.  A
  suspension or passing seventh is then no fault; an unprepared clash, or one left by
  leap, still is.  Lines as for voice leading below (a part's top note, the lowest part's
  lowest); a chord tone no line carries is untreated.
- **CTnCTR**, chord tone to non-chord tone ratio: ``(n_c + n_p) / (n_c + n_n)`` over
  melody steps with a chord, where ``n_c`` counts steps whose melody pitch class is in
  the chord, ``n_n`` the others, and ``n_p`` the *proper* non-chord tones among them:
  those whose next different melody note is within 2 semitones and a chord tone of the
  chord it sounds with (the authors' code also asks for the resolution to be a chord
  tone).  1 means every melody note is a chord tone or resolved by step.
- **MCTD**, melody-chord tonal distance: the Euclidean distance between the 6-D tonal
  centroid (Harte, Sandler and Gasser 2006, "Detecting harmonic change in musical audio")
  of the melody note and that of the chord, averaged over steps; lower is closer.
  (``models.metrics.tonal_distance`` uses the same projection, per bar and track.)

Voice leading, from the common-practice rules any harmony textbook states (e.g. Aldwell &
Schachter, "Harmony and Voice Leading"), over the lines melody, then each accompaniment
part from the top (its highest note per step; the lowest part's lowest note):

- ``parallels``: consecutive fifths or octaves (unisons, compound intervals alike), i.e.
  two lines both moving in the same direction from one perfect fifth (or octave) to
  another at the same step, counted once per motion, between any two lines;
- ``crossing``: share of steps where a line sounds below the line under it;
- ``spacing``: share of steps where two adjacent upper lines (not the lowest pair) are
  more than an octave apart;
- ``leaps``: share of an accompaniment line's moves larger than a fifth (an octave for
  the lowest line);
- ``voice_leading``: the faults above as a musician counts them, per bar: each parallel
  motion, each crossing or wide spacing begun, each leap over a major sixth (an octave in
  the bass); one reading of voice leading in which ties are rarer than in the shares;
- ``wrong_notes``: share of accompaniment notes sounding at a beat's first step that
  lie a semitone (minor second, major seventh, minor ninth) or a tritone from the melody;
- ``bass_on_chord_tone``: share of downbeats where everything else sounding lies a third,
  fifth, sixth, octave or minor seventh above the lowest part (the bass is a tone of the
  chord, not a note against it; for band styles: the bass plays the chord);
- ``empty_bars``: per part, the share of bars in which it sounds nothing.

Everything reads a :class:`Texture`: MIDI pitches on the 16th-note grid, with the beats
and bars of the music's own meter (:func:`metric_grid`), so the measures need nothing
from the model's grid and judge a MIDI file, a candidate or Bach alike.
"""

from __future__ import annotations

import math

import numpy as np

from models.harmony_texture import (  # noqa: F401  (the measures' public texture API)
    N_MIDI,
    REST,
    STEPS_PER_QUARTER,
    Texture,
    meter_steps,
    metric_grid,
    texture_from_notes,
    texture_from_voices,
)

# PCS weight of an interval (semitones mod 12) from a chord tone up to the melody note.
PCS_WEIGHT = np.array([1, -1, -1, 1, 1, 0, -1, 1, 1, 1, -1, -1], dtype=np.float64)
CLASHES = (1, 6, 11)  # semitone (any octave) and tritone: "wrong notes" on a beat
PERFECT = (0, 7)
SUPPORTED = (
    0,
    3,
    4,
    7,
    8,
    9,
    10,
)  # above a bass that is a chord tone: 3rds, 5th, 6ths, m7  # octave/unison and fifth, modulo 12
SPACING_LIMIT = 12  # semitones between adjacent upper lines
LEAP_LIMIT = 7  # an upper accompaniment line's move larger than a fifth is a large leap
BASS_LEAP_LIMIT = 12  # the lowest line may leap an octave
COMPOSITE_LEAP_LIMIT = 9  # voice_leading_faults: a leap over a major sixth (upper lines)

# name: (higher is better, what it says).  The order is the order benchmarks print.
MEASURES: dict[str, tuple[bool, str]] = {
    "pcs_beats": (True, "PCS on the beats (Yeh et al. 2021)"),
    "pcs_treated": (True, "PCS on the beats, prepared dissonance credited"),
    "untreated": (False, "dissonances with the melody on the beats, not prepared and resolved"),
    "pcs": (True, "PCS on every 16th step"),
    "ctnctr": (True, "chord and proper non-chord tones in the melody (CTnCTR)"),
    "mctd": (False, "melody-chord tonal distance (MCTD)"),
    "parallels": (False, "parallel fifths and octaves"),
    "crossing": (False, "steps with crossed voices"),
    "spacing": (False, "steps with upper voices over an octave apart"),
    "leaps": (False, "leaps over a fifth (over an octave in the bass)"),
    "voice_leading": (False, "voice-leading faults a bar: parallels, crossings, spacing, leaps"),
    "wrong_notes": (False, "wrong notes: a semitone or tritone off the melody on a beat"),
    "bass_on_chord_tone": (True, "downbeats whose bass is a tone of the chord"),
}


# ---------------------------------------------------------------------------------------
# Harmony with the melody (Yeh et al. 2021)


def chord_pitch_classes(texture: Texture) -> np.ndarray:
    """``(step, 12)`` bool: the pitch classes the accompaniment sounds at each step."""
    sounding = texture.parts.any(axis=0)  # (step, 128)
    classes = np.zeros((texture.n_steps, 12), dtype=bool)
    for pc in range(12):
        classes[:, pc] = sounding[:, pc::12].any(axis=1)
    return classes


def _mean(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator else math.nan


def pcs(texture: Texture, on_beats: bool = False) -> float:
    """Pitch consonance score in [-1, 1]; NaN when melody and chord never sound together."""
    chord = chord_pitch_classes(texture)
    steps = (texture.melody >= 0) & chord.any(axis=1)
    if on_beats:
        steps &= texture.beat_starts
    melody_pc = texture.melody[steps] % 12  # (n,)
    intervals = (melody_pc[:, None] - np.arange(12)[None, :]) % 12  # (n, chord pc)
    weights = PCS_WEIGHT[intervals] * chord[steps]
    return _mean(weights.sum(), chord[steps].sum())


def ctnctr(texture: Texture) -> float:
    """Chord tone to non-chord tone ratio in [0, 1]; NaN with no melody step under a chord."""
    counted, chord_tone, proper = ctnctr_steps(texture)
    n_chord = int(chord_tone.sum())
    return _mean(n_chord + int(proper.sum()), int(counted.sum()))


def ctnctr_steps(texture: Texture) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CTnCTR step by step, three ``(step,)`` bool arrays: the steps it counts (melody
    under a chord), those whose melody pitch class the chord sounds, and the *proper*
    non-chord tones (the next different melody pitch within 2 semitones and a chord tone
    of its own step's chord): what a diagnostic reads where two candidates differ."""
    chord = chord_pitch_classes(texture)
    melody = texture.melody
    # For each step, the step of the next different melody pitch (rests skipped), or -1.
    following = np.full(texture.n_steps, -1, dtype=np.int64)
    nxt = -1
    for step in range(texture.n_steps - 1, -1, -1):
        following[step] = nxt
        if melody[step] >= 0 and (step == 0 or melody[step - 1] != melody[step]):
            nxt = step  # a new pitch begins here: it is "next" for the steps before it
    counted = (melody >= 0) & chord.any(axis=1)
    chord_tone = np.zeros(texture.n_steps, dtype=bool)
    proper = np.zeros(texture.n_steps, dtype=bool)
    for step in np.flatnonzero(counted):
        pitch = melody[step]
        if chord[step, pitch % 12]:
            chord_tone[step] = True
            continue
        j = following[step]
        while j >= 0 and melody[j] == pitch:  # the same pitch struck again is not a move
            j = following[j]
        if j >= 0 and abs(int(melody[j]) - int(pitch)) <= 2 and chord[j, melody[j] % 12]:
            proper[step] = True
    return counted, chord_tone, proper


def _tonal_centroid_basis() -> np.ndarray:
    """Harte et al. (2006): pitch class l -> circles of fifths (r=1), minor thirds (r=1)
    and major thirds (r=0.5); ``(6, 12)``."""
    pc = np.arange(12)
    rows = []
    for angle, radius in ((7 * math.pi / 6, 1.0), (3 * math.pi / 2, 1.0), (2 * math.pi / 3, 0.5)):
        rows += [radius * np.sin(pc * angle), radius * np.cos(pc * angle)]
    return np.array(rows)


TONAL_CENTROID = _tonal_centroid_basis()


def tonal_centroid(chroma: np.ndarray) -> np.ndarray:
    """``(..., 6)`` centroid of chroma vectors ``(..., 12)``, L1-normalised (zeros stay 0)."""
    chroma = np.asarray(chroma, dtype=np.float64)
    total = chroma.sum(axis=-1, keepdims=True)
    return (chroma @ TONAL_CENTROID.T) / np.where(total > 0, total, 1.0)


def mctd(texture: Texture) -> float:
    """Melody-chord tonal distance (lower is closer); NaN when they never sound together."""
    chord = chord_pitch_classes(texture)
    steps = (texture.melody >= 0) & chord.any(axis=1)
    melody_chroma = np.zeros((int(steps.sum()), 12))
    melody_chroma[np.arange(melody_chroma.shape[0]), texture.melody[steps] % 12] = 1.0
    distance = np.linalg.norm(tonal_centroid(melody_chroma) - tonal_centroid(chord[steps]), axis=1)
    return _mean(distance.sum(), distance.shape[0])


# ---------------------------------------------------------------------------------------
# Voice leading and wrong notes


def voice_lines(texture: Texture) -> np.ndarray:
    """``(line, step)`` MIDI pitch or REST: the melody, then each part's top note (the
    lowest part's lowest note), top to bottom."""
    lines = [texture.melody]
    n_parts = texture.parts.shape[0]
    pitches = np.arange(N_MIDI)
    for i, part in enumerate(texture.parts):
        sounding = part.any(axis=1)
        if i == n_parts - 1:
            pitch = np.where(part, pitches, N_MIDI).min(axis=1)
        else:
            pitch = np.where(part, pitches, -1).max(axis=1)
        lines.append(np.where(sounding, pitch, REST))
    return np.stack(lines).astype(np.int64)


def parallel_perfects(texture: Texture) -> int:
    """Consecutive fifths and octaves between any two lines, once per motion."""
    lines = voice_lines(texture)
    count = 0
    for a in range(lines.shape[0]):
        for b in range(a + 1, lines.shape[0]):
            x, y = lines[a], lines[b]
            sounding = (x[1:] >= 0) & (x[:-1] >= 0) & (y[1:] >= 0) & (y[:-1] >= 0)
            dx, dy = x[1:] - x[:-1], y[1:] - y[:-1]
            similar = (dx != 0) & (dy != 0) & (np.sign(dx) == np.sign(dy))
            before, after = (x[:-1] - y[:-1]) % 12, (x[1:] - y[1:]) % 12
            perfect = (before == after) & np.isin(before, PERFECT)
            count += int((sounding & similar & perfect).sum())
    return count


def _share_of_steps(fault: np.ndarray, counted: np.ndarray) -> float:
    return _mean(float((fault & counted).sum()), float(counted.sum()))


def crossing_share(texture: Texture) -> float:
    """Share of steps (with two adjacent lines sounding) where a line is below the next."""
    lines = voice_lines(texture)
    upper, lower = lines[:-1], lines[1:]
    both = (upper >= 0) & (lower >= 0)
    return _share_of_steps((both & (upper < lower)).any(axis=0), both.any(axis=0))


def spacing_share(texture: Texture) -> float:
    """Share of steps (with an upper adjacent pair sounding) where such a pair is more than
    an octave apart; the lowest pair (tenor and bass) may be wider.  NaN under 3 lines."""
    lines = voice_lines(texture)
    if lines.shape[0] < 3:
        return math.nan
    upper, lower = lines[:-2], lines[1:-1]
    both = (upper >= 0) & (lower >= 0)
    wide = both & (upper - lower > SPACING_LIMIT)
    return _share_of_steps(wide.any(axis=0), both.any(axis=0))


def leap_counts(
    texture: Texture, limit: int = LEAP_LIMIT, bass_limit: int = BASS_LEAP_LIMIT
) -> tuple[int, int]:
    """``(leaps, moves)`` of the accompaniment lines: moves are pitch changes between
    sounding steps, leaps those larger than ``limit`` semitones (``bass_limit`` in the
    lowest line)."""
    lines = voice_lines(texture)[1:]
    leaps = moves = 0
    for i, line in enumerate(lines):
        most = bass_limit if i == lines.shape[0] - 1 else limit
        step = np.abs(line[1:] - line[:-1])
        moved = (line[1:] >= 0) & (line[:-1] >= 0) & (step > 0)
        moves += int(moved.sum())
        leaps += int((moved & (step > most)).sum())
    return leaps, moves


def leap_share(texture: Texture) -> float:
    """Share of the accompaniment lines' moves (pitch changes between sounding steps) that
    are large leaps."""
    return _mean(*leap_counts(texture))


def _fault_starts(fault: np.ndarray) -> int:
    """How many times a ``(pair, step)`` fault begins (a crossing held for a bar is one)."""
    before = np.zeros_like(fault)
    before[:, 1:] = fault[:, :-1]
    return int((fault & ~before).sum())


def voice_leading_faults(texture: Texture) -> float:
    """The voice-leading faults a musician counts, per bar: each parallel fifth or octave
    (:func:`parallel_perfects`), each time two adjacent lines cross or two adjacent upper
    lines move more than an octave apart (a crossing held is one fault, as one hears it),
    and each leap wider than a major sixth in an upper accompaniment line or an octave in
    the bass (the textbooks' limit: a sixth is a singable leap, a seventh or a ninth is
    not; :data:`LEAP_LIMIT`'s fifth is the stricter share above).  One reading of voice
    leading with ties left as ties: most candidates never cross, so the per-fault shares
    tie in most sets and their 65% target cannot be read alone.  Lower is better."""
    lines = voice_lines(texture)
    upper, lower = lines[:-1], lines[1:]
    both = (upper >= 0) & (lower >= 0)
    crossings = _fault_starts(both & (upper < lower))
    spacing = 0
    if lines.shape[0] >= 3:
        wide = both[:-1] & (upper[:-1] - lower[:-1] > SPACING_LIMIT)
        spacing = _fault_starts(wide)
    leaps, _ = leap_counts(texture, COMPOSITE_LEAP_LIMIT)
    bars = max(1, int(texture.bar_starts.sum()))
    return (parallel_perfects(texture) + crossings + spacing + leaps) / bars


def wrong_note_share(texture: Texture) -> float:
    """Share of accompaniment notes sounding on a beat's first step (with the melody) that
    lie a semitone or tritone from the melody, in any octave."""
    steps = texture.beat_starts & (texture.melody >= 0)
    notes = texture.parts[:, steps]  # (part, n, 128)
    part, index, pitch = np.nonzero(notes)
    melody = texture.melody[steps][index]
    wrong = np.isin((pitch - melody) % 12, CLASHES)
    return _mean(float(wrong.sum()), float(wrong.shape[0]))


def bass_on_chord_tone_share(texture: Texture) -> float:
    """Share of downbeats (bass and something else sounding) on which the bass supports the
    chord: every other pitch class sounding (melody included) lies a third, fifth, sixth,
    octave or minor seventh above the bass, so the bass is the root, third or fifth of a
    triad (or the root of a seventh chord) rather than a note against it."""
    bass = voice_lines(texture)[-1]
    steps = np.flatnonzero(texture.bar_starts & (bass >= 0))
    hits = counted = 0
    for step in steps:
        others = set((np.flatnonzero(texture.parts[:-1, step].any(axis=0)) % 12).tolist())
        if texture.melody[step] >= 0:
            others.add(int(texture.melody[step]) % 12)
        if others:
            counted += 1
            hits += all((pc - int(bass[step])) % 12 in SUPPORTED for pc in others)
    return _mean(hits, counted)


def empty_bar_shares(texture: Texture) -> np.ndarray:
    """``(part,)``: the share of bars in which each part sounds nothing; a pickup before the
    first bar is not counted (an accompaniment may well wait for the downbeat)."""
    starts = np.flatnonzero(texture.bar_starts)
    if starts.size == 0:
        starts = np.array([0])
    bar_of_step = np.searchsorted(starts, np.arange(texture.n_steps), side="right") - 1
    sounding = texture.parts.any(axis=2)  # (part, step)
    shares = []
    for part in sounding:
        bars = bar_of_step[part & (bar_of_step >= 0)]  # a pickup is not a bar
        played = np.bincount(bars, minlength=starts.size) > 0
        shares.append(1.0 - played.mean())
    return np.array(shares)


STEP = 2  # semitones: a tone or a semitone, the move that prepares or resolves a dissonance


def treated_notes(lines: np.ndarray) -> np.ndarray:
    """``(line, step)`` True where a line's note is prepared (the same pitch the step
    before, or reached by a step) and left by a step to its next different pitch (a rest
    in between leaves it unresolved)."""
    lines = np.asarray(lines, dtype=np.int64)
    before = np.full_like(lines, REST)
    before[:, 1:] = lines[:, :-1]
    into = np.abs(lines - before)
    prepared = (lines >= 0) & (before >= 0) & (into <= STEP)
    # the next different value (a pitch or a rest) after each step, by a backward scan
    following = np.full_like(lines, REST)
    for step in range(lines.shape[1] - 2, -1, -1):
        changes = lines[:, step + 1] != lines[:, step]
        following[:, step] = np.where(changes, lines[:, step + 1], following[:, step + 1])
    away = np.abs(following - lines)
    resolved = (following >= 0) & (away > 0) & (away <= STEP)
    return prepared & resolved


def beat_pairs(texture: Texture) -> tuple[np.ndarray, np.ndarray]:
    """``(PCS weight, treated)`` per pair of the melody with a pitch class the
    accompaniment sounds, on the beats: one entry a pair; ``treated`` marks a dissonance
    (weight below 0) that the melody or a line sounding that pitch class treats as the
    textbooks teach (:func:`treated_notes`)."""
    chord = chord_pitch_classes(texture)
    steps = np.flatnonzero((texture.melody >= 0) & chord.any(axis=1) & texture.beat_starts)
    lines = voice_lines(texture)
    treated = treated_notes(lines)
    weights, credited = [], []
    for step in steps:
        melody = int(texture.melody[step])
        for pc in np.flatnonzero(chord[step]):
            weight = PCS_WEIGHT[(melody - pc) % 12]
            ok = False
            if weight < 0:
                line = lines[1:, step]
                carried = treated[1:, step] & (line >= 0) & (line % 12 == pc)
                ok = bool(treated[0, step] or carried.any())
            weights.append(weight)
            credited.append(ok)
    return np.array(weights, dtype=np.float64), np.array(credited, dtype=bool)


def pcs_treated(texture: Texture, pairs: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """PCS on the beats with each treated dissonance (:func:`treated_notes`) scored +1
    (``pairs``: :func:`beat_pairs` of the texture, when the caller has them)."""
    weights, treated = beat_pairs(texture) if pairs is None else pairs
    return _mean(np.where(treated, 1.0, weights).sum(), len(weights))


def untreated_dissonance(
    texture: Texture, pairs: tuple[np.ndarray, np.ndarray] | None = None
) -> float:
    """The share of the melody's pairs on the beats (:func:`beat_pairs`) that are
    dissonances no line prepares and resolves by step: the clash a musician hears as
    wrong, where PCS on the beats also counts Bach's suspensions and passing notes."""
    weights, treated = beat_pairs(texture) if pairs is None else pairs
    return _mean(((weights < 0) & ~treated).sum(), len(weights))


def judge(texture: Texture) -> dict[str, float]:
    """Every measure of :data:`MEASURES` for one texture (NaN where nothing to measure)."""
    pairs = beat_pairs(texture)  # read once for the two measures of treated dissonance
    return {
        "pcs_beats": pcs(texture, on_beats=True),
        "pcs_treated": pcs_treated(texture, pairs),
        "untreated": untreated_dissonance(texture, pairs),
        "pcs": pcs(texture),
        "ctnctr": ctnctr(texture),
        "mctd": mctd(texture),
        "parallels": float(parallel_perfects(texture)),
        "crossing": crossing_share(texture),
        "spacing": spacing_share(texture),
        "leaps": leap_share(texture),
        "voice_leading": voice_leading_faults(texture),
        "wrong_notes": wrong_note_share(texture),
        "bass_on_chord_tone": bass_on_chord_tone_share(texture),
    }


# The measures above whose rule also shapes the product's ranking: the engine ranks by the
# critic less penalties for the checks of ``models.musical_checks`` and
# ``models.consonance``, written apart from these but judging the same things: parallels,
# crossing, spacing and leaps count the same faults; wrong notes and PCS (on the beats and
# on every step) grade consonance with the melody as the clash checks and
# ``melody_discord`` do; the bass on a chord tone is ``weak_bass``'s question.  The
# ranking benchmark marks these as not held out (shaped); CTnCTR and MCTD only judge.
# PCS with prepared dissonance credited is shaped too: ``melody_discord`` counts a
# dissonance resolved by step at half its grade, the same idea; so is the untreated
# dissonance share (session 15's proposal for harmony on the beats); and the voice-leading
# composite, a sum of faults the checks count.
SHAPING_MEASURES: tuple[str, ...] = (
    "pcs_beats",
    "pcs_treated",
    "untreated",
    "pcs",
    "parallels",
    "wrong_notes",
    "crossing",
    "spacing",
    "leaps",
    "voice_leading",
    "bass_on_chord_tone",
)
