"""A trained model widened to a dataset's wider pitch ranges, so it can be fine-tuned there.

A model's tracks fix the sizes of the generator's head and the critic's first layer (a
row per pitch, ``models.track_outputs``). A dataset rendered later may reach a few more
pitches (issue 17: the first band data's chords went up to MIDI 78, the v2 data with 6/8
to 82), and ``train --init-from`` then refuses the model. Retraining from scratch throws
away what the model knows about every other pitch; instead each weight is moved to the
row of the same pitch in the wider layout, the new pitches' head rows start silent
(no weights and a bias of ``SILENT_LOGIT``: a chance of 3 in 10,000 a step, which
training raises where the data plays them) and the critic's new input columns start at
zero (it ignores them until it learns them). Only ranges may change, and a monophonic
track may gain an onset output (``TrackSpec.onsets``, issue 17: the model grown into a
bass that can strike a held pitch again): its head row starts with no weights and a bias
of ``ONSET_START_LOGIT`` (below one half, so the clean-up strikes nothing new until it is
trained) and the critic's onset channel with zero weights, so at iteration 0 the grown
networks give the old outputs and scores exactly. The tracks' names, kinds and order and
the styles must be the same, or the model is not a start for that data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from models.checkpoint import (
    START_FIELDS,
    load_model,
    model_tensors,
    new_card,
    read_card,
    save_tensors_and_card,
)
from models.config import GanConfig
from models.critic import Critic
from models.errors import DatasetError
from models.generator import Generator
from models.tracks import TrackSpec

SILENT_LOGIT = -8.0  # sigmoid(-8) = 0.0003; far below any trained pitch's logit
# sigmoid(-2) = 0.12, about the share of steps on which MMA's basses start a note: a
# start near the data's rate for training, and under one half, so nothing is struck yet
# (at the density slider's setting under 0.88)
ONSET_START_LOGIT = -2.0


# The first-layer weights whose input columns are the condition's (then, in the
# critic's, the tracks' channels): what a model grown wider tracks, a phrase position
# (``models.phrase_widen``) or new styles (``models.fine_tune``) changes.
FIRST_LAYERS = {"generator": "stem.0.weight", "critic": "body.0.weight"}


def moved_columns(
    weight: torch.Tensor,
    n_columns: int,
    moves: dict[int, int],
    copies: dict[int, int] | None = None,
) -> torch.Tensor:
    """A first layer's ``weight`` ``(out, in, k)`` grown to ``n_columns`` input columns,
    full precision: old column ``o`` at ``moves[o]``; every other column zero, or a copy
    of old column ``copies[c]`` for a new column ``c``. The one way a model's first layer
    is grown: wider tracks, a phrase position, new styles."""
    out = torch.zeros(weight.shape[0], n_columns, *weight.shape[2:], dtype=torch.float32)
    out[:, list(moves.values())] = weight[:, list(moves)].float()
    for column, source in (copies or {}).items():
        out[:, column] = weight[:, source].float()
    return out


def inserted(n_columns: int, at: int, n: int) -> dict[int, int]:
    """``moved_columns``' moves for ``n`` new columns inserted before column ``at`` of
    ``n_columns``: the columns before it stay, the rest move ``n`` on."""
    return {c: c if c < at else c + n for c in range(n_columns)}


def _blocks(track: TrackSpec, critic: bool) -> list[int]:
    """Sizes of the per-row blocks of one track's outputs (or critic channels), in order:
    a block is indexed by row; a monophonic track's outputs end with one rest class."""
    if track.kind == "chords":
        return [track.n_rows, track.n_rows]  # sounding, then starting
    return [track.n_rows]


def _row_map(old: TrackSpec, new: TrackSpec) -> list[int]:
    """For each of ``old``'s rows, the row of the same pitch (or kit piece) in ``new``."""
    if old.is_drums:
        return list(range(old.n_rows))
    return [old.low + r - new.low for r in range(old.n_rows)]


def _index_maps(old_tracks, new_tracks, critic: bool) -> tuple[list[int], list[int]]:
    """Old flat indices and the new flat indices they move to, over all tracks."""
    old_idx: list[int] = []
    new_idx: list[int] = []
    old_at = new_at = 0
    for old, new in zip(old_tracks, new_tracks, strict=True):
        rows = _row_map(old, new)
        for old_size, new_size in zip(_blocks(old, critic), _blocks(new, critic), strict=True):
            old_idx += [old_at + r for r in range(old_size)]
            new_idx += [new_at + r for r in rows]
            old_at, new_at = old_at + old_size, new_at + new_size
        if old.monophonic and not critic:  # the rest class
            old_idx.append(old_at)
            new_idx.append(new_at)
            old_at, new_at = old_at + 1, new_at + 1
        if old.onsets:  # the onset output or channel, last
            old_idx.append(old_at)
            new_idx.append(new_at)
        old_at, new_at = old_at + int(old.onsets), new_at + int(new.onsets)
    return old_idx, new_idx


def _onset_rows(tracks) -> list[int]:
    """The generator head's onset rows (flat indices) of ``tracks``."""
    rows, at = [], 0
    for track in tracks:
        at += track.n_outputs
        if track.onsets:
            rows.append(at - 1)
    return rows


def check_compatible(old: GanConfig, new: GanConfig) -> None:
    """Raise ``ValueError`` unless ``new`` differs from ``old`` only by wider ranges."""
    same = [(o.name, o.kind) for o in old.track_specs] == [
        (n.name, n.kind) for n in new.track_specs
    ]
    if not same or tuple(old.styles) != tuple(new.styles):
        raise ValueError("the model's tracks or styles are not the data's")
    for o, n in zip(old.track_specs, new.track_specs, strict=True):
        if o.onsets and not n.onsets:
            raise ValueError(f"track {o.name}: the model's onset output would be dropped")
        if not o.is_drums and not (n.low <= o.low and o.high <= n.high):
            raise ValueError(f"track {o.name}: the data's range {n.low}-{n.high} is narrower")


def widen(generator: Generator, critic: Critic, config: GanConfig) -> tuple[Generator, Critic]:
    """Fresh networks for ``config`` holding ``generator``'s and ``critic``'s weights."""
    old_tracks, new_tracks = generator.config.track_specs, config.track_specs
    check_compatible(generator.config, config)
    wide_g, wide_c = Generator(config), Critic(config)
    g_state, c_state = generator.state_dict(), critic.state_dict()
    g_new, c_new = wide_g.state_dict(), wide_c.state_dict()
    for key in g_new:
        if not key.startswith("head."):
            g_new[key] = g_state[key].float()
    old_idx, new_idx = _index_maps(old_tracks, new_tracks, critic=False)
    g_new["head.weight"] = torch.zeros_like(g_new["head.weight"])
    g_new["head.bias"] = torch.full_like(g_new["head.bias"], SILENT_LOGIT)
    g_new["head.weight"][new_idx] = g_state["head.weight"][old_idx].float()
    g_new["head.bias"][_onset_rows(new_tracks)] = ONSET_START_LOGIT
    g_new["head.bias"][new_idx] = g_state["head.bias"][old_idx].float()
    first = FIRST_LAYERS["critic"]
    for key in c_new:
        if key != first:
            c_new[key] = c_state[key].float()
    cond = config.n_condition_channels
    old_idx, new_idx = _index_maps(old_tracks, new_tracks, critic=True)
    moves = {c: c for c in range(cond)} | {cond + o: cond + n for o, n in zip(old_idx, new_idx)}
    c_new[first] = moved_columns(c_state[first], c_new[first].shape[1], moves)
    wide_g.load_state_dict(g_new)
    wide_c.load_state_dict(c_new)
    return wide_g, wide_c


def save_grown(
    model_path: Path,
    stem: Path,
    grow: Callable[[Generator, Critic], tuple[GanConfig, Generator, Critic]],
    **provenance,
) -> Path:
    """Load ``model_path``, grow its networks with ``grow`` (to ``(config, generator,
    critic)``) and write them as ``stem.safetensors``, full precision, with a card saying
    what they were grown from (``provenance``): a start for ``train(init_from=...)``.
    The wider ranges here and a fine-tune's new styles (``models.fine_tune``) share it."""
    generator, critic, card = load_model(model_path)
    config, wide_g, wide_c = grow(generator, critic)
    save_tensors_and_card(
        model_tensors(wide_g, wide_c, half=False),
        # a fine-tune's start: how trained it was, for the fine-tune's card (START_FIELDS)
        new_card(
            config,
            iterations=card.get("iterations"),
            **{key: card[key] for key in START_FIELDS if key in card},
            **provenance,
        ),
        Path(stem),
    )
    return Path(stem).with_suffix(".safetensors")


def save_grown_same_styles(model_path: Path, stem: Path, grow) -> Path:
    """``save_grown`` for a growth that keeps the model's styles (onset outputs, the
    phrase position): a fine-tune's own style ("my songs") stays the one it offers."""
    card = read_card(model_path)
    kept = {key: card[key] for key in ("offered_styles",) if key in card}
    return save_grown(model_path, stem, grow, widened_from=Path(model_path).name, **kept)


def grow_band_model(
    model_path: Path,
    stem: Path,
    chorale_refusal: str,
    grown_config: Callable[[GanConfig], GanConfig | None],
    networks: Callable[[Generator, Critic, GanConfig], tuple[Generator, Critic]],
) -> Path:
    """The one skeleton of a band model grown for a run (onset outputs, the phrase
    position): read ``model_path``'s card, refuse a chorale model (``chorale_refusal``,
    ``{model}`` its name), take its grown config (``grown_config``; None where it has the
    growth already: ``model_path`` is the start as it is), grow its networks
    (``networks``) and write them as ``stem.safetensors`` keeping its styles
    (``save_grown_same_styles``), a start for ``train(init_from=...)``."""
    config = GanConfig.from_dict(read_card(model_path)["config"])
    if not config.tracks:
        raise DatasetError(chorale_refusal.format(model=Path(model_path).stem))
    grown = grown_config(config)
    if grown is None:
        return Path(model_path)
    return save_grown_same_styles(
        model_path, stem, lambda generator, critic: (grown, *networks(generator, critic, grown))
    )


@dataclass(frozen=True)
class Growth:
    """One way a run grows a band model (``train --onsets``, ``--phrase-bars``): what
    ``grown_start`` asks of it."""

    grown_dir: str  # where the start model grown lies, in the run folder
    chorale_data: str  # the sentence refusing chorale data, ``{data}`` its folder
    resumed_refusal: Callable[[GanConfig], str | None]  # a resumed run's networks lack it
    grown_config: Callable[[GanConfig], GanConfig]  # the run's config with the growth
    grow: Callable[[Path, Path], Path]  # (start model, stem) -> the grown start model
    tracks_from_data: bool = False  # a fresh run takes the data's tracks first


def grown_start(
    growth: Growth,
    config: GanConfig,
    data_dir: Path,
    run_dir: Path,
    init_from: Path | None,
    resuming: bool,
) -> tuple[GanConfig, Path | None]:
    """``(config, init_from)`` for a run whose model has ``growth``: a resumed run keeps
    its checkpoint's networks, so they must have it already; a fresh run on band data
    has it from the start; a fine-tune (``init_from``) starts from the model grown into
    it (``growth.grow``, under the run folder)."""
    if resuming:
        refusal = growth.resumed_refusal(config)
        if refusal:
            raise DatasetError(refusal)
        return config, init_from
    from models.band_pieces import is_band_dataset

    if not is_band_dataset(data_dir):
        raise DatasetError(growth.chorale_data.format(data=data_dir))
    if init_from is None:
        if growth.tracks_from_data:
            from models.train_data import config_for

            config = config_for(config, data_dir)
        return growth.grown_config(config), None
    start = growth.grow(init_from, Path(run_dir) / growth.grown_dir / Path(init_from).stem)
    return growth.grown_config(config), start


def widen_to_dataset(model_path: Path, data_dir: Path, stem: Path) -> Path:
    """Write ``model_path`` widened to the band dataset's tracks as ``stem.safetensors``
    (full precision, with a card: a start for ``train(init_from=...)``); returns it.
    The tracks with an onset output keep it (``onset_start`` grows new ones)."""
    manifest = json.loads((Path(data_dir) / "manifest.json").read_text())

    def wider(generator: Generator, critic: Critic):
        had = {t.name for t in generator.config.track_specs if t.onsets}
        tracks = tuple(
            TrackSpec.from_dict(t | {"onsets": t["name"] in had}).to_dict()
            for t in manifest["tracks"]
        )
        config = generator.config.replace(
            tracks=tracks, styles=tuple(manifest.get("styles", ())), critic_bar_head=0
        )
        return (config, *widen(generator, critic, config))

    return save_grown(model_path, stem, wider, widened_from=Path(model_path).name)


# --- train --onsets: one path for the CLI, the Train window's child and the script ------

GROWN_DIR = "onsets-init"  # the start model grown its onset outputs, in the run folder


def with_onsets(tracks: tuple[TrackSpec, ...], names: tuple[str, ...]) -> tuple[TrackSpec, ...]:
    """``tracks`` with an onset output on each track named in ``names`` (a track that has
    one keeps it). Raises DatasetError, naming the tracks that can, where a name is not
    one of ``tracks``' monophonic ones (a chord track's notes start by pitch already)."""
    able = [t.name for t in tracks if t.monophonic]
    wrong = [name for name in dict.fromkeys(names) if name not in able]
    if wrong:
        can = f"the ones that can are {', '.join(able)}" if able else "none of them can"
        raise DatasetError(
            f"--onsets {', '.join(wrong)}: only a monophonic track strikes repeated notes, "
            f"and of the model's tracks ({', '.join(t.name for t in tracks)}) {can}."
        )
    return tuple(replace(t, onsets=t.onsets or t.name in names) for t in tracks)


def grow_onsets(model_path: Path, names: tuple[str, ...], stem: Path) -> Path:
    """``model_path`` grown an onset output on each track in ``names``, written as
    ``stem.safetensors`` (full precision, a start for ``train(init_from=...)``), playing
    and judging exactly as it did; ``model_path`` itself where every one has it already."""

    def grown_config(config: GanConfig) -> GanConfig | None:
        tracks = with_onsets(config.track_specs, names)
        if tracks == config.track_specs:
            return None
        return config.replace(tracks=tuple(t.to_dict() for t in tracks), critic_bar_head=0)

    return grow_band_model(
        model_path,
        stem,
        "{model} is a chorale model, whose voices have no onset output (--onsets): grow a "
        "band model, or train a new one on band data.",
        grown_config,
        widen,
    )


def onset_start(
    config: GanConfig,
    data_dir: Path,
    run_dir: Path,
    onsets: tuple[str, ...],
    init_from: Path | None = None,
    resuming: bool = False,
) -> tuple[GanConfig, Path | None]:
    """``(config, init_from)`` for a run whose ``onsets`` tracks strike repeated notes.

    A fresh run gives the data's named tracks an onset output from the start; a fine-tune
    (``init_from``) starts from the model grown into them (``grow_onsets``, under the run
    folder). A resumed run keeps its checkpoint's tracks, so ``onsets`` must name the
    tracks that already have one: a network cannot be grown in the middle of a run.
    Nothing changes where ``onsets`` is empty."""
    if not onsets:
        return config, init_from

    def resumed_refusal(config: GanConfig) -> str | None:
        had = tuple(t.name for t in config.track_specs if t.onsets)
        if set(onsets) == set(had):
            return None
        named = ", ".join(had) if had else "no track"
        return (
            f"The run in {run_dir} has onset outputs on {named}; a resumed run keeps its "
            "tracks, so give --onsets the same tracks or leave it out."
        )

    def grown_config(config: GanConfig) -> GanConfig:
        tracks = with_onsets(config.track_specs, onsets)
        return config.replace(tracks=tuple(t.to_dict() for t in tracks))

    growth = Growth(
        GROWN_DIR,
        "{data} is chorale data, whose voices have no onset output (--onsets): train on "
        "band data (dataset build --band or --songs).",
        resumed_refusal,
        grown_config,
        lambda start, stem: grow_onsets(start, onsets, stem),
        tracks_from_data=True,
    )
    return grown_start(growth, config, data_dir, run_dir, init_from, resuming)
