"""Around a training run: its speed measured here, and its model put among the user's.

The time estimate runs the plan itself for a few iterations (a throw-away run folder,
the same child process and device the real run will use), so it counts what this
machine really does: CPU threads or CUDA with bf16.  The model needs no stage of its
own after training: ``train --export`` writes the critic's calibration into the card
(``models/export.py``), which the engine needs, so the run's model works at once.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from composer_gui.core.training_run import TrainingPlan, TrainingRun

MEASURE_ITERATIONS = 10  # the first few are slower (allocation, caches): see poll
# A live sample (``models/train_samples``) after this many of them, and again at the end:
# the first pays once for the data's reference values, the second is the one timed.
# The estimate left the samples out (a band's measures 8 windows; 0.1 s for the tiny
# model on the rock data, more for a bigger model and longer windows).
MEASURE_SAMPLE_AT = 5
# The card's words for a CPU (``models/train_devices.hardware_description``)
_CPU_HARDWARE = re.compile(r"^(?P<chip>.*?)\s*CPU, (?P<threads>\d+) threads?$")


@dataclass(frozen=True)
class Estimate:
    seconds_per_iteration: float
    device: str  # "this CPU (x86_64, 2 threads)" or "CUDA (NVIDIA H200, bf16)"
    seconds_per_sample: float = 0.0  # one live sample, the window's roll and metrics
    sample_every: int = 0  # the plan's: a sample every N iterations (0: none)

    def total_seconds(self, iterations: int) -> float:
        samples = iterations // self.sample_every if self.sample_every > 0 else 0
        return self.seconds_per_iteration * iterations + self.seconds_per_sample * samples

    def sentence(self, iterations: int) -> str:
        each = f"{1000 * self.seconds_per_iteration:.0f} ms each"
        if self.sample_every > 0:
            each += (
                f" and {self.seconds_per_sample:.1f} s a live sample (every {self.sample_every})"
            )
        return (
            f"About {_duration(self.total_seconds(iterations))} for {iterations} iterations "
            f"on {self.device}: {each}, measured."
        )


class SpeedMeasurement:
    """A short run of the plan in a scratch folder; ``poll()`` is None until it is done."""

    def __init__(self, plan: TrainingPlan, scratch_root: Path | None = None) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="composer-measure-", dir=scratch_root))
        self.sample_every = plan.sample_every
        short = dataclasses.replace(
            plan, iterations=MEASURE_ITERATIONS, log_every=1, eval_every=10**6,
            sample_every=MEASURE_SAMPLE_AT if plan.sample_every > 0 else 0, export=False,
        )  # fmt: skip
        self.run = TrainingRun.create(self.scratch, short, "measure")
        self.run.start()
        self.error = ""

    def poll(self) -> Estimate | None:
        progress = self.run.poll()
        if self.run.running:
            return None
        rows = {int(r["iteration"]): r for r in progress.rows}
        if progress.state != "done" or not {3, MEASURE_SAMPLE_AT + 1, MEASURE_ITERATIONS} <= set(
            rows
        ):
            self.error = progress.message or "The measurement did not finish."
            return None
        card = json.loads((self.run.run_dir / "checkpoint.json").read_text())
        last = rows[MEASURE_ITERATIONS]
        # the rate past the first sample (past the warm-up too); the last sample is what
        # the card's time has beyond the last row's (the checkpoint after it is small)
        first = rows[MEASURE_SAMPLE_AT + 1] if self.sample_every > 0 else rows[3]
        rate = (last["seconds"] - first["seconds"]) / (last["iteration"] - first["iteration"])
        sample = max(0.0, float(card["seconds"]) - last["seconds"]) if self.sample_every else 0.0
        return Estimate(rate, device_words(card), sample, max(0, self.sample_every))

    @property
    def finished(self) -> bool:
        return not self.run.running

    def close(self) -> None:
        self.run.cancel()
        shutil.rmtree(self.scratch, ignore_errors=True)


def device_words(card: dict) -> str:
    """Where the measured run trained, as the musician reads it, from its checkpoint's
    card (``models/train.py``): "this CPU (x86_64, 2 threads)", or "CUDA (NVIDIA H200,
    bf16)" where it ran on a GPU under bf16 autocast.  A card from before the ``device``
    field is read by its hardware words (a GPU's name has no "CPU" in it)."""
    hardware = str(card.get("hardware", ""))
    device = str(card.get("device", ""))
    on_cuda = device.startswith("cuda") if device else bool(hardware) and "CPU" not in hardware
    if not on_cuda:
        found = _CPU_HARDWARE.match(hardware)
        if found is None:
            return hardware or device or "an unknown device"
        threads = int(found["threads"])
        plural = "s" if threads != 1 else ""
        return f"this CPU ({found['chip'] or 'unnamed'}, {threads} thread{plural})"
    precision = "bf16" if card.get("precision", "bf16 autocast").startswith("bf16") else "fp32"
    return f"CUDA ({hardware or device}, {precision})"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def install_model(run_dir: Path, models_dir: Path, name: str) -> Path:
    """Copy a finished run's model into ``models_dir`` as ``name``; returns the weights.

    The Style box lists a model by its styles (``core/styles.card_styles``): a model of
    one style of its own (the chorale layout, or a folder of songs, whose one style the
    dataset calls "songs") is offered as ``name``, so two trained models never look
    alike, and the band data's styles keep their shipped names
    (``core/trained_models.name_card``)."""
    from composer_gui.core.trained_models import file_stem, name_card

    source = Path(run_dir) / "model.safetensors"
    out = Path(models_dir) / f"{file_stem(name)}.safetensors"
    out.parent.mkdir(parents=True, exist_ok=True)
    card = name_card(json.loads(source.with_suffix(".json").read_text()), name)
    shutil.copyfile(source, out)
    out.with_suffix(".json").write_text(json.dumps(card, indent=2) + "\n")
    return out
