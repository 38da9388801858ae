"""A training run's log, ``run_dir/log.csv``: one row per logged iteration.

Losses are columns from the start; evaluation metrics (``val_*``) widen the header when
they first appear.  Every write replaces the file atomically, so a killed run leaves a
readable log, and resuming from a checkpoint first drops the rows logged after it.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

LOG_FIELDS = [
    "iteration",
    "seconds",
    "critic_loss",
    "generator_loss",
    "wasserstein",
    "gradient_penalty",
    "reconstruction",
]


def append_log(path: Path, row: dict) -> None:
    """Append a row; new metric columns (from evaluation) widen the file's header."""
    rows = []
    fields = list(LOG_FIELDS)
    if path.is_file():
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            fields = list(reader.fieldnames or fields)
            rows = list(reader)
    for key in row:
        if key not in fields:
            fields.append(key)
    rows.append({k: v for k, v in row.items()})
    _write(path, fields, rows)


def truncate_log(path: Path, last_iteration: int) -> None:
    """Drop the rows after ``last_iteration``: a run killed between checkpoints logged
    iterations that resuming trains again, and a log must not hold them twice."""
    if not path.is_file():
        return
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames or LOG_FIELDS, list(reader)
    kept = [r for r in rows if float(r["iteration"]) <= last_iteration]
    if len(kept) == len(rows):
        return
    _write(path, fields, kept)


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    """Replace the log atomically, so a run killed mid-write leaves the old one whole."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, path)


def read_log(path: Path) -> list[dict[str, float]]:
    with open(path, newline="") as f:
        return [
            {k: (float(v) if v not in ("", None) else math.nan) for k, v in row.items()}
            for row in csv.DictReader(f)
        ]
