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

from models.checkpoint import read_card
from models.config import GanConfig
from models.critic import Critic
from models.errors import DatasetError
from models.generator import Generator
from models.track_widen import FIRST_LAYERS, inserted, moved_columns, save_grown_same_styles

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
    """``model_path`` grown a phrase position, written as ``stem.safetensors`` (full
    precision, a start for ``train(init_from=...)``); returns that path."""
    card = read_card(model_path)
    if not GanConfig.from_dict(card["config"]).tracks:
        raise DatasetError(
            f"{Path(model_path).stem} is a chorale model; the phrase position (--phrase-bars) "
            "is grown into a band model, or a new one is trained on band data."
        )

    def grown(generator: Generator, critic: Critic):
        wide_g, wide_c, config = grow_phrase(generator, critic, phrase_bars)
        return config, wide_g, wide_c

    return save_grown_same_styles(model_path, stem, grown)


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
    if phrase_bars < 2:
        raise DatasetError(f"--phrase-bars {phrase_bars}: a phrase has 2 bars or more (4).")
    if resuming:
        if config.phrase_bars != phrase_bars:
            had = f"a {config.phrase_bars}-bar phrase" if config.phrase_bars else "no phrase"
            raise DatasetError(
                f"The run in {run_dir} reads {had} position; a resumed run keeps its "
                "networks, so give --phrase-bars the same number or leave it out."
            )
        return config, init_from
    from models.band_pieces import is_band_dataset

    if not is_band_dataset(data_dir):
        raise DatasetError(
            f"{data_dir} is chorale data; the phrase position (--phrase-bars) is for band "
            "data (dataset build --band or --songs)."
        )
    if init_from is None:
        return config.replace(phrase_bars=phrase_bars), None
    start = GanConfig.from_dict(read_card(init_from)["config"])
    if start.phrase_bars == phrase_bars:
        return config.replace(phrase_bars=phrase_bars), init_from
    if start.phrase_bars:  # a grown network cannot be ungrown, nor its phrase relearnt
        raise DatasetError(
            f"{Path(init_from).stem} reads a {start.phrase_bars}-bar phrase; fine-tune it "
            f"with --phrase-bars {start.phrase_bars} (or leave it out), or train a new model "
            f"for a {phrase_bars}-bar phrase."
        )
    stem = Path(run_dir) / GROWN_DIR / Path(init_from).stem
    return config.replace(phrase_bars=phrase_bars), grow_phrase_file(init_from, phrase_bars, stem)
