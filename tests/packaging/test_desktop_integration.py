"""Linux desktop integration: the menu entry, AppStream metadata and install-desktop.sh."""

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.real_parts import require

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
APP_ID = "io.github.composer.Composer"


def run_tool(*command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)


def test_desktop_entry_is_valid_and_offers_to_open_midi_files():
    require(shutil.which("desktop-file-validate") is not None, "desktop-file-validate")
    result = run_tool("desktop-file-validate", str(LINUX / "composer.desktop"))
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout
    entry = (LINUX / "composer.desktop").read_text()
    assert "MimeType=audio/midi;audio/x-midi;" in entry
    assert f"Icon={APP_ID}" in entry


def test_appstream_metainfo_is_valid():
    require(shutil.which("appstreamcli") is not None, "appstreamcli")
    metainfo = LINUX / f"{APP_ID}.metainfo.xml"
    result = run_tool("appstreamcli", "validate", "--no-net", str(metainfo))
    assert result.returncode == 0, result.stdout + result.stderr


def test_install_desktop_installs_for_the_user_and_uninstalls(tmp_path):
    require(shutil.which("update-desktop-database") is not None, "update-desktop-database")
    data_home = tmp_path / "share"
    command = tmp_path / "bin" / "composer-gui"
    command.parent.mkdir()
    command.write_text("#!/bin/sh\n")
    command.chmod(0o755)
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}

    result = run_tool(str(LINUX / "install-desktop.sh"), str(command), env=env)
    assert result.returncode == 0, result.stderr
    entry = (data_home / "applications" / f"{APP_ID}.desktop").read_text()
    assert f"Exec={command} %F" in entry
    assert (data_home / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert (data_home / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").is_file()
    assert (data_home / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").is_file()
    # update-desktop-database recorded Composer as an application for MIDI files.
    cache = (data_home / "applications" / "mimeinfo.cache").read_text()
    assert f"audio/midi={APP_ID}.desktop;" in cache

    result = run_tool(str(LINUX / "install-desktop.sh"), "--uninstall", env=env)
    assert result.returncode == 0, result.stderr
    assert not list(data_home.rglob(f"{APP_ID}*"))


def test_install_desktop_refuses_a_command_that_does_not_exist(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")}
    result = run_tool(str(LINUX / "install-desktop.sh"), str(tmp_path / "nothing"), env=env)
    assert result.returncode == 1
    assert "is not an executable composer-gui command" in result.stderr
    assert not (tmp_path / "share").exists()
