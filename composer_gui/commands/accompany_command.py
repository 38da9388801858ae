"""``composer-gui accompany IN.mid -o OUT.mid``: the engine from the command line.

The melody is read before anything else, so bad input fails fast and nothing is written;
the best candidate is written atomically; the ranking goes to stdout (``--json`` for
scripts).  The same seed gives the same output.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from composer_gui.core.errors import ComposerError
from composer_gui.core.instruments import DEFAULT_PRESET, PRESETS
from composer_gui.core.metric_words import (
    metric_label,
    metric_legend,
    metric_text,
    reference_words,
    shown_among_words,
)
from models.pianoroll import MAX_BARS

if TYPE_CHECKING:
    from composer_gui.core.arrangement import Arrangement

# The table's columns (metric keys; the titles a musician reads come from metric_words).
TABLE_COLUMNS = (
    "in_key_ratio",
    "tonal_distance",
    "qualified_note_rate",
    "polyphony",
    "pitch_classes_per_bar",
)


def register(sub) -> None:
    p = sub.add_parser("accompany", help="write accompaniments for a melody file")
    p.add_argument("input", type=Path, metavar="IN.mid", help="the melody (a MIDI file)")
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
    from composer_gui.core.engine import Engine
    from composer_gui.core.melody_grid import check_melody, melody_warnings
    from composer_gui.core.midi_file import melody_of, read_arrangement
    from composer_gui.core.midi_writer import write_arrangement

    read = read_arrangement(args.input)  # read once: the choice and the melody come from it
    used = melody_choice(read, args.track, args.input.name)
    melody = melody_of(read, used["track"], args.input.name)
    check_melody(melody)  # a meter it cannot accompany is refused before the model loads
    for warning in melody_warnings(melody):
        print(f"Note: {warning}", file=sys.stderr)
    if args.output.is_dir():
        raise ComposerError(f"{args.output} is a folder; give a file name such as out.mid.")
    model, style = args.model, args.style
    if style is not None and model is None:
        from composer_gui.core.styles import find_style

        model = find_style(style).model_path  # an unknown name: one sentence naming them
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
    )
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
        print(json.dumps(_as_json(candidates, engine, written, args, used), indent=2))
    else:
        print(melody_sentence(used))
        _print_table(candidates, engine, args)
    return 0


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
    return {
        "input": str(args.input),
        "melody": used,
        "output": str(args.output),
        "seed": candidates[0].seed,
        "device": engine.device_name,
        "model": engine.card.get("name", engine.model_path.stem),
        "style": candidates[0].style,
        "tracks": [t.name for t in candidates[0].arrangement.tracks],
        "candidates": [
            {
                "rank": c.rank,
                "percentile": round(c.percentile, 1),
                "real_share": None if math.isnan(c.real_share) else round(c.real_share, 1),
                "critic_score": round(c.critic_score, 4),
                "score": round(c.score, 4),
                "reasons": list(c.reasons),
                "checks": dict(c.checks),
                "metrics": {k: round(v, 4) for k, v in c.metrics.items() if "/" not in k},
                "chords": [{"beat": beat, "symbol": symbol} for beat, symbol in c.chords],
                "file": written.get(c.rank),
            }
            for c in candidates
        ],
    }


def score_words(candidate) -> str:
    """What accompany's "score %" column is (``core.metric_words.score_line``'s words)."""
    if math.isfinite(candidate.real_share):
        return (
            f"where the score falls among {shown_among_words(candidate.style)} (50 is "
            f"typical; the first here is above {candidate.real_share:.0f}% of "
            f"{reference_words(candidate.style)})"
        )
    return f"share of {reference_words(candidate.style)} whose score is lower"


def _print_table(candidates, engine, args) -> None:
    out = sys.stdout
    print(
        f"{len(candidates)} candidates for {args.input.name} in the {candidates[0].style} style "
        f"(seed {candidates[0].seed}, {engine.device_name}); best written to {args.output}",
        file=out,
    )
    print(
        f"score %: {score_words(candidates[0])}; score: what it is ranked by, the critic's "
        "score less penalties for clashes with the melody, parallel fifths and octaves, "
        "leaps, beats that are harsh, thin or weak in the bass, and beats without a passing "
        "note; why: what sets it apart from the others",
        file=out,
    )
    width = max(len(metric_label(key)) for key in TABLE_COLUMNS)
    header = f"{'rank':>4}  {'score %':>8}  {'score':>7}  " + "  ".join(
        f"{metric_label(key):>{width}}" for key in TABLE_COLUMNS
    )
    print(header + "  why", file=out)
    for c in candidates:
        values = "  ".join(
            f"{metric_text(key, c.metrics.get(key, float('nan'))):>{width}}"
            for key in TABLE_COLUMNS
        )
        why = "; ".join(c.reasons) or "-"
        print(f"{c.rank:>4}  {c.percentile:>8.1f}  {c.score:>7.2f}  {values}  {why}", file=out)
        print(f"{'':>4}  chords: {chord_line(c.chords, candidates[0].arrangement)}", file=out)
    for key in TABLE_COLUMNS:
        print(f"  {metric_legend(key)}", file=out)


def chord_line(chords: list[tuple[float, str]], arrangement: Arrangement) -> str:
    """Chord symbols as a lead sheet reads them, bars between bar lines: ``| C G/B | Am |``."""
    if not chords:
        return "-"
    from bisect import bisect_right

    starts = arrangement.bar_starts(chords[-1][0] + 1e-6)
    bars: dict[int, list[str]] = {}
    for beat, symbol in chords:
        bars.setdefault(max(0, bisect_right(starts, beat + 1e-9) - 1), []).append(symbol)
    # A bar with no new chord keeps the last one, written "%" as a lead sheet repeats it.
    cells = [" ".join(bars.get(bar, ["%"])) for bar in range(max(bars) + 1)]
    return "| " + " | ".join(cells) + " |"
