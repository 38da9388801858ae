"""Where the music is heard: the built-in synth, a MIDI output, or the DAW's virtual port.

A thin layer over ``core.synth.SynthPlayer`` and ``core.playback.Player`` so the main
window has one ``play/stop/position_beats`` whatever the output. The synth is created
lazily (loading a soundfont takes a moment) and, if it cannot sound (no FluidSynth, no
soundfont, no audio device), the reason is kept in ``problem`` and said once; everything
else keeps working.
"""

from __future__ import annotations

import dataclasses
import logging
import time

from composer_gui.core.arrangement import Arrangement
from composer_gui.core.errors import ComposerError

log = logging.getLogger(__name__)

BUILT_IN_SYNTH = ""  # the output setting that means "the built-in synth"


def next_barline(arrangement: Arrangement, beat: float, lead_beats: float = 0.25) -> float:
    """The first barline at least ``lead_beats`` after ``beat`` (so the player is told
    before it comes), or the piece's end after its last bar."""
    starts = arrangement.bar_starts(arrangement.end_of_bars(arrangement.bar_count()) + 1e-6)
    later = [start for start in starts if start >= beat + lead_beats]
    return later[0] if later else arrangement.end_of_bars(arrangement.bar_count())


def muted_tracks(arrangement: Arrangement, mix) -> list[int]:
    """The tracks the mix (a core.synth.Mix) silences: a MIDI output gets none of their
    notes, on Play and on an edit while playing alike."""
    return [index for index in range(len(arrangement.tracks)) if not mix.is_audible(index)]


def _synth_plays_live() -> bool:
    from composer_gui.core.synth import SynthPlayer

    return hasattr(SynthPlayer, "note_on") and hasattr(SynthPlayer, "note_off")


class Audition:
    """One playback at a time, to the chosen output."""

    def __init__(self) -> None:
        self.output_name = BUILT_IN_SYNTH
        self.api: str | None = None
        self.soundfont: str | None = None
        self.audio_driver: str | None = None
        self.problem: str | None = None  # why the synth cannot sound, once known
        self._synth = None  # core.synth.SynthPlayer, created on first use
        self._synth_tried = False
        self._midi_out = None  # an open mido output for a chosen MIDI output
        self._virtual_out = None  # the "Composer" port a DAW listens to
        self._player = None  # core.playback.Player to a MIDI port
        self._arrangement: Arrangement | None = None
        # whose mix the playback takes (the main window's Document; None for one with no
        # mix to change, the Train window's sample): a mix change from anyone else is not
        # heard there
        self._mix_owner: object | None = None
        self._muted: list[int] = []  # the tracks the MIDI player leaves out
        self._started_at = 0.0

    # --- set-up ---------------------------------------------------------------------
    def configure(
        self, output_name: str, api: str | None, soundfont: str | None, audio_driver: str | None
    ) -> None:
        changed_synth = (soundfont, audio_driver) != (self.soundfont, self.audio_driver)
        self.stop()
        if output_name != self.output_name and self._midi_out is not None:
            self._midi_out.close()
            self._midi_out = None
        if (api or None) != self.api and self._virtual_out is not None:
            self._virtual_out.close()
            self._virtual_out = None
        self.output_name, self.api = output_name, api or None
        self.soundfont, self.audio_driver = soundfont or None, audio_driver or None
        if changed_synth and self._synth_tried:
            self.close_synth()

    def synth(self):
        """The SynthPlayer, or None when it cannot sound (see ``problem``)."""
        if self._synth is None and not self._synth_tried:
            self._synth_tried = True
            try:
                from composer_gui.core.synth import SynthPlayer

                self._synth = SynthPlayer(self.soundfont, self.audio_driver)
            except ComposerError as error:
                self.problem = str(error)
                log.warning("Built-in synth unavailable: %s", error)
            except Exception as error:  # noqa: BLE001 - a broken audio stack must not crash
                self.problem = (
                    "The built-in synth could not start; choose a MIDI output in Preferences."
                )
                log.exception("Built-in synth failed: %s", error)
        return self._synth

    def close_synth(self) -> None:
        if self._synth is not None:
            self._synth.close()
        self._synth, self._synth_tried, self.problem = None, False, None

    # --- playing --------------------------------------------------------------------
    def play(
        self,
        arrangement: Arrangement,
        mix,
        start_beat: float = 0.0,
        loop: bool = False,
        to_daw: bool = False,
        mix_owner: object | None = None,
    ) -> None:
        """Play ``arrangement`` (mix: a core.synth.Mix); raises ComposerError if no output.

        ``mix_owner``: the model whose mix this is; only its changes reach this playback
        (``set_mix``)."""
        self.stop()
        self._arrangement = arrangement
        self._mix_owner = mix_owner
        if to_daw or self.output_name != BUILT_IN_SYNTH:
            self._play_midi(arrangement, mix, loop, to_daw)
            return
        synth = self.synth()
        if synth is None:
            raise ComposerError(self.problem or "The built-in synth cannot sound.")
        synth.play(arrangement, mix, start_beat=start_beat, loop=loop)

    def play_on(self, arrangement: Arrangement, mix) -> None:
        """The music changed while playing (a melody edit): heard from the next barline,
        without a break (Play and Send to DAW used to play the old notes until the next
        Play: restarting would send the DAW a second Start). Nothing, when nothing plays."""
        from composer_gui.core.playback import schedule_from_arrangement

        at_beat = next_barline(arrangement, self.position_beats())
        if self._player is not None and self._player.playing and self._arrangement is not None:
            self._muted = muted_tracks(arrangement, mix)
            schedule = schedule_from_arrangement(arrangement, self._muted)
            self._player.replace_schedule(schedule, at_beat)
            self._arrangement = arrangement
        elif self._synth is not None and self._synth.is_playing:
            self._synth.play_on(arrangement, at_beat)

    def open_daw_port(self) -> str:
        """Create the virtual port DAWs listen to (once, for the session); returns its name."""
        from composer_gui.core import midi_io

        if self._virtual_out is None:
            self._virtual_out = midi_io.open_virtual_output(api=self.api)
        return self._virtual_out.name

    def _play_midi(self, arrangement: Arrangement, mix, loop: bool, to_daw: bool) -> None:
        from composer_gui.core.playback import Player, schedule_from_arrangement

        if to_daw:
            self.open_daw_port()
            port = self._virtual_out
        else:
            port = self._reopen_chosen_output()
        self._muted = muted_tracks(arrangement, mix)
        schedule = schedule_from_arrangement(arrangement, self._muted)
        self._player = Player(port, schedule, loop=loop, send_clock=to_daw)
        self._started_at = time.perf_counter()
        self._player.start()

    def _reopen_chosen_output(self):
        """The chosen MIDI output, connected afresh for each Play and each take's clicks.
        A port that went away and came back (a synth switched off and on, a keyboard
        plugged back in) is a new client that no one connects to: the connection made at
        the first Play sent into nothing, with nothing said (session 21's walk). One that
        is not there now says so (``_open_chosen_output``) instead."""
        if self._midi_out is not None:
            self._midi_out.close()
            self._midi_out = None
        self._midi_out = self._open_chosen_output()
        return self._midi_out

    def _open_chosen_output(self):
        """The MIDI output chosen in Preferences; one that is gone is named with the
        window's way out (the core's sentence sends the musician to the command line)."""
        from composer_gui.core import midi_io
        from composer_gui.core.errors import MidiPortError, UnknownPortError

        try:
            return midi_io.open_output(self.output_name, api=self.api)
        except UnknownPortError as error:
            raise MidiPortError(
                f"The MIDI output '{error.name}' is not connected: connect it, or choose "
                "another under File > Preferences."
            ) from error

    def send_live(self, message) -> None:
        """A note played now (keys, on-screen piano, MIDI thru) to the chosen output.

        Safe from rtmidi's thread: mido ports lock around ``send``. The built-in synth
        sounds live notes only if its player offers ``note_on``/``note_off``.
        """
        if self.output_name != BUILT_IN_SYNTH:
            try:
                if self._midi_out is None:
                    self._midi_out = self._open_chosen_output()
                self._midi_out.send(message)
            except (ComposerError, OSError, RuntimeError) as error:
                log.warning("Live note not sent: %s", error)
            return
        synth = self._synth
        if synth is None and _synth_plays_live():
            synth = self.synth()  # the first live note loads the soundfont
        if synth is None:
            return
        if message.type == "note_on" and message.velocity > 0 and hasattr(synth, "note_on"):
            synth.note_on(message.note, message.velocity)
        elif message.type in ("note_on", "note_off") and hasattr(synth, "note_off"):
            synth.note_off(message.note)

    def play_schedule(self, schedule) -> float:
        """Play a ready schedule (the metronome) to the chosen MIDI output; its beat-0 moment."""
        from composer_gui.core.playback import Player

        self.stop()
        self._arrangement = self._mix_owner = None
        self._player = Player(self._reopen_chosen_output(), schedule)
        self._player.start()
        return self._player.start_time

    def set_tempo(self, bpm: float) -> bool:
        """Play on at ``bpm`` from the beat now sounding, without a break, on a MIDI
        output; False when nothing plays there (the built-in synth must restart)."""
        if self._player is None or not self._player.playing or self._arrangement is None:
            return False
        self._player.set_tempo(bpm)
        return True

    def stop(self) -> None:
        if self._player is not None:
            self._player.stop()
            self._player = None
        if self._synth is not None:
            self._synth.stop()

    def set_mix(self, mix, arrangement: Arrangement | None = None, mix_owner=None) -> None:
        """Mute, solo, volume and instruments changed while playing (``arrangement``: the
        one now heard, whose programs and volumes are taken; its notes are not), in the
        mix of ``mix_owner``: nothing happens unless that is whose mix plays (``play``).
        Session 18 left the main window's mute cutting the Train window's sample.

        A program or a channel volume that changed goes out at once on its channel
        (``Player.set_controls``, a slider drag coalesced), to a MIDI output, the DAW's
        port and the built-in synth alike; they used to reach a MIDI output at the next
        Play, the volume never. A MIDI output (or the DAW's port) gets the tracks now
        audible from now on, a note sounding on a track just silenced released; the
        built-in synth cuts a silenced track at once. Nothing is sent when nothing plays
        (the metronome, a stopped or finished playback)."""
        if mix_owner is not self._mix_owner:
            return  # another window's playback, with a mix of its own
        if self._player is not None and (not self._player.playing or self._arrangement is None):
            return  # the metronome, or nothing
        if arrangement is not None:
            self._send_setup(arrangement)
        if self._player is not None:
            muted = muted_tracks(self._arrangement, mix)
            if muted != self._muted:
                from composer_gui.core.playback import schedule_from_arrangement

                self._muted = muted
                self._player.replace_schedule(
                    schedule_from_arrangement(self._arrangement, muted), at_beat=None
                )
            return
        if self._synth is not None:
            self._synth.set_mix(mix)

    def _send_setup(self, arrangement: Arrangement) -> None:
        """The programs and volumes of ``arrangement`` where they differ from the
        arrangement playing, sent now; the one playing takes them (later swaps, a mute's
        or an edit's, are built with them)."""
        from composer_gui.core.midi_writer import arrangement_setup
        from composer_gui.core.playback import setup_key

        playing = self._arrangement
        if playing is None or len(arrangement.tracks) != len(playing.tracks):
            return
        if self._player is None and (self._synth is None or not self._synth.is_playing):
            return
        updated = dataclasses.replace(
            playing,
            tracks=[
                dataclasses.replace(old, program=new.program, volume=new.volume)
                for old, new in zip(playing.tracks, arrangement.tracks, strict=True)
            ],
        )
        before = {setup_key(m): m for m in arrangement_setup(playing)}
        after = {setup_key(m): m for m in arrangement_setup(updated)}
        changed = [m for key, m in after.items() if key not in before or before[key] != m]
        self._arrangement = updated
        if changed:
            (self._player or self._synth).set_controls(changed)

    @property
    def is_playing(self) -> bool:
        if self._player is not None:
            return self._player.playing
        return self._synth is not None and self._synth.is_playing

    def position_beats(self) -> float:
        if self._player is not None and self._arrangement is not None:
            from composer_gui.core.synth import beat_at

            seconds = self._player.pass_position_seconds()
            return beat_at(self._arrangement, max(0.0, seconds))
        if self._synth is not None:
            return self._synth.position_beats
        return 0.0

    def close(self) -> None:
        self.stop()
        self.close_synth()
        for port in (self._midi_out, self._virtual_out):
            if port is not None:
                port.close()
        self._midi_out = self._virtual_out = None
