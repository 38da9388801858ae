"""Scores read as the musician brings them (``core.score_file``): real ABC tunes of the
music21 corpus (Ryan's Mammoth, O'Neill's 1850) and a Bach chorale written to MusicXML by
music21, compared note for note with music21's own reading of the same score; the pickup
as its own short first bar on the score's bar lines; bad files in one sentence."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from composer_gui.core.errors import MidiFileError, NoMelodyError, ScoreFileError
from composer_gui.core.file_suffixes import MIDI_SUFFIXES, READABLE_SUFFIXES, SCORE_SUFFIXES
from composer_gui.core.melody_grid import PICKUP_FILE, melody_on_grid, pickup_bar
from composer_gui.core.midi_file import (
    read_arrangement,
    read_arrangement_and_tune_choice,
    read_melody,
)
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.core.score_file import read_score
from models.pianoroll import Meter
from tests.support.music_files import music21_midi_notes

HORNPIPE = "ryansMammoth/FishersHornpipe.abc"  # 2/4, running sixteenths, an eighth's pickup
JIG = "ryansMammoth/BattleTheCashJig.abc"  # 6/8 jig, an eighth's pickup
ONEILLS = "oneills1850/0001-0050.abc"  # 50 tunes; X:19 The Protestant Boys, a 6/8 jig


def corpus_file(name: str) -> Path:
    from music21 import corpus

    return Path(str(corpus.getWork(name)))


def copied(name: str, folder: Path) -> Path:
    """The corpus file copied where a musician keeps tunes (not music21's own folder)."""
    target = folder / Path(name).name
    shutil.copy(corpus_file(name), target)
    return target


def one_tune(name: str, number: int, path: Path) -> Path:
    """Tune ``X:number`` of a tune book, alone in a file of its own."""
    text = corpus_file(name).read_text(encoding="latin-1")
    tunes = re.split(r"\n(?=X:)", text)
    path.write_text(next(t for t in tunes if re.match(rf"X:\s*{number}\b", t)) + "\n")
    return path


def music21_score(path: Path, number: int | None = None):
    from music21 import converter

    kind = "abc" if path.suffix == ".abc" else "musicxml"
    extra = {} if number is None else {"number": number}
    return converter.parse(path, format=kind, forceSource=True, storePickle=False, **extra)


def as_tuples(notes) -> list[tuple[int, float, float]]:
    return sorted((n.pitch, n.start_beat, n.duration_beats) for n in notes)


def score_bar_lines(part) -> tuple[list[float], list[float]]:
    """The score's own bar lines: where each whole bar starts (every measure as long as
    its bar), and every measure's start (a section's short last bar and its upbeat are
    one bar between them, so the upbeat's start is not a bar line)."""
    measures = list(part.getElementsByClass("Measure"))
    whole = [
        float(m.offset) for m in measures if m.duration.quarterLength == m.barDuration.quarterLength
    ]
    return whole, [float(m.offset) for m in measures]


@pytest.mark.parametrize(
    "name",
    [HORNPIPE, JIG, "ryansMammoth/AfterTheHareReel.abc", "ryansMammoth/CelebratedStopHornpipe.abc"],
)
def test_a_ryans_tune_is_read_note_for_note(name, tmp_path):
    path = copied(name, tmp_path)
    read = read_score(path)
    assert len(read.tracks) == 1
    # pitch, onset, length as music21's own MIDI writer plays them
    assert [as_tuples(read.tracks[0].notes)] == music21_midi_notes(music21_score(path))
    assert read.tracks[0].name == music21_score(path).metadata.title


def test_the_hornpipes_pickup_is_its_own_short_first_bar_on_the_scores_bar_lines(tmp_path):
    read = read_arrangement(copied(HORNPIPE, tmp_path))  # every reader goes through here
    assert read.time_signature == (1, 8) and read.meter_changes == [(0.5, (2, 4))]
    assert pickup_bar(read) == Meter(1, 8)
    whole, measures = score_bar_lines(music21_score(tmp_path / "FishersHornpipe.abc").parts[0])
    bars = read.bar_starts()
    assert bars[:3] == [0.0, 0.5, 2.5]
    assert set(whole) <= set(bars) <= set(measures)
    assert len(bars) == read.bar_count() == 17  # the pickup, then 16 bars of 2/4
    grid = melody_on_grid(read_melody(tmp_path / "FishersHornpipe.abc"))
    assert grid.pickup_from == PICKUP_FILE and grid.pickup == 2 and grid.bar_phase == 6


def test_an_oneills_jig_has_its_pickup_as_written(tmp_path):
    path = one_tune(ONEILLS, 19, tmp_path / "protestant-boys.abc")
    read = read_score(path)
    part = music21_score(path).parts[0]
    # "g2-d e2-d": ties between two pitches, read as two notes each (84 notes, not 80)
    assert [as_tuples(read.tracks[0].notes)] == music21_midi_notes(music21_score(path))
    assert (74, 25.5, 0.5) in as_tuples(read.tracks[0].notes)
    assert read.time_signature == (1, 8) and read.meter_changes == [(0.5, (6, 8))]
    whole, measures = score_bar_lines(part)
    assert set(whole) <= set(read.bar_starts()) <= set(measures)
    assert read_arrangement_and_tune_choice(path)[1] is None  # one tune: nothing to say


def test_a_tune_book_gives_its_first_tune_and_says_so(tmp_path):
    path = copied(ONEILLS, tmp_path)
    read = read_arrangement(path)
    first = music21_score(path, number=1)
    assert [as_tuples(read.tracks[0].notes)] == music21_midi_notes(first)
    assert read.time_signature == (2, 4)  # The Enchanted Valley: no pickup
    sentence = read_arrangement_and_tune_choice(path)[1]
    assert sentence == (
        "0001-0050.abc holds 50 tunes; Composer took the first, X:1 'The Enchanted Valley' "
        "(save another tune in a file of its own to accompany it)."
    )


def test_a_chorale_written_to_musicxml_reads_back_part_for_part(tmp_path):
    from music21 import corpus

    chorale = corpus.parse("bach/bwv66.6")  # 4/4 with a one-beat pickup
    for path in (tmp_path / "bwv66.6.musicxml", tmp_path / "zipped" / "bwv66.6.mxl"):
        path.parent.mkdir(exist_ok=True)
        chorale.write("mxl" if path.suffix == ".mxl" else "musicxml", fp=str(path))
        read = read_arrangement(path)
        source = music21_score(path)
        assert [t.name for t in read.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
        assert [as_tuples(track.notes) for track in read.tracks] == music21_midi_notes(source)
        assert [t.channel for t in read.tracks] == [0, 1, 2, 3]
        assert read.time_signature == (1, 4) and read.meter_changes == [(1.0, (4, 4))]
        assert melody_on_grid(read_melody(path, track=3)).pickup_from == PICKUP_FILE


def test_metronome_marks_are_the_tempo_map(tmp_path):
    from music21 import meter, note, stream, tempo

    part = stream.Part()
    part.append(meter.TimeSignature("3/4"))
    part.append(tempo.MetronomeMark(number=132))
    for pitch in ("C4", "D4", "E4", "F4", "G4", "A4"):
        part.append(note.Note(pitch, quarterLength=1.0))
    part.insert(3.0, tempo.MetronomeMark(number=88))
    score = stream.Score([part])
    path = tmp_path / "marks.musicxml"
    score.write("musicxml", fp=str(path))
    read = read_score(path)
    assert read.tempo_bpm == 132.0 and read.tempo_changes == [(3.0, 88.0)]
    assert read.time_signature == (3, 4) and read.meter_changes == []

    abc = tmp_path / "q.abc"  # ABC's Q: in eighths is read as quarters a minute
    abc.write_text("X:1\nT:Q\nM:3/4\nL:1/8\nQ:1/8=180\nK:D\nd2 f2 a2 | d6 |]\n")
    assert read_score(abc).tempo_bpm == 90.0
    abc.write_text("X:1\nT:No Q\nM:3/4\nL:1/8\nK:D\nd2 f2 a2 | d6 |]\n")
    assert read_score(abc).tempo_bpm == 120.0  # what a MIDI file without a tempo reads as


def test_ties_grace_notes_chords_and_triplets_as_written_and_exact_in_midi(tmp_path):
    abc = tmp_path / "features.abc"
    abc.write_text(
        "X:1\nT:Features\nM:3/4\nL:1/8\nK:D\n"
        "A2 | d2 {e}f2 (3efg | [DFA]4 a2- | a2 d4 |]\n"  # a pickup, a grace, a triplet,
    )  # a chord, a tie over the bar line
    notes = as_tuples(read_score(abc).tracks[0].notes)
    third = 1 / 3
    assert notes == sorted(
        [
            (69, 0.0, 1.0),
            (74, 1.0, 1.0),
            (78, 2.0, 1.0),  # the grace note {e} before it is left out
            (76, 3.0, third),
            (78, 3.0 + third, third),
            (79, 3.0 + 2 * third, third),
            (62, 4.0, 2.0),
            (66, 4.0, 2.0),
            (69, 4.0, 2.0),  # the chord kept whole (the melody rule takes its top)
            (81, 6.0, 2.0),  # a2- | a2: one note
            (74, 8.0, 2.0),
        ]
    )
    midi = tmp_path / "features.mid"
    write_arrangement(read_score(abc), midi)
    back = read_arrangement(midi)
    assert [(p, round(a * 960), round(d * 960)) for p, a, d in as_tuples(back.tracks[0].notes)] == [
        (p, round(a * 960), round(d * 960)) for p, a, d in notes
    ]
    assert (back.time_signature, back.meter_changes) == ((1, 4), [(1.0, (3, 4))])


@pytest.mark.parametrize(
    ("name", "content", "error", "words"),
    [
        ("cut.musicxml", b"<?xml version='1.0'?><score-partwise><part-list>", ScoreFileError,
         "is damaged and cannot be read as MusicXML"),
        ("page.xml", b"<html><body>not a score</body></html>", ScoreFileError,
         "is damaged and cannot be read as MusicXML"),
        ("broken.mxl", b"PK\x03\x04 not a whole zip", ScoreFileError,
         "is damaged and cannot be read as MusicXML"),
        ("bad.abc", b"X:1\nT:Bad\nM:6/8\nK:G\n|: GAB c2 d | e[[[ ||| :|\n", ScoreFileError,
         "is damaged and cannot be read as ABC"),
        ("binary.abc", b"\x00\x01\xff\xfe{{{", ScoreFileError, "is damaged and cannot be read"),
        ("empty.abc", b"", ScoreFileError, "is empty (0 bytes)"),
        ("silent.abc", b"X:1\nT:Nothing\nM:4/4\nK:C\n", NoMelodyError, "has no notes"),
    ],
)  # fmt: skip
def test_a_bad_score_is_one_sentence(tmp_path, name, content, error, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        read_arrangement(path)
    assert isinstance(caught.value, MidiFileError)  # every reader's handler answers it
    message = str(caught.value)
    assert words in message and message.startswith(name)
    assert "\n" not in message and message.endswith(".") and message.count(". ") == 0


def test_an_unknown_suffix_and_a_missing_score_are_one_sentence(tmp_path):
    text = tmp_path / "tune.txt"
    text.write_text("X:1\nK:C\nCDEF|\n")
    with pytest.raises(ScoreFileError, match=r"^tune\.txt is not a score Composer reads; "):
        read_score(text)
    with pytest.raises(ScoreFileError, match="There is no file at"):
        read_score(tmp_path / "gone.abc")
    with pytest.raises(ScoreFileError, match="is a folder"):
        read_score((tmp_path / "tunes.musicxml").mkdir() or tmp_path / "tunes.musicxml")


def test_reading_writes_nothing_in_home_or_the_temporary_folder(tmp_path):
    """A fresh process (music21 picks its folders when imported) with HOME and TMPDIR
    set to empty folders reads an ABC tune and a zipped MusicXML chorale: home stays
    empty, and the temporary folder holds only music21's empty scratch folder."""
    import os
    import subprocess
    import sys

    home, temporary, scores = tmp_path / "home", tmp_path / "tmp", tmp_path / "scores"
    for folder in (home, temporary, scores):
        folder.mkdir()
    tune = copied(HORNPIPE, scores)
    chorale = scores / "c.mxl"
    shutil.copy(corpus_file("bach/bwv66.6"), chorale)
    environment = {**os.environ, "HOME": str(home), "TMPDIR": str(temporary)}
    environment.pop("XDG_CACHE_HOME", None)
    environment.pop("XDG_CONFIG_HOME", None)
    code = (
        "import sys; from composer_gui.core.score_file import read_score; "
        "print(sum(len(t.notes) for p in sys.argv[1:] for t in read_score(p).tracks))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tune), str(chorale)],
        env=environment,
        cwd=Path(__file__).resolve().parents[3],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(done.stdout) > 200  # both were read
    assert list(home.rglob("*")) == []
    assert [p.relative_to(temporary).as_posix() for p in temporary.rglob("*")] == ["music21"]
    assert sorted(p.name for p in scores.iterdir()) == ["FishersHornpipe.abc", "c.mxl"]


def test_the_suffixes_are_defined_once_and_the_dataset_stays_midi():
    from composer_gui.core import dataset_import

    assert READABLE_SUFFIXES == MIDI_SUFFIXES + SCORE_SUFFIXES
    assert set(SCORE_SUFFIXES) == {".abc", ".musicxml", ".xml", ".mxl"}
    assert dataset_import.MIDI_SUFFIXES is MIDI_SUFFIXES


@pytest.mark.parametrize("name", ["FishersHornpipe", "NInWoodPileJig", "HandOrganHornpipe"])
def test_the_ryans_hornpipes_the_detector_misses_are_barred_as_written_from_abc(name, tmp_path):
    """The strict xfails of ``test_melody_grid_pickup.py`` (the tune exported to MIDI with
    its pickup at tick 0) read from the tune's ABC instead: the score says where the bar
    is, so the grid's phase is the notation's (an eighth's pickup in 2/4: step 6)."""
    grid = melody_on_grid(read_melody(copied(f"ryansMammoth/{name}.abc", tmp_path)))
    assert grid.pickup_from == PICKUP_FILE and grid.pickup == 2 and grid.bar_phase == 6


def test_meter_changes_are_kept_and_a_sections_one_bar_upbeat_signature_is_not(tmp_path):
    from music21 import meter, note, stream

    part = stream.Part()  # two bars of 3/4, then two of 2/4, in MusicXML
    part.append(meter.TimeSignature("3/4"))
    for pitch in ("C4", "D4", "E4", "F4", "G4", "A4"):
        part.append(note.Note(pitch, quarterLength=1.0))
    part.append(meter.TimeSignature("2/4"))
    for pitch in ("G4", "F4", "E4", "D4"):
        part.append(note.Note(pitch, quarterLength=1.0))
    path = tmp_path / "changes.musicxml"
    stream.Score([part.makeMeasures()]).write("musicxml", fp=str(path))
    read = read_score(path)
    assert read.time_signature == (3, 4) and read.meter_changes == [(6.0, (2, 4))]
    assert read.bar_starts() == [0.0, 3.0, 6.0, 8.0]

    # O'Neill's #1: music21 gives the second section's sixteenth upbeat a 1/16 bar of
    # its own; the signature is dropped and 2/4 restated where it comes back, so the bar
    # restarts there (benchmarks/corpus_tunes reads its tunes by the same rule).
    book = copied(ONEILLS, tmp_path)
    source = music21_score(book, number=1).parts[0]
    written = sorted(
        {(float(s.getOffsetInHierarchy(source)), s.ratioString) for s in source.recurse()
         .getElementsByClass(meter.TimeSignature)}
    )  # fmt: skip
    assert written == [(0.0, "2/4"), (32.0, "1/16"), (32.25, "2/4")]
    read = read_score(book)
    assert read.time_signature == (2, 4) and read.meter_changes == [(32.25, (2, 4))]
    assert 32.25 in read.bar_starts() and 34.25 in read.bar_starts()


def test_without_music21_a_score_is_one_sentence(tmp_path, monkeypatch):
    """The frozen bundle leaves music21 out (packaging/composer.spec): a score opened
    there is refused in one sentence, not a traceback."""
    import sys

    path = copied(HORNPIPE, tmp_path)
    monkeypatch.setitem(sys.modules, "music21", None)  # import music21 now fails
    with pytest.raises(ScoreFileError) as caught:
        read_arrangement(path)
    assert str(caught.value) == (
        "Opening FishersHornpipe.abc needs music21, which this copy of Composer does not "
        "have; install it with 'pip install music21', or open a MIDI file."
    )


def measure_starts(path: Path) -> list[float]:
    """Where each of music21's measures of the first part starts, in quarter notes."""
    part = music21_score(path).parts[0]
    return [float(m.getOffsetInHierarchy(part)) for m in part.getElementsByClass("Measure")]


def ryans_sample(count: int, seed: int = 16) -> list[str]:
    import random

    folder = corpus_file(HORNPIPE).parent
    names = sorted(p.name for p in folder.glob("*.abc"))
    return random.Random(seed).sample(names, count)


@pytest.mark.parametrize(
    "name", ["AfterTheHareReel.abc", "CelebratedStopHornpipe.abc", *ryans_sample(24)]
)
def test_every_bar_line_is_a_measure_of_the_score_and_survives_the_midi(name, tmp_path):
    """A section that ends on a whole bar and starts again with its own upbeat (After the
    Hare: the measures start at 16.0, 16.5 (the upbeat, half a beat), 18.5, ...) restarts
    the bar there: the meter is restated where the score's measure starts."""
    path = copied(f"ryansMammoth/{name}", tmp_path)
    read = read_score(path)
    starts = measure_starts(path)
    bars = read.bar_starts(end_beat=read.length_beats())
    assert [b for b in bars if all(abs(b - s) > 1e-6 for s in starts)] == []
    write_arrangement(read, tmp_path / "back.mid")
    assert read_arrangement(tmp_path / "back.mid").bar_starts() == pytest.approx(read.bar_starts())


ABC_HEAD = "X:1\nT:Changes\nM:6/8\nL:1/8\nK:G\n"


@pytest.mark.parametrize(
    "body",
    [
        "GAB c2d | e3 d3 |[M:2/4] g2 f2 | e4 |[M:6/8] A3 F3 | D6 |]\n",
        "GAB c2d | e3 d3 |\nM:2/4\ng2 f2 | e4 |\nM:6/8\nA3 F3 | D6 |]\n",
        "GAB c2d | e3 d3 |\nM: 2/4\nL: 1/8\ng2 f2 | e4 |\nM: 6/8\nA3 F3 | D6 |]\n",
    ],
    ids=["inline", "own-line", "own-line-then-L"],
)
def test_a_meter_change_inside_an_abc_tune_is_kept(body, tmp_path):
    path = tmp_path / "changes.abc"
    path.write_text(ABC_HEAD + body)
    read = read_score(path)
    assert read.time_signature == (6, 8)
    assert read.meter_changes == [(6.0, (2, 4)), (10.0, (6, 8))]
    assert read.bar_starts() == [0.0, 3.0, 6.0, 8.0, 10.0, 13.0]
    assert [n.start_beat for n in read.tracks[0].notes][-3:] == [10.0, 11.5, 13.0]


@pytest.mark.parametrize("change", ["|[K:D] F2 c2 |", "|\nK:D\nF2 c2 |", "|[M:2/4][K:D] F2 c2 |"])
def test_a_key_change_inside_an_abc_tune_changes_the_notes(change, tmp_path):
    path = tmp_path / "key.abc"
    path.write_text(f"X:1\nT:Key\nM:2/4\nL:1/8\nK:C\nF2 c2 {change} F4 |]\n")
    read = read_score(path)
    assert [n.pitch for n in read.tracks[0].notes] == [65, 72, 66, 73, 66]  # F C, F# C#, F#
    assert read.bar_starts() == [0.0, 2.0, 4.0]


def test_real_tunes_meter_changes_are_kept_in_order(tmp_path):
    """Rum and Onions (Ryan's): 6/8 with inline [M:2/4] (two measures of four quarters
    each, so four bars of 2/4) and an M: line back to 6/8;
    O'Neill's 89, The Coolin with variations: M: lines alternating 3/4 and 3/8."""
    read = read_score(copied("ryansMammoth/RumAndOnionsJig.abc", tmp_path))
    assert read.time_signature == (6, 8)
    assert read.meter_changes == [(18.0, (2, 4)), (26.0, (6, 8)), (44.0, (2, 4))]
    read = read_score(one_tune("oneills1850/0051-0100.abc", 89, tmp_path / "coolin.abc"))
    signatures = [read.time_signature] + [s for _, s in read.meter_changes]
    in_turn = [s for i, s in enumerate(signatures) if i == 0 or s != signatures[i - 1]]
    assert in_turn == [(1, 4), (3, 4), (3, 8), (3, 4), (3, 8), (3, 4)]  # the pickup first


def test_a_tempo_change_inside_an_abc_tune_is_in_the_tempo_map(tmp_path):
    path = tmp_path / "tempo.abc"
    path.write_text("X:1\nT:Q\nM:4/4\nL:1/4\nQ:1/4=100\nK:C\nC D E F | [Q:1/4=60] G A B c |]\n")
    read = read_score(path)
    assert read.tempo_bpm == 100 and read.tempo_changes == [(4.0, 60.0)]


def test_a_transposing_instruments_part_is_read_at_sounding_pitch(tmp_path):
    """A B-flat clarinet's written C D E F sound a whole tone lower (B-flat C D E-flat):
    the melody is accompanied as it sounds."""
    from music21 import instrument, note, stream

    part = stream.Part([instrument.Clarinet()])
    for pitch in ("C4", "D4", "E4", "F4"):
        part.append(note.Note(pitch, quarterLength=1.0))
    part.atSoundingPitch = False  # the notes are the clarinettist's written ones
    path = tmp_path / "clarinet.musicxml"
    stream.Score([part.makeMeasures()]).write("musicxml", fp=str(path))
    assert "<transpose>" in path.read_text()
    read = read_score(path)
    assert [n.pitch for n in read.tracks[0].notes] == [58, 60, 62, 63]


def test_a_tie_joins_one_pitch_and_a_tie_to_another_pitch_is_two_notes(tmp_path):
    """O'Neill's writes slurs as ties ("G3-A"): both notes are played, as written; a tie
    from a chord joins only the pitch that goes on (C E tied to C G: C held, E and G
    each struck once)."""
    from music21 import chord, note, stream, tie

    path = tmp_path / "ties.abc"
    path.write_text("X:1\nT:Ties\nM:4/4\nL:1/8\nK:C\nG3-A c2-c2 | c4 z4 |]\n")
    assert as_tuples(read_score(path).tracks[0].notes) == [
        (67, 0.0, 1.5), (69, 1.5, 0.5), (72, 2.0, 2.0), (72, 4.0, 2.0),
    ]  # fmt: skip
    first, second = chord.Chord(["C4", "E4"]), chord.Chord(["C4", "G4"])
    first.setTie(tie.Tie("start"), "C4")
    second.setTie(tie.Tie("stop"), "C4")
    part = stream.Part([first, second, note.Note("D4", quarterLength=2.0)])
    xml = tmp_path / "ties.musicxml"
    stream.Score([part.makeMeasures()]).write("musicxml", fp=str(xml))
    assert as_tuples(read_score(xml).tracks[0].notes) == [
        (60, 0.0, 2.0), (62, 2.0, 2.0), (64, 0.0, 1.0), (67, 1.0, 1.0),
    ]  # fmt: skip


def test_an_off_grid_pickup_gets_a_full_first_bar_with_rests_before_it(tmp_path):
    """Buckley's Hornpipe opens with a pickup of 5/8 of a quarter (a dotted 32nd pair
    and an eighth's triplet share), which no short bar on the 16th grid can hold: the tune
    is moved 1.375 quarters later, so its first bar is a whole 2/4 bar with rests before
    the pickup, and every downbeat is where the score puts it."""
    path = copied("ryansMammoth/BuckleysHornpipe.abc", tmp_path)
    read = read_score(path)
    (witness,) = music21_midi_notes(music21_score(path))
    padding = 2.0 - 0.625
    assert as_tuples(read.tracks[0].notes) == [(p, s + padding, d) for p, s, d in witness]
    assert read.time_signature == (2, 4) and read.meter_changes == []
    starts = [0.0] + [s + padding for s in measure_starts(path)]
    assert set(read.bar_starts()) <= set(starts)  # a short last bar and an upbeat: one bar
    assert read.bar_starts() == [2.0 * bar for bar in range(17)]  # the padded bar, 16 of 2/4
    grid = melody_on_grid(read)
    assert [grid.first_beat + s / 4 for s in grid.bar_starts[:-1]] == read.bar_starts()
    write_arrangement(read, tmp_path / "back.mid")
    assert read_arrangement(tmp_path / "back.mid").bar_starts() == read.bar_starts()


def test_an_unnamed_part_is_named_by_the_track_count_that_track_counts(tmp_path):
    """A score whose first part is empty (rests only): the tracks are the parts with
    notes (Flute, then an unnamed part), ``--track`` counts them from 0, and the unnamed
    one is "Part 2", the second part with notes, not "Part 3" (its place among all
    parts)."""
    measure = (
        "<measure number='1'><attributes><divisions>1</divisions><time><beats>4</beats>"
        "<beat-type>4</beat-type></time></attributes>{}</measure>"
    )
    rest = "<note><rest/><duration>4</duration></note>"
    c4 = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration></note>"
    g3 = "<note><pitch><step>G</step><octave>3</octave></pitch><duration>4</duration></note>"
    names = ["Piano RH", "Flute", ""]
    path = tmp_path / "empty-first.musicxml"
    path.write_text(
        "<?xml version='1.0'?><score-partwise version='3.1'><part-list>"
        + "".join(
            f"<score-part id='P{i}'><part-name>{name}</part-name></score-part>"
            for i, name in enumerate(names, 1)
        )
        + "</part-list>"
        + "".join(
            f"<part id='P{i}'>{measure.format(body)}</part>"
            for i, body in enumerate([rest, c4, g3], 1)
        )
        + "</score-partwise>"
    )
    read = read_score(path)
    assert [t.name for t in read.tracks] == ["Flute", "Part 2"]
    assert read_melody(path, track=1).tracks[0].notes[0].pitch == 55


def test_an_inline_unit_length_after_a_continued_line_applies_to_the_notes_after_it(tmp_path):
    """O'Neill's 570 changes the unit length inline (``|[L:1/16] (c3d/c/)``), on lines
    continued with a backslash."""
    path = tmp_path / "length.abc"
    path.write_text("X:1\nT:L\nM:4/4\nL:1/8\nK:C\nCDEF GABc|\\\n[L:1/16] c4d4e4f4 g4a4b4c'4|]\n")
    read = read_score(path)
    assert [n.start_beat for n in read.tracks[0].notes][8:] == [
        4.0,
        5.0,
        6.0,
        7.0,
        8.0,
        9.0,
        10.0,
        11.0,
    ]
    assert read.bar_starts() == [0.0, 4.0, 8.0]
