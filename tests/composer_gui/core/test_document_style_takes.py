"""Takes of two styles in one tune: the mix follows the take on show, and no setting of
either is lost going back and forth (the window showed an earlier chorale take with the
band's strips and instruments, found by the window's state machine with the Style box)."""

from __future__ import annotations

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.document import Document
from composer_gui.core.styles import installed_styles
from models.tracks import CHORALE_TRACKS
from tests.composer_gui.ui.stand_in_engine import StandInEngine

MELODY = [Note(60 + i % 5, float(i), 1.0, 90) for i in range(8)]


def test_each_takes_tracks_keep_their_own_mix():
    band = next(s for s in installed_styles() if s.tracks != CHORALE_TRACKS)
    doc = Document()
    doc.set_melody(MELODY)
    melody = Arrangement([Track("melody", list(MELODY))], tempo_bpm=100.0)
    doc.add_take(StandInEngine().generate(melody, k=2), MELODY)
    assert doc.track_names() == ["melody", "alto", "tenor", "bass"]
    doc.set_track_mix(2, mute=True)  # the tenor muted
    doc.set_track_mix(0, volume=0.5)  # the melody's strip, shared by every take

    band_engine = StandInEngine(tracks=band.tracks, styles=(band.name,))
    doc.add_take(band_engine.generate(melody, k=2, style=band.name), MELODY)
    names = ["melody", *(t.name for t in band.tracks)]
    assert doc.track_names() == names and len(doc.mix) == len(names)
    assert not any(m.mute for m in doc.mix)  # the band's own strips, afresh
    doc.set_track_mix(len(names) - 1, program=88)

    doc.show_take(0)  # back to the chorale take: its strips, with the tenor still muted
    assert doc.track_names() == ["melody", "alto", "tenor", "bass"]
    assert [m.mute for m in doc.mix] == [False, False, True, False]
    assert doc.mix[0].volume == 0.5
    doc.pick_candidate(1)
    exported = doc.export_arrangement()
    assert [t.name for t in exported.tracks] == ["melody", "alto", "bass"]  # tenor muted

    doc.show_take(1)  # and the band's again, its pad's instrument kept
    assert doc.track_names() == names and doc.mix[-1].program == 88
    doc.add_take(StandInEngine().generate(melody, k=1), MELODY)  # a new chorale take
    assert [m.mute for m in doc.mix] == [False, False, True, False]
