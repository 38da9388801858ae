"""MMA renders the chart it is given: its chord track plays the chart's chords in their
bars, its bass sits on them, and the rendering is reproducible."""

from __future__ import annotations

import numpy as np
import pytest

from models.band_notes import measured_tracks, melody_voice, track_rolls
from models.band_styles import style_named
from models.build_dataset import REST
from models.chord_symbols import chord_tones
from models.errors import DatasetError
from models.mma_render import chart_text, key_signature, mma_available, mma_chord, read_band, render
from models.tracks import TrackSpec, kit_row
from tests.support.real_parts import needs

needs_mma = needs(mma_available(), "MMA (mma)")


def test_symbols_are_spelt_for_mma():
    assert mma_chord("C") == "C"
    assert mma_chord("F#m7") == "F#m7"
    assert mma_chord("Bdim") == "Bmb5"  # MMA's "dim" is the diminished seventh
    assert mma_chord("Bbdim/D") == "Bbmb5/D"
    assert mma_chord("Cmmaj7") == "CmM7"
    assert mma_chord("N.C.") == "z"
    assert mma_chord("E#m/G#") == "Fm/Ab" and mma_chord("Cb") == "B"
    assert key_signature(3) == "3#" and key_signature(-2) == "2b" and key_signature(0) == "C"


def test_the_chart_names_each_change_on_its_beat_and_holds_with_slashes():
    style = style_named("rock")
    groove = style.grooves[(4, 4)]
    chart = chart_text([(0, "C"), (8, "G/B"), (16, "Am"), (40, "F")], 48, groove, 120, -1)
    lines = chart.splitlines()
    assert "Groove BasicRock" in lines and "KeySig 1b" in lines and "Tempo 120" in lines
    assert lines[-3:] == ["1 C / G /", "2 Am / / /", "3 Am / F /"]  # root position
    assert mma_chord("G/B", inversion=False) == "G"


CHART = [(0, "C"), (16, "Am"), (32, "Dm7"), (48, "G7"), (64, "Bdim"), (80, "E/G#"), (96, "Am")]


@needs_mma
@pytest.mark.parametrize("name", ["pop ballad", "rock", "country", "swing", "bossa nova"])
def test_the_rendered_chords_and_bass_are_the_charts(name):
    style = style_named(name)
    n_steps = 112
    midi = render(chart_text(CHART, n_steps, style.grooves[(4, 4)], style.tempo_bpm))
    notes, unmapped = read_band(midi, style, n_steps)
    assert not unmapped
    on_chord = 0
    for bar, (_, symbol) in enumerate(CHART):
        tones = chord_tones(symbol)
        heard = {p % 12 for s, _, p in notes["chords"] if bar * 16 <= s < bar * 16 + 16}
        assert heard and heard <= tones, f"bar {bar + 1}: {symbol} but {sorted(heard)}"
        downbeat = [p for s, _, p in notes["bass"] if s == bar * 16]
        assert downbeat, f"bar {bar + 1}: no bass on the downbeat"
        on_chord += downbeat[0] % 12 in tones
    # A bass may pass through a scale tone on a downbeat now and then.
    assert on_chord >= len(CHART) - 1
    # Seeded: the same chart renders the same band.
    again = read_band(
        render(chart_text(CHART, n_steps, style.grooves[(4, 4)], style.tempo_bpm)), style, n_steps
    )
    assert again[0] == notes


@needs_mma
def test_a_chart_mma_refuses_is_a_dataset_error():
    with pytest.raises(DatasetError, match="MMA could not render"):
        render("Groove NoSuchGrooveAnywhere\n1 C\n")


def test_rolls_keep_one_bass_note_a_step_drums_as_hits_and_chords_whole():
    bass = TrackSpec("bass", "bass", 30, 50)
    sounding, onsets = track_rolls([(0, 8, 36), (0, 4, 43), (4, 8, 40)], bass, 8)
    assert sounding.sum(axis=1).max() == 1
    assert sounding[0, 36 - 30] and sounding[5, 40 - 30] and onsets[4, 40 - 30]
    drums = TrackSpec("drums", "drums")
    hits, starts = track_rolls([(0, 2, 36), (2, 3, 42), (2, 3, 35)], drums, 4)
    assert (hits == starts).all() and hits[0, kit_row(36)] and hits[2, kit_row(42)]
    assert hits[2, kit_row(35)]  # the acoustic bass drum is heard as the kick
    chords = TrackSpec("piano", "chords", 48, 72)
    held, struck = track_rolls([(0, 4, 60), (0, 4, 64), (0, 4, 67), (2, 4, 60)], chords, 4)
    assert held[1].sum() == 3 and struck[0].sum() == 3 and struck[2, 60 - 48]


def test_ranges_come_from_the_notes():
    tracks = (TrackSpec("drums", "drums"), TrackSpec("bass", "bass"), TrackSpec("pad", "chords"))
    measured = measured_tracks(
        tracks, [{"bass": [(0, 1, 24), (1, 2, 50)]}, {"drums": [(0, 1, 36)]}]
    )
    assert (measured[1].low, measured[1].high) == (24, 50)
    assert measured[0] == tracks[0] and measured[2] == tracks[2]  # no notes: as declared


def test_a_melody_out_of_range_moves_by_octaves():
    voice, onsets, shift = melody_voice([(0, 4, 96), (4, 8, 100)], 8)
    assert shift == -12 and voice[0] == 96 - 12 - 28 and onsets.tolist() == [1, 0, 0, 0, 1, 0, 0, 0]
    voice, _, shift = melody_voice([(2, 4, 60)], 6)
    assert shift == 0 and voice[0] == REST and voice[2] == 32
    with pytest.raises(ValueError, match="28-91"):
        melody_voice([(0, 1, 20), (1, 2, 100)], 2)
    assert np.asarray(voice).dtype == np.int8


def _kicks_per_bar(style_name: str, signature: tuple[int, int], n_bars: int) -> list[tuple]:
    """The steps of each rendered bar at which the bass drum (GM 35 or 36) is struck."""
    style = style_named(style_name)
    groove = style.grooves[signature]
    bar = groove.bar_steps
    changes = [(b * bar, "C" if b % 2 == 0 else "G") for b in range(n_bars)]
    chart = chart_text(changes, n_bars * bar, groove, 120)
    notes, _ = read_band(render(chart), style, n_bars * bar)
    hits: list[set[int]] = [set() for _ in range(n_bars)]
    for start, _, pitch in notes["drums"]:
        if pitch in (35, 36):
            hits[start // bar].add(start % bar)
    return [tuple(sorted(h)) for h in hits]


@needs_mma
def test_every_2_4_bar_of_rock_plays_the_kick_of_the_grooves_first_half():
    # MMA has no 2/4 rock: a 4-beat bar barred in two would alternate its halves, the kick
    # only in the first, so a 2/4 bar is the 4-beat groove cut to its first two beats.
    four = _kicks_per_bar("rock", (4, 4), 4)
    first_halves = {tuple(s for s in bar if s < 8) for bar in four}
    second_halves = {tuple(s - 8 for s in bar if s >= 8) for bar in four}
    assert len(first_halves) == 1 and first_halves != second_halves  # the halves differ
    (first_half,) = first_halves
    assert first_half  # rock's kick is in the first half
    assert _kicks_per_bar("rock", (2, 4), 8) == [first_half] * 8
