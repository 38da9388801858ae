"""The band ranking benchmark measures what it says (``benchmarks/band_ranking_measures.py``)
and scores MMA's renderings on the scale the engine ranks a band's take by."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from models.pianoroll import LOWEST_PITCH
from tests.support.band_data import TOY_TRACKS, toy_piece

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import band_ranking_measures as brm  # noqa: E402

NAMES = {"bass": "bass", "piano": "chords", "drums": "drums"}


def judged(piece, tracks=None) -> dict[str, float]:
    tracks = piece_tracks(piece) if tracks is None else tracks
    parts = {NAMES[t.name]: brm.track_notes(s, o, t) for t, (s, o) in zip(TOY_TRACKS, tracks)}
    melody = [(i, i + 2, int(p) + LOWEST_PITCH) for i, p in enumerate(piece.melody) if i % 2 == 0]
    return brm.judge_band(melody, parts, [(0, *piece.meter.signature)])


def piece_tracks(piece):
    return list(zip(piece.sounding, piece.onsets))


def test_a_repeated_drum_bar_is_a_steady_groove_and_a_wandering_one_is_not():
    bars = np.zeros(64, dtype=bool)
    bars[::16] = True
    one_bar = [(s, 36) for s in range(0, 64, 4)] + [(s, 42) for s in range(2, 64, 4)]
    assert brm.groove_steadiness(one_bar, bars) == 1.0
    two_bar = [(s, 36) for s in range(0, 64, 32)] + [(s + 24, 38) for s in range(0, 64, 32)]
    assert brm.groove_steadiness(two_bar, bars) == 1.0  # a clave over two bars is steady
    rng = np.random.default_rng(0)
    wandering = [
        (int(s), int(k)) for s, k in zip(rng.integers(0, 64, 24), rng.choice([36, 38, 42], 24))
    ]
    assert brm.groove_steadiness(wandering, bars) < 0.4


def test_the_toy_band_is_consonant_and_each_spoiled_copy_is_spoiled():
    piece, other = toy_piece(0), toy_piece(2)
    real = judged(piece)
    assert real["pcs_beats"] > 0.5 and real["wrong_notes"] == 0.0
    assert real["bass_on_chord"] == 1.0 and real["groove"] == 1.0 and real["out_of_key"] == 0.0
    rng = np.random.default_rng(1)
    tracks = piece_tracks(piece)
    for kind in brm.SPOILED:
        spoiled = brm.spoil(kind, TOY_TRACKS, tracks, piece_tracks(other), piece.meter, rng)
        assert [s.shape for s, _ in spoiled] == [s.shape for s, _ in tracks]
        changed = [not np.array_equal(a[0], b[0]) for a, b in zip(spoiled, tracks)]
        if kind == "drums_shuffled":  # one bar over and over: shuffled, the same groove
            assert not any(changed)
            continue
        assert any(changed), kind
        if kind in ("wrong_notes", "transpose"):
            assert not changed[2], "drums are not pitches"
    moved = brm.spoil("transpose", TOY_TRACKS, tracks, None, piece.meter, np.random.default_rng(3))
    assert judged(piece, moved)["pcs_beats"] < real["pcs_beats"]


def test_take_scores_is_what_the_engine_ranks_a_band_take_by():
    """MMA's rendering is put among the candidates on their own scale: the engine's
    candidates scored again by the benchmark's ``take_scores`` read their own scores."""
    import bench_band_ranking as bench

    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.engine import Engine
    from composer_gui.core.melody_grid import melody_on_grid
    from composer_gui.core.track_notes import track_rolls
    from composer_gui.paths import resource_path

    engine = Engine(resource_path("weights") / "composer-band.safetensors", "cpu")
    notes = [Note(67 + (i * 5) % 7, float(i), 1.0, 80) for i in range(32)]
    melody = Arrangement([Track("melody", notes)], 100.0, (4, 4))
    candidates = engine.generate(melody, k=6, seed=3, style="rock")
    grid = melody_on_grid(melody)
    assert grid.shift == 0
    rolls = [track_rolls(c.arrangement.tracks[1:], engine.tracks, grid.n_steps) for c in candidates]
    again = bench.take_scores(engine, grid, engine.style_index("rock"), rolls)
    np.testing.assert_allclose(again, [c.score for c in candidates], atol=1e-4)
    other = bench.take_scores(engine, grid, engine.style_index("swing"), rolls)
    assert not np.allclose(other, again)  # the style is read, not ignored


def test_the_band_checks_find_what_they_name():
    """``models.band_ranking.band_faults`` on the toy band: none of its four faults, and
    each one found once its own fault is put in (chords a semitone off, the bass off the
    chord, the drums of every bar different, the chords out of key)."""
    from models.band_ranking import BAND_CHECKS, band_faults

    piece = toy_piece(0)
    real = piece_tracks(piece)

    def faults(tracks) -> dict[str, float]:
        found = band_faults(TOY_TRACKS, piece.melody, [tracks], piece.meter)[0]
        return dict(zip(BAND_CHECKS, found))

    clean = faults(real)
    assert clean == {name: 0.0 for name in BAND_CHECKS}
    off = [
        (brm._shift_rows(s, 1), brm._shift_rows(o, 1)) if i == 1 else (s, o)
        for i, (s, o) in enumerate(real)
    ]
    assert faults(off)["chord_discord"] > 0.3 and faults(off)["chords_out_of_key"] > 0.3
    low = [
        (brm._shift_rows(s, 1), brm._shift_rows(o, 1)) if i == 0 else (s, o)
        for i, (s, o) in enumerate(real)
    ]
    assert faults(low)["bass_off_chord"] == 1.0 and faults(low)["chord_discord"] == 0.0
    rng = np.random.default_rng(0)
    hits = rng.random(real[2][0].shape) < 0.2
    assert faults([real[0], real[1], (hits, hits)])["drum_unsteady"] > 0.5


def test_a_band_candidates_reasons_name_the_band_checks_that_set_it_apart():
    """The reasons of a band's take (``band_reasons``) say, in words, the band checks on
    which a candidate differs from the others, counted: here the chords a semitone off."""
    from models.band_ranking import band_checks, band_reasons

    piece = toy_piece(0)
    real = piece_tracks(piece)
    off = [
        (brm._shift_rows(s, 1), brm._shift_rows(o, 1)) if i == 1 else (s, o)
        for i, (s, o) in enumerate(real)
    ]
    toy = (TOY_TRACKS[0], TOY_TRACKS[1], TOY_TRACKS[2])
    checks = band_checks(toy, piece.melody, [real, real, off], piece.meter)
    words = band_reasons(list(checks), 2)
    assert words and "the chords clash with the melody on" in words[0]
    assert words[0].endswith("harder than the first choice")
    assert band_reasons(list(checks), 0) == band_reasons(list(checks), 1)


def test_a_band_set_is_counted_as_the_chorale_benchmark_counts_it():
    """The band tables average one number a set (1 better, 0.5 a tie, 0 worse, None when
    unmeasured); the chorale benchmark's outcome also says whether the set was beatable,
    and after that change the band tables read its pairs as neither ties nor wins."""
    import bench_band_ranking as bench

    assert bench.first_beats_median([0.9, 0.5, 0.5, 0.4], True) == 1.0
    assert bench.first_beats_median([0, 0, 0, 1, 2], False) == 0.5
    assert bench.first_beats_median([2, 0, 1, 1, 1], False) == 0.0
    assert bench.first_beats_median([float("nan"), 1.0, 2.0], True) is None


def test_bass_on_a_chord_tone_is_one_judge_for_both_benchmarks():
    """``bench_band_styles`` (notes in quarters from a MIDI file) and this benchmark (a
    texture) count the bass on a chord tone by one definition: the same notes, the same
    figure. 4/4, four bars: the chords hold C-E-G in bars 1, 2 and 4, the pad C in bar 1;
    the bass plays C, D, E, G, so bar 2 is off and bar 3 (nothing above it) not counted."""
    import bench_band_styles as bbs
    import corpus_tunes as ct

    chords = [(0.0, 8.0, p) for p in (60, 64, 67)] + [(12.0, 16.0, p) for p in (60, 64, 67)]
    pad = [(0.0, 4.0, 72)]
    bass = [(0.0, 4.0, 36), (4.0, 8.0, 38), (8.0, 12.0, 40), (12.0, 16.0, 43)]
    steps = {
        name: [(round(a * 4), round(b * 4), p) for a, b, p in notes]
        for name, notes in (("chords", chords), ("pad", pad), ("bass", bass))
    }
    texture = brm.hm.texture_from_notes(
        [(0, 64, 72)], [steps["pad"], steps["chords"], steps["bass"]], [(0, 4, 4)]
    )
    from_texture = brm.bass_on_chord(texture)
    tune = ct.Tune(ct.TuneRef("toy", "toy.abc", 0, "4/4"), "toy", [(0.0, 16.0, 72)], [(0.0, 4, 4)])
    pitched = {"chords": chords, "pad": pad, "bass": bass}
    from_file = bbs.bass_on_chord(tune, pitched, np.arange(0.0, 16.0, 4.0))
    assert from_texture == from_file == 2 / 3  # bar 3 not counted; bar 2's D is off


def test_bass_on_chord_share_counts_only_downbeats_where_both_sound():
    bass = np.zeros((3, 12), dtype=bool)
    upper = np.zeros((3, 12), dtype=bool)
    bass[0, 0] = upper[0, [0, 4, 7]] = True  # on
    bass[1, 2] = upper[1, [0, 4, 7]] = True  # off
    bass[2, 0] = True  # nothing above: not counted
    assert brm.bass_on_chord_share(bass, upper) == 0.5
    assert np.isnan(brm.bass_on_chord_share(bass[2:], upper[2:]))


def test_moved_hits_is_the_share_of_the_real_drum_hits_a_copy_lost_and_reads_only_drums():
    piece = toy_piece(0)
    real = piece_tracks(piece)
    drums = real[2][1].copy()
    steps, rows = np.nonzero(drums)
    assert brm.moved_hits(TOY_TRACKS, real, real) == 0.0
    moved = drums.copy()
    for i in range(4):  # four hits one step later
        moved[steps[i], rows[i]] = False
        moved[steps[i] + 1, rows[i]] = True
    bass = np.zeros_like(real[0][0])  # a changed bass is not the drums' business
    copy = [(bass, bass), real[1], (moved, moved)]
    assert brm.moved_hits(TOY_TRACKS, real, copy) == 4 / drums.sum()


def test_the_band_tables_give_each_figure_its_interval_over_melodies():
    """Two melodies, four seeds each, one always better than the median, one never: the
    mean is 50% and, resampling melodies (the chorale benchmark's ``tune_interval``),
    the interval is 0-100% (eight sets resampled as independent would read ~20-80%).
    The same for MMA's own above the median, and for the critic alone's lines."""
    import band_ranking_report as rep

    def one_set(value: float, melody: str) -> dict:
        return {name: value for name in brm.BAND_MEASURES} | {"melody": melody}

    sets = [one_set(1.0, "band a")] * 4 + [one_set(0.0, "band b")] * 4
    rows = {("rock", "4/4", "band"): sets}
    above = {("rock", "4/4"): [1.0] * 4 + [0.0] * 4}
    melodies = {("rock", "4/4"): ["band a"] * 4 + ["band b"] * 4}
    late = {("rock", "4/4"): {"late": [1.0, 1.0, 0.0, 0.0]}}
    late_melodies = {("rock", "4/4"): {"late": ["band a"] * 2 + ["band b"] * 2}}
    text, result = rep.tables(rows, above, late, {}, {}, melodies, late_melodies)
    assert result["overall_intervals"]["band data melodies"]["pcs_beats"] == [0.0, 1.0]
    assert result["mma_above_spoiled_intervals"]["late"] == [0.0, 1.0]
    assert "- MMA's own scored above it late: 50% [0-100] of 4 windows (target 90%)" in text
    assert result["overall_intervals"]["folk tunes"]["pcs_beats"] is None
    assert result["mma_above_median_interval"] == [0.0, 1.0]
    assert any(line.startswith("| ") and "50% (0%) [0-100]" in line for line in text)
    assert any("above the median" in line and "[0-100]" in line for line in text)
    # A set without a figure leaves its melody out; every melody its own: narrower.
    sets = [one_set(float(i % 2), f"folk t{i}") for i in range(20)] + [one_set(None, "x")]
    low, high = rep.interval([s["pcs_beats"] for s in sets], rep._melodies(sets))
    assert 0.25 < low < 0.5 < high < 0.75

    extra = {
        "critic_above": above,
        "above_melodies": melodies,
        "critic": {"neg:late": [1.0] * 4 + [0.0] * 4},
        "ranked": {"neg:late": [1.0] * 8},
        "melodies": {"neg:late": ["band a"] * 4 + ["band b"] * 4},
    }
    text, result = rep.negatives_lines(extra, ())
    assert result["critic_mma_above_median_interval"] == [0.0, 1.0]
    late = result["spoiled_rejected"]["neg:late"]
    assert late["critic_interval"] == [0.0, 1.0] and late["ranking_interval"] == [1.0, 1.0]
    assert "| late | trained | 100% [100-100] | 50% [0-100] | 8 |" in text
