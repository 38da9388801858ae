"""The critic's ranking stage: teach the Wasserstein critic to order one melody's candidates.

Why a stage of its own: a critic trained only to tell real chorales from fakes separates
them by whatever *all* of one melody's candidates share (after clean-up none has a note
shorter than an 8th, and their voices move less than Bach's), so it ranked candidates at
chance or worse: its top of 16 beat the median candidate on Bach's metrics for 32-44% of
held-out melodies (``benchmarks/bench_ranking.py``).  Ranking is a question *within* one
melody, so this stage gives the critic a signal from within one melody.

For chorales of the training split, the generator writes k candidates exactly as the app
does (same sampling and clean-up), and each candidate is labelled by how close its texture
is to Bach's own accompaniment of that melody (``metrics.distance_to_reference`` against
the window metrics of Bach's voices).  The critic learns a pairwise logistic
(Bradley-Terry) loss over the candidates of one melody: the closer of two should score
higher.  Validation and test chorales are never seen.

What it costs (README, "Teaching the critic the test"; test split, 3 seeds): the stage
lifts the critic's top candidate past the median on Bach's metrics from 44% to 70% of
melodies (67% over six seeds), but its agreement with Bach's harmony falls from 49% to
45%, it rejects Bach with wrong notes 74% of the time instead of 95%, and the candidates
score about as high as real chorales.  ``anchor_weight`` holds the critic's scores of
Bach's accompaniment, a spoiled copy and the candidates' mean where they were: at 0.1 the
critic keeps what it knew (wrong notes 90%) and the metric test reaches 64%, at 1.0 only
56%.  Labelling against Bach's average over the training split instead (``closeness_to=
"corpus"``: ``evaluate.bach_reference``, as in the ranking test, over up to four windows
of each training chorale) with the anchor at 0.1 is the best balance: 61% on test and
59% on validation over six seeds, wrong notes rejected 93% of the time, but another
training seed, more draws, transposed draws, longer training or a higher learning rate
stay at 57-65% on test (51-66% on validation), and on validation its agreement with
Bach's harmony is 1-12 points below the shipped critic's in each of those runs.  The
stage underfits rather than overfits: on fresh draws for the training melodies
themselves its pick beats the median for 62% (anchored or not), and the ranking loss
ends at 0.64-0.67 against 0.69 at chance (at a learning rate of 1e-3 without the
anchor: 0.57 and 66%, but wrong notes are rejected only 31% of the time).
Keeping the Wasserstein loss itself beside the ranking (weight 0.1, with the gradient
penalty) left the ranking loss at chance (0.69) for 900 steps.  That is why the shipped
model does not use this stage: on validation, each variant that moved toward the metric
test moved away from Bach's harmony.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from models.build_dataset import REST, Dataset
from models.config import CLOSENESS_TO
from models.encoding import REST_CLASS, accompaniment_channels, voice_one_hot
from models.evaluate import bach_reference, generate_for_window, real_roll, windows
from models.metrics import distance_to_reference, piece_metrics, track_metrics
from models.negatives import spoil


@dataclass
class CandidateSet:
    """One training melody, the app's k candidates for it, and how close each is to Bach."""

    cond: torch.Tensor  # (1, C, n) melody condition, padded to the critic's multiple
    candidates: torch.Tensor  # (k, V, n) voices as pitch indices, REST for rest
    real: torch.Tensor  # (V, n) Bach's voices, REST for rest
    closeness: np.ndarray  # (k,) minus the distance of each candidate's texture to Bach's


@dataclass
class RankingConfig:
    """The stage's settings (recorded in the model card); the defaults are the README's
    "ranking stage" column."""

    bars: int = 8
    windows_per_chorale: int = 4
    draws_per_window: int = 3
    candidates: int = 16
    steps: int = 1800
    batch_melodies: int = 4
    lr: float = 1e-4
    anchor_weight: float = 0.0
    closeness_to: str = "own"  # one of CLOSENESS_TO
    seed: int = 0

    def __post_init__(self) -> None:
        if self.closeness_to not in CLOSENESS_TO:
            raise ValueError(
                f"closeness_to must be one of {', '.join(CLOSENESS_TO)}, not {self.closeness_to!r}"
            )

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def roll_voices(rolls: np.ndarray) -> np.ndarray:
    """``(k, V, T, P)`` cleaned rolls (one note per voice and step) → ``(k, V, T)`` pitch
    indices with REST where a voice is silent."""
    return np.where(rolls.any(axis=-1), rolls.argmax(axis=-1), REST).astype(np.int16)


def candidate_sets(
    generator,
    data: Dataset,
    config: RankingConfig,
    progress: Callable[[int, int], None] | None = None,
) -> list[CandidateSet]:
    """The app's candidates for every window of ``data``, drawn ``draws_per_window`` times
    with different seeds, each labelled against Bach's accompaniment of the window, or
    against Bach's average over all windows (``config.closeness_to``)."""
    wins = windows(data, config.bars, per_piece=config.windows_per_chorale)
    if config.closeness_to == "corpus":  # the same reference for every melody
        bach = [bach_reference(wins)] * len(wins)
    else:  # once per window, not once per draw
        bach = [track_metrics(real_roll(w), w.steps_per_bar) for w in wins]
    jobs = [(draw, i, w) for draw in range(config.draws_per_window) for i, w in enumerate(wins)]
    sets = []
    for done, (draw, i, w) in enumerate(jobs, start=1):
        seed = config.seed + 100_003 * draw + 7_919 * i
        cond, rolls = generate_for_window(generator, w, config.candidates, seed)
        metrics = piece_metrics(rolls, w.steps_per_bar)
        closeness = -np.array([distance_to_reference(m, bach[i]) for m in metrics])
        n, t = cond.shape[-1], w.voices.shape[1]
        candidates = np.full((rolls.shape[0], rolls.shape[1] - 1, n), REST, np.int16)
        candidates[:, :, :t] = roll_voices(rolls[:, 1:])
        real = np.full((w.voices.shape[0] - 1, n), REST, np.int16)
        real[:, :t] = w.voices[1:]
        sets.append(
            CandidateSet(
                cond.cpu(),
                torch.from_numpy(candidates),
                torch.from_numpy(real),
                np.nan_to_num(closeness, nan=-math.inf),
            )
        )
        if progress:
            progress(done, len(jobs))
    return sets


def channels(voices: torch.Tensor) -> torch.Tensor:
    """``(B, V, n)`` pitch indices (REST for rest) → critic input ``(B, V*P, n)``."""
    return accompaniment_channels(voice_one_hot(voices.long()))


def pairwise_ranking_loss(scores: torch.Tensor, closeness: torch.Tensor) -> torch.Tensor:
    """Mean logistic loss over the ordered pairs of one melody's candidates: for each pair
    whose closeness differs, ``log(1 + exp(-(s_closer - s_other)))``.  Zero pairs, zero loss."""
    closer = (closeness[:, None] > closeness[None, :]).float()
    pairs = closer.sum()
    if pairs == 0:
        return scores.sum() * 0
    margins = scores[:, None] - scores[None, :]
    return (F.softplus(-margins) * closer).sum() / pairs


def spoiled_copy(real: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Bach's voices ``(V, n)`` spoiled one of the ways ``models.negatives`` knows."""
    classes = torch.where(real < 0, REST_CLASS, real).long()[None]
    spoiled = spoil(classes, generator=generator)[0]
    return torch.where(spoiled == REST_CLASS, REST, spoiled)


def anchor_loss(critic, frozen, candidate_set: CandidateSet, rng: torch.Generator):
    """Squared drift from the critic before this stage, on what it already judged well:
    Bach's accompaniment, a spoiled copy of it, and the candidates' mean score.  The
    ranking loss only needs differences between candidates, so holding their mean keeps
    candidates below Bach and spoiled chorales below real ones without fighting it."""
    cond, k = candidate_set.cond, candidate_set.candidates.shape[0]
    pair = channels(torch.stack([candidate_set.real, spoiled_copy(candidate_set.real, rng)]))
    candidates = channels(candidate_set.candidates)
    now = torch.cat(
        [
            critic(cond.expand(2, -1, -1), pair),
            critic(cond.expand(k, -1, -1), candidates).mean()[None],
        ]
    )
    with torch.no_grad():
        before = torch.cat(
            [
                frozen(cond.expand(2, -1, -1), pair),
                frozen(cond.expand(k, -1, -1), candidates).mean()[None],
            ]
        )
    return ((now - before) ** 2).mean()


def train_ranking(
    critic,
    sets: list[CandidateSet],
    config: RankingConfig,
    progress: Callable[[int, int, dict], None] | None = None,
) -> list[dict]:
    """Fine-tune ``critic`` in place; returns a log row every 100 steps."""
    if not sets:
        raise ValueError("no candidate sets to learn ranking from")
    torch.manual_seed(config.seed)
    order = np.random.default_rng(config.seed)
    rng = torch.Generator().manual_seed(config.seed)
    frozen = copy.deepcopy(critic).eval().requires_grad_(False)
    optimizer = torch.optim.Adam(critic.parameters(), lr=config.lr, betas=(0.5, 0.9))
    critic.train()
    log, ranking_sum, anchor_sum, started = [], 0.0, 0.0, time.monotonic()
    batch = min(config.batch_melodies, len(sets))
    for step in range(1, config.steps + 1):
        ranking = anchor = torch.zeros(())
        for index in order.choice(len(sets), batch, replace=False):
            candidate_set = sets[index]
            k = candidate_set.candidates.shape[0]
            scores = critic(
                candidate_set.cond.expand(k, -1, -1), channels(candidate_set.candidates)
            )
            closeness = torch.from_numpy(candidate_set.closeness).float()
            ranking = ranking + pairwise_ranking_loss(scores, closeness) / batch
            if config.anchor_weight > 0:
                anchor = anchor + anchor_loss(critic, frozen, candidate_set, rng) / batch
        optimizer.zero_grad(set_to_none=True)
        (ranking + config.anchor_weight * anchor).backward()
        optimizer.step()
        ranking_sum += float(ranking.detach())
        anchor_sum += float(anchor.detach())
        if step % 100 == 0 or step == config.steps:
            span = (step - 1) % 100 + 1
            row = {
                "step": step,
                "seconds": round(time.monotonic() - started, 1),
                "ranking_loss": round(ranking_sum / span, 4),
                "anchor_loss": round(anchor_sum / span, 4),
            }
            log.append(row)
            ranking_sum = anchor_sum = 0.0
            if progress:
                progress(step, config.steps, row)
    critic.eval()
    return log


def tune_model_file(
    model_path,
    data: Dataset,
    out,
    config: RankingConfig,
    progress: Callable[..., None] | None = None,
) -> Path:
    """The ``composer-gui train-ranking`` job: a model file whose critic has learned to
    rank.  The generator is unchanged; the card records this stage and drops the
    calibration and metrics, which described the old critic (``evaluate --update-card``
    measures them again, and the app refuses a model without a calibration)."""
    from models.checkpoint import load_model, model_tensors, save_tensors_and_card

    started = time.monotonic()
    generator, critic, card = load_model(model_path)  # float32 modules, whatever the file
    sets = candidate_sets(
        generator, data, config, lambda done, total: progress and progress("draw", done, total)
    )
    log = train_ranking(
        critic,
        sets,
        config,
        lambda step, total, row: progress and progress("learn", step, total, row),
    )
    card = {k: v for k, v in card.items() if k not in ("calibration", "metrics")}
    card["critic_ranking"] = {
        "config": config.to_dict(),
        "melodies": len(sets),
        "seconds": round(time.monotonic() - started, 1),
        "last_ranking_loss": log[-1]["ranking_loss"] if log else None,
    }
    out = Path(out).with_suffix(".safetensors")
    save_tensors_and_card(model_tensors(generator, critic), card, out.with_suffix(""))
    return out
