"""The Train window's log readers give what ``read_log`` and ``band_metric_rows`` give,
parsing only new rows.

The log is written by the trainer's own functions (``append_log``, ``truncate_log``), so
a header widened by the first validation metrics, rows dropped on resume, and a file
torn mid-line (a file system without atomic rename) are the real cases.
"""

from __future__ import annotations

import math

from composer_gui.core import training_log
from composer_gui.core.training_log import LogTail, MetricsTail
from models.run_log import append_log, read_log, truncate_log
from models.train_samples import METRICS_NAME, SAMPLES_DIR, band_metric_rows


def _same(a: list[dict], b: list[dict]) -> bool:
    def key(rows):
        return [{k: ("nan" if math.isnan(v) else v) for k, v in r.items()} for r in rows]

    return key(a) == key(b)


def _row(i: int) -> dict:
    return {"iteration": i, "seconds": i / 10, "critic_loss": -i, "generator_loss": 2 * i}


def test_rows_are_parsed_once_and_match_read_log(tmp_path, monkeypatch):
    log = tmp_path / "log.csv"
    tail = LogTail(log)
    assert tail.read() == []  # no log yet
    parsed: list[int] = []
    real_parse = training_log._parse
    monkeypatch.setattr(
        training_log, "_parse", lambda text: parsed.append(text.count("\n") - 1) or real_parse(text)
    )
    for i in range(1, 6):
        append_log(log, _row(5 * i))
        assert _same(tail.read(), read_log(log))
    assert parsed == [1, 1, 1, 1, 1]  # one new row each time, never the whole file
    same = tail.read()
    assert tail.read() is same and len(parsed) == 5  # unchanged file: nothing parsed

    append_log(log, _row(30) | {"val_polyphony": 2.5})  # the header widens
    assert _same(tail.read(), read_log(log)) and parsed[-1] == 6
    assert math.isnan(tail.rows[0]["val_polyphony"]) and tail.rows[-1]["val_polyphony"] == 2.5

    truncate_log(log, 15)  # a resume drops the rows after its checkpoint
    assert [r["iteration"] for r in tail.read()] == [5, 10, 15]
    append_log(log, _row(20))
    assert _same(tail.read(), read_log(log)) and parsed[-1] == 1


def test_a_torn_last_line_waits_for_the_next_read(tmp_path):
    log = tmp_path / "log.csv"
    append_log(log, _row(5))
    append_log(log, _row(10))
    whole = log.read_text()
    log.write_text(whole[: whole.rfind("10") + 1])  # mid-way through the last row
    tail = LogTail(log)
    assert [r["iteration"] for r in tail.read()] == [5]
    log.write_text(whole + "15,1.5,-15,30,,,\n")
    assert [r["iteration"] for r in tail.read()] == [5, 10, 15]


def test_band_metrics_are_read_as_band_metric_rows_reads_them(tmp_path):
    samples = tmp_path / SAMPLES_DIR
    samples.mkdir()
    path = samples / METRICS_NAME
    tail = MetricsTail(path)
    assert tail.read() == []

    def append(text: str) -> None:
        with open(path, "a") as f:
            f.write(text)

    append('{"iteration": 50, "bass: notes a bar": 3.0}\n{"iteration": 100, "bass: not')
    assert (
        tail.read() == band_metric_rows(tmp_path) == [{"iteration": 50, "bass: notes a bar": 3.0}]
    )  # the torn line is left out, as band_metric_rows leaves it
    append('es a bar": 4.0}\n{"iteration": 50, "bass: notes a bar": 5.0}\n')  # re-measured
    assert tail.read() == band_metric_rows(tmp_path)
    assert [r["bass: notes a bar"] for r in tail.read()] == [5.0, 4.0]
    path.write_text('{"iteration": 10, "bass: notes a bar": 1.0}\n')  # a new, shorter file
    assert tail.read() == band_metric_rows(tmp_path)
