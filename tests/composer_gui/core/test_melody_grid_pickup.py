"""The pickup detector (``melody_grid.pickup_steps``, profiles learned in ``pickup.py``).

Real folk tunes from the music21 corpus, written as a notation program exports a pickup
(at tick 0, the time signature from tick 0; ``benchmarks/corpus_tunes.write_midi``), read
by the product and put on the grid. The tunes checked here are bench_band_styles'
held-out tunes, which the profiles were not fitted on (``benchmarks/pickup_tunes.py``
excludes them by name; checked below).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from composer_gui.core import pickup
from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import MeterError
from composer_gui.core.melody_grid import (
    PICKUP_FOUND,
    PICKUP_GIVEN,
    melody_on_grid,
    pickup_steps,
    pickup_words,
)
from composer_gui.core.midi_file import read_melody
from models.pianoroll import ACCOMPANIED_METERS, Meter
from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[3]


ct = load_script("benchmarks/corpus_tunes.py")

# Ryan's Mammoth 2/4 tunes with a one-eighth pickup whose missed pickup put the band an
# eighth off the notated bars (docs/benchmarks/band-style-misnames.txt).
RYANS_HORNPIPES = [
    "ryansMammoth/FishersHornpipe#1",
    "ryansMammoth/NInWoodPileJig#1",
    "ryansMammoth/HandOrganHornpipe#1",
]
# bench_band_styles' held-out tunes notated without a pickup (2/4, 3/4, 6/8).
WITHOUT_PICKUP = [
    "essenFolksong/kinder0#138",
    "essenFolksong/han2#247",
    "essenFolksong/han1#295",
    "essenFolksong/erk30#449",
    "essenFolksong/han2#351",
    "airdsAirs/book1#10",
    "essenFolksong/fink0#12",
    "essenFolksong/erk20#120",
]
# and with one that the detector finds now (a 6/8, a 9/8 and a 2/4 tune of O'Neill's;
# three Ryan's tunes found before the accent evidence was raised to 1.2 are missed now,
# docs/meters.md): kept found.
WITH_PICKUP_FOUND = [
    "oneills1850/0001-0050#19",
    "oneills1850/0101-0200#142",
    "oneills1850/0401-0486#426",
]


@pytest.fixture(scope="module")
def refs() -> dict:
    return {r.name: r for r in ct.index_tunes()}


def read_as_exported(ref, tmp_path: Path, pickup="auto") -> tuple:
    """The tune's notated phase of step 0 in its bar, and the phase the product found
    (or was given: ``pickup``, melody_grid.Pickup)."""
    tune = ct.parse_tune(ref)
    path = tmp_path / "tune.mid"
    ct.write_midi(tune, path)
    grid = melody_on_grid(read_melody(path), pickup)
    bar = round(tune.bar_quarters * 4)
    return round(tune.padding_quarters * 4) % bar, grid.bar_phase


def test_the_checked_tunes_are_not_in_the_fitting_set(refs):
    tunes = load_script("benchmarks/pickup_tunes.py")
    excluded = tunes.excluded_names(list(refs.values()))
    assert set(RYANS_HORNPIPES + WITHOUT_PICKUP + WITH_PICKUP_FOUND) <= excluded


@pytest.mark.xfail(
    strict=True,
    reason="running sixteenths: the notes' rhythm does not say where the bar is, and the "
    "learned profiles score the true downbeat and one a beat away alike, under the margin "
    "(docs/meters.md, pickup section); not found yet",
)
@pytest.mark.parametrize("name", RYANS_HORNPIPES)
def test_the_ryans_hornpipes_pickup_of_an_eighth_is_found(refs, name, tmp_path):
    notated, found = read_as_exported(refs[name], tmp_path)
    assert notated == 6 and found == notated


@pytest.mark.parametrize("name", WITH_PICKUP_FOUND)
def test_a_tunes_pickup_is_found(refs, name, tmp_path):
    notated, found = read_as_exported(refs[name], tmp_path)
    assert notated != 0 and found == notated


@pytest.mark.parametrize("name", WITHOUT_PICKUP)
def test_a_tune_without_a_pickup_keeps_its_barlines(refs, name, tmp_path):
    notated, found = read_as_exported(refs[name], tmp_path)
    assert notated == 0 and found == 0


def test_every_accompanied_meter_has_a_profile_of_its_bar():
    shipped = pickup.profiles()
    for signature in ACCOMPANIED_METERS:
        meter = Meter(*signature)
        entry = shipped[str(meter)]
        assert entry["notes"].shape == (meter.bar_steps, pickup.N_CLASSES)
        assert entry["degrees"].shape == (meter.bar_steps, pickup.DEGREE_CLASSES)
        assert np.isclose(np.exp(entry["notes"]).sum(), 1.0, atol=1e-3)
        assert entry["margin"] >= 0


def test_even_eighths_ending_on_the_files_downbeat_are_left_alone():
    # Nothing in the rhythm says where the bar is but the last note, on the file's
    # downbeat: a scale of eighths in 2/4 keeps the file's barlines. (Ending on the last
    # eighth of a bar instead, it is moved: the last note's place is evidence.)
    notes = [(2 * i, 2 * i + 2, 60 + i % 8) for i in range(64)] + [(128, 136, 60)]
    assert pickup_steps(notes, Meter(2, 4)) == 0


def test_a_two_four_pickup_of_a_quarter_is_found():
    # Half notes on the real downbeats, a quarter pickup at step 0, ending on the tonic.
    notes = [(0, 4, 67)]
    for bar in range(12):
        start = 4 + 8 * bar
        notes += [(start, start + 6, 60 + (bar % 2) * 7), (start + 6, start + 8, 64)]
    notes.append((4 + 8 * 12, 4 + 8 * 12 + 8, 60))
    assert pickup_steps(notes, Meter(2, 4)) == 4
    assert pickup_steps([(a - 4, b - 4, p) for a, b, p in notes[1:]], Meter(2, 4)) == 0


@pytest.mark.parametrize("name", RYANS_HORNPIPES)
def test_the_ryans_hornpipes_pickup_given_by_the_musician_bars_them_as_notated(
    refs, name, tmp_path
):
    notated, given = read_as_exported(refs[name], tmp_path, pickup=2)  # an eighth
    assert notated == 6 and given == notated


@pytest.mark.parametrize("name", WITH_PICKUP_FOUND)
def test_none_keeps_the_files_barlines_where_auto_finds_a_pickup(refs, name, tmp_path):
    notated, kept = read_as_exported(refs[name], tmp_path, pickup="none")
    assert notated != 0 and kept == 0


def lead(notes: list[Note], signature=(2, 4), changes=()) -> Arrangement:
    return Arrangement([Track("lead", notes)], 100.0, signature, [], list(changes))


def test_a_given_pickup_is_counted_from_the_first_note():
    # Quarters in 2/4; the same pickup of a quarter after a rest of an eighth and from 0.
    notes = [Note(60 + i % 5, 0.5 + i, 1.0) for i in range(9)]
    grid = melody_on_grid(lead(notes), pickup=4)
    assert grid.bar_starts[:3] == [0, 6, 14] and grid.bar_phase == 2
    assert grid.pickup == 6 and grid.pickup_from == PICKUP_GIVEN
    from_zero = melody_on_grid(lead([Note(n.pitch, n.start_beat - 0.5, 1.0) for n in notes]), 4)
    assert from_zero.bar_starts[:3] == [0, 4, 12] and from_zero.bar_phase == 4
    assert melody_on_grid(lead(notes), "none").bar_starts[:3] == [0, 8, 16]


def test_a_pickup_of_a_bar_or_over_a_meter_change_is_one_sentence():
    notes = [Note(60 + i % 5, i, 1.0) for i in range(8)]
    with pytest.raises(MeterError, match="whole bar of 2/4"):
        melody_on_grid(lead(notes), pickup=8)
    with pytest.raises(MeterError, match="one meter"):
        melody_on_grid(lead(notes, changes=[(4.0, (3, 4))]), pickup=2)
    with pytest.raises(ValueError):
        melody_on_grid(lead(notes), pickup="2")


def test_a_found_pickup_says_so(refs, tmp_path):
    tune = ct.parse_tune(refs[WITH_PICKUP_FOUND[0]])
    ct.write_midi(tune, tmp_path / "tune.mid")
    grid = melody_on_grid(read_melody(tmp_path / "tune.mid"))
    assert grid.pickup_from == PICKUP_FOUND and grid.pickup == grid.bar_starts[1] > 0


@pytest.mark.parametrize(
    ("steps", "signature", "words"),
    [
        (2, (2, 4), "1 eighth"),
        (4, (2, 4), "1 beat"),
        (6, (4, 4), "3 eighths"),
        (12, (4, 4), "3 beats"),
        (1, (3, 4), "1 sixteenth"),
        (2, (6, 8), "1 eighth"),
        (6, (6, 8), "1 beat"),
        (4, (6, 8), "2 eighths"),
        (4, (2, 2), "1 quarter"),
        (8, (2, 2), "1 beat"),
        (4, (3, 8), "2 eighths"),
    ],
)
def test_a_pickup_is_said_in_the_meters_own_units(steps, signature, words):
    assert pickup_words(steps, Meter(*signature)) == words


def test_the_key_gives_the_tonic_where_the_last_note_does_not():
    # A C major tune cut mid-phrase, on a D: the last note says D, the key says C.
    c_major = [60, 64, 67, 72, 67, 64, 60, 62, 64, 65, 67, 60, 59, 60, 62]
    notes = [(4 * i, 4 * i + (8 if p == 60 else 4), p) for i, p in enumerate(c_major)]
    assert pickup.tonic_of(notes, "last") == 2
    assert pickup.tonic_of(notes, "key") == 0
    # A minor (harmonic): the tonic is A, not C, its relative major.
    a_minor = [69, 72, 76, 69, 68, 69, 71, 72, 74, 76, 69, 64, 68, 69]
    lengths = np.array([8 if p == 69 else 4 for p in a_minor])
    assert pickup.key_tonic(np.array(a_minor), lengths) == 9
    assert list(pickup.degree_class(np.array([69, 76, 72, 70]), 9)) == [0, 1, 2, 3]


def test_an_excerpt_is_cut_at_the_notated_barline_after_its_pickup():
    bench = load_script("benchmarks/bench_pickup.py")
    # 2/4 (8 steps a bar), a quarter's pickup: step 0 lies 4 steps into its bar, the
    # notated downbeats at 4, 12, ...; two bars are the pickup's and the next whole one.
    row = {
        "meter": "2/4",
        "phase": 4,
        "notes": [(0, 4, 60), (4, 10, 62), (10, 14, 64), (14, 30, 65)],
    }
    cut = bench.excerpt(row, 2)
    assert cut["notes"] == [(0, 4, 60), (4, 10, 62), (10, 12, 64)]
    assert bench.excerpt(row, 4) is None  # the tune is not longer than four bars


def test_a_candidate_file_is_measured_without_replacing_the_shipped_one(tmp_path):
    # bench_pickup --candidate reads a profile file beside the shipped one: the same
    # tables from the shipped file, and a candidate's own margin decides.
    import json

    shipped_file = pickup.resource_path(*pickup.PROFILES_FILE)
    read = pickup.read_profiles(shipped_file)
    assert read.keys() == pickup.profiles().keys()
    assert np.array_equal(read["6/8"]["notes"], pickup.profiles()["6/8"]["notes"])
    notes = [(0, 4, 67)]
    for bar in range(12):
        start = 4 + 8 * bar
        notes += [(start, start + 6, 60 + (bar % 2) * 7), (start + 6, start + 8, 64)]
    notes.append((100, 108, 60))
    data = json.loads(shipped_file.read_text())
    data["meters"]["2/4"] |= {"margin": 100.0, "long_margin": 100.0}  # nothing beats 0 so
    strict = tmp_path / "strict.json"
    strict.write_text(json.dumps(data))
    assert pickup.learned_pickup(notes, Meter(2, 4), read) == 4 == pickup_steps(notes, Meter(2, 4))
    assert pickup.learned_pickup(notes, Meter(2, 4), pickup.read_profiles(strict)) == 0
    assert pickup_steps(notes, Meter(2, 4)) == 4  # the shipped detector is unchanged


def test_session_11s_margin_rule_allows_two_percent_of_whole_tunes_moved():
    bench = load_script("benchmarks/bench_pickup.py")
    # 60 tunes of 2/4 without a pickup: one is moved at margin 0 (its gain 0.05 at a
    # quarter), none at 0.05 and over; session 17's rule moves none, session 11's 2%.
    gain = np.zeros(8)
    allows = np.zeros(8, bool)
    allows[4] = True
    plain = {"meter": "2/4", "phase": 0, "notes": [(0, 8, 60)]}
    scored = [(gain.copy(), allows, plain, "whole") for _ in range(60)]
    scored[0][0][4] = 0.05
    assert bench.choose_margins(scored)[0] == {"2/4": 0.05}
    assert bench.choose_margins(scored, bench.SESSION_11_MOVED_SHARE)[0] == {"2/4": 0.0}


def test_an_eight_bar_excerpt_with_its_pickup_at_tick_0_lasts_over_seven_bars():
    bench = load_script("benchmarks/bench_pickup.py")
    row = {"meter": "2/4", "phase": 4, "notes": [(4 * i, 4 * i + 4, 60) for i in range(40)]}
    cut = bench.excerpt(row, 8)
    assert 7 < bench.melody_bars(cut) < 8
    assert bench.melody_bars(bench.excerpt(row | {"phase": 0}, 8)) == 8


def test_a_meters_own_setting_overrides_the_files(tmp_path):
    # Session 18's profiles choose each meter's setting apart: a meter's entry may give
    # its own weights, tonic and accent evidence. Session 11's file (one setting for all
    # meters; shipped until session 18b) with one meter's entry given its own.
    import json

    notes = [(0, 4, 67)]
    for bar in range(12):
        start = 4 + 8 * bar
        notes += [(start, start + 6, 60 + (bar % 2) * 7), (start + 6, start + 8, 64)]
    notes.append((100, 108, 60))
    session_11 = ROOT / "docs" / "benchmarks" / "pickup-profiles-s11.json"
    data = json.loads(session_11.read_text())
    data["meters"]["2/4"] |= {"accent_evidence": 100.0, "tonic": "key"}
    own = tmp_path / "own.json"
    own.write_text(json.dumps(data))
    profile_set = pickup.read_profiles(own)
    assert profile_set["2/4"]["tonic"] == "key" and profile_set["6/8"]["tonic"] == "last"
    assert profile_set["6/8"]["accent_evidence"] == pickup.ACCENT_EVIDENCE
    assert pickup.learned_pickup(notes, Meter(2, 4), profile_set) == 0  # the gate shut
    assert pickup.learned_pickup(notes, Meter(2, 4), pickup.read_profiles(session_11)) == 4


def test_a_tunes_excerpts_count_as_one_observation_of_a_gain():
    bench = load_script("benchmarks/bench_pickup.py")
    # Eight items of one tune found: one observation; one item of each of eight tunes:
    # eight, and the same gain is then far clearer.
    assert bench.clustered_z({"a": 8}) == pytest.approx(1.0)
    assert bench.clustered_z({t: 1 for t in "abcdefgh"}) == pytest.approx(8**0.5)
    assert bench.clustered_z({"a": 8, "b": 0, "c": -1}) == pytest.approx(7 / 65**0.5)
    assert bench.clustered_z({"a": 0}) == 0.0


def test_a_changed_meter_with_too_few_plain_fitting_tunes_is_put_back_to_session_11():
    # Session 18b: a changed meter's zero-move margin chosen on under PLAIN_FLOOR fitting
    # tunes without a pickup bounds nothing, so that meter keeps session 11's entry.
    import json

    bench = load_script("benchmarks/bench_pickup.py")
    session_11 = json.loads(bench.S11_PROFILES.read_text())
    candidate = json.loads(json.dumps(session_11))
    for name in ("2/4", "12/8"):
        candidate["meters"][name] |= {"margin": 0.3, "tonic": "key", "accent_evidence": 1.0}
    candidate["meters"]["6/8"]["last_weight"] = session_11["last_weight"]  # reads the same
    assert bench.changed_meters(candidate, session_11) == ["12/8", "2/4"]
    rows = [{"part": "fit", "meter": "2/4", "phase": 0}] * 10 + [
        {"part": "fit", "meter": "12/8", "phase": 0}
    ] * 9
    rows += [{"part": "fit", "meter": "12/8", "phase": 6}] * 20  # with a pickup: not counted
    rows += [{"part": "held-out", "meter": "12/8", "phase": 0}] * 5  # not the fitting part
    floored = bench.apply_plain_floor(rows, candidate, session_11, floor=10)
    assert floored["put_back_to_session_11"] == ["12/8"]
    assert floored["meters"]["2/4"] == candidate["meters"]["2/4"]
    assert bench.changed_meters(floored, session_11) == ["2/4"]  # 12/8 reads as session 11
    assert floored["fitting_tunes_without_a_pickup"]["12/8"] == 9
    assert (
        bench.apply_plain_floor(rows, candidate, session_11, floor=9)["put_back_to_session_11"]
        == []
    )


def test_session_18b_candidate_is_session_18s_in_2_4_and_6_8_and_session_11s_elsewhere():
    import json

    bench = load_script("benchmarks/bench_pickup.py")
    records = ROOT / "docs" / "benchmarks"
    session_11 = json.loads(bench.S11_PROFILES.read_text())
    s18 = json.loads((records / "pickup-profiles-s18-candidate.json").read_text())
    s18b = json.loads((records / "pickup-profiles-s18b-candidate.json").read_text())
    assert bench.changed_meters(s18, session_11) == ["12/8", "2/4", "6/8"]
    assert bench.changed_meters(s18b, session_11) == ["2/4", "6/8"]
    assert s18b["fitting_tunes_without_a_pickup"] == {
        "12/8": 3, "2/2": 12, "2/4": 21, "3/2": 5, "3/4": 9,
        "3/8": 9, "4/4": 9, "6/4": 3, "6/8": 12, "9/8": 4,
    }  # fmt: skip
    assert s18b["meters"]["2/4"] == s18["meters"]["2/4"]
    assert s18b["meters"]["6/8"] == s18["meters"]["6/8"]


SAMPLES = sorted(pickup.resource_path("melodies").glob("*.mid"))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_the_app_samples_whole_and_cut_keep_their_barlines(sample):
    # The six samples start on a downbeat (resources/melodies/README.md): the shipped
    # profiles must leave them at the file's barlines, whole and as their first 8, 4
    # and 2 bars (what a musician tries first). Checked after a profile change; nothing
    # is chosen on it. (Session 11's profiles with the accent gate at 1.0 moved Twinkle,
    # Twinkle by half a bar: pickup.ACCENT_EVIDENCE.)
    melody = read_melody(sample)
    meter = melody.meter()
    notes = [
        (round(n.start_beat * 4), round(n.end_beat * 4), n.pitch) for n in melody.tracks[0].notes
    ]
    assert len(SAMPLES) == 6 and min(a for a, _, _ in notes) == 0
    for bars in (None, 8, 4, 2):
        end = bars * meter.bar_steps if bars else max(b for _, b, _ in notes)
        cut = [(a, min(b, end), p) for a, b, p in notes if a < end]
        assert pickup_steps(cut, meter) == 0, (sample.stem, bars)


def test_a_long_melody_reads_its_meters_long_margin_and_a_short_one_the_margin():
    # Session 19: an entry's long_margin applies from long_from_bars bars on
    # (pickup.melody_bars, step 0 to the last note's end); an entry without one reads
    # its margin at every length, as before.
    bar = 8
    notes = [(0, 2, 60), (2, 10, 64), (10, 16, 62), (16, 24, 60)]
    assert pickup.melody_bars(notes, bar) == 3.0
    entry = {"margin": 0.3}
    assert pickup.margin_for(notes, bar, entry) == 0.3
    entry |= {"long_margin": 0.2, "long_from_bars": 3.0}
    assert pickup.margin_for(notes, bar, entry) == 0.2
    assert pickup.margin_for(notes[:3], bar, entry) == 0.3  # 2 bars long
    data = {"last_weight": 0.0, "degree_weight": 1.0, "meters": {}}
    tables = {"notes": [[0.0]], "degrees": [[0.0]], "last": [0.0]}
    data["meters"]["2/4"] = tables | entry
    data["meters"]["6/8"] = tables | {"margin": 0.1}
    read = pickup.profiles_from_data(data)
    assert (read["2/4"]["long_margin"], read["2/4"]["long_from_bars"]) == (0.2, 3.0)
    assert read["6/8"]["long_margin"] == 0.1 and read["6/8"]["long_from_bars"] == np.inf


def test_a_long_margin_decides_a_long_two_four_melody_and_only_it(tmp_path):
    # The 12-bar 2/4 tune of the tests above, found a quarter in (offset 4) by the
    # shipped entry; with a margin above its gain it is left alone, and a long margin
    # under the gain, from a length it reaches, finds it again; from a length it does
    # not reach, the high margin still decides.
    import json

    notes = [(0, 4, 67)]
    for bar in range(12):
        start = 4 + 8 * bar
        notes += [(start, start + 6, 60 + (bar % 2) * 7), (start + 6, start + 8, 64)]
    notes.append((100, 108, 60))
    data = json.loads(pickup.resource_path(*pickup.PROFILES_FILE).read_text())
    entry = pickup.profiles_from_data(data)["2/4"]
    gain = pickup.offset_scores(notes, 8, entry)
    gain = gain - gain[0]
    for key in ("long_margin", "long_from_bars"):  # the shipped 2/4 entry has them
        data["meters"]["2/4"].pop(key, None)
    data["meters"]["2/4"] |= {"margin": float(gain[4]) + 0.01}
    assert pickup.learned_pickup(notes, Meter(2, 4), pickup.profiles_from_data(data)) == 0
    data["meters"]["2/4"] |= {"long_margin": float(gain[4]) - 0.01, "long_from_bars": 13.0}
    assert pickup.melody_bars(notes, 8) == 13.5
    assert pickup.learned_pickup(notes, Meter(2, 4), pickup.profiles_from_data(data)) == 4
    data["meters"]["2/4"]["long_from_bars"] = 14.0
    assert pickup.learned_pickup(notes, Meter(2, 4), pickup.profiles_from_data(data)) == 0


def test_session_19_candidate_is_the_shipped_file_with_a_2_4_long_margin():
    # Only 2/4 differs from the shipped file, and only by its long margin: every melody
    # under long_from_bars bars (every 8- and 4-bar excerpt) is read as shipped.
    import json

    records = ROOT / "docs" / "benchmarks"
    s18b = json.loads((records / "pickup-profiles-s18b-candidate.json").read_text())
    s19 = json.loads((records / "pickup-profiles-s19-candidate.json").read_text())
    assert s19["meters"].keys() == s18b["meters"].keys()
    for name, entry in s19["meters"].items():
        extra = {"long_margin", "long_from_bars", "long_margin_chosen_on"}
        assert {k: v for k, v in entry.items() if k not in extra} == s18b["meters"][name]
        assert (name == "2/4") == bool(extra & entry.keys())
    assert s19["meters"]["2/4"]["long_from_bars"] > 8  # past every 8-bar excerpt
    assert s19["meters"]["2/4"]["long_margin"] < s18b["meters"]["2/4"]["margin"]


def test_bench_pickups_command_line_names_the_candidate_it_measured():
    """Session 18's printed Command line left ``--candidate`` (and its ``--min-bars``)
    out, so the line in a record did not rerun the figures under it."""
    from argparse import Namespace
    from pathlib import Path

    bench = load_script("benchmarks/bench_pickup.py")
    measured = Namespace(part="fit", md=Path("out.md"), candidate=Path("c.json"), min_bars=8.0)
    assert bench.command_line(measured) == (
        "python benchmarks/bench_pickup.py --part fit --candidate c.json --min-bars 8 --md out.md"
    )
    shipped = Namespace(part="held-out", md=None, candidate=None, min_bars=0.0)
    assert bench.command_line(shipped) == "python benchmarks/bench_pickup.py --part held-out"


def _eighths_pickup_tune(last_steps: int) -> list[tuple[int, int, int]]:
    """A 2/4 tune of 16 bars with an eighth's pickup (G at step 0, the first downbeat at
    step 2): bars of quarter-eighth-eighth and eighth-eighth-quarter in turn, so the
    rhythm puts a quarter on each beat alike; the last bar a quarter on the downbeat and
    a last note of ``last_steps`` steps on the second beat."""
    notes = [(0, 2, 67)]
    for bar in range(16):
        start, down = 2 + 8 * bar, (60, 64, 67, 64)[bar % 4]
        if bar % 2 == 0:
            notes += [
                (start, start + 4, down),
                (start + 4, start + 6, 64),
                (start + 6, start + 8, 62),
            ]
        else:
            notes += [
                (start, start + 2, down),
                (start + 2, start + 4, 62),
                (start + 4, start + 8, 64),
            ]
    end = 2 + 8 * 16
    return notes + [(end, end + 4, 60), (end + 4, end + 4 + last_steps, 67)]


def _without_held_last() -> dict:
    import json

    data = json.loads(pickup.resource_path(*pickup.PROFILES_FILE).read_text())
    data["meters"]["2/4"].pop("held_last_steps")
    return pickup.profiles_from_data(data)


def test_a_short_last_note_does_not_start_a_bar_so_an_eighths_pickup_is_found():
    # Session 20: read a beat off (the pickup as three eighths, offset 6) the tune would
    # end on an eighth on a downbeat; the shipped 2/4 entry does not take that offset and
    # finds the notated one. Without held_last_steps (session 19's entry) it reads 6.
    notes = _eighths_pickup_tune(last_steps=2)
    assert pickup_steps(notes, Meter(2, 4)) == 2
    assert pickup.learned_pickup(notes, Meter(2, 4), _without_held_last()) == 6


def test_a_held_last_note_or_a_tune_without_a_pickup_is_read_as_before():
    # A last note of a beat or more may start a bar: the rule takes no offset away, and
    # both entries agree. The rule only takes offsets away and never the file's own
    # barlines, so a tune without a pickup that session 19 left alone stays alone.
    held = _eighths_pickup_tune(last_steps=4)
    assert pickup_steps(held, Meter(2, 4)) == pickup.learned_pickup(
        held, Meter(2, 4), _without_held_last()
    )
    plain = [(a - 2, b - 2, p) for a, b, p in _eighths_pickup_tune(last_steps=2)[1:]]
    assert pickup_steps(plain, Meter(2, 4)) == 0
    assert pickup.learned_pickup(plain, Meter(2, 4), _without_held_last()) == 0


def test_last_note_allowed_takes_away_only_the_offset_a_short_last_note_starts():
    notes = [(0, 4, 60), (4, 8, 62), (13, 15, 64)]  # the last, an eighth, at step 13
    assert pickup.last_note_allowed(notes, 8, 4).tolist() == [True] * 5 + [False] + [True] * 2
    assert pickup.last_note_allowed(notes, 8, 2).all()  # an eighth is held at 2 steps
    assert pickup.last_note_allowed(notes, 8, 0).all()  # the other meters' entries
    chord = notes + [(13, 17, 67)]  # two notes start last: the longer one counts
    assert pickup.last_note_allowed(chord, 8, 4).all()


def test_session_20_candidate_is_the_shipped_file_and_session_19s_with_held_last_in_2_4():
    import json

    records = ROOT / "docs" / "benchmarks"
    s19 = json.loads((records / "pickup-profiles-s19-candidate.json").read_text())
    s20 = json.loads((records / "pickup-profiles-s20-candidate.json").read_text())
    assert s20 == json.loads(pickup.resource_path(*pickup.PROFILES_FILE).read_text())
    for name, entry in s20["meters"].items():
        rest = {k: v for k, v in entry.items() if k != "held_last_steps"}
        assert rest == s19["meters"][name]
        assert ("held_last_steps" in entry) == (name == "2/4")
    assert s20["meters"]["2/4"]["held_last_steps"] == 4  # a beat of 2/4
    assert pickup.profiles()["6/8"]["held_last_steps"] == 0
