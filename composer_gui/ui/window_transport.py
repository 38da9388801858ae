"""The window's transport flow: tempo, bars and recording a take with its count-in.

The transport's boxes send the tempo and bar count to the document; a finished take
goes to the document as one melody edit (one undo step). Playing lives in
``window_audition.py``.
"""

from __future__ import annotations

import time

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import ComposerError
from composer_gui.ui import settings


class TransportFlow:
    """Mixed into MainWindow."""

    def _tempo_changed(self, bpm: float) -> None:
        if self._showing:  # the box is being set from the document
            return
        self.document.set_tempo(bpm)
        if self.actions.play.isChecked():  # go on from the same beat at the new tempo
            self.start_playback(self.audition.position_beats())

    def _bars_changed(self, bars: int) -> None:
        if not self._showing:
            self.document.set_bars(bars)

    def set_recording(self, on: bool) -> None:
        if not on:
            if self.take is not None:
                self.take.stop()
            return
        from composer_gui.core.recording import RecordingSetup
        from composer_gui.ui.take import Take

        self.actions.play.setChecked(False)
        setup = RecordingSetup(
            tempo_bpm=self.document.tempo_bpm,
            bars=self.document.bars,
            time_signature=self.document.time_signature,
            count_in_bars=1 if self.actions.count_in.isChecked() else 0,
        )
        clicks = self._start_clicks if self.actions.metronome.isChecked() else None
        self.take = Take(
            setup,
            settings.get(settings.MIDI_INPUT),
            settings.get(settings.MIDI_API) or None,
            start_clicks=clicks,
            thru=self.audition.send_live if settings.get(settings.MIDI_THRU) else None,
            parent=self,
        )
        self.take.counting.connect(self.transport.show_count)
        self.take.position.connect(self._recording_position)
        self.take.finished.connect(self._take_finished)
        self.melody_editor.set_length(setup.length_beats, self.document.meter())
        try:
            self.take.start()
        except ComposerError as error:
            self.take = None
            self.actions.record.setChecked(False)
            self.report_error(str(error))
            return
        self.update_enabled()
        self.statusBar().showMessage("Recording: play your melody after the count-in.")

    def _start_clicks(self, setup) -> float | None:
        """Start the metronome; returns the perf_counter moment of its first click.

        Through the chosen MIDI output when there is one (a Player of the click schedule),
        else through the built-in synth as a drum track of wood-block clicks.
        """
        from composer_gui.core.recording import click_schedule

        schedule = click_schedule(setup)
        if self.audition.output_name:
            return self.audition.play_schedule(schedule)
        notes: list[Note] = []
        starts = {}
        for event in schedule.events:
            message = event.message
            if message.type == "note_on":
                starts[message.note] = (event.beat, message.velocity)
            elif message.note in starts:
                beat, velocity = starts.pop(message.note)
                notes.append(Note(message.note, beat, event.beat - beat, velocity))
        clicks = Arrangement(
            [Track("click", notes, channel=9, is_drum=True)],
            tempo_bpm=setup.tempo_bpm,
            time_signature=setup.time_signature,
        )
        synth = self.audition.synth()
        if synth is None:
            self._sound_problem(self.audition.problem or "The metronome cannot sound.")
            return None
        started = time.perf_counter()
        synth.play(clicks)
        return started

    def _recording_position(self, beats: float) -> None:
        self.melody_editor.set_playhead(max(0.0, beats))

    def _take_finished(self, take: Arrangement) -> None:
        self.take = None
        self.audition.stop()
        self.actions.record.blockSignals(True)
        self.actions.record.setChecked(False)
        self.actions.record.blockSignals(False)
        self.melody_editor.set_playhead(None)
        notes = take.tracks[0].notes
        if notes:
            self.document.set_melody(list(notes), "Record take")
            self.melody_editor.fit_pitches([n.pitch for n in notes])
            self.statusBar().showMessage(
                f"Recorded {len(notes)} notes. Press G to write accompaniments.", 6000
            )
        else:
            self.statusBar().showMessage("No notes were played during the take.", 6000)
        self.update_enabled()
