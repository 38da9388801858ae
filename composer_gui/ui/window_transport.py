"""The window's transport flow: tempo, bars, following a DAW's clock, and recording.

The transport's boxes send the tempo and bar count to the document; a tempo change while
playing reaches a MIDI output live (the player re-times from the current beat). A take
is recorded by the one ``core.recording.Recorder`` (observed through ``ui/take.Take``)
and goes to the document as one melody edit (one undo step). Following a clock
(``core.midi_clock.ClockInput``): the DAW's start, continue and stop drive Play (or
start and end a take waiting for them) and its tempo sets the document's. Playing
lives in ``window_audition.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import mido
from PySide6.QtCore import QObject, QTimer, Signal

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import ComposerError
from composer_gui.core.playback import Schedule
from composer_gui.ui import settings
from composer_gui.ui.transport import CLOCK_WAITING, clock_words


class LiveOutput:
    """A callable seen as an output port, so the recorder's MIDI thru reaches the audition."""

    def __init__(self, send: Callable[[mido.Message], None]) -> None:
        self.send = send


class WindowMetronome:
    """The recorder's clicks through the window's output: the chosen MIDI output when
    there is one, else the built-in synth as a drum track of wood-block clicks. Neither
    starts in the future, so ``start`` returns the moment the first click really sounds."""

    def __init__(self, window) -> None:
        self.window = window

    def start(self, schedule: Schedule, at: float) -> float:
        audition = self.window.audition
        if audition.output_name:
            return audition.play_schedule(schedule)
        synth = audition.synth()
        if synth is None:
            self.window._sound_problem(audition.problem or "The metronome cannot sound.")
            return at
        started = time.perf_counter()
        synth.play(clicks_arrangement(schedule))
        return started

    def stop(self) -> None:
        self.window.audition.stop()


def clicks_arrangement(schedule: Schedule) -> Arrangement:
    """The click schedule as a drum track, for the built-in synth."""
    notes: list[Note] = []
    starts = {}
    for event in schedule.events:
        message = event.message
        if message.type == "note_on":
            starts[message.note] = (event.beat, message.velocity)
        elif message.note in starts:
            beat, velocity = starts.pop(message.note)
            notes.append(Note(message.note, beat, event.beat - beat, velocity))
    return Arrangement(
        [Track("click", notes, channel=9, is_drum=True)], tempo_bpm=schedule.tempo.first_bpm
    )


class ClockEvents(QObject):
    """The followed clock's start and stop, moved from the MIDI driver's thread to the
    window's (a Signal emitted from another thread is queued to its receiver)."""

    started = Signal(float)
    stopped = Signal(float)


CLOCK_LOOK_MS = 200  # how often the followed clock's tempo is read into the transport


class TransportFlow:
    """Mixed into MainWindow."""

    def _tempo_changed(self, bpm: float) -> None:
        if self._showing:  # the box is being set from the document
            return
        self._set_tempo(bpm)

    def _set_tempo(self, bpm: float) -> None:
        """The document's tempo, heard at once: a MIDI player re-times from the current
        beat without a break; the built-in synth restarts from the same beat."""
        self.document.set_tempo(bpm)
        if self.actions.play.isChecked() and not self.audition.set_tempo(bpm):
            self.start_playback(self.audition.position_beats())

    def _input_chosen(self, name: str) -> None:
        settings.put(settings.MIDI_INPUT, name)
        self._input_chosen_while_recording(name)

    # -- following a DAW's clock ---------------------------------------------------------
    def clock_source(self) -> str:
        """The port whose clock the transport follows; "" for its own tempo."""
        return self.clock.port_name if self.clock is not None else ""

    def _clock_chosen(self, name: str) -> None:
        from composer_gui.core.midi_clock import ClockInput

        self._stop_following()
        if not name:
            return
        if self.clock_events is None:
            self.clock_events = ClockEvents(self)
            self.clock_events.started.connect(self._clock_started)
            self.clock_events.stopped.connect(self._clock_stopped)
            self.clock_timer = QTimer(self)
            self.clock_timer.setInterval(CLOCK_LOOK_MS)
            self.clock_timer.timeout.connect(self._clock_look)
        try:
            self.clock = ClockInput(
                name,
                settings.get(settings.MIDI_API) or None,
                on_start=self.clock_events.started.emit,
                on_stop=self.clock_events.stopped.emit,
            )
        except ComposerError as error:
            self.report_error(str(error))
            self.transport.clock.setCurrentIndex(0)
            return
        self.clock_timer.start()
        self.transport.show_clock(CLOCK_WAITING)

    def _stop_following(self) -> None:
        if self.clock is not None:
            self.clock.close()
            self.clock = None
        if self.clock_timer is not None:
            self.clock_timer.stop()
        self.transport.show_clock("")

    def _clock_look(self) -> None:
        """The DAW's tempo into the document (whole BPM, so clock jitter does not mark
        the tune changed every look), and what the clock says into the transport."""
        if self.clock is None:
            return
        bpm = self.clock.tempo_bpm
        if bpm is None:
            return
        self.transport.show_clock(clock_words(bpm, self.clock.running))
        if round(bpm) != round(self.document.tempo_bpm) and self.take is None:
            self._set_tempo(float(round(bpm)))

    def _clock_started(self, _arrived: float) -> None:
        if self.take is not None:  # a take waiting for the DAW starts by itself
            return
        if self.clock is not None and self.clock.tempo_bpm:
            self._clock_look()
        beat = self.clock.follower.position_beats if self.clock is not None else 0.0
        self.start_beat = beat  # 0 on start; where the DAW was on continue
        if self.actions.play.isChecked():
            self.start_playback(beat)
        else:
            self.actions.play.setChecked(True)

    def _clock_stopped(self, _arrived: float) -> None:
        if self.take is not None:  # the recorder ends its take on the DAW's stop
            return
        self.actions.play.setChecked(False)

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
        metronome = WindowMetronome(self) if self.actions.metronome.isChecked() else None
        thru = None
        if settings.get(settings.MIDI_THRU) and settings.get(settings.MIDI_INPUT):
            thru = LiveOutput(self.audition.send_live)
            if not self.audition.output_name:
                # Load the synth now: loading it on the first note played would block
                # the MIDI driver's thread, and JACK would drop the notes behind it.
                self.audition.synth()
        self.take = Take(
            setup,
            settings.get(settings.MIDI_INPUT),
            settings.get(settings.MIDI_API) or None,
            metronome=metronome,
            thru=thru,
            clock_input=self.clock_source() or None,
            parent=self,
        )
        self.take.counting.connect(self.transport.show_count)
        self.take.position.connect(self._recording_position)
        self.take.progress.connect(self.melody_editor.show_take)
        self.take.problem.connect(self._take_problem)
        self.take.finished.connect(self._take_finished)
        try:
            self.take.start()
        except ComposerError as error:
            self.take.cancel()
            self.take = None
            self._show_melody_again()
            self.actions.record.setChecked(False)
            self.report_error(str(error))
            return
        self.update_enabled()
        waiting = "press Play in your DAW" if self.clock_source() else "play after the count-in"
        # a problem said as the take started (its clicks cannot sound) is not covered up
        problems = self.take.recorder.problems
        self.statusBar().showMessage(problems[-1] if problems else f"Recording: {waiting}.")

    def _take_problem(self, sentence: str) -> None:
        """The keyboard went away mid-take: the take goes on; say so where it stays seen."""
        self.statusBar().showMessage(sentence)

    def _input_chosen_while_recording(self, name: str) -> bool:
        """Another input chosen during a take: record on from it. False when not recording."""
        if self.take is None:
            return False
        try:
            self.take.switch_input(name)
        except ComposerError as error:
            self.report_error(str(error))
        else:
            self.statusBar().showMessage(f"Recording goes on from '{name}'." if name else "")
        return True

    def _recording_position(self, beats: float) -> None:
        """The playhead runs through the count-in's bar too, the roll draws it."""
        self.melody_editor.set_playhead(max(self.melody_editor.first_beat, beats))

    def _show_melody_again(self) -> None:
        """After a take: the document's melody on its bars, as accompanied (a pickup kept
        from the count-in is its short bar first), not the take's count-in."""
        self.melody_editor.show_take(None)
        self.melody_editor.set_length(self.document.length_beats(), self.document.bar_lines())

    def _take_finished(self, take: Arrangement) -> None:
        from composer_gui.core.take_notes import lead_in_as_pickup

        lead_in = self.take.lead_in_beats if self.take is not None else 0.0
        self.take = None
        self.audition.stop()
        self.actions.record.blockSignals(True)
        self.actions.record.setChecked(False)
        self.actions.record.blockSignals(False)
        self.melody_editor.set_playhead(None)
        self._show_melody_again()
        notes = take.tracks[0].notes
        if notes:
            # A pickup played into the count-in: the take starts with it, given as the
            # metronome measured it, so the detector does not move the metronome's bars.
            notes, pickup = lead_in_as_pickup(list(notes), lead_in)
            # one undo step: undo gives back the old melody with its old pickup setting
            self.document.set_melody(notes, "Record take", pickup=pickup or None)
            self.melody_editor.fit_pitches([n.pitch for n in notes])
            self.statusBar().showMessage(
                f"Recorded {len(notes)} notes. Press G to write accompaniments.", 6000
            )
        else:
            self.statusBar().showMessage("No notes were played during the take.", 6000)
        self.update_enabled()
