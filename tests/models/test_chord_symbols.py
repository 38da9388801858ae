"""Chord symbols: known chords by name, spans per meter, and a real chorale's beats
checked against music21's own chord naming (an independent implementation)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from models.build_dataset import REST, chorale_paths, read_chorale
from models.chord_symbols import (
    NO_CHORD,
    chord_root,
    chord_symbols,
    chord_symbols_of_pitches,
    chord_tones,
    merge_repeats,
    name_chord,
    reduce_symbols,
    span_starts,
)
from models.pianoroll import LOWEST_PITCH, STEPS_PER_BEAT, Meter
from models.tracks import DRUM_KIT, TrackSpec


@pytest.mark.parametrize(
    ("pitches", "symbol"),
    [
        ((60, 64, 67), "C"),
        ((48, 64, 67, 72), "C"),
        ((60, 63, 67), "Cm"),
        ((60, 64, 67, 70), "C7"),
        ((60, 64, 67, 71), "Cmaj7"),
        ((60, 63, 67, 70), "Cm7"),
        ((60, 63, 66), "Cdim"),
        ((60, 63, 66, 69), "Cdim7"),
        ((60, 63, 66, 70), "Cm7b5"),
        ((60, 64, 68), "Caug"),
        ((60, 65, 67), "Csus4"),
        ((60, 64, 67, 69), "C6"),
        ((57, 60, 64, 67), "Am7"),  # C6's notes over A are A minor seventh
        ((59, 62, 67), "G/B"),
        ((64, 67, 72), "C/E"),
        ((55, 59, 62, 65), "G7"),
        ((53, 59, 62, 67), "G7/F"),
        ((62, 65, 69, 72), "Dm7"),
        ((58, 62, 65), "Bb"),
        ((56, 60, 63), "Ab"),
    ],
)
def test_known_chords_are_named(pitches, symbol):
    assert name_chord(pitches) == symbol


def test_silence_is_no_chord_and_spelling_follows_the_key():
    assert name_chord([]) == NO_CHORD
    assert name_chord([58, 62, 65], key_fifths=6) == "A#"
    assert name_chord([58, 62, 65], key_fifths=2) == "Bb"  # outside D major: as usual
    assert name_chord([54, 58, 61], key_fifths=-6) == "Gb"
    # A slash bass is spelt as the chord's own degree: D/F# in G minor, not D/Gb.
    assert name_chord([54, 62, 69], key_fifths=-2) == "D/F#"
    assert name_chord([56, 64, 71], key_fifths=-3) == "E/G#"
    assert name_chord([51, 55, 60], key_fifths=3) == "Cm/Eb"


def test_symbols_parse_back_to_their_tones():
    assert chord_root("F#m7") == 6 and chord_root("Bb") == 10 and chord_root(NO_CHORD) is None
    assert chord_tones("G/B") == {7, 11, 2}
    assert chord_tones("Am7") == {9, 0, 4, 7}
    assert chord_tones("C/D") == {0, 4, 7, 2}
    for pitches in ((60, 63, 66), (62, 66, 69, 72), (61, 65, 68, 71)):
        assert chord_tones(name_chord(pitches)) == {p % 12 for p in pitches}


def test_spans_follow_the_meter():
    four, three, six = Meter(4, 4), Meter(3, 4), Meter(6, 8)
    assert span_starts([(0, four)], 32, per="beat") == [0, 4, 8, 12, 16, 20, 24, 28]
    assert span_starts([(0, four)], 32, per="half bar") == [0, 8, 16, 24]
    assert span_starts([(0, four)], 32, per="bar") == [0, 16]
    assert span_starts([(0, three)], 24, per="half bar") == [0, 12]
    assert span_starts([(0, six)], 24, per="half bar") == [0, 6, 12, 18]
    assert span_starts([(0, Meter(2, 4))], 16, per="half bar") == [0, 4, 8, 12]
    # A pickup of one beat: the first span is the partial bar.
    assert span_starts([(0, four)], 20, bar_phase=12, per="bar") == [0, 4]
    # A change of meter at step 16 (a bar of 4/4, then 6/8).
    assert span_starts([(0, four), (16, six)], 28, per="half bar") == [0, 8, 16, 22]
    with pytest.raises(ValueError, match="harmonic rhythm"):
        span_starts([(0, four)], 16, per="measure")


def _roll(n_steps: int, notes: list[tuple[int, int, int]]) -> np.ndarray:
    roll = np.zeros((n_steps, 128), dtype=bool)
    for start, end, pitch in notes:
        roll[start:end, pitch] = True
    return roll


def test_a_passing_seventh_stays_a_triad_and_a_held_one_does_not():
    held = [(0, 4, 48), (0, 4, 64), (0, 4, 67)]
    passing = _roll(4, [*held, (0, 3, 72), (3, 4, 70)])
    seventh = _roll(4, [*held, (0, 4, 70)])
    meters = [(0, Meter(4, 4))]
    assert chord_symbols_of_pitches(passing, meters) == [(0, "C")]
    assert chord_symbols_of_pitches(seventh, meters) == [(0, "C7")]


def test_band_tracks_give_symbols_per_bar_with_repeats_merged_and_drums_ignored():
    tracks = (
        TrackSpec("bass", "bass", 28, 60, 33),
        TrackSpec("piano", "chords", 48, 84, 0),
        TrackSpec("drums", "drums"),
    )
    n = 64  # four bars of 4/4: C, C, F then silence
    bass = np.zeros((n, tracks[0].n_rows), bool)
    piano = np.zeros((n, tracks[1].n_rows), bool)
    drums = np.zeros((n, len(DRUM_KIT)), bool)
    drums[::4, 0] = True  # a kick on every beat, MIDI key 36: must not name a chord
    for bar, (root, chord) in enumerate(
        [(36, (60, 64, 67)), (36, (60, 64, 67)), (41, (60, 65, 69))]
    ):
        bass[bar * 16 : bar * 16 + 16, root - 28] = True
        for p in chord:
            piano[bar * 16 : bar * 16 + 12, p - 48] = True
    symbols = chord_symbols([bass, piano, drums], tracks, [(0, Meter(4, 4))], per="bar")
    assert symbols == [(0, "C"), (32, "F"), (48, NO_CHORD)]
    per_beat = chord_symbols([bass, piano, drums], tracks, [(0, Meter(4, 4))], per="beat")
    assert per_beat[:3] == [(0, "C"), (32, "F"), (48, NO_CHORD)]


def test_merge_and_reduce_to_the_longest_chord_of_the_span():
    assert merge_repeats([(0, "C"), (4, "C"), (8, "G"), (12, "C")]) == [
        (0, "C"),
        (8, "G"),
        (12, "C"),
    ]
    beats = [
        (0, "C"),
        (4, "C/E"),
        (8, "F"),
        (12, "G7"),
        (16, "Am"),
        (20, "Dm"),
        (24, "G"),
        (28, "G"),
    ]
    # Bar 1: C lasts two beats (C and C/E); bar 2: G lasts two.
    assert reduce_symbols(beats, [0, 16], 32) == [(0, "C"), (16, "G")]
    # A tie goes to the chord on the strong beat; silence loses to any chord.
    assert reduce_symbols([(0, "F"), (4, "G")], [0], 8) == [(0, "F")]
    assert reduce_symbols([(0, NO_CHORD), (4, "G")], [0], 8) == [(0, "G")]


def _chorale(stem: str):
    path = next(p for p in chorale_paths() if p.stem == stem)
    return path, read_chorale(path)


def _four_voices(piece) -> np.ndarray:
    roll = np.zeros((piece.n_steps, 128), dtype=bool)
    for voice in piece.voices:
        steps = np.flatnonzero(voice != REST)
        roll[steps, voice[steps] + LOWEST_PITCH] = True
    return roll


def test_a_real_chorale_reads_as_its_harmony():
    """BWV 66.6 (F sharp minor, three sharps): the opening beats as a musician names them,
    and every beat music21's chordify names agrees with ours on its chord tones."""
    from music21 import corpus, harmony

    path, piece = _chorale("bwv66.6")
    symbols = chord_symbols_of_pitches(
        _four_voices(piece), [(0, piece.meter)], piece.bar_phase, "beat", key_fifths=3, merge=False
    )
    assert [s for _, s in symbols[:6]] == ["A", "F#m", "E/G#", "A", "E/G#", "A"]
    ours = dict(symbols)
    agree = total = 0
    chords = corpus.parse(str(path)).chordify().flatten().getElementsByClass("Chord")
    for chord in chords:
        if float(chord.offset) % 1:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            figure = harmony.chordSymbolFigureFromChord(chord)
        if "Cannot" in figure:
            continue
        step = int(round(float(chord.offset) * STEPS_PER_BEAT))
        total += 1
        agree += chord_tones(ours[step]) == {p.pitchClass for p in chord.pitches}
    assert total >= 30
    assert agree / total >= 0.9, f"{agree} of {total} beats agree with music21"


def test_a_chorale_per_bar_is_its_reduced_beats():
    _, piece = _chorale("bwv66.6")
    roll, meters = _four_voices(piece), [(0, piece.meter)]
    beats = chord_symbols_of_pitches(roll, meters, piece.bar_phase, "beat", 3, merge=False)
    bars = span_starts(meters, piece.n_steps, piece.bar_phase, "bar")
    reduced = reduce_symbols(beats, bars, piece.n_steps)
    assert {s for s, _ in reduced} <= set(bars)
    assert all(symbol in {b for _, b in beats} for _, symbol in reduced)
    assert len(reduced) >= len(bars) // 2  # a chorale changes chord most bars
