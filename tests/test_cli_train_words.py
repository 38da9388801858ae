"""``composer-gui train``'s progress line says its figures in words (session 20's walk read
"W +70.91 rec 116.89"): once what they measure and where every figure is kept, then each
logged row's figures with which way they went; the real child on the toy band data."""

from __future__ import annotations

from models.run_log import read_log
from tests.support import cli_training
from tests.support.cli_training import train

toy, tiny = cli_training.toy, cli_training.tiny  # the module-scoped fixtures


def test_the_progress_line_says_what_its_figures_mean_and_which_way_they_go(toy, tiny, tmp_path):
    run = tmp_path / "run"
    done = train(toy, tiny, run, iterations=24)  # a row every 2: 12 rows, a trend from 10
    assert done.returncode == 0, done.stderr
    err = done.stderr
    assert "'from the songs' is how far the critic hears the model's music" in err
    assert f"Every figure is in {run / 'log.csv'}." in err
    # the bar rewrites its line (\r, read here as a new line): the last one is the last state
    last = [line for line in err.splitlines() if line.startswith("Training (")][-1]
    row = read_log(run / "log.csv")[-1]
    assert f"from the songs {row['wasserstein']:.2f} (" in last
    assert f"parts {row['reconstruction']:.2f} (" in last
    assert any(way in last for way in ("(falling)", "(rising)", "(about level)"))
    assert "W +" not in err and " rec " not in err


def test_a_resumed_runs_trend_goes_on_from_the_rows_logged_before(toy, tiny, tmp_path):
    """Session 23: on --resume the words' trend started from nothing (the run's first 10
    rows say no way) though log.csv held the run's rows so far; the Train window reads
    the whole log, and now the terminal does too."""
    from composer_gui.core.training_words import progress_words

    run = tmp_path / "run"
    assert train(toy, tiny, run, iterations=16).returncode == 0  # 8 rows
    done = train(toy, tiny, run, "--resume", iterations=20)  # 2 more: a trend from 10
    assert done.returncode == 0, done.stderr
    assert "'from the songs' is how far the critic hears" in done.stderr  # said once again
    rows = read_log(run / "log.csv")
    assert [int(r["iteration"]) for r in rows] == list(range(2, 21, 2))
    last = [line for line in done.stderr.splitlines() if line.startswith("Training (")][-1]
    assert progress_words(rows, short=True) in last
    assert any(way in last for way in ("(falling)", "(rising)", "(about level)"))
