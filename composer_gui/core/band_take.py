"""The take of a model with any tracks (a band: drums, bass, chords), and the folding of
near-copies every take shares.

The chorale model's take (``Engine._chorale_take``) chains sections voice to voice and
ranks by the critic less the faults ``models.musical_checks`` finds in three voices.
Those checks know voices only, so a band's take is ranked by the critic less the faults
of its monophonic tracks (the bass) against the melody, on the shipped grid
(``models.sampling.monophonic_grid_rolls``); chords and drums are judged by the critic
alone (TODO: checks per kind). Its sections are chained draw for draw.
"""

from __future__ import annotations

import numpy as np

from composer_gui.core.melody_grid import sections
from composer_gui.core.track_notes import per_track
from models.pianoroll import STEPS_PER_BEAT

NEAR_IDENTICAL = 0.9  # Jaccard similarity of accompaniment cells above which two fold


def band_take(engine, grid, n_drawn, k, seed, density, variety, step, style_index=0):
    """Any other model's draw: each section drawn ``n_drawn`` times, candidate i made of
    draw i of each; ranked by the critic's score in the units of its calibration.
    Packed as ``(c, T, rows of all tracks)`` so sections join and near-copies fold."""
    from models.ranking import BASS_LINE_WEIGHTS, critic_units, ranking_scores, reasons
    from models.sampling import monophonic_grid_rolls

    parts = sections(grid.n_bars)
    sounding, onsets, scores = [], [], []
    for index, (first, end) in enumerate(parts):
        a, b = grid.bar_starts[first], grid.bar_starts[end]
        cleaned, section_scores = draw_tracks(
            engine,
            grid.voice[a:b],
            grid.onsets[a:b],
            grid.meters_from(a),
            grid.phase_at(a),
            n_drawn,
            seed + index,
            density,
            variety,
            style_index,
        )
        sounding.append(np.stack([np.concatenate([s for s, _ in c], axis=1) for c in cleaned]))
        onsets.append(np.stack([np.concatenate([o for _, o in c], axis=1) for c in cleaned]))
        scores.append((b - a) * np.asarray(section_scores, dtype=np.float64))
        step(0.2 + 0.5 * (index + 1) / len(parts))
    sounding, onsets = np.concatenate(sounding, axis=1), np.concatenate(onsets, axis=1)
    scores = sum(scores) / grid.n_steps
    bounds = np.cumsum([0] + [t.n_rows for t in engine.tracks])
    joins = [grid.first_beat + grid.bar_starts[first] / STEPS_PER_BEAT for first, _ in parts[1:]]

    def parts_of(i: int):
        return [
            (sounding[i][:, lo:hi], onsets[i][:, lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])
        ]

    # The musical checks judge voices: the melody and the band's monophonic tracks (its
    # bass) on the shipped grid, without the checks of a three-voice texture
    # (``BASS_LINE_WEIGHTS``). A band without one is ranked by the critic alone.
    mono, _ = monophonic_grid_rolls([parts_of(i) for i in range(len(scores))], engine.tracks)
    if mono.shape[1]:
        # The checks read three voices under the melody, the bass last: the band's
        # monophonic tracks take the lowest places, silent voices the rest.
        c, v, t, p = mono.shape
        mono = np.concatenate([np.zeros((c, max(0, 3 - v), t, p), dtype=bool), mono[:, -3:]], 1)
        _, checks = engine._rank(grid, mono, scores)
        quantiles = engine.card["calibration"]["quantiles"]
        ranking = ranking_scores(scores, checks, quantiles, BASS_LINE_WEIGHTS)
        counts = lambda i: dict(checks[i].counts)  # noqa: E731
    else:
        ranking, checks = critic_units(scores, engine.card["calibration"]["quantiles"]), None
        counts = lambda i: {}  # noqa: E731
    chosen = fold_near_identical(sounding, ranking, k)
    take_checks = [checks[i] for i in chosen] if checks is not None else None

    def reasons_of(position: int) -> list[str]:
        if take_checks is None:
            return []
        return reasons(take_checks, position, weights=BASS_LINE_WEIGHTS)

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


def draw_tracks(
    engine, voice, onsets, meters, bar_phase, n_drawn, seed, density, variety, style_index=0
):
    """One batched pass for a model of any tracks: per candidate one ``(sounding,
    onsets)`` pair per track, and the critic's score of each."""
    import torch

    from models.sampling import (
        candidate_probabilities,
        clean_candidates,
        critic_scores,
        melody_condition,
        pad_length,
    )

    generator = engine._generator
    device = next(generator.parameters()).device
    n = pad_length(voice.shape[0], generator.config.time_multiple)
    n_styles = generator.config.n_style_channels
    cond = melody_condition(voice, onsets, meters, bar_phase, n, device, style_index, n_styles)
    with torch.inference_mode():
        probs = candidate_probabilities(generator, cond, n_drawn, seed, variety)
        cleaned = clean_candidates(probs, density, voice.shape[0], engine.tracks)
        cleaned = [per_track(c, len(engine.tracks)) for c in cleaned]
        return cleaned, critic_scores(engine._critic, cond, cleaned)


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
