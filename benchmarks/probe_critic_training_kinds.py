"""Did a critic learn the spoiled kinds it was trained with?  Scores on training windows.

For critics of the same chorale model (a critic-only fine-tune and its start), one batch
of windows drawn as training draws them (``models.train_data.ChoraleData``, the meters
data's training split, 4 bars, transposed), each spoiled by every kind of
``models.negatives`` (the five shipped kinds and the trial kinds), and per critic the
share of windows whose real accompaniment scores above its spoiled copy and the mean gap
(raw critic units). A kind the fine-tune was shown but did not learn reads no better than
at the start (issue 18, session 15: docs/ranking.md, fifth pass).

Usage: python benchmarks/probe_critic_training_kinds.py DATA MODEL [MODEL ...]
       [--windows 256]   (DATA: ``composer-gui dataset build --meters --out DATA``)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from models.checkpoint import load_model
from models.negatives import KINDS, SPOILERS, TRIAL_KINDS
from models.train_data import ChoraleData


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("models", type=Path, nargs="+")
    parser.add_argument("--windows", type=int, default=256)
    args = parser.parse_args()

    torch.manual_seed(0)
    models = [load_model(path) for path in args.models]
    config = models[0][0].config.replace(critic_negative_kinds=())
    data = ChoraleData(args.data, config, np.random.default_rng(0))
    cond, target, phase = data.batch(args.windows, "cpu")
    real = data.real(target)
    print(f"{args.windows} training windows; per critic: real above spoiled, mean gap")
    print(f"{'kind':<16}" + " | ".join(f"{p.parent.name or p.name:>24}" for p in args.models))
    for kind in (*KINDS, *TRIAL_KINDS):
        g = torch.Generator().manual_seed(1)
        if kind in TRIAL_KINDS:
            spoiled = SPOILERS[kind](target, g, phase, cond)
        else:
            spoiled = SPOILERS[kind](target, g, phase)
        fake = data.real(spoiled)
        cells = []
        for _, critic, _ in models:
            with torch.no_grad():
                r, f = critic(cond, real).float(), critic(cond, fake).float()
            cells.append(f"{100 * (r > f).float().mean():>5.0f}%, gap {(r - f).mean():+.2f}")
        print(f"{kind:<16}" + " | ".join(f"{c:>24}" for c in cells))


if __name__ == "__main__":
    main()
