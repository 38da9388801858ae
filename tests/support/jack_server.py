"""Fixtures: a JACK dummy server started per session, and jack_midi_dump as a real receiver.

The server runs with no sound card (``-d dummy``) at 48 kHz with 64-frame periods, so one
JACK period is 1.33 ms. It gets a name of its own so parallel runs never share a server;
``JACK_DEFAULT_SERVER`` points every client (ours, jack_lsp, jack_midi_dump) at it and
``JACK_NO_START_SERVER`` stops a client from starting a server behind our back.
The name carries this process's pid (``tests.support.orphans``): the server dies with the
process that started it, and a start first stops the servers of test processes that were
killed before they could stop theirs. The benchmark script uses the same classes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.orphans import (
    PREFIX,
    die_with_parent,
    process_alive,
    server_name,
    stop_child,
    stop_orphans,
)
from tests.support.real_parts import require

SAMPLE_RATE = 48000
PERIOD_FRAMES = 64
DAW_PERIOD_FRAMES = 256
"""A musician's usual JACK setting (5.3 ms at 48 kHz), for the 60-second timing test: at 64
frames the host of a 2-core VM, which now and then takes the CPU away for 2-9 ms, decides
more of the result than the scheduler does (benchmarks/bench_scheduler.py --period)."""


class JackServer:
    """A ``jackd`` dummy server we started, stopped by its own PID."""

    def __init__(self, sample_rate: int = SAMPLE_RATE, period_frames: int = PERIOD_FRAMES) -> None:
        self.name = server_name(uuid.uuid4().hex[:6])
        self.sample_rate = sample_rate
        self.period_frames = period_frames
        self.process: subprocess.Popen | None = None

    @property
    def period_seconds(self) -> float:
        return self.period_frames / self.sample_rate

    def env(self) -> dict[str, str]:
        """Environment for a client process of this server."""
        return {**os.environ, "JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}

    @contextlib.contextmanager
    def as_default(self):
        """Point this process's new JACK clients (rtmidi, mido) at this server for a while."""
        keys = ("JACK_DEFAULT_SERVER", "JACK_NO_START_SERVER")
        saved = {key: os.environ.get(key) for key in keys}
        os.environ.update({"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"})
        try:
            yield self
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    @contextlib.contextmanager
    def serving(self):
        """Start the server, make it this process's default, and stop it afterwards."""
        self.start()
        try:
            with self.as_default():
                yield self
        finally:
            self.stop()

    def start(self) -> None:
        # Orphans of killed test runs (realtime, 64-frame periods) take the CPU a new
        # server needs to start within its deadline.
        stop_orphans("jackd")
        free_stale_registrations()
        env = {**self.env(), "JACK_NO_AUDIO_RESERVATION": "1"}
        # Realtime where the OS allows it: a non-realtime dummy driver on a busy machine wakes
        # late, counts an xrun and restarts its cycle count, so its frame clock falls seconds
        # behind the wall clock in a minute. Realtime keeps it close; CI (no rights) runs without.
        realtime = ["-R", "-P", "70"] if _realtime_allowed() else ["--no-realtime"]
        # --sync: the server waits for every client each cycle; in JACK2's default async mode
        # a client that runs late on a busy machine has its MIDI for that cycle dropped.
        command = [
            "jackd",
            "-n",
            self.name,
            "--sync",
            *realtime,
            "-d",
            "dummy",
            "-r",
            str(self.sample_rate),
            "-p",
            str(self.period_frames),
        ]
        # Never a pipe nobody reads: jackd logs as it runs and would block on a full pipe.
        self.process = subprocess.Popen(
            die_with_parent(command), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        waited = subprocess.run(
            ["jack_wait", "-w", "-s", self.name, "-t", "10"],
            env=env,
            capture_output=True,
            text=True,
        )
        if waited.returncode != 0 or self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"jackd did not start: {waited.stdout} {waited.stderr}")

    def stop(self) -> None:
        if self.process is None:
            return
        stop_child(self.process)
        self.process = None

    def ports(self) -> list[str]:
        result = subprocess.run(["jack_lsp"], env=self.env(), capture_output=True, text=True)
        return result.stdout.split("\n")

    def wait_for_port(self, port: str, timeout_seconds: float = 30.0) -> None:
        """Until ``port`` is registered. 30 s, not 10: a client process (the ``play``
        command) took more than 10 s to import and open its port in a stress run on the
        loaded 2-core machine; the wait costs nothing when the port comes sooner."""
        deadline = time.monotonic() + timeout_seconds
        while port not in self.ports():
            if time.monotonic() > deadline:
                raise TimeoutError(f"JACK port {port} did not appear")
            time.sleep(0.02)

    def connect(self, source: str, destination: str) -> None:
        subprocess.run(["jack_connect", source, destination], env=self.env(), check=True)


REGISTRY = Path("/dev/shm/jack-shm-registry")
# This user's: the registry is shared, a name is "jack-<uid>:<name>:".
_REGISTERED = re.compile(f"jack-{os.getuid()}:({PREFIX}-\\d+-[0-9a-z]+):".encode())


def stale_registrations(registry: Path = REGISTRY) -> list[str]:
    """Our test servers that JACK's shared-memory registry still lists though their
    process is gone.

    JACK2's registry has places for 8 servers. A server frees its place when it exits
    cleanly, and a server that starts takes back a place held under its own name by a
    dead process; a server killed with SIGKILL holds its place for good. Our names are
    unique, so 8 such places and no ``jackd`` starts again, whatever its name ("Too many
    servers already active"). Each place is a ``pid_t`` and then the server's name,
    ``jack-<uid>:<name>:``; anything else in the file is not read."""
    try:
        data = registry.read_bytes()[:8192]
    except OSError:
        return []
    names = []
    for match in _REGISTERED.finditer(data):
        start = match.start()
        pid = int.from_bytes(data[start - 4 : start], sys.byteorder, signed=True)
        if start >= 4 and pid > 0 and not process_alive(pid):
            names.append(match.group(1).decode())
    return names


def free_stale_registrations() -> list[str]:
    """Free the places of ``stale_registrations``: JACK's own way, under its own lock, by
    starting a server of each name and stopping it cleanly."""
    names = stale_registrations()
    for name in names:
        env = {**os.environ, "JACK_NO_AUDIO_RESERVATION": "1", "JACK_NO_START_SERVER": "1"}
        command = ["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-p", "1024"]
        process = subprocess.Popen(
            die_with_parent(command), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        subprocess.run(["jack_wait", "-w", "-s", name, "-t", "10"], env=env, capture_output=True)
        stop_child(process)
    return names


def _realtime_allowed() -> bool:
    if shutil.which("chrt") is None:
        return False
    return subprocess.run(["chrt", "-f", "10", "true"], capture_output=True).returncode == 0


class MidiReceiver:
    """A receiving JACK client that stamps arrivals with JACK's microsecond wall clock.

    rtmidi's JACK input computes each message's delta time from ``jack_get_time()`` in the
    JACK process callback, so these times are when the client really got the message, even
    when the dummy driver loses cycles (its frame counter then falls behind; see
    ``JackServer.start``). No Python callback: rtmidi queues the messages in C. The client
    lives in its own process (``tests.support.midi_receiver_client``), because closing an
    rtmidi JACK input while a sender is still connected can crash its process.
    """

    def __init__(self, client_name: str = "receiver", queue_size: int = 1 << 16) -> None:
        self.port = f"{client_name}:input"
        self.events: list[tuple[float, tuple[int, ...]]] = []  # (seconds since first, bytes)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self._process: subprocess.Popen | None = subprocess.Popen(
            [sys.executable, "-m", "tests.support.midi_receiver_client", client_name,
             str(queue_size)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        ready = self._process.stdout.readline().strip()
        if ready != "ready":
            self._process.kill()
            raise RuntimeError(f"the MIDI receiver client did not start ({ready!r})")

    def stop(self) -> list[tuple[float, tuple[int, ...]]]:
        """Stop the client (once) and return what arrived."""
        if self._process is not None:
            process, self._process = self._process, None
            try:
                out, _ = process.communicate(input="", timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                out, _ = process.communicate()
            lines = out.splitlines()
            if "end" not in lines:
                raise RuntimeError(f"the MIDI receiver client failed (exit {process.returncode})")
            for line in lines[: lines.index("end")]:
                seconds, *data = line.split()
                self.events.append((float(seconds), tuple(int(b) for b in data)))
        return self.events


@dataclass(frozen=True)
class DumpedEvent:
    """One MIDI message as jack_midi_dump saw it, at a JACK frame."""

    frame: int
    data: tuple[int, ...]

    @property
    def status(self) -> int:
        return self.data[0] & 0xF0

    @property
    def channel(self) -> int:
        return self.data[0] & 0x0F

    @property
    def is_note_on(self) -> bool:
        return self.status == 0x90 and self.data[2] > 0

    @property
    def is_note_off(self) -> bool:
        return self.status == 0x80 or (self.status == 0x90 and self.data[2] == 0)


_DUMP_LINE = re.compile(r"^\s*(\d+):((?: [0-9a-f]{2})+)")


class MidiDump:
    """``jack_midi_dump -a``: an external JACK client that logs what reaches it, with frames."""

    def __init__(self, server: JackServer, client_name: str = "dump") -> None:
        self.server = server
        self.client_name = client_name
        self.port = f"{client_name}:input"
        # To a file, not a pipe: a full pipe would block the dump (and stall the JACK graph).
        self._log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            ["jack_midi_dump", "-a", client_name],
            env=server.env(),
            stdout=self._log,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        server.wait_for_port(self.port)

    def stop(self) -> list[DumpedEvent]:
        """Stop the client and return every message it received, in arrival order."""
        self.process.terminate()
        self.process.wait(timeout=10)
        self._log.seek(0)
        output = self._log.read()
        self._log.close()
        events = []
        for line in output.splitlines():
            match = _DUMP_LINE.match(line)
            if match:
                data = tuple(int(b, 16) for b in match.group(2).split())
                events.append(DumpedEvent(int(match.group(1)), data))
        return events


@pytest.fixture(scope="session")
def jack_server():
    """A JACK dummy server for the session; in-process clients are pointed at it too."""
    require(
        shutil.which("jackd") is not None and shutil.which("jack_midi_dump") is not None,
        "JACK (jackd2 with jack_midi_dump)",
    )
    with JackServer().serving() as server:
        yield server


@pytest.fixture
def daw_period_server(jack_server):
    """A second dummy server at ``DAW_PERIOD_FRAMES``, the default for this test's clients."""
    with JackServer(period_frames=DAW_PERIOD_FRAMES).serving() as server:
        yield server


@pytest.fixture
def midi_receiver(jack_server):
    """An in-process JACK input that timestamps arrivals in JACK's wall clock."""
    receiver = MidiReceiver(client_name=f"recv{uuid.uuid4().hex[:6]}")
    yield receiver
    receiver.stop()


@pytest.fixture
def midi_dump(jack_server):
    """A fresh jack_midi_dump client per test, stopped afterwards if the test did not."""
    dump = MidiDump(jack_server, client_name=f"dump{uuid.uuid4().hex[:6]}")
    yield dump
    if dump.process.poll() is None:
        dump.process.kill()
        dump.process.wait()
