"""What a training run is made of, apart from the processes: its plan, its snapshot, where
runs and trained models live, and how to tell whether a run's child process still runs.

``core/training_run.py`` drives the processes; this part is split out so the Train window
and the measurement read plans and folders without it.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

CHORALES = "chorales"  # the plan's source for the Bach chorales; anything else is a folder
BAND = "band"  # the shipped band data: the chorales' harmony rendered by MMA in every style
BAND_DATA_NAME = "band-mma"  # its folder in the dataset cache (built once: slow)
# What a folder of songs becomes: each song kept whole (melody, drums, bass, chords,
# other: ``dataset build --songs``), or the chorale layout (melody and three voices,
# drums dropped: ``dataset build --from-midi``).
SONG_LAYOUTS = ("band", "voices")


@dataclass(frozen=True)
class TrainingPlan:
    """What to train: written once into ``plan.json``; resume reads it back."""

    source: str = CHORALES  # CHORALES, BAND or a folder of MIDI files
    # The model's name, as the Style box and Preferences show it ("my rock"; the card's
    # ``name`` on "Use this model"); "" for a run from before the Name box: trained-<run>
    name: str = ""
    layout: str = "band"  # a folder's: one of SONG_LAYOUTS
    roles: tuple[str, ...] = ()  # a folder's role overrides, "NAME=ROLE" (``--role``)
    kinds: tuple[str, ...] = ()  # a folder's band tracks learnt (``--kinds``); () every one
    onsets: tuple[str, ...] = ()  # tracks given an onset output (``train --onsets``)
    phrase_bars: int = 0  # band data: the bars of a phrase it learns (``--phrase-bars``)
    style: str = ""  # the band data's: one shipped style (``--style``), "" for every one
    # The band data from the first N chorales only (``--limit``; 0: all), built into the
    # run's own folder, never the shared cache (tests: the real MMA build in a minute).
    band_charts: int = 0
    loss: str = "wgan-gp"
    iterations: int = 1000
    init_from: str = ""  # a model file to fine-tune, "" for fresh weights
    # with init_from a model of several styles: the style a new one (a folder's songs)
    # starts as (``train --init-style``); "" starts it from zero
    init_style: str = ""
    device: str = "auto"
    threads: int = 0  # torch threads; 0 leaves one core to the window
    sample_every: int = 50  # a live sample every N iterations (0: none)
    log_every: int = 10
    eval_every: int = 100  # val_* metrics against the data's own values
    checkpoint_every: int = 0  # unused by the CLI today: it checkpoints every 250
    export: bool = True
    config: dict = field(default_factory=dict)  # other GanConfig fields (tiny test models)

    @classmethod
    def from_dict(cls, values: dict) -> TrainingPlan:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in values.items() if k in known}
        for name in ("roles", "kinds", "onsets"):
            if name in values:
                values[name] = tuple(values[name])
        if "source" in values and values["source"] not in (CHORALES, BAND):
            # a run from before the songs were kept whole trained the voices layout
            values.setdefault("layout", "voices")
        return cls(**values)

    @property
    def folder(self) -> bool:
        return self.source not in (CHORALES, BAND)

    @property
    def band_data_name(self) -> str:
        """The band data's folder in the cache: every style, or the one chosen."""
        return BAND_DATA_NAME + (f"-{self.style.replace(' ', '_')}" if self.style else "")


@dataclass
class Progress:
    """A snapshot for the window: state, the log so far, the newest sample, an ETA."""

    state: str
    message: str = ""
    iteration: int = 0
    total: int = 0
    rows: list[dict[str, float]] = field(default_factory=list)
    eta_seconds: float | None = None
    stage: str = ""


def fine_tune_starts(model_files: list[Path]) -> list[tuple[Path, str]]:
    """What the Train window offers to fine-tune: each model file, and for a model of
    several styles (the band) one start per style. The data's own styles train their
    columns; a folder's songs get a style of their own that starts as the one chosen
    (``train --init-style``, ``models.fine_tune``), or from zero with the plain entry."""
    from composer_gui.core.styles import model_styles

    starts: list[tuple[Path, str]] = []
    for path in model_files:
        starts.append((path, ""))
        styles = [s.name for s in model_styles(path)]  # none where the card is bad
        starts += [(path, name) for name in styles] if len(styles) > 1 else []
    return starts


def default_runs_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("composer")) / "runs"


def user_models_dir() -> Path:
    """Where "Use this model" puts trained models (beside the shipped ones in the choice)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("composer")) / "models"


RUN_MODULE_FLAG = "--run-composer-module"  # the bundle's entry: run this module instead


def composer_command() -> list[str]:
    """``composer-gui`` as a child process: the bundle's own executable when frozen."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "composer_gui.cli"]


def module_command(module: str) -> list[str]:
    """``python -m module`` as a child process.  A frozen bundle has no ``-m``: its
    executable runs the module when given ``RUN_MODULE_FLAG`` first
    (``packaging/pyinstaller/composer_entry.py``; only ``composer_gui.`` modules)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, RUN_MODULE_FLAG, module]
    return [sys.executable, "-m", module]


def latest_run(runs_dir: Path) -> Path | None:
    """The run folder touched last (the one a reopened window offers to resume)."""
    runs = [p for p in Path(runs_dir).glob("*/plan.json")]
    if not runs:
        return None
    return max(
        runs,
        key=lambda p: (
            (p.parent / "state.json").stat().st_mtime
            if (p.parent / "state.json").is_file()
            else p.stat().st_mtime
        ),
    ).parent


def process_alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a finished child of this process is reaped, not alive)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass  # not our child (an earlier app's): only the signal test can tell
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _windows_process_alive(pid: int) -> bool:
    """Windows has no signal 0 (``os.kill(pid, 0)`` would end the process there), so ask
    the kernel for the process's exit code: still active means it runs. Not testable on
    the Linux machines here; it calls only documented kernel32 functions."""
    import ctypes

    process_query_limited_information, still_active = 0x1000, 259
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        # Access denied means a process of another user holds the id: alive.
        return ctypes.get_last_error() == 5
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)
