"""The window's view of a take: it observes the one ``core.recording.Recorder``.

The recorder (shared with the command line) stamps every note where it arrives, runs the
metronome, keeps the take when the keyboard is unplugged and goes on when it comes back
or another input is chosen. This QObject only reads it on a QTimer to drive the display
(count-in, playhead, the take so far: ``Recorder.so_far``) and the end, feeds it the
on-screen keys, and turns the recorder's driver-thread problems into a signal on the
window's thread.
"""

from __future__ import annotations

import mido
from PySide6.QtCore import QObject, QTimer, Signal

from composer_gui.core.recording import Metronome, Recorder, RecordingSetup, count_in_clicks

TICK_MS = 15


class Take(QObject):
    """Start, count in, record for the set bars, then emit ``finished(Arrangement)``."""

    finished = Signal(object)
    problem = Signal(str)  # one sentence, e.g. the keyboard was unplugged
    counting = Signal(str)  # "1", "2", ... during the count-in, "" after
    position = Signal(float)  # beats from bar 1 (negative during the count-in)
    # core.take_notes.TakeSoFar: the count-in's bars and the notes played so far, each
    # time they change (a held note grows a step at a time)
    progress = Signal(object)

    def __init__(
        self,
        setup: RecordingSetup,
        input_name: str = "",
        api: str | None = None,
        metronome: Metronome | None = None,
        thru: mido.ports.BaseOutput | None = None,
        clock_input: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.recorder = Recorder(
            input_name,
            setup,
            api=api,
            thru_output=thru,
            metronome=metronome,
            # A Signal emitted from the port watch's thread is delivered on the window's.
            on_problem=self.problem.emit,
            clock_input=clock_input,
            can_choose_another=True,
        )
        self.running = False
        self.lead_in_beats = 0.0  # of the count-in, kept for a pickup (set when it ends)
        self._shown = None  # the last TakeSoFar sent with ``progress``
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    @property
    def setup(self) -> RecordingSetup:
        return self.recorder.setup  # a DAW's clock may have set its tempo

    def start(self) -> None:
        """Open the keyboard (raises MidiPortError), start the clicks and the count-in."""
        self.recorder.start()
        self.running = True
        self._timer.start()
        self._tick()

    def switch_input(self, name: str) -> None:
        """Record on from another keyboard (raises MidiPortError; the take goes on)."""
        self.recorder.switch_input(name)

    def note_on(self, pitch: int, velocity: int) -> None:
        """From the on-screen piano or the letter keys."""
        self.recorder.play(mido.Message("note_on", note=pitch, velocity=velocity))

    def note_off(self, pitch: int) -> None:
        self.recorder.play(mido.Message("note_off", note=pitch))

    def _tick(self) -> None:
        if not self.running:
            return
        if self.recorder.wait(0):
            self.stop()
            return
        self._show_progress()
        if not self.recorder.started:  # waiting for the DAW's start
            self.counting.emit("")
            return
        beats = self.recorder.beats_now()
        if beats < 0:
            click, clicks = count_in_clicks(self.setup, beats)
            self.counting.emit(str(min(max(click, 1), clicks)))
        else:
            self.counting.emit("")
        self.position.emit(beats)

    def _show_progress(self) -> None:
        so_far = self.recorder.so_far()
        if so_far != self._shown:
            self._shown = so_far
            self.progress.emit(so_far)

    def stop(self) -> None:
        """End now (or at the natural end) and emit the take."""
        if not self.running:
            return
        self._end()
        self.lead_in_beats = self.recorder.lead_in_beats()
        self.finished.emit(self.recorder.arrangement())

    def notes_now(self) -> tuple[list, int | None]:
        """``(notes, pickup)`` as ``stop`` would give them now, quantized and with the
        window's ``lead_in_as_pickup`` applied (None: no pickup measured): for the
        autosave of a take in progress. A note still held ends now."""
        from composer_gui.core.take_notes import lead_in_as_pickup

        if not self.running:
            return [], None
        notes = list(self.recorder.arrangement(ending_now=True).tracks[0].notes)
        notes, pickup = lead_in_as_pickup(notes, self.recorder.lead_in_beats())
        return notes, pickup or None

    def cancel(self) -> None:
        """Stop without emitting a take."""
        if self.running:
            self._end()

    def _end(self) -> None:
        self.running = False
        self._timer.stop()
        self.recorder.stop()
        self.counting.emit("")
