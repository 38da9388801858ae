"""What the built-in synth needs from the computer: the FluidSynth library, a General MIDI
soundfont and an audio driver, found where each platform installs them.

Every lack is one ``SynthError`` sentence that says what to install or choose, so the app
runs silently without them and says why when asked to sound (``core.synth``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

from composer_gui import APP_NAME
from composer_gui.core.errors import ComposerError

SOUNDFONT_SUFFIXES = (".sf2", ".sf3")

# Where General MIDI soundfonts are usually installed, most common first.
SYSTEM_SOUNDFONT_PATHS = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),  # Debian/Ubuntu fluid-soundfont-gm
    Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),  # Debian/Ubuntu timgm6mb-soundfont
    Path("/usr/share/sounds/sf2/default-GM.sf2"),  # Debian alternatives link
    Path("/usr/share/sounds/sf3/default-GM.sf3"),
    Path("/usr/share/soundfonts/default.sf2"),  # Arch, Fedora
    Path("/usr/share/soundfonts/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/FluidR3_GM2-2.sf2"),  # Fedora fluid-soundfont-gm
    Path("/opt/homebrew/share/soundfonts/default.sf2"),  # macOS, Homebrew on Apple silicon
    Path("/usr/local/share/soundfonts/default.sf2"),  # macOS, Homebrew on Intel; BSDs
    Path.home() / "Library/Audio/Sounds/Banks/FluidR3_GM.sf2",  # macOS, per user
    Path("C:/soundfonts/default.sf2"),  # Windows, FluidSynth's own default
    Path("C:/Program Files/FluidSynth/share/soundfonts/default.sf2"),
)

# Audio drivers tried in order when none is chosen in Preferences.
DEFAULT_AUDIO_DRIVERS = {
    "linux": ("pulseaudio", "alsa"),  # PipeWire desktops serve the PulseAudio protocol too
    "darwin": ("coreaudio",),
    "win32": ("wasapi", "dsound"),
}


class SynthError(ComposerError):
    """The built-in synth cannot sound: no FluidSynth, no soundfont or no audio output."""


def load_fluidsynth() -> ModuleType:
    """Import pyfluidsynth, turning a missing library into one sentence."""
    try:
        import fluidsynth
    except (ImportError, OSError) as exc:
        raise SynthError(
            "FluidSynth is not installed; install libfluidsynth (package libfluidsynth3 "
            "or fluidsynth) to hear the built-in synth."
        ) from exc
    return fluidsynth


def _user_soundfont_dirs() -> list[Path]:
    """The app's own data folder, where a user may drop a soundfont."""
    try:
        import platformdirs
    except ImportError:
        return []
    return [Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "soundfonts"]


def _fluidsynth_default_soundfont() -> Path | None:
    """The soundfont FluidSynth itself was built to use, if it is installed."""
    try:
        fluidsynth = load_fluidsynth()
    except SynthError:
        return None
    import ctypes

    settings = fluidsynth.new_fluid_settings()
    try:
        buffer = ctypes.create_string_buffer(4096)
        found = fluidsynth.fluid_settings_copystr(
            settings, b"synth.default-soundfont", buffer, len(buffer)
        )
        if found != fluidsynth.FLUIDSETTING_EXISTS or not buffer.value:
            return None
        return Path(buffer.value.decode(errors="replace"))
    finally:
        fluidsynth.delete_fluid_settings(settings)


def soundfont_candidates() -> list[Path]:
    """Every place searched for a soundfont when Preferences name none, in order."""
    candidates = list(SYSTEM_SOUNDFONT_PATHS)
    for folder in _user_soundfont_dirs():
        if folder.is_dir():
            candidates += sorted(p for p in folder.iterdir() if p.suffix in SOUNDFONT_SUFFIXES)
    default = _fluidsynth_default_soundfont()
    if default is not None:
        candidates.append(default)
    return candidates


def find_soundfont(preferred: str | os.PathLike[str] | None = None) -> Path:
    """The soundfont to load: the one chosen in Preferences, else the first installed one."""
    if preferred:
        path = Path(preferred).expanduser()
        if not path.is_file():
            raise SynthError(
                f"The soundfont {path} does not exist; choose another one in Preferences."
            )
        return path
    for path in soundfont_candidates():
        if path.is_file():
            return path
    raise SynthError(
        "No General MIDI soundfont found; install fluid-soundfont-gm or choose one in Preferences."
    )


def default_audio_drivers() -> tuple[str, ...]:
    for prefix, drivers in DEFAULT_AUDIO_DRIVERS.items():
        if sys.platform.startswith(prefix):
            return drivers
    return ("pulseaudio", "alsa")
