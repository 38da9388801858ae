"""``composer-gui train --onsets TRACK`` run as the musician (and the Train window) runs it:
the real child process, on the toy band data (a bass that strikes its root on every beat,
so the same pitch is struck again inside a bar), with a tiny model.

Fresh runs get the onset output from the start, ``--init-from`` grows the model (playing
exactly as before at iteration 0), a wrong track is refused in one sentence naming the
tracks that can, and ``--resume`` must name the checkpoint's tracks."""

from __future__ import annotations

import json

import numpy as np
import torch

from models.pianoroll import Meter
from models.sampling import melody_condition
from models.track_outputs import fake_channels
from tests.support import cli_training
from tests.support.band_data import TOY_STYLES
from tests.support.cli_training import accompany_in_the_toy_waltz, train

toy, tiny = cli_training.toy, cli_training.tiny  # the module-scoped fixtures


def onset_tracks(card_or_config: dict) -> list[str]:
    config = card_or_config.get("config", card_or_config)
    return [t["name"] for t in config["tracks"] if t.get("onsets")]


def test_a_fresh_run_has_the_onsets_and_its_export_accompanies_at_once(toy, tiny, tmp_path):
    from models.checkpoint import load_model

    model = tmp_path / "struck.safetensors"
    done = train(toy, tiny, tmp_path / "run", "--onsets", "bass", "--export", str(model))
    assert done.returncode == 0, done.stderr
    card = json.loads(model.with_suffix(".json").read_text())
    assert onset_tracks(card) == ["bass"] and card["iterations"] == 4
    assert "quantiles" in card["calibration"]  # calibrated as part of export
    # each style's meters, from its training pieces: what the Style box and accompany ask
    assert card["data"]["style_meters"] == {TOY_STYLES[0]: ["4/4"], TOY_STYLES[1]: ["3/4"]}
    generator, _, _ = load_model(model)
    assert [t.onsets for t in generator.tracks] == [True, False, False]

    out = tmp_path / "take.mid"
    played, melody = accompany_in_the_toy_waltz(model, out)
    assert played.returncode == 0, played.stderr
    import mido

    assert len(mido.MidiFile(out).tracks) >= 3  # the melody, then the model's tracks
    # and the app's engine, as the Style box's "Use this model" loads it
    from composer_gui.core.midi_file import melody_of, read_arrangement
    from tests.support.model_files import loaded_engine

    tune = melody_of(read_arrangement(melody), None, melody.name)
    candidates = loaded_engine(model).generate(tune, k=2, seed=0, style="waltz")
    assert [t.name for t in candidates[0].arrangement.tracks][1:] == ["bass", "piano", "drums"]


def test_init_from_grows_the_model_and_plays_as_before_at_iteration_zero(toy, tiny, tmp_path):
    from models.checkpoint import load_model
    from models.track_widen import GROWN_DIR

    first = tmp_path / "plain.safetensors"
    assert train(toy, tiny, tmp_path / "plain", "--export", str(first)).returncode == 0
    assert onset_tracks(json.loads(first.with_suffix(".json").read_text())) == []

    grown_model = tmp_path / "grown.safetensors"
    run = tmp_path / "grown"
    done = train(toy, tiny, run, "--init-from", str(first), "--onsets", "bass",
                 "--export", str(grown_model), iterations=2)  # fmt: skip
    assert done.returncode == 0, done.stderr
    card = json.loads(grown_model.with_suffix(".json").read_text())
    assert onset_tracks(card) == ["bass"]
    assert card["initialized_from"] == "plain.safetensors"
    # the start the run grew: the first model's logits and critic scores exactly, plus
    # a bass onset logit under one half (nothing struck before training)
    old_g, old_c, _ = load_model(first)
    new_g, new_c, _ = load_model(run / GROWN_DIR / "plain.safetensors")
    steps = 32
    cond = melody_condition(
        np.full(steps, 20), np.ones(steps, bool), Meter(4, 4), 0, steps, style=0, n_styles=2
    )
    noise = torch.randn(old_g.noise_shape(3, steps), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        before, after = old_g(cond, noise), new_g(cond, noise)
        old_scores = old_c(cond.expand(3, -1, -1), fake_channels(before, old_g.tracks))
        new_scores = new_c(cond.expand(3, -1, -1), fake_channels(after, new_g.tracks))
    torch.testing.assert_close(after[0][..., :-1], before[0])
    assert torch.sigmoid(after[0][..., -1]).max() < 0.5  # nothing struck before training
    for old, new in zip(before[1:], after[1:], strict=True):
        torch.testing.assert_close(new, old)
    torch.testing.assert_close(new_scores, old_scores)


def test_a_track_that_cannot_strike_is_refused_in_one_sentence(toy, tiny, tmp_path):
    for name in ("piano", "lead"):
        refused = train(toy, tiny, tmp_path / name, "--onsets", f"bass,{name}")
        assert refused.returncode != 0
        assert "Traceback" not in refused.stderr
        lines = [line for line in refused.stderr.splitlines() if line.strip()]
        assert lines[-1] == (
            f"composer-gui: --onsets {name}: only a monophonic track strikes repeated notes, "
            "and of the model's tracks (bass, piano, drums) the ones that can are bass."
        )
        assert not (tmp_path / name / "checkpoint.json").exists()


def test_resume_keeps_the_checkpoints_tracks(toy, tiny, tmp_path):
    run = tmp_path / "run"
    assert train(toy, tiny, run, iterations=2).returncode == 0
    refused = train(toy, tiny, run, "--resume", "--onsets", "bass", iterations=4)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "has onset outputs on no track; a resumed run keeps its tracks" in refused.stderr
    assert json.loads((run / "checkpoint.json").read_text())["iteration"] == 2

    struck = tmp_path / "struck"
    assert train(toy, tiny, struck, "--onsets", "bass", iterations=2).returncode == 0
    resumed = train(toy, tiny, struck, "--resume", "--onsets", "bass", iterations=4)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((struck / "checkpoint.json").read_text())["iteration"] == 4
    assert onset_tracks(json.loads((struck / "config.json").read_text())) == ["bass"]


def test_chorale_voices_are_refused_in_one_sentence(toy, tiny, tmp_path):
    """A chorale model (its voices) and chorale data have no onset output to grow."""
    from composer_gui.paths import resource_path

    chorale = resource_path("weights", "composer-chorales.safetensors")
    refused = train(toy, tiny, tmp_path / "run", "--init-from", str(chorale), "--onsets", "bass")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "composer-chorales is a chorale model, whose voices have no onset output" in (
        refused.stderr
    )
    assert not (tmp_path / "run" / "checkpoint.json").exists()
