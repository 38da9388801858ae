"""One generation, asked for whole: the engine boundary's single description of the call.

The window, the worker thread and the engine's child process pass a ``GenerateRequest``
along instead of re-declaring ``generate``'s eight arguments at each hop (issue 15 found
the call declared four times, in ``core/engine.py``, ``ui/engine_process.py`` and twice
in ``ui/workers.py``). ``run_on`` is the one place that spells the call out. Qt-free and
picklable, so it crosses into the child process as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from composer_gui.core.arrangement import Arrangement
from composer_gui.core.instruments import DEFAULT_PRESET
from composer_gui.core.melody_grid import PICKUP_AUTO, Pickup


@dataclass(frozen=True)
class GenerateRequest:
    melody: Arrangement
    k: int = 8
    seed: int | None = None
    density: float = 0.5
    variety: float = 0.5
    preset: str = DEFAULT_PRESET
    allow_long: str | None = None  # None, "first" or "sections" (see engine.check_melody)
    style: str | None = None  # one of the model's styles (core.styles); None: its first
    pickup: Pickup = PICKUP_AUTO  # where the first downbeat is (core.melody_grid.Pickup)

    def run_on(self, engine, cancel=None, progress: Callable[[float], None] | None = None):
        """Ask ``engine`` (the Engine, or anything with its ``generate``) for the candidates."""
        options = {"allow_long": self.allow_long} if self.allow_long else {}
        if self.style is not None:
            options["style"] = self.style
        if self.pickup != PICKUP_AUTO:
            options["pickup"] = self.pickup
        return engine.generate(
            self.melody,
            k=self.k,
            seed=self.seed,
            density=self.density,
            variety=self.variety,
            preset=self.preset,
            cancel=cancel,
            progress=progress,
            **options,
        )
