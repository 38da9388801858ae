"""Fixtures: a private PulseAudio server with a null sink, and a recorder of what it plays.

The server runs in the foreground of its own process (so we own its PID and stop it by that
PID), with its runtime files in a temporary folder; that lets it run as root too, which
PulseAudio only warns about outside ``--system`` mode. ``PULSE_SERVER`` points every
PulseAudio client in the test session (FluidSynth's driver, ``parec``) at it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pytest

from tests.support.orphans import die_with_parent, server_name, stop_child, stop_orphans
from tests.support.real_parts import require
from tests.support.sound import rms

SINK_NAME = "composer_test"
SAMPLE_RATE = 44100
START_TIMEOUT_SECONDS = 10.0


@dataclass
class PulseServer:
    address: str  # what PULSE_SERVER holds: unix:/path/to/socket
    sink: str
    monitor: str  # the source that hears everything played into the sink
    env: dict[str, str]  # environment for child processes that must reach this server


class Recorder:
    """``parec`` writing the null sink's monitor to a raw file for the whole session.

    parec takes a second or two to deliver its first bytes, so one recorder runs through a
    test module and each test takes its own slice of it with ``take()``.
    """

    def __init__(self, server: PulseServer, path: Path) -> None:
        self.path = path
        self._file = path.open("wb")
        self._process = subprocess.Popen(
            ["parec", "-d", server.monitor, "--raw", "--format=s16le",
             f"--rate={SAMPLE_RATE}", "--channels=2", "--latency-msec=20"],
            stdout=self._file,
            stderr=subprocess.PIPE,
            env=server.env,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while self.path.stat().st_size == 0:
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.close()
                pytest.fail(f"parec did not start: {self._process.stderr.read()!r}")
            time.sleep(0.02)

    def take(self) -> Take:
        return Take(self.path, self.path.stat().st_size)

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=5)
        self._file.close()


class Take:
    """What the recorder heard from the moment it was taken until ``stop``."""

    def __init__(self, path: Path, start_byte: int) -> None:
        self.path = path
        self.start_byte = start_byte - start_byte % 4  # whole stereo frames

    def stop(self) -> np.ndarray:
        """The audio so far as float32, shape (frame, 2)."""
        time.sleep(0.05)  # parec's latency: let the last few milliseconds reach the file
        with self.path.open("rb") as recorded:
            recorded.seek(self.start_byte)
            raw = recorded.read()
        pcm = np.frombuffer(raw[: len(raw) // 4 * 4], dtype="<i2")
        return pcm.reshape(-1, 2).astype(np.float32) / 32768.0

    def stop_once_quiet(
        self, level: float, window_seconds: float, timeout_seconds: float = 5.0
    ) -> np.ndarray:
        """The audio so far, once it has sounded (a sample above ten times ``level``) and
        its last ``window_seconds`` are below ``level`` RMS. A sound that must die away
        is told by its dying away, not by a quiet stretch after a fixed wait: on a loaded
        machine a release, a reverb tail and the server's latency outlast any such wait
        (stop 27's CI). One that never dies away (a hanging note) fails after
        ``timeout_seconds``, which costs nothing when the sound does end."""
        window = round(window_seconds * SAMPLE_RATE)
        deadline = time.monotonic() + timeout_seconds
        while True:
            audio = self.stop()
            tail = rms(audio[-window:])
            if len(audio) >= window and np.abs(audio).max() > 10 * level and tail < level:
                return audio
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"still sounding {timeout_seconds} s on: {tail:.2e} RMS over the last "
                    f"{window_seconds} s (quiet is under {level:.0e})"
                )
            time.sleep(0.05)


def start_pulse(folder: Path) -> tuple[subprocess.Popen, PulseServer, IO[bytes]]:
    """Start a server whose runtime files live in ``folder`` (named by ``server_name``,
    so that the server of a killed test process is known as an orphan), after stopping
    such orphans; its process, what clients need, and its open log."""
    stop_orphans("pulseaudio")
    runtime = folder / "run"
    runtime.mkdir(mode=0o700)
    socket = runtime / "native"
    env = dict(os.environ, HOME=str(folder), XDG_RUNTIME_DIR=str(runtime))
    env.pop("PULSE_SERVER", None)
    log = (folder / "pulseaudio.log").open("wb")
    process = subprocess.Popen(
        die_with_parent([
            "pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
            "--use-pid-file=false", "--log-target=stderr",
            f"--load=module-null-sink sink_name={SINK_NAME} rate={SAMPLE_RATE} channels=2",
            f"--load=module-native-protocol-unix socket={socket} auth-anonymous=1",
        ]),
        env=env,
        stdout=log,
        stderr=log,
    )  # fmt: skip
    address = f"unix:{socket}"
    env["PULSE_SERVER"] = address
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not (
        socket.exists()
        and subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0
    ):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_pulse(process, log)
            pytest.fail(
                "PulseAudio did not start: "
                + (folder / "pulseaudio.log").read_text(errors="replace")[-2000:]
            )
        time.sleep(0.05)
    return process, PulseServer(address, SINK_NAME, f"{SINK_NAME}.monitor", env), log


def stop_pulse(process: subprocess.Popen, log: IO[bytes]) -> None:
    stop_child(process, timeout_seconds=5)
    log.close()


@pytest.fixture(scope="session")
def pulse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A PulseAudio server for this test session whose default sink records nothing but us."""
    require(
        shutil.which("pulseaudio") is not None and shutil.which("parec") is not None,
        "PulseAudio (pulseaudio and parec)",
    )
    process, server, log = start_pulse(tmp_path_factory.mktemp(server_name("pulse")))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PULSE_SERVER", server.address)
            yield server
    finally:
        stop_pulse(process, log)


@pytest.fixture(scope="module")
def pulse_recorder(
    pulse_server: PulseServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Recorder]:
    """One recorder per test module (it writes 176 kB a second, so not for the whole run)."""
    recorder = Recorder(pulse_server, tmp_path_factory.mktemp("pulse-capture") / "capture.raw")
    yield recorder
    recorder.close()


@pytest.fixture
def pulse_recording(pulse_recorder: Recorder) -> Take:
    """Records the null sink from the start of the test; the test calls ``stop()``."""
    return pulse_recorder.take()
