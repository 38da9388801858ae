"""The built-in audition synth: FluidSynth playing an Arrangement with a General MIDI soundfont.

Two uses share one channel layout and one mix:

- ``render_arrangement`` renders offline to a float32 stereo buffer at ``SAMPLE_RATE``
  (``write_wav`` stores it), so the sound can be tested and exported without an audio device;
- ``SynthPlayer`` plays through the computer's audio output in real time, timed by the app's
  one scheduler (``playback.Player``), with a playhead (``position_beats``) and live
  mute/solo (``set_mix``) and live programs and volumes (``set_controls``).

Both send the synth exactly the messages a DAW gets over MIDI (``schedule_from_arrangement``,
one channel per track, General MIDI programs, drums on channel 10), so what you audition is
what you export. The mix is applied per channel on the way in.

FluidSynth is imported lazily, so this module imports (and the app runs silently) on a
machine without libfluidsynth; the first use raises ``SynthError`` with one sentence instead
(``core.synth_install`` finds the library, the soundfont and the audio driver).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import wave
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import mido
import numpy as np

from composer_gui.core import synth_level
from composer_gui.core.arrangement import Arrangement
from composer_gui.core.midi_writer import assign_channels
from composer_gui.core.playback import Player, schedule_from_arrangement
from composer_gui.core.synth_install import (
    SynthError,
    default_audio_drivers,
    find_soundfont,
    load_fluidsynth,
)

SAMPLE_RATE = 44100  # Hz, for rendering and for the audio driver
SYNTH_GAIN = synth_level.SYNTH_GAIN  # see synth_level.py for how the level was set
DEFAULT_VOLUME = 100  # CC7 value of an untouched track, the General MIDI default
TAIL_SECONDS = 1.0  # rendered after the last beat so releases and reverb are not cut
# Audio buffer: 4 periods of 1024 frames. Measured only through PulseAudio, on the test
# suite's null sink on a 2-core Linux VM: with 256-frame periods the stream held 3-4 ms
# (pactl's buffer latency) and was starved 20-55 times a second when idle (crackle; a
# recorded A4 read 429-443 Hz), with 512 a few times, with 1024 about 17 ms and no gap
# in 13 of 14 takes, idle or with both cores busy. Other drivers are unmeasured; where
# the buffer is all four periods (ALSA) that is about 93 ms, heard when playing live.
AUDIO_PERIOD_FRAMES = 1024
AUDIO_PERIODS = 4


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


class _Synth:
    """One FluidSynth instance with the soundfont loaded, played like a 16-channel GM device."""

    def __init__(self, soundfont: str | os.PathLike[str] | None = None) -> None:
        fluidsynth = load_fluidsynth()
        self.soundfont_path = find_soundfont(soundfont)
        self.fs = fluidsynth.Synth(gain=SYNTH_GAIN, samplerate=float(SAMPLE_RATE), channels=16)
        synth_level.set_velocity_range(fluidsynth, self.fs, synth_level.VELOCITY_RANGE_CB)
        self.soundfont_id = self.fs.sfload(str(self.soundfont_path))
        if self.soundfont_id < 0:
            self.fs.delete()
            raise SynthError(
                f"The soundfont {self.soundfont_path} could not be loaded; "
                "choose another General MIDI soundfont in Preferences."
            )

    def send(self, message: mido.Message) -> None:
        channel = getattr(message, "channel", 0)
        if message.type == "note_on" and message.velocity > 0:
            self.fs.noteon(channel, message.note, message.velocity)
        elif message.type in ("note_on", "note_off"):
            self.fs.noteoff(channel, message.note)
        elif message.type == "program_change":
            # FluidSynth, like any GM device, takes channel 10's programs from the drum bank.
            self.fs.program_change(channel, message.program)
        elif message.type == "control_change":
            self.fs.cc(channel, message.control, message.value)
        elif message.type == "pitchwheel":
            self.fs.pitch_bend(channel, message.pitch)

    def samples(self, n_frames: int) -> np.ndarray:
        """The next ``n_frames`` of audio, float32 in [-1, 1], shape (frame, 2)."""
        if n_frames <= 0:
            return np.zeros((0, 2), dtype=np.float32)
        raw = self.fs.get_samples(n_frames)  # interleaved int16, left then right
        return (raw.reshape(-1, 2).astype(np.float32) / 32768.0)[:n_frames]

    def delete(self) -> None:
        self.fs.delete()


def track_channels(arrangement: Arrangement) -> list[int]:
    """The MIDI channel each track plays on: the one an exported file or the DAW gets."""
    return assign_channels(arrangement.tracks)


class _MixingSink:
    """A mido-style output (``send``) into the synth that applies a Mix per channel.

    Mute and solo are decided when a note starts, so they can change while playing. A channel
    is silent when every track on it is, and takes the volume of its last track (only drum
    tracks share a channel, or parts beyond the fifteenth). The first
    ``skip_note_ons_in`` messages are the ones before the start position, which the player
    sends at once: their program and controller changes are applied, their notes dropped.

    The mix's volumes are set once, at the start (a render's, or a Play's before the
    schedule's own CC 7); a volume changed while playing goes through the player's live
    controls (``SynthPlayer.set_controls``), which hold it over a loop's restart. Session
    18 left ``set_mix`` setting CC 7 too, so a moved slider reached FluidSynth twice.
    """

    closed = False

    def __init__(
        self, synth: _Synth, channels: list[int], mix: Mix, skip_note_ons_in: int = 0
    ) -> None:
        self._synth = synth
        self._channels = channels
        self._lock = threading.Lock()
        self._skip = skip_note_ons_in
        self._audible_channels: set[int] = set()
        for index, channel in enumerate(channels):
            synth.fs.cc(channel, 7, mix.volume(index))
        self.set_mix(mix)

    def set_mix(self, mix: Mix) -> None:
        """Mute and solo (its volumes are not read: see the class)."""
        with self._lock:
            audible = {c for i, c in enumerate(self._channels) if mix.is_audible(i)}
            for channel in set(self._channels) - audible:
                self._synth.fs.cc(channel, 120, 0)  # All Sound Off: cut at once, as a mute does
            self._audible_channels = audible

    def send(self, message: mido.Message) -> None:
        with self._lock:
            starts_note = message.type == "note_on" and message.velocity > 0
            if self._skip > 0:
                self._skip -= 1
                if starts_note:
                    return
            if starts_note and message.channel not in self._audible_channels:
                return
            self._synth.send(message)


# --- time: beats and seconds under the arrangement's tempo map ---------------------------


def beat_at(arrangement: Arrangement, seconds: float) -> float:
    """The beat sounding ``seconds`` after the start; the inverse of ``seconds_at``."""
    return arrangement.tempo_map().beat_at(seconds)


# --- offline rendering --------------------------------------------------------------------


def render_arrangement(
    arrangement: Arrangement,
    mix: Mix | None = None,
    soundfont: str | os.PathLike[str] | None = None,
    tail_seconds: float = TAIL_SECONDS,
) -> np.ndarray:
    """The arrangement as heard, float32 stereo at SAMPLE_RATE, shape (frame, 2).

    Its length is the arrangement's length at its tempo plus ``tail_seconds``. The messages
    are the very ones the player sends (``playback.schedule_from_arrangement``). A fresh
    synth is made per call so two renders of the same input are identical (FluidSynth shares
    the soundfont's samples between instances, so only the first load is slow).
    """
    mix = mix or Mix()
    schedule = schedule_from_arrangement(arrangement)
    total_frames = round(arrangement.seconds_at(arrangement.length_beats()) * SAMPLE_RATE)
    total_frames += round(tail_seconds * SAMPLE_RATE)
    synth = _Synth(soundfont)
    try:
        sink = _MixingSink(synth, track_channels(arrangement), mix)
        chunks = []
        frame = 0
        for event in schedule.events:
            event_frame = min(
                round(schedule.tempo.seconds_at(event.beat) * SAMPLE_RATE), total_frames
            )
            chunks.append(synth.samples(event_frame - frame))
            frame = max(frame, event_frame)
            sink.send(event.message)
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

LIVE_CHANNEL = 15  # 0-based: channel 16, for notes played live


class SynthPlayer:
    """Plays arrangements through the audio output; one arrangement at a time.

    The audio driver starts in ``__init__`` (so a missing device is reported once, up front)
    and runs until ``close``. Timing is the app's one scheduler, ``playback.Player``, sending
    into the synth instead of a MIDI port.
    """

    def __init__(
        self,
        soundfont: str | os.PathLike[str] | None = None,
        audio_driver: str | None = None,
        audio_device: str | None = None,
    ) -> None:
        self._synth = _Synth(soundfont)
        self._driver_handle = None
        self.audio_driver = self._start_audio(audio_driver, audio_device)
        self._player: Player | None = None
        self._sink: _MixingSink | None = None
        self._arrangement: Arrangement | None = None
        self._length_seconds = 0.0
        self._loop = False
        self._stopped_at_beats = 0.0

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

    def play(
        self,
        arrangement: Arrangement,
        mix: Mix | None = None,
        start_beat: float = 0.0,
        loop: bool = False,
    ) -> None:
        """Play from ``start_beat`` to the end of the last bar; a loop wraps to beat 0."""
        self.stop()
        self._synth.fs.system_reset()  # programs, controllers and voices from the last take
        schedule = schedule_from_arrangement(arrangement)
        skipped = bisect_left([event.beat for event in schedule.events], start_beat)
        self._sink = _MixingSink(self._synth, track_channels(arrangement), mix or Mix(), skipped)
        self._arrangement = arrangement
        self._length_seconds = schedule.seconds()
        self._loop = loop
        self._player = Player(self._sink, schedule, loop=loop)
        # Beat 0 lies in the past, so playing starts at start_beat.
        self._player.start(at=time.perf_counter() - arrangement.seconds_at(start_beat))

    def play_on(self, arrangement: Arrangement, at_beat: float) -> None:
        """The arrangement changed while playing: heard from ``at_beat`` (a barline) on
        (``Player.replace_schedule``), the same tracks on the same channels."""
        if self._player is None:
            return
        schedule = schedule_from_arrangement(arrangement)
        self._player.replace_schedule(schedule, at_beat)
        self._arrangement = arrangement
        self._length_seconds = schedule.seconds()

    def stop(self) -> None:
        """Stop at once; every sounding note is released."""
        if self._player is None:
            return
        self._stopped_at_beats = self.position_beats
        self._player.stop()
        self._player = None

    @property
    def is_playing(self) -> bool:
        return self._player is not None and self._player.playing

    @property
    def position_beats(self) -> float:
        """Where the playhead is, in beats; it stays where playback stopped."""
        if self._player is None or self._arrangement is None:
            return self._stopped_at_beats
        seconds = max(self._player.pass_position_seconds(), 0.0)
        return beat_at(self._arrangement, min(seconds, self._length_seconds))

    def note_on(self, pitch: int, velocity: int = 100, program: int = 0) -> None:
        """Sound a note played live (on-screen piano, letter keys) until ``note_off``.

        Live notes use channel 16, which no track uses (tracks take the first channels,
        drums channel 10), so playing along never cuts a track's notes.
        """
        fs = self._synth.fs
        fs.program_change(LIVE_CHANNEL, program)
        fs.noteon(LIVE_CHANNEL, int(pitch), int(velocity))

    def note_off(self, pitch: int) -> None:
        self._synth.fs.noteoff(LIVE_CHANNEL, int(pitch))

    def set_mix(self, mix: Mix) -> None:
        """Change mute and solo while playing; newly silenced tracks stop at once. A volume
        goes through ``set_controls`` (a CC 7), the one route."""
        if self._sink is not None:
            self._sink.set_mix(mix)

    def set_controls(self, messages: list[mido.Message]) -> None:
        """Programs and channel volumes changed while playing (an instrument chosen):
        heard from the next note (``Player.set_controls``); nothing when nothing plays."""
        if self._player is not None and self._player.playing:
            self._player.set_controls(messages)

    def close(self) -> None:
        """Stop and release the audio device and the synth."""
        self.stop()
        if self._driver_handle:
            load_fluidsynth().delete_fluid_audio_driver(self._driver_handle)
            self._driver_handle = None
            self._synth.delete()

    def __enter__(self) -> SynthPlayer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
