"""Standard MIDI Files out: an Arrangement to SMF type 1 (reading: ``core.midi_file``).

Writing produces one conductor track (tempo map, time signatures, chord markers) followed
by one named track per part, melody first, each on its own channel with its General MIDI
program (drums always on channel 10). The file is written to a temporary name beside the
target and moved into place, so a failed write never leaves half a file, and a failure
the user can cause (a missing or read-only folder, a full disk) raises ``MidiFileError``
with one sentence naming the target.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import mido

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import MeterError, MidiFileError
from composer_gui.core.midi_file import DRUM_CHANNEL, TICKS_PER_BEAT

CHANNEL_VOLUME = 7  # MIDI control change number: channel volume


def arrangement_to_midi(arrangement: Arrangement) -> mido.MidiFile:
    """SMF type 1: a conductor track, then one named track per part, melody first.

    Each part gets its own channel (its ``channel`` when no earlier part took it, else the
    lowest free one; drums always on channel 10), a program change and, when it has a
    ``volume``, its channel volume (``part_setup``). Notes of one pitch
    that overlap in a part are cut where the next one starts, so every reader pairs the
    note-ons and note-offs the same way.
    """
    midi = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    midi.tracks.append(_with_markers(_conductor_track(arrangement), arrangement.markers))
    for track, channel in zip(arrangement.tracks, assign_channels(arrangement.tracks), strict=True):
        midi.tracks.append(_part_track(track, channel))
    return midi


def write_arrangement(arrangement: Arrangement, path: str | os.PathLike) -> None:
    """Save as a Standard MIDI File; the target is replaced only once the file is complete.

    A folder that is missing or read-only, or a full disk, raises ``MidiFileError`` naming
    the target (never the temporary file) and leaves any older file at the target as it was.
    """
    path = Path(path)
    midi = arrangement_to_midi(arrangement)  # fails before anything touches the disk
    if path.is_dir():
        raise MidiFileError(f"{path} is a folder; choose a file name to save the MIDI file as.")
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        # O_EXCL: never reuse someone else's file; 0o666 lets the umask decide, as open() does.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise _save_error(path, error) from error
    try:
        with os.fdopen(descriptor, "wb") as file:
            midi.save(file=file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _save_error(path, error) from error
        raise


def _save_error(path: Path, error: OSError) -> MidiFileError:
    reason = (error.strerror or str(error)).lower()
    folder = path.parent if str(path.parent) else Path(".")
    return MidiFileError(
        f"{path.name} could not be saved in {folder} ({reason}); choose another place."
    )


def _to_tick(beat: float) -> int:
    return round(beat * TICKS_PER_BEAT)


def _time_signature_message(signature: tuple[int, int]) -> mido.MetaMessage:
    numerator, denominator = signature
    if denominator not in (1, 2, 4, 8, 16, 32, 64) or not 1 <= numerator <= 255:
        raise MeterError(
            f"The time signature {numerator}/{denominator} cannot be written to MIDI; "
            "use a power of two (2, 4, 8, 16) below the line."
        )
    # The metronome pulse (in MIDI clocks, 24 a quarter) is the meter's beat: a dotted
    # quarter in 6/8, so a DAW clicks as the musician counts.
    from models.pianoroll import STEPS_PER_BEAT, Meter

    clocks = Meter(numerator, denominator).beat_steps[0] * 24 // STEPS_PER_BEAT
    return mido.MetaMessage(
        "time_signature",
        numerator=numerator,
        denominator=denominator,
        clocks_per_click=max(1, min(255, clocks)),
    )


def _conductor_track(arrangement: Arrangement) -> mido.MidiTrack:
    events = [
        (0, _time_signature_message(tuple(arrangement.time_signature))),
        (0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(arrangement.tempo_bpm))),
    ]
    for beat, signature in arrangement.meter_changes:
        events.append((_to_tick(beat), _time_signature_message(tuple(signature))))
    for beat, bpm in arrangement.tempo_changes:
        events.append((_to_tick(beat), mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))))
    events.sort(key=lambda event: event[0])
    return _to_track(events)


def _with_markers(track: mido.MidiTrack, markers: list[tuple[float, str]]) -> mido.MidiTrack:
    """The conductor track with a marker meta event at each ``(beat, text)`` (chord
    symbols), merged in time order after the track's own events at the same tick."""
    if not markers:
        return track
    events, tick = [], 0
    for message in track:
        tick += message.time
        if message.type != "end_of_track":
            events.append((tick, message))
    events += [(_to_tick(b), mido.MetaMessage("marker", text=str(t))) for b, t in markers]
    events.sort(key=lambda event: event[0])  # stable: the track's own events come first
    return _to_track(events)


def _part_track(track: Track, channel: int) -> mido.MidiTrack:
    # (tick, 0 for note-off / 1 for note-on, pitch, velocity): at one tick offs go first,
    # so a repeated note is released before it sounds again.
    events: list[tuple[int, int, int, int]] = []
    for pitch, start_tick, end_tick, velocity in _note_spans(track.notes):
        events.append((start_tick, 1, pitch, min(127, max(1, velocity))))
        events.append((end_tick, 0, pitch, 0))
    events.sort()
    midi_track = mido.MidiTrack()
    midi_track.append(mido.MetaMessage("track_name", name=track.name, time=0))
    midi_track.extend(part_setup(track, channel))
    last_tick = 0
    for tick, is_on, pitch, velocity in events:
        # Messages are built once with their delta time: building is most of the cost.
        kind = "note_on" if is_on else "note_off"
        midi_track.append(
            mido.Message(
                kind, channel=channel, note=pitch, velocity=velocity, time=tick - last_tick
            )
        )
        last_tick = tick
    midi_track.append(mido.MetaMessage("end_of_track", time=0))
    return midi_track


def part_setup(track: Track, channel: int) -> list[mido.Message]:
    """What a part's channel is set to before its first note: its program (a drum kit on
    channel 10) and, when the mix gave one, its channel volume (CC 7). The file, Play and
    Send to DAW begin each part with these; a change while playing sends them again."""
    messages = [mido.Message("program_change", channel=channel, program=track.program)]
    if track.volume is not None:
        volume = max(0, min(127, int(track.volume)))
        messages.append(
            mido.Message("control_change", channel=channel, control=CHANNEL_VOLUME, value=volume)
        )
    return messages


def arrangement_setup(arrangement: Arrangement) -> list[mido.Message]:
    """Every part's ``part_setup`` on its channel, in track order (on a channel two parts
    share, drums, the later part's setting is the one left in force, as in the file)."""
    channels = assign_channels(arrangement.tracks)
    return [
        message
        for track, channel in zip(arrangement.tracks, channels, strict=True)
        for message in part_setup(track, channel)
    ]


def _note_spans(notes: list[Note]) -> list[tuple[int, int, int, int]]:
    """(pitch, start tick, end tick, velocity) with overlaps on one pitch cut, at least 1 tick."""
    spans: list[list[int]] = []
    last_by_pitch: dict[int, list[int]] = {}
    for note in sorted(notes, key=lambda note: (note.start_beat, note.pitch)):
        start_tick = _to_tick(note.start_beat)
        end_tick = max(start_tick + 1, _to_tick(note.end_beat))
        previous = last_by_pitch.get(note.pitch)
        if previous is not None and previous[2] > start_tick:
            previous[2] = start_tick  # the new note ends the one still sounding
        span = [note.pitch, start_tick, end_tick, note.velocity]
        spans.append(span)
        last_by_pitch[note.pitch] = span
    # Two notes of one pitch starting on one tick: the first is now empty and is dropped.
    return [tuple(span) for span in spans if span[2] > span[1]]


def _to_track(events: list[tuple[int, mido.MetaMessage]]) -> mido.MidiTrack:
    """Absolute ticks to mido's delta times, closed with end_of_track."""
    midi_track = mido.MidiTrack()
    last_tick = 0
    for tick, message in events:
        midi_track.append(message.copy(time=tick - last_tick))
        last_tick = tick
    midi_track.append(mido.MetaMessage("end_of_track", time=0))
    return midi_track


def assign_channels(tracks: list[Track]) -> list[int]:
    """A distinct channel per part where possible, drums on channel 10."""
    melodic_channels = [channel for channel in range(16) if channel != DRUM_CHANNEL]
    used: set[int] = set()
    assigned: list[int] = []
    for track in tracks:
        if track.is_drum:
            assigned.append(DRUM_CHANNEL)
            continue
        channel = track.channel
        if channel == DRUM_CHANNEL or channel in used or not 0 <= channel < 16:
            free = [candidate for candidate in melodic_channels if candidate not in used]
            # More than 15 pitched parts: channels must be shared; start over from the first.
            channel = free[0] if free else melodic_channels[len(assigned) % 15]
        used.add(channel)
        assigned.append(channel)
    return assigned
