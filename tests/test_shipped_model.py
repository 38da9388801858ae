"""The shipped model, as a musician gets it: its files, its card, and what it writes.

These run the real weights in resources/weights/ on the shipped sample melodies.  The
full evaluation on the test split (``composer-gui evaluate``) is in the model card and the
README; here are the promises that must hold on every checkout.
"""

from __future__ import annotations

import numpy as np
import pytest

from composer_gui.core.engine import Engine, default_model_path
from composer_gui.core.midi_file import read_melody
from composer_gui.paths import resource_path
from models.checkpoint import load_model, read_card
from models.pianoroll import STEPS_PER_BEAT

SAMPLES = sorted(resource_path("melodies").glob("*.mid"))
# Amazing Grace (SAMPLES[0]) is in 3/4, which the pop ballad never learnt and is refused
# in (core.style_meters, issues 16 and 17): the score is read in country, which learnt
# 3/4, and the pop ballad's mix on a tune in 4/4.
FOUR_FOUR = resource_path("melodies", "ode_to_joy.mid")


@pytest.fixture(scope="module")
def engine():
    e = Engine(device="cpu")
    e.load()
    return e


def test_the_model_files_are_small_complete_and_documented():
    path = default_model_path()
    assert path.stat().st_size <= 20 * 2**20
    card = read_card(path)
    for key in (
        "config",
        "grid",
        "data",
        "iterations",
        "seed",
        "training_seconds",
        "hardware",
        "calibration",
        "metrics",
    ):
        assert key in card, key
    calibration = card["calibration"]
    assert len(calibration["quantiles"]) == 101
    # The readable score is a percentile among real Bach, and it can tell candidates apart:
    # the model's typical candidate does not read 0 (a critic that put every candidate
    # below every chorale would make the scale useless).
    assert 1.0 < calibration["candidate_median_on_real_scale"] < 99.0
    generator, critic, _ = load_model(path)
    assert not generator.training and not critic.training
    # The bar head taught the old ranking benchmark is retired (issue 18, docs/ranking.md):
    # the shipped critic is the GAN's own.
    assert critic.bar_head is None and card["config"]["critic_bar_head"] == 0
    assert "critic_ranking" not in card
    # The number shown is calibrated with the weights the ranking uses today.
    from models.ranking import WEIGHTS

    assert calibration["checked_weights"] == WEIGHTS
    assert len(calibration["checked_quantiles"]) == 101
    # The number shown is among the model's own candidates: its median is a typical one,
    # and the candidates' scores spread (a scale where all read alike tells nothing).
    ranked = calibration["ranked_candidate_quantiles"]
    assert len(ranked) == 101 and ranked[25] < ranked[50] < ranked[75]


def pitch_class_histogram(candidates) -> np.ndarray:
    """Duration-weighted pitch classes of the accompaniment over all candidates."""
    hist = np.zeros(12)
    for candidate in candidates:
        for track in candidate.arrangement.tracks[1:]:
            for note in track.notes:
                hist[note.pitch % 12] += note.duration_beats
    return hist


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_gets_in_key_voices_under_its_melody(engine, sample):
    melody = read_melody(sample)
    best = engine.generate(melody, k=8, seed=0)[0]
    arrangement = best.arrangement
    assert arrangement.tracks[0].notes == melody.tracks[0].notes
    assert best.metrics["in_key_ratio"] >= 0.75, best.metrics
    assert 2.5 <= best.metrics["polyphony"] <= 3.0
    assert best.metrics["empty_bar_rate"] <= 0.1
    for track in arrangement.tracks[1:]:
        assert track.notes, track.name
        assert all(n.duration_beats >= 2 / STEPS_PER_BEAT for n in track.notes)  # no flicker
    top = max(n.pitch for n in arrangement.tracks[0].notes)
    bass = np.mean([n.pitch for n in arrangement.tracks[3].notes])
    assert bass < top - 7  # the bass sits below the melody


def test_transposing_the_melody_transposes_the_harmony(engine):
    """Conditioning works: the accompaniment's pitch classes follow the melody's key."""
    correlations = []
    for sample in SAMPLES:
        melody = read_melody(sample)
        base = pitch_class_histogram(engine.generate(melody, k=4, seed=1))
        for shift in (-3, 2, 5):
            moved = read_melody(sample)
            moved.tracks[0].notes = [
                type(n)(n.pitch + shift, n.start_beat, n.duration_beats, n.velocity)
                for n in melody.tracks[0].notes
            ]
            hist = pitch_class_histogram(engine.generate(moved, k=4, seed=1))
            correlations.append(np.corrcoef(hist, np.roll(base, shift))[0, 1])
    assert np.mean(correlations) >= 0.8, correlations


def test_candidates_for_one_melody_differ_but_stay_in_key(engine):
    from models.metrics import diversity

    melody = read_melody(resource_path("melodies", "ode_to_joy.mid"))
    candidates = engine.generate(melody, k=8, seed=2)
    assert len(candidates) >= 6  # near-copies folded, yet most survive
    rolls = []
    for c in candidates:
        roll = np.zeros((4, 128, 128), dtype=bool)
        for t, track in enumerate(c.arrangement.tracks):
            for n in track.notes:
                a = int(round(n.start_beat * STEPS_PER_BEAT))
                roll[t, a : a + max(1, int(round(n.duration_beats * STEPS_PER_BEAT))), n.pitch] = 1
        rolls.append(roll)
    assert diversity(np.stack(rolls)) > 0.2
    assert np.mean([c.metrics["in_key_ratio"] for c in candidates]) >= 0.75
    # Ranked by the critic less the checks' penalties (models.ranking), not by the
    # critic's percentile alone; a candidate like the take's median has nothing to say.
    assert [c.score for c in candidates] == sorted([c.score for c in candidates], reverse=True)
    assert any(c.reasons for c in candidates)


def test_the_shown_score_tells_candidates_apart_and_says_how_far_from_bach(engine):
    """Issue 18: the number shown is a percentile among the model's own candidates, so
    16 candidates of one melody do not all read 0-5, and it follows the order; the share
    of real Bach beaten is there for the tooltip, and never exceeds what the order allows."""
    candidates = engine.generate(read_melody(SAMPLES[0]), k=16, seed=5)
    shown = [c.percentile for c in candidates]
    assert shown == sorted(shown, reverse=True)
    assert shown[0] - shown[-1] >= 20
    shares = [c.real_share for c in candidates]
    assert all(0.0 <= s <= 100.0 for s in shares)
    assert shares == sorted(shares, reverse=True)


def test_the_band_models_shown_score_is_among_its_own_candidates():
    """The shipped band model's card places the ranking score among its own validation
    candidates, as the chorale's does (``models.band_ranking`` ranks both the take and the
    calibration), so a band's candidates do not all read "<1" and the number follows
    the order; the share of the style's real renderings beaten is there for the tooltip."""
    path = resource_path("weights") / "composer-band.safetensors"
    calibration = read_card(path)["calibration"]
    assert {"checked_quantiles", "ranked_candidate_quantiles"} <= set(calibration)
    band = Engine(model_path=path, device="cpu")
    band.load()
    candidates = band.generate(read_melody(SAMPLES[0]), k=8, seed=5, style="country")
    shown = [c.percentile for c in candidates]
    assert shown == sorted(shown, reverse=True)
    assert shown[0] >= 5
    shares = [c.real_share for c in candidates]
    assert all(0.0 <= s <= 100.0 for s in shares)
    assert shares == sorted(shares, reverse=True)


def test_a_pop_ballads_band_is_mixed_as_mma_mixes_it_and_lands_its_bass_on_the_chord():
    """The band's velocities follow the style's mix (its pad and piano at MMA's "p",
    under the bass), and its bass sounds a tone of the chords on every downbeat where it
    strikes there (``models.track_cleanup.bass_on_the_chord``)."""
    band = Engine(model_path=resource_path("weights") / "composer-band.safetensors", device="cpu")
    for candidate in band.generate(read_melody(FOUR_FOUR), k=4, seed=3, style="pop ballad"):
        tracks = {t.name: t for t in candidate.arrangement.tracks[1:]}
        velocity = {name: {n.velocity for n in t.notes} for name, t in tracks.items()}
        assert all(len(v) == 1 for v in velocity.values())  # one level a track
        assert max(velocity["pad"]) < max(velocity["chords"]) < max(velocity["bass"])
        bar = candidate.arrangement.time_signature[0] * 4 // candidate.arrangement.time_signature[1]
        for note in tracks["bass"].notes:
            if note.start_beat % bar:
                continue
            heard = {
                n.pitch % 12
                for name in ("chords", "pad")
                for n in tracks[name].notes
                if n.start_beat <= note.start_beat < n.start_beat + n.duration_beats
            }
            assert not heard or note.pitch % 12 in heard, note
