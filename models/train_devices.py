"""Where the training loop runs: the device, its precision, and torchrun's processes.

``pick_device`` chooses CUDA or the CPU (the process's own GPU under torchrun),
``mixed_precision`` says whether the loop runs under bf16 autocast, and ``World`` with
its helpers averages gradients across torchrun's processes by hand (``models/train.py``
says why not DDP).  Split out of ``train.py`` so the loop reads on its own; what of this
is tested without a GPU, and what is not, is in docs/training.md.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

import torch
import torch.distributed as dist

from models.errors import ModelError

# --- Distributed ----------------------------------------------------------------------


@dataclass
class World:
    rank: int = 0
    size: int = 1

    @property
    def main(self) -> bool:
        return self.rank == 0


def init_world(device: torch.device) -> World:
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return World()
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":  # NCCL's collectives run on the current device: this one
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend)
    return World(dist.get_rank(), dist.get_world_size())


def average_gradients(module: torch.nn.Module, world: World) -> None:
    if world.size == 1:
        return
    for p in module.parameters():
        if p.grad is not None:
            dist.all_reduce(p.grad)
            p.grad /= world.size


def broadcast_parameters(module: torch.nn.Module, world: World) -> None:
    if world.size > 1:
        for tensor in module.state_dict().values():
            dist.broadcast(tensor, 0)


# --- The device -----------------------------------------------------------------------


def pick_device(name: str = "auto") -> torch.device:
    """``auto``: CUDA where there is a GPU, else the CPU.  A CUDA device without an index
    (``auto``, ``cuda``) is the process's own GPU under torchrun (``LOCAL_RANK``), so two
    processes on one machine never share one."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(name)
    except RuntimeError:
        device = None
    if device is None or device.type not in ("cpu", "cuda"):
        raise ModelError(f"Training runs on auto, cpu or cuda, not '{name}'.")
    if device.type == "cpu":
        return device
    if device.index is None:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if device.index >= count:
        raise ModelError(
            f"There is no CUDA device {device.index} here (this machine has {count}); "
            "train with --device auto or cpu."
        )
    return device


def mixed_precision(device: torch.device) -> bool:
    """Whether the loop runs the networks under bf16 autocast: on a CUDA GPU that has
    bf16 in hardware (compute capability 8, Ampere, and later; older ones emulate it,
    slower than fp32), which keeps fp32's range, so no loss scaling.  The critic's
    scores are taken in fp32 before any loss, and the gradient penalty runs in fp32
    outside autocast."""
    return device.type == "cuda" and torch.cuda.get_device_capability(device)[0] >= 8


def hardware_description(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"{platform.processor() or platform.machine()} CPU, {torch.get_num_threads()} threads"
