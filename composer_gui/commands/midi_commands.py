"""Subcommands: ports, play, record (live MIDI without the app)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from composer_gui.core.midi_io import API_NAMES, virtual_port_name

# A JACK or ALSA port hands messages over on its next cycle; closing it at once could drop
# the last note-offs, so every command waits this long before closing its outputs.
DRAIN_SECONDS = 0.1


def register(sub) -> None:
    ports = sub.add_parser("ports", help="list MIDI inputs and outputs")
    ports.add_argument("--api", choices=list(API_NAMES), help="MIDI system (default: the OS's)")
    ports.set_defaults(handler=_ports)

    play = sub.add_parser("play", help="play a MIDI file to a port with the app's scheduler")
    play.add_argument("file", type=Path, help="the .mid file (or an ABC or MusicXML score)")
    where = play.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", metavar="NAME", help="an existing output (see `ports`)")
    where.add_argument(
        "--virtual",
        metavar="NAME",
        nargs="?",
        const=virtual_port_name(),
        help=f"create a virtual output for a DAW (default '{virtual_port_name()}')",
    )
    play.add_argument("--api", choices=list(API_NAMES), help="MIDI system (default: the OS's)")
    play.add_argument(
        "--port-per-track",
        action="store_true",
        help="with --virtual: one virtual port per track, named 'Composer <track>'",
    )
    play.add_argument("--loop", action="store_true", help="play until Ctrl-C")
    play.add_argument("--tempo", type=float, metavar="BPM", help="play at this tempo instead")
    play.add_argument("--clock", action="store_true", help="also send MIDI clock, start and stop")
    play.add_argument(
        "--follow-clock",
        metavar="NAME",
        help="wait for a DAW's MIDI start on this input, then play; its stop stops",
    )
    play.add_argument(
        "--wait",
        action="store_true",
        help="open the port, then wait for Enter before playing (time to connect)",
    )
    play.set_defaults(handler=_play)

    record = sub.add_parser("record", help="record a melody from a MIDI input to a file")
    record.add_argument("--port", metavar="NAME", required=True, help="the input to record")
    record.add_argument("--bars", type=int, default=4, help="length of the take (default 4)")
    record.add_argument(
        "--tempo", type=float, default=120.0, metavar="BPM", help="metronome tempo (default 120)"
    )
    record.add_argument("--meter", default="4/4", help="time signature (default 4/4)")
    record.add_argument("-o", "--output", type=Path, required=True, help="the .mid to write")
    record.add_argument("--api", choices=list(API_NAMES), help="MIDI system (default: the OS's)")
    record.add_argument(
        "--click",
        metavar="NAME",
        help="metronome to this output (default: a virtual port "
        f"'{virtual_port_name()}'); 'none' for no clicks",
    )
    record.add_argument("--thru", metavar="NAME", help="echo what is played to this output")
    record.add_argument(
        "--count-in",
        type=int,
        default=1,
        metavar="BARS",
        help="bars of clicks before the take (default 1)",
    )
    record.add_argument(
        "--follow-clock",
        metavar="NAME",
        help="start and stop with a DAW's MIDI clock from this input (can be --port)",
    )
    record.add_argument(
        "--start-on-note",
        action="store_true",
        help="no count-in: the take begins with the first note played",
    )
    record.set_defaults(handler=_record)


def _ports(args: argparse.Namespace) -> int:
    from composer_gui.core.midi_io import list_ports

    ports = list_ports(args.api)
    print(f"MIDI system: {ports.api}")
    for title, names in (("Inputs", ports.inputs), ("Outputs", ports.outputs)):
        print(f"{title}:")
        for name in names:
            print(f"  {name}")
        if not names:
            print("  (none)")
    return 0


def _check_positive(value: float | None, what: str) -> None:
    from composer_gui.core.errors import ComposerError

    if value is not None and value <= 0:
        raise ComposerError(f"{what} must be above 0, got {value:g}; give a positive number.")


def _score_as_midi(path: Path):
    """A score (ABC, MusicXML) as the MIDI file Composer would write of it, so ``play``
    schedules it like any other; None for a MIDI file."""
    from composer_gui.core.file_suffixes import is_score

    if not is_score(path):
        return None
    from composer_gui.core.midi_writer import arrangement_to_midi
    from composer_gui.core.score_file import read_score

    return arrangement_to_midi(read_score(path))


def _play(args: argparse.Namespace) -> int:
    import mido

    from composer_gui.core import midi_io
    from composer_gui.core.errors import ComposerError, MidiFileError
    from composer_gui.core.playback import Player, schedule_from_midifile, track_channels

    _check_positive(args.tempo, "--tempo")
    try:
        midi = _score_as_midi(args.file) or mido.MidiFile(args.file)
    except FileNotFoundError as error:
        raise MidiFileError(f"No file at {args.file}; check the path.") from error
    except (OSError, ValueError, EOFError, KeyError) as error:
        raise MidiFileError(
            f"{args.file} is not a readable MIDI file ({error}); export it again as .mid."
        ) from error
    schedule = schedule_from_midifile(midi)

    if args.port_per_track:
        if args.port is not None:
            raise ComposerError("--port-per-track needs --virtual; drop --port or that option.")
        output = midi_io.TrackPorts(track_channels(midi), args.api)
    elif args.port is not None:
        output = midi_io.open_output(args.port, args.api)
    else:
        output = midi_io.open_virtual_output(args.virtual, args.api)
    problems: list[str] = []
    clock_input = None
    try:
        if args.wait:
            print(
                f"Connect to '{output.name}', then press Enter to play.",
                file=sys.stderr,
                flush=True,
            )
            sys.stdin.readline()
        player = Player(
            output, schedule, loop=args.loop, send_clock=args.clock, on_error=problems.append
        )
        if args.follow_clock:
            clock_input = _wait_for_daw_start(args.follow_clock, args.api, player)
        at_tempo = f" at {args.tempo:g} BPM" if args.tempo is not None else ""
        print(
            f"Playing {args.file.name} to '{output.name}' "
            f"({schedule.seconds(args.tempo):.1f} s{at_tempo}); Ctrl-C stops.",
            file=sys.stderr,
            flush=True,
        )
        with player:
            if args.tempo is not None:
                player.set_tempo(args.tempo)
            # One blocking wait (Ctrl-C still interrupts it): a main thread that woke up
            # every few ms could be preempted holding the GIL just when a note is due.
            player.wait()
    finally:
        # Also after Ctrl-C: the player's note-offs must reach the port before it closes.
        time.sleep(DRAIN_SECONDS)
        output.close()
        if args.follow_clock and clock_input is not None:
            midi_io.close_input(clock_input)
    if problems:
        print(f"composer-gui: {problems[0]}", file=sys.stderr)
        return 2
    return 0


def _wait_for_daw_start(port_name: str, api: str | None, player):
    """Block until the DAW sends start (or continue) on ``port_name``; the player's beat 0
    is the moment that message arrived, and the DAW's stop stops it.  Returns the input."""
    import threading

    from composer_gui.core import midi_io
    from composer_gui.core.midi_clock import ClockFollower

    started = threading.Event()
    start_times: list[float] = []

    def on_start(arrived: float) -> None:
        if not started.is_set():
            start_times.append(arrived)
            started.set()

    def on_stop(arrived: float) -> None:
        if started.is_set():
            player.stop()

    follower = ClockFollower(on_start=on_start, on_stop=on_stop)
    clock_input = midi_io.open_input(port_name, follower.feed, api)
    print(f"Waiting for start from '{port_name}' (Ctrl-C gives up).", file=sys.stderr, flush=True)
    try:
        started.wait()
    except KeyboardInterrupt:
        clock_input.close()
        raise
    player.start(at=start_times[0])
    return clock_input


def _parse_meter(text: str) -> tuple[int, int]:
    from composer_gui.core.errors import MeterError

    try:
        numerator, denominator = (int(part) for part in text.split("/"))
    except ValueError as error:
        raise MeterError(f"--meter '{text}' is not a time signature; write it like 4/4.") from error
    if numerator < 1 or denominator not in (1, 2, 4, 8, 16):
        raise MeterError(f"--meter '{text}' cannot be recorded; use e.g. 4/4, 3/4 or 6/8.")
    return numerator, denominator


def _record(args: argparse.Namespace) -> int:
    from composer_gui.core import midi_io
    from composer_gui.core.midi_writer import write_arrangement
    from composer_gui.core.recording import Recorder, RecordingSetup

    _check_positive(args.tempo, "--tempo")
    _check_positive(args.bars, "--bars")
    setup = RecordingSetup(
        tempo_bpm=args.tempo,
        bars=args.bars,
        time_signature=_parse_meter(args.meter),
        count_in_bars=max(0, args.count_in),
        start_on_first_note=args.start_on_note,
    )
    api = midi_io.resolve_api(args.api)
    opened = []
    try:
        click = None
        if args.click is None:
            click = midi_io.open_virtual_output(None, api)
        elif args.click.lower() != "none":
            click = midi_io.open_output(args.click, api)
        if click is not None:
            opened.append(click)
        thru = midi_io.open_output(args.thru, api) if args.thru else None
        if thru is not None:
            opened.append(thru)

        def tell(message: str) -> None:
            print(f"composer-gui: {message}", file=sys.stderr, flush=True)

        recorder = Recorder(
            args.port,
            setup,
            api=api,
            click_output=click,
            thru_output=thru,
            on_problem=tell,
            clock_input=args.follow_clock,
        )
        recorder.start()  # a missing input fails here, before anything is announced
        start = "the first note" if setup.start_on_first_note else "the count-in"
        if args.follow_clock:
            start = f"the start from '{args.follow_clock}'"
        print(
            f"Recording {setup.bars} bars at {setup.tempo_bpm:g} BPM from '{args.port}', "
            f"starting with {start}; Ctrl-C ends early.",
            file=sys.stderr,
            flush=True,
        )
        try:
            recorder.wait()
        except KeyboardInterrupt:
            tell("stopped early; the take so far is kept.")
        finally:
            recorder.stop()
    finally:
        time.sleep(DRAIN_SECONDS)
        for port in opened:
            port.close()
    arrangement = recorder.arrangement()
    write_arrangement(arrangement, args.output)
    print(f"Wrote {len(arrangement.tracks[0].notes)} notes to {args.output}.", file=sys.stderr)
    return 0
