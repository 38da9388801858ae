"""A folder's model learns the kinds of track the musician checks (drums and bass only,
say), with the real ``dataset build --songs --kinds`` and ``train --export`` children on
openttd-openmsx's songs and a tiny model; and the Train window's check boxes make that
plan, list the parts of a kind left out as not learnt, and refuse none checked."""

from __future__ import annotations

import json
import subprocess

import pytest

from composer_gui.core.midi_file import read_arrangement
from composer_gui.core.training_plan import composer_command
from composer_gui.paths import resource_path
from composer_gui.ui.train_source import SOURCES, TrainSource
from models.build_song_dataset import song_tracks
from models.errors import DatasetError
from tests.support.real_parts import needs
from tests.support.training import SONGS, train_tiny_on_songs

needs_songs = needs(SONGS.is_dir(), "openttd-openmsx")


def test_the_kinds_are_the_song_tracks_named_and_an_unknown_one_is_said():
    assert [t.name for t in song_tracks()] == ["drums", "bass", "chords", "other"]
    assert [t.name for t in song_tracks(("bass", "drums"))] == ["drums", "bass"]
    with pytest.raises(DatasetError, match="the kinds are drums, bass, chords, other"):
        song_tracks(("pad",))


@needs_songs
def test_a_folder_trained_on_drums_and_bass_only_writes_those_two(tmp_path):
    run = train_tiny_on_songs(tmp_path, ("drums", "bass"), timeout=240)
    assert "--kinds drums,bass" in (run.run_dir / "output.log").read_text()
    manifest = json.loads((run.data_dir / "manifest.json").read_text())
    assert [t["name"] for t in manifest["tracks"]] == ["drums", "bass"]
    card = json.loads(run.model_path.with_suffix(".json").read_text())
    assert [t["kind"] for t in card["config"]["tracks"]] == ["drums", "bass"]
    assert "calibration" in card
    # and it accompanies: the engine wrote a drums-and-bass model's two tracks as the
    # chorale's stacked voices before (composer_gui.core.track_notes.per_track)
    out = tmp_path / "twinkle-band.mid"
    melody = resource_path("melodies", "twinkle_twinkle.mid")
    command = [*composer_command(), "accompany", str(melody), "-o", str(out)]
    done = subprocess.run(
        [*command, "--model", str(run.model_path), "--candidates", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    tracks = read_arrangement(out).tracks
    assert [t.name for t in tracks] == ["melody", "drums", "bass"]
    assert all(t.notes for t in tracks)


@pytest.mark.gui
@needs_songs
def test_the_check_boxes_make_the_plan_and_show_what_is_not_learnt(qtbot):
    source = TrainSource()
    qtbot.addWidget(source)
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))
    assert all(box.isEnabled() and box.isChecked() for box in source.kind_boxes.values())
    assert source.plan_values()["kinds"] == ()  # every kind: the plan as before the boxes
    source.folder_edit.setText(str(SONGS))
    source.preview_folder()
    qtbot.waitUntil(lambda: "files kept" in source.files_summary.text(), timeout=60000)
    source.kind_boxes["chords"].setChecked(False)
    source.kind_boxes["other"].setChecked(False)
    assert source.plan_values()["kinds"] == ("drums", "bass")
    tree = source.files_tree
    song = next(
        tree.topLevelItem(i)
        for i in range(tree.topLevelItemCount())
        if tree.topLevelItem(i).text(0) == "boogi_marabi_redfarn.mid"
    )
    shown = [song.child(j).text(1) for j in range(song.childCount())]
    assert "drums" in shown and any(r == "chords (not learnt)" for r in shown), shown
    assert source.problem() == ""
    for box in source.kind_boxes.values():
        box.setChecked(False)
    assert "at least one kind" in source.problem()
    # the voices layout has no band kinds to choose
    source.layout_box.setCurrentIndex(source.layout_box.findData("voices"))
    assert not any(box.isEnabled() for box in source.kind_boxes.values())
    assert source.plan_values()["kinds"] == () and source.problem() == ""
    source.close_preview()


@pytest.mark.gui
@needs_songs
def test_the_preview_says_which_songs_the_kinds_checked_skip_as_the_build_does(qtbot):
    """Bass only: the songs without a bass part are listed as skipped, with the build's
    reason, before training; the same songs the build itself skips (its own report)."""
    from composer_gui.core.dataset_import import songs_in_folder
    from models.build_dataset import BuildReport
    from models.build_song_dataset import band_pieces_from_songs

    source = TrainSource()
    qtbot.addWidget(source)
    source.source_box.setCurrentIndex([s for _, s in SOURCES].index(None))
    source.folder_edit.setText(str(SONGS))
    source.preview_folder()
    qtbot.waitUntil(lambda: "files kept" in source.files_summary.text(), timeout=60000)
    tree = source.files_tree

    def shown() -> dict[str, str]:
        items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
        return {item.text(0): item.text(1) for item in items}

    every_kind = shown()
    for name in ("drums", "chords", "other"):
        source.kind_boxes[name].setChecked(False)
    bass_only = shown()
    newly = {n for n, words in bass_only.items() if words != every_kind[n]}
    report = BuildReport()
    band_pieces_from_songs(list(songs_in_folder(SONGS)), [], report, ("bass",))
    reason = "has no bass beside the melody to learn from"
    built = {name for name, why in report.skipped if why == reason}
    assert newly == built and len(built) >= 3  # nine of openttd-openmsx's songs
    assert all(bass_only[n] == f"skipped: {reason}" for n in newly)
    kept = sum(words == "kept" for words in bass_only.values())
    assert source.files_summary.text().startswith(f"{kept} of {len(bass_only)} files kept")
    source.kind_boxes["drums"].setChecked(True)  # drums and bass: every song has one
    assert shown() == every_kind
    source.close_preview()
