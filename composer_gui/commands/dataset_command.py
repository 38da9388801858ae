"""The ``dataset build`` subcommand: the chorales (optionally re-timed into every meter), a
folder of the musician's MIDI files, or the band data (``band_data.py``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from composer_gui.commands.common import Progress, dataset_dir
from composer_gui.core.errors import ComposerError


def register(sub) -> None:
    dataset = sub.add_parser("dataset", help="build the training data")
    dataset_sub = dataset.add_subparsers(dest="dataset_command", metavar="ACTION", required=True)
    build = dataset_sub.add_parser("build", help="build a dataset into the cache")
    build.add_argument(
        "--from-midi",
        type=Path,
        default=None,
        metavar="DIR",
        help="a folder of your own multi-track MIDI files instead of the chorales",
    )
    build.add_argument(
        "--melody-track",
        type=int,
        default=None,
        metavar="N",
        help="with --from-midi: the melody track in every file (default: the "
        "first non-drum track with notes)",
    )
    build.add_argument(
        "--meters",
        action="store_true",
        help="also each chorale re-timed and re-barred into every other meter Composer "
        "accompanies (2/4, 2/2, 3/2, 6/4, 3/8, 6/8, 9/8, 12/8)",
    )
    build.add_argument(
        "--band",
        action="store_true",
        help="the band styles' data: the chorales' own chords rendered by MMA in every "
        "shipped style (drums, bass, chords, pad; needs 'apt-get install mma')",
    )
    build.add_argument(
        "--style",
        action="append",
        default=[],
        metavar="NAME",
        help="with --band: only this shipped style (repeat for more; default: every one)",
    )
    build.add_argument(
        "--songs",
        type=Path,
        default=None,
        metavar="DIR",
        help="a folder of your own multi-track songs, kept whole: melody, drums, bass, "
        "chords and other voices, found from channel 10, programs and track names",
    )
    build.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="NAME=ROLE",
        help="with --songs: parts whose name matches NAME (wildcards allowed) play ROLE "
        "(melody, drums, bass, chords, other or skip); repeat for more",
    )
    build.add_argument(
        "--kinds",
        default="",
        metavar="KIND,...",
        help="with --songs: only these band tracks are learnt (drums, bass, chords, other; "
        "default: every one); the parts of the others are left out",
    )
    build.add_argument("--out", type=Path, default=None, help="where to write it")
    build.add_argument("--limit", type=int, default=None, help="only the first N pieces")
    build.set_defaults(handler=run_dataset_build)


def run_dataset_build(args: argparse.Namespace) -> int:
    from models.build_dataset import BuildReport, build_chorales, default_cache_dir, write_dataset

    progress = Progress("Reading")
    if args.band or args.songs is not None:
        from composer_gui.commands.band_data import run_band_dataset_build

        return run_band_dataset_build(args, progress)
    if args.from_midi is None:
        try:
            import music21  # noqa: F401  (the chorales ship inside it)
        except ImportError:
            raise ComposerError(
                "Building the chorale dataset needs music21, which this installation lacks; "
                "install it with 'pip install music21'."
            ) from None
        out = args.out or (None if args.meters else dataset_dir(None))
        manifest, report = build_chorales(out, args.limit, progress, meters=args.meters)
    else:
        from composer_gui.core.dataset_import import pieces_from_midi_folder

        report = BuildReport()
        pieces = pieces_from_midi_folder(
            args.from_midi, args.melody_track, report, progress, args.limit
        )
        out = args.out or default_cache_dir() / args.from_midi.resolve().name
        manifest = write_dataset(pieces, out, str(args.from_midi), report)
    for name, reason in report.skipped:
        print(f"skipped {name}: {reason}", file=sys.stderr)
    counts = ", ".join(f"{n} {k}" for k, n in manifest["counts"].items())
    print(f"Dataset: {counts} pieces; {len(report.skipped)} skipped (listed above).")
    return 0
