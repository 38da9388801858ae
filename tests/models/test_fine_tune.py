"""Fine-tuning a band model on data in other tracks or styles (``models.fine_tune``).

A toy model (the toy band's bass 28-52, piano 48-84 and drums, styles pop and waltz) is
fine-tuned on a "folder" of another shape: a bass reaching MIDI 20 and 60, a "keys"
part where the model has a piano, no drums, and one style of its own. The shipped band
model's real weights show that a new style column starts as the chosen style.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from models.band_pieces import BandPiece, load_band_split, write_band_dataset
from models.build_dataset import REST, BuildReport
from models.checkpoint import load_model, model_tensors, new_card, save_tensors_and_card
from models.critic import Critic
from models.encoding import N_CONDITION_FEATURES, with_phrase, with_style
from models.errors import DatasetError
from models.export import export_model
from models.fine_tune import FITTED_DATA, fold_pitch, prepare_fine_tune, track_pairs
from models.generator import Generator
from models.pianoroll import Meter
from models.tracks import TrackSpec
from tests.support.band_data import TOY_STYLES, TOY_TRACKS, write_toy_band_dataset
from tests.support.model_files import TINY

FOLDER_TRACKS = (
    TrackSpec("bass", "bass", 20, 60, 34),  # wider than the model's 28-52
    TrackSpec("keys", "chords", 30, 100, 4),  # the model's piano, by kind
)


def folder_piece(i: int, bars: int = 4) -> BandPiece:
    """Four bars of 4/4: the bass's notes at MIDI 20 (moved up an octave to 32), 40 (in
    range) and 60 (down to 48), a beat each; keys triads at 60-67 and one at 96 (down
    an octave to 84); the melody on every beat."""
    n = bars * 16
    melody = np.full(n, REST, np.int8)
    melody[::4] = 32
    melody_onsets = np.zeros(n, bool)
    melody_onsets[::4] = True
    bass, keys = FOLDER_TRACKS
    sounding = [np.zeros((n, t.n_rows), bool) for t in FOLDER_TRACKS]
    onsets = [np.zeros((n, t.n_rows), bool) for t in FOLDER_TRACKS]
    pitches = [20, 40, 60, 40]
    for beat in range(n // 4):
        row = bass.pitch_row(pitches[beat % 4])
        sounding[0][beat * 4 : beat * 4 + 4, row] = True
        onsets[0][beat * 4, row] = True
    for bar in range(bars):
        rows = [keys.pitch_row(p) for p in ((60, 64, 67) if bar % 2 == 0 else (60, 64, 96))]
        sounding[1][bar * 16 : bar * 16 + 16, rows] = True
        onsets[1][bar * 16, rows] = True
    return BandPiece(f"song{i}", melody, melody_onsets, sounding, onsets, Meter(4, 4), 0)


@pytest.fixture(scope="module")
def folder_data(tmp_path_factory):
    out = tmp_path_factory.mktemp("folder") / "songs"
    pieces = [folder_piece(i) for i in range(30)]
    write_band_dataset(pieces, FOLDER_TRACKS, ("songs",), out, "toy songs", BuildReport())
    return out


@pytest.fixture(scope="module")
def toy_model(tmp_path_factory):
    """A model file of the toy band's tracks and styles, fresh weights (seeded)."""
    torch.manual_seed(0)
    config = TINY.replace(tracks=tuple(t.to_dict() for t in TOY_TRACKS), styles=TOY_STYLES)
    stem = tmp_path_factory.mktemp("model") / "toy-band"
    tensors = model_tensors(Generator(config), Critic(config), half=False)
    save_tensors_and_card(tensors, new_card(config, iterations=0), stem)
    return stem.with_suffix(".safetensors"), config


def test_a_pitch_moves_by_the_fewest_octaves_into_a_range_or_is_dropped():
    assert fold_pitch(40, 28, 52) == 40
    assert fold_pitch(20, 28, 52) == 32 and fold_pitch(60, 28, 52) == 48
    assert fold_pitch(5, 28, 52) == 29  # two octaves up
    assert fold_pitch(30, 33, 40) is None  # 30 and 42 both outside a range under an octave


def test_tracks_pair_by_name_then_by_kind():
    from models.song_roles import SONG_TRACKS

    band = (
        TrackSpec("drums", "drums"),
        TrackSpec("bass", "bass", 31, 51),
        TrackSpec("chords", "chords", 40, 82),
        TrackSpec("pad", "chords", 43, 88),
    )
    assert track_pairs(band, SONG_TRACKS) == [0, 1, 2, 3]  # "other" is played as "pad"
    assert track_pairs(band, SONG_TRACKS[:2]) == [0, 1, None, None]
    assert track_pairs(TOY_TRACKS, FOLDER_TRACKS) == [0, 1, None]


def test_a_folder_is_re_encoded_into_the_models_tracks_and_gets_a_style_of_its_own(
    folder_data, toy_model, tmp_path
):
    model_path, config = toy_model
    tune = prepare_fine_tune(model_path, config, folder_data, tmp_path, init_style="waltz")
    assert tune.data_dir == tmp_path / FITTED_DATA
    assert tune.config.styles == ("pop", "waltz", "songs")
    assert tune.init_from.parent.name == "fine-tune-init"
    # 30 songs x 16 bass notes (8 moved: at 20 and 60) + 4 bars x 3 keys notes (2 moved)
    assert tune.sentence == (
        "The data was fitted to toy-band's tracks: keys is played as piano; 300 of 840 "
        "notes moved by octaves into its ranges, 0 dropped (no octave fits); its drums "
        "left out of the loss (not in the data); a new style songs started from its waltz."
    )
    manifest = json.loads((tune.data_dir / "manifest.json").read_text())
    assert manifest["absent_tracks"] == ["drums"]
    assert manifest["fine_tune"]["offered_styles"] == ["songs"]
    counts = json.loads((folder_data / "manifest.json").read_text())["counts"]
    assert manifest["counts"] == counts  # the same songs in the same splits
    for split in ("train", "valid"):
        fitted = load_band_split(tune.data_dir, split)
        original = load_band_split(folder_data, split)
        assert fitted.names == original.names and set(fitted.piece_styles.tolist()) <= {2}
        bass, piano, drums = fitted.tracks
        assert (bass.low, bass.high, bass.program) == (28, 52, 34)  # its range, the data's sound
        assert (piano.low, piano.high, piano.program) == (48, 84, 4)
        starts = [bass.row_pitch(int(r)) for r in np.flatnonzero(fitted.onsets[0].any(axis=0))]
        assert starts == [32, 40, 48]
        chord_pitches = {piano.row_pitch(int(r)) for r in np.flatnonzero(fitted.onsets[1].any(0))}
        assert chord_pitches == {60, 64, 67, 84}
        assert not fitted.onsets[2].any() and not fitted.sounding[2].any()


def test_the_models_own_data_is_trained_on_as_it_is(toy_model, tmp_path):
    model_path, config = toy_model
    data = write_toy_band_dataset(tmp_path / "toy", n_pieces=12)
    tune = prepare_fine_tune(model_path, config, data, tmp_path / "run")
    assert tune.data_dir == data and tune.init_from == model_path and tune.sentence == ""
    assert not (tmp_path / "run" / FITTED_DATA).exists()


def test_a_chorale_model_is_refused_band_data_in_one_sentence(folder_data, tmp_path):
    from composer_gui.paths import resource_path
    from models.checkpoint import read_card
    from models.config import GanConfig

    chorale = resource_path("weights", "composer-chorales.safetensors")
    config = GanConfig.from_dict(read_card(chorale)["config"])
    with pytest.raises(DatasetError, match="cannot be re-encoded") as refused:
        prepare_fine_tune(chorale, config, folder_data, tmp_path)
    assert str(refused.value).startswith("composer-chorales writes the chorale's three voices")
    assert str(refused.value).count(".") == 1  # one sentence


def test_an_unknown_start_style_is_refused(folder_data, toy_model, tmp_path):
    model_path, config = toy_model
    with pytest.raises(DatasetError, match="has no style 'rock'.*pop, waltz"):
        prepare_fine_tune(model_path, config, folder_data, tmp_path, init_style="rock")


def test_a_new_style_column_starts_as_the_chosen_shipped_style(tmp_path, folder_data):
    """With the shipped band model's own weights: the fine-tune's start plays (and
    scores) a melody in its new style exactly as the shipped model does in rock."""
    from composer_gui.paths import resource_path
    from models.checkpoint import read_card
    from models.config import GanConfig

    shipped = resource_path("weights", "composer-band.safetensors")
    config = GanConfig.from_dict(read_card(shipped)["config"])
    tune = prepare_fine_tune(shipped, config, folder_data, tmp_path, init_style="rock")
    g0, c0, _ = load_model(shipped)
    g1, c1, card = load_model(tune.init_from)
    assert card["config"]["styles"][-1] == "songs" and card["styles_added_to"] == shipped.name
    torch.manual_seed(1)
    cond = torch.randn(2, N_CONDITION_FEATURES, 64)
    noise = torch.randn(g0.noise_shape(2, 64))
    rock = config.styles.index("rock")
    # a model reading a phrase position (session 14's) has its channels after the styles
    bars = config.phrase_bars
    phrase = torch.randint(0, max(bars, 1), (2, 64))

    def styled(style, n_styles):
        return with_phrase(with_style(cond, style, n_styles), phrase, bars)

    with torch.no_grad():
        before = g0(styled(rock, 6), noise)
        after = g1(styled(6, 7), noise)
        for a, b in zip(before, after, strict=True):
            torch.testing.assert_close(a.float(), b.float(), atol=2e-3, rtol=1e-3)
        n_channels = sum(t.n_critic_channels for t in g0.tracks)
        played = torch.rand(2, n_channels, 64).round()
        torch.testing.assert_close(
            c0(styled(rock, 6), played).float(),
            c1(styled(6, 7), played).float(),
            atol=2e-3,
            rtol=1e-3,
        )
    zero = prepare_fine_tune(shipped, config, folder_data, tmp_path / "zero")
    g2, _, _ = load_model(zero.init_from)
    columns = N_CONDITION_FEATURES + 6
    assert not g2.stem[0].weight[:, columns].any()  # "from zero": the column starts empty


def test_a_part_the_data_lacks_is_left_out_of_the_loss_and_the_fine_tune_offers_its_style(
    folder_data, toy_model, tmp_path
):
    from composer_gui.core.styles import card_styles
    from composer_gui.core.trained_models import name_card
    from models.train import train
    from models.train_data import training_data

    model_path, config = toy_model
    tune = prepare_fine_tune(model_path, config, folder_data, tmp_path / "probe")
    data = training_data(tune.data_dir, tune.config, np.random.default_rng(0))
    _, target, _ = data.batch(4, "cpu")
    drums = slice(sum(t.n_critic_channels for t in data.tracks[:2]), None)
    target.onsets[2][:] = 1.0  # drums in the "real" music: the critic must not see them
    target.sounding[2][:] = 1.0
    assert not data.real(target)[:, drums].any()
    assert data.real(target)[:, : drums.start].any()
    logits = [torch.randn(4, target.sounding[0].shape[1], t.n_outputs) for t in data.tracks]
    fake = data.fake(logits, target)
    assert not fake[:, drums].any() and fake[:, : drums.start].any()
    two = [torch.cat([x, x]) for x in logits]  # two candidates a melody, candidate-major
    assert not data.fake(two, target)[:, drums].any()
    from models.track_outputs import best_of_reconstruction

    learnt = best_of_reconstruction(
        logits[:2], target.sounding[:2], target.onsets[:2], data.tracks[:2], 1
    )
    torch.testing.assert_close(data.reconstruction(logits, target, 1), learnt)

    run = train(
        config.replace(iterations=4),
        folder_data,
        tmp_path / "run",
        log_every=2,
        init_from=model_path,
        init_style="pop",
    )
    out, _ = export_model(run, tmp_path / "mine.safetensors", folder_data)
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["offered_styles"] == ["songs"] and card["initialized_from"] == model_path.name
    assert card["config"]["styles"] == ["pop", "waltz", "songs"]
    assert (
        card["fine_tune"]["init_style"] == "pop"
        and "in songs; fine-tuned from" in (card["description"])
    )
    assert [s.name for s in card_styles(card, out)] == ["songs"]
    named = name_card(card, "my songs")
    assert named["offered_styles"] == ["my songs"]
    assert named["config"]["styles"] == ["pop", "waltz", "my songs"]
    assert [(s.name, s.index) for s in card_styles(named, out)] == [("my songs", 2)]


def test_a_part_the_model_lacks_is_dropped_and_said(toy_model, tmp_path):
    """A second chords part ("organ") where the toy model has one piano: dropped."""
    model_path, config = toy_model
    tracks = (*FOLDER_TRACKS, TrackSpec("organ", "chords", 40, 80, 19))
    pieces = []
    for i in range(6):
        piece = folder_piece(i)
        piece.sounding.append(np.zeros((piece.n_steps, tracks[2].n_rows), bool))
        piece.onsets.append(np.zeros((piece.n_steps, tracks[2].n_rows), bool))
        pieces.append(piece)
    data = tmp_path / "three"
    write_band_dataset(pieces, tracks, ("songs",), data, "toy songs", BuildReport())
    tune = prepare_fine_tune(model_path, config, data, tmp_path / "run")
    assert "the data's organ dropped (no such part)" in tune.sentence
    assert "a new style songs started from zero." in tune.sentence


def test_a_fine_tune_resumes_on_its_fitted_data(folder_data, toy_model, tmp_path):
    """``--resume`` names neither the model nor the fitted copy: the run folder does."""
    from models.config import GanConfig
    from models.train import train

    model_path, config = toy_model
    run = train(config.replace(iterations=2), folder_data, tmp_path / "run", init_from=model_path)
    saved = GanConfig.from_dict(json.loads((run / "config.json").read_text()))
    assert saved.styles == ("pop", "waltz", "songs")
    train(saved.replace(iterations=4), folder_data, run, resume=True, log_every=1)
    logged = [int(r.split(",")[0]) for r in (run / "log.csv").read_text().splitlines()[1:]]
    assert logged[-1] == 4


def test_a_fine_tune_of_your_songs_tuned_again_trains_its_own_style(
    folder_data, toy_model, tmp_path
):
    """More songs for "my songs": its own style learns, no second new style beside it."""
    from composer_gui.core.trained_models import name_card
    from models.train import train

    model_path, config = toy_model
    run = train(config.replace(iterations=2), folder_data, tmp_path / "run", init_from=model_path)
    first, _ = export_model(run, tmp_path / "first.safetensors", folder_data, calibrated=False)
    card = name_card(json.loads(first.with_suffix(".json").read_text()), "my songs")
    first.with_suffix(".json").write_text(json.dumps(card))
    again = card_config(first)
    tune = prepare_fine_tune(first, again, folder_data, tmp_path / "again")
    assert tune.config.styles == ("pop", "waltz", "my songs")
    assert "its own my songs learns from the data" in tune.sentence
    fitted = load_band_split(tune.data_dir, "train")
    assert set(fitted.piece_styles.tolist()) == {2}


def card_config(path):
    from models.checkpoint import read_card
    from models.config import GanConfig

    return GanConfig.from_dict(read_card(path)["config"])


def test_what_cannot_be_mapped_is_refused_by_the_command_in_one_sentence(folder_data, tmp_path):
    import subprocess
    import sys

    from composer_gui.paths import resource_path

    def train(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "composer_gui.cli", "train", "--data", str(folder_data),
             "--run-dir", str(tmp_path / "run"), "--iterations", "1", *extra],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    chorale = resource_path("weights", "composer-chorales.safetensors")
    band = resource_path("weights", "composer-band.safetensors")
    for extra, sentence in (
        (("--init-from", str(chorale)), "composer-chorales writes the chorale's three voices"),
        (("--init-from", str(band), "--init-style", "polka"), "composer-band has no style 'polka'"),
        (("--init-style", "rock"), "--init-style names the style a fine-tune starts from"),
    ):
        refused = train(*extra)
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.startswith(f"composer-gui: {sentence}"), refused.stderr
        assert "Traceback" not in refused.stderr and refused.stderr.count("\n") == 1


def test_a_part_some_songs_lack_is_left_out_of_their_loss_alone(toy_model, tmp_path):
    """Half the songs have no bass: their windows do not teach the bass silence (the
    critic sees it silent in real, spoiled and generated music; the reconstruction
    skips it), the others' windows teach it as before."""
    from models.track_outputs import track_loss
    from models.train_data import training_data

    model_path, config = toy_model
    pieces = []
    for i in range(30):
        piece = folder_piece(i)
        if i % 2:
            piece.sounding[0][:] = False
            piece.onsets[0][:] = False
        pieces.append(piece)
    songs = tmp_path / "uneven"
    write_band_dataset(pieces, FOLDER_TRACKS, ("songs",), songs, "toy songs", BuildReport())
    tune = prepare_fine_tune(model_path, config, songs, tmp_path / "run")
    data = training_data(tune.data_dir, tune.config, np.random.default_rng(1))
    assert data.plays[:, 0].tolist() == [not n.endswith(("1", "3", "5", "7", "9")) for n in
                                         data.data.names]  # fmt: skip
    cond, target, positions = data.batch(16, "cpu")
    plays = target.plays[:, 0].bool()
    assert plays.any() and not plays.all()
    bass = slice(0, data.tracks[0].n_critic_channels)
    logits = [torch.randn(16, target.sounding[0].shape[1], t.n_outputs) for t in data.tracks]
    data.batch(5, "cpu")  # another batch drawn since: the fake is still this one's
    fake = data.fake(logits, target)
    assert not fake[~plays, bass].any() and fake[plays, bass].any()
    three = data.fake([torch.cat([x] * 3) for x in logits], target)  # 3 candidates each
    assert not three[(~plays).repeat(3), bass].any() and three[plays.repeat(3), bass].any()
    sliced = data.fake([x[:5] for x in logits], target[:5])
    assert not sliced[~plays[:5], bass].any()
    with pytest.raises(ValueError, match="not candidates"):
        data.fake([x[:5] for x in logits], target)
    spoiled = data.real(data.spoil(target, positions))
    assert not spoiled[~plays, bass].any()
    weights = [plays.float(), 1.0, 0.0]  # the bass where played, the piano, no drums
    assert target.plays[:, 1].all() and not target.plays[:, 2].any()
    expected = sum(
        track_loss(x, s, o, t) * w
        for x, s, o, t, w in zip(
            logits, target.sounding, target.onsets, data.tracks, weights, strict=True
        )
    ).mean()
    torch.testing.assert_close(data.reconstruction(logits, target, 1), expected)


def test_fresh_training_on_songs_still_learns_a_missing_part_as_silence(folder_data):
    from models.train_data import training_data

    config = TINY.replace(tracks=tuple(t.to_dict() for t in FOLDER_TRACKS))
    data = training_data(folder_data, config, np.random.default_rng(0))
    assert data.plays is None  # not a fine-tune's data: every window teaches every part


def _start_model(toy_model, folder, **card) -> Path:
    """The toy model's weights under a card of ``card``'s iterations (and start)."""
    model_path, config = toy_model
    from models.checkpoint import read_tensors

    stem = folder / "start"
    save_tensors_and_card(read_tensors(model_path), new_card(config, **card), stem)
    return stem.with_suffix(".safetensors")


def test_a_fine_tunes_card_counts_its_starts_iterations_through_resume_and_export(
    toy_model, folder_data, tmp_path
):
    """Session 23: a fine-tune's card recorded its start's name but not how trained it
    was, so a model from scratch of 20 iterations fine-tuned for a few more was never
    called barely trained; and a resumed fine-tune (the Train window resumes without
    --init-from) lost even the name.  Now ``initialized_from_iterations`` is read from the
    start's card, carried through --resume and export, and through a start grown with
    new styles, and ``training_iterations`` says the total."""
    from composer_gui.core.rough_model import is_barely_trained, rough_model_sentence
    from models.checkpoint import read_checkpoint_card
    from models.train import train

    _, config = toy_model
    toy = write_toy_band_dataset(tmp_path / "toy", n_pieces=24)
    start = _start_model(toy_model, tmp_path, iterations=20)
    run = train(config.replace(iterations=4), toy, tmp_path / "run", "cpu", init_from=start)
    card = read_checkpoint_card(run / "checkpoint")
    assert card["initialized_from"] == "start.safetensors"
    assert card["initialized_from_iterations"] == 20
    train(config.replace(iterations=6), toy, run, "cpu", resume=True)  # as the window does
    resumed = read_checkpoint_card(run / "checkpoint")
    assert resumed["iteration"] == 6 and resumed["initialized_from_iterations"] == 20
    out, model_card = export_model(run, tmp_path / "mine.safetensors", toy, calibrated=False)
    assert model_card["iterations"] == 6 and model_card["initialized_from_iterations"] == 20
    from models.checkpoint import training_iterations

    assert training_iterations(model_card) == 26
    assert is_barely_trained(model_card)
    assert rough_model_sentence(model_card, [60.0, 40.0]).startswith(
        "This model has had only 26 training iterations, counting the model it was "
        "fine-tuned from (the shipped chorale model's music kept improving"
    )
    # fine-tuned again, on songs of a style it lacks (a start grown with a new style)
    again = train(
        config.replace(iterations=2),
        folder_data,
        tmp_path / "again",
        "cpu",
        init_from=out,
        init_style="pop",
    )
    assert read_checkpoint_card(again / "checkpoint")["initialized_from_iterations"] == 26


def test_a_short_fine_tune_of_a_well_trained_model_is_well_trained(toy_model, tmp_path):
    from composer_gui.core.rough_model import is_barely_trained
    from models.train import train

    _, config = toy_model
    toy = write_toy_band_dataset(tmp_path / "toy", n_pieces=24)
    start = _start_model(
        toy_model, tmp_path, iterations=3000, initialized_from="x", initialized_from_iterations=3000
    )
    run = train(config.replace(iterations=2), toy, tmp_path / "run", "cpu", init_from=start)
    _, card = export_model(run, tmp_path / "mine.safetensors", toy, calibrated=False)
    assert card["initialized_from_iterations"] == 6000
    from models.checkpoint import training_iterations

    assert training_iterations(card) == 6002
    assert not is_barely_trained(card)
