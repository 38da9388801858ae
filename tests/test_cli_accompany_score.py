"""``composer-gui accompany`` on ABC files: a Ryan's hornpipe whose pickup the score
writes (the MIDI route's detector misses it: ``test_melody_grid_pickup.py``'s strict
xfails) is accompanied on the score's bars, its output barred as the score (an eighth's
short bar, then 2/4) as pretty_midi, mido and music21 read it back; a tune book says which
tune it took; a damaged score is one sentence. A tiny model, as the other CLI tests."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import mido
import pretty_midi
import pytest

from composer_gui.cli import main
from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.score_file import read_score


def corpus_copy(name: str, folder: Path) -> Path:
    from music21 import corpus

    target = folder / Path(name).name
    shutil.copy(str(corpus.getWork(name)), target)
    return target


def accompany(path: Path, out: Path, model: Path, capsys, *extra: str):
    args = ["accompany", str(path), "-o", str(out), "--model", str(model)]
    code = main([*args, "--candidates", "2", "--seed", "3", *extra])
    return code, capsys.readouterr()


def oneills_jig(folder: Path) -> Path:
    """O'Neill's X:19, The Protestant Boys (6/8, an eighth's pickup), in a file of its own."""
    from music21 import corpus

    text = Path(str(corpus.getWork("oneills1850/0001-0050.abc"))).read_text(encoding="latin-1")
    tune = next(t for t in re.split(r"\n(?=X:)", text) if re.match(r"X:\s*19\b", t))
    path = folder / "protestant-boys.abc"
    path.write_text(tune + "\n")
    return path


TUNES = {  # name: (melody line, the score's meter, its beat in quarters)
    "hornpipe": ("Melody: track 0 'FISHER'S -- HORNPIPE' (118 notes).", (2, 4), 1.0),
    "jig": ("Melody: track 0 'The Protestant Boys' (84 notes).", (6, 8), 1.5),
}


@pytest.mark.parametrize("which", sorted(TUNES))
def test_a_tune_from_abc_is_accompanied_on_the_scores_bars(which, tiny_model, tmp_path, capsys):
    from music21 import converter

    if which == "hornpipe":
        tune = corpus_copy("ryansMammoth/FishersHornpipe.abc", tmp_path)
    else:
        tune = oneills_jig(tmp_path)
    said, meter, beat_length = TUNES[which]
    out = tmp_path / "out.mid"
    code, io = accompany(tune, out, tiny_model, capsys)
    assert code == 0, io.err
    lines = io.out.splitlines()
    assert lines[0] == said
    assert lines[1] == "pickup: 1 eighth (as the file bars it)"

    written = read_arrangement(out)
    assert written.time_signature == (1, 8) and written.meter_changes == [(0.5, meter)]
    score = read_score(tune)
    assert written.tracks[0].notes == score.tracks[0].notes  # the melody as written
    bar = meter[0] * 4 / meter[1]
    assert written.bar_starts()[:3] == [0.0, 0.5, 0.5 + bar]
    whole = [
        float(m.offset)
        for m in converter.parse(tune, format="abc").parts[0].getElementsByClass("Measure")
        if m.duration.quarterLength == m.barDuration.quarterLength
    ]
    assert set(whole) <= set(written.bar_starts())  # every whole bar of the score
    midi = mido.MidiFile(out)
    events = []  # (beat, message) of every meta event the file holds
    for track in midi.tracks:
        tick = 0
        for message in track:
            tick += message.time
            events.append((tick / midi.ticks_per_beat, message))
    # The chords move on the score's beats (from the end of the eighth's pickup), not on
    # the beats of a bar from beat 0 that the MIDI route would have guessed from.
    chords = [beat for beat, message in events if message.type == "marker"]
    assert len(chords) > 16 and all((beat - 0.5) % beat_length == 0 for beat in chords if beat)
    signatures = [
        (beat, message.numerator, message.denominator)
        for beat, message in events
        if message.type == "time_signature"
    ]
    assert signatures == [(0.0, 1, 8), (0.5, *meter)]
    pm = pretty_midi.PrettyMIDI(str(out))
    assert [
        (pm.time_to_tick(ts.time) / pm.resolution, ts.numerator, ts.denominator)
        for ts in pm.time_signature_changes
    ] == signatures
    back = converter.parse(out, forceSource=True, storePickle=False)
    sigs = back.parts[0].recurse().getElementsByClass("TimeSignature")
    assert [
        (float(s.getOffsetInHierarchy(back.parts[0])), s.numerator, s.denominator) for s in sigs
    ][:2] == signatures
    first_bar = back.parts[0].getElementsByClass("Measure")[0]
    assert first_bar.duration.quarterLength == 0.5


def test_a_tune_book_says_which_tune_it_took(tiny_model, tmp_path, capsys):
    book = corpus_copy("oneills1850/0001-0050.abc", tmp_path)
    out = tmp_path / "out.mid"
    code, io = accompany(book, out, tiny_model, capsys)
    assert code == 0, io.err
    said = (
        "0001-0050.abc holds 50 tunes; Composer took the first, X:1 'The Enchanted Valley' "
        "(save another tune in a file of its own to accompany it)."
    )
    assert io.out.splitlines()[:2] == ["Melody: track 0 'The Enchanted Valley' (121 notes).", said]
    code, io = accompany(book, tmp_path / "again.mid", tiny_model, capsys, "--json")
    assert code == 0, io.err
    report = json.loads(io.out)
    assert report["tune"] == said and report["melody"]["name"] == "The Enchanted Valley"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.abc", b"X:1\nT:Bad\nM:6/8\nK:G\n|: GAB c2 d | e[[[ ||| :|\n"),
        ("cut.musicxml", b"<?xml version='1.0'?><score-partwise><part-list>"),
        ("silent.abc", b"X:1\nT:Nothing\nM:4/4\nK:C\n"),
    ],
)
def test_a_damaged_score_is_refused_in_one_line(tmp_path, capsys, name, content):
    bad = tmp_path / name
    bad.write_bytes(content)
    out = tmp_path / "out.mid"
    code = main(["accompany", str(bad), "-o", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and name in err[0] and "Traceback" not in err[0]
    assert not out.exists()


def test_play_schedules_a_score_as_composer_reads_it(tmp_path, capsys):
    """``play`` reads a score through the same reader (its damaged file is one sentence
    before any port opens); a tune's notes are scheduled at their written beats."""
    from composer_gui.commands.midi_commands import _score_as_midi
    from composer_gui.core.playback import schedule_from_midifile

    tune = corpus_copy("ryansMammoth/BattleTheCashJig.abc", tmp_path)
    schedule = schedule_from_midifile(_score_as_midi(tune))
    onsets = sorted(
        event.beat
        for event in schedule.events
        if event.message.type == "note_on" and event.message.velocity
    )
    assert onsets == [note.start_beat for note in read_score(tune).tracks[0].notes]
    assert _score_as_midi(tmp_path / "song.mid") is None  # a MIDI file is read as before

    bad = tmp_path / "bad.abc"
    bad.write_bytes(b"X:1\nT:Bad\nM:6/8\nK:G\n|: GAB c2 d | e[[[ ||| :|\n")
    assert main(["play", str(bad), "--virtual"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.abc is damaged and cannot be read as ABC" in err[0]


def test_the_parts_of_a_musicxml_score_are_the_tracks_track_counts(tiny_model, tmp_path, capsys):
    from music21 import corpus

    path = tmp_path / "bwv66.6.musicxml"
    corpus.parse("bach/bwv66.6").write("musicxml", fp=str(path))
    out = tmp_path / "out.mid"
    code, io = accompany(path, out, tiny_model, capsys, "--track", "3")
    assert code == 0, io.err
    bass = read_score(path).tracks[3]
    assert io.out.splitlines()[0] == (
        f"Melody: track 3 'Bass' ({len(bass.notes)} notes), as asked; the file has 4 pitched "
        "tracks (0, 1, 2, 3): choose another with --track N."
    )
    assert read_arrangement(out).tracks[0].notes == bass.notes
    code = main(["accompany", str(path), "-o", str(tmp_path / "no.mid"), "--track", "4"])
    assert code == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("bwv66.6.musicxml has no track 4; its tracks with notes are numbered 0 to 3.")
    )
