"""Train (or resume) the band model on a band dataset and export it, calibrated.

The same ``models.train.train`` loop as ``composer-gui train``; this script exists
because a run shared with other work on a 2-core machine must stop at a wall-clock time
and still leave a usable model: at ``--stop-at`` it asks the loop to stop (as Ctrl-C
does: a checkpoint is saved after the current iteration), then exports whatever the run
has reached, with the critic calibrated on the validation split and the metrics per
track kind against the data's own in its card and in ``docs/band-model-metrics.txt``.

``--init-from MODEL`` fine-tunes a new run from a trained band model (issue 17: the
shipped model, trained on data without 6/8, continued on the data with it). Where the
new data's pitch ranges are wider than the model's (the v2 chords reach MIDI 82, the
first data 78), the model is first widened to them (``models.track_widen``): its weights
for every pitch it knows are kept and the new pitches start silent.

Usage: .venv/bin/python scripts/train_band_model.py DATA RUN_DIR OUT [--config JSON]
       [--iterations N] [--stop-at HH:MM (UTC)] [--export-only] [--threads N]
       [--init-from MODEL.safetensors] [--onsets TRACK,...] [--phrase-bars N]

``--onsets bass`` gives the bass an onset output and the critic an onset channel
(``TrackSpec.onsets``, issue 17) by ``composer-gui train --onsets``'s own code
(``models.track_widen.onset_start``): with ``--init-from`` the model is grown, started so
the grown networks play and judge as the model did, then trained on the data's own note
starts; a fresh run has it from the start; a resumed run must name the same tracks.
``--phrase-bars 4`` is ``composer-gui train --phrase-bars``'s own path too
(``models.phrase_widen.phrase_start``): the condition says which bar of a 4-bar phrase
a step is in; with ``--init-from`` the model is grown into it (zero-weight columns).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from models.config import GanConfig  # noqa: E402


def _stop_at(clock: str) -> None:
    """Send this process SIGINT at ``clock`` (UTC, today): the loop stops cleanly."""
    hour, minute = (int(x) for x in clock.split(":"))
    now = dt.datetime.now(dt.timezone.utc)
    when = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    delay = max(0.0, (when - now).total_seconds())
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    timer.daemon = True
    timer.start()
    print(f"stopping at {when:%H:%M} UTC ({delay / 60:.0f} min)", flush=True)


def _started_from(run_dir: Path) -> dict:
    """The model a fine-tuned run started from, for its card (``train`` records it only
    while the first start of the run is going; a resumed run no longer knows it)."""
    init = run_dir / "init.json"
    if not init.is_file():
        return {}
    card = json.loads(init.read_text())
    return {
        "initialized_from": card.get("widened_from"),
        "initialized_from_iterations": card.get("iterations"),
    }


def _export(run_dir: Path, out: Path, data: Path) -> None:
    from models.band_pieces import load_band_split
    from models.checkpoint import load_model
    from models.export import export_model
    from models.track_metrics import band_metrics_table, format_band_metrics

    started = time.monotonic()
    path, card = export_model(run_dir, out, data)
    print(
        f"exported {path} at iteration {card['iterations']} "
        f"({time.monotonic() - started:.0f} s with calibration)",
        flush=True,
    )
    generator, _, _ = load_model(path)
    table = band_metrics_table(generator, load_band_split(data, "valid"))
    text = format_band_metrics(table)
    # The table is a record, not a resource the app ships: it goes into docs/.
    record = Path(__file__).resolve().parents[1] / "docs" / "band-model-metrics.txt"
    record.write_text(text + "\n")
    # Per meter, track and metric: model beside data; NaN (nothing to measure) as null.
    card["metrics"] = {"valid": json.loads(json.dumps(table).replace("NaN", "null"))}
    card |= _started_from(run_dir)
    card_path = path.with_suffix(".json")
    card_path.with_name(card_path.name + ".tmp").write_text(json.dumps(card, indent=2) + "\n")
    card_path.with_name(card_path.name + ".tmp").replace(card_path)
    print(text, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--config", type=Path, help="JSON of GanConfig fields to change")
    parser.add_argument("--iterations", type=int)
    parser.add_argument("--stop-at", help="HH:MM UTC: stop training then, and export")
    parser.add_argument("--export-only", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--init-from", type=Path, help="fine-tune from this band model")
    parser.add_argument(
        "--onsets", action="append", default=[], help="tracks given an onset output (TRACK,...)"
    )
    parser.add_argument("--phrase-bars", type=int, default=0, help="bars of a phrase (4)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.export_only:
        from composer_gui.commands.train_onsets import onset_names
        from models.phrase_widen import phrase_start
        from models.track_widen import onset_start, widen_to_dataset
        from models.train import train

        config, init_from = GanConfig(), None
        resuming = (args.run_dir / "checkpoint.json").is_file()
        if args.init_from and not resuming:
            init_from = widen_to_dataset(args.init_from, args.data, args.run_dir / "init")
            config = GanConfig.from_dict(
                json.loads(init_from.with_suffix(".json").read_text())["config"]
            )
            print(f"fine-tuning from {args.init_from} (as {init_from})", flush=True)
        if (args.run_dir / "config.json").is_file():
            config = GanConfig.from_dict(json.loads((args.run_dir / "config.json").read_text()))
        if args.config:
            config = GanConfig.from_dict(config.to_dict() | json.loads(args.config.read_text()))
        if args.iterations:
            config = config.replace(iterations=args.iterations)
        # composer-gui train --onsets's own path: grown, given from the start, or checked
        config, init_from = onset_start(
            config, args.data, args.run_dir, onset_names(args.onsets), init_from, resuming
        )
        config, init_from = phrase_start(
            config, args.data, args.run_dir, args.phrase_bars, init_from, resuming
        )
        if args.stop_at:
            _stop_at(args.stop_at)

        def progress(iteration: int, total: int, row: dict) -> None:
            print(
                f"{iteration}/{total} {row['seconds']:.0f}s W {row['wasserstein']:+.3f} "
                f"rec {row['reconstruction']:.3f} d {row['critic_loss']:+.3f}",
                flush=True,
            )

        try:
            train(
                config,
                args.data,
                args.run_dir,
                "cpu",
                resume=True,
                log_every=10,
                checkpoint_every=50,
                progress=progress,
                init_from=init_from,
            )
        except KeyboardInterrupt:
            print("stopped; checkpoint saved", flush=True)
    _export(args.run_dir, args.out, args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
