"""A check run inside the frozen bundle: everything the app loads at run time is there.

``COMPOSER_BUNDLE_SELF_TEST=1 composer-gui`` runs it instead of the app (tests and
build_bundle.sh use it). It imports every module of composer_gui and models (music21 is
allowed to be missing: it is left out on purpose), runs a small convolution through torch,
round-trips a tensor through safetensors, runs a function in a spawned child process (the
entry point calls multiprocessing.freeze_support), and shows a Qt widget offscreen, so a
library PyInstaller missed shows up here and not on a musician's machine.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path

LEFT_OUT_ON_PURPOSE = ("music21", "matplotlib")


def import_every_module() -> list[str]:
    """Import all of composer_gui and models; return one line per unexpected failure."""
    import composer_gui
    import models

    failures = []
    for package in (composer_gui, models):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            try:
                importlib.import_module(module.name)
            except ModuleNotFoundError as error:
                if error.name is None or error.name.split(".")[0] not in LEFT_OUT_ON_PURPOSE:
                    failures.append(f"{module.name}: {error}")
            except Exception as error:  # report every kind of import failure, not just the first
                failures.append(f"{module.name}: {type(error).__name__}: {error}")
    return failures


def run_torch_and_safetensors() -> str:
    import safetensors.torch
    import torch

    conv = torch.nn.Conv2d(4, 8, kernel_size=3, padding=1)
    with torch.no_grad():
        out = conv(torch.randn(2, 4, 16, 64))  # (batch, track, step, pitch)
    assert out.shape == (2, 8, 16, 64)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "w.safetensors"
        safetensors.torch.save_file({"w": conv.weight.detach()}, str(path))
        assert torch.equal(safetensors.torch.load_file(str(path))["w"], conv.weight.detach())
    return torch.__version__


def _square(number: int) -> int:
    return number * number


def run_in_a_spawned_child() -> None:
    """A child started with "spawn" runs the bundle's executable again; it must not open the app."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_square, (7,)) == 49


def show_a_widget() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    label = QLabel("Composer")
    label.show()
    app.processEvents()
    label.close()


def main() -> int:
    from composer_gui.paths import resource_path

    failures = import_every_module()
    torch_version = run_torch_and_safetensors()
    run_in_a_spawned_child()
    show_a_widget()
    if not resource_path("icons", "composer-48.png").is_file():
        failures.append(f"the icons are not in {resource_path('icons')}")
    for line in failures:
        print(f"self-test: {line}", file=sys.stderr)
    if failures:
        return 1
    print(f"bundle self-test passed (torch {torch_version}, resources in {resource_path()})")
    return 0
