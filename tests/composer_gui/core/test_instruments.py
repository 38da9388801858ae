"""The General MIDI families: sixteen, eight programs each, in the standard's order."""

from composer_gui.core.instruments import (
    GM_FAMILIES,
    GM_PROGRAM_NAMES,
    program_family,
    programs_by_family,
)


def test_programs_fall_in_their_general_midi_family():
    assert len(GM_FAMILIES) == 16
    assert program_family(0) == "Piano"
    assert program_family(19) == "Organ"  # Church Organ
    assert program_family(GM_PROGRAM_NAMES.index("Choir Aahs")) == "Ensemble"
    assert program_family(GM_PROGRAM_NAMES.index("Shanai")) == "Ethnic"
    assert program_family(127) == "Sound Effects"  # Gunshot


def test_programs_by_family_covers_every_program_once_in_order():
    groups = programs_by_family()
    assert [family for family, _ in groups] == list(GM_FAMILIES)
    assert [p for _, programs in groups for p in programs] == list(range(128))


def test_a_band_style_plays_its_own_instruments_and_an_own_model_its_card_programs():
    from composer_gui.core.instruments import track_programs
    from models.band_styles import BAND_TRACKS, style_named

    rock = track_programs("organ", BAND_TRACKS, "rock")
    assert rock == tuple(style_named("rock").programs[t.name] for t in BAND_TRACKS)
    assert rock != track_programs("organ", BAND_TRACKS, "pop ballad")  # guitars, not piano
    own = track_programs("organ", BAND_TRACKS, "my songs")  # a style no shipped one names
    assert own == tuple(t.program for t in BAND_TRACKS)


def test_a_band_style_is_mixed_as_mma_mixes_it_around_the_given_velocity():
    from composer_gui.core.instruments import track_velocities
    from models.band_styles import BAND_TRACKS
    from models.tracks import CHORALE_TRACKS

    names = [t.name for t in BAND_TRACKS]
    ballad = dict(zip(names, track_velocities(BAND_TRACKS, 64, "pop ballad"), strict=True))
    assert ballad["pad"] < ballad["chords"] < ballad["bass"] < ballad["drums"]  # pad at "p"
    assert abs(sum(ballad.values()) / len(ballad) - 64) <= 1  # the band's level kept
    assert max(track_velocities(BAND_TRACKS, 120, "country")) == 127  # clipped to MIDI's
    assert track_velocities(BAND_TRACKS, 64, "my songs") == (64,) * len(BAND_TRACKS)
    assert track_velocities(CHORALE_TRACKS, 70, None) == (70, 70, 70)
