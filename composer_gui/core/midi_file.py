"""Standard MIDI Files in: any real .mid to an Arrangement (writing: ``core.midi_writer``).

Reading keeps the music as written: note times are ticks divided by ticks per beat, so
tempo changes never move a note's beat; pickups and leading silence stay where they are;
pitches outside the model's range are kept (the engine shifts a copy when it conditions on
them). A note-on on a pitch that is already sounding on the same channel ends the earlier
note there, the way a synth would.

Every time signature is kept (the first, and each change with its beat).

Writing is ``core.midi_writer``.

A score (ABC, MusicXML) is read by ``core.score_file`` into the same Arrangement.

Every failure a user can cause (a missing, empty, damaged or note-less file, a folder
instead of a file) raises a ``MidiFileError`` or ``NoMelodyError`` with one sentence.
"""

from __future__ import annotations

import os
from pathlib import Path

import mido

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import MidiFileError, NoMelodyError
from composer_gui.core.file_suffixes import is_score

TICKS_PER_BEAT = 960  # what we write: divisible by 2, 3, 4, 5, 8, 16, so triplets stay exact
DRUM_CHANNEL = 9  # General MIDI percussion, channel 10 as musicians count
DEFAULT_TEMPO_BPM = 120.0  # what the SMF standard assumes before the first tempo event

# ---------------------------------------------------------------------------------------
# Reading


def read_arrangement(path: str | os.PathLike) -> Arrangement:
    """Every track that holds notes, in file order, with the file's tempo map and meter.

    A track whose notes use several channels (as in a type 0 file) becomes one part per
    channel. Channel 10 parts are marked ``is_drum``. Raises ``NoMelodyError`` when the
    file holds no notes at all. A score (``file_suffixes.SCORE_SUFFIXES``: ABC, MusicXML)
    is read by ``score_file.read_score`` into the same Arrangement.
    """
    path = Path(path)
    if is_score(path):
        from composer_gui.core.score_file import read_score

        return read_score(path)
    midi = _open_midi(path)
    tracks = _read_tracks(midi)
    if not tracks:
        raise NoMelodyError(f"{path.name} has no notes; choose a MIDI file with a melody in it.")
    tempo_bpm, tempo_changes = _read_tempo_map(midi)
    time_signature, meter_changes = _read_time_signatures(midi)
    return Arrangement(
        tracks=tracks,
        tempo_bpm=tempo_bpm,
        time_signature=time_signature,
        tempo_changes=tempo_changes,
        meter_changes=meter_changes,
    )


def read_arrangement_and_tune_choice(path: str | os.PathLike) -> tuple[Arrangement, str | None]:
    """``read_arrangement``, and for an ABC tune book the sentence saying which of its
    tunes was taken (``score_file.read_score_and_tune_choice``: one read of the file)."""
    path = Path(path)
    if is_score(path):
        from composer_gui.core.score_file import read_score_and_tune_choice

        return read_score_and_tune_choice(path)
    return read_arrangement(path), None


def read_melody(path: str | os.PathLike, track: int | None = None) -> Arrangement:
    """The melody of a MIDI file, notes exactly as written, as a one-track Arrangement.

    Without ``track`` the melody is the first track that is not a drum track. ``track``
    counts (from 0) the tracks ``read_arrangement`` returns, i.e. those with notes. The
    melody comes back on channel 0 with its name and program, so the accompaniment can
    take the other channels.
    """
    path = Path(path)
    return melody_of(read_arrangement(path), track, path.name)


def default_melody_track(arrangement: Arrangement, source: str = "The file") -> int:
    """Which track is taken as the melody when none is named: the first pitched one."""
    return melody_track_index(arrangement, None, source)


def melody_of(arrangement: Arrangement, track: int | None, source: str = "The file") -> Arrangement:
    """Track ``track`` of a read file (default: the first pitched one) as the melody."""
    chosen = arrangement.tracks[melody_track_index(arrangement, track, source)]
    melody = Track(name=chosen.name, notes=list(chosen.notes), program=chosen.program, channel=0)
    return Arrangement(
        tracks=[melody],
        tempo_bpm=arrangement.tempo_bpm,
        time_signature=arrangement.time_signature,
        tempo_changes=list(arrangement.tempo_changes),
        meter_changes=list(arrangement.meter_changes),
    )


def melody_track_index(arrangement: Arrangement, track: int | None, file_name: str) -> int:
    """Which of ``arrangement.tracks`` is the melody: ``track``, or the first non-drum one.

    The one rule for every reader (``read_melody``, the command line saying which track it
    took); raises a sentence naming ``file_name`` when there is no such track.
    """
    if track is None:
        pitched = [i for i, part in enumerate(arrangement.tracks) if not part.is_drum]
        if not pitched:
            raise NoMelodyError(
                f"{file_name} has only drum tracks; choose a MIDI file with a melody in it."
            )
        return pitched[0]
    count = len(arrangement.tracks)
    if not 0 <= track < count:
        valid = "0" if count == 1 else f"0 to {count - 1}"
        raise MidiFileError(
            f"{file_name} has no track {track}; its tracks with notes are numbered {valid}."
        )
    if arrangement.tracks[track].is_drum:
        raise NoMelodyError(
            f"Track {track} of {file_name} is a drum track; choose a track with a melody."
        )
    return track


def _open_midi(path: Path) -> mido.MidiFile:
    """Parse the file with mido, turning every way it can fail into one sentence."""
    if path.is_dir():
        raise MidiFileError(f"{path} is a folder, not a MIDI file; choose a .mid file inside it.")
    if not path.exists():
        raise MidiFileError(f"There is no file at {path}; check the name and the folder.")
    try:
        with path.open("rb") as file:
            magic = file.read(4)
        if not magic:
            raise MidiFileError(f"{path.name} is empty (0 bytes); save or export it again.")
        if magic != b"MThd":
            raise MidiFileError(
                f"{path.name} is not a MIDI file (it has no MIDI header); choose a .mid file."
            )
        midi = mido.MidiFile(path)
    except PermissionError as error:
        raise MidiFileError(f"{path.name} cannot be opened: permission denied.") from error
    except EOFError as error:
        raise MidiFileError(
            f"{path.name} is cut short (truncated MIDI file); save or export it again."
        ) from error
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        # mido's own text goes to the traceback chain (the log), not to the user.
        raise MidiFileError(
            f"{path.name} is damaged and cannot be read as MIDI; save or export it again."
        ) from error
    if midi.ticks_per_beat <= 0 or midi.ticks_per_beat & 0x8000:
        raise MidiFileError(
            f"{path.name} counts time in SMPTE frames, which is not supported; "
            "export it with beats (ticks per quarter note)."
        )
    if not midi.tracks:
        raise MidiFileError(f"{path.name} has no tracks; choose a MIDI file with a melody in it.")
    return midi


def _read_tracks(midi: mido.MidiFile) -> list[Track]:
    """One Track per (file track, channel) that has notes, in file order."""
    parts: list[Track] = []
    for track_index, midi_track in enumerate(midi.tracks):
        name = _track_name(midi_track) or f"Track {track_index + 1}"
        notes_by_channel = _read_notes(midi_track, midi.ticks_per_beat)
        programs = _programs_by_channel(midi_track)
        for channel in sorted(notes_by_channel):
            part_name = name if len(notes_by_channel) == 1 else f"{name} ch{channel + 1}"
            parts.append(
                Track(
                    name=part_name,
                    notes=notes_by_channel[channel],
                    program=programs.get(channel, 0),
                    channel=channel,
                    is_drum=channel == DRUM_CHANNEL,
                )
            )
    return parts


def _track_name(midi_track: mido.MidiTrack) -> str:
    for message_type in ("track_name", "instrument_name"):
        for message in midi_track:
            if message.type == message_type and message.name.strip():
                return message.name.strip()
    return ""


def _read_notes(midi_track: mido.MidiTrack, ticks_per_beat: int) -> dict[int, list[Note]]:
    """Pair note-ons with note-offs per channel; times become beats (tick / ticks_per_beat).

    A note-on on a pitch that is still sounding ends the earlier note at that tick; a
    note never switched off ends with the track. Zero-length notes are dropped.
    """
    notes: dict[int, list[Note]] = {}
    sounding: dict[tuple[int, int], tuple[int, int]] = {}  # (channel, pitch) -> (tick, velocity)

    def close(channel: int, pitch: int, end_tick: int) -> None:
        start_tick, velocity = sounding.pop((channel, pitch))
        if end_tick > start_tick:
            notes.setdefault(channel, []).append(
                Note(
                    pitch=pitch,
                    start_beat=start_tick / ticks_per_beat,
                    duration_beats=(end_tick - start_tick) / ticks_per_beat,
                    velocity=velocity,
                )
            )

    tick = 0
    for message in midi_track:
        tick += message.time
        if message.type == "note_on" and message.velocity > 0:
            key = (message.channel, message.note)
            if key in sounding:
                close(*key, tick)
            sounding[key] = (tick, message.velocity)
        elif message.type in ("note_off", "note_on"):  # note_on with velocity 0 is a note-off
            key = (message.channel, message.note)
            if key in sounding:
                close(*key, tick)
    for key in list(sounding):
        close(*key, tick)
    for channel_notes in notes.values():
        channel_notes.sort(key=lambda note: (note.start_beat, note.pitch))
    return notes


def _programs_by_channel(midi_track: mido.MidiTrack) -> dict[int, int]:
    """The program each channel starts with: the last change before its first note, else
    the first change at all."""
    programs: dict[int, int] = {}
    started: set[int] = set()
    for message in midi_track:
        if message.type == "program_change":
            if message.channel not in started or message.channel not in programs:
                programs[message.channel] = message.program
        elif message.type == "note_on" and message.velocity > 0:
            started.add(message.channel)
    return programs


def _read_tempo_map(midi: mido.MidiFile) -> tuple[float, list[tuple[float, float]]]:
    """The tempo at beat 0 and every later change as (beat, bpm), from all tracks."""
    events: list[tuple[int, int, float]] = []  # (tick, order in file, bpm)
    for midi_track in midi.tracks:
        tick = 0
        for message in midi_track:
            tick += message.time
            if message.type == "set_tempo":
                bpm = round(mido.tempo2bpm(message.tempo), 6)
                events.append((tick, len(events), bpm))
    events.sort()
    tempo_bpm = DEFAULT_TEMPO_BPM
    changes: list[tuple[float, float]] = []
    for tick, _, bpm in events:
        beat = tick / midi.ticks_per_beat
        if tick == 0:
            tempo_bpm = bpm
        elif changes and changes[-1][0] == beat:
            changes[-1] = (beat, bpm)  # several events at one tick: the last one wins
        else:
            changes.append((beat, bpm))
    # Drop changes that repeat the tempo already in force; they carry no information.
    kept: list[tuple[float, float]] = []
    current = tempo_bpm
    for beat, bpm in changes:
        if bpm != current:
            kept.append((beat, bpm))
            current = bpm
    return tempo_bpm, kept


def _read_time_signatures(
    midi: mido.MidiFile,
) -> tuple[tuple[int, int], list[tuple[float, tuple[int, int]]]]:
    """The piece's first time signature (the earliest in the file, 4/4 when there is
    none) and every later one as ``(beat, signature)``, from all tracks; several at one
    tick: the first track's wins.  A restatement of the meter in force is kept: it
    starts a bar where it stands (a section's upbeat in folk-tune files often restarts
    the bar count there), so dropping it would move every later barline, and the file
    written back would lose it (issue 16)."""
    events: list[tuple[int, int, tuple[int, int]]] = []  # (tick, track, signature)
    for track_index, midi_track in enumerate(midi.tracks):
        tick = 0
        for message in midi_track:
            tick += message.time
            if message.type == "time_signature":
                events.append((tick, track_index, (message.numerator, message.denominator)))
    events.sort(key=lambda event: event[:2])
    if not events:
        return (4, 4), []
    first, changes, seen_ticks = events[0][2], [], {events[0][0]}
    for tick, _, signature in events[1:]:
        if tick in seen_ticks:
            continue
        seen_ticks.add(tick)
        changes.append((tick / midi.ticks_per_beat, signature))
    return first, changes
