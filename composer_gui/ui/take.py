"""One recorded take from every source at once: MIDI keyboard, on-screen piano, letter keys.

Each note on/off is stamped with ``time.perf_counter`` where it arrives (in rtmidi's
callback for a MIDI keyboard), so the take is measured against the same clock as the
count-in and the metronome. At the end the stamps become notes with the MIDI helper's
``recording.notes_from_messages`` (sustain pedal honoured) and are quantized to the grid
by the music core. A QTimer only drives the display (count-in, playhead) and the end.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import mido
from PySide6.QtCore import QObject, QTimer, Signal

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.quantize import quantize_notes
from composer_gui.core.recording import RecordingSetup, count_in_clicks, notes_from_messages
from models.pianoroll import STEPS_PER_BEAT

log = logging.getLogger(__name__)

TICK_MS = 15


def take_to_arrangement(
    stamped: list[tuple[float, mido.Message]],
    bar_one_time: float,
    end_time: float,
    setup: RecordingSetup,
) -> Arrangement:
    """Quantized melody of a take; notes played during the count-in are dropped."""
    beats_per_second = setup.tempo_bpm / 60.0
    length = setup.length_beats
    half_step = 0.5 / STEPS_PER_BEAT
    performed = []
    for pitch, start, end, velocity in notes_from_messages(stamped, end_time):
        start_beat = (start - bar_one_time) * beats_per_second
        duration = max(0.0, (end - start) * beats_per_second)
        if -half_step <= start_beat < length - half_step:
            performed.append(Note(pitch, start_beat, duration, velocity))
    notes = []
    for note in quantize_notes(performed):
        if 0 <= note.start_beat < length:
            duration = min(note.duration_beats, length - note.start_beat)
            notes.append(Note(note.pitch, note.start_beat, duration, note.velocity))
    return Arrangement(
        [Track(name="melody", notes=notes)],
        tempo_bpm=setup.tempo_bpm,
        time_signature=setup.time_signature,
    )


class Take(QObject):
    """Start, count in, record for the set bars, then emit ``finished(Arrangement)``."""

    finished = Signal(object)
    problem = Signal(str)
    counting = Signal(str)  # "1", "2", ... during the count-in, "" after
    position = Signal(float)  # beats from bar 1 (negative during the count-in)

    def __init__(
        self,
        setup: RecordingSetup,
        input_name: str = "",
        api: str | None = None,
        start_clicks: Callable[[RecordingSetup], float | None] | None = None,
        thru: Callable[[mido.Message], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.thru = thru  # MIDI thru: what the keyboard plays goes on to the output
        self.setup = setup
        self.input_name = input_name
        self.api = api
        self.start_clicks = start_clicks
        self.stamped: list[tuple[float, mido.Message]] = []
        self._lock = threading.Lock()
        self._input = None
        self.bar_one_time = 0.0
        self.end_time = 0.0
        self.running = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Open the keyboard (raises MidiPortError), start clicks and the count-in."""
        if self.input_name:
            from composer_gui.core import midi_io

            self._input = midi_io.open_input(self.input_name, self._on_midi, api=self.api)
        beat_zero = time.perf_counter()
        if self.start_clicks is not None:
            try:
                # the metronome says when its first click sounds; bar 1 is counted from there
                beat_zero = self.start_clicks(self.setup) or time.perf_counter()
            except Exception as error:  # noqa: BLE001 - no click is no reason to stop a take
                log.warning("Metronome could not start: %s", error)
                beat_zero = time.perf_counter()
        self.bar_one_time = beat_zero + self.setup.seconds(self.setup.count_in_beats)
        self.end_time = self.bar_one_time + self.setup.seconds(self.setup.length_beats)
        self.running = True
        self._timer.start()
        self._tick()

    def _on_midi(self, message: mido.Message) -> None:
        """rtmidi's thread: stamp first, then pass it through so the player hears it."""
        self._stamp(time.perf_counter(), message)
        if self.thru is not None and message.type in ("note_on", "note_off", "control_change"):
            self.thru(message)

    def _stamp(self, seconds: float, message: mido.Message) -> None:
        if message.type not in ("note_on", "note_off", "control_change"):
            return
        with self._lock:
            self.stamped.append((seconds, message))

    def note_on(self, pitch: int, velocity: int) -> None:
        """From the on-screen piano or the letter keys."""
        if self.running:
            self._stamp(time.perf_counter(), mido.Message("note_on", note=pitch, velocity=velocity))

    def note_off(self, pitch: int) -> None:
        if self.running:
            self._stamp(time.perf_counter(), mido.Message("note_off", note=pitch))

    def beats_now(self) -> float:
        return (time.perf_counter() - self.bar_one_time) * self.setup.tempo_bpm / 60.0

    def _tick(self) -> None:
        if not self.running:
            return
        beats = self.beats_now()
        if beats < 0:
            click, clicks = count_in_clicks(self.setup, beats)
            self.counting.emit(str(min(max(click, 1), clicks)))
        else:
            self.counting.emit("")
        self.position.emit(beats)
        if time.perf_counter() >= self.end_time:
            self.stop()

    def stop(self) -> None:
        """End now (or at the natural end) and emit the take."""
        if not self.running:
            return
        self.running = False
        self._timer.stop()
        self.end_time = min(self.end_time, time.perf_counter())
        if self._input is not None:
            self._input.close()
            self._input = None
        self.counting.emit("")
        with self._lock:
            stamped = list(self.stamped)
        self.finished.emit(
            take_to_arrangement(stamped, self.bar_one_time, self.end_time, self.setup)
        )

    def cancel(self) -> None:
        """Stop without emitting a take."""
        self.running = False
        self._timer.stop()
        if self._input is not None:
            self._input.close()
            self._input = None
        self.counting.emit("")
