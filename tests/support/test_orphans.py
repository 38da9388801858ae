"""The test servers of a killed test process are stopped by the next start, and a live
run's are kept (``tests.support.orphans``), with real ``jackd`` and ``pulseaudio``."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.jack_server import JackServer, stale_registrations
from tests.support.orphans import (
    PREFIX,
    _setpriv_pdeathsig,
    orphans,
    process_alive,
    stop_child,
)
from tests.support.pulse_server import start_pulse, stop_pulse
from tests.support.real_parts import require

ROOT = Path(__file__).resolve().parents[2]


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    assert not process_alive(gone.pid)
    return gone.pid


def wait_gone(pid: int, timeout_seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def orphaned_jackd():
    """A real dummy ``jackd`` named as a test process's that is gone would name it."""
    require(shutil.which("jackd") is not None, "JACK (jackd2 with jack_midi_dump)")
    name = f"{PREFIX}-{dead_pid()}-orphan"
    env = {**os.environ, "JACK_NO_AUDIO_RESERVATION": "1", "JACK_NO_START_SERVER": "1"}
    command = ["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "1024"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    waited = subprocess.run(
        ["jack_wait", "-w", "-s", name, "-t", "10"], env=env, capture_output=True
    )
    yield process, waited.returncode == 0
    stop_child(process)  # not SIGKILL at once, which would keep its place in JACK's registry


def test_a_jackd_left_by_a_killed_test_process_is_stopped_when_a_server_starts(
    jack_server, orphaned_jackd
):
    orphan, started = orphaned_jackd
    assert started and orphan.poll() is None
    assert orphan.pid in orphans("jackd")
    assert jack_server.process.pid not in orphans("jackd")  # this live run's own
    server = JackServer()
    server.start()
    try:
        assert orphan.wait(timeout=10) is not None
        assert jack_server.process.poll() is None and server.process.poll() is None
    finally:
        server.stop()


def test_a_place_in_jacks_registry_held_by_a_killed_server_is_freed_on_start(
    jack_server, orphaned_jackd
):
    """JACK has places for 8 servers and a server killed with SIGKILL keeps its own, so
    8 killed test runs and no jackd could start again ("Too many servers already
    active")."""
    orphan, started = orphaned_jackd
    assert started
    name = next(a for a in orphan.args if a.startswith(PREFIX))
    orphan.kill()
    orphan.wait()
    assert name in stale_registrations()
    server = JackServer()
    server.start()
    try:
        assert name not in stale_registrations()
    finally:
        server.stop()
    assert server.name not in stale_registrations()  # a clean stop frees its place


def test_a_pulseaudio_left_by_a_killed_test_process_is_stopped_when_one_starts(tmp_path):
    require(shutil.which("pulseaudio") is not None, "PulseAudio (pulseaudio and parec)")
    folder = tmp_path / f"{PREFIX}-{dead_pid()}-pulse"
    folder.mkdir()
    orphan, _, orphan_log = start_pulse(folder)
    try:
        assert orphan.pid in orphans("pulseaudio")
        (tmp_path / "fresh").mkdir()  # a name without the prefix: never an orphan
        fresh, server, log = start_pulse(tmp_path / "fresh")
        try:
            assert orphan.wait(timeout=10) is not None
            assert fresh.poll() is None and fresh.pid not in orphans("pulseaudio")
            assert subprocess.run(["pactl", "info"], env=server.env).returncode == 0
        finally:
            stop_pulse(fresh, log)
    finally:
        stop_pulse(orphan, orphan_log)


def test_a_jackd_dies_with_the_test_process_that_started_it():
    """What keeps orphans rare: a server started under ``die_with_parent`` gets SIGTERM
    when the process that started it is killed, though that process runs no teardown."""
    require(shutil.which("jackd") is not None, "JACK (jackd2 with jack_midi_dump)")
    if not _setpriv_pdeathsig():
        pytest.skip("setpriv --pdeathsig (util-linux) is not here")
    script = (
        "import time; from tests.support.jack_server import JackServer; "
        "s = JackServer(period_frames=1024); s.start(); "
        "print(s.process.pid, flush=True); time.sleep(60)"
    )
    test_process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        server_pid = int(test_process.stdout.readline())
        assert process_alive(server_pid)
        test_process.send_signal(signal.SIGKILL)
        test_process.wait()
        assert wait_gone(server_pid)
    finally:
        if test_process.poll() is None:
            test_process.kill()
            test_process.wait()
