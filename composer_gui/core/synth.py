"""The built-in audition synth: FluidSynth playing an Arrangement with a General MIDI soundfont.

Two uses share one channel layout and one mix:

- ``render_arrangement`` renders offline to a float32 stereo buffer at ``SAMPLE_RATE``
  (``write_wav`` stores it), so the sound can be tested and exported without an audio device;
- ``SynthPlayer`` plays through the computer's audio output in real time, with its own small
  scheduler thread, a playhead (``position_beats``) and live mute/solo (``set_mix``).

Inside the synth each track gets its own channel (track index = synth channel), whatever
``Track.channel`` says: that keeps per-track volume (CC7) and live muting independent even
when two tracks share a MIDI channel. ``Track.channel`` only decides drums: a track with
``is_drum`` or on MIDI channel 10 (index 9) plays from the percussion bank.

FluidSynth is imported lazily, so this module imports (and the app runs silently) on a
machine without libfluidsynth; the first use raises ``SynthError`` with one sentence instead.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import wave
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import mido
import numpy as np

from composer_gui.core.arrangement import Arrangement
from composer_gui.core.errors import ComposerError

SAMPLE_RATE = 44100  # Hz, for rendering and for the audio driver
SYNTH_GAIN = 0.5  # FluidSynth master gain; four loud tracks stay below clipping at this level
DEFAULT_VOLUME = 100  # CC7 value of an untouched track, the General MIDI default
TAIL_SECONDS = 1.0  # rendered after the last beat so releases and reverb are not cut
DRUM_CHANNEL = 9  # MIDI channel 10, the General MIDI percussion channel
PERCUSSION_BANK = 128  # SoundFont bank that holds the drum kits
MAX_TRACKS = 64  # synth channels allocated; one per track
# Audio buffer: 8 periods of 256 frames, about 46 ms. Auditioning tolerates that latency, and
# it keeps the sound whole when the CPU is busy generating or training.
AUDIO_PERIOD_FRAMES = 256
AUDIO_PERIODS = 8

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


@dataclass(frozen=True)
class Mix:
    """Per-track mute, solo and volume, keyed by track index (0 is the melody).

    ``volumes`` holds MIDI channel volume (CC7, 0-127); a track not listed plays at
    ``DEFAULT_VOLUME``. When any track is soloed only soloed tracks sound; mute wins over solo.
    """

    muted: frozenset[int] = frozenset()
    soloed: frozenset[int] = frozenset()
    volumes: Mapping[int, int] = field(default_factory=dict)

    def is_audible(self, track_index: int) -> bool:
        if track_index in self.muted:
            return False
        return not self.soloed or track_index in self.soloed

    def volume(self, track_index: int) -> int:
        value = int(self.volumes.get(track_index, DEFAULT_VOLUME))
        if not 0 <= value <= 127:
            raise ValueError(f"volume of track {track_index} must be in range 0..127, not {value}")
        return value


# --- FluidSynth and the soundfont ---------------------------------------------------------


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
    return [Path(platformdirs.user_data_dir("Composer", appauthor=False)) / "soundfonts"]


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


class _Synth:
    """One FluidSynth instance with the soundfont loaded and a channel per track."""

    def __init__(self, soundfont: str | os.PathLike[str] | None = None) -> None:
        fluidsynth = load_fluidsynth()
        self.soundfont_path = find_soundfont(soundfont)
        self.fs = fluidsynth.Synth(
            gain=SYNTH_GAIN, samplerate=float(SAMPLE_RATE), channels=MAX_TRACKS
        )
        self.soundfont_id = self.fs.sfload(str(self.soundfont_path))
        if self.soundfont_id < 0:
            self.fs.delete()
            raise SynthError(
                f"The soundfont {self.soundfont_path} could not be loaded; "
                "choose another General MIDI soundfont in Preferences."
            )

    def set_up_tracks(self, arrangement: Arrangement, mix: Mix) -> None:
        if len(arrangement.tracks) > MAX_TRACKS:
            raise SynthError(
                f"The built-in synth plays at most {MAX_TRACKS} tracks, and this arrangement "
                f"has {len(arrangement.tracks)}; send it to a MIDI output instead."
            )
        for index, track in enumerate(arrangement.tracks):
            drums = track.is_drum or track.channel == DRUM_CHANNEL
            bank = PERCUSSION_BANK if drums else 0
            if self.fs.program_select(index, self.soundfont_id, bank, track.program) < 0:
                # A soundfont without that preset: fall back to its first one rather than silence.
                self.fs.program_select(index, self.soundfont_id, bank, 0)
            self.fs.cc(index, 7, mix.volume(index))

    def send(self, channel: int, message: mido.Message) -> None:
        if message.type == "note_on" and message.velocity > 0:
            self.fs.noteon(channel, message.note, message.velocity)
        elif message.type in ("note_on", "note_off"):
            self.fs.noteoff(channel, message.note)
        elif message.type == "control_change":
            self.fs.cc(channel, message.control, message.value)

    def all_notes_off(self, channels: Iterable[int]) -> None:
        for channel in channels:
            self.fs.cc(channel, 123, 0)  # All Notes Off: notes release as if keys were let go

    def samples(self, n_frames: int) -> np.ndarray:
        """The next ``n_frames`` of audio, float32 in [-1, 1], shape (frame, 2)."""
        if n_frames <= 0:
            return np.zeros((0, 2), dtype=np.float32)
        raw = self.fs.get_samples(n_frames)  # interleaved int16, left then right
        return (raw.reshape(-1, 2).astype(np.float32) / 32768.0)[:n_frames]

    def delete(self) -> None:
        self.fs.delete()


# --- time: beats and seconds under the arrangement's tempo map ---------------------------


def beat_at(arrangement: Arrangement, seconds: float) -> float:
    """The beat sounding ``seconds`` after the start; the inverse of ``seconds_at``."""
    beat, bpm = 0.0, arrangement.tempo_bpm
    for change_beat, change_bpm in arrangement.tempo_changes:
        if arrangement.seconds_at(change_beat) >= seconds:
            break
        beat, bpm = change_beat, change_bpm
    return beat + (seconds - arrangement.seconds_at(beat)) * bpm / 60.0


def loop_length_beats(arrangement: Arrangement) -> float:
    """A loop spans whole bars, so the downbeat stays in place when it wraps around."""
    return arrangement.bar_count() * arrangement.beats_per_bar()


def _track_events(arrangement: Arrangement, start_beat: float = 0.0):
    """(seconds, track index, message) for every note from ``start_beat`` on, in play order.

    At equal times note-offs come first, so a repeated pitch is struck again, not cut off.
    """
    events = []
    for index, track in enumerate(arrangement.tracks):
        for note in track.notes:
            if note.start_beat < start_beat or note.duration_beats <= 0:
                continue
            on = arrangement.seconds_at(note.start_beat)
            off = arrangement.seconds_at(note.end_beat)
            events.append(
                (on, 1, index, mido.Message("note_on", note=note.pitch, velocity=note.velocity))
            )
            events.append((off, 0, index, mido.Message("note_off", note=note.pitch)))
    events.sort(key=lambda e: (e[0], e[1], e[2], e[3].note))
    return [(seconds, index, message) for seconds, _, index, message in events]


# --- offline rendering --------------------------------------------------------------------


def render_arrangement(
    arrangement: Arrangement,
    mix: Mix | None = None,
    soundfont: str | os.PathLike[str] | None = None,
    tail_seconds: float = TAIL_SECONDS,
) -> np.ndarray:
    """The arrangement as heard, float32 stereo at SAMPLE_RATE, shape (frame, 2).

    Its length is the arrangement's length at its tempo plus ``tail_seconds``. A fresh synth
    is made per call so two renders of the same input are identical (FluidSynth shares the
    soundfont's samples between instances, so only the first load is slow).
    """
    mix = mix or Mix()
    total_frames = round(arrangement.seconds_at(arrangement.length_beats()) * SAMPLE_RATE)
    total_frames += round(tail_seconds * SAMPLE_RATE)
    synth = _Synth(soundfont)
    try:
        synth.set_up_tracks(arrangement, mix)
        chunks = []
        frame = 0
        for seconds, index, message in _track_events(arrangement):
            if not mix.is_audible(index):
                continue
            event_frame = min(round(seconds * SAMPLE_RATE), total_frames)
            chunks.append(synth.samples(event_frame - frame))
            frame = max(frame, event_frame)
            synth.send(index, message)
        chunks.append(synth.samples(total_frames - frame))
    finally:
        synth.delete()
    return np.concatenate(chunks).astype(np.float32, copy=False)


def write_wav(audio: np.ndarray, path: str | os.PathLike[str]) -> None:
    """Write (frame, 2) float audio as 16-bit stereo WAV at SAMPLE_RATE, atomically."""
    path = Path(path)
    pcm = (np.clip(audio, -1.0, 1.0) * 32767.0).round().astype("<i2")
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with wave.open(tmp_name, "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(pcm.tobytes())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def render_to_wav(
    arrangement: Arrangement,
    path: str | os.PathLike[str],
    mix: Mix | None = None,
    soundfont: str | os.PathLike[str] | None = None,
) -> None:
    """Render the arrangement and store it as a WAV file."""
    write_wav(render_arrangement(arrangement, mix, soundfont), path)


# --- realtime audition --------------------------------------------------------------------


def default_audio_drivers() -> tuple[str, ...]:
    for prefix, drivers in DEFAULT_AUDIO_DRIVERS.items():
        if sys.platform.startswith(prefix):
            return drivers
    return ("pulseaudio", "alsa")


class SynthPlayer:
    """Plays arrangements through the audio output; one arrangement at a time.

    The audio driver starts in ``__init__`` (so a missing device is reported once, up front)
    and runs until ``close``. ``play`` starts a scheduler thread that sends each note at its
    absolute time from the start, so timing does not drift with the thread's wake-ups.
    """

    def __init__(
        self,
        soundfont: str | os.PathLike[str] | None = None,
        audio_driver: str | None = None,
        audio_device: str | None = None,
    ) -> None:
        self._synth = _Synth(soundfont)
        self.audio_driver = self._start_audio(audio_driver, audio_device)
        self._lock = threading.Lock()  # guards mix, held notes and the clock origin
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._mix = Mix()
        self._n_tracks = 0
        self._held: set[tuple[int, int]] = set()  # (channel, pitch) now sounding
        self._arrangement: Arrangement | None = None
        self._origin: float | None = None  # perf_counter() at beat 0 of the current pass
        self._end_seconds = 0.0
        self._position_beats = 0.0

    def _start_audio(self, driver: str | None, device: str | None) -> str:
        fluidsynth = load_fluidsynth()
        fs = self._synth.fs
        fs.setting("audio.period-size", AUDIO_PERIOD_FRAMES)
        fs.setting("audio.periods", AUDIO_PERIODS)
        for name in (driver,) if driver else default_audio_drivers():
            fs.setting("audio.driver", name)
            if device:
                fs.setting(f"audio.{name}.device", device)
            handle = fluidsynth.new_fluid_audio_driver(fs.settings, fs.synth)
            if handle:
                self._driver_handle = handle
                return name
        self._synth.delete()
        tried = driver or " or ".join(default_audio_drivers())
        raise SynthError(
            f"The audio output ({tried}) could not be opened; check the audio output in "
            "Preferences or send the music to a MIDI output instead."
        )

    # -- public --

    def play(
        self,
        arrangement: Arrangement,
        mix: Mix | None = None,
        start_beat: float = 0.0,
        loop: bool = False,
    ) -> None:
        """Start playing from ``start_beat``; a loop wraps to beat 0 after the last whole bar."""
        self.stop()
        mix = mix or Mix()
        self._synth.set_up_tracks(arrangement, mix)
        events = _track_events(arrangement)
        end_beat = loop_length_beats(arrangement) if loop else arrangement.length_beats()
        end_seconds = arrangement.seconds_at(end_beat)
        start_seconds = arrangement.seconds_at(start_beat)
        with self._lock:
            self._mix = mix
            self._n_tracks = len(arrangement.tracks)
            self._arrangement = arrangement
            self._end_seconds = end_seconds
            self._origin = time.perf_counter() - start_seconds
            self._position_beats = start_beat
        self._stop_requested.clear()
        self._thread = threading.Thread(
            target=self._run,
            args=(events, start_seconds, end_seconds, loop),
            name="composer-synth-player",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop at once; every sounding note is released."""
        thread = self._thread
        if thread is None:
            return
        self._stop_requested.set()
        thread.join()
        self._thread = None

    @property
    def is_playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def position_beats(self) -> float:
        """Where the playhead is, in beats; it stays where playback stopped."""
        with self._lock:
            if self._origin is None or self._arrangement is None:
                return self._position_beats
            seconds = min(max(time.perf_counter() - self._origin, 0.0), self._end_seconds)
            return beat_at(self._arrangement, seconds)

    def set_mix(self, mix: Mix) -> None:
        """Change mute, solo and volume while playing; newly silenced tracks stop at once."""
        with self._lock:
            self._mix = mix
            for index in range(self._n_tracks):
                self._synth.fs.cc(index, 7, mix.volume(index))
                if not mix.is_audible(index):
                    self._silence(index)

    def close(self) -> None:
        """Stop and release the audio device and the synth."""
        self.stop()
        if getattr(self, "_driver_handle", None):
            load_fluidsynth().delete_fluid_audio_driver(self._driver_handle)
            self._driver_handle = None
            self._synth.delete()

    def __enter__(self) -> SynthPlayer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the scheduler thread --

    def _run(self, events, start_seconds: float, end_seconds: float, loop: bool) -> None:
        first = bisect_right([seconds for seconds, _, _ in events], start_seconds - 1e-9)
        try:
            while True:
                for seconds, index, message in events[first:]:
                    if self._wait_until(seconds):
                        return
                    self._dispatch(index, message)
                if self._wait_until(end_seconds) or not loop:
                    return
                with self._lock:
                    self._release_all()
                    self._origin += end_seconds
                first = 0
        finally:
            with self._lock:
                self._release_all()
                if self._origin is not None and self._arrangement is not None:
                    seconds = min(max(time.perf_counter() - self._origin, 0.0), end_seconds)
                    self._position_beats = beat_at(self._arrangement, seconds)
                self._origin = None

    def _wait_until(self, seconds: float) -> bool:
        """Sleep until ``seconds`` after the pass's origin; True when stop was requested."""
        with self._lock:
            due = self._origin + seconds
        delay = due - time.perf_counter()
        if delay > 0:
            return self._stop_requested.wait(delay)
        return self._stop_requested.is_set()

    def _dispatch(self, index: int, message: mido.Message) -> None:
        with self._lock:
            if message.type == "note_on":
                if not self._mix.is_audible(index):
                    return
                self._held.add((index, message.note))
            else:
                if (index, message.note) not in self._held:
                    return
                self._held.discard((index, message.note))
            self._synth.send(index, message)

    def _silence(self, index: int) -> None:
        """Cut a track at once, tails included, as a mixer's mute button does."""
        self._held = {held for held in self._held if held[0] != index}
        self._synth.fs.cc(index, 120, 0)  # All Sound Off

    def _release_all(self) -> None:
        for channel, pitch in self._held:
            self._synth.fs.noteoff(channel, pitch)
        self._held.clear()
        self._synth.all_notes_off(range(self._n_tracks))
