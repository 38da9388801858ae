"""Which meters a style learnt (from its card) and the one sentence for any other (#16, #17).

Real tunes of the music21 corpus: a 6/8 jig and a 3/4 children's song, against the
shipped rock (learnt 4/4 and 2/4: refused) and the styles that learnt them."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import MeterError
from composer_gui.core.midi_file import read_melody
from composer_gui.core.style_meters import learnt_meters, meter_refusal, refuse_style_meters
from composer_gui.core.styles import card_styles, find_style, installed_styles
from composer_gui.paths import resource_path

BAND = resource_path("weights", "composer-band.safetensors")


def melody(path: Path) -> Arrangement:
    return read_melody(path)


def test_the_shipped_styles_learnt_their_grooves_meters_and_the_chorale_every_one():
    styles = {s.shown: s for s in installed_styles()}
    assert styles["rock"].meters == ((4, 4), (2, 4))
    assert styles["waltz"].meters == ((3, 4),)
    assert (6, 8) in styles["pop ballad"].meters and (3, 4) not in styles["pop ballad"].meters
    assert (6, 8) in styles["chorale"].meters and (9, 8) in styles["chorale"].meters


def test_a_card_that_records_its_styles_meters_answers_from_them_and_one_that_cannot_is_none():
    recorded = {"data": {"source": "my songs", "style_meters": {"rock": ["6/8", [4, 4]]}}}
    assert learnt_meters(recorded, "rock") == ((6, 8), (4, 4))
    # the record wins over the grooves a band_styles dataset would have had
    recorded["data"]["source"] += ", in the grooves of models.band_styles"
    assert learnt_meters(recorded, "rock") == ((6, 8), (4, 4))
    assert learnt_meters({"data": {"source": "my songs"}}, "rock") is None
    assert learnt_meters({}, "my style") is None


def test_a_jig_is_refused_in_rock_naming_what_rock_plays_and_who_plays_6_8(corpus_midi):
    jig = melody(corpus_midi["battle-the-cash"].path)
    styles = installed_styles()
    sentence = meter_refusal(find_style("rock", styles), jig, styles)
    assert sentence == "rock plays 4/4 and 2/4; for this 6/8 tune choose chorale or pop ballad."
    assert meter_refusal(find_style("pop ballad", styles), jig, styles) is None
    assert meter_refusal(find_style("chorale", styles), jig, styles) is None
    with pytest.raises(MeterError, match="rock plays 4/4 and 2/4"):
        refuse_style_meters(BAND, jig, "rock")
    with pytest.raises(MeterError, match="pop ballad plays"):  # the model's first style
        refuse_style_meters(BAND, melody(corpus_midi["suse-lewe-suse"].path), None)


def test_a_tune_in_three_is_refused_in_rock_and_pop_ballad_and_played_by_the_waltz(corpus_midi):
    three = melody(corpus_midi["suse-lewe-suse"].path)
    assert three.meters()[0].signature == (3, 4)
    styles = installed_styles()
    sentence = meter_refusal(find_style("rock", styles), three, styles)
    assert sentence == (
        "rock plays 4/4 and 2/4; for this 3/4 tune choose chorale, country or waltz."
    )
    assert "pop ballad plays 4/4, 2/4 and 6/8" in meter_refusal(
        find_style("pop ballad", styles), three, styles
    )
    for fits in ("waltz", "country", "chorale"):
        assert meter_refusal(find_style(fits, styles), three, styles) is None
    refuse_style_meters(BAND, three, "waltz")  # does not raise


def test_a_tune_whose_meter_changes_is_refused_naming_the_bars_not_learnt():
    notes = [Note(60 + i % 5, float(i), 1.0) for i in range(4 * 4 + 4 * 3 + 4)]
    # bars 1-4 in 4/4 (16 beats), 5-8 in 6/8 (4 x 3 beats), then 4/4 again
    changes = [(16.0, (6, 8)), (28.0, (4, 4))]
    tune = Arrangement([Track("melody", notes)], time_signature=(4, 4), meter_changes=changes)
    styles = installed_styles()
    sentence = meter_refusal(find_style("rock", styles), tune, styles)
    assert sentence == (
        "rock plays 4/4 and 2/4, and this tune is in 6/8 in bars 5-8; choose chorale or pop ballad."
    )
    assert meter_refusal(find_style("pop ballad", styles), tune, styles) is None
    sentence = meter_refusal(find_style("waltz", styles), tune, styles)
    assert "4/4 in bars 1-4 and 9" in sentence and "6/8 in bars 5-8" in sentence


def test_a_pickup_written_as_its_own_short_bar_is_not_a_meter_of_the_tune():
    notes = [Note(67, 0.0, 1.0)] + [Note(60 + i % 5, 1.0 + i, 1.0) for i in range(8)]
    tune = Arrangement(
        [Track("melody", notes)], time_signature=(1, 4), meter_changes=[(1.0, (4, 4))]
    )
    styles = installed_styles()
    assert meter_refusal(find_style("rock", styles), tune, styles) is None


def test_a_style_whose_card_cannot_say_is_neither_refused_nor_offered(corpus_midi, tmp_path):
    jig = melody(corpus_midi["battle-the-cash"].path)
    card = {"config": {"styles": ["rock", "jigs"]}, "data": {"source": "my songs"}}
    own = card_styles(card, tmp_path / "mine.safetensors")
    assert [s.meters for s in own] == [None, None]
    styles = installed_styles() + own
    assert meter_refusal(own[0], jig, styles) is None
    assert "jigs" not in meter_refusal(find_style("rock", installed_styles()), jig, styles)
