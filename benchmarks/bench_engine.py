"""Engine latency: melody to ranked candidates with the shipped model, and cold start.

- warm: ``Engine.generate`` for 16 candidates of an 8-bar melody, model loaded, including
  the critic, clean-up, metrics and conversion to arrangements; and the same plus writing
  the best candidate as a MIDI file.  Median and worst of N runs.
- cold: ``composer-gui accompany`` on a sample melody as a fresh process (imports, model
  load, generation, file), median of a few runs.
- band: the same warm figure for a band model (``--band-model PATH``, else a shipped
  ``composer-band``, else random weights at the band training's network size,
  ``scripts/band_model.json``, on ``models.band_styles``' four tracks and six styles: the
  same arithmetic as a model trained by ``scripts/train_band_model.sh``),
  in the same run as the chorale's so the two compare on one machine's load.
Usage: python benchmarks/bench_engine.py [--runs 20] [--model PATH] [--band-model PATH]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from composer_gui.core.arrangement import Arrangement, Track
from composer_gui.core.engine import Engine
from composer_gui.core.midi_file import read_melody
from composer_gui.core.midi_writer import write_arrangement
from composer_gui.paths import resource_path


def eight_bars() -> Arrangement:
    """Ode to Joy (8 bars, 4/4) from the shipped samples."""
    melody = read_melody(resource_path("melodies", "ode_to_joy.mid"))
    notes = [n for n in melody.tracks[0].notes if n.start_beat < 32]
    return Arrangement([Track("melody", notes)], melody.tempo_bpm, (4, 4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--band-model", type=Path, default=None)
    args = parser.parse_args()

    melody = eight_bars()
    engine = Engine(args.model, "cpu")
    started = time.perf_counter()
    engine.load()
    load_seconds = time.perf_counter() - started
    engine.generate(melody, k=16, seed=0)  # warm-up

    warm, with_file = [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            started = time.perf_counter()
            candidates = engine.generate(melody, k=16, seed=run)
            warm.append(time.perf_counter() - started)
            write_arrangement(candidates[0].arrangement, Path(folder) / "best.mid")
            with_file.append(time.perf_counter() - started)

        cold = []
        sample = resource_path("melodies", "ode_to_joy.mid")
        for run in range(args.cold_runs):
            started = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "composer_gui.cli",
                    "accompany",
                    str(sample),
                    "-o",
                    str(Path(folder) / "cold.mid"),
                    "--candidates",
                    "16",
                    "--seed",
                    str(run),
                ],
                capture_output=True,
                text=True,
            )
            cold.append(time.perf_counter() - started)
            if done.returncode:
                sys.exit(done.stderr)

    ms = lambda xs: f"median {1000 * statistics.median(xs):.0f} ms, worst {1000 * max(xs):.0f} ms"  # noqa: E731
    print(f"model: {engine.model_path.name} on {engine.device_name}; load {load_seconds:.2f} s")
    print(f"warm, 16 candidates x 8 bars, ranked (critic, metrics, arrangements): {ms(warm)}")
    print(f"warm, the same plus writing the best .mid: {ms(with_file)}")
    print(
        f"cold start, composer-gui accompany (16 candidates): median "
        f"{statistics.median(cold):.2f} s over {len(cold)} runs"
    )
    with tempfile.TemporaryDirectory() as folder:
        band_path, made = band_model(args.band_model, Path(folder))
        band = Engine(band_path, "cpu")
        band.load()
        style = band.style_name(None)
        band.generate(melody, k=16, seed=0, style=style)  # warm-up
        timed = []
        for run in range(args.runs):
            started = time.perf_counter()
            band.generate(melody, k=16, seed=run, style=style)
            timed.append(time.perf_counter() - started)
    tracks = ", ".join(t.name for t in band.tracks)
    print(
        f"band ({'random weights, training size' if made else band_path.name}: {tracks}; "
        f"style {style}), warm, 16 candidates x 8 bars, ranked: {ms(timed)}; "
        f"chorale/band median {statistics.median(warm) / statistics.median(timed):.2f}"
    )


def band_model(path: Path | None, folder: Path) -> tuple[Path, bool]:
    """The band model to time, and whether it was made here with random weights."""
    shipped = resource_path("weights", "composer-band.safetensors")
    if path is not None or shipped.is_file():
        return (path or shipped), False
    import json

    import numpy as np
    import torch

    from models.band_styles import BAND_TRACKS, STYLE_NAMES
    from models.checkpoint import model_tensors, new_card, save_tensors_and_card
    from models.config import GanConfig
    from models.critic import Critic
    from models.generator import Generator

    sizes = Path(__file__).resolve().parent.parent / "scripts" / "band_model.json"
    config = GanConfig.from_dict(
        {
            **(json.loads(sizes.read_text()) if sizes.is_file() else {}),
            "tracks": [t.to_dict() for t in BAND_TRACKS],
            "styles": list(STYLE_NAMES),
        }
    )
    torch.manual_seed(0)
    card = new_card(config, name="bench-band", iterations=0)
    card["calibration"] = {"quantiles": list(np.linspace(-1.0, 1.0, 101))}  # timing only
    stem = folder / "bench-band"
    save_tensors_and_card(model_tensors(Generator(config), Critic(config)), card, stem)
    return stem.with_suffix(".safetensors"), True


if __name__ == "__main__":
    main()
