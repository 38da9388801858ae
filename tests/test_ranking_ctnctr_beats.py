"""The CTnCTR diagnostic reads a melody note against a chord as a musician would
(``benchmarks/ranking_ctnctr_beats.py``): hand-made chords, one of each reading."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import ranking_ctnctr_beats as rcb  # noqa: E402

from models.harmony_measures import texture_from_notes  # noqa: E402

C3, E3, G3, C4, D4, E4 = 48, 52, 55, 60, 62, 64


def test_a_note_the_chord_leaves_out_is_named_for_what_it_is_against_it():
    # E over C-G-C: the triad's third in the melody alone (the textbook voicing)
    assert rcb.against(E4, [C3, G3, C4], False) == "completes the triad (melody its third)"
    # B over G-D-F: the leading note of a dominant seventh, undoubled
    assert rcb.against(71, [43, 50, 53], False) == "completes a dominant seventh (melody its third)"
    # E over C in octaves: two pitch classes in all
    assert rcb.against(E4, [C3, C4], False) == "over a thin chord"
    # D over C-E-G: a second against the root, credited when CTnCTR says it resolves
    assert rcb.against(D4, [C3, E3, G3], True) == "non-chord tone, credited (resolves by step)"
    assert rcb.against(D4, [C3, E3, G3], False) == "non-chord tone, not credited"


def test_the_melodys_place_in_the_chord_of_all_four_voices():
    assert rcb.role(E4, [C3, G3, C4]) == "third"  # C major, E in the melody only
    assert rcb.role(C4, [C3, E3, G3]) == "root"  # doubled in the bass
    assert rcb.role(71, [43, 50, 53]) == "third"  # G7's B
    assert rcb.role(G3 + 12, [C3, C4]) == "fifth (incomplete)"  # C-G, no third: on the bass
    assert rcb.role(D4, [C3, E3, G3]) == "in no triad"  # C-D-E-G


def test_the_melodys_shape_is_read_from_its_neighbours():
    line = [(0, 4, C4), (4, 8, D4), (8, 12, E4)]
    assert rcb.shape(line, 1) == "passing"
    assert rcb.shape([(0, 4, C4), (4, 8, D4), (8, 12, C4)], 1) == "neighbour"
    assert rcb.shape([(0, 4, D4), (4, 8, D4), (8, 12, C4)], 1) == "repeated, left down by step"
    assert rcb.shape([(0, 4, C4), (4, 8, 69), (8, 12, 67)], 1) == "leapt to, left by step"
    assert rcb.shape([(0, 4, C4), (6, 8, D4), (8, 12, E4)], 1) == "phrase edge"  # a rest before


def test_held_is_one_where_the_chord_sounds_the_melodys_note_and_nan_where_silent():
    texture = texture_from_notes(
        [(0, 4, C4), (4, 8, E4), (8, 12, D4)], [[(0, 8, G3)], [(0, 8, C3)]], n_steps=12
    )
    held = rcb.held(texture)
    assert held[:4].tolist() == [1.0] * 4  # C over C-G
    assert held[4:8].tolist() == [0.0] * 4  # E over C-G: the chord leaves it out
    assert np.isnan(held[8:]).all()  # no chord under D


def test_the_four_voice_reading_counts_a_note_that_completes_the_triad():
    # E over C-G (the melody the triad's third) then D over C-E-G (a second against C)
    texture = texture_from_notes(
        [(0, 4, E4), (4, 8, D4)], [[(0, 4, G3), (4, 8, G3)], [(0, 4, C3), (4, 8, E3)]], n_steps=8
    )
    assert rcb.held(texture)[:4].tolist() == [0.0] * 4  # CTnCTR: not a chord tone
    assert rcb.in_four_voice_chord(texture) == 0.5  # the E counts, the D does not
