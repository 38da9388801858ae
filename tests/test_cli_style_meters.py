"""`accompany --style` on a tune in a meter the style never learnt (#16, #17): refused in
one sentence before the model loads, exit code 2 and nothing written; the styles that
learnt it accompany it. Real corpus tunes and the shipped band model."""

from __future__ import annotations

import mido

from composer_gui.cli import main
from composer_gui.core.engine import Engine


def run(args, capsys):
    code = main(args)
    return code, capsys.readouterr()


def test_a_jig_in_rock_is_refused_before_the_model_loads(
    corpus_midi, tmp_path, capsys, monkeypatch
):
    def no_load(self):
        raise AssertionError("the model was loaded for a refused style")

    monkeypatch.setattr(Engine, "load", no_load)
    out = tmp_path / "jig.mid"
    jig = str(corpus_midi["battle-the-cash"].path)
    code, io = run(["accompany", jig, "-o", str(out), "--style", "rock"], capsys)
    assert code == 2 and not out.exists()
    assert io.err.strip() == (
        "composer-gui: rock plays 4/4 and 2/4; for this 6/8 tune choose chorale or pop ballad."
    )


def test_the_styles_that_learnt_the_meter_accompany_it(corpus_midi, tmp_path, capsys):
    for name, style in (("battle-the-cash", "pop ballad"), ("suse-lewe-suse", "waltz")):
        out = tmp_path / f"{name}.mid"
        tune = str(corpus_midi[name].path)
        args = ["accompany", tune, "-o", str(out), "--style", style, "--candidates", "2"]
        code, io = run([*args, "--seed", "1"], capsys)
        assert code == 0, io.err
        assert f"in the {style} style" in io.out
        assert any(m.type == "note_on" and m.channel == 9 for m in mido.MidiFile(str(out)))


def test_a_tune_in_three_is_refused_in_rock_naming_who_plays_it(corpus_midi, tmp_path, capsys):
    out = tmp_path / "three.mid"
    tune = str(corpus_midi["suse-lewe-suse"].path)
    code, io = run(["accompany", tune, "-o", str(out), "--style", "rock"], capsys)
    assert code == 2 and not out.exists() and len(io.err.strip().splitlines()) == 1
    assert "rock plays 4/4 and 2/4; for this 3/4 tune choose chorale, country or waltz." in io.err


def test_styles_lists_each_styles_meters(capsys):
    code, io = run(["styles"], capsys)
    lines = {line.split(":")[0]: line for line in io.out.splitlines()}
    assert code == 0
    assert "drums, bass, chords, pad in 4/4, 2/4." in lines["rock"]
    assert "pad in 3/4." in lines["waltz"]


def test_a_tune_whose_meter_changes_is_refused_naming_the_bars(tmp_path, capsys):
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.midi_writer import write_arrangement

    notes = [Note(60 + i % 5, float(i), 1.0) for i in range(4 * 4 + 4 * 3 + 4)]
    changes = [(16.0, (6, 8)), (28.0, (4, 4))]  # bars 5-8 in 6/8
    tune = tmp_path / "changes.mid"
    write_arrangement(
        Arrangement([Track("melody", notes)], time_signature=(4, 4), meter_changes=changes), tune
    )
    out = tmp_path / "out.mid"
    code, io = run(["accompany", str(tune), "-o", str(out), "--style", "rock"], capsys)
    assert code == 2 and not out.exists()
    assert "rock plays 4/4 and 2/4, and this tune is in 6/8 in bars 5-8; choose" in io.err


def test_styles_says_the_pop_ballads_pad_rests_in_six_eight(capsys):
    """The pop ballad's 6/8 data has no pad (docs/band-data.md: Ballad68 has no
    arpeggio), so its pad strip is silent in 6/8; the style's line says so before a
    musician wonders why (session 20's walk)."""
    code, io = run(["styles"], capsys)
    lines = {line.split(":")[0]: line for line in io.out.splitlines()}
    assert code == 0 and "in 6/8 the pad rests" in lines["pop ballad"]
