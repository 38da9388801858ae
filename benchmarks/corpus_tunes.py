"""Real folk tunes from the music21 corpus, as MIDI files a musician could bring, and MIDI
files read back as notes for the judging measures (``models/harmony_measures.py``).

The four collections (Essen ``essenFolksong``, O'Neill's 1850 ``oneills1850``, Ryan's
Mammoth ``ryansMammoth``, Aird's Airs ``airdsAirs``) are ABC files of many tunes each.
They are indexed by reading each tune's header meter (``M:``; ``C`` is 4/4 and ``C|``
2/2) from the text, so choosing tunes needs no parsing; only the chosen tunes are parsed
(``converter.parse(path, number=X)``).  Choice is seeded and per meter, so the same
command chooses the same tunes.

A chosen tune is written as a one-track SMF (480 ticks per quarter, its time signatures
and tempo 100) with its notes as notated: ties merged, grace notes and chord symbols left
out, repeats not expanded, a pickup starting at tick 0 (what a notation program exports).
Its notes and its true bar phase (from the pickup) are kept for the judge.  The only
things here from the product are how a score's time signatures and pickup are read
(``core.score_file.written_time_signatures`` and ``written_pickup_quarters``, one
definition each: the product reads ABC too).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import mido

COLLECTIONS = ("essenFolksong", "oneills1850", "ryansMammoth", "airdsAirs")
TICKS = 480
HEADER_METERS = {"C": "4/4", "C|": "2/2"}


@dataclass(frozen=True)
class TuneRef:
    collection: str
    path: str
    number: int
    meter: str  # the header meter, "6/8"

    @property
    def name(self) -> str:
        return f"{self.collection}/{Path(self.path).stem}#{self.number}"


@dataclass
class Tune:
    ref: TuneRef
    title: str
    notes: list[tuple[float, float, int]]  # (start quarter, end quarter, MIDI pitch)
    signatures: list[tuple[float, int, int]]  # (quarter, numerator, denominator)
    # How much shorter than a full bar the first bar is: the bar less the pickup (an
    # eighth's pickup in 6/8 pads 2.5 quarters); 0 without a pickup. The pickup itself is
    # ``core.score_file.written_pickup_quarters``, the one pickup reader.
    padding_quarters: float = 0.0
    meters: set[str] = field(default_factory=set)

    @property
    def bar_quarters(self) -> float:
        _, numerator, denominator = self.signatures[0]
        return numerator * 4 / denominator


def index_tunes(collections: tuple[str, ...] = COLLECTIONS) -> list[TuneRef]:
    """Every tune of the collections (the four by default) with a header meter, in corpus
    order."""
    from music21 import corpus

    refs = []
    for collection in collections:
        for path in sorted(str(p) for p in corpus.getComposer(collection)):
            text = Path(path).read_text(encoding="latin-1")
            for tune in re.split(r"\n(?=X:)", "\n" + text):
                number = re.match(r"X:\s*(\d+)", tune)
                meter = re.search(r"^M:\s*(\S+)", tune, re.M)
                if not number or not meter:
                    continue
                value = HEADER_METERS.get(meter.group(1), meter.group(1))
                if re.fullmatch(r"\d+/\d+", value):
                    refs.append(TuneRef(collection, path, int(number.group(1)), value))
    return refs


def choose(refs: list[TuneRef], meter: str, count: int | None, seed: int) -> list[TuneRef]:
    """A seeded shuffle of the tunes in ``meter`` (all of them when ``count`` is None);
    callers take from the front until they have ``count`` usable tunes."""
    pool = [r for r in refs if r.meter == meter]
    random.Random(f"{seed}:{meter}").shuffle(pool)
    return pool


def parse_tune(ref: TuneRef) -> Tune | None:
    """The tune's melody as notes, or None when music21 cannot read it or it is empty."""
    from music21 import converter, harmony

    from composer_gui.core.score_file import written_pickup_quarters, written_time_signatures

    try:
        score = converter.parse(ref.path, number=ref.number, format="abc")
    except Exception:  # a damaged tune in the corpus is skipped and counted by the caller
        return None
    parts = getattr(score, "parts", None)
    stream = parts[0] if parts else score
    measures = list(stream.getElementsByClass("Measure"))
    written = written_pickup_quarters(stream)
    padding = float(Fraction(measures[0].barDuration.quarterLength) - written) if written else 0.0
    flat = stream.stripTies().flatten()  # (its time signatures are unreliable)
    notes = []
    for element in flat.notes:
        if isinstance(element, harmony.ChordSymbol) or element.duration.isGrace:
            continue
        start = float(Fraction(element.offset))
        end = start + float(Fraction(element.quarterLength))
        if end <= start:
            continue
        for pitch in element.pitches:
            notes.append((start, end, int(pitch.midi)))
    signatures = written_time_signatures(stream)
    if not notes or not signatures:
        return None
    title = score.metadata.title if score.metadata and score.metadata.title else ref.name
    meters = {f"{n}/{d}" for _, n, d in signatures}
    return Tune(ref, title, sorted(notes), signatures, padding, meters)


def _tick(quarters: float) -> int:
    return int(round(quarters * TICKS))


def write_midi(tune: Tune, path: Path) -> None:
    """The tune as a one-track SMF (conductor events and notes in the same track)."""
    events: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
        (0, 0, mido.MetaMessage("track_name", name=tune.title[:60])),
        (0, 0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(100))),
    ]
    for quarters, numerator, denominator in tune.signatures:
        signature = mido.MetaMessage("time_signature", numerator=numerator, denominator=denominator)
        events.append((_tick(quarters), 0, signature))
    for start, end, pitch in tune.notes:
        events.append((_tick(end), 1, mido.Message("note_off", note=pitch, velocity=0)))
        events.append((_tick(start), 2, mido.Message("note_on", note=pitch, velocity=80)))
    track = mido.MidiTrack()
    now = 0
    for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    midi = mido.MidiFile(ticks_per_beat=TICKS)
    midi.tracks.append(track)
    midi.save(path)


@dataclass
class MidiNotes:
    """A MIDI file read back: per track with notes (drums left out), its notes."""

    tracks: list[tuple[str, list[tuple[float, float, int]]]]  # (name, notes in quarters)
    signatures: list[tuple[float, int, int]]


def read_midi(path: Path) -> MidiNotes:
    """Notes of every non-drum track that has any, in file order, in quarter notes."""
    midi = mido.MidiFile(path)
    tracks, signatures = [], []
    for midi_track in midi.tracks:
        tick, name, sounding, notes = 0, "", {}, []
        for message in midi_track:
            tick += message.time
            if message.type == "track_name":
                name = message.name
            elif message.type == "time_signature":
                signatures.append(
                    (tick / midi.ticks_per_beat, message.numerator, message.denominator)
                )
            elif message.type in ("note_on", "note_off") and message.channel != 9:
                key = (message.channel, message.note)
                if key in sounding:
                    start = sounding.pop(key)
                    notes.append(
                        (start / midi.ticks_per_beat, tick / midi.ticks_per_beat, message.note)
                    )
                if message.type == "note_on" and message.velocity > 0:
                    sounding[key] = tick
        if notes:
            tracks.append((name, sorted(notes)))
    return MidiNotes(tracks, sorted(set(signatures)))


def to_steps(notes: list[tuple[float, float, int]], steps_per_quarter: int = 4):
    """Notes in quarters to ``(start_step, end_step, pitch)`` on the 16th-note grid."""
    return [(round(a * steps_per_quarter), round(b * steps_per_quarter), p) for a, b, p in notes]
