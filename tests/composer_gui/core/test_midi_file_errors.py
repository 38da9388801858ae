"""Bad input: every broken file a user can pick gives one clear sentence, never a traceback."""

from __future__ import annotations

import pytest

from composer_gui.core import errors
from composer_gui.core.midi_file import read_arrangement, read_melody
from tests.support.music_files import BAD_INPUT_CASES

# What each message must tell the user, beyond naming the file.
MESSAGE_HINTS = {
    "garbage": "not a MIDI file",
    "truncated": "truncated",
    "damaged": "damaged",
    "empty": "empty",
    "no_tracks": "no tracks",
    "drum_only": "only drum tracks",
    "no_notes": "no notes",
    "directory": "folder",
    "missing": "no file",
}


@pytest.mark.parametrize(("case", "error_name"), BAD_INPUT_CASES)
def test_read_melody_raises_one_clear_sentence(bad_midi_files, case, error_name):
    path = bad_midi_files[case]
    with pytest.raises(errors.ComposerError) as caught:
        read_melody(path)
    assert type(caught.value).__name__ == error_name
    message = str(caught.value)
    assert MESSAGE_HINTS[case] in message
    assert path.name in message
    # One sentence: a capital or the file name first, one full stop at the very end.
    assert "\n" not in message
    assert message.endswith(".")
    assert message.count(". ") == 0


@pytest.mark.parametrize(
    ("case", "error_name"), [c for c in BAD_INPUT_CASES if c[0] != "drum_only"]
)
def test_read_arrangement_raises_the_same(bad_midi_files, case, error_name):
    with pytest.raises(errors.ComposerError) as caught:
        read_arrangement(bad_midi_files[case])
    assert type(caught.value).__name__ == error_name


def test_a_drum_only_file_still_reads_as_an_arrangement(bad_midi_files):
    arrangement = read_arrangement(bad_midi_files["drum_only"])
    assert [track.is_drum for track in arrangement.tracks] == [True]


def test_no_melody_is_a_kind_of_midi_file_error():
    # Callers that only care "this file is unusable" can catch MidiFileError for both.
    assert issubclass(errors.NoMelodyError, errors.MidiFileError)
