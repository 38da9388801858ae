"""The shipped styles against MMA itself: their grooves exist with the declared bar, every
track MMA plays is a band track (or knowingly ignored), the band plays in every bar, and
the declared programs are the voices MMA uses."""

from __future__ import annotations

import io
import re
from pathlib import Path

import mido
import pytest

from models.band_styles import BAND_TRACKS, STYLE_NAMES, STYLES, style_index, style_named
from models.chord_symbols import RHYTHMS
from models.mma_render import chart_text, mma_available, read_band, render
from tests.support.real_parts import needs

MMA_LIB = Path("/usr/share/mma/lib/stdlib")
needs_mma = needs(mma_available(), "MMA (mma)")


def test_six_styles_a_musician_would_pick_on_one_track_list():
    assert {"pop ballad", "rock", "country", "swing", "bossa nova", "waltz"} <= set(STYLE_NAMES)
    assert [t.kind for t in BAND_TRACKS] == ["drums", "bass", "chords", "chords"]
    for style in STYLES:
        assert style.harmonic_rhythm in RHYTHMS
        assert all(m.accompanied for m in style.meters)
        assert set(style.programs) == {t.name for t in BAND_TRACKS}
        assert all(0 <= p <= 127 for p in style.programs.values())
        assert style.sources.get("bass") and style.sources.get("chords")
        assert style.summary().startswith(style.name)
    assert [m.signature for m in style_named("waltz").meters] == [(3, 4)]
    assert style_named("Bossa-Nova").name == "bossa nova"
    assert style_index("rock") == STYLE_NAMES.index("rock")
    with pytest.raises(ValueError, match="choose one of"):
        style_named("polka")


def _defined_grooves() -> dict[str, int]:
    """Every groove of MMA's standard library, lower-cased, with its file's ``Time``."""
    grooves = {}
    for path in MMA_LIB.glob("*.mma"):
        text = path.read_text(errors="replace")
        time = re.search(r"^\s*Time\s+(\d+)", text, re.MULTILINE | re.IGNORECASE)
        for name in re.findall(r"^\s*DefGroove\s+(\S+)", text, re.MULTILINE | re.IGNORECASE):
            grooves[name.lower()] = int(time.group(1)) if time else 4
    return grooves


@needs_mma
def test_every_groove_is_in_mmas_library_with_its_bar():
    grooves = _defined_grooves()
    for style in STYLES:
        for groove in style.grooves.values():
            assert grooves.get(groove.name.lower()) == groove.beats_per_bar, groove.name


def _chart(bar: int) -> list[tuple[int, str]]:
    return [(0, "C"), (bar, "Am"), (2 * bar, "F"), (3 * bar, "G7")]


@needs_mma
@pytest.mark.parametrize("name", STYLE_NAMES)
def test_the_style_renders_a_full_band_in_every_bar(name):
    style = style_named(name)
    for groove in dict.fromkeys(style.grooves.values()):  # a 2/4 groove is cut: its own
        bar = groove.bar_steps
        midi = render(chart_text(_chart(bar), 4 * bar, groove, style.tempo_bpm))
        notes, unmapped = read_band(midi, style, 4 * bar, groove.beat_steps)
        assert not unmapped, f"{groove.name}: MMA tracks with no band track"
        # A pad plays in every bar or not at all (the 6/8 ballad has none).
        playing = ["drums", "bass", "chords"] + (["pad"] if "pad" in notes else [])
        assert "pad" in notes or groove.name == "Ballad68" or not style.sources.get("pad")
        for track in playing:
            bars = {start // bar for start, _, _ in notes.get(track, [])}
            assert bars == {0, 1, 2, 3}, f"{groove.name}: {track} plays in bars {sorted(bars)}"
        programs: dict[str, set[int]] = {}
        for midi_track in mido.MidiFile(file=io.BytesIO(midi)).tracks:
            band = style.band_track(midi_track.name)
            for message in midi_track:
                if message.type == "program_change" and band:
                    programs.setdefault(band, set()).add(message.program)
        for track in ("chords", "pad"):
            if track in programs and groove is next(iter(style.grooves.values())):
                assert style.programs[track] in programs[track], (groove.name, track)


def test_2_4_bars_are_the_grooves_first_half_except_bossa_novas_two_bar_clave():
    for style in STYLES:
        groove = style.grooves.get((2, 4))
        if groove is None:
            continue
        if style.name == "bossa nova":  # its clave spans two 2/4 bars: the groove whole
            assert groove.cut_to == 0 and groove.bar_beats == 4
        else:
            assert groove.cut_to == 2 and groove.bar_steps == 8


@needs_mma
@pytest.mark.parametrize("name", STYLE_NAMES)
def test_a_styles_mix_is_mmas_own_velocities_in_its_first_groove(name):
    style = style_named(name)
    groove = next(iter(style.grooves.values()))
    bar = groove.bar_steps
    midi = mido.MidiFile(
        file=io.BytesIO(render(chart_text(_chart(bar), 4 * bar, groove, style.tempo_bpm)))
    )
    velocities: dict[str, list[int]] = {}
    for track in midi.tracks:
        band = style.band_track(track.name)
        struck = [m.velocity for m in track if m.type == "note_on" and m.velocity > 0]
        if band is not None and struck:
            velocities.setdefault(band, []).extend(struck)
    heard = {band: sum(v) / len(v) for band, v in velocities.items()}
    assert set(heard) == set(style.levels)
    for band, level in style.levels.items():  # MMA humanises velocities a little
        assert abs(heard[band] - level) <= 8, (band, heard[band], level)
