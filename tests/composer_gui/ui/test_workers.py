"""Failures on the worker thread and in slots: refusals log one line, bugs a traceback."""

from __future__ import annotations

import logging
import sys

import pytest

from composer_gui.core.errors import ComposerError
from composer_gui.ui.workers import TaskRunner


def refuse() -> None:
    raise ComposerError("This melody has no notes; play or open one first.")


def crash() -> None:
    raise RuntimeError("a bug")


def failures(qtbot, fn) -> str:
    """Run ``fn`` on a TaskRunner; the sentence its on_error got."""
    runner = TaskRunner()
    told: list[str] = []
    runner.run(fn, on_error=told.append)
    qtbot.waitUntil(lambda: bool(told), timeout=5000)
    runner.shutdown()
    return told[0]


def records_of(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("composer_gui")]


def test_a_refusal_on_the_worker_is_a_warning_without_a_traceback(qtbot, caplog):
    caplog.set_level(logging.INFO)
    told = failures(qtbot, refuse)
    assert told == "This melody has no notes; play or open one first."
    [record] = records_of(caplog)
    assert record.levelno == logging.WARNING
    assert "no notes" in record.getMessage()
    assert "Traceback" not in record.getMessage() and record.exc_info is None


def test_an_unexpected_error_on_the_worker_keeps_its_traceback(qtbot, caplog):
    caplog.set_level(logging.INFO)
    told = failures(qtbot, crash)
    assert told.startswith("Something unexpected went wrong")
    [record] = records_of(caplog)
    assert record.levelno == logging.ERROR
    assert "Traceback" in record.getMessage() and "RuntimeError: a bug" in record.getMessage()


@pytest.mark.parametrize(
    "error, level, traced",
    [
        (ComposerError("No MIDI keyboard found."), logging.WARNING, False),
        (KeyError("x"), logging.ERROR, True),
    ],
)
def test_the_excepthook_logs_refusals_in_one_line(monkeypatch, caplog, error, level, traced):
    from composer_gui.ui.app import install_excepthook

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    caplog.set_level(logging.INFO)
    install_excepthook(lambda: None)
    try:
        raise error
    except type(error) as raised:
        sys.excepthook(type(raised), raised, raised.__traceback__)
    [record] = records_of(caplog)
    assert record.levelno == level
    assert ("Traceback" in record.getMessage()) is traced


def test_a_daemon_runner_runs_in_order_on_a_daemon_thread_and_abandon_drops_results(qtbot):
    """The window's score reader (session 18): its jobs run one after another on one
    daemon thread (the exit never waits for it), failures reach on_error as on the
    generation's runner, and after ``abandon()`` nothing more is delivered."""
    import threading

    runner = TaskRunner(daemon=True)
    threads, done, told = [], [], []

    def job(n: int) -> int:
        threads.append(threading.current_thread())
        return n

    for n in range(3):
        runner.run(job, n, on_done=done.append)
    runner.run(refuse, on_error=told.append)
    qtbot.waitUntil(lambda: len(done) == 3 and bool(told), timeout=5000)
    assert done == [0, 1, 2] and told == ["This melody has no notes; play or open one first."]
    assert len(set(threads)) == 1 and threads[0].daemon
    release = threading.Event()
    runner.run(lambda: release.wait(5), on_done=done.append)
    runner.run(job, 9, on_done=done.append)  # queued behind it: never starts
    runner.abandon()
    release.set()
    qtbot.wait(200)
    assert done == [0, 1, 2] and not runner.busy
    with pytest.raises(RuntimeError):
        runner.run(job, 10)
