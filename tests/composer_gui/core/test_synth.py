"""The built-in synth, with the real FluidSynth and a real General MIDI soundfont.

Offline renders are checked by their spectrum and loudness; realtime playback goes through a
private PulseAudio null sink and is recorded back with ``parec``.
"""

from __future__ import annotations

import sys
import time
import wave

import numpy as np
import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.synth import (
    SAMPLE_RATE,
    TAIL_SECONDS,
    Mix,
    SynthPlayer,
    beat_at,
    render_arrangement,
    write_wav,
)
from composer_gui.core.synth_install import SynthError, load_fluidsynth
from tests.support.sound import band_energy, rms

A4, C_SHARP5, A2 = 69, 73, 45


def one_note(pitch=A4, velocity=100, beats=1.0, tempo_bpm=120.0, program=0) -> Arrangement:
    track = Track("melody", [Note(pitch, 0.0, beats, velocity)], program=program)
    return Arrangement([track], tempo_bpm=tempo_bpm)


def peak_hz(audio: np.ndarray) -> float:
    """The strongest frequency; zero-padded to 4 s so the bins are 0.25 Hz apart."""
    mono = audio.mean(axis=1)
    n_fft = max(len(mono), 4 * SAMPLE_RATE)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono)), n=n_fft))
    return float(np.fft.rfftfreq(n_fft, 1.0 / SAMPLE_RATE)[np.argmax(spectrum)])


def dropouts(audio: np.ndarray, min_frames: int = 20) -> int:
    """Runs of digital silence inside the sound: where the audio output was starved of
    samples (an underrun), heard as crackle. A decaying note never sits at exactly zero
    for 20 frames before its last audible sample."""
    mono = audio.mean(axis=1)
    audible = np.flatnonzero(np.abs(mono) > 1e-4)
    if audible.size == 0:
        return 0
    silent = (mono[audible[0] : audible[-1]] == 0).astype(np.int8)
    edges = np.diff(np.concatenate([[0], silent, [0]]))
    return int(((np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)) >= min_frames).sum())


# --- offline rendering --------------------------------------------------------------------


def test_a4_renders_at_440_hz(soundfont):
    audio = render_arrangement(one_note(A4), soundfont=soundfont)
    assert audio.dtype == np.float32 and audio.shape[1] == 2
    assert abs(peak_hz(audio) - 440.0) < 3.0
    assert rms(audio) > 0.01


def test_silence_renders_silent(soundfont):
    silent = Arrangement([Track("melody", [])])
    audio = render_arrangement(silent, soundfont=soundfont)
    assert len(audio) == round(TAIL_SECONDS * SAMPLE_RATE)
    assert rms(audio) < 1e-4


@pytest.mark.parametrize(
    ("tempo_bpm", "tempo_changes", "seconds"),
    [(120.0, [], 4.0), (60.0, [], 8.0), (120.0, [(4.0, 60.0)], 6.0)],
)
def test_length_follows_the_tempo_map(soundfont, tempo_bpm, tempo_changes, seconds):
    notes = [Note(60 + i, float(i), 1.0) for i in range(8)]  # 8 beats
    arrangement = Arrangement([Track("melody", notes)], tempo_bpm, tempo_changes=tempo_changes)
    audio = render_arrangement(arrangement, soundfont=soundfont, tail_seconds=0.5)
    assert len(audio) == round((seconds + 0.5) * SAMPLE_RATE)


def test_note_starts_at_its_time(soundfont):
    # At 120 bpm a note on beat 2 starts one second in: silence before, sound after.
    arrangement = Arrangement([Track("melody", [Note(A4, 2.0, 1.0, 100)])], tempo_bpm=120.0)
    audio = render_arrangement(arrangement, soundfont=soundfont)
    second = SAMPLE_RATE
    assert rms(audio[: second - 200]) < 1e-4
    assert rms(audio[second + 200 : second + 5000]) > 0.01


def two_tracks() -> Arrangement:
    melody = Track("melody", [Note(A4, 0.0, 2.0, 100)], program=0)
    bass = Track("bass", [Note(A2, 0.0, 2.0, 100)], program=32, channel=3)
    return Arrangement([melody, bass], tempo_bpm=120.0)


def test_muted_track_contributes_nothing(soundfont):
    melody_only = Arrangement([two_tracks().tracks[0]], tempo_bpm=120.0)
    reference = render_arrangement(melody_only, soundfont=soundfont)
    both = render_arrangement(two_tracks(), soundfont=soundfont)
    muted = render_arrangement(two_tracks(), Mix(muted=frozenset({1})), soundfont=soundfont)
    soloed = render_arrangement(two_tracks(), Mix(soloed=frozenset({0})), soundfont=soundfont)
    assert rms(both - reference) > 0.01  # the bass is heard when not muted
    assert rms(muted - reference) < 1e-6
    assert rms(soloed - reference) < 1e-6


def test_mute_wins_over_solo():
    mix = Mix(muted=frozenset({0}), soloed=frozenset({0, 2}))
    assert [mix.is_audible(i) for i in range(4)] == [False, False, True, False]


def test_louder_velocity_renders_louder(soundfont):
    soft = render_arrangement(one_note(velocity=30), soundfont=soundfont)
    loud = render_arrangement(one_note(velocity=120), soundfont=soundfont)
    assert rms(loud) > 2 * rms(soft)


def test_track_volume_scales_the_track(soundfont):
    full = render_arrangement(one_note(), Mix(volumes={0: 127}), soundfont=soundfont)
    half = render_arrangement(one_note(), Mix(volumes={0: 64}), soundfont=soundfont)
    # General MIDI volume is an amplitude curve of (cc/127)^2: 64 is about a quarter.
    assert 0.15 < rms(half) / rms(full) < 0.4
    with pytest.raises(ValueError, match="0..127"):
        Mix(volumes={0: 200}).volume(0)


def test_program_changes_the_sound(soundfont):
    piano = render_arrangement(one_note(program=0), soundfont=soundfont)
    violin = render_arrangement(one_note(program=40), soundfont=soundfont)
    assert abs(peak_hz(violin) - 440.0) < 3.0
    assert rms(piano - violin) > 0.01


def test_drum_track_plays_the_percussion_bank(soundfont):
    # Pitch 42 on a piano is a quiet low F#; on the drum kit it is a closed hi-hat, whose
    # energy lies far above the piano note's fundamental.
    def render(is_drum: bool) -> np.ndarray:
        track = Track("drums", [Note(42, 0.0, 1.0, 110)], is_drum=is_drum)
        return render_arrangement(Arrangement([track]), soundfont=soundfont)

    assert peak_hz(render(is_drum=True)) > 2000.0
    assert peak_hz(render(is_drum=False)) < 400.0


def test_renders_are_identical(soundfont):
    first = render_arrangement(two_tracks(), soundfont=soundfont)
    second = render_arrangement(two_tracks(), soundfont=soundfont)
    assert np.array_equal(first, second)


def test_write_wav_round_trip(soundfont, tmp_path):
    audio = render_arrangement(one_note(), soundfont=soundfont)
    path = tmp_path / "take.wav"
    write_wav(audio, path)
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 44100)
        assert wav.getnframes() == len(audio)
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)
    assert np.max(np.abs(pcm / 32767.0 - audio)) < 1e-4
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_beat_at_inverts_seconds_at():
    arrangement = Arrangement([Track("melody", [])], 120.0, tempo_changes=[(4.0, 60.0)])
    for beat in (0.0, 1.5, 4.0, 5.25, 9.0):
        assert beat_at(arrangement, arrangement.seconds_at(beat)) == pytest.approx(beat)
    assert beat_at(arrangement, 3.0) == pytest.approx(5.0)  # 2 s for 4 beats, then 1 s a beat


def test_missing_fluidsynth_library_is_one_sentence(monkeypatch):
    monkeypatch.setitem(sys.modules, "fluidsynth", None)  # import now raises ImportError
    with pytest.raises(SynthError, match="FluidSynth is not installed"):
        load_fluidsynth()
    with pytest.raises(SynthError, match="FluidSynth is not installed"):
        render_arrangement(one_note())


def test_unloadable_soundfont_is_reported(soundfont, tmp_path):
    bogus = tmp_path / "broken.sf2"
    bogus.write_bytes(b"RIFF0000sfbk but not really")
    with pytest.raises(SynthError, match="broken.sf2 could not be loaded"):
        render_arrangement(one_note(), soundfont=bogus)


# --- realtime audition through PulseAudio -------------------------------------------------


@pytest.fixture
def player(soundfont, pulse_server):
    with SynthPlayer(soundfont, audio_driver="pulseaudio") as player:
        yield player


def wait_until_stopped(player: SynthPlayer, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while player.is_playing and time.monotonic() < deadline:
        time.sleep(0.01)


def test_player_sounds_a4_through_the_audio_output(player, pulse_recording):
    player.play(one_note(A4, beats=4.0, tempo_bpm=240.0))  # a bar of one second
    assert player.is_playing
    wait_until_stopped(player, 3.0)
    assert not player.is_playing
    time.sleep(0.3)  # let the release and the sink's latency pass
    audio = pulse_recording.stop()
    assert rms(audio) > 0.005
    # 5 Hz is a fifth of a semitone: the right note, with room for a dropout on a busy CPU.
    assert abs(peak_hz(audio) - 440.0) < 5.0
    # With 256-frame periods PulseAudio starved the stream 20-55 times in this second.
    assert dropouts(audio) <= 1


def test_a_note_played_live_sounds_until_released(player, pulse_recording):
    """Released, not hanging: told by the sound dying away after the note-off, however
    late a loaded machine delivers it, not by a quiet last 0.2 s after a fixed wait. A
    flute (GM 74) holds its level, so a hanging note never dies away."""
    player.note_on(A4, 100, program=73)
    time.sleep(0.8)
    player.note_off(A4)
    audio = pulse_recording.stop_once_quiet(level=1e-3, window_seconds=0.2)
    assert rms(audio) > 0.005
    assert abs(peak_hz(audio) - 440.0) < 5.0


def bracket_seconds(began: tuple[float, float], read) -> tuple[float, float, float]:
    """(least, value, most): ``read()`` and the seconds played when it was read, at
    least and at most (``began``: perf_counter just before and just after play). The
    playhead is judged against the time that really passed, which a loaded machine
    stretches, rather than against the sleep asked for."""
    before = time.perf_counter()
    value = read()
    after = time.perf_counter()
    return before - began[1], value, after - began[0]


def test_play_from_a_later_beat_skips_what_comes_before(player, pulse_recording):
    # A4 held for the whole bar, C#5 from beat 2: starting on beat 2 sounds only the C#5
    # (notes begun before the start position are not picked up mid-way).
    notes = [Note(A4, 0.0, 4.0, 100), Note(C_SHARP5, 2.0, 2.0, 100)]
    began = time.perf_counter()
    player.play(Arrangement([Track("melody", notes, program=73)], tempo_bpm=240.0), start_beat=2.0)
    began = (began, time.perf_counter())
    least, beats, most = bracket_seconds(began, lambda: player.position_beats)
    assert 2.0 + 4 * least - 0.05 <= beats <= 2.0 + 4 * most + 0.05  # from beat 2, not 0
    wait_until_stopped(player, 3.0)
    time.sleep(0.2)
    audio = pulse_recording.stop()
    assert band_energy(audio, 554.4) > 100 * band_energy(audio, 440.0)


def test_unknown_audio_driver_is_one_sentence(soundfont):
    with pytest.raises(SynthError, match="audio output .* could not be opened"):
        SynthPlayer(soundfont, audio_driver="no-such-driver")


def test_playhead_follows_the_tempo(player):
    arrangement = one_note(beats=8.0, tempo_bpm=120.0)  # 4 seconds, 2 beats a second
    began = time.perf_counter()
    player.play(arrangement, start_beat=2.0)
    began = (began, time.perf_counter())
    time.sleep(0.5)
    least, beats, most = bracket_seconds(began, lambda: player.position_beats)
    assert least < 3.0  # still inside the note, or the bound below proves nothing
    assert 2.0 + 2 * least - 0.05 <= beats <= 2.0 + 2 * most + 0.05
    player.stop()
    stopped_at = player.position_beats
    assert not player.is_playing
    time.sleep(0.1)
    assert player.position_beats == stopped_at  # the playhead stays where it stopped


def test_stop_releases_every_note(player, pulse_recording):
    # A flute (GM 74) would sound for the whole 8 seconds if its note were left hanging.
    # Told by the sound dying away after stop(), not by a quiet last 0.3 s after a fixed
    # wait: the release, the reverb and the server's latency outlast such a wait on a
    # loaded machine (the same wait failed stop 27's CI in test_app_audio).
    player.play(one_note(A4, beats=16.0, program=73))
    time.sleep(0.4)
    player.stop()
    assert not player.is_playing
    audio = pulse_recording.stop_once_quiet(level=1e-3, window_seconds=0.3)
    assert rms(audio) > 0.005


def test_live_mute_silences_a_track(player, pulse_recording):
    """Both pitches heard, then the mute heard: each told by which pitch the recording
    holds, waited for, not by windows counted from the end of a recording stopped at a
    fixed time (a stress run under load found the 'both' window short of C#5, 0.05 of
    A4's energy). The mute must be heard while the notes still sound (3.5 s of them
    are left): an unheard mute keeps C#5 to the end and fails."""
    # A flute (GM 74) holds its level, so both pitches sound steadily until the mute.
    melody = Track("melody", [Note(A4, 0.0, 8.0, 100)], program=73)
    upper = Track("alto", [Note(C_SHARP5, 0.0, 8.0, 100)], program=73)
    player.play(Arrangement([melody, upper], tempo_bpm=120.0))  # four seconds

    def last(seconds: float):
        return pulse_recording.stop()[-int(seconds * SAMPLE_RATE) :]

    def both_sound() -> bool:
        window = last(0.3)
        return band_energy(window, 554.4) > 0.1 * band_energy(window, 440.0) > 0

    def only_a4_sounds() -> bool:
        window = last(0.3)
        return band_energy(window, 440.0) > 100 * band_energy(window, 554.4)

    wait_for(both_sound, timeout_seconds=2.0)
    player.set_mix(Mix(muted=frozenset({1})))
    wait_for(only_a4_sounds, timeout_seconds=3.0)
    assert player.is_playing  # heard while the notes still sound, not after their end
    player.stop()


def wait_for(condition, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while not condition():
        assert time.monotonic() < deadline, f"{condition.__name__} not within {timeout_seconds} s"
        time.sleep(0.05)


def test_a_volume_goes_to_fluidsynth_by_the_players_live_controls_alone(player, pulse_recording):
    """One route for a volume while playing (session 19): ``set_controls``' CC 7 is
    heard at once (a held flute falls to a fraction), and ``set_mix`` tells FluidSynth
    no CC 7 (it did, so a slider reached it twice) while it still cuts a muted track."""
    import mido

    player.play(one_note(A4, beats=8.0, program=73))  # four seconds of a held flute
    fs = player._synth.fs
    told, real_cc = [], fs.cc

    def cc(channel, control, value):
        told.append((channel, control, value))
        return real_cc(channel, control, value)

    fs.cc = cc
    try:
        time.sleep(0.6)
        player.set_mix(Mix(volumes={0: 30}))  # a volume in the mix: not this route
        time.sleep(0.1)
        assert not [t for t in told if t[1] == 7]
        player.set_controls([mido.Message("control_change", channel=0, control=7, value=30)])
        time.sleep(0.6)
    finally:
        fs.cc = real_cc
    audio = pulse_recording.stop()
    player.stop()
    assert told.count((0, 7, 30)) == 1
    # the recording's own timing varies with the audio server: compare its loudest
    # 0.2 s before the change with its last 0.2 s (both the flute's steady tone)
    frames = int(0.2 * SAMPLE_RATE)
    windows = [rms(audio[i : i + frames]) for i in range(0, len(audio) - frames, frames // 2)]
    assert rms(audio[-frames:]) < 0.3 * max(windows)


def test_loop_wraps_to_the_start(player):
    arrangement = Arrangement([Track("melody", [Note(A4, 0.0, 1.0)])], tempo_bpm=240.0)
    # One 4/4 bar at 240 bpm loops every second.
    began = time.perf_counter()
    player.play(arrangement, loop=True)
    began = (began, time.perf_counter())
    time.sleep(1.25)
    least, beats, most = bracket_seconds(began, lambda: player.position_beats)
    assert player.is_playing
    player.stop()
    assert least >= 1.0  # past the first pass's end: it wrapped, or it would have ended
    # 4 beats a second, counted from 0 again at each pass's start (a pass just ended
    # reads 4.0 until the player's thread begins the next one)
    assert 0.0 <= beats <= 4.0
    assert any(
        4 * least - 0.05 <= beats + 4 * passes <= 4 * most + 0.05 for passes in range(int(most) + 2)
    )


# --- level -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chorale_parts() -> list[list[Note]]:
    """Bach's four voices of BWV 66.6 (music21 corpus): a typical 4-track take."""
    from tests.support.music_files import load_corpus_score, music21_notes

    score = load_corpus_score("bach/bwv66.6", None)
    parts = [music21_notes(part) for part in score.parts[:4]]
    return [[Note(pitch, onset, length) for pitch, onset, length in part] for part in parts]


def chorale(parts, melody_velocity: int, velocity: int, programs) -> Arrangement:
    """The chorale as the engine writes a take: melody as played, the rest at one velocity."""
    tracks = [
        Track(
            name,
            [Note(n.pitch, n.start_beat, n.duration_beats, v) for n in notes],
            program=program,
        )
        for name, notes, v, program in zip(
            ("melody", "alto", "tenor", "bass"),
            parts,
            (melody_velocity, velocity, velocity, velocity),
            (73, *programs),
            strict=True,
        )
    ]
    return Arrangement(tracks, tempo_bpm=96.0)


@pytest.mark.parametrize("preset", ["organ", "strings", "choir", "brass", "piano"])
def test_a_typical_four_track_take_is_loud_enough_and_the_loudest_does_not_clip(
    soundfont, chorale_parts, preset
):
    from composer_gui.core.instruments import PRESETS

    programs = PRESETS[preset]
    typical = render_arrangement(chorale(chorale_parts, 100, 80, programs), soundfont=soundfont)
    softer = render_arrangement(chorale(chorale_parts, 80, 64, programs), soundfont=soundfont)
    loudest = render_arrangement(chorale(chorale_parts, 127, 127, programs), soundfont=soundfont)
    peaks = [float(np.abs(audio).max()) for audio in (softer, typical, loudest)]
    print(preset, "peaks (80/64, 100/80, 127/127):", [round(p, 2) for p in peaks])
    assert 0.35 < peaks[0] < peaks[1] < peaks[2]  # velocity still shapes the level
    assert 0.45 < peaks[1] < 0.8  # was 0.13-0.19 with FluidSynth's own velocity curve
    assert peaks[2] < 0.95  # FluidSynth's int16 output saturates at 1.0
