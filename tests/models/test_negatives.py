"""Spoiled real chorales for the critic: each kind spoils what it says and nothing else."""

import torch

from models.encoding import REST_CLASS
from models.negatives import (
    KINDS,
    SPOILERS,
    WRONG_BEAT_SHARE,
    block,
    late,
    mismatch,
    spoil,
    transpose,
    wrong_notes,
)
from models.pianoroll import N_PITCHES, STEPS_PER_BEAT


def voices(batch=6, steps=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    v = torch.randint(0, N_PITCHES, (batch, 3, steps), generator=g)
    v[:, :, 5:7] = REST_CLASS
    return v


def test_mismatch_gives_every_window_another_windows_accompaniment():
    v = voices()
    spoiled = mismatch(v)
    for i in range(v.shape[0]):
        assert not torch.equal(spoiled[i], v[i])
        assert any(torch.equal(spoiled[i], v[j]) for j in range(v.shape[0]) if j != i)


def test_transpose_moves_all_notes_by_one_interval_keeps_rests_and_range():
    v = voices()
    spoiled = transpose(v, torch.Generator().manual_seed(1))
    rests = v == REST_CLASS
    assert torch.equal(spoiled[rests], v[rests])
    assert spoiled[~rests].min() >= 0 and spoiled[~rests].max() < N_PITCHES
    for i in range(v.shape[0]):
        moved = (spoiled[i] - v[i])[~rests[i]] % 12
        assert moved.unique().numel() == 1 and int(moved[0]) != 0


def test_late_is_the_same_music_a_beat_or_two_later():
    v = voices()
    spoiled = late(v, torch.Generator().manual_seed(2))
    assert any(torch.equal(spoiled, v.roll(b * STEPS_PER_BEAT, dims=2)) for b in (1, 2))


def test_block_holds_each_beats_first_note_on_the_musics_own_beats():
    v = voices(batch=2, steps=12)
    phase = torch.tensor([0, 1])  # the second window starts one step after a beat
    spoiled = block(v, phase=phase)
    for start in range(0, 12, 4):
        assert (spoiled[0, :, start : start + 4] == v[0, :, start : start + 1]).all()
    # second window: beats start at steps 3, 7, 11; the steps before 3 hold step 0
    assert (spoiled[1, :, 0:3] == v[1, :, 0:1]).all()
    assert (spoiled[1, :, 3:7] == v[1, :, 3:4]).all()
    assert (spoiled[1, :, 7:11] == v[1, :, 7:8]).all()


def test_wrong_notes_move_a_few_beats_of_single_voices_by_a_tone_or_less():
    v = voices(batch=64, steps=64)
    phase = torch.arange(64) % 16  # anywhere in a 4/4 bar
    spoiled = wrong_notes(v, torch.Generator().manual_seed(4), phase)
    moved = spoiled != v
    assert moved.flatten(1).any(dim=1).all()  # no window comes back clean
    assert 0.5 * WRONG_BEAT_SHARE < moved.float().mean() < 2 * WRONG_BEAT_SHARE
    assert ((spoiled - v)[moved].abs() <= 2).all()
    assert (spoiled[v == REST_CLASS] == REST_CLASS).all()
    assert spoiled[v != REST_CLASS].min() >= 0 and spoiled[v != REST_CLASS].max() < N_PITCHES
    # a wrong note lasts its whole beat: within a beat, a voice is moved at every step or none
    beat = (torch.arange(64)[None, :] + phase[:, None] % STEPS_PER_BEAT) // STEPS_PER_BEAT
    sounding = v != REST_CLASS
    for i in range(8):
        for voice in range(3):
            for b in beat[i].unique():
                steps = (beat[i] == b) & sounding[i, voice]
                assert moved[i, voice, steps].all() or not moved[i, voice, steps].any()


def test_spoil_draws_one_kind_per_window():
    v = voices(batch=32)
    g = torch.Generator().manual_seed(3)
    spoiled = spoil(v, torch.zeros(32, dtype=torch.long), g)
    assert spoiled.shape == v.shape
    kinds_seen = set()
    for i in range(v.shape[0]):
        matches = [
            kind
            for kind in KINDS
            if kind in ("mismatch", "block")
            and torch.equal(
                spoiled[i], SPOILERS[kind](v, None, torch.zeros(32, dtype=torch.long))[i]
            )
        ]
        kinds_seen.update(matches or ["transpose or late"])
        assert not torch.equal(spoiled[i], v[i])
    assert len(kinds_seen) >= 3


def test_a_window_spoiled_by_mismatch_is_the_next_ones_cut_or_padded_with_rests():
    from models.encoding import REST_CLASS
    from models.negatives import spoiled_window

    short = torch.full((3, 8), 5)
    long = torch.full((3, 16), 7)
    padded = spoiled_window("mismatch", [long, short], 0)
    assert padded.shape == long.shape
    assert (padded[:, :8] == 5).all() and (padded[:, 8:] == REST_CLASS).all()
    assert torch.equal(spoiled_window("mismatch", [long, short], 1), long[:, :8])
    moved = spoiled_window("transpose", [long], 0, torch.Generator().manual_seed(0))
    assert moved.shape == long.shape and not torch.equal(moved, long)


def dissonance_case(batch=24, steps=64, seed=5):
    """Chorale-like voices (held notes, steps between them) under a melody, with the
    condition the networks read: beats every 4 steps, or every 6 (a dotted quarter)."""
    from models.encoding import condition

    g = torch.Generator().manual_seed(seed)
    notes = torch.randint(20, 40, (batch, 4, steps // 2), generator=g)
    v = notes.repeat_interleave(2, dim=2)  # (B, 4, T): every note two steps long
    v[:, :, 9:11] = -1  # a rest in every voice
    beat_steps = torch.where(torch.arange(batch) % 2 == 0, 4, 6)[:, None]
    phase = torch.arange(steps)[None, :] % beat_steps
    accent = (torch.arange(steps)[None, :] % (4 * beat_steps) == 0).long() * 2
    positions = torch.stack([phase, accent], dim=1)
    cond = condition(v[:, 0], torch.ones(batch, steps, dtype=torch.bool), positions)
    accompaniment = torch.where(v[:, 1:] < 0, REST_CLASS, v[:, 1:])
    return accompaniment, v[:, 0], phase == 0, cond


def test_beat_dissonance_puts_unprepared_clashes_with_the_melody_on_beats_only():
    from models.negatives import DISSONANT_INTERVALS, beat_dissonance

    v, melody, beats, cond = dissonance_case()
    spoiled = beat_dissonance(v, torch.Generator().manual_seed(6), None, cond)
    moved = spoiled != v
    assert moved.flatten(1).any(dim=1).all()  # no window comes back clean
    assert (spoiled[v == REST_CLASS] == REST_CLASS).all()
    assert ((spoiled - v)[moved].abs() <= 3).all()
    b, n_voices, t = v.shape
    for i in range(b):
        for voice in range(n_voices):
            steps = moved[i, voice].nonzero().flatten().tolist()
            runs = [s for s in steps if s - 1 not in steps]  # where each moved stretch starts
            for s in runs:
                assert beats[i, s]  # it starts on a beat,
                q = int(spoiled[i, voice, s])
                assert (q - int(melody[i, s])) % 12 in DISSONANT_INTERVALS  # clashes there,
                assert s == 0 or int(spoiled[i, voice, s - 1]) != q  # unprepared,
                nxt = next((e for e in range(s, t) if e not in steps), None)
                assert nxt is None or beats[i, nxt] or int(v[i, voice, nxt]) != int(v[i, voice, s])
    share = moved.float().mean()
    assert 0.02 < share < 0.3


def test_beat_dissonance_needs_the_condition_and_a_chorale_trial_names_it():
    import pytest

    from models.config import GanConfig
    from models.negatives import TRIAL_KINDS, beat_dissonance

    v, _, _, cond = dissonance_case(batch=4)
    with pytest.raises(ValueError, match="needs the condition"):
        beat_dissonance(v)
    trial = GanConfig(critic_negative_kinds=(*KINDS, *TRIAL_KINDS))
    assert GanConfig.from_dict(trial.to_dict()) == trial
    g = torch.Generator().manual_seed(7)
    spoiled = spoil(v, torch.zeros(4, dtype=torch.long), g, cond, trial.critic_negative_kinds)
    assert spoiled.shape == v.shape
    assert all(not torch.equal(spoiled[i], v[i]) for i in range(4))


def test_a_kind_named_twice_is_drawn_twice_as_often():
    v, _, _, cond = dissonance_case(batch=600, steps=16)
    kinds = ("late", "late", "block")
    spoiled = spoil(
        v, torch.zeros(600, dtype=torch.long), torch.Generator().manual_seed(8), cond, kinds
    )
    blocked = block(v, phase=torch.zeros(600, dtype=torch.long))
    share_block = sum(torch.equal(spoiled[i], blocked[i]) for i in range(600)) / 600
    assert 0.25 < share_block < 0.42  # a third, where "late" is named twice


def test_the_penalty_between_real_and_spoiled_music_is_kept_unless_a_trial_drops_it():
    from models.config import GanConfig

    assert "critic_negative_gp" not in GanConfig().to_dict()  # cards stay as they were
    trial = GanConfig(critic_negatives=0.5, critic_negative_gp=False)
    assert GanConfig.from_dict(trial.to_dict()) == trial
    assert trial.to_dict()["critic_negative_gp"] is False
