"""A take in progress kept up to date (``take_notes.TakeProgress``): fed its messages as
they arrive, it gives at every tick what deriving the whole take from its first message
gives, the notes the window draws, in the same order."""

from __future__ import annotations

import random

import mido

from composer_gui.core.arrangement import Note
from composer_gui.core.take_notes import (
    RecordingSetup,
    TakeProgress,
    notes_from_messages,
    take_so_far,
)
from models.pianoroll import STEPS_PER_BEAT

BAR_ONE = 10.0


def derived_whole(stamped, now: float, setup: RecordingSetup) -> tuple[Note, ...]:
    """The notes drawn at ``now``, derived from every message as the window did before
    (each note in beats; a held one, or one ending at ``now`` or after, to the last step
    passed)."""
    per_second, step = setup.tempo_bpm / 60.0, 1.0 / STEPS_PER_BEAT
    now_beats = (now - BAR_ONE) * per_second
    notes = []
    for pitch, start, end, velocity in notes_from_messages(stamped, now):
        start, end = (start - BAR_ONE) * per_second, (end - BAR_ONE) * per_second
        if end >= now_beats - 1e-9:
            end = max(start + step, (now_beats // step) * step)
        notes.append(Note(pitch, start, end - start, velocity))
    return tuple(notes)


def played(seed: int, seconds: float) -> list[tuple[float, mido.Message]]:
    """A busy take: chords and runs, keys struck again while held, the sustain pedal,
    some messages at the same moment."""
    rng = random.Random(seed)
    stamped, t = [], BAR_ONE - 2.0
    while t < BAR_ONE + seconds:
        t += rng.choice([0.0, 0.0, 0.05, 0.125, 0.3])
        pitch = rng.randrange(60, 67)
        kind = rng.random()
        if kind < 0.5:
            message = mido.Message("note_on", note=pitch, velocity=rng.randrange(1, 128))
        elif kind < 0.9:
            message = mido.Message("note_off", note=pitch)
        else:
            value = rng.choice([0, 127])
            message = mido.Message("control_change", control=64, value=value)
        stamped.append((t, message))
    return stamped


def test_a_take_fed_as_it_arrives_draws_what_the_whole_take_derived_gives():
    setup = RecordingSetup(90.0, 8, (3, 4), 1)
    for seed in range(5):
        stamped = played(seed, 12.0)
        progress = TakeProgress(BAR_ONE, setup)
        fed, now = 0, BAR_ONE - 2.0
        while now < stamped[-1][0] + 0.5:
            now += 0.015  # the window's tick
            arrived = [m for m in stamped[fed:] if m[0] <= now]
            progress.feed(arrived)
            fed += len(arrived)
            so_far = progress.at(now)
            assert so_far.notes == derived_whole(stamped[:fed], now, setup), (seed, now)
            assert so_far == take_so_far(stamped[:fed], BAR_ONE, now, setup)
    assert so_far.length_beats == setup.length_beats


def test_messages_stamped_after_now_are_held_notes_until_now_passes_them():
    """After the take's end ``now`` stays at the end while late messages still arrive."""
    setup = RecordingSetup(60.0, 2, (4, 4), 0)
    stamped = [
        (BAR_ONE + 1.0, mido.Message("note_on", note=60, velocity=80)),
        (BAR_ONE + 9.0, mido.Message("note_off", note=60)),  # after the end, 8 s
    ]
    progress = TakeProgress(BAR_ONE, setup)
    progress.feed(stamped)
    end = BAR_ONE + 8.0
    assert progress.at(end).notes == derived_whole(stamped, end, setup)
    assert progress.at(end).notes[0].duration_beats == 7.0  # held, to the last step
    # ``now`` stays at the end: the same take, kept, not derived again every tick
    assert progress.at(end) is progress.at(end)


def test_a_kept_take_is_drawn_again_when_now_passes_a_late_note_s_end_within_its_step():
    setup = RecordingSetup(60.0, 4, (4, 4), 0)
    stamped = [
        (BAR_ONE + 1.0, mido.Message("note_on", note=60, velocity=80)),
        (BAR_ONE + 2.1, mido.Message("note_off", note=60)),  # in the sixteenth 2.0-2.25
    ]
    progress = TakeProgress(BAR_ONE, setup)
    progress.feed(stamped)
    before = progress.at(BAR_ONE + 2.05)  # drawn held, to the last step passed
    assert progress.at(BAR_ONE + 2.08) is before  # still before its end: the same
    after = progress.at(BAR_ONE + 2.2)  # the same step, past its end: drawn as it ended
    assert before.notes == derived_whole(stamped, BAR_ONE + 2.05, setup)
    assert after.notes == derived_whole(stamped, BAR_ONE + 2.2, setup)
    assert before.notes[0].duration_beats == 1.0  # to the step 2.0
    assert abs(after.notes[0].duration_beats - 1.1) < 1e-9  # to its release at 2.1


def test_nothing_new_is_the_same_take_so_the_window_draws_nothing():
    setup = RecordingSetup(60.0, 4, (4, 4), 1)
    progress = TakeProgress(BAR_ONE, setup)
    progress.feed([(BAR_ONE + 0.01, mido.Message("note_on", note=72, velocity=80))])
    first = progress.at(BAR_ONE + 1.4)
    assert progress.at(BAR_ONE + 1.45) is first  # the same step, no message
    grown = progress.at(BAR_ONE + 1.5)  # the next step: the held note grows
    assert grown != first and grown.notes[0].duration_beats > first.notes[0].duration_beats
    progress.feed([(BAR_ONE + 1.55, mido.Message("note_off", note=72))])
    assert progress.at(BAR_ONE + 1.6) != grown
