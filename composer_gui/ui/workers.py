"""Run core functions off the UI thread and hand their results back to it.

The shape follows Anki's QueryOp: a plain function runs on a worker thread and must
not touch any widget; when it returns, ``on_done(result)`` runs on the UI thread, and
when it raises, ``on_error(message)`` gets one sentence a musician can act on (the
traceback goes to the log). A single worker thread serializes the jobs, so only one
generation (or model load) runs at a time and the model is never used by two threads.

A runner made with ``daemon=True`` (the window's score reader) runs its jobs on a daemon
thread instead, for work that cannot be interrupted and need not finish: ``abandon()``
drops what is still running (nothing it returns is delivered) and the process exits
without waiting for it, where a ThreadPoolExecutor's thread is joined at exit.
"""

from __future__ import annotations

import logging
import queue
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from PySide6.QtCore import QObject, Signal

from composer_gui.core.errors import ComposerError
from composer_gui.ui.engine_process import EngineHolder

log = logging.getLogger(__name__)


def is_expected(error: BaseException) -> bool:
    """A refusal written for the musician (bad file, missing model, melody too long): it is
    logged as one line, while an unexpected error keeps its traceback for the bug report."""
    if isinstance(error, ComposerError):
        return True
    try:
        from models.errors import ModelError
    except ImportError:  # pragma: no cover - models/ always ships with the app
        return False
    return isinstance(error, ModelError)


def log_failure(logger: logging.Logger, what: str, error: BaseException) -> None:
    """Log ``error`` as the failure of ``what``: a refusal at WARNING in one line, anything
    else at ERROR with its traceback."""
    if is_expected(error):
        logger.warning("%s refused: %s", what, error)
    else:
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        logger.error("%s failed:\n%s", what, trace)


def musician_message(error: BaseException) -> str:
    """The sentence to show for an error; unexpected errors get a generic one."""
    if is_expected(error):
        return str(error)
    if isinstance(error, MemoryError):
        return "The computer ran out of memory; try fewer candidates or a shorter melody."
    if isinstance(error, OSError) and error.filename:
        reason = error.strerror or str(error)
        return f"{reason}: {error.filename}. Check the folder exists and you may write there."
    return (
        "Something unexpected went wrong. The details are in the log file "
        "(Help > Open Log Folder); please include them if you report it."
    )


class Job:
    """One call of ``fn(*args, **kwargs)`` on the worker thread, with its cancel flag.

    When ``with_progress`` is set, ``fn`` receives ``progress=`` (a callable taking a
    fraction 0..1) and ``cancel=`` (a threading.Event it should check).
    """

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.cancel_event = threading.Event()
        self.future: Future | None = None

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


class DaemonWorker:
    """One daemon thread running the calls submitted, in order, as a one-thread
    ThreadPoolExecutor does (``submit`` returns a Future), except that leaving the program
    never waits for it: a call that cannot be interrupted (music21 reading a score) would
    otherwise hold the exit until it ends."""

    def __init__(self, name: str) -> None:
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._shut = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        if self._shut:  # as a ThreadPoolExecutor refuses: the job would never run
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future = Future()
        self._calls.put((future, fn, args))
        return future

    def _loop(self) -> None:
        while True:
            call = self._calls.get()
            if call is None:
                return
            future, fn, args = call
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as error:  # noqa: BLE001 - the Future carries it
                future.set_exception(error)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self._shut = True
        if cancel_futures:
            while True:
                try:
                    call = self._calls.get_nowait()
                except queue.Empty:
                    break
                if call is not None:
                    call[0].cancel()
        self._calls.put(None)
        if wait:
            self._thread.join()


class TaskRunner(QObject):
    """The app's one worker thread; ``run`` queues a job and wires its callbacks.

    Results travel back through ``_deliver``, a signal emitted on the worker thread and
    received on the UI thread (Qt queues it), carrying the callback to run there.
    ``daemon``: the thread is a ``DaemonWorker``, left behind by ``abandon()``.
    """

    busy_changed = Signal(bool)
    _deliver = Signal(object)

    def __init__(self, parent: QObject | None = None, daemon: bool = False) -> None:
        super().__init__(parent)
        self._executor = (
            DaemonWorker("composer-reader")
            if daemon
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="composer-worker")
        )
        self._jobs: list[Job] = []
        # Held while a result is handed to the UI thread: after ``abandon()`` none is,
        # even by a job ending that moment (the window may be going away).
        self._delivering = threading.Lock()
        self._abandoned = False
        self._deliver.connect(self._on_deliver)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[float], None] | None = None,
        with_progress: bool = False,
        **kwargs: Any,
    ) -> Job:
        job = Job(fn, args, dict(kwargs))
        if with_progress or on_progress is not None:
            job.kwargs["cancel"] = job.cancel_event
            job.kwargs["progress"] = (
                (lambda fraction: self._deliver.emit(lambda: on_progress(fraction)))
                if on_progress is not None
                else (lambda _fraction: None)
            )
        self._jobs.append(job)
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        job.future = self._executor.submit(self._work, job, on_done, on_error)
        return job

    def _work(self, job: Job, on_done, on_error) -> None:
        """Worker thread: run the function, then send the outcome to the UI thread."""
        try:
            result = job.fn(*job.args, **job.kwargs)
        except BaseException as error:  # noqa: BLE001 - every failure must reach the UI
            log_failure(log, f"Job {getattr(job.fn, '__name__', job.fn)}", error)
            message = musician_message(error)
            self._hand_over(lambda: self._finish(job, on_error, message))
            return
        self._hand_over(lambda: self._finish(job, on_done, result))

    def _hand_over(self, callback: Callable[[], None]) -> None:
        with self._delivering:
            if not self._abandoned:
                self._deliver.emit(callback)

    def _on_deliver(self, callback: Callable[[], None]) -> None:
        if not self._abandoned:  # one already on its way when abandoned is dropped too
            callback()

    def _finish(self, job: Job, callback, value) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        if not self._jobs:
            self.busy_changed.emit(False)
        if callback is not None:
            callback(value)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def cancel_all(self) -> None:
        for job in self._jobs:
            job.cancel()

    def wait(self, msecs: int = -1) -> bool:
        """Block until every queued job has run (for shutdown and tests); False on timeout.

        The callbacks still run later, from the event loop.
        """
        futures = [job.future for job in self._jobs if job.future is not None]
        done, pending = wait(futures, timeout=None if msecs < 0 else msecs / 1000)
        return not pending

    def shutdown(self) -> None:
        self.cancel_all()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def abandon(self) -> None:
        """The window closes: the jobs queued never start, the one running is left to
        end unheard (its result, or failure, is dropped), and nothing waits for it. For
        a ``daemon`` runner, whose thread does not hold the program's exit."""
        with self._delivering:
            self._abandoned = True
        self.cancel_all()
        self._jobs.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)


class LazyEngine(EngineHolder):
    """Holds the engine in this process; ``get`` imports and loads it on first use (on the
    worker thread).

    Importing the engine pulls in torch, which takes seconds, so the window never does it:
    the first generation (or the warm-up queued after the window shows) pays that cost.
    """

    def get(self):
        with self._lock:
            if self.engine is None:
                import os
                from pathlib import Path

                import torch

                from composer_gui.core.engine import Engine

                # leave a core to the UI thread, or the window stutters while generating
                threads = int(os.environ.get("COMPOSER_TORCH_THREADS", "0")) or max(
                    1, (os.cpu_count() or 2) - 1
                )
                torch.set_num_threads(threads)
                engine = Engine(
                    Path(self.model_path) if self.model_path else None, device=self.device
                )
                engine.load()
                self.engine = engine
            return self.engine


def generate_candidates(holder: EngineHolder, request, progress=None, cancel=None):
    """Worker-thread body of a generation: the host loads the engine if needed and runs
    the request (``core.generate_request.GenerateRequest``)."""
    return holder.generate(request, cancel=cancel, progress=progress)
