import numpy as np
import pytest
import torch

from models.bar_summary import N_BAR_FEATURES, bar_summaries, transpose_summary
from models.build_dataset import REST
from models.config import GanConfig
from models.critic import Critic
from models.encoding import accompaniment_channels, voice_one_hot
from models.pianoroll import LOWEST_PITCH, Meter
from models.sampling import melody_condition

C4, E4, G4, D4 = (60 - LOWEST_PITCH, 64 - LOWEST_PITCH, 67 - LOWEST_PITCH, 62 - LOWEST_PITCH)


def inputs(melody, voices, beats_per_bar=4, bar_phase=0, n=None):
    meter = Meter(beats_per_bar, 4)
    """Critic inputs for a melody and three voices given as pitch indices per step."""
    melody = np.array(melody)
    n = n or len(melody)
    onsets = np.r_[True, melody[1:] != melody[:-1]]
    cond = melody_condition(melody, onsets, meter, bar_phase, n)
    padded = np.full((3, n), REST)
    padded[:, : len(melody)] = voices
    return cond, accompaniment_channels(voice_one_hot(torch.from_numpy(padded)[None]))


def classes(row):
    return set(np.flatnonzero(row.numpy()))


def test_each_bar_says_which_pitch_classes_each_voice_and_the_melody_sound():
    melody = [C4] * 16 + [G4] * 16
    alto = [E4] * 8 + [G4] * 8 + [D4] * 16
    tenor = [C4] * 32
    bass = [REST] * 16 + [G4 - 12] * 4 + [REST] * 12
    features, sounding = bar_summaries(*inputs(melody, [alto, tenor, bass]))
    assert features.shape == (1, 2, N_BAR_FEATURES) and sounding.all()
    first, second = features[0]
    assert classes(first[0:12]) == {4, 7} and classes(second[0:12]) == {2}  # alto
    assert classes(first[12:24]) == {0} and classes(second[12:24]) == {0}  # tenor
    assert classes(first[24:36]) == set() and classes(second[24:36]) == {7}  # bass
    assert classes(first[36:48]) == {0} and classes(second[36:48]) == {7}  # melody
    # The melody's key, the same in every bar: half C, half G.
    assert torch.allclose(first[48:60], second[48:60])
    assert first[48 + 0] == first[48 + 7] == 0.5
    # Share of the bar each voice sounds, then note starts per step.
    assert first[60:63].tolist() == [1.0, 1.0, 0.0] and second[60:63].tolist() == [1, 1, 0.25]
    assert first[63:66].tolist() == [2 / 16, 1 / 16, 0.0]
    assert second[63:66].tolist() == [1 / 16, 0.0, 1 / 16]  # a held note starts only once


def test_bars_follow_the_downbeats_so_3_4_pickups_and_padding_need_no_meter():
    # 3/4 with a one-beat pickup, padded to 32 steps: the pickup joins the first bar, and
    # the last 4 steps of padding make a bar of their own that does not count.
    melody = [C4] * 28
    alto = [E4] * 4 + [G4] * 12 + [D4] * 12
    features, sounding = bar_summaries(
        *inputs(melody, [alto, [REST] * 28, [REST] * 28], 3, bar_phase=8, n=32)
    )
    assert sounding[0].tolist() == [True, True, False]
    assert [classes(bar[0:12]) for bar in features[0]] == [{4, 7}, {2}, set()]
    silent, sounding = bar_summaries(*inputs([REST] * 32, [[REST] * 32] * 3))
    assert not sounding.any()


def test_a_transposed_summary_is_the_summary_of_the_transposed_music():
    melody, voices = [C4] * 8 + [E4] * 8, [[G4] * 16, [E4] * 16, [C4 - 12] * 16]
    up = bar_summaries(*inputs([p + 3 for p in melody], [[p + 3 for p in v] for v in voices]))
    here = bar_summaries(*inputs(melody, voices))
    assert torch.allclose(transpose_summary(here[0], 3), up[0])
    assert torch.equal(transpose_summary(here[0], 12), here[0])


def test_the_bar_head_ignores_padding_and_hears_pitch_classes():
    torch.manual_seed(0)
    critic = Critic(GanConfig(d_channels=(8, 8), critic_bar_head=4)).eval()
    melody, voices = [C4] * 16 + [G4] * 16, [[E4] * 32, [C4] * 32, [C4 - 12] * 32]
    with torch.no_grad():
        head = critic.bar_head(*bar_summaries(*inputs(melody, voices)))
        padded = critic.bar_head(*bar_summaries(*inputs(melody, voices, n=64)))
        other = [[D4] * 32, [C4] * 32, [C4 - 12] * 32]
        changed = critic.bar_head(*bar_summaries(*inputs(melody, other)))
    assert torch.allclose(head, padded)  # two silent bars of padding change nothing
    assert not torch.allclose(head, changed)  # the alto's pitch class does


def test_a_negative_bar_head_is_refused():
    with pytest.raises(ValueError, match="critic_bar_head"):
        GanConfig(critic_bar_head=-1)
