"""Own songs kept whole: roles from channel 10, names, programs and playing; overrides;
and the real multi-track songs of Debian's openttd-openmsx and planetblupi-music-midi."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from models.band_pieces import load_band_split
from models.build_dataset import REST
from models.build_song_dataset import band_pieces_from_songs, build_song_dataset
from models.pianoroll import Meter
from models.song_roles import RoleOverride, find_roles, split_melody
from tests.support.real_parts import needs


@dataclass
class N:
    pitch: int
    start_beat: float
    duration_beats: float = 1.0


@dataclass
class P:
    name: str
    program: int = 0
    channel: int = 0
    is_drum: bool = False
    notes: list = field(default_factory=list)


def _line(pitches, start=0.0):
    return [N(p, start + i) for i, p in enumerate(pitches)]


def _chords(roots, size=3):
    return [N(r + 4 * k - (k == 2), float(i)) for i, r in enumerate(roots) for k in range(size)]


def _band():
    return [
        P("Lead", 73, 0, notes=_line([72, 74, 76, 77] * 4)),
        P("Track 2", 0, 1, notes=_chords([60, 65, 67, 60] * 4)),
        P("Track 3", 33, 2, notes=_line([36, 41, 43, 36] * 4)),
        P("Kit", 0, 9, True, notes=_line([36, 38] * 8)),
        P("Sax", 66, 3, notes=_line([64, 65, 67, 64] * 4)),
    ]


def test_roles_come_from_channel_ten_names_programs_and_playing():
    assert find_roles(_band()) == ["melody", "chords", "bass", "drums", "other"]


def test_without_names_the_highest_single_line_is_the_melody_and_the_lowest_the_bass():
    parts = _band()
    parts[0].name, parts[0].program = "Track 1", 0  # no name nor program says "melody"
    parts[2].program = 0  # nor "bass": it is the low single line
    assert find_roles(parts) == ["melody", "chords", "bass", "drums", "other"]
    # A part named Drums on another channel is not drums: it plays what it plays.
    parts.append(P("Drums", 48, 5, notes=_chords([48, 53] * 8)))
    assert find_roles(parts)[-1] == "chords"


def test_where_every_part_comps_the_top_line_of_the_highest_is_the_tune():
    parts = [
        P("Piano RH", 0, 0, notes=_chords([67, 69, 71, 72] * 4)),
        P("Piano LH", 0, 1, notes=_chords([43, 45, 47, 48] * 4)),
        P("Drums", 0, 9, True, notes=_line([36] * 16)),
    ]
    assert find_roles(parts) == ["melody", "chords", "drums"]
    top, under = split_melody([(0, 4, 60), (0, 4, 64), (0, 4, 67), (4, 8, 65)])
    assert top == [(0, 4, 67), (4, 8, 65)] and sorted(under) == [(0, 4, 60), (0, 4, 64)]


def test_overrides_win_and_are_checked():
    parts = _band()
    overrides = [RoleOverride.parse("sax=melody"), RoleOverride.parse("Lead=skip")]
    assert find_roles(parts, overrides) == ["skip", "chords", "bass", "drums", "melody"]
    assert RoleOverride.parse("Piano*=chords").matches("piano left hand")
    for bad in ("Piano", "Piano=lead", "=bass"):
        with pytest.raises(ValueError, match="NAME=ROLE"):
            RoleOverride.parse(bad)


def test_a_part_told_to_comp_is_not_made_the_melody_by_the_fallback():
    """Only chords parts left once the lead is told to comp: the fallback that takes a
    chords part's top line for the tune takes another part, not the one the musician
    named."""
    lead = P("Flute", 73, 0, notes=_chords([72, 74, 76, 77] * 4))
    piano = P("Piano", 0, 1, notes=_chords([60, 65, 67, 60] * 4))
    assert find_roles([lead, piano]) == ["melody", "chords"]
    assert find_roles([lead, piano], [RoleOverride.parse("Flute=chords")]) == [
        "chords",
        "melody",
    ]


def test_songs_that_do_not_fit_are_reported_with_their_reason():
    songs = [
        ("kept.mid", _band(), [Meter(4, 4)]),
        ("five.mid", _band(), [Meter(5, 4)]),
        ("changes.mid", _band(), [Meter(4, 4), Meter(3, 4)]),
        ("drums only.mid", [_band()[3]], [Meter(4, 4)]),
        ("damaged.mid", "damaged.mid is damaged and cannot be read as MIDI", []),
        ("wide.mid", [P("Lead", 73, 0, notes=_line([20, 100])), _band()[3]], [Meter(4, 4)]),
    ]
    pieces, tracks, roles = band_pieces_from_songs(songs, report=(report := _report()))
    assert [p.name for p in pieces] == ["kept.mid"] and list(roles) == ["kept.mid"]
    reasons = dict(report.skipped)
    assert "5/4" in reasons["five.mid"] and "changes meter" in reasons["changes.mid"]
    assert "no melody" in reasons["drums only.mid"] and "damaged" in reasons["damaged.mid"]
    assert "28-91" in reasons["wide.mid"]
    assert (tracks[1].low, tracks[1].high) == (36, 43)  # the bass's own range
    assert roles["kept.mid"]["Sax [ch4]"] == "other"


def _report():
    from models.build_dataset import BuildReport

    return BuildReport()


def _debian_songs() -> list[Path]:
    listed = subprocess.run(
        ["dpkg", "-L", "openttd-openmsx", "planetblupi-music-midi"],
        capture_output=True,
        text=True,
    ).stdout.split()
    return sorted(Path(p) for p in listed if p.lower().endswith(".mid"))


@needs(len(_debian_songs()) >= 41, "openttd-openmsx and planetblupi-music-midi")
def test_the_debian_songs_are_kept_whole(tmp_path):
    from composer_gui.core.dataset_import import songs_in_folder

    folder = tmp_path / "songs"
    folder.mkdir()
    for path in _debian_songs():
        (folder / path.name).symlink_to(path)
    manifest, report, roles = build_song_dataset(
        songs_in_folder(folder), tmp_path / "data", str(folder)
    )
    skipped = dict(report.skipped)
    assert set(skipped) == {"5432gone_redfarn.mid", "ttsong_iii_imuh3.mid"}
    assert (
        "5/4" in skipped["5432gone_redfarn.mid"]
        and "changes meter" in skipped["ttsong_iii_imuh3.mid"]
    )
    assert sum(manifest["counts"].values()) == 39 == len(roles)
    assert manifest["roles"] == roles
    # Known parts: planetblupi's named tracks and a ragtime's flute.
    assert roles["music001.mid"]["Melody-1 [ch1]"] == "melody"
    assert roles["music001.mid"]["Bass [ch3]"] == "bass"
    assert roles["music001.mid"]["Drum [ch10]"] == "drums"
    assert roles["boogi_marabi_redfarn.mid"]["Flute [ch4]"] == "melody"
    tracks = {t["name"]: t for t in manifest["tracks"]}
    assert tracks["chords"]["low"] < 28 or tracks["chords"]["high"] > 91  # the full range kept
    with_drums = with_bass = 0
    for split in ("train", "valid", "test"):
        data = load_band_split(tmp_path / "data", split)
        for piece in data.pieces():
            # planetblupi's songs hand the tune about: Melody 1 sounds in 7% of music000.
            assert (piece.melody != REST).mean() > 0.05, piece.name
            names = [t.name for t in data.tracks]
            has_drums = piece.onsets[names.index("drums")].any()
            assert has_drums or piece.name == "chemistry_lab.mid"  # the one with no channel 10
            with_drums += has_drums
            with_bass += piece.sounding[names.index("bass")].any()
            assert np.logical_or(piece.sounding[2].any(), piece.sounding[3].any())
    assert with_drums == 38 and with_bass >= 28  # the redfarn rags' bass is the piano's
