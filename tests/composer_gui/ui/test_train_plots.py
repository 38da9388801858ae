"""The Train window's sample roll: a band's drums in their own lane, chords with every note.

The image is built from a sample as ``models/train_samples.py`` writes it, so a sample
that lost a chord's inner notes or drew the drums on the pitch rows would show here.
"""

from __future__ import annotations

import numpy as np

from composer_gui.ui import theme
from composer_gui.ui.train_plots import DRUM_LANE_GAP, sample_image
from models.tracks import DRUM_KIT


def _colour(index: int) -> tuple[int, ...]:
    return tuple(theme.track_colour(index).getRgb()[:3])


def test_a_band_sample_draws_chords_whole_and_drums_in_their_lane():
    steps, low, pitches = 16, 28, 64
    roll = np.zeros((3, steps, pitches), dtype=np.uint8)  # melody, bass, chords
    roll[0, 0:4, 72 - low] = 1
    roll[1, 0:8, 40 - low] = 1
    for pitch in (60, 64, 67):  # a C major chord, three notes at once
        roll[2, 4, pitch - low] = 1
    drums = np.zeros((steps, len(DRUM_KIT)), dtype=np.uint8)
    drums[0, 0] = drums[8, 1] = 1  # kick, snare
    sample = {"roll": roll, "drums": drums, "lowest_pitch": low}
    image, bottom = sample_image(sample)
    lane = len(DRUM_KIT) + DRUM_LANE_GAP
    assert bottom == low - lane and image.shape == (lane + pitches, steps, 3)
    for pitch in (60, 64, 67):
        assert tuple(image[lane + pitch - low, 4]) == _colour(2)
    assert tuple(image[lane + 40 - low, 7]) == _colour(1)
    assert tuple(image[lane + 72 - low, 0]) == _colour(0)
    assert tuple(image[0, 0]) == tuple(image[1, 8]) == _colour(3)  # the drums' lane
    assert tuple(image[1, 0]) == tuple(theme.PANEL.getRgb()[:3])


def test_a_chorale_sample_has_no_drums_lane():
    roll = np.zeros((4, 8, 64), dtype=np.uint8)
    roll[3, 0, 0] = 1
    image, bottom = sample_image({"roll": roll, "lowest_pitch": 28})
    assert bottom == 28 and image.shape[0] == 64
    assert tuple(image[0, 0]) == _colour(3)
