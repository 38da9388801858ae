"""Does the waltz's drum-fill fine-tune ship? Session 18's rule (``docs/band-model.md``,
"Session 18"), written and committed before the candidate's figures were read.

Rules 1 and 2 read ``band_phrase_bars.bar_tables`` (note starts a bar per bar of four,
MMA's parts, the shipped model and the candidate on the same pieces, 4 cleaned candidates
each) on the validation and the test split together: each cell's pieces of both splits
pooled, the mean weighted by pieces, so the waltz is judged on 7 + 4 pieces, not the 7
that session 15 looked at. Rule 3 reads ``band_onsets_decide.py``'s printed verdict on
the validation split (its like-for-like lines and its per-style bass line; its session-13
lines, the mean gap and the repeats, are not this rule).

1. Waltz 3/4 drums: bar 4 at least halfway from the shipped model's hits to MMA's, bars
   1-3 each within 0.25 of MMA's.
2. Every other row of session 14's bar-of-four table (``GUARDED``): no bar farther from
   MMA's than the shipped model's by more than 0.25.
3. Like for like not below -2 SE of the paired difference; no style's bass notes a bar
   farther from MMA's by more than 0.25.

    python benchmarks/band_fill_decide.py --candidate RUN/composer-band.safetensors \\
        --onsets-verdict docs/benchmarks/band-fill-s18-onsets-valid.txt

The waltz is judged once: a failed rule is not rerun with another seed or checkpoint.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_phrase_bars as bpb  # noqa: E402

TARGET = ("waltz", (3, 4), "drums")
# Session 14's bar-of-four table, every row but the target (docs/band-model.md).
GUARDED = (
    ("waltz", (3, 4), "bass"),
    ("waltz", (3, 4), "chords"),
    ("country", (4, 4), "drums"),
    ("country", (4, 4), "bass"),
    ("country", (4, 4), "chords"),
    ("swing", (2, 4), "pad"),
    ("swing", (4, 4), "pad"),
    ("bossa nova", (4, 4), "chords"),
    ("pop ballad", (2, 4), "bass"),
)
NEAR = 0.25  # hits (note starts) a bar: "within" and "farther by more than"


def pooled(splits: list[dict], styles: list[str], tracks: list[str]) -> dict:
    """``{(style, signature, track): (pieces, (sources, CYCLE))}`` over several splits'
    ``bar_tables``: each cell's tables weighted by its pieces."""
    out: dict = {}
    for tables in splits:
        for (style, signature), (count, table) in tables.items():
            for t, track in enumerate(tracks):
                key = (styles[style], tuple(signature), track)
                n, total = out.get(key, (0, 0.0))
                out[key] = (n + count, total + count * table[:, t])
    return {k: (n, total / n) for k, (n, total) in out.items()}


def fill_rule(row: np.ndarray) -> tuple[bool, str]:
    """Rule 1 on the target row ``(3, CYCLE)``: MMA, shipped, candidate."""
    mma, shipped, candidate = row
    needs = shipped[3] + (mma[3] - shipped[3]) / 2
    early = np.abs(candidate[:3] - mma[:3])
    holds = bool(candidate[3] >= needs and (early <= NEAR + 1e-9).all())
    return holds, (
        f"bar 4 {candidate[3]:.2f} (shipped {shipped[3]:.2f}, MMA {mma[3]:.2f}, needs "
        f"{needs:.2f}); bars 1-3 at most {early.max():.2f} from MMA's (within {NEAR})"
    )


def guard_rule(row: np.ndarray) -> tuple[bool, str]:
    """Rule 2 on one guarded row ``(3, CYCLE)``: no bar farther from MMA's than the
    shipped model's by more than ``NEAR``."""
    mma, shipped, candidate = row
    moved = np.abs(candidate - mma) - np.abs(shipped - mma)
    return bool((moved <= NEAR + 1e-9).all()), f"largest move away from MMA's {moved.max():+.2f}"


def onsets_rule(verdict_text: str) -> tuple[bool, list[str]]:
    """Rule 3 from ``band_onsets_decide.py``'s verdict lines: its rule-3 lines (like for
    like) and its per-style "notes a bar moved farther" lines; not its session-13 lines."""
    lines = [x[2:] for x in verdict_text.splitlines() if x.startswith("- ")]
    kept = [x for x in lines if x.startswith("3 ") or "moved farther" in x]
    if not any(x.startswith("3 ") for x in kept):
        raise ValueError("no like-for-like verdict lines: not band_onsets_decide.py's output")
    return not any(" fails" in x for x in kept), kept


def decide(table: dict, onsets_text: str) -> tuple[bool, list[str]]:
    """The three rules; ``table`` as ``pooled`` gives it."""
    lines = []
    ok1, text = fill_rule(table[TARGET][1])
    lines.append(f"1 {'holds' if ok1 else 'fails'}: waltz 3/4 drums, {text}")
    ok2 = True
    for key in GUARDED:
        ok, text = guard_rule(table[key][1])
        ok2 &= ok
        lines.append(f"2 {'holds' if ok else 'fails'}: {key[0]} {key[1][0]}/{key[1][1]} "
                     f"{key[2]}, {text}")  # fmt: skip
    ok3, kept = onsets_rule(onsets_text)
    lines += [f"3 (band_onsets_decide) {x}" for x in kept]
    return ok1 and ok2 and ok3, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", type=Path, required=True)
    parser.add_argument("--shipped", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=bpb.DATA)
    parser.add_argument("--onsets-verdict", type=Path, required=True)
    args = parser.parse_args()
    from composer_gui.paths import resource_path
    from models.band_pieces import load_band_split
    from models.checkpoint import load_model

    started = time.monotonic()
    shipped = args.shipped or resource_path("weights", "composer-band.safetensors")
    models = [load_model(Path(p))[0].eval() for p in (shipped, args.candidate)]
    tracks = [t.name for t in models[0].tracks]
    splits, styles = [], None
    for split in ("valid", "test"):
        data = load_band_split(args.data, split)
        styles = list(data.styles)
        splits.append(bpb.bar_tables(data, models, 8, 12))
    table = pooled(splits, styles, tracks)
    print(f"shipped {shipped}; candidate {args.candidate}")
    print("note starts a bar, bars 1 2 3 4 of four; first 8 bars, no pickup, validation and "
          "test pieces pooled; MMA | shipped | candidate")  # fmt: skip
    for key in (TARGET, *GUARDED):
        cell = (styles.index(key[0]), key[1])
        counts = " + ".join(
            f"{tables[cell][0]} {name}"
            for name, tables in zip(("valid", "test"), splits, strict=True)
            if cell in tables
        )
        row = table[key][1]
        print(f"{key[0]} {key[1][0]}/{key[1][1]} {key[2]:7s} ({counts} pieces): "
              + " | ".join(" ".join(f"{v:5.2f}" for v in source) for source in row))  # fmt: skip
    ships, lines = decide(table, args.onsets_verdict.read_text())
    print("\nverdict (docs/band-model.md, session 18):")
    print("\n".join(f"- {x}" for x in lines))
    print(f"ships: {'yes' if ships else 'no'}; {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
