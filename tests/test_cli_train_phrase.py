"""``composer-gui train --phrase-bars N`` run as the musician runs it: the real child
process, on the toy band data, with a tiny model. A fresh run reads the phrase position
from the start and its export accompanies at once; ``--init-from`` grows the model
(writing and judging exactly as before at iteration 0); ``--resume`` keeps the run's."""

from __future__ import annotations

import json

import numpy as np
import torch

from models.pianoroll import Meter
from models.sampling import melody_condition
from models.track_outputs import fake_channels
from tests.support import cli_training
from tests.support.cli_training import accompany_in_the_toy_waltz, train

toy, tiny = cli_training.toy, cli_training.tiny  # the module-scoped fixtures


def test_a_fresh_run_reads_the_phrase_and_its_export_accompanies(toy, tiny, tmp_path):

    model = tmp_path / "phrased.safetensors"
    done = train(toy, tiny, tmp_path / "run", "--phrase-bars", "4", "--export", str(model))
    assert done.returncode == 0, done.stderr
    card = json.loads(model.with_suffix(".json").read_text())
    assert card["config"]["phrase_bars"] == 4 and "quantiles" in card["calibration"]
    out = tmp_path / "take.mid"
    played, melody = accompany_in_the_toy_waltz(model, out)
    assert played.returncode == 0, played.stderr


def test_init_from_grows_the_model_and_a_resume_keeps_it(toy, tiny, tmp_path):
    from models.checkpoint import load_model
    from models.phrase_widen import GROWN_DIR

    first = tmp_path / "plain.safetensors"
    assert train(toy, tiny, tmp_path / "plain", "--export", str(first)).returncode == 0
    assert "phrase_bars" not in json.loads(first.with_suffix(".json").read_text())["config"]
    run = tmp_path / "grown"
    done = train(toy, tiny, run, "--init-from", str(first), "--phrase-bars", "4", iterations=2)
    assert done.returncode == 0, done.stderr
    old_g, old_c, _ = load_model(first)
    new_g, new_c, _ = load_model(run / GROWN_DIR / "plain.safetensors")
    steps = 48
    cond = melody_condition(
        np.full(steps, 20), np.ones(steps, bool), Meter(3, 4), 0, steps, style=1, n_styles=2
    )
    phrased = melody_condition(
        np.full(steps, 20), np.ones(steps, bool), Meter(3, 4), 0, steps, style=1, n_styles=2,
        phrase_bars=4,
    )  # fmt: skip
    noise = torch.randn(old_g.noise_shape(3, steps), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        before, after = old_g(cond, noise), new_g(phrased, noise)
        old_scores = old_c(cond.expand(3, -1, -1), fake_channels(before, old_g.tracks))
        new_scores = new_c(phrased.expand(3, -1, -1), fake_channels(after, new_g.tracks))
    for old, new in zip(before, after, strict=True):
        torch.testing.assert_close(new, old)
    torch.testing.assert_close(new_scores, old_scores)

    refused = train(toy, tiny, run, "--resume", "--phrase-bars", "2", iterations=4)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "reads a 4-bar phrase position; a resumed run keeps its networks" in refused.stderr
    resumed = train(toy, tiny, run, "--resume", "--phrase-bars", "4", iterations=4)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((run / "config.json").read_text())["phrase_bars"] == 4
