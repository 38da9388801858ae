"""Fine-tuning a trained band model on other band data: the data re-encoded into its tracks.

A model's tracks fix the sizes of its networks (a row per pitch: ``models.track_outputs``),
so it can only learn from data in its own tracks and pitch ranges. One style's band data
or a folder of the musician's songs is measured on its own and differs: the songs' bass
may reach MIDI 28 where the shipped band's stops at 31, their fourth part is "other"
where the model's is "pad". Rather than refuse, ``prepare_fine_tune`` writes the data
again in the model's tracks, into the run folder (``FITTED_DATA``), and training, its
live samples and the export's calibration read that copy unchanged:

- each data track goes to the model's track of the same name, else to the next unclaimed
  model track of the same family (drums, monophonic, chords): "other" is played as "pad";
- a note outside the model's range is moved by whole octaves into it, or dropped where no
  octave fits (a range narrower than an octave); both are counted and said;
- a data track the model has no place for is dropped, and said;
- a model track the data lacks (songs built with only drums and bass) is *left out of the
  loss* (``absent_tracks`` in the manifest, read by ``models.train_data.BandData``): the
  critic sees it silent in real and generated music alike and the reconstruction skips
  it, so the model keeps playing its chords as it did instead of learning to be silent;
- styles: a data style the model has keeps its column (one style of the band data trains
  that style); any other (a folder's "songs") becomes a new style column, started from a
  shipped style's column (``init_style``) or from zero; a model of one style has no style
  input, and the data plays that style.

The fine-tuned model offers only the styles its data played (``offered_styles`` in the
fitted manifest, copied onto the card by ``models.export``): the others' columns are still
in its networks but were not trained on, and the shipped model plays them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from models.band_pieces import BandDataset, is_band_dataset, load_band_split, save_band_split
from models.build_dataset import SPLITS
from models.config import GanConfig
from models.errors import DatasetError
from models.tracks import TrackSpec

FITTED_DATA = "fine-tune-data"  # the re-encoded data, in the run folder
INIT_DIR = "fine-tune-init"  # the start model with its new style column, in the run folder


def _family(track: TrackSpec) -> str:
    return "drums" if track.is_drums else "mono" if track.monophonic else "chords"


def track_pairs(model: tuple[TrackSpec, ...], data: tuple[TrackSpec, ...]) -> list[int | None]:
    """For each model track, the index of the data track it learns from, or None: by
    name first, then the data's unclaimed tracks in order to the model's of their family."""
    pairs: list[int | None] = [None] * len(model)
    claimed: set[int] = set()
    for m, spec in enumerate(model):
        for d, other in enumerate(data):
            if d not in claimed and other.name == spec.name and _family(other) == _family(spec):
                pairs[m] = d
                claimed.add(d)
                break
    for m, spec in enumerate(model):
        if pairs[m] is not None:
            continue
        for d, other in enumerate(data):
            if d not in claimed and _family(other) == _family(spec):
                pairs[m] = d
                claimed.add(d)
                break
    return pairs


def fold_pitch(pitch: int, low: int, high: int) -> int | None:
    """``pitch`` moved by the fewest whole octaves into ``low..high``, or None."""
    if pitch < low:
        pitch += 12 * -(-(low - pitch) // 12)
    elif pitch > high:
        pitch -= 12 * -(-(pitch - high) // 12)
    return pitch if low <= pitch <= high else None


@dataclass
class FitReport:
    """What re-encoding changed, counted over every split."""

    played_as: list[tuple[str, str]] = field(default_factory=list)  # (data, model) names
    dropped_tracks: list[str] = field(default_factory=list)  # the data's, no model track
    absent_tracks: list[str] = field(default_factory=list)  # the model's, not in the data
    notes: int = 0
    moved: int = 0
    dropped_notes: int = 0
    new_styles: list[str] = field(default_factory=list)
    kept_styles: list[str] = field(default_factory=list)  # the model's, in the data too
    init_style: str = ""

    def sentence(self, model_name: str) -> str:
        """One sentence for the musician (the CLI prints it; the Train window shows it)."""
        parts = []
        if self.played_as:
            parts.append(", ".join(f"{d} is played as {m}" for d, m in self.played_as))
        if self.notes:
            parts.append(
                f"{self.moved:,} of {self.notes:,} notes moved by octaves into its ranges, "
                f"{self.dropped_notes:,} dropped (no octave fits)"
            )
        if self.dropped_tracks:
            parts.append(f"the data's {', '.join(self.dropped_tracks)} dropped (no such part)")
        if self.absent_tracks:
            parts.append(
                f"its {', '.join(self.absent_tracks)} left out of the loss (not in the data)"
            )
        if self.kept_styles:
            parts.append(f"its own {', '.join(self.kept_styles)} learns from the data")
        if self.new_styles:
            start = f"its {self.init_style}" if self.init_style else "zero"
            parts.append(f"a new style {', '.join(self.new_styles)} started from {start}")
        return f"The data was fitted to {model_name}'s tracks: " + "; ".join(parts) + "."


def _fit_track(held, starts, data: TrackSpec, model: TrackSpec, report: FitReport):
    """One track's rolls ``(step, data rows)`` in the model's rows ``(step, model rows)``."""
    out_held = np.zeros((held.shape[0], model.n_rows), bool)
    out_starts = np.zeros_like(out_held)
    if data.is_drums:  # both play DRUM_KIT's rows
        return held.copy(), starts.copy()
    notes_per_row = starts.sum(axis=0)
    for row in range(data.n_rows):
        pitch = data.low + row
        target = fold_pitch(pitch, model.low, model.high)
        count = int(notes_per_row[row])
        report.notes += count
        if target is None:
            report.dropped_notes += count
            continue
        report.moved += count if target != pitch else 0
        out_held[:, target - model.low] |= held[:, row]
        out_starts[:, target - model.low] |= starts[:, row]
    if model.monophonic:  # two notes folded onto one step: the lower stays (mono_classes)
        lowest = np.where(out_held.any(axis=1), out_held.argmax(axis=1), -1)
        keep = np.arange(model.n_rows)[None, :] == lowest[:, None]
        out_held &= keep
        out_starts &= keep
    return out_held, out_starts


def fit_split(
    data: BandDataset,
    tracks: tuple[TrackSpec, ...],
    styles: tuple[str, ...],
    style_index: dict[int, int],
    report: FitReport,
) -> BandDataset:
    """``data`` in ``tracks`` and ``styles`` (``style_index``: data style -> model style)."""
    pairs = track_pairs(tracks, data.tracks)
    sounding, onsets = [], []
    for spec, d in zip(tracks, pairs, strict=True):
        if d is None:
            steps = data.melody.shape[0]
            sounding.append(np.zeros((steps, spec.n_rows), bool))
            onsets.append(np.zeros((steps, spec.n_rows), bool))
            continue
        held, starts = _fit_track(data.sounding[d], data.onsets[d], data.tracks[d], spec, report)
        sounding.append(held)
        onsets.append(starts)
    piece_styles = np.array([style_index[int(s)] for s in data.piece_styles], dtype=np.int16)
    return BandDataset(
        tracks=tracks,
        styles=styles,
        melody=data.melody,
        melody_onsets=data.melody_onsets,
        sounding=sounding,
        onsets=onsets,
        starts=data.starts,
        names=data.names,
        meters=data.meters,
        bar_phase=data.bar_phase,
        piece_styles=piece_styles,
    )


@dataclass(frozen=True)
class FineTune:
    """What a fine-tune trains on and starts from (the given ones where nothing changed)."""

    data_dir: Path
    init_from: Path
    config: GanConfig
    sentence: str = ""


def _own_style(model_path: Path, styles: tuple[str, ...]) -> str | None:
    """The one style a fine-tuned model offers where it is not a shipped one, else None."""
    from models.band_styles import STYLE_NAMES

    try:
        offered = json.loads(model_path.with_suffix(".json").read_text()).get("offered_styles")
    except (OSError, ValueError):
        return None
    if offered and len(offered) == 1 and offered[0] in styles and offered[0] not in STYLE_NAMES:
        return offered[0]
    return None


def _refuse_chorale(model_path: Path) -> DatasetError:
    return DatasetError(
        f"{model_path.stem} writes the chorale's three voices over the whole keyboard, and "
        "band data's drums, bass and chords cannot be re-encoded into them: fine-tune a "
        "band model on it, or train a new model."
    )


def prepare_fine_tune(
    model_path: Path,
    config: GanConfig,
    data_dir: Path,
    run_dir: Path,
    init_style: str = "",
) -> FineTune:
    """The data (and start model) a fine-tune of ``model_path`` with ``config`` (its card's,
    possibly changed) on ``data_dir`` trains on; writes them into ``run_dir`` where the
    data must be re-encoded. Raises DatasetError with the reason where it cannot be."""
    model_path, data_dir, run_dir = Path(model_path), Path(data_dir), Path(run_dir)
    same = FineTune(data_dir, model_path, config)
    if not is_band_dataset(data_dir):
        return same  # chorale data: training_data checks the layout and says why not
    if config.is_chorale_layout and not config.tracks:
        raise _refuse_chorale(model_path)
    manifest = json.loads((data_dir / "manifest.json").read_text())
    data_tracks = tuple(TrackSpec.from_dict(t) for t in manifest["tracks"])
    data_styles = tuple(manifest.get("styles", ())) or ("",)
    model_styles = tuple(config.styles)
    pairs = track_pairs(config.track_specs, data_tracks)
    # each track heard with the data's instrument (the songs' own bass), its range kept
    tracks = tuple(
        t if d is None or t.is_drums else replace(t, program=data_tracks[d].program)
        for t, d in zip(config.track_specs, pairs, strict=True)
    )
    if all(d is None for d in pairs):
        names = ", ".join(t.name for t in data_tracks)
        raise DatasetError(
            f"None of the data's tracks ({names}) is of a kind {model_path.stem} writes "
            f"({', '.join(t.name for t in tracks)}); train a new model on it."
        )
    if init_style and init_style not in model_styles:
        raise DatasetError(
            f"{model_path.stem} has no style {init_style!r} to start a new style from; "
            f"its styles are {', '.join(model_styles) or 'one, unnamed'}."
        )
    styles = model_styles
    style_index: dict[int, int] = {}
    new_styles: list[str] = []
    # a fine-tune offering one style of its own ("my songs"), tuned again on more songs
    # of one style: they train that style, not a new one beside it
    own = _own_style(model_path, model_styles)
    for i, name in enumerate(data_styles):
        if len(model_styles) < 2:
            style_index[i] = 0  # one style, no style input: the data plays it
        elif name in model_styles:
            style_index[i] = model_styles.index(name)
        elif own is not None and len(data_styles) == 1:
            style_index[i] = model_styles.index(own)
        else:
            styles += (name,)
            new_styles.append(name)
            style_index[i] = len(styles) - 1
    if config.track_specs == data_tracks and all(style_index[i] == i for i in style_index):
        return same  # the model's own tracks and styles: train on the data as it is
    report = FitReport(
        played_as=[
            (data_tracks[d].name, t.name)
            for t, d in zip(tracks, pairs, strict=True)
            if d is not None and data_tracks[d].name != t.name
        ],
        dropped_tracks=[t.name for d, t in enumerate(data_tracks) if d not in pairs],
        absent_tracks=[t.name for t, d in zip(tracks, pairs, strict=True) if d is None],
        new_styles=new_styles,
        kept_styles=[
            name
            for index, name in enumerate(model_styles)
            if len(model_styles) > 1 and index in style_index.values()
        ],
        init_style=init_style if new_styles else "",
    )
    out = run_dir / FITTED_DATA
    staging = run_dir / (FITTED_DATA + ".part")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)  # moved into place whole: prepared() never reads half
    counts = {}
    for split in SPLITS:
        fitted = fit_split(load_band_split(data_dir, split), tracks, styles, style_index, report)
        save_band_split(fitted.pieces(), fitted.tracks, staging / f"{split}.npz")
        counts[split] = len(fitted)
    offered = sorted({styles[i] for i in style_index.values()}, key=styles.index)
    sentence = report.sentence(model_path.stem)
    fitted_manifest = dict(manifest) | {
        "tracks": [t.to_dict() for t in tracks],
        "styles": list(styles),
        "counts": counts,
        "absent_tracks": report.absent_tracks,
        "fine_tune": {
            "model": model_path.name,
            "data": str(data_dir),
            "offered_styles": offered if len(styles) > 1 else [],
            "init_style": report.init_style,
            "report": sentence,
        },
    }
    (staging / "manifest.json").write_text(json.dumps(fitted_manifest, indent=2))
    shutil.rmtree(out, ignore_errors=True)
    staging.replace(out)
    config = config.replace(styles=styles, tracks=tuple(t.to_dict() for t in tracks))
    init_from = model_path
    if new_styles:
        init_from = _with_new_styles(model_path, config, init_style, run_dir / INIT_DIR)
    return FineTune(out, init_from, config, sentence)


def _with_new_styles(model_path: Path, config: GanConfig, init_style: str, folder: Path) -> Path:
    """``model_path`` with style columns added for ``config.styles`` beyond its own
    (``_add_styles``), written under ``folder`` (same file name: the card says what it
    started from)."""
    from models.track_widen import save_grown

    config = config.replace(critic_bar_head=0)
    folder.mkdir(parents=True, exist_ok=True)
    return save_grown(
        model_path,
        folder / model_path.stem,
        lambda generator, critic: (config, *_add_styles(generator, critic, config, init_style)),
        styles_added_to=model_path.name,
    )


def _add_styles(generator, critic, config: GanConfig, init_style: str):
    """Fresh networks for ``config`` holding ``generator``'s and ``critic``'s weights, a
    column for each new style in the generator's stem and the critic's first layer: a
    copy of ``init_style``'s column, or zero."""
    from models.critic import Critic
    from models.encoding import N_CONDITION_FEATURES
    from models.generator import Generator
    from models.track_widen import FIRST_LAYERS, inserted, moved_columns

    old_styles = tuple(generator.config.styles)
    cond, old_n, new_n = N_CONDITION_FEATURES, len(old_styles), len(config.styles)
    at, added = cond + old_n, new_n - old_n  # the new styles' columns, after the old ones
    source = old_styles.index(init_style) if init_style else None
    copies = {} if source is None else {c: cond + source for c in range(at, at + added)}
    grown = []
    for name, old, new in (
        ("generator", generator, Generator(config)),
        ("critic", critic, Critic(config)),
    ):
        kept = old.state_dict()
        state = {k: kept[k] for k in new.state_dict()}  # a retired bar head's left behind
        key = FIRST_LAYERS[name]
        n_columns = state[key].shape[1]
        state[key] = moved_columns(
            state[key], n_columns + added, inserted(n_columns, at, added), copies
        )
        new.load_state_dict(state)
        grown.append(new)
    return grown[0], grown[1]


def prepared(run_dir: Path, data_dir: Path, model_path: Path | None, config: GanConfig):
    """``(data_dir, init_from, config)`` as ``prepare_fine_tune`` left them in ``run_dir``
    (a resumed run, an export, another torchrun rank): the fitted data where there is
    one, else ``data_dir``; its styles in ``config``; the start model with new styles."""
    fitted = Path(run_dir) / FITTED_DATA
    if not (fitted / "manifest.json").is_file():
        return Path(data_dir), model_path, config
    manifest = json.loads((fitted / "manifest.json").read_text())
    config = config.replace(styles=tuple(manifest["styles"]), tracks=tuple(manifest["tracks"]))
    if model_path is not None:
        widened = Path(run_dir) / INIT_DIR / Path(model_path).with_suffix(".safetensors").name
        model_path = widened if widened.is_file() else model_path
    return fitted, model_path, config


def clear_prepared(run_dir: Path) -> None:
    """Forget an earlier fine-tune's fitted data in a run folder used again."""
    for name in (FITTED_DATA, INIT_DIR):
        shutil.rmtree(Path(run_dir) / name, ignore_errors=True)
