"""Two recorded runs of the corpus benchmark compared tune by tune: which tunes' figures
moved, and by how much. A reading of two records; nothing is chosen on it.

    python benchmarks/corpus_against.py OLD.json NEW.json

Why: a rerun of ``bench_corpus.py`` is a judge of the product as it stands, and a meter's
row can move for reasons that are not the change under test (an engine change since the
recording, a tune newly accompanied). Listing every tune whose record differs, with the
measure and both values, says which tunes carry a row's move before it is read as one.
Per-tune seconds are left out (they are the machine's, not the product's).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

# What the product wrote, as the judge read it; ``seconds`` is not compared.
FIGURES = (
    "accompanied",
    "melody_kept",
    "signatures_kept",
    "tracks",
    "written_signatures",
    "pcs",
    "pcs_beats",
    "ctnctr",
    "mctd",
    "in_key",
    "empty_bars",
)
TOLERANCE = 1e-9  # figures written from the same notes agree to the last digit


def same(a, b) -> bool:
    """Equal records' values: numbers within ``TOLERANCE`` (None, NaN alike), lists by item."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= TOLERANCE
    return a == b


def tune_changes(old: list[dict], new: list[dict]) -> list[dict]:
    """Each tune whose figures differ between the two runs (or that only one run has):
    its name, meter and, per figure that moved, the old and the new value."""
    before = {r["tune"]: r for r in old}
    after = {r["tune"]: r for r in new}
    changes = []
    for name in list(before) + [n for n in after if n not in before]:
        a, b = before.get(name), after.get(name)
        if a is None or b is None:
            changes.append(
                {"tune": name, "meter": (a or b)["meter"], "only_in": "new" if a is None else "old"}
            )
            continue
        moved = {k: (a.get(k), b.get(k)) for k in FIGURES if not same(a.get(k), b.get(k))}
        if moved:
            changes.append({"tune": name, "meter": a["meter"], "moved": moved})
    return changes


def describe(change: dict) -> str:
    if "only_in" in change:
        return f"{change['meter']:>5} {change['tune']}: only in the {change['only_in']} run"
    parts = []
    for key, (a, b) in change["moved"].items():
        if isinstance(a, float) and isinstance(b, float):
            parts.append(f"{key} {a:.3f}->{b:.3f}")
        else:
            parts.append(f"{key} {a}->{b}")
    return f"{change['meter']:>5} {change['tune']}: " + ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    args = parser.parse_args()
    old = json.loads(args.old.read_text())["tunes"]
    new = json.loads(args.new.read_text())["tunes"]
    changes = tune_changes(old, new)
    for change in changes:
        print(describe(change))
    per_meter = Counter(c["meter"] for c in changes)
    total = Counter(r["meter"] for r in new)
    print(
        f"{len(changes)} of {len(new)} tunes changed: "
        + ", ".join(f"{m} {per_meter[m]}/{total[m]}" for m in total)
    )


if __name__ == "__main__":
    sys.exit(main())
