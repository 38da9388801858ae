"""Which compute device a generation runs on: the CPU, CUDA or Apple's MPS, as torch has them.

The engine asks it when it loads a model (``Engine(device=...)``, ``accompany --device``).
torch is imported only when it is asked, so the app starts without it.
"""

from __future__ import annotations

from composer_gui.core.errors import ComposerError


def available_devices() -> list[str]:
    import torch

    devices = ["cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        devices.append("mps")
    return devices


def resolve_device(name: str = "auto") -> str:
    """``auto`` picks CUDA, then Apple's MPS, then the CPU."""
    available = available_devices()
    if name == "auto":
        return available[-1] if len(available) > 1 else "cpu"
    if name.split(":")[0] not in available:
        raise ComposerError(
            f"The compute device '{name}' is not available here; "
            f"choose one of {', '.join(['auto', *available])}."
        )
    return name
