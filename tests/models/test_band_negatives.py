"""Spoiled real bands (models/band_negatives.py): each spoils what it says, and only that."""

import numpy as np
import pytest
import torch

from models.band_batches import BandTarget
from models.band_negatives import (
    AUDIBLE_MOVED,
    HELD_OUT_KINDS,
    JUDGE_KINDS,
    KINDS,
    LATE_STEPS,
    SPOILERS,
    TRAINED_KINDS,
    TRIAL_KINDS,
    beat_spans,
    moved_share,
    spoil_batch,
    spoil_window,
)
from models.pianoroll import meter_positions
from tests.support.band_data import TOY_TRACKS, toy_piece

BASS, PIANO, DRUMS = range(3)


def window(i: int = 0):
    piece = toy_piece(i)
    real = [(s.copy(), o.copy()) for s, o in zip(piece.sounding, piece.onsets)]
    positions = np.stack(meter_positions([(0, piece.meter)], piece.n_steps, 0))
    return real, positions


def pitch_classes(track, roll) -> set[int]:
    return {track.row_pitch(int(r)) % 12 for r in np.flatnonzero(roll)}


def changed(real, spoiled) -> list[int]:
    return [
        t
        for t, ((s, o), (s2, o2)) in enumerate(zip(real, spoiled))
        if not (np.array_equal(s, s2) and np.array_equal(o, o2))
    ]


def test_the_kinds_are_split_before_training_with_two_held_out():
    assert set(TRAINED_KINDS) | set(HELD_OUT_KINDS) | set(TRIAL_KINDS) == set(KINDS)
    assert not set(TRAINED_KINDS) & set(HELD_OUT_KINDS)
    assert not (set(TRAINED_KINDS) | set(HELD_OUT_KINDS)) & set(TRIAL_KINDS)
    assert len(HELD_OUT_KINDS) >= 2


def spoiled_beats(kind: str, seed: int, track: int):
    """A toy window spoiled by ``kind``, which must change ``track`` alone: ``(real,
    spoiled, [(beat's first step, its end, whether the track's sounding changed in it)])``."""
    real, positions = window(seed)
    spoiled = spoil_window(kind, TOY_TRACKS, real, positions, np_rng(seed))
    assert changed(real, spoiled) == [track]
    beats = [
        (a, b, not np.array_equal(real[track][0][a:b], spoiled[track][0][a:b]))
        for a, b in beat_spans(positions)
    ]
    return real, spoiled, beats


@pytest.mark.parametrize("seed", range(5))
def test_chord_notes_move_a_semitone_on_some_beats_and_nothing_else_moves(seed):
    real, spoiled, beats = spoiled_beats("chords_semitone", seed, PIANO)
    for a, b, moved in beats:
        if moved:
            before, after = real[PIANO][0][a:b], spoiled[PIANO][0][a:b]
            rows = np.flatnonzero(before.any(axis=0))
            after_rows = np.flatnonzero(after.any(axis=0))
            assert any(np.array_equal(rows + d, after_rows) for d in (-1, 1))
            assert spoiled[PIANO][1][a].any()  # the moved chord is struck where the beat begins
    assert 1 <= sum(moved for _a, _b, moved in beats) < len(beats) // 2


@pytest.mark.parametrize("seed", range(5))
def test_the_bass_moves_off_the_chord_on_some_beats(seed):
    real, spoiled, beats = spoiled_beats("bass_off_chord", seed, BASS)
    for a, _b, moved in beats:
        chord = pitch_classes(TOY_TRACKS[PIANO], real[PIANO][0][a])
        bass = pitch_classes(TOY_TRACKS[BASS], spoiled[BASS][0][a])
        if moved:
            assert bass and not bass & chord
        else:
            assert bass <= chord  # the toy's bass plays the root
    assert any(moved for _a, _b, moved in beats)


def test_thinned_drums_keep_a_part_of_the_hits_and_nothing_else_changes():
    real, positions = window()
    spoiled = spoil_window("drums_thinned", TOY_TRACKS, real, positions, np_rng(0))
    assert changed(real, spoiled) == [DRUMS]
    hits, kept = real[DRUMS][1], spoiled[DRUMS][1]
    assert not (kept & ~hits).any()
    assert 0.3 * hits.sum() < kept.sum() < 0.7 * hits.sum()
    assert np.array_equal(spoiled[DRUMS][0], kept)


@pytest.mark.parametrize("seed", range(5))
def test_one_track_comes_a_step_or_two_late(seed):
    real, positions = window(seed)
    spoiled = spoil_window("track_late", TOY_TRACKS, real, positions, np_rng(seed))
    (t,) = changed(real, spoiled)
    late = [d for d in (1, 2) if np.array_equal(real[t][1][:-d], spoiled[t][1][d:])]
    assert late and np.array_equal(real[t][0][: -late[0]], spoiled[t][0][late[0] :])
    assert not spoiled[t][0][: late[0]].any()  # silence where it begins, nothing wrapped


def test_transposing_moves_every_pitched_track_by_one_interval_and_keeps_the_drums():
    real, positions = window()
    for seed in range(4):
        spoiled = spoil_window("transpose", TOY_TRACKS, real, positions, np_rng(seed))
        assert changed(real, spoiled) == [BASS, PIANO]
        moves = []
        for t in (BASS, PIANO):
            before = pitch_classes(TOY_TRACKS[t], real[t][0][0])
            after = pitch_classes(TOY_TRACKS[t], spoiled[t][0][0])
            moves.append({d for d in range(1, 12) if {(p + d) % 12 for p in before} == after})
        assert moves[0] & moves[1]  # one interval for the whole band


def test_shuffled_drums_keep_each_instrument_s_bars_in_another_order():
    piece = toy_piece(0)
    real, positions = window(0)
    drums = real[DRUMS][1].copy()
    bar = piece.meter.bar_steps
    drums[0 * bar + 1, 0] = True  # bar 0's kick differs from the other bars'
    real[DRUMS] = (drums, drums.copy())
    rng = np_rng(1)
    shuffled = [spoil_window("drums_shuffled", TOY_TRACKS, real, positions, rng) for _ in range(4)]
    assert all(changed(real, s) in ([], [DRUMS]) for s in shuffled)
    assert any(changed(real, s) == [DRUMS] for s in shuffled)
    for s in shuffled:
        assert np.array_equal(s[DRUMS][1].sum(axis=0), drums.sum(axis=0))
        bars = s[DRUMS][1].reshape(-1, bar, drums.shape[1])
        assert sorted(map(bytes, bars[:, :, 0])) == sorted(
            map(bytes, drums.reshape(-1, bar, drums.shape[1])[:, :, 0])
        )


def hand_made_window(bars: int = 4):
    """A 4/4 window the test writes out: the toy's bass and piano, and a kit of kick on 1,
    snare on 2 and 4, hats on every eighth, one bar with a kick on the "and" of 3."""
    real, positions = window(0)
    bar = toy_piece(0).meter.bar_steps
    n = bars * bar
    real = [(s[:n].copy(), o[:n].copy()) for s, o in real]
    kick, snare, hat = (TOY_TRACKS[DRUMS].pitch_row(k) for k in (36, 38, 42))
    drums = np.zeros_like(real[DRUMS][1])
    for a in range(0, n, bar):
        drums[a, kick] = drums[a + 4, snare] = drums[a + 12, snare] = True
        drums[a : a + bar : 2, hat] = True
    drums[bar + 10, kick] = True
    real[DRUMS] = (drums, drums.copy())
    return real, positions[:, :n], bar


@pytest.mark.parametrize("seed", range(6))
def test_displaced_drums_turn_some_whole_bars_round_and_keep_everything_else(seed):
    real, positions, bar = hand_made_window()
    spoiled = spoil_window("drums_displaced", TOY_TRACKS, real, positions, np_rng(seed))
    assert changed(real, spoiled) == [DRUMS]
    before, after = real[DRUMS][1], spoiled[DRUMS][1]
    assert np.array_equal(spoiled[DRUMS][0], after)
    moved = []
    for a in range(0, len(before), bar):
        if np.array_equal(before[a : a + bar], after[a : a + bar]):
            continue
        turns = [m for m in range(1, bar) if np.array_equal(np.roll(before[a : a + bar], m, 0),
                                                             after[a : a + bar])]  # fmt: skip
        assert turns  # the bar's own hits, every instrument by the same steps
        moved.append(a // bar)
    assert 1 <= len(moved) < 4  # some bars, not every one: the groove is spoilt, not moved


def test_displaced_drums_leave_a_bar_whose_every_turn_is_itself_and_spoil_another():
    real, positions, bar = hand_made_window(bars=2)
    drums = np.zeros_like(real[DRUMS][1])
    drums[:, TOY_TRACKS[DRUMS].pitch_row(42)] = True  # bar 0 and 1: hats on every step
    drums[bar + 3, TOY_TRACKS[DRUMS].pitch_row(36)] = True  # bar 1 has a kick as well
    real[DRUMS] = (drums, drums.copy())
    for seed in range(8):
        spoiled = spoil_window("drums_displaced", TOY_TRACKS, real, positions, np_rng(seed))
        after = spoiled[DRUMS][1]
        assert np.array_equal(after[:bar], drums[:bar])
        assert after.sum() == drums.sum()
        # bar 1 is the only one a turn changes, so it is turned every time
        assert changed(real, spoiled) == [DRUMS]
        assert not after[bar + 3, TOY_TRACKS[DRUMS].pitch_row(36)]


def test_displaced_drums_always_spoil_something():
    # no bar a turn changes (hats on every step): the drums are thinned instead
    real, positions, bar = hand_made_window(bars=2)
    drums = np.zeros_like(real[DRUMS][1])
    drums[:, TOY_TRACKS[DRUMS].pitch_row(42)] = True
    real[DRUMS] = (drums, drums.copy())
    for seed in range(4):
        spoiled = spoil_window("drums_displaced", TOY_TRACKS, real, positions, np_rng(seed))
        assert changed(real, spoiled) == [DRUMS]
        assert spoiled[DRUMS][1].sum() < drums.sum() and not (spoiled[DRUMS][1] & ~drums).any()
    # no whole bar (a window shorter than one): thinned too
    short = [(s[: bar - 2], o[: bar - 2]) for s, o in hand_made_window(bars=2)[0]]
    spoiled = spoil_window("drums_displaced", TOY_TRACKS, short, positions[:, : bar - 2], np_rng(0))
    assert changed(short, spoiled) == [DRUMS]
    # no drum hits: transposed, as a mismatch without another band is
    silent = [(s.copy(), o.copy()) for s, o in real]
    silent[DRUMS] = (np.zeros_like(drums), np.zeros_like(drums))
    spoiled = spoil_window("drums_displaced", TOY_TRACKS, silent, positions, np_rng(0))
    assert changed(silent, spoiled) and DRUMS not in changed(silent, spoiled)
    # and every toy window, every seed, comes out changed
    for i in range(4):
        real, positions = window(i)
        for seed in range(6):
            spoiled = spoil_window("drums_displaced", TOY_TRACKS, real, positions, np_rng(seed))
            assert changed(real, spoiled) == [DRUMS]


def test_another_piece_s_band_is_that_piece_s_cut_to_this_length():
    real, positions = window(0)
    other, _ = window(2)
    spoiled = spoil_window("mismatch", TOY_TRACKS, real, positions, np_rng(0), other)
    for (s, o), (s2, o2) in zip(spoiled, other):
        n = min(len(s), len(s2))
        assert np.array_equal(s[:n], s2[:n]) and np.array_equal(o[:n], o2[:n])


def test_a_training_batch_is_spoiled_by_the_trained_kinds_and_never_left_clean():
    windows = [window(i) for i in (0, 2, 4, 6)]  # all 4/4
    target = BandTarget(
        [torch.from_numpy(np.stack([w[0][t][0] for w in windows])).float() for t in range(3)],
        [torch.from_numpy(np.stack([w[0][t][1] for w in windows])).float() for t in range(3)],
    )
    positions = torch.from_numpy(np.stack([w[1] for w in windows]))
    for seed in range(3):
        spoiled = spoil_batch(target, TOY_TRACKS, positions, np_rng(seed))
        assert [s.shape for s in spoiled.sounding] == [s.shape for s in target.sounding]
        for i in range(4):
            same = all(
                torch.equal(a[i], b[i])
                for a, b in zip(spoiled.sounding + spoiled.onsets, target.sounding + target.onsets)
            )
            assert not same


def np_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_band_models_may_have_critic_negatives_and_a_critic_only_stage_needs_a_critic():
    from models.config import GanConfig

    tracks = tuple(t.to_dict() for t in TOY_TRACKS)
    config = GanConfig(tracks=tracks, critic_negatives=0.5, critic_only=True)
    assert config.critic_negatives == 0.5 and not config.is_chorale_layout
    with pytest.raises(ValueError, match="three voices"):
        GanConfig(tracks=tracks, train_variety=0.5)  # still the chorale's alone
    with pytest.raises(ValueError, match="critic_only"):
        GanConfig(critic_only=True, adversarial_weight=0.0)


def test_a_trial_names_its_kinds_in_the_config_and_other_runs_keep_the_trained_ones():
    from models.config import GanConfig

    assert "critic_negative_kinds" not in GanConfig().to_dict()  # cards stay as they were
    trial = GanConfig(critic_negative_kinds=(*TRAINED_KINDS, *TRIAL_KINDS))
    assert GanConfig.from_dict(trial.to_dict()) == trial
    with pytest.raises(ValueError, match="no spoiled kind nope"):
        GanConfig(critic_negative_kinds=("nope",))


def test_the_groove_judges_are_held_out_and_never_trained():
    from models.config import GanConfig

    assert not set(JUDGE_KINDS) & set(KINDS)
    assert set(JUDGE_KINDS) <= set(SPOILERS)
    for kind in JUDGE_KINDS:  # a run's config cannot train a critic on a judge
        with pytest.raises(ValueError, match="only judge a critic"):
            GanConfig(critic_negative_kinds=(*TRAINED_KINDS, kind))


def test_late_drums_are_the_whole_kit_an_eighth_later_and_nothing_else_moves():
    real, positions, bar = hand_made_window()
    spoiled = spoil_window("drums_late", TOY_TRACKS, real, positions, np_rng(0))
    assert changed(real, spoiled) == [DRUMS]
    hits, late = real[DRUMS][1], spoiled[DRUMS][1]
    assert LATE_STEPS == 2
    assert np.array_equal(late[2:], hits[:-2])  # every hit two steps (an eighth) later
    assert np.array_equal(late[:2], hits[-2:])  # the window's last eighth wrapped round
    kick = TOY_TRACKS[DRUMS].pitch_row(36)
    assert not late[0::bar, kick].any() and late[2::bar, kick].all()  # off the downbeat
    assert np.array_equal(spoiled[DRUMS][0], late)


def test_kick_and_snare_swap_their_hits_and_nothing_else_moves():
    real, positions, bar = hand_made_window()
    spoiled = spoil_window("kick_snare_swapped", TOY_TRACKS, real, positions, np_rng(0))
    assert changed(real, spoiled) == [DRUMS]
    kick, snare, hat = (TOY_TRACKS[DRUMS].pitch_row(k) for k in (36, 38, 42))
    hits, swapped = real[DRUMS][1], spoiled[DRUMS][1]
    assert np.array_equal(swapped[:, kick], hits[:, snare])  # the kick on 2 and 4
    assert np.array_equal(swapped[:, snare], hits[:, kick])  # the snare on 1
    assert np.array_equal(swapped[:, hat], hits[:, hat])
    assert swapped.sum() == hits.sum()


def test_without_a_snare_the_kick_swaps_with_the_side_stick():
    real, positions, bar = hand_made_window()
    kick, snare, stick = (TOY_TRACKS[DRUMS].pitch_row(k) for k in (36, 38, 37))
    hits = real[DRUMS][1].copy()
    hits[:, stick], hits[:, snare] = hits[:, snare], False
    real[DRUMS] = (hits, hits.copy())
    swapped = spoil_window("kick_snare_swapped", TOY_TRACKS, real, positions, np_rng(0))[DRUMS][1]
    assert np.array_equal(swapped[:, kick], hits[:, stick])
    assert np.array_equal(swapped[:, stick], hits[:, kick])
    assert not swapped[:, snare].any()


def test_the_audible_shuffle_moves_its_share_of_the_hits_or_leaves_the_band():
    # the hand-made groove differs by one kick between bars: no shuffle moves 10% of it
    real, positions, bar = hand_made_window()
    for seed in range(4):
        kept = spoil_window("drums_shuffled_audible", TOY_TRACKS, real, positions, np_rng(seed))
        assert changed(real, kept) == []
    # bars that differ: each bar's kick and snare on other steps
    hits = np.zeros_like(real[DRUMS][1])
    kick, snare = (TOY_TRACKS[DRUMS].pitch_row(k) for k in (36, 38))
    for i, a in enumerate(range(0, hits.shape[0], bar)):
        hits[a + 2 * i, kick] = hits[a + 4 + 2 * i, snare] = True
    real[DRUMS] = (hits, hits.copy())
    for seed in range(4):
        copy = spoil_window("drums_shuffled_audible", TOY_TRACKS, real, positions, np_rng(seed))
        assert changed(real, copy) == [DRUMS]
        assert moved_share(TOY_TRACKS, real, copy) >= AUDIBLE_MOVED
        # still a shuffle: each instrument's bars are the real ones in another order
        for row in (kick, snare):
            bars = copy[DRUMS][1][:, row].reshape(-1, bar)
            assert sorted(map(bytes, bars)) == sorted(map(bytes, hits[:, row].reshape(-1, bar)))
