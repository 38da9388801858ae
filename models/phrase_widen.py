"""A trained band model grown a phrase position: which bar of an N-bar phrase a step is in.

Issue 17: MMA's waltz walks its bass in the fourth bar of four, its country bass and its
drums fill there, and the network, whose condition said where a step is in its beat and
bar but never which bar of a phrase, wrote the same bar in all four places. The phrase
position (``GanConfig.phrase_bars``; ``encoding.with_phrase``, after the style channels)
is N more condition channels. A trained model is grown into it as ``models.track_widen``
grows onset outputs: the generator's stem and the critic's first layer get N new input
columns of zero weight, so at iteration 0 the grown networks write and judge exactly as
the model did, and training teaches them what the bar of the phrase changes.

``phrase_start`` is the one path ``composer-gui train --phrase-bars`` and
``scripts/train_band_model.py --phrase-bars`` share.
"""

from __future__ import annotations

from pathlib import Path

from models.config import PHRASE_BARS_RANGE, GanConfig
from models.critic import Critic
from models.errors import DatasetError
from models.generator import Generator
from models.track_widen import (
    FIRST_LAYERS,
    Growth,
    grow_band_model,
    grown_start,
    inserted,
    moved_columns,
)

GROWN_DIR = "phrase-init"  # the start model grown its phrase position, in the run folder


def grow_phrase(
    generator: Generator, critic: Critic, phrase_bars: int
) -> tuple[Generator, Critic, GanConfig]:
    """Fresh networks reading a ``phrase_bars``-bar phrase position, holding ``generator``'s
    and ``critic``'s weights; the new columns are zero, so they write and judge as before."""
    config = generator.config
    if config.phrase_bars:
        raise ValueError(f"the model reads a {config.phrase_bars}-bar phrase already")
    grown = config.replace(phrase_bars=phrase_bars, critic_bar_head=0)
    at = config.n_condition_channels  # the phrase comes after the melody and the style
    out = []
    for name, old, new in (
        ("generator", generator, Generator(grown)),
        ("critic", critic, Critic(grown)),
    ):
        state = {k: v.float() for k, v in old.state_dict().items() if not k.startswith("bar_head.")}
        key = FIRST_LAYERS[name]  # the only tensors the phrase position changes
        n_columns = state[key].shape[1]
        state[key] = moved_columns(
            state[key], n_columns + phrase_bars, inserted(n_columns, at, phrase_bars)
        )
        new.load_state_dict(state)
        out.append(new)
    return out[0], out[1], grown


def grow_phrase_file(model_path: Path, phrase_bars: int, stem: Path) -> Path:
    """``model_path`` grown a ``phrase_bars``-bar phrase position, written as
    ``stem.safetensors`` (full precision, a start for ``train(init_from=...)``); returns
    that path, or ``model_path`` itself where it reads that phrase already."""

    def grown_config(config: GanConfig) -> GanConfig | None:
        if config.phrase_bars == phrase_bars:
            return None
        if config.phrase_bars:  # a grown network cannot be ungrown, nor its phrase relearnt
            raise DatasetError(
                f"{Path(model_path).stem} reads a {config.phrase_bars}-bar phrase; fine-tune "
                f"it with --phrase-bars {config.phrase_bars} (or leave it out), or train a "
                f"new model for a {phrase_bars}-bar phrase."
            )
        return config.replace(phrase_bars=phrase_bars, critic_bar_head=0)

    return grow_band_model(
        model_path,
        stem,
        "{model} is a chorale model; the phrase position (--phrase-bars) is grown into a "
        "band model, or a new one is trained on band data.",
        grown_config,
        lambda generator, critic, config: grow_phrase(generator, critic, config.phrase_bars)[:2],
    )


def phrase_start(
    config: GanConfig,
    data_dir: Path,
    run_dir: Path,
    phrase_bars: int,
    init_from: Path | None = None,
    resuming: bool = False,
) -> tuple[GanConfig, Path | None]:
    """``(config, init_from)`` for a run whose condition reads a ``phrase_bars``-bar
    phrase position. A fresh run has it from the start; a fine-tune (``init_from``)
    starts from the model grown into it (``grow_phrase_file``, under the run folder); a
    resumed run keeps its checkpoint's networks, so ``phrase_bars`` must be theirs.
    Nothing changes where ``phrase_bars`` is 0."""
    if not phrase_bars:
        return config, init_from
    low, high = PHRASE_BARS_RANGE
    if not low <= phrase_bars <= high:
        raise DatasetError(
            f"--phrase-bars {phrase_bars}: a phrase has {low} to {high} bars (4, as the "
            "shipped band's), or leave the option out."
        )

    def resumed_refusal(config: GanConfig) -> str | None:
        if config.phrase_bars == phrase_bars:
            return None
        had = f"a {config.phrase_bars}-bar phrase" if config.phrase_bars else "no phrase"
        return (
            f"The run in {run_dir} reads {had} position; a resumed run keeps its "
            "networks, so give --phrase-bars the same number or leave it out."
        )

    growth = Growth(
        GROWN_DIR,
        "{data} is chorale data; the phrase position (--phrase-bars) is for band data "
        "(dataset build --band or --songs).",
        resumed_refusal,
        lambda config: config.replace(phrase_bars=phrase_bars),
        lambda start, stem: grow_phrase_file(start, phrase_bars, stem),
    )
    return grown_start(growth, config, data_dir, run_dir, init_from, resuming)
