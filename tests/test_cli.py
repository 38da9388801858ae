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


def test_version_loads_neither_numpy_torch_nor_qt():
    """The command line answers --version (and parses any command) before the heavy
    libraries load; the handlers import what they need."""
    probe = (
        "import sys, contextlib\n"
        "from composer_gui.cli import main\n"
        "with contextlib.suppress(SystemExit): main(['--version'])\n"
        "print(sorted({'numpy', 'torch', 'PySide6'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_file_name_alone_opens_the_app_with_that_file(monkeypatch):
    import composer_gui.cli as cli

    opened = []
    monkeypatch.setattr(cli, "_open_app", lambda args: opened.append(args.files) or 0)
    assert cli.main(["song.mid", "other.mid"]) == 0
    assert opened == [["song.mid", "other.mid"]]


def test_an_unknown_option_is_an_argparse_error(capsys):
    try:
        main(["--no-such-option"])
    except SystemExit as exit_:
        assert exit_.code == 2
    assert "unrecognized" in capsys.readouterr().err


def test_the_app_without_a_display_says_so_in_one_sentence():
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    done = subprocess.run(
        [sys.executable, "-m", "composer_gui.cli"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("composer-gui: No display found")
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_unknown_word_is_refused_in_one_sentence_without_opening_the_app(
    monkeypatch, capsys, tmp_path
):
    import composer_gui.cli as cli

    monkeypatch.chdir(tmp_path)  # "stlyes" must not exist as a file here
    opened = []
    monkeypatch.setattr(cli, "_open_app", lambda args: opened.append(args.files) or 0)
    assert cli.main(["stlyes"]) == 2
    err = capsys.readouterr().err.strip()
    assert opened == []
    assert len(err.splitlines()) == 1
    assert err.startswith("composer-gui: 'stlyes' is neither a command nor a file")
    assert "accompany" in err and "styles" in err


def test_an_existing_file_without_a_suffix_still_opens_the_app(monkeypatch, tmp_path):
    import composer_gui.cli as cli

    (tmp_path / "tune").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    opened = []
    monkeypatch.setattr(cli, "_open_app", lambda args: opened.append(args.files) or 0)
    assert cli.main(["tune"]) == 0
    assert opened == [["tune"]]


def test_styles_lists_every_shipped_style_one_a_line_chorale_first():
    import json

    from composer_gui.paths import resource_path

    done = subprocess.run(
        [sys.executable, "-m", "composer_gui.cli", "styles"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    weights = resource_path("weights")
    chorale = json.loads((weights / "composer-chorales.json").read_text())
    name, rest = lines[0].split(": ", 1)
    assert name == "chorale"  # the shipped chorale model's one style, first
    assert rest.startswith("melody, alto, tenor, bass in 2/4, 3/4, 4/4, ")  # its meters
    assert chorale["description"] in rest
    band = json.loads((weights / "composer-band.json").read_text())
    band_styles = list(band["config"]["styles"])
    assert len(band_styles) >= 6
    assert [line.split(": ", 1)[0] for line in lines[1:]] == band_styles
    track_names = ", ".join(["melody", *(t["name"] for t in band["config"]["tracks"])])
    assert all(line.split(": ", 1)[1].startswith(track_names + " in ") for line in lines[1:])
