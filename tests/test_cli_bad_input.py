"""`composer-gui accompany` on a bad MIDI file: one sentence on stderr, exit code 2.

The accompany command reads its melody with ``read_melody`` before loading any model, so
every broken input must stop it there: no traceback, and no output file written.
"""

from __future__ import annotations

import pytest

from composer_gui.cli import main
from tests.support.music_files import BAD_INPUT_CASES


@pytest.mark.parametrize("case", [case for case, _ in BAD_INPUT_CASES])
def test_accompany_refuses_bad_input_in_one_line(bad_midi_files, tmp_path, capsys, case):
    bad = bad_midi_files[case]
    out = tmp_path / "out.mid"
    try:
        code = main(["accompany", str(bad), "-o", str(out)])
    except SystemExit as exit_:  # argparse exits instead of returning
        code = exit_.code
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert bad.name in lines[0]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_evaluate_names_a_tune_given_as_the_model_not_missing(tmp_path, capsys):
    # Session 20's walk: a file that is there but is not a model was called "missing".
    tune = tmp_path / "tune.mid"
    tune.write_bytes(b"MThd")
    assert main(["evaluate", "--model", str(tune)]) != 0
    error = capsys.readouterr().err
    assert "missing" not in error and "tune.mid is not a model file" in error
