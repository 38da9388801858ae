"""Finding what the built-in synth needs (``core.synth_install``): the soundfont chosen in
Preferences or the first one installed, and one sentence for what is missing."""

from __future__ import annotations

import pytest

from composer_gui.core import synth_install
from composer_gui.core.synth_install import SynthError, find_soundfont


def test_preferred_soundfont_is_used(soundfont):
    assert find_soundfont(soundfont) == soundfont


def test_missing_preferred_soundfont_names_the_file(tmp_path):
    missing = tmp_path / "gone.sf2"
    with pytest.raises(SynthError, match="gone.sf2 does not exist"):
        find_soundfont(missing)


def test_no_soundfont_anywhere_says_what_to_install(monkeypatch):
    monkeypatch.setattr(synth_install, "soundfont_candidates", lambda: [])
    with pytest.raises(SynthError) as caught:
        find_soundfont()
    assert str(caught.value) == (
        "No General MIDI soundfont found; install fluid-soundfont-gm or choose one in Preferences."
    )
