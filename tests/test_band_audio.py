"""The band audio check judges a part against its style's real parts
(``benchmarks/band_audio_ranges.py``), on the built-in synth's real rendering
(``band_audio_real_parts.band_figures``), and the bass study reads notes as a monophonic
track can hold them (``band_audio_bass.py``)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import band_audio_bass as bab  # noqa: E402
import band_audio_ranges as bar  # noqa: E402
import band_audio_real_parts as barp  # noqa: E402

from models.build_dataset import REST  # noqa: E402
from models.pianoroll import Meter  # noqa: E402


def figures(bass_db=6.0, drums_db=10.0, hits=2.0, chords_db=5.0, classes=1.5) -> dict:
    """A rendering's figures (``band_audio_check.figures``' keys) with these contributions."""
    return {
        "bass_low_ratio": 10 ** (bass_db / 10),
        "drums_high_ratio": 10 ** (drums_db / 10),
        "drum_onsets_per_beat": hits,
        "chords_mid_ratio": 10 ** (chords_db / 10),
        "classes_per_frame": 2.0 + classes,
        "classes_without_chords": 2.0,
    }


def test_a_part_is_present_against_its_own_styles_median_not_a_fixed_bar():
    quiet_style = [figures(bass_db=2.0 + 0.1 * i) for i in range(5)]  # a soft bass, as MMA's
    loud_style = [figures(bass_db=12.0 + 0.1 * i) for i in range(5)]
    sample = figures(bass_db=1.8)
    assert bar.present(sample, bar.medians_of(quiet_style), 0.65)["bass"]
    assert not bar.present(sample, bar.medians_of(loud_style), 0.65)["bass"]
    silent = figures(bass_db=0.0, hits=0.0)  # the band with the part is the band without it
    verdict = bar.present(silent, bar.medians_of(quiet_style), 0.65)
    assert not verdict["bass"] and not verdict["drums"] and verdict["chords"]


def test_the_fraction_is_chosen_leaving_each_piece_out_of_its_own_median():
    rows = {"a": [figures(bass_db=v) for v in (4.1, 5.0, 5.0, 5.0, 5.0, 6.0)]}
    fraction, rate = bar.choose_fraction(rows)
    # 4.1 dB against the others' median 5: present from 0.8 down; the others at 0.95.
    assert fraction == 0.8 and rate == 1.0
    assert bar.pass_rate(rows, 0.95) == (5 * 3 + 2) / 18  # the 4.1 dB piece's bass misses
    held_out = {"a": [figures(bass_db=3.0)]}
    assert bar.pass_rate(held_out, 0.8, judges=rows) == 2 / 3
    ranges = bar.part_ranges(rows["a"])
    assert math.isclose(ranges["bass"]["low dB"]["median"], 5.0)
    assert math.isclose(ranges["bass"]["low dB"]["min"], 4.1)


def test_band_figures_hear_a_bass_that_plays_and_none_that_does_not():
    """The real synth: a band with a bass adds energy under 200 Hz; without one, 0 dB."""
    from composer_gui.core.arrangement import Arrangement, Note, Track

    def band(bass_notes):
        melody = Track("melody", [Note(72 + (i % 3) * 2, i, 1.0, 80) for i in range(8)])
        drums = Track("drums", [Note(42, i / 2, 0.25, 90) for i in range(16)], 0, 9, True)
        bass = Track("bass", bass_notes, 32, 1)
        chords = Track("chords", [Note(p, 0.0, 8.0, 70) for p in (60, 64, 67)], 0, 2)
        pad = Track("pad", [Note(p, 0.0, 8.0, 50) for p in (55, 60)], 48, 3)
        return Arrangement([melody, drums, bass, chords, pad], 120.0, (4, 4))

    with_bass = barp.band_figures(band([Note(36, i, 1.0, 100) for i in range(8)]))
    without = barp.band_figures(band([]))
    assert bar.contributions(with_bass)["bass"]["low dB"] > 3.0
    assert abs(bar.contributions(without)["bass"]["low dB"]) < 0.05  # the codec's own trace
    assert bar.contributions(with_bass)["drums"]["hits/beat"] > 1.0
    assert barp.notes_per_bar(band([Note(36, i, 1.0, 100) for i in range(8)]), 2)["bass"] == 4


def test_one_line_cannot_strike_a_pitch_again_and_short_notes_are_read_by_place():
    """MMA's pop ballad figure: a 16th into the beat; and a root struck twice legato."""
    c, g = 5, 12
    line = np.array([c, c, c, REST, REST, REST, REST, c, g, g, g, g, g, g, g, g])
    assert bab.notes_in(line) == 3
    assert bab.short_notes(line, Meter(4, 4)) == (1, 1)  # step 7, into beat 3's step 8
    sounding = np.zeros((16, 20), dtype=bool)
    onsets = np.zeros_like(sounding)
    sounding[0:8, c] = sounding[8:16, c] = True  # the root struck again at 8, no rest
    onsets[0, c] = onsets[8, c] = True
    assert bab.repeats(sounding, onsets) == (1, 2)
    assert bab.notes_in(bab.one_line(sounding)) == 1
