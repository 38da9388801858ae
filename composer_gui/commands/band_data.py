"""``dataset build --band`` and ``dataset build --songs DIR``: the band datasets.

``--band`` renders the chorales' own harmony in every shipped style with MMA
(``models.build_band_dataset``); ``--songs`` keeps a folder of the musician's multi-track
songs whole (``models.build_song_dataset``), with ``--role NAME=ROLE`` overrides, and
prints every skipped file with its reason and the roles it found in each kept one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from composer_gui.core.errors import ComposerError


def run_band_dataset_build(args: argparse.Namespace, progress: Callable[[int, int], None]) -> int:
    """``dataset build --band`` (MMA renderings of real harmony) or ``--songs DIR``."""
    from models.build_dataset import default_cache_dir

    if args.band and args.songs is not None:
        raise ComposerError("Choose --band or --songs DIR, not both.")
    if args.style and not args.band:
        raise ComposerError("--style chooses among the band data's styles: use it with --band.")
    if args.band:
        from models.build_band_dataset import build_band_mma
        from models.mma_render import mma_available

        if not mma_available():
            raise ComposerError(
                "The band data is rendered by MMA; install it with 'apt-get install mma'."
            )
        from models.band_styles import STYLES, style_named

        try:
            styles = tuple(style_named(name) for name in args.style) or STYLES
        except ValueError as error:
            raise ComposerError(f"--style: {error}.") from None
        names = "-".join(s.name.replace(" ", "_") for s in styles)
        out = args.out or default_cache_dir() / (
            "band-mma" + ("" if args.style == [] else f"-{names}")
        )
        manifest, report = build_band_mma(out, args.limit, progress, styles)
        roles: dict = {}
    else:
        from composer_gui.core.dataset_import import songs_in_folder
        from models.build_song_dataset import build_song_dataset
        from models.song_roles import RoleOverride

        try:
            overrides = [RoleOverride.parse(text) for text in args.role]
        except ValueError as error:
            raise ComposerError(str(error)) from None
        out = args.out or default_cache_dir() / args.songs.resolve().name
        songs = songs_in_folder(args.songs, progress, args.limit)
        kinds = [k.strip() for k in (args.kinds or "").split(",") if k.strip()]
        manifest, report, roles = build_song_dataset(songs, out, str(args.songs), overrides, kinds)
    for name, reason in report.skipped:
        print(f"skipped {name}: {reason}", file=sys.stderr)
    for name, parts in roles.items():
        print(f"{name}: " + ", ".join(f"{part} = {role}" for part, role in parts.items()))
    tracks = ", ".join(
        t["name"] + (" kit" if t["kind"] == "drums" else f" {t['low']}-{t['high']}")
        for t in manifest["tracks"]
    )
    counts = ", ".join(f"{n} {k}" for k, n in manifest["counts"].items())
    print(f"Dataset in {out}: {counts} pieces; tracks {tracks}; {len(report.skipped)} skipped.")
    return 0
