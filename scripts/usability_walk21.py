"""Session 21's walk: ports going away, drums heard, Send to DAW, edits after generating,
in a real window (reuses scripts/usability_walk.py's helpers).

    xvfb-run -a -s "-screen 0 1400x900x24" nice -n 10 .venv/bin/python \
        scripts/usability_walk21.py OUT

Starts its own JACK dummy server (48 kHz, 256 frames), its own PulseAudio server with a
null sink (the built-in synth plays into it; ``parec`` records its monitor), a keyboard
player in another process (tests.support.midi_feeder) and ``jack_midi_dump`` as the DAW.
The window runs with scratch settings under OUT. Each step prints what the window shows
and grabs the window to OUT/21-NN-name.png. Findings: docs/usability/session21.md.

Rules, written before the walk was run (they judge; nothing was tuned on the figures):
- a part is *heard* in a live audition when the capture with it plays has at least 1.5x
  the energy per second in its band of the capture with it muted in the window (drums:
  5-12 kHz; bass: 20-200 Hz; chords and pad: 200-2000 Hz); 1.5x is a round figure, not
  measured; the same ratio rendered offline (``core.synth.render_arrangement``, the
  same beats) is printed beside it as the reference of what the synth should give;
- *timing of the first bar* over Send to DAW: each note-on of the first bar against the
  beat the arrangement gives it, from the first MIDI clock (beat 0); the figures are
  reported with the load average, nothing is decided on them;
- *stopped*: the capture falls under 1e-4 RMS over 0.3 s within 5 s of Stop.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import numpy as np  # noqa: E402
from usability_walk import (  # noqa: E402
    describe,
    generate,
    make_window,
    say,
    scratch_env,
    shot,
    start_jack,
    wait,
    wait_until,
)

TEMPO_BPM = 100.0
# 4 bars of 4/4 in quarter beats: a folk-like tune
MELODY = [
    (67, 0.0, 1.0), (67, 1.0, 1.0), (69, 2.0, 1.0), (71, 3.0, 1.0),
    (72, 4.0, 1.5), (71, 5.5, 0.5), (69, 6.0, 1.0), (67, 7.0, 1.0),
    (69, 8.0, 1.0), (71, 9.0, 1.0), (72, 10.0, 1.0), (74, 11.0, 1.0),
    (71, 12.0, 2.0), (67, 14.0, 2.0),
]  # fmt: skip
BACK_AGAIN = [(76, 0.0, 2.0), (74, 2.0, 2.0)]  # played on the keyboard plugged back
FOLK_TUNE = ("oneills1850/0001-0050.abc", 4)  # "The Little Girl of my Heart", 4/4
RATE = 44100


class Lines:
    """A child's stdout read on a thread, so the window's loop never blocks on it."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process) -> None:
        for line in process.stdout:
            self.lines.append(line.strip())

    def count(self, word: str) -> int:
        return sum(1 for line in self.lines if line.startswith(word))


def notes_of(window) -> list[tuple[int, float, float]]:
    return [(n.pitch, n.start_beat, n.duration_beats) for n in window.document.melody]


def write_folk_tune(out: Path) -> Path:
    import music21

    path = out / "folk.mid"
    if not path.exists():
        score = music21.corpus.parse(FOLK_TUNE[0], number=FOLK_TUNE[1])
        say(f"  folk tune: {score.metadata.title!r}")
        score.write("midi", fp=str(path))
    return path


def choose_style(app, window, name: str) -> None:
    from PySide6.QtCore import Qt

    index = window.style_box.findText(name, Qt.MatchStartsWith)
    window.style_box.setCurrentIndex(index)
    window.style_box.activated.emit(index)
    wait(app)


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


# --- 1. the keyboard's port going away mid-take --------------------------------------
def keyboard_gone(app, window, server, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from composer_gui.ui import settings
    from tests.support.midi_feeder import CLICKS_PORT, KEYS_PORT, start_feeder

    say("== 1. Record; the keyboard's client killed mid-take; plugged back; record again")
    settings.put(settings.MIDI_API, "jack")
    settings.put(settings.MIDI_INPUT, KEYS_PORT)
    settings.put(settings.MIDI_OUTPUT, CLICKS_PORT)  # the clicks go to the player's ears
    window.apply_output_settings()
    window.actions.new.trigger()
    window.transport.meter.setCurrentText("4/4")
    window.transport.tempo.setValue(TEMPO_BPM)
    window.transport.bars.setValue(12)  # 28.8 s: room to plug back
    window.actions.metronome.setChecked(True)
    window.actions.count_in.setChecked(True)
    wait(app)
    feeder = start_feeder(server, MELODY, TEMPO_BPM, "--follow-clicks", "4")
    sent = Lines(feeder)
    window.refresh_inputs()
    window.activateWindow()
    wait(app)
    QTest.keyClick(window, Qt.Key_R)
    say(f"  recording: {window.take is not None} {window.last_error!r}")
    # the player has played bar 1 and half of bar 2 (6 notes) when the cable is pulled
    wait_until(app, lambda: sent.count("sent note_off") >= 6, 30, "six notes played")
    feeder.send_signal(signal.SIGKILL)
    feeder.wait()
    played = sent.count("sent note_off")
    say(
        f"  killed the keyboard's client after {played} notes; beat "
        f"{window.take and window.take.recorder.beats_now():.2f}"
    )
    pulled = time.monotonic()
    wait_until(app, lambda: "disappeared" in window.statusBar().currentMessage(), 25, "the word")
    say(f"  the word came {time.monotonic() - pulled:.1f} s after the pull")
    describe(window)
    say(f"  still recording: {window.take is not None}")
    so_far = window.take.recorder.so_far() if window.take else None
    say(f"  the roll's take so far: {so_far and len(so_far.notes)} notes")
    shot(window, out, "21-01-keyboard-gone")
    # plugged back: a client of the same name, which plays two half notes 1.5 s after it is up
    again = start_feeder(server, BACK_AGAIN, TEMPO_BPM, "--delay", "1.5")
    again_sent = Lines(again)
    wait_until(app, lambda: again.poll() is not None, 20, "the plugged-back keyboard's notes")
    say(
        f"  plugged back, played {again_sent.count('sent note_on')} notes; take on: "
        f"{window.take is not None}"
    )
    describe(window)
    wait_until(app, lambda: window.take is None, 30, "the take's end")
    got = notes_of(window)
    say(f"  take 1: {len(got)} notes: {got}")
    kept = [g for g in got if g in MELODY[:played]]
    say(f"  of the {played} played before the pull, kept as played: {len(kept)}")
    say(f"  pitches after the pull: {[g[0] for g in got if g[1] >= MELODY[played - 1][1] + 1]}")
    describe(window)
    shot(window, out, "21-02-take-after-replug")

    say("  -- take 2, same app, the same keyboard (a new process of the same name)")
    window.transport.bars.setValue(4)
    wait(app)
    third = start_feeder(server, MELODY, TEMPO_BPM, "--follow-clicks", "4")
    third_sent = Lines(third)
    QTest.keyClick(window, Qt.Key_R)
    say(f"  recording: {window.take is not None} {window.last_error!r}")
    wait_until(app, lambda: window.take is None, 40, "take 2's end")
    heard_clicks = third_sent.count("sent")
    say(f"  the player heard the clicks and played: {heard_clicks} messages sent")
    if third.poll() is None:
        third.kill()
    third.wait()
    got = notes_of(window)
    say(f"  take 2: {len(got)} notes; as played: {got == MELODY}")
    describe(window)
    shot(window, out, "21-03-take-two")
    say(f"  {load()}")


# --- 2. Send to DAW of a band take, and the DAW's port going away ---------------------
def dumped_notes(events):
    return [e for e in events if e.is_note_on]


def first_bar_timing(events, arrangement, tempo_bpm: float, beats: float) -> list[str]:
    """Each note-on of the first ``beats`` against its beat, from the first clock."""
    clocks = [e.frame for e in events if e.data == (0xF8,)]
    if not clocks:
        return ["no clock"]
    zero = clocks[0]
    frames_per_beat = 48000 * 60.0 / tempo_bpm
    rows = [
        f"Start (FA) at {[e.frame - zero for e in events if e.data == (0xFA,)][:1]} frames "
        f"from the first clock; clock spacing {np.diff(clocks[:25]).tolist()}"
    ]
    from composer_gui.core.midi_writer import assign_channels

    channels = assign_channels(arrangement.tracks)
    ons = dumped_notes(events)
    offsets = []
    for track, channel in zip(arrangement.tracks, channels, strict=True):
        for note in track.notes:
            if note.start_beat >= beats:
                continue
            same = [e for e in ons if e.channel == channel and e.data[1] == note.pitch]
            if not same:
                rows.append(f"{track.name} {note.pitch}@{note.start_beat}: MISSING")
                continue
            heard = min(
                same, key=lambda e: abs((e.frame - zero) / frames_per_beat - note.start_beat)
            )
            ms = ((heard.frame - zero) / frames_per_beat - note.start_beat) * 60000 / tempo_bpm
            offsets.append(ms)
            if abs(ms) > 50:
                rows.append(f"  {track.name} {note.pitch}@{note.start_beat}: {ms:+.1f} ms")
    if offsets:
        rows.append(
            f"{len(offsets)} note-ons of the first {beats:g} beats: offset from their beat "
            f"min {min(offsets):+.1f} ms, median {float(np.median(offsets)):+.1f} ms, "
            f"max {max(offsets):+.1f} ms"
        )
    return rows


def channels_of(events) -> dict[int, int]:
    counts: dict[int, int] = {}
    for e in dumped_notes(events):
        counts[e.channel + 1] = counts.get(e.channel + 1, 0) + 1
    return dict(sorted(counts.items()))


def send_to_daw(app, window, server, out: Path) -> None:
    import mido

    from composer_gui.core import midi_io
    from composer_gui.ui import settings
    from tests.support.jack_server import MidiDump

    say("== 2. Send to DAW: a rock take on a 4/4 folk tune; the DAW's port going away")
    settings.put(settings.MIDI_OUTPUT, "")  # the built-in synth for Play
    window.apply_output_settings()
    window.answers = ["discard"]
    window.open_file(write_folk_tune(out))
    wait_until(app, lambda: not window.reading_files, 60, "the folk tune")
    wait(app, 300)
    describe(window)
    choose_style(app, window, "rock")
    generate(app, window, "rock")
    describe(window)
    say(f"  tracks: {window.tracks.names()}")
    export = out / "folk-rock.mid"
    window.answers = ["export"]
    window.export_to(export)
    for track in mido.MidiFile(export).tracks[1:]:
        chans = sorted({m.channel + 1 for m in track if hasattr(m, "channel")})
        ons = sum(1 for m in track if m.type == "note_on" and m.velocity)
        say(f"    export {track.name!r}: channels {chans} notes {ons}")
    heard = window.heard_arrangement()
    expected = sum(len(t.notes) for t in heard.tracks)
    window.open_daw_port()
    source = f"{midi_io.CLIENT_NAME}:{midi_io.virtual_port_name()}"
    server.wait_for_port(source)

    def send_whole(dump_name: str) -> list:
        dump = MidiDump(server, client_name=dump_name)
        server.connect(source, dump.port)
        window.actions.send_to_daw.setChecked(True)
        wait_until(app, lambda: not window.actions.send_to_daw.isChecked(), 240, "send")
        wait(app, 300)
        return dump.stop()

    say(f"  {load()} before the send")
    events = send_whole("walkdaw")
    say(f"  {load()} after it")
    ons = dumped_notes(events)
    clocks = sum(1 for e in events if e.data == (0xF8,))
    say(f"  DAW got {len(ons)} note-ons of {expected} heard, {clocks} clocks")
    say(f"  note-ons by channel: {channels_of(events)}")
    say(f"  heard tracks: {[(t.name, len(t.notes)) for t in heard.tracks]}")
    bar = heard.time_signature[0] * 4 / heard.time_signature[1]
    for row in first_bar_timing(events, heard, heard.tempo_bpm, bar):
        say(f"  first bar: {row}")

    say("  -- the DAW's client killed mid-send")
    dump = MidiDump(server, client_name="walkdaw")
    server.connect(source, dump.port)
    window.actions.send_to_daw.setChecked(True)
    wait_until(app, lambda: window.audition.position_beats() >= 6, 30, "six beats sent")
    dump.process.send_signal(signal.SIGKILL)
    dump.process.wait()
    say(f"  killed jack_midi_dump at beat {window.audition.position_beats():.1f}")
    wait(app, 1000)
    say(
        f"  send on: {window.actions.send_to_daw.isChecked()} playing "
        f"{window.audition.is_playing} errors {window.errors}"
    )
    describe(window)
    shot(window, out, "21-04-daw-gone")
    window.actions.send_to_daw.setChecked(False)
    wait(app)
    say(f"  after Send off: playing {window.audition.is_playing}")
    describe(window)
    say("  -- the DAW back (same client name, connected again as a DAW does), Send again")
    events = send_whole("walkdaw")
    say(
        f"  DAW got {len(dumped_notes(events))} note-ons of {expected}; by channel "
        f"{channels_of(events)}"
    )

    say("  -- the DAW's port chosen as the MIDI output in Preferences; it goes and comes back")
    dump = MidiDump(server, client_name="walkdaw")
    settings.put(settings.MIDI_OUTPUT, dump.port)
    window.apply_output_settings()
    window.actions.play.setChecked(True)
    wait_until(app, lambda: window.audition.position_beats() >= 4, 30, "four beats played")
    dump.process.send_signal(signal.SIGKILL)
    dump.process.wait()
    wait(app, 1000)
    say(
        f"  killed the output's client at beat {window.audition.position_beats():.1f}; "
        f"playing {window.audition.is_playing}; errors {window.errors}"
    )
    describe(window)
    window.actions.play.setChecked(False)
    wait(app)
    dump = MidiDump(server, client_name="walkdaw")
    window.actions.play.setChecked(True)
    wait_until(app, lambda: window.audition.position_beats() >= 4, 30, "four beats played again")
    wait(app, 300)
    window.actions.play.setChecked(False)
    wait(app, 300)
    events = dump.stop()
    say(
        f"  back: Play again sent the output {len(dumped_notes(events))} note-ons in 4 "
        f"beats; errors {window.errors}"
    )
    describe(window)
    say("  -- the same chosen again in Preferences (OK pressed), Play")
    dump = MidiDump(server, client_name="walkdaw")
    window.apply_output_settings()
    window.actions.play.setChecked(True)
    wait_until(app, lambda: window.audition.position_beats() >= 4, 30, "four beats")
    wait(app, 300)
    window.actions.play.setChecked(False)
    wait(app, 300)
    events = dump.stop()
    say(f"  after OK in Preferences: {len(dumped_notes(events))} note-ons in 4 beats")
    settings.put(settings.MIDI_OUTPUT, "")
    window.apply_output_settings()


# --- 3. drums heard in the built-in synth -------------------------------------------------
def power_per_second(audio: np.ndarray) -> dict[str, float]:
    mono = audio.mean(axis=1).astype(np.float64)
    if len(mono) < RATE // 2:
        return {"low": 0.0, "mid": 0.0, "high": 0.0, "rms": 0.0}
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono)))) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / RATE)
    seconds = len(mono) / RATE

    def band(lo, hi):
        return float(spectrum[(freqs >= lo) & (freqs < hi)].sum()) / seconds

    return {
        "low": band(20, 200),
        "mid": band(200, 2000),
        "high": band(5000, 12000),
        "rms": float(np.sqrt(np.mean(mono**2))),
    }


def capture(app, window, recorder, beats: float, what: str) -> np.ndarray:
    """Play from the start for ``beats`` beats, Stop, and what the sink heard from the
    first sound to the Stop."""
    take = recorder.take()
    window.start_beat = 0.0
    window.actions.play.setChecked(True)
    ok = wait_until(app, lambda: window.audition.position_beats() >= beats, 60, what)
    audio = take.stop()
    window.actions.play.setChecked(False)
    loud = np.flatnonzero(np.abs(audio).max(axis=1) > 1e-3)
    if not ok or not len(loud):
        say(
            f"  {what}: silent (errors {window.errors}, status "
            f"{window.statusBar().currentMessage()!r})"
        )
        return np.zeros((0, 2), np.float32)
    wait(app, 200)
    return audio[loud[0] :]


def offline(arrangement, beats: float, mix) -> np.ndarray:
    from dataclasses import replace

    from composer_gui.core.synth import render_arrangement

    cut = replace(
        arrangement,
        tracks=[
            replace(t, notes=[n for n in t.notes if n.start_beat < beats])
            for t in arrangement.tracks
        ],
    )
    audio = render_arrangement(cut, mix, tail_seconds=0.0)
    return audio[: int(beats * 60 / arrangement.tempo_bpm * RATE)]


def drums_heard(app, window, recorder, out: Path) -> None:
    from composer_gui.core.synth import Mix

    say("== 3. Audition the band take in the built-in synth: drums, bass, chords heard?")
    beats = 8.0
    names = window.tracks.names()
    say(f"  tracks {names}; {load()}")
    full = capture(app, window, recorder, beats, "the whole band")
    heard = window.heard_arrangement()
    whole_offline = power_per_second(offline(heard, beats, window.synth_mix()))
    figures = {"whole": power_per_second(full)}
    say(f"  whole band live: {len(full) / RATE:.1f} s, {figures['whole']}")
    for part, band, tracks in (
        ("drums", "high", ["drums"]),
        ("bass", "low", ["bass"]),
        ("chords", "mid", ["chords", "pad"]),
    ):
        strips = [window.tracks.strips[names.index(t)] for t in tracks if t in names]
        for strip in strips:
            strip.mute.click()
        wait(app)
        without = capture(app, window, recorder, beats, f"without {part}")
        quiet = power_per_second(without)
        mix = window.synth_mix()
        offline_without = power_per_second(offline(heard, beats, mix))
        for strip in strips:
            strip.mute.click()
        wait(app)
        ratio = figures["whole"][band] / max(quiet[band], 1e-12)
        reference = whole_offline[band] / max(offline_without[band], 1e-12)
        verdict = "heard" if ratio >= 1.5 else "NOT heard"
        say(
            f"  {part}: {band} band with/without live {ratio:.2f} (offline "
            f"{reference:.2f}): {verdict}"
        )
    say("  -- Stop mid-audition")
    take = recorder.take()
    window.actions.play.setChecked(True)
    wait_until(app, lambda: window.audition.position_beats() >= 3, 30, "three beats")
    window.actions.play.setChecked(False)
    stopped_at = time.monotonic()
    try:
        take.stop_once_quiet(1e-4, 0.3, timeout_seconds=5.0)
        say(f"  quiet {time.monotonic() - stopped_at:.2f} s after Stop")
    except AssertionError as error:
        say(f"  NOT quiet after Stop: {error}")
    say("  -- another candidate")
    window.choose_candidate(1)
    wait(app)
    other = power_per_second(capture(app, window, recorder, beats, "candidate 2"))
    say(f"  candidate 2 live: {other}")
    say("  -- switch style to pop ballad, generate, audition")
    choose_style(app, window, "pop ballad")
    generate(app, window, "pop ballad")
    describe(window)
    names = window.tracks.names()
    ballad = capture(app, window, recorder, beats, "pop ballad")
    strip = window.tracks.strips[names.index("drums")]
    strip.mute.click()
    wait(app)
    ballad_without = capture(app, window, recorder, beats, "pop ballad without drums")
    strip.mute.click()
    wait(app)
    b, q = power_per_second(ballad), power_per_second(ballad_without)
    ratio = b["high"] / max(q["high"], 1e-12)
    heard = window.heard_arrangement()
    ref = power_per_second(offline(heard, beats, Mix()))["high"] / max(
        power_per_second(offline(heard, beats, Mix(muted=frozenset({names.index("drums")}))))[
            "high"
        ],
        1e-12,
    )
    say(
        f"  pop ballad drums: high band with/without live {ratio:.2f} (offline {ref:.2f}): "
        f"{'heard' if ratio >= 1.5 else 'NOT heard'}"
    )
    shot(window, out, "21-05-pop-ballad")
    say(f"  {load()}")


# --- 4. edits after generating ------------------------------------------------------------
def edits(app, window, server, out: Path) -> None:
    import mido
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from composer_gui.core import midi_io
    from tests.support.jack_server import MidiDump

    say("== 4. Edits after generating: move, delete, undo/redo, generate again, older take")
    doc = window.document
    editor = window.melody_editor
    before = notes_of(window)
    note = doc.melody[2]
    start = editor.note_rect(note).center().toPoint()
    QTest.mousePress(editor, Qt.LeftButton, Qt.NoModifier, start)
    up = start + QPoint(0, -int(2 * editor.row_height()))
    QTest.mouseMove(editor, up)
    QTest.mouseRelease(editor, Qt.LeftButton, Qt.NoModifier, up)
    wait(app)
    say(f"  moved note 3: {note.pitch} -> {doc.melody[2].pitch}")
    victim = doc.melody[5]
    QTest.mouseClick(
        editor, Qt.RightButton, Qt.NoModifier, editor.note_rect(victim).center().toPoint()
    )
    wait(app)
    say(
        f"  deleted note 6 ({victim.pitch}@{victim.start_beat}): {len(before)} -> "
        f"{len(doc.melody)} notes"
    )
    describe(window)
    edited = notes_of(window)

    def matches(what: str) -> None:
        shown = [(n.pitch, n.start_beat, n.duration_beats) for n in editor.notes]
        heard = window.heard_arrangement()
        heard_melody = [(n.pitch, n.start_beat, n.duration_beats) for n in heard.tracks[0].notes]
        path = out / "edit-check.mid"
        window.answers = ["export"]
        window.export_to(path)
        exported = [
            m.note for m in mido.MidiFile(path).tracks[1] if m.type == "note_on" and m.velocity
        ]
        doc_notes = notes_of(window)
        say(
            f"  {what}: shown==doc {shown == doc_notes}, heard==doc {heard_melody == doc_notes}, "
            f"export pitches==doc {exported == [p for p, _, _ in doc_notes]}; "
            f"accompaniment of take {doc.current_take} pick {doc.pick}"
        )

    matches("after move and delete")
    window.undo_action.trigger()
    wait(app)
    say(f"  undo: {len(doc.melody)} notes, as before the delete: {len(doc.melody) == len(before)}")
    matches("after undo")
    window.redo_action.trigger()
    wait(app)
    say(f"  redo: equal to the edit: {notes_of(window) == edited}")
    matches("after redo")
    shot(window, out, "21-06-edited")
    generate(app, window, "generate again")
    describe(window)
    matches("after generate again")
    history = window.candidates.history
    say(f"  take box: {[history.itemText(i) for i in range(history.count())]}")
    history.setCurrentIndex(0)
    wait(app)
    describe(window)
    say(f"  shown take {doc.current_take}, pick {doc.pick}, stale {doc.stale}")
    matches("older take shown")
    shot(window, out, "21-07-older-take")
    heard = window.heard_arrangement()
    source = f"{midi_io.CLIENT_NAME}:{midi_io.virtual_port_name()}"
    dump = MidiDump(server, client_name="walkdaw2")
    server.connect(source, dump.port)
    window.actions.send_to_daw.setChecked(True)
    wait_until(app, lambda: not window.actions.send_to_daw.isChecked(), 240, "send")
    wait(app, 300)
    events = dump.stop()
    melody_ons = [e.data[1] for e in dumped_notes(events) if e.channel == 0]
    say(
        f"  Send of the older take: {len(dumped_notes(events))} note-ons of "
        f"{sum(len(t.notes) for t in heard.tracks)}; melody pitches == doc "
        f"{melody_ons == [p for p, _, _ in notes_of(window)]}"
    )


def main() -> None:
    out = Path(sys.argv[-1]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    scratch_env(out)
    from tests.support.pulse_server import Recorder, start_pulse, stop_pulse

    pulse_dir = out / "pulse"
    if pulse_dir.exists():
        import shutil

        shutil.rmtree(pulse_dir)
    pulse_dir.mkdir()
    pulse, pulse_server, pulse_log = start_pulse(pulse_dir)
    os.environ["PULSE_SERVER"] = pulse_server.address
    recorder = Recorder(pulse_server, out / "sink.raw")
    server = start_jack()
    steps = sys.argv[1:-1] or ["1", "2", "3", "4"]
    try:
        app, window = make_window(out)
        window.offer_restore(ask=lambda: False)
        if "1" in steps:
            keyboard_gone(app, window, server, out)
        if {"2", "3", "4"} & set(steps):
            send_to_daw(app, window, server, out)
        if "3" in steps:
            drums_heard(app, window, recorder, out)
        if "4" in steps:
            edits(app, window, server, out)
        say(f"  errors in all: {window.errors}")
        window.ask_before_closing = False
        window.close()
        wait(app, 300)
    finally:
        server.stop()
        recorder.close()
        stop_pulse(pulse, pulse_log)
        (out / "sink.raw").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
