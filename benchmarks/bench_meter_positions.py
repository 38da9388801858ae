"""Where in the beat each meter's harmony is lost: Bach, the network and each clean-up.

    .venv/bin/python benchmarks/bench_meter_positions.py --data runs/data/chorales-meters \
        [--split valid] [--meters 4/4 6/8] [--windows 24] [--candidates 4]

For the re-timed chorales of ``composer-gui dataset build --meters`` (choose on the
validation split; the test split only judges), per meter and per eighth of the meter's
beat (eighth 0 is the beat head; in 6/8 eighths 1 and 2 are the dotted beat's second and
third; in 2/2 eighth 2 is the half note's second quarter), it prints:

- ``chg``: how often per beat the accompaniment's pitch-class set changes in that eighth;
- ``pcs``: PCS (Yeh et al. 2021, ``models.harmony_measures``) at the eighth's first step,
  all accompaniment voices together, and at the beat head per voice (alto, tenor, bass);
- CTnCTR over the whole window.

Rows: ``bach`` (his voices re-timed with the melody), ``raw`` (the network's per-step
choice, uncleaned: what the network says), and one row per clean-up of
``models.meter_cleanup.CLEANUPS``, so a loss can be put on the network or on a rule.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_meters import harmony_measures, meter_subset  # noqa: E402

from models.build_dataset import REST, load_split, voices_to_roll  # noqa: E402
from models.checkpoint import load_model  # noqa: E402
from models.cleanup import labels_to_roll, voice_labels  # noqa: E402
from models.evaluate import windows  # noqa: E402
from models.meter_cleanup import CLEANUPS  # noqa: E402
from models.pianoroll import ACCOMPANIED_METERS, LOWEST_PITCH, Meter, meter_positions  # noqa: E402
from models.sampling import candidate_probabilities, melody_condition, pad_length  # noqa: E402


def texture(judge, roll: np.ndarray, melody: np.ndarray, meter: Meter):
    """The judge's texture of a melody voice ``(T,)`` (pitch index or REST, as the
    dataset holds it) over a roll ``(track, T, P)`` of accompaniment voices."""
    voices = np.full((roll.shape[0] + 1, roll.shape[1]), REST, dtype=np.int64)
    voices[0] = np.where(melody == REST, REST, melody + LOWEST_PITCH)
    for track in range(roll.shape[0]):
        steps, pitches = np.nonzero(roll[track])
        voices[track + 1, steps] = pitches + LOWEST_PITCH
    return judge.texture_from_voices(voices, meter.bar_steps, 0, meter.beat_steps[0])


def position_row(judge, roll: np.ndarray, melody: np.ndarray, meter: Meter) -> dict[str, float]:
    """Per-eighth change rate and PCS, per-voice PCS on the beat heads, and CTnCTR."""
    t = roll.shape[1]
    phase, _ = meter_positions([(0, meter)], t)
    eighth = phase // 2
    beats = max(1, int((phase == 0).sum()))
    whole = texture(judge, roll, melody, meter)
    classes = judge.chord_pitch_classes(whole)
    changed = np.zeros(t, dtype=bool)
    changed[1:] = (classes[1:] != classes[:-1]).any(axis=1) & classes[1:].any(axis=1)
    row: dict[str, float] = {}
    for e in range(int(eighth.max()) + 1):
        row[f"chg{e}"] = float((changed & (eighth == e)).sum() / beats)
        at = phase == 2 * e
        row[f"pcs{e}"] = judge.pcs(dataclasses.replace(whole, beat_starts=at), on_beats=True)
    for v, name in enumerate(("A", "T", "B")):
        one = dataclasses.replace(whole, parts=whole.parts[v : v + 1])
        row[f"pcs{name}"] = judge.pcs(one, on_beats=True)
    row["ctnctr"] = judge.ctnctr(whole)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", type=Path, default=Path("resources/weights/composer-chorales"))
    parser.add_argument("--split", default="valid")
    parser.add_argument("--meters", nargs="*", default=None, help="e.g. 4/4 6/8 (default all)")
    parser.add_argument("--windows", type=int, default=24)
    parser.add_argument("--candidates", type=int, default=4)
    parser.add_argument("--bars", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    generator, _, _ = load_model(args.model)
    judge = harmony_measures()
    data = load_split(args.data, args.split)
    chosen = ACCOMPANIED_METERS
    if args.meters:
        chosen = [tuple(int(x) for x in m.split("/")) for m in args.meters]
    for signature in chosen:
        meter = Meter(*signature)
        subset = meter_subset(data, meter)
        if len(subset) == 0:
            continue
        rows: dict[str, list[dict[str, float]]] = {}
        for i, w in enumerate(windows(subset, args.bars)[: args.windows]):
            t = w.voices.shape[1]
            n = pad_length(t, generator.config.time_multiple)
            cond = melody_condition(w.voices[0], w.onsets[0], w.meter, w.bar_phase, n)
            probs = candidate_probabilities(generator, cond, args.candidates, args.seed + i)
            probs = probs.cpu().numpy()[:, :, :t]
            melody = w.voices[0]
            rows.setdefault("bach", []).append(
                position_row(judge, voices_to_roll(w.voices[1:]), melody, meter)
            )
            made = {"raw": [labels_to_roll(voice_labels(p)) for p in probs]}
            for name, clean in CLEANUPS.items():
                made[name] = [clean(p, w.meter, w.bar_phase)[0] for p in probs]
            for name, rolls in made.items():
                per = [position_row(judge, r, melody, meter) for r in rolls]
                rows.setdefault(name, []).append(
                    {k: float(np.nanmean([p[k] for p in per])) for k in per[0]}
                )
        keys = list(rows["bach"][0])
        print(f"\n{meter} ({len(rows['bach'])} windows, {args.split})")
        print(f"{'row':10} " + " ".join(f"{k:>7}" for k in keys))
        for name, values in rows.items():
            means = [np.nanmean([v[k] for v in values]) for k in keys]
            print(f"{name:10} " + " ".join(f"{m:7.3f}" for m in means))


if __name__ == "__main__":
    main()
