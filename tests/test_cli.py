import subprocess
import sys

from composer_gui import __version__
from composer_gui.cli import main


def test_version_prints_and_exits_zero(capsys):
    try:
        main(["--version"])
    except SystemExit as exit_:
        assert exit_.code == 0
    assert __version__ in capsys.readouterr().out


def test_entry_point_runs_as_a_module():
    done = subprocess.run(
        [sys.executable, "-m", "composer_gui.cli", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.startswith("composer-gui ")
