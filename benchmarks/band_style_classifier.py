"""A small style classifier for ``bench_band_styles``: does a band output sound like its style?

It judges only: trained on the band dataset's *training* split (real MMA renderings),
never on the model's outputs, and nothing here feeds the model.  Features are per bar
and say only rhythm, so a style is recognised by how it plays, not by its pitches:

- drums: for each kit group (kick, snare, hi-hat, toms, cymbals, percussion, as
  ``models.track_metrics.KIT_GROUPS``) whether it is struck on each step of the bar;
- bass, chords and pad: whether a note starts on each step, and the share of the bar
  each sounds; the chords' mean notes per onset.

A bar is ``meter.bar_steps`` long, so one classifier is fitted per meter (2/4 bars are 8
steps, 3/4 12, 4/4 16), over the styles the data plays in that meter.  The model is
multinomial logistic regression (numpy, full-batch gradient descent, L2), and a piece is
named by the sum of its bars' log-probabilities.
"""

from __future__ import annotations

import numpy as np

from models.track_metrics import KIT_GROUP_ROWS

GROUPS = tuple(KIT_GROUP_ROWS)
PITCHED = ("bass", "chords", "pad")


def events_from_rolls(piece, tracks) -> dict[str, np.ndarray]:
    """A ``BandPiece``'s rolls as per-step events: ``drums`` (step, group) onsets and, per
    pitched track, ``<name>_on`` (step,) notes started and ``<name>_sound`` (step,) bool."""
    out = {}
    for track, sounding, onsets in zip(tracks, piece.sounding, piece.onsets):
        if track.is_drums:
            out["drums"] = np.stack(
                [onsets[:, rows].any(axis=1) for rows in KIT_GROUP_ROWS.values()], axis=1
            )
        elif track.name in PITCHED:
            out[f"{track.name}_on"] = onsets.sum(axis=1).astype(np.float64)
            out[f"{track.name}_sound"] = sounding.any(axis=1)
    return out


def events_from_notes(
    drums: list[tuple[int, int]], pitched: dict[str, list[tuple[int, int, int]]], n_steps: int
) -> dict[str, np.ndarray]:
    """The same events from notes read back from a MIDI file: ``drums`` as
    ``(step, kit_row)`` hits, each pitched track as ``(start_step, end_step, pitch)``."""
    kit_group = {row: g for g, rows in enumerate(KIT_GROUP_ROWS.values()) for row in rows}
    out = {"drums": np.zeros((n_steps, len(GROUPS)), dtype=bool)}
    for step, row in drums:
        if 0 <= step < n_steps and row in kit_group:
            out["drums"][step, kit_group[row]] = True
    for name in PITCHED:
        on = np.zeros(n_steps)
        sound = np.zeros(n_steps, dtype=bool)
        for a, b, _ in pitched.get(name, []):
            if 0 <= a < n_steps:
                on[a] += 1
            sound[max(a, 0) : min(max(b, a + 1), n_steps)] = True
        out[f"{name}_on"], out[f"{name}_sound"] = on, sound
    return out


def bar_features(events: dict[str, np.ndarray], bar_steps: int, first_bar: int) -> np.ndarray:
    """``(bar, feature)`` for the whole bars from step ``first_bar`` on."""
    n_steps = events["drums"].shape[0]
    n_bars = (n_steps - first_bar) // bar_steps
    if n_bars <= 0:
        return np.zeros((0, bar_features_size(bar_steps)))
    span = slice(first_bar, first_bar + n_bars * bar_steps)

    def per_bar(a: np.ndarray) -> np.ndarray:
        return a[span].reshape(n_bars, bar_steps, *a.shape[1:])

    drums = per_bar(events["drums"]).reshape(n_bars, -1).astype(np.float64)
    columns = [drums]
    for name in PITCHED:
        on = per_bar(events.get(f"{name}_on", np.zeros(n_steps)))
        sound = per_bar(events.get(f"{name}_sound", np.zeros(n_steps, dtype=bool)))
        columns += [(on > 0).astype(np.float64), sound.mean(axis=1, keepdims=True)]
    chords = per_bar(events.get("chords_on", np.zeros(n_steps)))
    struck = (chords > 0).sum(axis=1)
    columns.append((chords.sum(axis=1) / np.maximum(struck, 1))[:, None])
    return np.concatenate(columns, axis=1)


def bar_features_size(bar_steps: int) -> int:
    return bar_steps * len(GROUPS) + len(PITCHED) * (bar_steps + 1) + 1


class StyleClassifier:
    """Multinomial logistic regression over bar features; ``classes`` are style names."""

    def __init__(self, classes: list[str], l2: float = 1e-3):
        self.classes = classes
        self.l2 = l2

    def fit(self, x: np.ndarray, y: np.ndarray, iterations: int = 400, lr: float = 0.5):
        self.mean = x.mean(axis=0)
        self.scale = x.std(axis=0) + 1e-6
        z = (x - self.mean) / self.scale
        n, d = z.shape
        k = len(self.classes)
        self.w = np.zeros((d, k))
        self.b = np.zeros(k)
        target = np.eye(k)[y]
        for _ in range(iterations):
            p = self._softmax(z @ self.w + self.b)
            grad = p - target
            self.w -= lr * (z.T @ grad / n + self.l2 * self.w)
            self.b -= lr * grad.mean(axis=0)
        return self

    @staticmethod
    def _softmax(logits: np.ndarray) -> np.ndarray:
        logits = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def log_probs(self, x: np.ndarray) -> np.ndarray:
        z = (x - self.mean) / self.scale
        return np.log(self._softmax(z @ self.w + self.b) + 1e-12)

    def name_bars(self, x: np.ndarray) -> list[str]:
        return [self.classes[i] for i in self.log_probs(x).argmax(axis=1)]

    def name_piece(self, x: np.ndarray) -> str | None:
        if x.shape[0] == 0:
            return None
        return self.classes[int(self.log_probs(x).sum(axis=0).argmax())]


def training_bars(data, meter_signature: tuple[int, int], max_bars: int = 24000, seed: int = 0):
    """``(x, y, classes)``: bar features of a band split's pieces in one meter."""
    rows, labels = [], []
    for i in range(len(data)):
        if tuple(int(v) for v in data.meters[i]) != meter_signature:
            continue
        piece = data.piece(i)
        steps = piece.meter.bar_steps
        first = (-int(piece.bar_phase)) % steps
        x = bar_features(events_from_rolls(piece, data.tracks), steps, first)
        rows.append(x)
        labels += [int(piece.style)] * len(x)
    if not rows:
        return None
    x, y = np.concatenate(rows), np.array(labels)
    present = sorted(set(labels))
    classes = [data.styles[s] for s in present]
    y = np.searchsorted(present, y)
    if len(x) > max_bars:
        keep = np.random.default_rng(seed).choice(len(x), max_bars, replace=False)
        x, y = x[keep], y[keep]
    return x, y, classes


def piece_accuracy(classifier: StyleClassifier, data, meter_signature) -> tuple[float, int]:
    """Share of a (held-out) split's pieces in a meter that the classifier names right."""
    right = total = 0
    for i in range(len(data)):
        if tuple(int(v) for v in data.meters[i]) != meter_signature:
            continue
        piece = data.piece(i)
        steps = piece.meter.bar_steps
        x = bar_features(
            events_from_rolls(piece, data.tracks), steps, (-int(piece.bar_phase)) % steps
        )
        named = classifier.name_piece(x)
        if named is not None:
            total += 1
            right += named == data.styles[int(piece.style)]
    return (right / total if total else float("nan")), total
