"""Real tunes in every accompanied meter, from the music21 corpus, through the command line.

One folk tune per meter (Essen, Aird's Airs, O'Neill's 1850; no one here wrote them) is
written as a MIDI file from music21's reading of it, accompanied by ``composer-gui
accompany`` with the shipped model, and the result is read back by pretty_midi, mido,
music21 and MuseScore: each must see the tune's time signature and its bar count, and the
melody's notes exactly as the input had them.
"""

from __future__ import annotations

import math
import subprocess

import mido
import pretty_midi
import pytest
from music21 import converter, corpus, meter

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.midi_writer import write_arrangement
from models.pianoroll import Meter
from tests.composer_gui.core.test_midi_file_musescore import MUSESCORE
from tests.support.music_files import accompany_file
from tests.support.real_parts import require

TUNES = [  # (meter, corpus file, tune number): the first usable tune of a seeded shuffle
    ((2, 4), "essenFolksong/kinder0.abc", 138),
    ((3, 4), "essenFolksong/erk20.abc", 77),
    ((4, 4), "essenFolksong/erk10.abc", 550),
    ((2, 2), "essenFolksong/lot.abc", 244),
    ((3, 2), "essenFolksong/altdeu10.abc", 39),
    ((6, 4), "essenFolksong/ballad70.abc", 8),
    ((3, 8), "essenFolksong/fink0.abc", 74),
    ((6, 8), "airdsAirs/book1.abc", 10),
    ((9, 8), "oneills1850/1136-1175.abc", 1139),
    ((12, 8), "airdsAirs/book6.abc", 1104),
]


def corpus_tune(path: str, number: int) -> tuple[Arrangement, int]:
    """The tune as an Arrangement (notes as notated, ties merged, its pickup at beat 0 as a
    notation program exports it) and its bar count as music21 measures it."""
    score = converter.parse(corpus.getWork(path), number=number)
    part = score.parts[0] if score.parts else score
    signature = part.recurse().getElementsByClass(meter.TimeSignature)[0]
    notes = []
    for element in part.stripTies().flatten().notes:
        if element.duration.quarterLength == 0:
            continue
        notes.append(
            Note(
                max(p.midi for p in element.pitches),
                float(element.offset),
                float(element.duration.quarterLength),
                90,
            )
        )
    bars = len(part.getElementsByClass("Measure"))
    arrangement = Arrangement(
        [Track("melody", notes)], 100.0, (signature.numerator, signature.denominator)
    )
    return arrangement, bars


@pytest.fixture(scope="module")
def accompanied(tmp_path_factory):
    """{meter: (input arrangement, music21 bar count, output path)}."""
    folder = tmp_path_factory.mktemp("meters")
    out = {}
    for signature, path, number in TUNES:
        tune, bars = corpus_tune(path, number)
        assert tune.time_signature == signature
        name = f"{signature[0]}-{signature[1]}"
        source, result = folder / f"{name}.mid", folder / f"{name}-out.mid"
        write_arrangement(tune, source)
        accompany_file(source, result)
        out[signature] = (tune, bars, result)
    return out


@pytest.mark.parametrize("signature", [t[0] for t in TUNES], ids=lambda s: f"{s[0]}-{s[1]}")
def test_every_reader_sees_the_meter_the_bars_and_the_melody(accompanied, signature, tmp_path):
    tune, bars, path = accompanied[signature]
    ours = read_arrangement(path)
    bar_beats = Meter(*signature).bar_beats
    # music21 counts a pickup and each part of a bar split by a repeat sign as measures;
    # the file counts whole bars from beat 0, so they may differ by those short bars.
    melody_bars = math.ceil(tune.length_beats() / bar_beats - 1e-9)
    assert abs(melody_bars - bars) <= 2
    # The accompaniment ends with the melody's last bar: the file's, or the one a pickup
    # found in the notes implies (then it may reach into one bar more).
    assert ours.bar_count() in (melody_bars, melody_bars + 1)
    assert ours.time_signature == signature and ours.meter_changes == []
    assert ours.tracks[0].notes == tune.tracks[0].notes  # the melody, note for note
    assert len(ours.tracks) == 4 and all(t.notes for t in ours.tracks[1:])
    expected = sorted((n.pitch, round(n.start_beat, 4)) for n in tune.tracks[0].notes)

    midi = mido.MidiFile(path)
    signatures = [m for t in midi.tracks for m in t if m.type == "time_signature"]
    assert [(m.numerator, m.denominator) for m in signatures] == [signature]

    pm = pretty_midi.PrettyMIDI(str(path))
    assert [(t.numerator, t.denominator) for t in pm.time_signature_changes] == [signature]
    beat_seconds = 60.0 / 100.0
    melody = pm.instruments[0]
    assert sorted((n.pitch, round(n.start / beat_seconds, 4)) for n in melody.notes) == expected

    m21 = converter.parse(str(path), forceSource=True)
    found = m21.recurse().getElementsByClass(meter.TimeSignature)
    assert {(ts.numerator, ts.denominator) for ts in found} == {signature}
    m21_melody = m21.parts[0].stripTies().flatten().notes  # notes tied over barlines merged
    assert sorted((p.midi, round(float(n.offset), 4)) for n in m21_melody for p in n.pitches) == (
        expected
    )


def test_musescore_reads_the_meter_of_each_output(accompanied, tmp_path):
    require(MUSESCORE is not None, "MuseScore 3 (mscore3, Debian package musescore3)")
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    for signature in ((6, 8), (9, 8), (2, 2), (3, 4)):
        tune, _, path = accompanied[signature]
        xml = tmp_path / f"{signature[0]}-{signature[1]}.musicxml"
        done = subprocess.run(
            [MUSESCORE, "-o", str(xml), str(path)], capture_output=True, timeout=120, env=env
        )
        assert done.returncode == 0
        score = converter.parse(str(xml), forceSource=True)
        found = score.recurse().getElementsByClass(meter.TimeSignature)
        assert {(ts.numerator, ts.denominator) for ts in found} == {signature}
        melody = score.parts[0].stripTies().flatten().notes
        read = sorted((p.midi, round(float(n.offset), 4)) for n in melody for p in n.pitches)
        assert read == sorted((n.pitch, round(n.start_beat, 4)) for n in tune.tracks[0].notes)
