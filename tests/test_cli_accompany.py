"""`composer-gui accompany` end to end on a tiny model (the shipped one is tested in
tests/test_shipped_model.py): files written, ranking printed, same seed same output."""

from __future__ import annotations

import json

import mido
import pretty_midi
import pytest

from composer_gui.cli import main
from composer_gui.core.midi_file import read_arrangement, read_melody
from composer_gui.paths import resource_path

SAMPLE = resource_path("melodies", "ode_to_joy.mid")


def run(args, capsys):
    code = main(args)
    return code, capsys.readouterr()


def test_writes_the_best_candidate_and_prints_the_ranking(tiny_model, tmp_path, capsys):
    out = tmp_path / "out.mid"
    code, io = run(
        [
            "accompany",
            str(SAMPLE),
            "-o",
            str(out),
            "--model",
            str(tiny_model),
            "--candidates",
            "4",
            "--seed",
            "5",
        ],
        capsys,
    )
    assert code == 0, io.err
    assert "rank" in io.out and "score %" in io.out and "seed 5" in io.out and "why" in io.out
    assert len([line for line in io.out.splitlines() if line.strip()[:1].isdigit()]) >= 1
    written = read_arrangement(out)
    assert [t.name for t in written.tracks][1:] == ["alto", "tenor", "bass"]
    assert written.tracks[0].notes == read_melody(SAMPLE).tracks[0].notes  # melody unchanged
    midi = pretty_midi.PrettyMIDI(str(out))
    assert midi.instruments[0].name == "melody" and len(midi.instruments) == 4
    assert mido.MidiFile(str(out)).type == 1


def test_all_and_json(tiny_model, tmp_path, capsys):
    out, folder = tmp_path / "out.mid", tmp_path / "all"
    code, io = run(
        [
            "accompany",
            str(SAMPLE),
            "-o",
            str(out),
            "--model",
            str(tiny_model),
            "--candidates",
            "3",
            "--seed",
            "1",
            "--all",
            str(folder),
            "--json",
        ],
        capsys,
    )
    assert code == 0, io.err
    report = json.loads(io.out)
    files = sorted(folder.iterdir())
    assert len(files) == len(report["candidates"]) >= 1
    assert report["candidates"][0]["rank"] == 1 and report["seed"] == 1
    assert files[0].read_bytes() == out.read_bytes()
    first = report["candidates"][0]
    assert {"percentile", "critic_score", "score", "reasons", "checks", "metrics", "file"} <= set(
        first
    )
    assert isinstance(first["reasons"], list) and len(first["reasons"]) <= 3
    assert "parallels" in first["checks"]
    scores = [c["score"] for c in report["candidates"]]
    assert scores == sorted(scores, reverse=True)  # ranked by the score, best first


def test_same_seed_same_file(tiny_model, tmp_path, capsys):
    a, b = tmp_path / "a.mid", tmp_path / "b.mid"
    for out in (a, b):
        assert (
            run(
                [
                    "accompany",
                    str(SAMPLE),
                    "-o",
                    str(out),
                    "--model",
                    str(tiny_model),
                    "--seed",
                    "9",
                    "--candidates",
                    "2",
                ],
                capsys,
            )[0]
            == 0
        )
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--candidates", "0"], "1 to 64"),
        (["--density", "2"], "between 0 and 1"),
        (["--device", "cuda:7"], "not available"),
    ],
)
def test_bad_options_are_one_sentence_and_write_nothing(
    tiny_model, tmp_path, capsys, extra, message
):
    out = tmp_path / "out.mid"
    code, io = run(
        ["accompany", str(SAMPLE), "-o", str(out), "--model", str(tiny_model), *extra], capsys
    )
    assert code == 2 and message in io.err and len(io.err.strip().splitlines()) == 1
    assert not out.exists()


def test_a_missing_or_damaged_model_is_one_sentence(tmp_path, capsys, tiny_model):
    out = tmp_path / "out.mid"
    code, io = run(
        ["accompany", str(SAMPLE), "-o", str(out), "--model", str(tmp_path / "none.safetensors")],
        capsys,
    )
    assert code == 2 and "missing" in io.err and not out.exists()
    damaged = tmp_path / "damaged.safetensors"
    damaged.write_bytes(tiny_model.read_bytes()[:1000])
    damaged.with_suffix(".json").write_bytes(tiny_model.with_suffix(".json").read_bytes())
    code, io = run(["accompany", str(SAMPLE), "-o", str(out), "--model", str(damaged)], capsys)
    assert code == 2 and "truncated" in io.err and "Traceback" not in io.err
    assert not out.exists()


def test_a_melody_over_32_bars_is_accompanied_whole_or_in_its_first_32(
    tiny_model, tmp_path, capsys
):
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_writer import write_arrangement

    long = tmp_path / "long.mid"
    write_arrangement(
        Arrangement([Track("melody", [Note(60 + i % 5, i, 1) for i in range(40 * 4)])]), long
    )
    out = tmp_path / "out.mid"
    code, io = run(
        [
            "accompany",
            str(long),
            "-o",
            str(out),
            "--model",
            str(tiny_model),
            "--first-bars",
            "--candidates",
            "1",
        ],
        capsys,
    )
    assert code == 0 and read_arrangement(out).length_beats() <= 32 * 4 + 4

    for option in ([], ["--sections"]):  # whole by default; the old option still works
        whole = tmp_path / "whole.mid"
        code, io = run(
            ["accompany", str(long), "-o", str(whole), "--model", str(tiny_model), *option],
            capsys,
        )
        assert code == 0
        accompanied = read_arrangement(whole)
        assert accompanied.length_beats() >= 40 * 4 - 1
        assert max(n.end_beat for t in accompanied.tracks[1:] for n in t.notes) > 36 * 4


def test_an_irregular_meter_is_refused_before_the_model_loads(tmp_path, capsys):
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_writer import write_arrangement

    seven = tmp_path / "seven.mid"
    notes = [Note(60 + i % 5, i * 0.5, 0.5) for i in range(28)]
    write_arrangement(Arrangement([Track("melody", notes)], time_signature=(7, 8)), seven)
    missing = tmp_path / "no-model.safetensors"
    code, io = run(
        ["accompany", str(seven), "-o", str(tmp_path / "o.mid"), "--model", str(missing)], capsys
    )
    assert code == 2 and "7/8" in io.err and "12/8" in io.err and "missing" not in io.err


def two_hands(path):
    """Left-hand chords first (8 notes), then the tune (5 notes): the wrong track is first."""
    from tests.support.music_files import note_events, write_midi

    chords = [mido.MetaMessage("track_name", name="Left hand")]
    left = [(0, chords[0])]
    for bar in range(4):
        for pitch in (48, 55):
            left += note_events(0, pitch, bar * 1920, bar * 1920 + 1920)
    right = [(0, mido.MetaMessage("track_name", name="Tune"))]
    for i, pitch in enumerate((67, 69, 71, 72, 74)):
        right += note_events(1, pitch, i * 960, i * 960 + 900)
    return write_midi(path, [left, right])


def test_accompany_says_which_track_it_took_and_how_to_take_another(tiny_model, tmp_path, capsys):
    song = two_hands(tmp_path / "hands.mid")
    out = tmp_path / "out.mid"
    base = ["accompany", str(song), "-o", str(out), "--model", str(tiny_model)]
    code, io = run([*base, "--candidates", "1"], capsys)
    assert code == 0, io.err
    first = io.out.splitlines()[0]
    assert first.startswith("Melody: track 0 'Left hand' (8 notes)")
    assert "2 pitched tracks" in first and "--track N" in first

    code, io = run([*base, "--candidates", "1", "--track", "1", "--json"], capsys)
    assert code == 0, io.err
    melody = json.loads(io.out)["melody"]
    assert melody == {
        "track": 1,
        "name": "Tune",
        "notes": 5,
        "chosen_by": "--track",
        "pitched_tracks": [0, 1],
    }
    assert [n.pitch for n in read_arrangement(out).tracks[0].notes] == [67, 69, 71, 72, 74]


def test_a_single_track_melody_is_named_without_the_hint(tiny_model, tmp_path, capsys):
    out = tmp_path / "out.mid"
    code, io = run(
        ["accompany", str(SAMPLE), "-o", str(out), "--model", str(tiny_model), "--candidates", "1"],
        capsys,
    )
    assert code == 0, io.err
    notes = len(read_melody(SAMPLE).tracks[0].notes)
    assert f"({notes} notes)." in io.out.splitlines()[0] and "--track" not in io.out


def test_a_band_style_writes_drums_on_10_and_prints_the_chords(band_model, tmp_path, capsys):
    out = tmp_path / "band.mid"
    args = ["accompany", str(SAMPLE), "-o", str(out), "--model", str(band_model)]
    code, io = run([*args, "--style", "swing", "--candidates", "2", "--seed", "3"], capsys)
    assert code == 0, io.err
    assert "in the swing style" in io.out
    assert "drums that keep no pattern" in io.out and "parallel fifths" not in io.out
    chord_lines = [line for line in io.out.splitlines() if "chords: |" in line]
    ranks = [line for line in io.out.splitlines() if line[:4].strip().isdigit()]
    assert len(chord_lines) == len(ranks) == 2  # one chord line under each candidate
    midi = mido.MidiFile(str(out))
    assert [t.name for t in midi.tracks[1:]] == ["melody", "bass", "piano", "drums"]
    assert any(m.type == "note_on" and m.channel == 9 for m in midi.tracks[4])
    markers = [m.text for m in midi.tracks[0] if m.type == "marker"]
    assert markers and all(f" {m} " in chord_lines[0] for m in markers)

    code, io = run([*args, "--style", "swing", "--candidates", "2", "--json"], capsys)
    report = json.loads(io.out)
    assert report["style"] == "swing" and report["tracks"] == ["melody", "bass", "piano", "drums"]
    chords = report["candidates"][0]["chords"]
    assert chords[0]["beat"] == 0.0 and all(isinstance(c["symbol"], str) for c in chords)


def test_an_unknown_style_is_one_sentence_naming_the_installed_ones(tmp_path, capsys):
    out = tmp_path / "out.mid"
    code, io = run(["accompany", str(SAMPLE), "-o", str(out), "--style", "polka"], capsys)
    assert code == 2 and len(io.err.strip().splitlines()) == 1
    assert "no style 'polka'" in io.err and "chorale" in io.err
    assert not out.exists()


def test_a_band_table_shows_each_tracks_own_figures_as_the_json_has_them(
    band_model, tmp_path, capsys
):
    """A band's measures are per track and per kind: each candidate gets a line per track
    with that track's figures (the columns of the chorale's table read "–" for a band),
    and the JSON has them per track, the same numbers."""
    args = ["accompany", str(SAMPLE), "-o", str(tmp_path / "b.mid"), "--model", str(band_model)]
    args += ["--style", "pop", "--candidates", "2", "--seed", "4"]
    code, io = run(args, capsys)
    assert code == 0, io.err
    assert "–" not in io.out
    lines = io.out.splitlines()
    code, js = run([*args, "--json"], capsys)
    report = json.loads(js.out)
    for c in report["candidates"]:
        assert set(c["track_metrics"]) == {"bass", "piano", "drums"} and not c["metrics"]
        row = next(i for i, line in enumerate(lines) if line[:4].strip() == str(c["rank"]))
        assert f"{c['score']:.2f}" in lines[row] and f"{c['percentile']:.1f}" in lines[row]
        assert all(reason in lines[row] for reason in c["reasons"])
        per_track = {line.split()[0]: line for line in lines[row + 1 : row + 4]}
        assert set(per_track) == {"bass", "piano", "drums"}
        drums, piano = c["track_metrics"]["drums"], c["track_metrics"]["piano"]
        assert f"bars with drums {drums['bars_with_drums']:.0%}" in per_track["drums"]
        assert f"kick hits a bar {drums['hits_per_bar_kick']:.1f}" in per_track["drums"]
        assert f"chord size {piano['notes_per_chord']:.1f}" in per_track["piano"]
        assert "chord size" not in per_track["bass"] and "kick" not in per_track["bass"]


def test_the_melody_is_checked_once(tiny_model, tmp_path, capsys, monkeypatch):
    """The command used to check the melody, then the engine checked it again."""
    import composer_gui.core.engine as engine
    import composer_gui.core.melody_grid as melody_grid

    calls = []
    real = melody_grid.check_melody

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(melody_grid, "check_melody", counted)
    monkeypatch.setattr(engine, "check_melody", counted)
    out = tmp_path / "out.mid"
    args = ["accompany", str(SAMPLE), "-o", str(out), "--model", str(tiny_model)]
    code, io = run([*args, "--candidates", "1"], capsys)
    assert code == 0, io.err
    assert len(calls) == 1


def test_a_style_of_your_own_named_like_a_shipped_one_is_listed_and_played(
    band_model, tmp_path, capsys
):
    """The tiny band model's "swing" was hidden behind the shipped swing; now ``styles
    --model`` lists it as "swing (tiny-band)" and ``accompany`` plays either."""
    code, io = run(["styles", "--model", str(band_model)], capsys)
    assert code == 0, io.err
    names = [line.split(": ", 1)[0] for line in io.out.splitlines()]
    assert names.count("swing") == 1 and names[-2:] == ["pop", "swing (tiny-band)"]
    assert len(set(names)) == len(names)

    out = tmp_path / "own.mid"
    base = ["accompany", str(SAMPLE), "-o", str(out), "--candidates", "1", "--json"]
    for asked in ("swing (tiny-band)", "swing"):
        code, io = run([*base, "--model", str(band_model), "--style", asked], capsys)
        assert code == 0, io.err
        report = json.loads(io.out)
        assert report["model"] == "tiny-band" and report["style"] == "swing"
    code, io = run([*base, "--style", "swing"], capsys)  # no --model: the shipped swing
    assert code == 0, io.err
    assert json.loads(io.out)["model"] != "tiny-band"


def test_the_table_and_the_json_say_the_same_reasons(band_model, tmp_path, capsys):
    """One source for what a musician reads (``Candidate.reasons``): the table's "why" is
    the JSON's reasons, whole and in order, and every candidate below the first choice is
    told why it is not first (the critic, where no check tells it apart), never "-"."""
    args = ["accompany", str(SAMPLE), "-o", str(tmp_path / "b.mid"), "--model", str(band_model)]
    args += ["--style", "pop", "--candidates", "4", "--seed", "4"]
    code, io = run(args, capsys)
    assert code == 0, io.err
    rows = [line for line in io.out.splitlines() if line[:4].strip().isdigit()]
    code, js = run([*args, "--json"], capsys)
    report = json.loads(js.out)["candidates"]
    assert len(rows) == len(report) > 1
    for row, c in zip(rows, report):
        why = row.split(f"{c['score']:.2f}", 1)[1].strip()
        assert why == ("; ".join(c["reasons"]) or "-")
        if c["rank"] > 1:
            assert c["reasons"] and c["reasons"][0].endswith("than the first choice")


def test_a_model_that_never_trained_says_so_in_the_table_and_the_json(tiny_model, tmp_path, capsys):
    """Session 20's walk: a model of 20 iterations wrote 8 candidates scored alike and
    nothing said it was barely trained. The tiny model's card records 0 iterations."""
    out = tmp_path / "out.mid"
    base = ["accompany", str(SAMPLE), "-o", str(out), "--model", str(tiny_model), "--seed", "5"]
    code, io = run(base, capsys)
    assert code == 0, io.err
    lines = io.out.splitlines()
    header = next(i for i, line in enumerate(lines) if " candidates for " in line)
    assert lines[header + 1].startswith("This model has had no training (the shipped chorale")
    assert "accompaniments are rough" in lines[header + 1]
    code, io = run([*base, "--json"], capsys)
    assert json.loads(io.out)["model_note"] == lines[header + 1]
