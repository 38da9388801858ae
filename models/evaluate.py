"""How good is a chorale model: the evaluation table, conditioning checks, the critic's
ranking and its calibration (the ``evaluate`` command's job, chorale or band, and the
card it writes are ``models.evaluate_job``).

All metrics are computed on binarized, cleaned-up music (``models.cleanup``), never on raw
network output.  The table has one row each for real Bach (the split's own
accompaniments), our model, a real accompaniment paired with a shuffled melody (what
"ignoring the melody" scores), and an untrained generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from models.build_dataset import REST, Dataset, voices_to_roll
from models.generator import Generator
from models.metrics import METRIC_NAMES, batch_metrics, distance_to_reference, diversity
from models.pianoroll import LOWEST_PITCH, N_PITCHES, Meter
from models.sampling import (
    critic_scores,
    draw_candidates,
    melody_condition,
    pad_length,
    real_accompaniment_channels,
    stack_voices,
)

HEADLINE = METRIC_NAMES


@dataclass
class Window:
    """A stretch of a real piece: the melody to condition on and Bach's accompaniment."""

    name: str
    voices: np.ndarray  # (4, T)
    onsets: np.ndarray  # (4, T)
    meter: Meter
    bar_phase: int

    @property
    def steps_per_bar(self) -> int:
        return self.meter.bar_steps


def window_spans(
    n_steps: int, meter: Meter, bar_phase: int, bars: int, per_piece: int
) -> list[tuple[int, int]]:
    """``(start, end)`` of up to ``per_piece`` non-overlapping windows of ``bars`` bars of
    a piece, each from a downbeat; a shorter piece gives one window of its whole length.
    One definition for the chorale and the band evaluations."""
    bar = meter.bar_steps
    first = (bar - bar_phase) % bar
    length = bars * bar
    starts = list(range(first, n_steps - length + 1, length))[:per_piece] or [first]
    return [(start, min(start + length, n_steps)) for start in starts]


def windows(data: Dataset, bars: int = 8, per_piece: int = 1) -> list[Window]:
    """Up to ``per_piece`` non-overlapping windows of ``bars`` bars from each piece,
    starting on a downbeat; shorter pieces give one window of their whole length."""
    out = []
    for piece in data.pieces():
        for start, end in window_spans(
            piece.n_steps, piece.meter, piece.bar_phase, bars, per_piece
        ):
            out.append(
                Window(
                    piece.name,
                    piece.voices[:, start:end],
                    piece.onsets[:, start:end],
                    piece.meter,
                    0,
                )
            )
    return out


def real_roll(window: Window) -> np.ndarray:
    return voices_to_roll(window.voices)


def generate_for_window(generator, window: Window, k: int, seed: int, density=0.5, variety=0.5):
    """``(cond, rolls (k, 4, T, P))``: cleaned candidates with the melody as track 0.

    The engine's one drawing path (``sampling.draw_candidates``, chorale voices on the
    window's meter), stacked as the chorale measures read them.  Its network pass runs in
    inference mode, but the condition is made before it, so ``cond`` is a plain tensor:
    the ranking stage (``critic_ranking``) trains the critic on it with autograd
    (``tests/models/test_evaluate.py`` checks both)."""
    cond, cleaned = draw_candidates(
        generator,
        window.voices[0],
        window.onsets[0],
        window.meter,
        window.bar_phase,
        k,
        seed,
        density,
        variety,
    )
    voices, _ = stack_voices(cleaned)
    melody = voices_to_roll(window.voices[:1])
    return cond, np.concatenate([np.repeat(melody[None], k, axis=0), voices], axis=1)


def _row(rolls_per_window: list[np.ndarray], steps_per_bar: list[int]) -> dict[str, float]:
    """Mean metrics over windows; each window contributes the mean over its candidates."""
    per_window = [
        batch_metrics(list(rolls), spb) for rolls, spb in zip(rolls_per_window, steps_per_bar)
    ]
    keys = per_window[0].keys()
    return {k: float(np.nanmean([m[k] for m in per_window])) for k in keys}


def bach_reference(wins: list[Window]) -> dict[str, float]:
    """Bach's own metrics averaged over ``wins``: what "closer to Bach's metrics" means in
    the evaluation table, the ranking test and the ranking stage's corpus labels."""
    return _row([real_roll(w)[None] for w in wins], [w.steps_per_bar for w in wins])


def evaluation_table(
    generator, data: Dataset, k: int = 4, bars: int = 8, seed: int = 0, untrained=True
) -> dict[str, dict[str, float]]:
    """The rows described in the module docstring, keyed by row name."""
    wins = windows(data, bars)
    spb = [w.steps_per_bar for w in wins]
    real = [real_roll(w)[None] for w in wins]
    table = {"bach": bach_reference(wins)}

    def generated_row(g) -> dict[str, float]:
        rolls = [generate_for_window(g, w, k, seed + i)[1] for i, w in enumerate(wins)]
        return _row(rolls, spb) | {"diversity": float(np.nanmean([diversity(r) for r in rolls]))}

    table["model"] = generated_row(generator)

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(wins))
    shuffled = []
    for i, j in enumerate(order if len(wins) > 1 else [0]):
        j = j if j != i else (i + 1) % len(wins)
        mine, other = real[i][0], real[j][0]
        t = min(mine.shape[1], other.shape[1])
        shuffled.append(np.concatenate([other[:1, :t], mine[1:, :t]], axis=0)[None])
    table["shuffled melody"] = _row(shuffled, spb)

    if untrained:
        torch.manual_seed(seed)
        fresh = Generator(generator.config).to(next(generator.parameters()).device).eval()
        table["untrained"] = generated_row(fresh)
    return table


def targets_met(table: dict[str, dict[str, float]]) -> dict[str, bool]:
    """The issue's targets: headline metrics within 15% of Bach, in-key >= 0.95 of Bach's."""
    bach, model = table["bach"], table["model"]
    result = {}
    for key in ("empty_bar_rate", "pitch_classes_per_bar", "qualified_note_rate", "polyphony"):
        scale = max(abs(bach[key]), 0.02 if key == "empty_bar_rate" else 1e-9)
        result[key] = abs(model[key] - bach[key]) <= 0.15 * scale
    result["in_key_ratio"] = model["in_key_ratio"] >= 0.95 * bach["in_key_ratio"]
    result["tonal_distance_below_shuffled"] = (
        model["tonal_distance"] < table["shuffled melody"]["tonal_distance"]
    )
    return result


def pitch_class_histogram(rolls: np.ndarray) -> np.ndarray:
    """Accompaniment pitch-class histogram of candidates ``(k, 4, T, P)``, duration weighted."""
    per_pitch = rolls[:, 1:].sum(axis=(0, 1, 2)).astype(np.float64)
    hist = np.zeros(12)
    np.add.at(hist, (LOWEST_PITCH + np.arange(N_PITCHES)) % 12, per_pitch)
    return hist


def transposition_correlation(
    generator, data: Dataset, shifts=(-5, -3, -1, 2, 4), k: int = 4, bars: int = 8, seed: int = 0
) -> float:
    """Mean circular correlation between the accompaniment's pitch-class histogram for a
    transposed melody and the original's, rotated by the transposition (1 = perfect)."""
    values = []
    for i, w in enumerate(windows(data, bars)):
        _, base = generate_for_window(generator, w, k, seed + i)
        base_hist = pitch_class_histogram(base)
        sounding = w.voices[0][w.voices[0] != REST]
        for shift in shifts:
            if sounding.size and not (
                sounding.min() + shift >= 0 and sounding.max() + shift < N_PITCHES
            ):
                continue
            moved = Window(w.name, w.voices.copy(), w.onsets, w.meter, w.bar_phase)
            moved.voices[0] = np.where(w.voices[0] == REST, REST, w.voices[0] + shift)
            _, rolls = generate_for_window(generator, moved, k, seed + i)
            hist = pitch_class_histogram(rolls)
            expected = np.roll(base_hist, shift)
            if hist.std() > 0 and expected.std() > 0:
                values.append(float(np.corrcoef(hist, expected)[0, 1]))
    return float(np.mean(values)) if values else math.nan


def critic_calibration(critic, data: Dataset, bars: int = 8, device="cpu") -> list[float]:
    """Quantiles (0..100) of the critic's scores of real accompaniments."""
    scores = []
    for w in windows(data, bars, per_piece=4):
        t = w.voices.shape[1]
        n = pad_length(t, critic.time_multiple)
        cond = melody_condition(w.voices[0], w.onsets[0], w.meter, w.bar_phase, n, device)
        real = real_accompaniment_channels(w.voices[1:], n, device)
        with torch.no_grad():
            scores.append(float(critic(cond, real)))
    return [float(q) for q in np.percentile(scores, np.arange(101))]


def candidate_calibration(
    generator, critic, data: Dataset, bars: int = 8, k: int = 4, seed: int = 0
) -> list[float]:
    """Quantiles (0..100) of the critic's scores of the model's own candidates (default
    density and variety): where the model's typical candidate sits on the real scale says
    whether that scale can tell candidates apart (the first critic put every candidate
    below every real chorale, so each read 0)."""
    scores = []
    for i, w in enumerate(windows(data, bars)):
        cond, rolls = generate_for_window(generator, w, k, seed + i)
        scores.extend(critic_scores(critic, cond, rolls[:, 1:].astype(np.float32)).tolist())
    return [float(q) for q in np.percentile(scores, np.arange(101))]


def percentile(score: float, calibration: list[float]) -> float:
    """Where a critic score falls among real Bach's scores, 0-100."""
    return float(np.interp(score, calibration, np.arange(101), left=0.0, right=100.0))


def _beats_median(value: float, values: np.ndarray, lower_is_better: bool = True) -> float:
    """1 if ``value`` is better than the median of ``values``, 0.5 on a tie, else 0."""
    median = float(np.nanmedian(values))
    if value == median or (math.isnan(value) and math.isnan(median)):
        return 0.5
    return float(value < median) if lower_is_better else float(value > median)


def _argmax_or_first(values: np.ndarray) -> int:
    """The index of the highest value, NaNs ignored (0 when all are NaN)."""
    values = np.asarray(values, float)
    return 0 if np.isnan(values).all() else int(np.nanargmax(values))


def ranking_quality(
    generator,
    critic,
    data: Dataset,
    reference: dict[str, float],
    k: int = 16,
    bars: int = 8,
    seed: int = 0,
    quantiles: list[float] | None = None,
) -> dict[str, float]:
    """How well the critic ranks k candidates per melody (with ``quantiles``, the model
    card's calibration: the critic with the musical checks, as the engine ranks,
    ``models.ranking``), as fractions of melodies where a
    pick beats the median candidate (a tie counts half):

    - ``critic``: the critic's top candidate is closer to Bach's metrics (``reference``,
      by ``metrics.distance_to_reference``);
    - ``bach_own``: Bach's own accompaniment of the melody, on the same test, as if it
      were the pick: the most a ranker that knew Bach's answer could score on it;
    - ``harmony``: the critic's top candidate agrees more with Bach's harmony for the
      melody (``harmonic_agreement.harmonic_agreement``);
    - ``voice_leading``: the critic's top candidate moves in parallel octaves and fifths
      less often (``metrics.parallel_perfect_rate``; Bach's own would beat the median
      almost always).

    Two yardsticks for those yardsticks, on the harmony test:

    - ``consensus``: the candidate whose harmony the other candidates share most
      (``harmonic_agreement.harmony_consensus``), a ranker that does not use the critic;
    - ``metrics_pick``: the candidate closest to Bach's metrics, the first test's own
      favourite: whether being closer to Bach's metrics means Bach's harmony.

    And one yardstick for the first test: ``most_pitch_classes``, the candidate with the
    most pitch classes per bar (no critic), on the first test: how far a ranker that only
    counts pitch classes gets, since Bach's lie above the candidates'.

    And two figures that say why the first test and the critic disagree (means over
    melodies, not fractions): ``critic_vs_pitch_classes``, the correlation between the
    critic's score and pitch classes per bar across one melody's candidates, and
    ``pitch_classes_below_bach``, how far the median candidate's pitch classes per bar lie
    below Bach's (the candidates share their empty-bar rate, qualified notes and polyphony,
    so pitch classes per bar and in-key ratio decide that test).
    """
    from models.harmonic_agreement import harmonic_agreement, harmony_consensus
    from models.metrics import parallel_perfect_rate, track_metrics

    hits: dict[str, list[float]] = {
        "critic": [],
        "bach_own": [],
        "harmony": [],
        "voice_leading": [],
        "consensus": [],
        "metrics_pick": [],
        "most_pitch_classes": [],
    }
    correlations, shortfalls = [], []
    for i, w in enumerate(windows(data, bars)):
        cond, rolls = generate_for_window(generator, w, k, seed + i)
        scores = critic_scores(critic, cond, rolls[:, 1:].astype(np.float32))
        if quantiles is not None:
            from models.musical_checks import check_rolls
            from models.ranking import ranking_scores

            checks = check_rolls(rolls, w.meter, w.bar_phase)
            scores = ranking_scores(scores, checks, quantiles)
        candidate_metrics = [track_metrics(r, w.steps_per_bar) for r in rolls]
        distances = np.array([distance_to_reference(m, reference) for m in candidate_metrics])
        pitch_classes = np.array([m["pitch_classes_per_bar"] for m in candidate_metrics])
        shortfalls.append(reference["pitch_classes_per_bar"] - np.nanmedian(pitch_classes))
        if np.nanstd(pitch_classes) > 0 and np.std(scores) > 0:
            keep = ~np.isnan(pitch_classes)
            correlations.append(float(np.corrcoef(scores[keep], pitch_classes[keep])[0, 1]))
        real = real_roll(w)
        own = distance_to_reference(track_metrics(real, w.steps_per_bar), reference)
        agreement = np.array([harmonic_agreement(r, real) for r in rolls])
        parallels = np.array([parallel_perfect_rate(r) for r in rolls])
        top = int(np.argmax(scores))
        hits["critic"].append(_beats_median(distances[top], distances))
        hits["bach_own"].append(_beats_median(own, distances))
        hits["harmony"].append(_beats_median(agreement[top], agreement, lower_is_better=False))
        hits["voice_leading"].append(_beats_median(parallels[top], parallels))
        for name, pick in (
            ("consensus", _argmax_or_first(harmony_consensus(rolls))),
            ("metrics_pick", _argmax_or_first(-distances)),
        ):
            hits[name].append(_beats_median(agreement[pick], agreement, lower_is_better=False))
        most = _argmax_or_first(pitch_classes)
        hits["most_pitch_classes"].append(_beats_median(distances[most], distances))
    out = {name: float(np.mean(values)) if values else math.nan for name, values in hits.items()}
    out["critic_vs_pitch_classes"] = float(np.mean(correlations)) if correlations else math.nan
    out["pitch_classes_below_bach"] = float(np.nanmean(shortfalls)) if shortfalls else math.nan
    return out


def training_evaluator(data: Dataset, n_windows: int = 24, bars: int = 4, seed: int = 0):
    """A cheap ``evaluate(generator, iteration)`` for the training log: a few validation
    windows, two candidates each, headline metrics and their distance to Bach's."""
    wins = windows(data, bars)[:n_windows]
    spb = [w.steps_per_bar for w in wins]
    reference = bach_reference(wins)

    def evaluate(generator, iteration: int) -> dict:
        was_training = generator.training
        generator.eval()
        rolls = [generate_for_window(generator, w, 2, seed + i)[1] for i, w in enumerate(wins)]
        generator.train(was_training)
        row = _row(rolls, spb)
        out = {f"val_{k}": row[k] for k in HEADLINE}
        out["val_distance_to_bach"] = distance_to_reference(row, reference)
        out["val_diversity"] = float(np.nanmean([diversity(r) for r in rolls]))
        return out

    return evaluate
