"""The take of a model with any tracks (a band: drums, bass, chords), and the folding of
near-copies every take shares.

The chorale model's take (``core.chorale_take``) chains sections voice to voice and
ranks by the critic less the faults ``models.musical_checks`` finds in three voices.
Those checks know voices only, so a band's take is ranked by the critic less the faults
of the band as a whole (chords against the melody, the bass against the chords, the
drums' pattern, notes out of key: ``models.band_ranking``, which the card's calibration
uses too), and its reasons name those. Its sections are chained draw for draw. Both
takes draw through one path (``Engine.draw_sections``, ``Engine.draw``).
"""

from __future__ import annotations

import numpy as np

from models.pianoroll import STEPS_PER_BEAT

NEAR_IDENTICAL = 0.9  # Jaccard similarity of accompaniment cells above which two fold


def band_take(engine, grid, n_drawn, k, seed, density, variety, step, style_index=0):
    """Any other model's draw: each section drawn ``n_drawn`` times, candidate i made of
    draw i of each; ranked by the critic's score in the units of its calibration.
    Packed as ``(c, T, rows of all tracks)`` so sections join and near-copies fold."""
    from models.band_ranking import band_checks, band_ranking, band_reasons
    from models.ranking import critic_units

    parts, drawn = engine.draw_sections(
        grid, n_drawn, n_drawn, seed, density, variety, step, style_index
    )
    sounding, onsets, scores = [], [], []
    for (first, end), (cleaned, section_scores) in zip(parts, drawn):
        sounding.append(np.stack([np.concatenate([s for s, _ in c], axis=1) for c in cleaned]))
        onsets.append(np.stack([np.concatenate([o for _, o in c], axis=1) for c in cleaned]))
        steps = grid.bar_starts[end] - grid.bar_starts[first]
        scores.append(steps * np.asarray(section_scores, dtype=np.float64))
    sounding, onsets = np.concatenate(sounding, axis=1), np.concatenate(onsets, axis=1)
    scores = sum(scores) / grid.n_steps
    bounds = np.cumsum([0] + [t.n_rows for t in engine.tracks])
    joins = [grid.first_beat + grid.bar_starts[first] / STEPS_PER_BEAT for first, _ in parts[1:]]

    def parts_of(i: int):
        return [
            (sounding[i][:, lo:hi], onsets[i][:, lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])
        ]

    # The critic less the band's faults (models.band_ranking, which the card's calibration
    # ranks with too).
    checks = band_checks(
        engine.tracks,
        grid.voice,
        [parts_of(i) for i in range(len(scores))],
        grid.meters,
        grid.bar_phase,
    )
    ranking = band_ranking(scores, checks, engine.card["calibration"]["quantiles"])

    def counts(i: int) -> dict:
        return dict(checks[i].counts) if checks is not None else {}

    chosen = fold_near_identical(sounding, ranking, k)
    take_checks = [checks[i] for i in chosen] if checks is not None else None
    take_critic = critic_units(scores, engine.card["calibration"]["quantiles"])[chosen]

    def reasons_of(position: int) -> list[str]:
        if take_checks is None:
            return []
        return band_reasons(take_checks, position, critic=take_critic)

    metrics = [
        band_metrics(parts_of(i), engine.tracks, grid.meters[0][1].bar_steps) for i in chosen
    ]
    return (scores, ranking, chosen, parts_of, metrics, reasons_of, counts, joins)


def band_metrics(parts, tracks, steps_per_bar: int) -> dict[str, float]:
    """A band candidate's per-track measures (``models.track_metrics``), keyed
    "track.metric" ("drums.bars_with_drums"): empty bars, notes per bar, pitch classes,
    notes per chord, drum hits. Bars are the first meter's, from the first bar."""
    from models.track_metrics import track_kind_metrics

    out = {}
    for (sounding, onsets), track in zip(parts, tracks, strict=True):
        for name, value in track_kind_metrics(sounding, onsets, track, steps_per_bar).items():
            out[f"{track.name}.{name}"] = value
    return out


def fold_near_identical(rolls: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
    """Indices of up to k candidates, best score first, skipping near-copies of better ones."""
    import torch

    # In torch, not numpy: numpy's BLAS threads would fight torch's still-spinning ones.
    cells = torch.from_numpy(rolls.reshape(rolls.shape[0], -1)).float()
    shared = (cells @ cells.T).numpy()
    sizes = np.diag(shared)
    either = sizes[:, None] + sizes[None, :] - shared
    similarity = np.divide(shared, either, out=np.ones_like(shared), where=either > 0)
    kept: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if all(similarity[i, j] < NEAR_IDENTICAL for j in kept):
            kept.append(int(i))
        if len(kept) == k:
            break
    return kept
