"""The engine in a process of its own, so torch never holds the window's interpreter lock.

Run in a thread, the engine stalls the Qt event loop: importing torch holds the GIL for
most of a second, and numpy work between network passes holds it for tens of
milliseconds. A child process (spawned, one at a time, kept warm between generations)
has its own interpreter, so the window only waits on the operating system's scheduler.

Both hosts, this and the in-process ``workers.LazyEngine`` (used in a frozen bundle,
where spawning would start the app again), take a whole
``core.generate_request.GenerateRequest`` through ``EngineHolder.generate``. Progress
comes back through a queue and cancel goes out through an event, both shared with the
child when it starts.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

POLL_SECONDS = 0.03  # how often the waiting thread passes progress on and checks cancel
PARENT_CHECK_SECONDS = 1.0  # how often the child looks whether the app is still there

# --- the child process ---------------------------------------------------------------

_engine = None
_cancel = None
_progress = None


def _exit_with_parent(parent_pid: int) -> None:
    """If the app dies (a crash, a kill), the child must not live on holding the model."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent_pid:
            os._exit(0)


def _child_start(model_path: str, device: str, cancel, progress, parent_pid: int) -> None:
    """Runs once in the child: remember the shared cancel event and progress queue."""
    global _engine, _cancel, _progress
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    import torch

    from composer_gui.core.engine import Engine

    # leave a core to the window (and the audio), or both stutter on small machines
    threads = int(os.environ.get("COMPOSER_TORCH_THREADS", "0")) or max(
        1, (os.cpu_count() or 2) - 1
    )
    torch.set_num_threads(threads)
    _engine = Engine(Path(model_path) if model_path else None, device=device)
    _cancel, _progress = cancel, progress


def _child_load() -> str:
    _engine.load()
    return _engine.device_name


def _child_generate(request):
    _engine.load()
    return request.run_on(_engine, cancel=_cancel, progress=_progress.put)


# --- the app's side ------------------------------------------------------------------


class RemoteEngine:
    """Stands for the engine in the child: ``device_name`` and ``run_request``."""

    def __init__(self, owner: EngineProcess, device_name: str) -> None:
        self.owner = owner
        self.device_name = device_name

    def run_request(self, request, cancel=None, progress=None):
        """Blocks the calling (worker) thread, never the UI; passes progress and cancel on."""
        owner = self.owner
        owner.cancel_event.clear()
        while not owner.progress_queue.empty():  # left over from a cancelled run
            owner.progress_queue.get_nowait()
        future = owner.executor.submit(_child_generate, request)
        while not future.done():
            try:
                fraction = owner.progress_queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                fraction = None
            if fraction is not None and progress is not None:
                progress(fraction)
            if cancel is not None and cancel.is_set():
                owner.cancel_event.set()
        return future.result()


class EngineHolder:
    """What the window holds: the chosen model and device, and an engine made from them
    on the first ``get()``; a new choice drops the engine, and the next ``get()`` makes one
    with it.  Subclasses say how an engine is made (``get``) and dropped (``_forget``)."""

    def __init__(self, model_path: str = "", device: str = "auto") -> None:
        self.model_path = model_path
        self.device = device
        self.engine = None
        self._lock = threading.Lock()

    def configure(self, model_path: str, device: str) -> None:
        with self._lock:
            if (model_path, device) != (self.model_path, self.device):
                self.model_path, self.device = model_path, device
                self._forget()

    def _forget(self) -> None:
        self.engine = None

    def generate(self, request, cancel=None, progress=None):
        """The one interface of both hosts: the engine made on first use runs the request,
        in this process or in the child (whose stand-in has ``run_request``)."""
        engine = self.get()
        remote = getattr(engine, "run_request", None)
        if remote is not None:
            return remote(request, cancel=cancel, progress=progress)
        return request.run_on(engine, cancel=cancel, progress=progress)


class EngineProcess(EngineHolder):
    """Starts the child on first ``get()`` (on the worker thread) and keeps it warm."""

    def __init__(self, model_path: str = "", device: str = "auto") -> None:
        super().__init__(model_path, device)  # engine: the RemoteEngine once loaded
        self.executor: ProcessPoolExecutor | None = None
        self.cancel_event = None
        self.progress_queue = None

    def get(self):
        with self._lock:
            if self.engine is None:
                context = multiprocessing.get_context("spawn")
                self.cancel_event = context.Event()
                self.progress_queue = context.Queue()
                self.executor = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=context,
                    initializer=_child_start,
                    initargs=(
                        self.model_path,
                        self.device,
                        self.cancel_event,
                        self.progress_queue,
                        os.getpid(),
                    ),
                )
                try:
                    device_name = self.executor.submit(_child_load).result()
                except BaseException:
                    self._forget()
                    raise
                self.engine = RemoteEngine(self, device_name)
            return self.engine

    def _forget(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
        self.engine = self.executor = None

    def close(self) -> None:
        with self._lock:
            self._forget()

    def terminate(self) -> None:
        """At exit: stop the child at once, even mid-load (no lock: ``get`` may hold it).

        The thread waiting in ``get`` or ``generate`` then gets BrokenProcessPool at once,
        so closing the window never waits for torch to finish importing.
        """
        executor = self.executor
        if executor is None:
            return
        if self.cancel_event is not None:
            self.cancel_event.set()
        # ProcessPoolExecutor has no public way to end a busy worker before Python 3.14
        for process in list(getattr(executor, "_processes", {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
