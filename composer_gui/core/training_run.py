"""A training run driven from the app: its own processes, its folder, pause and resume.

Qt-free, so the Train window only shows what this says and tests drive it headless.
A run is a folder; everything about it is on disk, so a window closed, or an app that
crashed, loses nothing and the run resumes from the folder later:

- ``plan.json``: what the musician chose (source, layout, roles, loss, iterations,
  fine-tuning);
- ``data/``: the dataset built from a folder of MIDI files (the chorales and the band data
  use the cache);
- ``log.csv``, ``checkpoint.*``, ``config.json``: written by ``composer-gui train``;
- ``samples/``, ``reference.json``: the live samples (``models/train_samples.py``);
- ``output.log``: what the stages printed; ``state.json``: the last state and its sentence;
- ``model.safetensors`` + ``.json``: the exported, calibrated model when it is done.

Each stage is a child process (``composer-gui dataset build``, then ``composer-gui train
--export``, which calibrates the critic as it exports), started in its own session so a
Ctrl-C in the app's terminal does not reach it; :meth:`TrainingRun.poll` moves from one
to the next.
Pause sends SIGTERM (CTRL_BREAK on Windows), which ``models/train.py`` turns into "save a
checkpoint and stop" (exit 130); cancel kills the process (the last periodic checkpoint
stays); resume starts ``train --resume`` again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from composer_gui.core.errors import ComposerError
from composer_gui.core.training_log import LogTail
from composer_gui.core.training_plan import (  # noqa: F401 - the run's public names
    BAND,
    CHORALES,
    Progress,
    TrainingPlan,
    composer_command,
    default_runs_dir,
    fine_tune_starts,
    latest_run,
    process_alive,
    user_models_dir,
)

CHILD_NICENESS = 10  # the training child yields the CPU to the window (POSIX nice)
EXIT_PAUSED = 130  # what composer-gui train returns when a signal stopped it
DISK_MARGIN_BYTES = 1 << 20  # less free than this, and a failed child is blamed on the disk
STOPPED = ("new", "paused", "cancelled", "failed", "done")


class TrainingRun:
    """One run folder and the child process working on it (if any)."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        plan_path = self.run_dir / "plan.json"
        if not plan_path.is_file():
            raise ComposerError(f"{self.run_dir} is not a training run (it has no plan.json).")
        self.plan = TrainingPlan.from_dict(json.loads(plan_path.read_text()))
        self.process: subprocess.Popen | None = None
        self.stage = ""
        self._asked = ""  # "pause" or "cancel" while we wait for the child to stop
        self._output_start = 0  # where this stage's output begins in output.log
        self._log = LogTail(self.run_dir / "log.csv")
        self._rows: list[dict[str, float]] = []
        saved = self._read_json("state.json")
        self.state = saved.get("state", "new")
        self.message = saved.get("message", "")
        if self.state not in STOPPED:  # the app died while a child ran: attach or settle
            self._attach(saved)

    # --- making and finding runs ----------------------------------------------------

    @classmethod
    def create(cls, runs_dir: Path, plan: TrainingPlan, name: str = "") -> TrainingRun:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        run_dir = Path(runs_dir) / (name or stamp)
        suffix = 1
        while run_dir.exists():
            suffix += 1
            run_dir = Path(runs_dir) / f"{name or stamp}-{suffix}"
        run_dir.mkdir(parents=True)
        (run_dir / "plan.json").write_text(json.dumps(dataclasses.asdict(plan), indent=2) + "\n")
        return cls(run_dir)

    @property
    def data_dir(self) -> Path:
        if self.plan.folder or (self.plan.source == BAND and self.plan.band_charts):
            return self.run_dir / "data"
        from models.build_dataset import default_cache_dir

        return default_cache_dir() / (
            "bach-chorales" if self.plan.source == CHORALES else self.plan.band_data_name
        )

    @property
    def model_path(self) -> Path:
        return self.run_dir / "model.safetensors"

    @property
    def running(self) -> bool:
        return self.state not in STOPPED

    # --- control ----------------------------------------------------------------------

    def start(self) -> None:
        """Start, or resume from the checkpoint: the first stage not yet done."""
        if self.running:
            raise ComposerError("This run is already training; pause or cancel it first.")
        self.message, self._asked = "", ""
        if not (self.data_dir / "manifest.json").is_file():
            self._launch("building", self._build_command())
        elif self._done_training() and (not self.plan.export or self._calibrated()):
            self._set("done", self._done_sentence())
        else:  # (a model of a run from before export calibrated: --resume exports again)
            self._launch("training", self._train_command())

    resume = start

    def pause(self) -> None:
        """Ask the child to save a checkpoint and stop; :meth:`poll` says when it has."""
        if not self.running or self.process is None:
            return
        self._asked = "pause"
        if sys.platform == "win32":
            self.process.send_signal(signal.CTRL_BREAK_EVENT)
        else:
            self.process.send_signal(signal.SIGTERM)
        self._set("pausing", "Saving a checkpoint…")

    def cancel(self) -> None:
        """Stop at once; the last periodic checkpoint stays, so even this can be resumed."""
        if not self.running or self.process is None:
            return
        self._asked = "cancel"
        self.process.kill()
        self.process.wait()
        self.poll()

    def wait(self, timeout_seconds: float) -> Progress:
        """Poll until the run stops or the time is up (tests and the command line)."""
        deadline = time.monotonic() + timeout_seconds
        progress = self.poll()
        while self.running and time.monotonic() < deadline:
            time.sleep(0.2)
            progress = self.poll()
        return progress

    def poll(self) -> Progress:
        """Look at the child and the folder; go to the next stage when one finished."""
        if self.process is not None and self.process.poll() is not None:
            self._finished(self.process.returncode)
        elif self.process is None and self.running and not process_alive(self._saved_pid()):
            self._settle()
        return self.progress()

    def progress(self) -> Progress:
        # only the new rows are parsed (training_log); a file system without atomic
        # rename may show the log mid-replace: the next poll reads it again
        with contextlib.suppress(OSError, ValueError, KeyError):
            self._rows = self._log.read()
        iteration = int(self._rows[-1]["iteration"]) if self._rows else 0
        return Progress(
            state=self.state,
            message=self.message,
            iteration=iteration,
            total=self.plan.iterations,
            rows=self._rows,
            eta_seconds=self._eta(iteration),
            stage=self.stage,
        )

    def checkpoint_iteration(self) -> int:
        """The checkpoint's iteration as its weights record it (checkpoint.json may be one
        save behind after an interrupted save; see models/checkpoint.py)."""
        from models.checkpoint import read_checkpoint_card
        from models.errors import ModelFileError

        if not (self.run_dir / "checkpoint.safetensors").is_file():
            return int(self._read_json("checkpoint.json").get("iteration", 0))
        try:
            return int(read_checkpoint_card(self.run_dir / "checkpoint").get("iteration", 0))
        except ModelFileError:  # Resume then says why it cannot go on
            return int(self._read_json("checkpoint.json").get("iteration", 0))

    # --- stages -----------------------------------------------------------------------

    def _build_command(self) -> list[str]:
        plan = self.plan
        command = [*composer_command(), "dataset", "build"]
        if plan.source == BAND:
            command += ["--band", "--out", str(self.data_dir)]
            command += ["--style", plan.style] if plan.style else []
            command += ["--limit", str(plan.band_charts)] if plan.band_charts else []
        elif plan.folder and plan.layout == "voices":
            command += ["--from-midi", plan.source, "--out", str(self.data_dir)]
        elif plan.folder:
            command += ["--songs", plan.source, "--out", str(self.data_dir)]
            for role in plan.roles:
                command += ["--role", role]
            command += ["--kinds", ",".join(plan.kinds)] if plan.kinds else []
        return command

    def _train_command(self) -> list[str]:
        plan = self.plan
        threads = plan.threads or max(1, (os.cpu_count() or 2) - 1)
        command = [
            *composer_command(), "train",
            "--data", str(self.data_dir),
            "--run-dir", str(self.run_dir),
            "--iterations", str(plan.iterations),
            "--loss", plan.loss,
            "--device", plan.device,
            "--threads", str(threads),
            "--log-every", str(plan.log_every),
            "--eval-every", str(plan.eval_every),
        ]  # fmt: skip
        if plan.config:
            config = self.run_dir / "plan-config.json"
            config.write_text(json.dumps(plan.config) + "\n")
            command += ["--config", str(config)]
        # on --resume too: the checkpoint's tracks, which the child checks against them
        command += ["--onsets", ",".join(plan.onsets)] if plan.onsets else []
        command += ["--phrase-bars", str(plan.phrase_bars)] if plan.phrase_bars else []
        if (self.run_dir / "checkpoint.json").is_file():
            command.append("--resume")
        elif plan.init_from:
            command += ["--init-from", plan.init_from]
            command += ["--init-style", plan.init_style] if plan.init_style else []
        if plan.export:
            command += ["--export", str(self.model_path)]
        if plan.sample_every > 0:
            from models.train_samples import request_samples

            request_samples(self.run_dir, plan.sample_every)
        return command

    def _done_training(self) -> bool:
        if not self.plan.export:
            return self.checkpoint_iteration() >= self.plan.iterations
        return self.model_path.is_file() and self.checkpoint_iteration() >= self.plan.iterations

    def _launch(self, stage: str, command: list[str]) -> None:
        kwargs: dict = {}
        if sys.platform == "win32":
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        else:
            kwargs["start_new_session"] = True
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        with open(self.run_dir / "output.log", "ab") as output:
            output.write(f"\n$ {' '.join(command)}\n".encode())
            output.flush()
            self._output_start = output.tell()
            self.process = subprocess.Popen(
                command,
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                **kwargs,
            )
        if hasattr(os, "setpriority"):  # the window and the audio come first on a busy machine
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.process.pid, CHILD_NICENESS)
            # Linux with autogroups (most desktops) shares the CPU between sessions first,
            # and a process's nice counts only within its own: the child, in a session of
            # its own, took a core's share from the window whatever its nice (pauses of
            # 50-150 ms, the window waiting for a core: bench_train_window_gap --profile)
            with contextlib.suppress(OSError):
                Path(f"/proc/{self.process.pid}/autogroup").write_text(f"{CHILD_NICENESS}\n")
        self.stage = stage
        self._set(stage, "", pid=self.process.pid)

    def _finished(self, code: int) -> None:
        stage, asked = self.stage, self._asked
        self.process = None
        if asked == "cancel":
            self._set("cancelled", self._stopped_sentence("Cancelled"))
        elif code == 0 and stage == "building":
            self._launch("training", self._train_command())
        elif code == 0:
            self._set("done", self._done_sentence())
        elif asked == "pause" or code == EXIT_PAUSED:
            self._set("paused", self._stopped_sentence("Paused"))
        else:
            sentence = (
                self._last_error()
                or self._disk_full()
                or (f"The {stage} process stopped unexpectedly (exit code {code}).")
            )
            self._set("failed", f"{sentence} {self._stopped_sentence('')}".strip())

    def _done_sentence(self) -> str:
        """The state line of a finished run: "Done: N iterations.", and for a fine-tune on
        re-encoded data what that changed (``models.fine_tune``'s sentence)."""
        from models.fine_tune import FITTED_DATA

        done = f"Done: {self.checkpoint_iteration()} iterations."
        fitted = self._read_json(f"{FITTED_DATA}/manifest.json").get("fine_tune", {})
        return f"{done} {fitted['report']}" if fitted.get("report") else done

    def _stopped_sentence(self, word: str) -> str:
        done = self.checkpoint_iteration()
        if not done:
            return f"{word}; nothing trained yet.".lstrip("; ") if word else ""
        where = f"the checkpoint at iteration {done} of {self.plan.iterations} is kept"
        return (
            f"{word}: {where}; Resume continues from it."
            if word
            else f"{where[0].upper()}{where[1:]}."
        )

    def _last_error(self) -> str:
        """The child's one sentence (``composer-gui: ...``) from this stage's output."""
        try:
            with open(self.run_dir / "output.log", "rb") as f:
                f.seek(self._output_start)
                text = f.read().decode(errors="replace")
        except OSError:
            return ""
        lines = [line for line in text.replace("\r", "\n").splitlines() if line.strip()]
        for line in reversed(lines):
            if line.startswith("composer-gui: "):
                return line[len("composer-gui: ") :].strip()
        return ""

    def _disk_full(self) -> str:
        """When the disk is full the child cannot even write its sentence into
        ``output.log``; the free space says it instead."""
        try:
            free = shutil.disk_usage(self.run_dir).free
        except OSError:
            return ""
        if free >= DISK_MARGIN_BYTES:
            return ""
        return f"No space left on device: {self.run_dir}. Free some space, then press Resume."

    # --- after a restart ----------------------------------------------------------------

    def _saved_pid(self) -> int:
        return int(self._read_json("state.json").get("pid", 0))

    def _attach(self, saved: dict) -> None:
        """A child from an earlier window may still run: watch it by its pid."""
        self.stage = saved.get("state", "")
        if not process_alive(self._saved_pid()):
            self._settle()

    def _settle(self) -> None:
        """The child is gone and nobody saw it end (the app crashed): read the folder."""
        if self.plan.export and self.model_path.is_file() and self._calibrated():
            self._set("done", self._done_sentence())
        else:
            self._set("paused", self._stopped_sentence("Stopped while the app was closed"))

    def _calibrated(self) -> bool:
        card = self.model_path.with_suffix(".json")
        return card.is_file() and "calibration" in json.loads(card.read_text())

    def pause_attached(self) -> None:
        """Pause a child started by an earlier window (no Popen handle, only its pid)."""
        pid = self._saved_pid()
        if self.process is None and process_alive(pid):
            os.kill(pid, signal.SIGTERM)
            self._set("pausing", "Saving a checkpoint…", pid=pid)

    # --- bookkeeping --------------------------------------------------------------------

    def _eta(self, iteration: int) -> float | None:
        """Seconds left at the rate of the rows logged since this stage started."""
        rows = [r for r in self._rows if r.get("seconds") == r.get("seconds")]
        if self.state != "training" or len(rows) < 2:
            return None
        first, last = rows[max(0, len(rows) - 20)], rows[-1]
        done = last["iteration"] - first["iteration"]
        if done <= 0 or last["seconds"] <= first["seconds"]:
            return None
        rate = (last["seconds"] - first["seconds"]) / done
        return max(0.0, rate * (self.plan.iterations - iteration))

    def _set(self, state: str, message: str, pid: int = 0) -> None:
        self.state, self.message = state, message
        payload = {"state": state, "message": message, "pid": pid, "stage": self.stage}
        tmp = self.run_dir / "state.json.tmp"
        try:
            tmp.write_text(json.dumps(payload) + "\n")
            os.replace(tmp, self.run_dir / "state.json")
        except OSError:
            pass  # a full disk: the state is in memory, and the folder says the rest

    def _read_json(self, name: str) -> dict:
        try:
            return json.loads((self.run_dir / name).read_text())
        except (OSError, ValueError):
            return {}
