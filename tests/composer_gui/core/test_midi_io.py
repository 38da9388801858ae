"""Port naming, API choice and the platform without virtual ports."""

from __future__ import annotations

import pytest

from composer_gui import APP_NAME
from composer_gui.cli import main
from composer_gui.core import midi_io
from composer_gui.core.errors import MidiPortError


def test_virtual_ports_are_named_after_the_app():
    assert midi_io.virtual_port_name() == APP_NAME
    assert midi_io.virtual_port_name("bass") == f"{APP_NAME} bass"
    assert midi_io.CLIENT_NAME == APP_NAME


def test_an_unknown_api_is_one_sentence_naming_the_choices():
    with pytest.raises(MidiPortError, match="choose one of alsa, jack, coremidi, winmm"):
        midi_io.resolve_api("oss")


class _WindowsMultimediaBackend:
    """Stands in for rtmidi on Windows, where no real Windows is available to run tests."""

    def open_output(self, name, virtual=False, **kwargs):
        # What python-rtmidi raises for open_virtual_port() under the Windows MM API.
        raise NotImplementedError("Virtual ports are not supported by the Windows MM API.")


def test_windows_has_no_virtual_port_and_the_user_is_told_to_use_a_loopback(
    monkeypatch, capsys, tmp_path
):
    monkeypatch.setattr(midi_io, "resolve_api", lambda api=None: "winmm")
    monkeypatch.setattr(midi_io, "_backend", lambda api: _WindowsMultimediaBackend())
    with pytest.raises(MidiPortError, match="loopMIDI.*--port"):
        midi_io.open_virtual_output()

    song = tmp_path / "song.mid"
    import mido

    midi = mido.MidiFile()
    midi.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60)]))
    midi.save(song)
    assert main(["play", str(song), "--virtual"]) == 2
    err = capsys.readouterr().err
    assert "loopMIDI" in err and "--port" in err
    assert err.count("\n") == 1


@pytest.mark.jack
def test_jack_is_usable_when_its_server_runs(jack_server):
    assert "jack" in midi_io.compiled_apis()
    assert midi_io.resolve_api("jack") == "jack"
    assert midi_io.list_ports("jack").api == "jack"
