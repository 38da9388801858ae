"""Fixtures: the real built-in synth's parts, and the loudness the sound tests measure.

``soundfont`` is FluidSynth's library and an installed General MIDI soundfont, found the
way the app finds them (``core.synth_install``); without them a test skips locally and
fails in CI (``real_parts.require``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from composer_gui.core.synth_install import SynthError, find_soundfont, load_fluidsynth
from tests.support.real_parts import require


@pytest.fixture(scope="session")
def soundfont() -> Path:
    """The soundfont the app would load, with FluidSynth importable."""
    try:
        load_fluidsynth()
        return find_soundfont()
    except SynthError as exc:
        require(False, f"FluidSynth with a General MIDI soundfont ({exc})")


def rms(audio: np.ndarray) -> float:
    """Root mean square of samples (any shape), 0 for none."""
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0


def band_energy(
    audio: np.ndarray, hz: float, width_hz: float = 15.0, sample_rate: int = 44100
) -> float:
    """Energy of stereo ``audio`` within ``width_hz`` of ``hz``: which pitch sounded, told
    apart from how loud a room's tail still is."""
    mono = audio.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono)))) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1.0 / sample_rate)
    return float(spectrum[np.abs(freqs - hz) < width_hz].sum())
