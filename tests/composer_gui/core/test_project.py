"""Project files: everything a musician set comes back, and bad files say so in one sentence."""

from __future__ import annotations

import json

import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.candidate import Candidate
from composer_gui.core.project import (
    Project,
    ProjectFileError,
    TrackMix,
    candidate_from_dict,
    candidate_to_dict,
    load_project,
    save_project,
)


def candidate(rank: int) -> Candidate:
    melody = Track("melody", [Note(60, 0.0, 1.0, 90), Note(62, 1.0, 0.5, 64)])
    bass = Track("bass", [Note(36 + rank, 0.0, 2.0, 70)], program=32, channel=3)
    arrangement = Arrangement(
        [melody, bass], tempo_bpm=90.0, time_signature=(3, 4), tempo_changes=[(3.0, 80.0)]
    )
    return Candidate(
        arrangement,
        rank=rank,
        critic_score=1.5 - rank,
        percentile=80.0 / rank,
        metrics={"in_key_ratio": 0.95, "polyphony": 2.5},
        reasons=["no parallel fifths or octaves", f"parallel fifths in bar {rank}"],
    )


def test_a_project_round_trips(tmp_path):
    project = Project(
        melody=candidate(1).arrangement,
        generations=[[candidate(1), candidate(2)], [candidate(1)]],
        pick=(0, 1),
        mix=[TrackMix(0, 1.0, False, False), TrackMix(42, 0.5, True, False)],
        tempo_bpm=90.0,
        bars=2,
        preset="strings",
        density=0.3,
        variety=0.8,
    )
    path = save_project(project, tmp_path / "song")  # the suffix is added
    assert path.name == "song.composer"
    back = load_project(path)
    assert back == project
    assert back.picked == candidate(2)
    assert back.candidates == [candidate(1)]  # the newest generation


def test_a_candidate_saved_before_reasons_existed_loads_without_them():
    data = candidate_to_dict(candidate(1))
    assert data["reasons"] == candidate(1).reasons
    del data["reasons"]
    assert candidate_from_dict(data).reasons == []


def test_saving_is_atomic_and_leaves_no_temporary_files(tmp_path):
    save_project(Project(), tmp_path / "a.composer")
    save_project(Project(tempo_bpm=70.0), tmp_path / "a.composer")
    assert [p.name for p in tmp_path.iterdir()] == ["a.composer"]
    assert load_project(tmp_path / "a.composer").tempo_bpm == 70.0


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "damaged"),
        (json.dumps({"format": "something-else"}), "not a Composer project"),
        (json.dumps({"format": "composer-project", "version": 99}), "newer Composer"),
        (
            json.dumps(
                {
                    "format": "composer-project",
                    "version": 1,
                    "melody": {"tracks": [{"notes": [[60]]}]},
                }
            ),
            "damaged",
        ),
    ],
)
def test_bad_project_files_are_one_sentence(tmp_path, content, words):
    path = tmp_path / "bad.composer"
    path.write_text(content)
    with pytest.raises(ProjectFileError, match=words) as error:
        load_project(path)
    assert "\n" not in str(error.value)


def test_a_missing_file_and_a_folder_are_named(tmp_path):
    with pytest.raises(ProjectFileError, match="no longer exists"):
        load_project(tmp_path / "gone.composer")
    with pytest.raises(ProjectFileError, match="is a folder"):
        load_project(tmp_path)


def test_a_format_1_file_loads_with_each_take_made_for_its_own_melody(tmp_path):
    from composer_gui.core.document import Document

    old = {
        "format": "composer-project",
        "version": 1,
        "melody": {"tracks": [{"name": "melody", "notes": [[60, 0.0, 1.0, 90]]}]},
        "generations": [
            [
                {
                    "rank": 1,
                    "critic_score": 0.5,
                    "percentile": 40.0,
                    "arrangement": {
                        "tracks": [
                            {"name": "melody", "notes": [[60, 0.0, 1.0, 90]]},
                            {"name": "bass", "notes": [[36, 0.0, 1.0, 70]], "channel": 3},
                        ]
                    },
                }
            ]
        ],
        "pick": [0, 0],
        "mix": [{"program": 0, "mute": True}],
    }
    path = tmp_path / "old.composer"
    path.write_text(json.dumps(old), encoding="utf-8")
    doc = Document()
    doc.open_project(path)
    assert doc.pick == (0, 0) and not doc.stale and not doc.dirty
    assert doc.mix[0].mute and not doc.mix[1].mute
    assert doc.heard_arrangement().tracks[1].notes == [Note(36, 0.0, 1.0, 70)]


def test_meter_changes_survive_a_round_trip():
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.project import arrangement_from_dict, arrangement_to_dict

    song = Arrangement([Track("m", [Note(60, 0.0, 1.0)])], time_signature=(6, 8))
    song.meter_changes = [(6.0, (9, 8))]
    assert arrangement_from_dict(arrangement_to_dict(song)).meter_changes == [(6.0, (9, 8))]
    old = arrangement_to_dict(song)
    del old["meter_changes"]  # a project saved before meters
    assert arrangement_from_dict(old).meter_changes == []
