"""Live samples of a training run: what the model writes for one fixed melody, every N.

The app's Train window shows the musician the model learning, as DeepComposer's console
did: every ``every`` iterations the training loop (one hook line in ``models/train.py``)
writes ``run_dir/samples/iteration_NNNNNN.npz`` with the EMA generator's cleaned
accompaniment of the same melody: of the validation split's first 24 windows (the
training split's when that is empty), the one whose melody plays most.  A sample holds
the pitched tracks as one roll on a common pitch axis (melody first; a chords track
polyphonic, several rows a step) and, for a model with a drums track, its hits per kit
instrument (``models.tracks.DRUM_KIT``), which the window draws in a lane of their own.

The first call also writes ``run_dir/reference.json``: the data's own values of the
metrics the window plots against the model.  For the chorale layout those are the
log's ``val_*`` columns (``models/evaluate.py``); a band dataset's log has none (its
model is measured per track kind at export), so here every sample also measures the
model on a few fixed windows per track (``models.track_metrics``: notes a bar, empty
bars, the bass on a chord tone) and appends them to ``samples/metrics.jsonl``.

Nothing happens unless ``run_dir/samples.json`` (``{"every": N, "bars": B}``) asks for
it, so ``composer-gui train`` on the command line pays nothing.  Every sample is written
atomically: a run killed mid-write leaves the previous sample whole.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SPEC_NAME = "samples.json"
SAMPLES_DIR = "samples"
REFERENCE_NAME = "reference.json"
METRICS_NAME = "metrics.jsonl"  # under SAMPLES_DIR: a band run's per-track metrics
MEASURED_WINDOWS = 8  # a band run's metrics: on this many windows of the fixed one's meter
BAND_METRIC_WORDS = {"notes_per_bar": "notes a bar", "empty_bars": "empty bars"}


@dataclass
class _Watch:
    """What a run's samples need, read once per process."""

    spec: dict
    window: object  # models.evaluate.Window or models.band_evaluate.BandWindow
    band: bool = False
    measured: list = field(default_factory=list)  # a band run's metric windows


_runs: dict[Path, _Watch | None] = {}


def request_samples(run_dir: Path, every: int, bars: int = 4) -> None:
    """Ask the training process of ``run_dir`` for a sample every ``every`` iterations."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    _atomic_text(run_dir / SPEC_NAME, json.dumps({"every": int(every), "bars": int(bars)}))


def after_iteration(run_dir: Path, data_dir: Path, generator, iteration: int) -> None:
    """The training loop's hook: write a sample when one is due (cheap when not)."""
    run_dir = Path(run_dir)
    if run_dir not in _runs:
        _runs[run_dir] = _prepare(run_dir, Path(data_dir))
    watch = _runs[run_dir]
    if watch is None or iteration % watch.spec["every"] != 0:
        return
    if watch.band:
        write_band_sample(run_dir, generator, watch, iteration)
    else:
        write_sample(run_dir, generator, watch.window, iteration)


def _prepare(run_dir: Path, data_dir: Path) -> _Watch | None:
    spec_path = run_dir / SPEC_NAME
    if not spec_path.is_file():
        return None
    spec = json.loads(spec_path.read_text())
    if int(spec.get("every", 0)) < 1:
        return None
    from models.band_pieces import is_band_dataset

    if is_band_dataset(data_dir):
        return _prepare_band(run_dir, data_dir, spec)
    from models.build_dataset import REST, load_split
    from models.evaluate import HEADLINE, bach_reference, windows

    bars = int(spec.get("bars", 4))
    data = load_split(data_dir, "valid")
    if len(data) == 0:
        data = load_split(data_dir, "train")
    wins = windows(data, bars)
    if not wins:
        return None
    # the same windows as models.evaluate.training_evaluator, so the values compare
    reference = bach_reference(windows(data, 4)[:24])
    values = {f"val_{k}": reference[k] for k in HEADLINE}  # the columns the log has
    _atomic_text(run_dir / REFERENCE_NAME, json.dumps(values))
    # the fixed melody: of the first windows, the one whose melody plays most (a song's
    # window can open on a drum intro, and a roll of rests shows nothing learning)
    window = max(wins[:24], key=lambda w: int((w.voices[0] != REST).sum()))
    return _Watch(spec, window)


def _prepare_band(run_dir: Path, data_dir: Path, spec: dict) -> _Watch | None:
    from models.band_evaluate import band_windows, spread
    from models.band_pieces import load_band_split

    bars = int(spec.get("bars", 4))
    data = load_band_split(data_dir, "valid")
    if len(data) == 0:
        data = load_band_split(data_dir, "train")
    wins = band_windows(data, bars, per_piece=4)
    if not wins:
        return None
    window = max(wins[:24], key=lambda w: int((w.melody >= 0).sum()))
    same_meter = [w for w in wins if w.meter.bar_steps == window.meter.bar_steps]
    measured = spread(same_meter, MEASURED_WINDOWS)
    reference = _band_metrics([w.tracks for w in measured], data.tracks, window)
    _atomic_text(run_dir / REFERENCE_NAME, json.dumps(reference))
    return _Watch(spec, window, band=True, measured=measured)


def _band_metrics(candidates: list, tracks, window) -> dict[str, float]:
    """Per track, the metrics the window plots, as ``{"bass: notes a bar": x, ...}``."""
    from models.track_metrics import candidate_metrics

    table = candidate_metrics(candidates, tracks, window.meter.bar_steps)
    out = {}
    for track in tracks:
        for metric, words in BAND_METRIC_WORDS.items():
            out[f"{track.name}: {words}"] = table[track.name][metric]
    if "band" in table:
        out["bass on a chord tone"] = table["band"]["bass_on_chord_tone_downbeats"]
    return {k: v for k, v in out.items() if math.isfinite(v)}


def write_sample(run_dir: Path, generator, window, iteration: int) -> Path:
    """The chorale layout: the generator's voices for ``window``'s melody; returns the file."""
    import torch

    from models.evaluate import generate_for_window
    from models.pianoroll import LOWEST_PITCH

    was_training = generator.training
    generator.eval()
    with torch.no_grad():
        _, rolls = generate_for_window(generator, window, 1, seed=0)
    generator.train(was_training)
    names = ["melody", *(t.name for t in generator.tracks)]
    return _write(
        run_dir, iteration, rolls[0].astype(np.uint8), None, names, LOWEST_PITCH,
        window.steps_per_bar,
    )  # fmt: skip


def write_band_sample(run_dir: Path, generator, watch: _Watch, iteration: int) -> Path:
    """A band model: every track it writes for the fixed melody (drums in their own
    array), and its metrics on the measured windows appended to ``metrics.jsonl``."""
    import torch

    from models.band_evaluate import band_candidates
    from models.pianoroll import HIGHEST_PITCH, LOWEST_PITCH

    window = watch.window
    tracks = generator.tracks
    was_training = generator.training
    generator.eval()
    with torch.no_grad():
        _, (candidate,) = band_candidates(generator, window, 1, seed=0)
        measured = [
            band_candidates(generator, w, 1, seed=i)[1][0] for i, w in enumerate(watch.measured)
        ]
    generator.train(was_training)
    pitched = [i for i, t in enumerate(tracks) if not t.is_drums]
    low = min([LOWEST_PITCH, *(tracks[i].low for i in pitched)])
    high = max([HIGHEST_PITCH, *(tracks[i].high for i in pitched)])
    roll = np.zeros((1 + len(pitched), window.n_steps, high - low + 1), dtype=np.uint8)
    steps = np.flatnonzero(window.melody >= 0)
    roll[0, steps, window.melody[steps] + LOWEST_PITCH - low] = 1
    for row, i in enumerate(pitched, start=1):
        sounding = candidate[i][0]
        roll[row, :, tracks[i].low - low : tracks[i].high - low + 1] = sounding
    drums = next((candidate[i][1] for i, t in enumerate(tracks) if t.is_drums), None)
    names = ["melody", *(tracks[i].name for i in pitched)]
    out = _write(run_dir, iteration, roll, drums, names, low, window.meter.bar_steps)
    if watch.measured:
        row = {"iteration": iteration} | _band_metrics(measured, tracks, window)
        with open(out.parent / METRICS_NAME, "a") as f:
            f.write(json.dumps(row) + "\n")
    return out


def _write(run_dir, iteration, roll, drums, names, lowest_pitch, steps_per_bar) -> Path:
    out = Path(run_dir) / SAMPLES_DIR / f"iteration_{iteration:06d}.npz"
    out.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        "roll": roll,  # (track, step, pitch), melody first, pitched tracks only
        "names": np.array(names),
        "lowest_pitch": np.int64(lowest_pitch),
        "steps_per_bar": np.int64(steps_per_bar),
        "iteration": np.int64(iteration),
    }
    if drums is not None:
        arrays["drums"] = np.asarray(drums, dtype=np.uint8)  # (step, kit instrument) hits
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as f:
        np.savez_compressed(f, **arrays)
    os.replace(tmp, out)
    return out


def latest_sample(run_dir: Path) -> dict | None:
    """The newest sample: ``roll``, ``names``, ``drums`` (a band with drums),
    ``lowest_pitch``, ``steps_per_bar``, ``iteration``."""
    files = sorted((Path(run_dir) / SAMPLES_DIR).glob("iteration_*.npz"))
    return read_sample(files[-1]) if files else None


def read_sample(path: Path) -> dict:
    """One sample file, as ``latest_sample`` gives it."""
    with np.load(path) as f:
        return {k: (f[k] if f[k].ndim else int(f[k])) for k in f.files}


def band_metric_rows(run_dir: Path) -> list[dict[str, float]]:
    """A band run's per-track metrics, one row a sample, by iteration: a torn last line
    is left out, and a row measured again after a resume replaces the first."""
    path = Path(run_dir) / SAMPLES_DIR / METRICS_NAME
    rows: dict[int, dict[str, float]] = {}
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                row = json.loads(line)
                rows[int(row["iteration"])] = row
            except (ValueError, KeyError, TypeError):
                continue
    return [rows[i] for i in sorted(rows)]


def read_reference(run_dir: Path) -> dict[str, float]:
    path = Path(run_dir) / REFERENCE_NAME
    return json.loads(path.read_text()) if path.is_file() else {}


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n")
    os.replace(tmp, path)
