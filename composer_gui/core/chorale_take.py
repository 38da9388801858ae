"""The chorale model's take: its sections drawn, chained voice to voice, ranked and told.

``core.band_take`` is the same for a model with other tracks (a band). The engine draws
every section (``Engine.draw_sections``); here the chorale's three voices are joined
across the sections, ranked by the critic less the faults a musician hears
(``models.ranking``), folded and given their reasons and metrics. ``chorale_ranking`` is
the one place a chorale's accompaniments are ranked, the candidates' and those scored
among them (``Engine.score_accompaniments``: Bach's own, a spoiled copy), and
``accompaniment_roll`` reads a candidate's arrangement back onto that grid.
"""

from __future__ import annotations

import numpy as np

from composer_gui.core.arrangement import Arrangement
from composer_gui.core.band_take import fold_near_identical
from composer_gui.core.melody_grid import (
    JOIN_CHOICES,
    MelodyGrid,
    chain_sections,
    melody_on_grid,
)
from composer_gui.core.track_notes import per_track
from models.pianoroll import ACCOMPANIMENT_TRACKS, LOWEST_PITCH, N_PITCHES, STEPS_PER_BEAT


def chorale_take(engine, grid, n_drawn, k, seed, density, variety, step):
    """The chorale model's draw: sections chained voice to voice, ranked by the critic
    less the faults a musician hears, with reasons and metrics."""
    from models.metrics import piece_metrics
    from models.ranking import critic_units, reasons
    from models.sampling import stack_voices

    parts, drawn = engine.draw_sections(
        grid, n_drawn, n_drawn * JOIN_CHOICES, seed, density, variety, step
    )
    section_rolls, section_onsets, section_scores = [], [], []
    for cleaned, scores in drawn:
        rolls, onsets = stack_voices(cleaned)  # (c, 3, T, P) each
        section_rolls.append(rolls)
        section_onsets.append(onsets)
        section_scores.append(scores)
    # A candidate is one draw per section, chained so its voices continue across
    # each join; its score is the bar-weighted mean of its sections' scores.
    chains = chain_sections(section_rolls, section_scores)
    rolls = np.concatenate([r[c] for r, c in zip(section_rolls, chains)], axis=2)
    onsets = np.concatenate([o[c] for o, c in zip(section_onsets, chains)], axis=2)
    weights = [end - first for first, end in parts]
    scores = sum(w * sc[c] for w, sc, c in zip(weights, section_scores, chains)) / grid.n_bars
    joins = [grid.first_beat + grid.bar_starts[first] / STEPS_PER_BEAT for first, _ in parts[1:]]
    ranking, checks = chorale_ranking(grid, rolls, scores, engine.card["calibration"])
    chosen = fold_near_identical(rolls, ranking, k)
    take_checks = [checks[i] for i in chosen]
    take_critic = critic_units(scores, engine.card["calibration"]["quantiles"])[chosen]
    melody_roll = np.zeros((1, grid.n_steps, N_PITCHES), dtype=bool)
    sounding = grid.voice >= 0
    melody_roll[0, np.flatnonzero(sounding), grid.voice[sounding]] = True
    full = [np.concatenate([melody_roll, rolls[i]]) for i in chosen]
    metrics = piece_metrics(full, grid.meters[0][1].bar_steps)
    return (
        scores,
        ranking,
        chosen,
        lambda i: per_track((rolls[i], onsets[i]), len(engine.tracks)),
        metrics,
        lambda position: reasons(take_checks, position, critic=take_critic),
        lambda i: dict(checks[i].counts),
        joins,
    )


def chorale_ranking(grid: MelodyGrid, rolls: np.ndarray, scores: np.ndarray, calibration: dict):
    """What candidates are ranked by: the critic's scores less the faults a musician
    hears (``models.ranking``), and each one's fault counts. The one place both
    ``Engine.generate`` and ``Engine.score_accompaniments`` rank, so a benchmark that
    scores Bach among the candidates uses the candidates' own scale; ``calibration`` is
    the model card's."""
    from models.musical_checks import voices_of_rolls
    from models.ranking import rank_take

    voices = np.concatenate(
        [
            np.broadcast_to(grid.voice, (rolls.shape[0], 1, grid.n_steps)),
            voices_of_rolls(rolls),
        ],
        axis=1,
    )
    return rank_take(voices, scores, calibration["quantiles"], grid.meters, grid.bar_phase)


def accompaniment_roll(melody: Arrangement, arrangement: Arrangement) -> np.ndarray:
    """The inverse of ``track_notes.accompaniment_tracks`` for the chorale model: an
    arrangement's three accompaniment tracks as the grid roll ``(3, T, P)`` of
    ``melody_on_grid(melody)`` that ``Engine.score_accompaniments`` reads (a candidate's
    own roll, to score it again)."""
    grid = melody_on_grid(melody)
    back = int(np.clip(-grid.shift, -12, 12))
    roll = np.zeros((len(ACCOMPANIMENT_TRACKS), grid.n_steps, N_PITCHES), dtype=bool)
    for track, part in zip(roll, arrangement.tracks[1 : 1 + len(ACCOMPANIMENT_TRACKS)]):
        for note in part.notes:
            start = round((note.start_beat - grid.first_beat) * STEPS_PER_BEAT)
            end = round((note.end_beat - grid.first_beat) * STEPS_PER_BEAT)
            index = note.pitch - back - LOWEST_PITCH
            if 0 <= index < N_PITCHES:
                track[max(start, 0) : min(end, grid.n_steps), index] = True
    return roll
