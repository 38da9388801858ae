"""The sample melodies shipped in resources/melodies/: readable, in a meter the model
accompanies, in its pitch range, and exactly what scripts/make_sample_melodies.py writes."""

from __future__ import annotations

import pytest

from composer_gui.core.midi_file import read_melody
from composer_gui.paths import resource_path
from models.pianoroll import HIGHEST_PITCH, LOWEST_PITCH
from tests.support.scripts import load_script

MELODIES = sorted(resource_path("melodies").glob("*.mid"))


def make_sample_melodies():
    return load_script("scripts/make_sample_melodies.py")


def test_four_to_six_melodies_ship():
    assert 4 <= len(MELODIES) <= 6


@pytest.mark.parametrize("path", MELODIES, ids=[p.stem for p in MELODIES])
def test_melody_reads_as_one_track_in_four_four_or_three_four(path):
    arrangement = read_melody(path)
    melody = arrangement.melody()
    assert len(arrangement.tracks) == 1
    assert melody.name == "melody" and melody.program == 0
    assert arrangement.time_signature in ((4, 4), (3, 4))
    assert 4 <= arrangement.bar_count() <= 8
    assert 60 <= arrangement.tempo_bpm <= 140
    assert len(melody.notes) >= 8
    assert all(LOWEST_PITCH <= note.pitch <= HIGHEST_PITCH for note in melody.notes)
    assert melody.notes[0].start_beat == 0.0  # starts on the first downbeat


def test_readme_lists_every_melody():
    readme = (resource_path("melodies") / "README.md").read_text(encoding="utf-8")
    for path in MELODIES:
        assert f"`{path.name}`" in readme
    assert "public domain, transcribed for this project" in readme


def test_shipped_files_are_what_the_script_writes(tmp_path, capsys):
    assert make_sample_melodies().main([str(tmp_path)]) == 0
    written = sorted(tmp_path.glob("*.mid"))
    assert [p.name for p in written] == [p.name for p in MELODIES]
    for fresh in written:
        assert fresh.read_bytes() == (resource_path("melodies") / fresh.name).read_bytes()


def test_script_rejects_a_short_bar():
    script = make_sample_melodies()
    tune = script.Tune("x", "Broken", (3, 4), 90, "C major", "C4 1, D4 1 | E4 3")
    with pytest.raises(ValueError, match="bar 1 is short"):
        script.tune_notes(tune)


def test_pitch_names():
    pitch_number = make_sample_melodies().pitch_number
    assert [pitch_number(n) for n in ("C4", "A4", "F#4", "Bb3", "G#4")] == [60, 69, 66, 58, 68]
