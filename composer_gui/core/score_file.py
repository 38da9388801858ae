"""Scores in: ABC (``.abc``) and MusicXML (``.musicxml``, ``.xml``, ``.mxl``) read with
music21 into the same ``Arrangement`` a MIDI file gives (``midi_file.read_arrangement``
sends these suffixes here, so the command line, playback and the app read scores too).

What is read, and why:

- **Parts are tracks**, in score order (``--track N`` counts them); each part's notes as
  notated: ties joined into one note, grace notes left out (they have no written length,
  and a melody kept note for note is the one on the page), chord symbols left out (they
  are not melody), chords kept whole (the melody rule takes their top line), triplets and
  other tuplets exact (960 ticks a beat divide by 3). Unpitched percussion is left out.
  A transposing instrument's part (a B-flat clarinet) is read at sounding pitch.
- **Repeats are played as written**, not unfolded: the melody is the one on the page, its
  bars the page's bars, so the accompaniment lines up with the score the musician reads;
  a DAW loops a section if asked. (Unfolding also fails on many folk tunes' irregular
  endings.)
- **A pickup as written**: the score says where the first downbeat is (music21's first
  measure with ``paddingLeft``, or a measure numbered 0 shorter than its bar), so the
  first time signature is the pickup's own short bar (1/8 before 2/4) and the real meter
  is the first meter change, as MuseScore exports a pickup to MIDI and as
  ``melody_grid.pickup_bar`` reads a short first bar: nothing downstream guesses.
  A pickup off the 16th-note grid gets a whole first bar instead, rests before it
  (``off_grid_padding``): the tune moves later, the downbeats stay where the score has them.
- **Time signatures** as ``written_time_signatures`` reads them (music21 gives a
  section's upbeat inside a tune a one-bar signature of its own; that one is dropped and
  the meter restated where it comes back, so the bar restarts there).
- **Tempo**: the first part's metronome marks (ABC ``Q:``, MusicXML ``<metronome>`` or
  ``<sound tempo>``) as the tempo map; without one, a MIDI file's default, 120
  (``midi_file.DEFAULT_TEMPO_BPM``).
- **Changes inside an ABC tune** (``K: M: L: Q:``, inline or on a line) reach music21 in
  the one form it keeps (``abc_fields_on_lines``).
- **An ABC file with several tunes** (``X:`` numbers): the first tune is read;
  ``read_score_and_tune_choice`` says so in one sentence for the musician, from the
  same read of the file (``tune_choice_sentence``).

music21 is asked to read from the source and to store no pickle (``forceSource=True,
storePickle=False``; ABC text is decoded here, UTF-8 or else Latin-1 as older files are,
and parsed as data, which music21 never caches), so reading a score writes nothing in
the user's home, nothing in the temporary folder but music21's empty scratch folder
(``music21``), and downloads nothing.

Every failure a user can cause (a missing, empty, damaged or note-less score, an unknown
suffix) raises a ``ScoreFileError`` or ``NoMelodyError`` with one sentence.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import NoMelodyError, ScoreFileError
from composer_gui.core.file_suffixes import ABC_SUFFIXES, SCORE_SUFFIXES
from composer_gui.core.midi_file import DEFAULT_TEMPO_BPM, DRUM_CHANNEL
from models.pianoroll import STEPS_PER_BEAT, Meter

DEFAULT_VELOCITY = 80  # a score's notes without a dynamic
_TUNE_NUMBER = re.compile(r"^X:\s*(\d+)", re.M)
# Fields that change how the notes after them read: key, meter, unit length, tempo.
_INLINE_FIELD = re.compile(r"\[([KMLQ]):([^\]\n]*)\]")
_FIELD_LINE = re.compile(r"^[A-Za-z]:")
_CHANGE_LINE = re.compile(r"^[KMLQ]:")


def read_score(path: str | os.PathLike) -> Arrangement:
    """Every part that holds notes, in score order, with the score's tempo map and its
    meter map (a pickup as its own short first bar)."""
    return read_score_and_tune_choice(path)[0]


def read_score_and_tune_choice(path: str | os.PathLike) -> tuple[Arrangement, str | None]:
    """``read_score``, and for an ABC file of several tunes the sentence saying which was
    taken (``tune_choice_sentence``), both from one read of the file: the sentence was
    made from a second read, which could see another text than the one accompanied."""
    path = Path(path)
    score, text = _parse(path)
    tunes = tune_choice_sentence(path.name, text) if text is not None else None
    # A transposing instrument's part (a B-flat clarinet) is notated as the player reads
    # it; the melody is accompanied, and written back, as it sounds.
    score.toSoundingPitch(inPlace=True)
    parts = list(getattr(score, "parts", None) or [score])
    title = _title(score) or path.stem
    tracks = []
    for part in parts:
        notes = part_notes(part)
        if notes:
            name = (part.partName or "").strip() or (title if len(parts) == 1 else "")
            tracks.append(
                Track(
                    # counted as --track counts: the parts with notes (from 1 here)
                    name=name or f"Part {len(tracks) + 1}",
                    notes=notes,
                    program=_program(part),
                    channel=_channel(len(tracks)),
                )
            )
    if not tracks:
        raise NoMelodyError(f"{path.name} has no notes; choose a score with a melody in it.")
    first_part = parts[0]
    signatures = written_time_signatures(first_part)
    pickup = written_pickup_quarters(first_part)
    time_signature, meter_changes = meter_map(signatures, pickup)
    tempo_bpm, tempo_changes = _tempo_map(first_part, score)
    starts = measure_starts(first_part)
    padding = off_grid_padding(signatures, pickup)
    if padding:
        tracks = [replace(track, notes=_later(track.notes, padding)) for track in tracks]
        meter_changes = [(beat + padding, sig) for beat, sig in meter_changes]
        tempo_changes = [(beat + padding, bpm) for beat, bpm in tempo_changes]
        starts = [0.0] + [start + padding for start in starts]
    end = max(note.end_beat for track in tracks for note in track.notes)
    meter_changes = restated_at_measures(time_signature, meter_changes, starts, end)
    arrangement = Arrangement(
        tracks=tracks,
        tempo_bpm=tempo_bpm,
        time_signature=time_signature,
        tempo_changes=tempo_changes,
        meter_changes=meter_changes,
    )
    return arrangement, tunes


def tune_choice_sentence(name: str, text: str) -> str | None:
    """For the ABC text of a file (``name``) of several tunes, one sentence saying which
    was taken (the first, as ``_parse`` reads it) and how many there are; else None."""
    numbers = _TUNE_NUMBER.findall(text)
    if len(numbers) < 2:
        return None
    first = text[_TUNE_NUMBER.search(text).start() :]
    title = re.search(r"^T:\s*(.+?)\s*$", first, re.M)
    named = f" '{title.group(1)}'" if title else ""
    return (
        f"{name} holds {len(numbers)} tunes; Composer took the first, "
        f"X:{numbers[0]}{named} (save another tune in a file of its own to accompany it)."
    )


def part_notes(part) -> list[Note]:
    """A music21 part's sounding notes, sorted by (onset, pitch): ties joined, grace notes
    and chord symbols left out, every pitch of a chord kept; beats are quarter notes
    from the score's start (the pickup's first note at 0).

    Ties are joined here, pitch by pitch, in one pass over the part: music21's
    ``stripTies`` did the same in 70% of the reading time of a large score
    (``benchmarks/bench_score_file.py``: a Mozart quartet movement 4.5 s of 6.4 s)."""
    from music21 import harmony

    notes: list[Note] = []
    tied: dict[int, int] = {}  # pitch -> index in notes of the note its tie goes on from
    for element in part.flatten().notes:
        if isinstance(element, harmony.ChordSymbol) or element.duration.isGrace:
            continue
        duration = Fraction(element.quarterLength)
        if duration <= 0:
            continue
        start = Fraction(element.offset)
        velocity = int(element.volume.velocity or DEFAULT_VELOCITY)
        chord_notes = getattr(element, "notes", None)
        for note in chord_notes if chord_notes is not None else [element]:
            pitch = getattr(note, "pitch", None)
            if pitch is None:  # unpitched percussion
                continue
            midi = int(pitch.midi)
            tie = note.tie.type if note.tie is not None else element.tie and element.tie.type
            earlier = tied.get(midi)
            if tie in ("continue", "stop") and earlier is not None:
                held = notes[earlier]
                if abs(held.end_beat - float(start)) < 1e-9:
                    notes[earlier] = Note(
                        midi, held.start_beat, held.duration_beats + float(duration), held.velocity
                    )
                    if tie == "stop":
                        del tied[midi]
                    continue
            notes.append(Note(midi, float(start), float(duration), velocity))
            if tie in ("start", "continue"):
                tied[midi] = len(notes) - 1
            else:
                tied.pop(midi, None)
    return sorted(notes, key=lambda note: (note.start_beat, note.pitch))


def written_time_signatures(stream) -> list[tuple[float, int, int]]:
    """The tune's time signatures ``(quarter, numerator, denominator)``, less the one-bar
    signatures music21 gives a section's upbeat inside a tune (6/8, 1/8, 6/8): the bar
    restarts where the meter comes back, as a restated signature. The first is at 0.
    (The one definition: ``benchmarks/corpus_tunes.py`` asks it too.)"""
    from music21 import meter

    found: dict[float, tuple[int, int]] = {}
    for sig in stream.recurse().getElementsByClass(meter.TimeSignature):
        found.setdefault(
            float(Fraction(sig.getOffsetInHierarchy(stream))), (sig.numerator, sig.denominator)
        )
    signatures = [(offset, *value) for offset, value in sorted(found.items())]
    kept = []
    for i, (offset, numerator, denominator) in enumerate(signatures):
        previous = kept[-1][1:] if kept else None
        following = signatures[i + 1] if i + 1 < len(signatures) else None
        one_bar = following is not None and following[0] - offset <= numerator * 4 / denominator
        if one_bar and previous is not None and following[1:] == previous:
            continue
        kept.append((offset, numerator, denominator))
    if kept:
        kept[0] = (0.0, *kept[0][1:])
    return kept


def written_pickup_quarters(part) -> Fraction:
    """The length in quarter notes of the score's pickup (its first, short measure), 0
    when the first measure is a whole bar."""
    measures = list(part.getElementsByClass("Measure"))
    if not measures:
        return Fraction(0)
    first = measures[0]
    bar = Fraction(first.barDuration.quarterLength)
    if first.paddingLeft:
        length = bar - Fraction(first.paddingLeft)
    elif first.number == 0:
        length = Fraction(first.duration.quarterLength)
    else:
        return Fraction(0)
    return length if 0 < length < bar else Fraction(0)


def off_grid_padding(signatures: list[tuple[float, int, int]], pickup_quarters: Fraction) -> float:
    """How far a pickup off the 16th-note grid (Buckley's Hornpipe: 5/8 of a quarter, no
    short bar the grid holds) moves the tune, in quarter notes: the rest of a whole first
    bar, so the first bar is the meter's own with rests before the pickup and every
    downbeat is where the score puts it. 0 for a pickup on the grid, or none."""
    steps = pickup_quarters * STEPS_PER_BEAT
    if not pickup_quarters or steps.denominator == 1:
        return 0.0
    first = signatures[0][1:] if signatures else (4, 4)
    return Meter.of(first).bar_beats - float(pickup_quarters)


def _later(notes: list[Note], beats: float) -> list[Note]:
    return [replace(note, start_beat=note.start_beat + beats) for note in notes]


def meter_map(
    signatures: list[tuple[float, int, int]], pickup_quarters: Fraction
) -> tuple[tuple[int, int], list[tuple[float, tuple[int, int]]]]:
    """``(first signature, [(beat, signature), ...])`` for an Arrangement: the written
    signatures, and a pickup of ``pickup_quarters`` as its own short first bar whose
    signature ``melody_grid.short_bar_signature`` names (the real meter then starts where
    the pickup ends). No signature at all reads as 4/4, as a MIDI file without one."""
    from composer_gui.core.melody_grid import short_bar_signature

    if not signatures:
        signatures = [(0.0, 4, 4)]
    first = (signatures[0][1], signatures[0][2])
    changes = [(offset, (n, d)) for offset, n, d in signatures[1:]]
    steps = pickup_quarters * STEPS_PER_BEAT
    if not pickup_quarters or steps.denominator != 1:
        return first, changes
    end = float(pickup_quarters)
    at_end = [signature for offset, signature in changes if abs(offset - end) < 1e-9]
    later = [(offset, signature) for offset, signature in changes if offset > end + 1e-9]
    short = short_bar_signature(int(steps), Meter.of(first))
    return short, [(end, at_end[0] if at_end else first), *later]


def measure_starts(part) -> list[float]:
    """Where each of the part's measures starts, in quarter notes from the score's start."""
    return sorted({float(Fraction(m.offset)) for m in part.getElementsByClass("Measure")})


def restated_at_measures(
    first: tuple[int, int],
    changes: list[tuple[float, tuple[int, int]]],
    starts: list[float],
    end_beat: float,
) -> list[tuple[float, tuple[int, int]]]:
    """``changes`` with the meter restated wherever the bar lines they give would fall
    inside one of the score's measures: at that measure's start, so the bar restarts
    where the score restarts it (a section that ends on a whole bar and then has its own
    upbeat: After the Hare's measures start at 16, 16.5, 18.5; the bar from 16 is half a
    beat long). A section's short last bar and the upbeat after it, which make one whole
    bar between them, need nothing. Bar lines come from ``Arrangement.bar_starts``, the
    one definition, which starts a new bar at every change."""
    changes = sorted(changes)
    if not starts:
        return changes
    tick = lambda beat: round(beat * 960)  # noqa: E731 - 960 a beat holds every tuplet
    accepted = {tick(s) for s in starts}  # bar lines that may stand: the measures' starts
    while True:
        bars = Arrangement([], time_signature=first, meter_changes=changes).bar_starts(end_beat)
        wrong = next((b for b in bars if tick(b) not in accepted), None)
        if wrong is None:
            return changes
        restart = max((s for s in starts if s < wrong), default=None)
        if restart is None or tick(restart) in {tick(b) for b in bars}:
            # A measure longer than its bar with no meter to say so: left as it is.
            accepted.add(tick(wrong))
            continue
        meter = Arrangement([], time_signature=first, meter_changes=changes).meter_at(restart)
        changes = sorted([*changes, (restart, meter.signature)])


def _parse(path: Path):
    """The score as music21 reads it, and an ABC file's text (None for MusicXML), every
    way it can fail turned into one sentence."""
    suffix = path.suffix.lower()
    if suffix not in SCORE_SUFFIXES:
        readable = ", ".join(SCORE_SUFFIXES)
        raise ScoreFileError(
            f"{path.name} is not a score Composer reads; choose an ABC or MusicXML file "
            f"({readable})."
        )
    if path.is_dir():
        raise ScoreFileError(f"{path} is a folder, not a score; choose a file inside it.")
    if not path.exists():
        raise ScoreFileError(f"There is no file at {path}; check the name and the folder.")
    try:
        if path.stat().st_size == 0:
            raise ScoreFileError(f"{path.name} is empty (0 bytes); save or export it again.")
    except PermissionError as error:
        raise ScoreFileError(f"{path.name} cannot be opened: permission denied.") from error
    try:
        from music21 import converter
    except ImportError as error:  # the frozen bundle leaves music21 out (packaging/README)
        raise ScoreFileError(
            f"Opening {path.name} needs music21, which this copy of Composer does not have; "
            "install it with 'pip install music21', or open a MIDI file."
        ) from error

    kind = "ABC" if suffix in ABC_SUFFIXES else "MusicXML"
    text = None
    try:
        if suffix in ABC_SUFFIXES:
            text = _abc_text(path)
            numbers = _TUNE_NUMBER.findall(text)
            number = int(numbers[0]) if len(numbers) > 1 else None
            score = converter.parseData(abc_fields_on_lines(text), format="abc", number=number)
        else:  # .musicxml, .xml or .mxl (zipped): music21 tells them apart
            score = converter.parse(path, format="musicxml", forceSource=True, storePickle=False)
    except ScoreFileError:
        raise
    except PermissionError as error:
        raise ScoreFileError(f"{path.name} cannot be opened: permission denied.") from error
    except Exception as error:  # music21 raises many kinds; its text goes to the log
        raise ScoreFileError(
            f"{path.name} is damaged and cannot be read as {kind}; save or export it again."
        ) from error
    scores = getattr(score, "scores", None)  # an Opus: several tunes without X: numbers
    if scores is not None:
        if not scores:
            raise NoMelodyError(f"{path.name} has no notes; choose a score with a melody in it.")
        score = scores[0]
    return score, text


def abc_fields_on_lines(text: str) -> str:
    """The ABC text with every key, meter, unit-length and tempo change inside a tune on
    a line of its own, and the last line of each run of fields written twice.

    Why: music21 (10.5) ignores inline fields (``|[K:D] F2`` keeps the old key, ``[M:2/4]``
    the old meter), and its measure splitter drops the field line nearest the notes that
    follow it, so a lone mid-tune ``M:2/4`` line is lost (a key line still changes the
    notes, as keys are applied when the notes are read). A field written twice restates
    itself: music21 drops the copy and keeps the field. The tune's header (``X:`` to its
    first ``K:``) is left as it is."""
    lines: list[tuple[str, bool]] = []  # (line, in a tune's body)
    in_header = True  # a file may open with its first tune's header, without X:
    for line in text.splitlines():
        if line.startswith("X:"):
            in_header = True
        if in_header or line.lstrip().startswith("%"):
            lines.append((line, False))
            in_header = in_header and not line.startswith("K:")
            continue
        pieces = _INLINE_FIELD.split(line)  # text, field, value, text, field, value, ...
        for index in range(0, len(pieces), 3):
            if pieces[index].strip():
                lines.append((pieces[index], True))
            if index + 2 < len(pieces):
                if lines and lines[-1][1] and lines[-1][0].rstrip().endswith("\\"):
                    # a continued line ("...|\\") would run on into the field line
                    lines[-1] = (lines[-1][0].rstrip()[:-1], True)
                lines.append((f"{pieces[index + 1]}:{pieces[index + 2]}", True))
    written: list[str] = []
    for index, (line, in_body) in enumerate(lines):
        written.append(line)
        following = lines[index + 1][0] if index + 1 < len(lines) else ""
        if in_body and _CHANGE_LINE.match(line) and not _FIELD_LINE.match(following):
            written.append(line)
    return "\n".join(written) + "\n"


def _abc_text(path: Path) -> str:
    """The file's text: UTF-8 (ABC 2.1's encoding), else Latin-1 (older tune books)."""
    try:
        data = path.read_bytes()
    except PermissionError as error:
        raise ScoreFileError(f"{path.name} cannot be opened: permission denied.") from error
    except OSError as error:
        raise ScoreFileError(f"{path.name} cannot be read; check the file.") from error
    if b"\x00" in data:
        raise ScoreFileError(
            f"{path.name} is damaged and cannot be read as ABC (it is not text); "
            "save or export it again."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _title(score) -> str:
    metadata = getattr(score, "metadata", None)
    return (metadata.title or "").strip() if metadata is not None and metadata.title else ""


def _program(part) -> int:
    """The part's General MIDI program where the score names one, else 0 (piano)."""
    instrument = part.getInstrument(returnDefault=False)
    program = getattr(instrument, "midiProgram", None)
    return int(program) if program is not None and 0 <= program <= 127 else 0


def _channel(index: int) -> int:
    """Part ``index``'s channel: in order, skipping the drum channel."""
    channels = [c for c in range(16) if c != DRUM_CHANNEL]
    return channels[index % len(channels)]


def _tempo_map(first_part, score) -> tuple[float, list[tuple[float, float]]]:
    """The tempo at beat 0 and each later change as ``(beat, bpm)``: the first part's
    metronome marks (else the score's), a quarter note a beat."""
    from music21 import tempo

    marks = []
    for stream in (first_part, score):
        for mark in stream.recurse().getElementsByClass(tempo.MetronomeMark):
            bpm = mark.getQuarterBPM()
            if bpm:
                beat = float(Fraction(mark.getOffsetInHierarchy(stream)))
                marks.append((beat, round(float(bpm), 6)))
        if marks:
            break
    tempo_bpm, changes = DEFAULT_TEMPO_BPM, []
    for beat, bpm in sorted(marks, key=lambda mark: mark[0]):
        if beat <= 1e-9 and not changes:
            tempo_bpm = bpm
        elif changes and abs(changes[-1][0] - beat) < 1e-9:
            changes[-1] = (beat, bpm)
        else:
            changes.append((beat, bpm))
    kept, current = [], tempo_bpm
    for beat, bpm in changes:
        if bpm != current:
            kept.append((beat, bpm))
            current = bpm
    return tempo_bpm, kept
