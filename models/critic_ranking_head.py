"""The bar head's part of the critic's ranking stage (:mod:`models.critic_ranking`): a head
over each bar's pitch classes added to the GAN's critic and trained alone, held to score
Bach's accompaniment above spoiled copies of it and above the candidates' mean.

Retired from the shipped model (issue 18: it was taught the old ranking benchmark; its
record is in docs/model.md, "Teaching the critic the test"); kept so that model files
with a bar head still load and the experiment can be rerun.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from models.bar_summary import bar_summaries, transpose_summary
from models.build_dataset import REST
from models.config import GanConfig
from models.critic import Critic
from models.encoding import REST_CLASS, accompaniment_channels, voice_one_hot
from models.negatives import SPOILERS

# The spoiled copies of Bach's accompaniment a bar head is held against, one of each kind
# (models/negatives.py) but "mismatch", which needs another chorale's window.
HELD_AGAINST = ("transpose", "late", "block", "wrong_notes")
SPOILED_PER_SET = len(HELD_AGAINST)


def channels(voices: torch.Tensor) -> torch.Tensor:
    """``(B, V, n)`` pitch indices (REST for rest) → critic input ``(B, V*P, n)``."""
    return accompaniment_channels(voice_one_hot(voices.long()))


def spoiled_copies(real: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Bach's voices ``(V, n)`` spoiled once each way of ``HELD_AGAINST``: ``(kinds, V, n)``."""
    classes = torch.where(real < 0, REST_CLASS, real).long()[None]
    spoiled = torch.cat([SPOILERS[kind](classes, generator) for kind in HELD_AGAINST])
    return torch.where(spoiled == REST_CLASS, REST, spoiled)


def head_scorer(critic, sets: list, order: np.random.Generator, rng):
    """``(score, keep)`` with only the bar head live.  The patch mean and bar summaries of
    every set, of Bach's accompaniment and of its spoiled copies (``HELD_AGAINST``) are
    computed once; each call shows the head one set in a random key.  ``score`` gives
    the candidates' scores, ``keep`` the logistic loss of Bach's accompaniment scoring
    above its spoiled copies and above the candidates' mean: what the critic knew before
    the head, held, and a percentile that does not flatter the candidates."""
    critic.requires_grad_(False)
    critic.bar_head.requires_grad_(True)
    cached = []
    with torch.no_grad():
        for candidate_set in sets:
            real = candidate_set.real
            spoiled = spoiled_copies(real, rng)
            voices = torch.cat([candidate_set.candidates, real[None], spoiled])
            cond = candidate_set.cond.expand(voices.shape[0], -1, -1)
            accompaniment = channels(voices)
            patch_mean = critic.patch_scores(cond, accompaniment).mean(dim=1)
            cached.append((patch_mean, *bar_summaries(cond, accompaniment)))

    def all_scores(index: int) -> torch.Tensor:
        patch_mean, features, sounding = cached[index]
        transposed = transpose_summary(features, int(order.integers(12)))
        return patch_mean + critic.bar_head(transposed, sounding)

    def score(index: int) -> torch.Tensor:
        return all_scores(index)[: -1 - SPOILED_PER_SET]

    def keep(index: int) -> torch.Tensor:
        scores = all_scores(index)
        candidates, real = scores[: -1 - SPOILED_PER_SET], scores[-1 - SPOILED_PER_SET]
        below = torch.cat([scores[-SPOILED_PER_SET:], candidates.mean()[None]])
        return F.softplus(-(real - below)).mean()

    return score, keep


def with_bar_head(critic, gan_config: GanConfig, hidden: int, seed: int = 0):
    """A copy of ``critic`` with a new bar head of ``hidden`` units (replacing any it had)
    and its config, which the model card must record.  The head's first weights come from
    ``seed``: torch seeds each process differently, and the stage must reproduce."""
    config = gan_config.replace(critic_bar_head=hidden)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        grown = Critic(config)
    state = {k: v for k, v in critic.state_dict().items() if not k.startswith("bar_head.")}
    missing, unexpected = grown.load_state_dict(state, strict=False)
    if unexpected or not all(k.startswith("bar_head.") for k in missing):
        raise ValueError(f"the critic does not fit its config: {unexpected or missing}")
    return grown, config
