"""The Train window's view of a run's ``log.csv`` and ``metrics.jsonl``: each row parsed once.

``models/run_log.py`` replaces the whole file at every logged row, and the window polls
it four times a second.  Parsing it whole each time (``read_log``) grows with the run:
a long run's thousands of rows cost the event loop tens of milliseconds a poll.  While
the file only grows (the same header, the old text its prefix) only the new lines are
parsed; when it changes otherwise (the header widened by the first ``val_*`` metrics,
rows dropped on resume) it is parsed again whole.  A band's ``metrics.jsonl`` only grows
(appended at every sample), so only its new lines are read.  The rows are the ones
``read_log`` and ``band_metric_rows`` give (``tests/composer_gui/core/test_training_log.py``
compares them).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path


def _parse(text: str) -> list[dict[str, float]]:
    """Rows of a CSV text with its header, numbers as ``read_log`` makes them."""
    return [
        {k: (float(v) if v not in ("", None) else math.nan) for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(text))
    ]


class LogTail:
    """The rows of one ``log.csv``; :meth:`read` parses only what is new since last time."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.rows: list[dict[str, float]] = []
        self._data = b""  # the whole lines parsed so far, header first
        self._header = ""
        self._stamp: tuple[int, int] | None = None  # (mtime ns, size) of the last read

    def read(self) -> list[dict[str, float]]:
        """The rows now; unchanged (the same list) when the file did not change.

        Raises ``OSError``/``ValueError`` for an unreadable file (one replaced under a
        file system without atomic rename: the next read sees it whole).
        """
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return self.rows
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return self.rows
        data = self.path.read_bytes()
        data = data[: data.rfind(b"\n") + 1]  # whole lines only
        if self._data and data.startswith(self._data):
            new = data[len(self._data) :].decode()
            self.rows = self.rows + _parse(self._header + new) if new else self.rows
        else:
            text = data.decode()
            self._header = text[: text.find("\n") + 1]
            self.rows = _parse(text)
        self._data, self._stamp = data, stamp
        return self.rows


class MetricsTail:
    """A band run's ``samples/metrics.jsonl`` as ``band_metric_rows`` gives it (one row
    a sample, by iteration, a row measured again after a resume replacing the first),
    reading only the lines appended since the last read: a long run's thousands of
    samples are not parsed again at every redraw."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._by_iteration: dict[int, dict[str, float]] = {}
        self._offset = 0  # bytes of whole lines read so far
        self._rows: list[dict[str, float]] = []

    def read(self) -> list[dict[str, float]]:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return self._rows
        if size < self._offset:  # a new file (a run started again): read it from the top
            self._by_iteration, self._offset = {}, 0
        if size == self._offset:
            return self._rows
        with open(self.path, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        data = data[: data.rfind(b"\n") + 1]  # a torn last line waits for the next read
        self._offset += len(data)
        for line in data.decode().splitlines():
            try:
                row = json.loads(line)
                self._by_iteration[int(row["iteration"])] = row
            except (ValueError, KeyError, TypeError):
                continue
        self._rows = [self._by_iteration[i] for i in sorted(self._by_iteration)]
        return self._rows
