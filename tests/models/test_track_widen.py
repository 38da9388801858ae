"""A band model widened to wider pitch ranges plays and judges as before on the old pitches."""

import numpy as np
import pytest
import torch

from models.critic import Critic
from models.generator import Generator
from models.pianoroll import Meter
from models.sampling import melody_condition
from models.track_outputs import fake_channels
from models.track_widen import SILENT_LOGIT, inserted, moved_columns, widen
from models.tracks import TrackSpec
from tests.support.model_files import TINY

NARROW = (
    TrackSpec("bass", "bass", 31, 51, 33),
    TrackSpec("piano", "chords", 48, 72, 0),
    TrackSpec("drums", "drums"),
)
WIDE = (
    TrackSpec("bass", "bass", 28, 51, 33),  # three pitches more below
    TrackSpec("piano", "chords", 48, 79, 0),  # seven more above
    TrackSpec("drums", "drums"),
)


def _config(tracks):
    return TINY.replace(tracks=tuple(t.to_dict() for t in tracks), styles=("pop", "swing"))


def _inputs(t=32):
    cond = melody_condition(
        np.full(t, 20), np.ones(t, bool), Meter(4, 4), 0, t, style=1, n_styles=2
    )
    return cond, torch.randn(Generator(_config(NARROW)).noise_shape(1, t))


def test_the_widened_generator_gives_the_old_logits_on_the_old_pitches():
    torch.manual_seed(0)
    g, d = Generator(_config(NARROW)).eval(), Critic(_config(NARROW)).eval()
    wide_g, wide_d = widen(g, d, _config(WIDE))
    wide_g.eval(), wide_d.eval()
    cond, noise = _inputs()
    with torch.no_grad():
        old, new = g(cond, noise), wide_g(cond, noise)
    bass_old, bass_new = old[0], new[0]
    torch.testing.assert_close(bass_new[..., 3:24], bass_old[..., :21])  # MIDI 31-51
    torch.testing.assert_close(bass_new[..., 24], bass_old[..., 21])  # the rest class
    piano_old, piano_new = old[1], new[1]
    torch.testing.assert_close(piano_new[..., :25], piano_old[..., :25])  # sounding 48-72
    torch.testing.assert_close(piano_new[..., 32:57], piano_old[..., 25:])  # starting 48-72
    torch.testing.assert_close(new[2], old[2])
    # The new pitches start from no weights and a silent bias: a constant, low logit.
    lowest = SILENT_LOGIT
    torch.testing.assert_close(
        piano_new[..., 25:32], torch.full_like(piano_new[..., 25:32], lowest)
    )
    torch.testing.assert_close(bass_new[..., :3], torch.full_like(bass_new[..., :3], lowest))
    # The critic scores a band on the old pitches the same.
    with torch.no_grad():
        scores = d(cond, fake_channels(old, NARROW)), wide_d(cond, fake_channels(new, WIDE))
    torch.testing.assert_close(scores[0], scores[1])


def test_a_narrower_or_different_dataset_is_refused():
    g, d = Generator(_config(WIDE)), Critic(_config(WIDE))
    with pytest.raises(ValueError, match="narrower"):
        widen(g, d, _config(NARROW))
    renamed = (NARROW[0], TrackSpec("guitar", "chords", 48, 79, 0), NARROW[2])
    with pytest.raises(ValueError, match="tracks or styles"):
        widen(Generator(_config(NARROW)), Critic(_config(NARROW)), _config(renamed))


def test_widen_to_dataset_writes_the_widened_networks_with_a_card_saying_whence(tmp_path):
    """The load-widen-save steps (``save_grown``, shared with a fine-tune's new styles):
    the file holds ``widen``'s networks at full precision and names the model it grew."""
    import json

    from models.checkpoint import load_model, model_tensors, new_card, save_tensors_and_card
    from models.track_widen import widen_to_dataset

    torch.manual_seed(0)
    g, d = Generator(_config(NARROW)), Critic(_config(NARROW))
    save_tensors_and_card(model_tensors(g, d), new_card(_config(NARROW), iterations=7),
                          tmp_path / "narrow")  # fmt: skip
    data = tmp_path / "data"
    data.mkdir()
    manifest = {"tracks": [t.to_dict() for t in WIDE], "styles": ["pop", "swing"]}
    (data / "manifest.json").write_text(json.dumps(manifest))
    out = widen_to_dataset(tmp_path / "narrow.safetensors", data, tmp_path / "wide")
    assert out == tmp_path / "wide.safetensors"
    wide_g, wide_d, card = load_model(out)
    assert card["widened_from"] == "narrow.safetensors" and card["iterations"] == 7
    assert not any(t.onsets for t in wide_g.config.track_specs)  # --onsets grows those
    loaded_g, loaded_d, _ = load_model(tmp_path / "narrow.safetensors")
    expect_g, expect_d = widen(loaded_g, loaded_d, wide_g.config)
    for got, want in ((wide_g, expect_g), (wide_d, expect_d)):
        for (name, a), b in zip(got.state_dict().items(), want.state_dict().values()):
            assert a.dtype == torch.float32, name
            torch.testing.assert_close(a, b.float(), msg=name)


def test_a_first_layer_grows_its_columns_one_way():
    weight = torch.arange(2 * 4 * 3, dtype=torch.float16).reshape(2, 4, 3)
    grown = moved_columns(weight, 6, inserted(4, 1, 2), copies={2: 0})
    assert grown.dtype == torch.float32 and grown.shape == (2, 6, 3)
    assert torch.equal(grown[:, [0, 3, 4, 5]], weight.float())  # moved two on past column 1
    assert torch.equal(grown[:, 2], weight[:, 0].float()) and not grown[:, 1].any()
    assert inserted(3, 3, 1) == {0: 0, 1: 1, 2: 2}  # after the last: nothing moves
