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
