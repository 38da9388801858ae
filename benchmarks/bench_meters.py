"""Each meter's accompaniment against Bach's, on held-out chorales re-timed into that meter.

    .venv/bin/python benchmarks/bench_meters.py --data runs/data/chorales-meters \
        [--model M.safetensors] [--split test] [--windows 24] [--candidates 4] [--same-music]

The data is ``composer-gui dataset build --meters`` (models/retime.py): the held-out
chorales, each in every accompanied meter, with Bach's own voices moved with the melody,
so every meter has a reference row.  Per meter it prints, for Bach and for the model's
candidates (8-bar windows from the melody alone): the in-key ratio and tonal distance
(models/metrics.py); PCS on the beats and CTnCTR (Yeh et al. 2021) where
models/harmony_measures.py is there (written apart from the product); and the harmonic
rhythm: how often per beat the accompaniment's pitch-class set changes, and the share of
its changes that fall on the meter's beats. A model that heard 6/8 as six beats changes
its chords on eighths (more changes per beat, fewer on the beat than Bach re-timed).

``--same-music`` is the controlled comparison: every meter's window is the same stretch
of the same chorale (8 bars of the 4/4 or 3/4 original from its first downbeat, i.e. 16
bars of 6/8 or 2/4, 24 of 3/8), on every chorale of the split, so a difference between
two meters' rows is the meter's and not the tunes' (the corpus benchmark compares
different tunes in each meter: Essen songs in 9/8, O'Neill's dances in 4/4).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.build_dataset import REST, Dataset, load_split  # noqa: E402
from models.checkpoint import load_model  # noqa: E402
from models.evaluate import Window, generate_for_window, windows  # noqa: E402
from models.metrics import track_metrics  # noqa: E402
from models.pianoroll import ACCOMPANIED_METERS, LOWEST_PITCH, Meter, meter_positions  # noqa: E402


def harmony_measures():
    """models.harmony_measures (another issue's module), or a copy named by
    COMPOSER_HARMONY_MEASURES, or None."""
    try:
        return importlib.import_module("models.harmony_measures")
    except ImportError:
        path = os.environ.get("COMPOSER_HARMONY_MEASURES")
        if not path:
            return None
        spec = importlib.util.spec_from_file_location("harmony_measures", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def harmonic_rhythm(roll: np.ndarray, meter: Meter, bar_phase: int = 0) -> tuple[float, float]:
    """``(changes per beat, share of changes on a beat)`` of the accompaniment's
    pitch-class set, roll ``(track, step, pitch)`` with the melody first."""
    t = roll.shape[1]
    classes = np.zeros((t, 12), dtype=bool)
    sounding = roll[1:].any(axis=0)  # (step, pitch)
    for pc in range(12):
        classes[:, pc] = sounding[:, (pc - LOWEST_PITCH) % 12 :: 12].any(axis=1)
    changed = np.zeros(t, dtype=bool)
    changed[1:] = (classes[1:] != classes[:-1]).any(axis=1) & classes[1:].any(axis=1)
    phase, _ = meter_positions([(0, meter)], t, bar_phase)
    beats = max(1, int((phase == 0).sum()))
    n = int(changed.sum())
    return n / beats, (float((changed & (phase == 0)).sum() / n) if n else float("nan"))


def measure(roll: np.ndarray, meter: Meter, judge, bar_phase: int = 0) -> dict[str, float]:
    values = track_metrics(roll, meter.bar_steps)
    per_beat, on_beat = harmonic_rhythm(roll, meter, bar_phase)
    row = {
        "in_key": values["in_key_ratio"],
        "tonal_dist": values["tonal_distance"],
        "changes/beat": per_beat,
        "on_beat": on_beat,
    }
    if judge is not None:
        voices = np.full(roll.shape[:2], REST, dtype=np.int64)
        for track in range(roll.shape[0]):
            steps, pitches = np.nonzero(roll[track])
            voices[track, steps] = pitches + LOWEST_PITCH
        beat = meter.beat_steps[0]
        texture = judge.texture_from_voices(voices, meter.bar_steps, bar_phase, beat)
        row["pcs_beats"] = judge.pcs(texture, on_beats=True)
        row["ctnctr"] = judge.ctnctr(texture)
    return row


def meter_subset(data: Dataset, meter: Meter) -> Dataset:
    keep = [i for i in range(len(data)) if data.meter(i) == meter]
    pieces = [data.piece(i) for i in keep]
    from models.build_dataset import _concatenate

    return _concatenate(pieces)


def same_music_windows(data: Dataset, bars: int) -> dict[Meter, list[Window]]:
    """Per meter, one window per chorale of the split: the stretch of ``bars`` bars of
    the original (4/4 or 3/4) from its first downbeat, found in each re-timed copy by
    the ratio of the copy's length to the original's (1.5 re-timed into compound
    meter, 3 for 6/4, 2 for 3/2, 1 re-barred: ``models.retime``)."""
    pieces = data.pieces()
    originals = {p.name: p for p in pieces if "@" not in p.name}
    out: dict[Meter, list[Window]] = {}
    for piece in pieces:
        source = originals.get(piece.name.split("@")[0])
        if source is None:
            continue
        ratio = piece.n_steps / source.n_steps  # up to a beat's rounding: snap it
        scale = min((1.0, 1.5, 2.0, 3.0), key=lambda r: abs(r - ratio))
        first = (source.meter.bar_steps - source.bar_phase) % source.meter.bar_steps
        start = round(first * scale)
        end = min(piece.n_steps, start + round(bars * source.meter.bar_steps * scale))
        phase = (piece.bar_phase + start) % piece.meter.bar_steps
        window = Window(
            piece.name,
            piece.voices[:, start:end],
            piece.onsets[:, start:end],
            piece.meter,
            phase,
        )
        out.setdefault(piece.meter, []).append(window)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=Path("resources/weights/composer-chorales"))
    parser.add_argument("--split", default="test")
    parser.add_argument("--windows", type=int, default=24, help="windows per meter")
    parser.add_argument("--candidates", type=int, default=4)
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--same-music", action="store_true", help="every meter on the same chorale stretches"
    )
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    generator, _, card = load_model(args.model)
    judge = harmony_measures()
    data = load_split(args.data, args.split)
    started = time.monotonic()
    print(f"model {args.model.name} ({card.get('data', {}).get('source', '?')})")
    if args.same_music:
        same = same_music_windows(data, args.bars)
        print(f"{args.split} split, the same {args.bars} bars of each chorale in every meter")
    else:
        print(f"{args.split} split, {args.windows} windows of {args.bars} bars per meter")
    header = None
    for signature in ACCOMPANIED_METERS:
        meter = Meter(*signature)
        if args.same_music:
            wins = same.get(meter, [])
        else:
            subset = meter_subset(data, meter)
            wins = windows(subset, args.bars)[: args.windows] if len(subset) else []
        if not wins:
            continue
        rows = {"bach": [], "model": []}
        for i, w in enumerate(wins):
            _, rolls = generate_for_window(generator, w, args.candidates, args.seed + i)
            real = np.concatenate([rolls[0][:1], _bach(w)])
            rows["bach"].append(measure(real, meter, judge, w.bar_phase))
            rows["model"].append(
                {
                    k: np.nanmean([measure(r, meter, judge, w.bar_phase)[k] for r in rolls])
                    for k in rows["bach"][-1]
                }
            )
        for name, values in rows.items():
            keys = list(values[0])
            if header is None:
                header = f"{'meter':6} {'row':6} {'n':>3} " + " ".join(f"{k:>12}" for k in keys)
                print(header)
            means = [np.nanmean([v[k] for v in values]) for k in keys]
            print(
                f"{str(meter):6} {name:6} {len(values):3d} " + " ".join(f"{m:12.3f}" for m in means)
            )
    print(f"({time.monotonic() - started:.0f} s)")


def _bach(window) -> np.ndarray:
    from models.build_dataset import voices_to_roll

    return voices_to_roll(window.voices[1:])


if __name__ == "__main__":
    main()
