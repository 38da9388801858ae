"""A monophonic track with an onset output (issue 17): a held pitch can be struck again.

Hand-made cases through the clean-up, the training targets, the critic's channels and the
grown shipped model; and without onsets nothing changes (the clean-up is
``voices_to_roll`` exactly, the card is written as before).
"""

import numpy as np
import pytest
import torch

from models.band_notes import track_rolls
from models.checkpoint import load_model
from models.cleanup import voices_to_roll
from models.critic import Critic
from models.generator import Generator
from models.pianoroll import Meter
from models.sampling import band_probabilities, clean_candidates, melody_condition
from models.track_cleanup import clean_struck_voice, clean_track
from models.track_outputs import fake_channels, mono_onsets, real_channels, track_loss
from models.track_widen import ONSET_START_LOGIT, widen
from models.tracks import TrackSpec, tracks_from_card
from tests.support.model_files import TINY

BASS = TrackSpec("bass", "bass", 40, 47, 32, onsets=True)  # 8 rows, rest, onset
PLAIN = TrackSpec("bass", "bass", 40, 47, 32)
TRACKS = (TrackSpec("drums", "drums"), BASS, TrackSpec("piano", "chords", 48, 60))


def _probs(rows: list[int], strikes: list[int]) -> np.ndarray:
    """Per step: nearly all probability on ``rows[step]`` (-1 for rest), then the onset."""
    probs = np.full((len(rows), BASS.n_rows + 2), 0.01)
    for step, row in enumerate(rows):
        probs[step, row if row >= 0 else BASS.n_rows] = 0.9
    probs[:, -1] = np.array(strikes, dtype=float) * 0.98 + 0.01
    return probs


def _notes(sounding: np.ndarray, onsets: np.ndarray) -> list[tuple[int, int, int]]:
    """``(start, end, row)`` of each note, read the way the MIDI writer reads onsets."""
    notes = []
    for step, row in zip(*np.nonzero(onsets), strict=True):
        end = step + 1
        while end < len(sounding) and sounding[end, row] and not onsets[end, row]:
            end += 1
        notes.append((int(step), int(end), int(row)))
    return notes


def test_the_card_says_onsets_only_where_a_track_has_them():
    assert "onsets" not in PLAIN.to_dict()
    assert BASS.to_dict()["onsets"] is True
    assert TrackSpec.from_dict(BASS.to_dict()) == BASS
    assert (PLAIN.n_outputs, PLAIN.n_critic_channels) == (9, 8)
    assert (BASS.n_outputs, BASS.n_critic_channels) == (10, 9)
    with pytest.raises(ValueError, match="monophonic"):
        TrackSpec("piano", "chords", 48, 60, onsets=True)
    chorale = load_model("resources/weights/composer-chorales.safetensors")[2]
    assert not any(t.onsets for t in tracks_from_card(chorale["config"]))
    # the shipped band (session 13) strikes its bass's notes; its other tracks are as before
    band = load_model("resources/weights/composer-band.safetensors")[2]
    assert [t.name for t in tracks_from_card(band["config"]) if t.onsets] == ["bass"]


def test_a_struck_repeated_pitch_comes_out_as_two_notes():
    # one pitch for eight steps, struck again at step 4: two quarter notes, not a half
    sounding, onsets = clean_track(_probs([3] * 8, [1, 0, 0, 0, 1, 0, 0, 0]), BASS)
    assert _notes(sounding, onsets) == [(0, 4, 3), (4, 8, 3)]
    # the same without the strike is one note, as a track without onsets plays it
    held = clean_track(_probs([3] * 8, [0] * 8), BASS)
    assert _notes(*held) == [(0, 8, 3)]


def test_a_struck_note_may_be_one_step_long():
    # a sixteenth: row 5 for one step between row 3s; struck it stays, unstruck it merges
    rows = [3, 3, 3, 5, 3, 3, 3, 3]
    struck = clean_track(_probs(rows, [1, 0, 0, 1, 1, 0, 0, 0]), BASS)
    assert _notes(*struck) == [(0, 3, 3), (3, 4, 5), (4, 8, 3)]
    plain = clean_track(_probs(rows, [1, 0, 0, 0, 0, 0, 0, 0]), BASS)
    assert _notes(*plain) == [(0, 8, 3)]


def test_a_strike_on_a_rest_plays_nothing():
    sounding, onsets = clean_track(_probs([-1, -1, 2, 2, 2, 2, -1, -1], [1] + [0] * 7), BASS)
    assert _notes(sounding, onsets) == [(2, 6, 2)]


def test_without_strikes_the_clean_up_is_voices_to_roll_exactly():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        classes = rng.dirichlet(np.full(BASS.n_rows + 1, 0.3), size=n)
        density = float(rng.uniform(0.2, 0.8))
        got = clean_struck_voice(classes, np.zeros(n), density)
        roll, onsets = voices_to_roll(classes[None], density=density)
        np.testing.assert_array_equal(got[0], roll[0])
        np.testing.assert_array_equal(got[1], onsets[0])


def test_the_onset_target_is_the_datas_note_starts():
    # MMA's repeated eighths: the same pitch twice, then another, then a rest
    sounding, onsets = track_rolls([(0, 2, 43), (2, 4, 43), (4, 7, 45)], BASS, 8)
    starts = mono_onsets(torch.from_numpy(sounding)[None], torch.from_numpy(onsets)[None])
    assert starts[0].tolist() == [True, False, True, False, True, False, False, False]
    channels = real_channels(
        [torch.from_numpy(sounding)[None].float()], [torch.from_numpy(onsets)[None].float()],
        (BASS,),
    )  # fmt: skip
    assert channels.shape == (1, BASS.n_critic_channels, 8)
    assert channels[0, -1].tolist() == [1, 0, 1, 0, 1, 0, 0, 0]


def test_the_fake_onset_channel_is_what_the_clean_up_plays():
    logits = torch.full((1, 6, BASS.n_outputs), -5.0)
    for step, row in enumerate([2, 2, 2, 4, -1, 4]):
        logits[0, step, row if row >= 0 else BASS.n_rows] = 5.0
    logits[0, 1, -1] = 5.0  # strike the held pitch again at step 1
    logits[0, 4, -1] = 5.0  # a strike on a rest is no note
    channel = fake_channels([logits], (BASS,))[0, -1]
    torch.testing.assert_close(channel, torch.tensor([1.0, 1, 0, 1, 0, 1]))


def test_the_onset_output_is_trained_by_the_datas_onsets():
    sounding, onsets = (
        torch.from_numpy(r)[None] for r in track_rolls([(0, 2, 43), (2, 4, 43)], BASS, 4)
    )
    logits = torch.zeros((1, 4, BASS.n_outputs))
    logits[..., 3] = 8.0  # the right pitch throughout
    logits[..., BASS.n_rows] = -8.0
    right, wrong = logits.clone(), logits.clone()
    right[0, :, -1] = torch.tensor([8.0, -8.0, 8.0, -8.0])
    wrong[0, :, -1] = torch.tensor([8.0, -8.0, -8.0, -8.0])  # misses the repeat
    low = track_loss(right, sounding.float(), onsets.float(), BASS)
    high = track_loss(wrong, sounding.float(), onsets.float(), BASS)
    assert float(low) < 0.01 < float(high)


def _config(tracks):
    return TINY.replace(tracks=tuple(t.to_dict() for t in tracks), styles=("pop", "swing"))


def test_networks_with_an_onset_output_train_and_draw():
    config = _config(TRACKS)
    g, d = Generator(config), Critic(config)
    t = 32
    cond = melody_condition(
        np.full(t, 20), np.ones(t, bool), Meter(4, 4), 0, t, style=1, n_styles=2
    )
    outputs = g(cond.expand(2, -1, -1), torch.randn(g.noise_shape(2, t)))
    assert outputs[1].shape == (2, t, BASS.n_outputs)
    score = d(cond.expand(2, -1, -1), fake_channels(outputs, TRACKS))
    score.sum().backward()
    assert g.head.weight.grad[TRACKS[0].n_outputs + BASS.n_outputs - 1].abs().sum() > 0
    probs = band_probabilities(
        [o.detach() for o in outputs], TRACKS, torch.Generator().manual_seed(0), 0.5
    )
    assert probs[1].shape[-1] == BASS.n_outputs
    candidates = clean_candidates(probs, 0.5, t, TRACKS, meters=Meter(4, 4))
    assert candidates[0][1][0].shape == (t, BASS.n_rows)


def test_a_grown_model_plays_and_judges_as_before():
    torch.manual_seed(0)
    old = _config((TRACKS[0], PLAIN, TRACKS[2]))
    g, d = Generator(old).eval(), Critic(old).eval()
    grown_g, grown_d = widen(g, d, _config(TRACKS))
    grown_g.eval(), grown_d.eval()
    t = 32
    cond = melody_condition(
        np.full(t, 20), np.ones(t, bool), Meter(4, 4), 0, t, style=1, n_styles=2
    )
    noise = torch.randn(g.noise_shape(3, t))
    with torch.no_grad():
        before, after = g(cond, noise), grown_g(cond, noise)
    torch.testing.assert_close(after[1][..., :-1], before[1])
    torch.testing.assert_close(
        after[1][..., -1], torch.full_like(after[1][..., -1], ONSET_START_LOGIT)
    )
    torch.testing.assert_close(after[0], before[0])
    torch.testing.assert_close(after[2], before[2])
    with torch.no_grad():
        old_scores = d(cond.expand(3, -1, -1), fake_channels(before, (TRACKS[0], PLAIN, TRACKS[2])))
        new_scores = grown_d(cond.expand(3, -1, -1), fake_channels(after, TRACKS))
    torch.testing.assert_close(new_scores, old_scores)
    # and the clean-up plays the same notes: no strike passes one half yet
    gen = torch.Generator().manual_seed(1)
    old_probs = band_probabilities(before, (TRACKS[0], PLAIN, TRACKS[2]), gen, 0.5)
    gen = torch.Generator().manual_seed(1)
    new_probs = band_probabilities(after, TRACKS, gen, 0.5)
    kept = clean_candidates(old_probs, 0.5, t, (TRACKS[0], PLAIN, TRACKS[2]), meters=Meter(4, 4))
    grown = clean_candidates(new_probs, 0.5, t, TRACKS, meters=Meter(4, 4))
    for a, b in zip(kept, grown, strict=True):
        for (s1, o1), (s2, o2) in zip(a, b, strict=True):
            np.testing.assert_array_equal(s1, s2)
            np.testing.assert_array_equal(o1, o2)


def test_the_app_and_its_midi_file_hear_the_repeat_as_two_notes(tmp_path):
    from composer_gui.core.arrangement import Arrangement, Track
    from composer_gui.core.midi_file import read_arrangement
    from composer_gui.core.midi_writer import write_arrangement
    from composer_gui.core.track_notes import accompaniment_tracks

    bass = clean_track(_probs([3] * 8, [1, 0, 0, 0, 1, 0, 0, 0]), BASS)
    (part,) = accompaniment_tracks([bass], (BASS,), (32,), 0, 80)
    assert [(n.pitch, n.start_beat, n.duration_beats) for n in part.notes] == [
        (43, 0.0, 1.0),
        (43, 1.0, 1.0),
    ]
    melody = Track("melody", [], 0, 0)
    path = tmp_path / "repeat.mid"
    write_arrangement(Arrangement([melody, part], 100, (4, 4)), path)
    back = next(t for t in read_arrangement(path).tracks if t.notes)
    assert [(n.pitch, n.start_beat) for n in back.notes] == [(43, 0.0), (43, 1.0)]


def test_a_band_with_a_struck_bass_trains_on_the_datas_rolls(tmp_path):
    """The data's rolls have no onsets flag; the model's bass has: the same data, and the
    onset output learns the bass's note starts (its loss falls)."""
    from dataclasses import replace

    from models.train import train
    from tests.support.band_data import TOY_STYLES, TOY_TRACKS, write_toy_band_dataset

    data = write_toy_band_dataset(tmp_path / "toy", n_pieces=24)
    tracks = tuple(replace(t, onsets=t.kind == "bass") for t in TOY_TRACKS)
    config = TINY.replace(
        tracks=tuple(t.to_dict() for t in tracks), styles=TOY_STYLES, iterations=30,
        window_bars=2, batch_size=8, lr_g=2e-3, critic_negatives=0.5,
    )  # fmt: skip
    run = train(config, data, tmp_path / "run", log_every=5, checkpoint_every=50)
    lines = (run / "log.csv").read_text().splitlines()
    header = lines[0].split(",")
    recon = [float(r.split(",")[header.index("reconstruction")]) for r in lines[1:]]
    assert recon[-1] < 0.85 * recon[0]
    generator = load_model(run / "checkpoint.safetensors")[0]
    assert [t.onsets for t in generator.tracks] == [t.kind == "bass" for t in TOY_TRACKS]
