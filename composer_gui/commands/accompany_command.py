"""``composer-gui accompany IN.mid -o OUT.mid``: the engine from the command line.

The melody is read before anything else, so bad input fails fast and nothing is written;
the best candidate is written atomically; the ranking goes to stdout (``--json`` for
scripts).  The same seed gives the same output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from composer_gui.core.errors import ComposerError
from composer_gui.core.instruments import DEFAULT_PRESET, PRESETS
from models.pianoroll import MAX_BARS

if TYPE_CHECKING:
    from composer_gui.core.arrangement import Arrangement


def register(sub) -> None:
    p = sub.add_parser("accompany", help="write accompaniments for a melody file")
    p.add_argument(
        "input", type=Path, metavar="IN.mid", help="the melody (a MIDI, ABC or MusicXML file)"
    )
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.mid")
    p.add_argument("--candidates", type=int, default=8, metavar="K", help="how many (1-64)")
    p.add_argument("--seed", type=int, default=None, help="same seed, same output")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument("--all", type=Path, default=None, metavar="DIR", help="write every candidate")
    p.add_argument("--json", action="store_true", help="print the ranking as JSON")
    p.add_argument(
        "--track",
        type=int,
        default=None,
        metavar="N",
        help="the melody's track (counted from 0 over tracks with notes)",
    )
    p.add_argument("--density", type=float, default=0.5, help="0 sparse ... 1 dense")
    p.add_argument("--variety", type=float, default=0.5, help="0 safe ... 1 adventurous")
    p.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        choices=sorted(PRESETS),
        help="instruments of the accompaniment",
    )
    p.add_argument("--model", type=Path, default=None, help="a .safetensors model file")
    p.add_argument(
        "--style",
        default=None,
        metavar="NAME",
        help="the style to play in (composer-gui styles lists them); chooses its model",
    )
    p.add_argument(
        "--pickup",
        default="auto",
        metavar="auto|none|N",
        help="where the first downbeat is: auto (found from the notes where the file puts "
        "a pickup on its first downbeat; the default), none (the file's barlines as they "
        "are), or N eighths from the first note to the first downbeat (1: an eighth's "
        "pickup; under a bar)",
    )
    longer = p.add_mutually_exclusive_group()
    longer.add_argument(
        "--first-bars",
        action="store_const",
        const="first",
        dest="allow_long",
        help=f"accompany only the first {MAX_BARS} bars of a longer melody",
    )
    longer.add_argument(
        "--sections",
        action="store_const",
        const="sections",
        dest="allow_long",
        help=f"accompany a longer melody whole, in sections of up to {MAX_BARS} bars "
        "(the default; kept for old scripts)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from composer_gui.commands.ranking_table import print_table
    from composer_gui.core.engine import Engine
    from composer_gui.core.melody_grid import (
        PICKUP_GIVEN,
        check_melody,
        melody_on_grid,
        melody_warnings,
        notated_meters,
    )
    from composer_gui.core.midi_file import melody_of, read_arrangement_and_tune_choice
    from composer_gui.core.midi_writer import write_arrangement

    # read once: the track choice, the melody and (an ABC tune book) which tune, from it
    read, tunes = read_arrangement_and_tune_choice(args.input)
    used = melody_choice(read, args.track, args.input.name)
    melody = melody_of(read, used["track"], args.input.name)
    pickup = pickup_asked(args.pickup)
    if args.output.is_dir():
        raise ComposerError(f"{args.output} is a folder; give a file name such as out.mid.")
    model, style = args.model, args.style
    if style is not None:
        chosen = style_asked(style, model)
        if chosen is not None:
            model, style = chosen.model_path, chosen.name
    engine = Engine(model, args.device)
    candidates = engine.generate(
        melody,
        k=args.candidates,
        seed=args.seed,
        density=args.density,
        variety=args.variety,
        preset=args.preset,
        allow_long=args.allow_long,
        style=style,
        pickup=pickup,
    )  # checks the melody (a meter it cannot accompany) before it loads the model
    # The bars it was accompanied on, to write them: of the melody as the engine took it
    # (its first bars only, with --first-bars; the engine checked it, this only trims).
    taken = check_melody(melody, "first") if args.allow_long == "first" else melody
    grid = melody_on_grid(taken, pickup)
    notated = notated_meters(melody, grid)
    # Only a pickup the musician gave rewrites the file's bars: one found from the notes
    # is a guess, and the output keeps the time signatures the file had (issue 16)
    if grid.pickup_from == PICKUP_GIVEN and notated != (
        tuple(melody.time_signature),
        list(melody.meter_changes),
    ):
        for candidate in candidates:  # barred as accompanied (the engine named its chords so)
            bars = candidate.arrangement
            bars.time_signature, bars.meter_changes = notated
    for warning in melody_warnings(melody):
        print(f"Note: {warning}", file=sys.stderr)
    write_arrangement(candidates[0].arrangement, args.output)
    written = {1: str(args.output)}
    if args.all is not None:
        args.all.mkdir(parents=True, exist_ok=True)
        stem = args.input.stem
        for c in candidates:
            path = args.all / f"{stem}-candidate-{c.rank:02d}.mid"
            write_arrangement(c.arrangement, path)
            written[c.rank] = str(path)

    if args.json:
        report = _as_json(candidates, engine, written, args, used)
        steps = pickup if grid.pickup_from == PICKUP_GIVEN else grid.pickup
        report["pickup"] = {"steps": steps, "from": grid.pickup_from or None}
        report["tune"] = tunes
        print(json.dumps(report, indent=2))
    else:
        print(melody_sentence(used))
        if tunes:
            print(tunes)
        if grid.pickup_from:
            print(f"pickup: {pickup_text(grid, pickup, melody)}")
        print_table(candidates, engine, args)
    return 0


def pickup_asked(text: str):
    """``--pickup``'s setting (``melody_grid.Pickup``): auto, none, or N eighths as steps;
    anything else is one sentence."""
    from composer_gui.core.melody_grid import PICKUP_AUTO, PICKUP_NONE
    from models.pianoroll import STEPS_PER_BEAT

    word = text.strip().lower()
    if word in (PICKUP_AUTO, PICKUP_NONE):
        return word
    if word.isdigit():
        eighths = int(word)
        return eighths * STEPS_PER_BEAT // 2 if eighths else PICKUP_NONE
    raise ComposerError(
        f"--pickup takes auto, none or a number of eighths before the first downbeat "
        f"(1 for an eighth's pickup), not {text!r}."
    )


def pickup_text(grid, asked, melody: Arrangement) -> str:
    """The pickup the melody was accompanied with, as "1 eighth (found from the notes)"
    (a given one as the musician counted it, from the first note)."""
    from composer_gui.core.melody_grid import PICKUP_GIVEN, pickup_words

    steps = asked if grid.pickup_from == PICKUP_GIVEN else grid.pickup
    meter = grid.meters[0][1] if grid.meters else melody.meter()
    return f"{pickup_words(steps, meter)} ({grid.pickup_from})"


def style_asked(name: str, model: Path | None):
    """The style ``--style`` names: an installed one (an unknown name is one sentence
    naming them); with ``--model``, that model's own, by its name ("rock") or as
    ``styles --model`` shows it ("rock (my-model)"). None leaves the name to the engine,
    which names the model's styles if it has no such style."""
    from composer_gui.core.styles import find_style, style_key, styles_with

    if model is None:
        return find_style(name)
    own = Path(model).with_suffix(".safetensors").resolve()
    for style in styles_with(model):
        if style.model_path.resolve() == own and style_key(name) in {
            style_key(style.name),
            style_key(style.shown),
        }:
            return style
    return None


def melody_choice(arrangement: Arrangement, track: int | None, file_name: str) -> dict:
    """Which track of the read file is the melody, and which others could be: for the
    printout.

    ``track`` and ``pitched_tracks`` count as ``--track`` does (tracks with notes, from 0).
    """
    from composer_gui.core.midi_file import melody_track_index

    index = melody_track_index(arrangement, track, file_name)
    chosen = arrangement.tracks[index]
    return {
        "track": index,
        "name": chosen.name,
        "notes": len(chosen.notes),
        "chosen_by": "--track" if track is not None else "first pitched track",
        "pitched_tracks": [i for i, part in enumerate(arrangement.tracks) if not part.is_drum],
    }


def melody_sentence(used: dict) -> str:
    """One line: the track taken as the melody, and how to take another when there is one."""
    line = f"Melody: track {used['track']} '{used['name']}' ({used['notes']} notes)"
    others = [i for i in used["pitched_tracks"] if i != used["track"]]
    if not others:
        return line + "."
    numbers = ", ".join(str(i) for i in used["pitched_tracks"])
    how = "as asked" if used["chosen_by"] == "--track" else "the first of them"
    return (
        f"{line}, {how}; the file has {len(used['pitched_tracks'])} pitched tracks "
        f"({numbers}): choose another with --track N."
    )


def _as_json(candidates, engine, written, args, used: dict) -> dict:
    from composer_gui.commands.ranking_table import candidate_json

    return {
        "input": str(args.input),
        "melody": used,
        "output": str(args.output),
        "seed": candidates[0].seed,
        "device": engine.device_name,
        "model": engine.card.get("name", engine.model_path.stem),
        "style": candidates[0].style,
        "tracks": [t.name for t in candidates[0].arrangement.tracks],
        # a barely trained model or tied scores, in one sentence (core.rough_model); "" if not
        "model_note": candidates[0].model_note,
        "candidates": [candidate_json(c, written.get(c.rank)) for c in candidates],
    }
