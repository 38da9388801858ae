"""Snap a performed melody (human timing) onto the grid without losing notes.

Each note's start and end are rounded to the nearest step on their own, so a note played a
little early or late, or held a little long or short, lands where it was meant. Two rules
keep what a musician played:

- a note shorter than a step still lasts one step (a quick grace note is not dropped);
- notes of one pitch stay separate notes: when rounding puts two onsets of one pitch on
  the same step the later one moves to the next step, and an earlier note that would
  overlap the next one of its pitch is shortened to end where that one starts.

Velocities are kept as played.
"""

from __future__ import annotations

from composer_gui.core.arrangement import Note
from models.pianoroll import STEPS_PER_BEAT


def quantize_notes(notes: list[Note], steps_per_beat: int = STEPS_PER_BEAT) -> list[Note]:
    """The notes on a grid of ``steps_per_beat`` steps per quarter note, sorted by time."""
    spans: list[list[int]] = []  # [pitch, start step, end step, velocity]
    for note in sorted(notes, key=lambda note: (note.start_beat, note.pitch)):
        start_step = round(note.start_beat * steps_per_beat)
        end_step = max(start_step + 1, round(note.end_beat * steps_per_beat))
        spans.append([note.pitch, start_step, end_step, note.velocity])

    last_by_pitch: dict[int, list[int]] = {}
    for span in sorted(spans, key=lambda span: (span[1], span[0])):
        pitch, start_step = span[0], span[1]
        previous = last_by_pitch.get(pitch)
        if previous is not None:
            if start_step <= previous[1]:
                # Played as two notes but rounded onto one step: keep both, one step apart.
                start_step = previous[1] + 1
                span[1] = start_step
                span[2] = max(span[2], start_step + 1)
            if previous[2] > start_step:
                previous[2] = start_step
        last_by_pitch[pitch] = span

    quantized = [
        Note(
            pitch=pitch,
            start_beat=start_step / steps_per_beat,
            duration_beats=(end_step - start_step) / steps_per_beat,
            velocity=velocity,
        )
        for pitch, start_step, end_step, velocity in spans
    ]
    quantized.sort(key=lambda note: (note.start_beat, note.pitch))
    return quantized
