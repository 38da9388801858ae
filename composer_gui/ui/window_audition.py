"""The window's audition flow: Play, Stop, the playhead, live notes from the keys.

Play sounds the document's ``heard_arrangement`` (the melody on screen under the picked
accompaniment, with the mix's instruments and volumes) through ``ui/audition.Audition``;
mute, solo, volume and instrument changes while playing reach whatever output plays
(``Audition.set_mix``).
"""

from __future__ import annotations

from composer_gui.core.errors import ComposerError


class AuditionFlow:
    """Mixed into MainWindow."""

    def synth_mix(self):
        from composer_gui.core.synth import Mix

        mixes = self.document.mix
        return Mix(
            muted=frozenset(i for i, m in enumerate(mixes) if m.mute),
            soloed=frozenset(i for i, m in enumerate(mixes) if m.solo),
            volumes={i: m.channel_volume() for i, m in enumerate(mixes)},
        )

    def play_training_sample(self, arrangement) -> None:
        """The Train window's Play: its newest sample through the app's own output, with
        every track heard and no mix owner (the main window's mix changes stay out)."""
        from composer_gui.core.synth import Mix

        self.actions.play.setChecked(False)  # one playback at a time: the sample's now
        try:
            self.audition.play(arrangement, Mix())
        except ComposerError as error:
            self._sound_problem(str(error))

    def heard_arrangement(self):
        return self.document.heard_arrangement()

    def seek(self, beat: float) -> None:
        """A click in a ruler: play from there (now, if playing; else at the next Play)."""
        self.start_beat = beat
        if self.actions.play.isChecked():
            self.start_playback(beat)
        else:
            self.melody_editor.set_playhead(beat)
            self.arrangement_view.set_playhead(beat)

    def set_playing(self, on: bool) -> None:
        if on:
            if self.take is not None:
                self.actions.play.setChecked(False)
                return
            self.start_playback(self.start_beat)
        else:
            self.audition.stop()
            self.park_playheads()

    def park_playheads(self) -> None:
        """Stopped: both playheads back to where Play starts, as in a DAW (none drawn when
        that is the tune's start). Send to DAW, New and Open used to leave them where the
        music last stopped."""
        self.playhead_timer.stop()
        marker = self.start_beat or None
        self.melody_editor.set_playhead(marker)
        self.arrangement_view.set_playhead(marker)

    def start_playback(self, start_beat: float = 0.0, to_daw: bool = False) -> bool:
        arrangement = self.heard_arrangement()
        if arrangement is None:
            self.statusBar().showMessage("Nothing to play yet: record or open a melody.", 5000)
            self.actions.play.setChecked(False)
            return False
        try:
            self.audition.play(
                arrangement,
                self.synth_mix(),
                start_beat=start_beat,
                loop=self.actions.loop.isChecked(),
                to_daw=to_daw,
                mix_owner=self.document,
            )
        except ComposerError as error:
            self._sound_problem(str(error))
            self.actions.play.setChecked(False)
            return False
        self.playhead_timer.start()
        return True

    def play_on_edit(self) -> None:
        """The melody changed while Play or Send to DAW runs: the change is heard from the
        next bar (it was heard only at the next Play)."""
        if self.take is not None or not (
            self.actions.play.isChecked() or self.actions.send_to_daw.isChecked()
        ):
            return
        arrangement = self.heard_arrangement()
        if arrangement is not None:
            self.audition.play_on(arrangement, self.synth_mix())

    def _sound_problem(self, message: str) -> None:
        """Say once that there is no sound; later it only goes to the status bar."""
        self.statusBar().showMessage(message, 8000)
        if not self.synth_problem_said:
            self.synth_problem_said = True
            self.report_error(message)

    def _follow_playhead(self) -> None:
        if self.take is not None:
            return
        beats = self.audition.position_beats()
        self.melody_editor.set_playhead(beats)
        self.arrangement_view.set_playhead(beats)
        if not self.audition.is_playing:
            self.actions.play.setChecked(False)
            self.actions.send_to_daw.setChecked(False)

    def _loop_changed(self, _on: bool) -> None:
        if self.actions.play.isChecked():  # restart so the new mode takes effect
            self.set_playing(False)
            self.set_playing(True)

    def play_note(self, pitch: int, velocity: int) -> None:
        """A note from the letter keys or the on-screen piano: light, record, sound it."""
        import mido

        self.piano.set_lit(pitch, True)
        if self.take is not None:
            self.take.note_on(pitch, velocity)
        self.audition.send_live(mido.Message("note_on", note=pitch, velocity=velocity))

    def release_note(self, pitch: int) -> None:
        import mido

        self.piano.set_lit(pitch, False)
        if self.take is not None:
            self.take.note_off(pitch)
        self.audition.send_live(mido.Message("note_off", note=pitch))
