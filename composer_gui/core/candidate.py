"""One accompaniment the engine wrote: the same type live (from the engine) and saved.

It lives apart from ``core/engine.py`` so the window and the project file can use it
without importing the engine (which pulls in numpy and, through it, the model code).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from composer_gui.core.arrangement import Arrangement


@dataclass
class Candidate:
    arrangement: Arrangement  # melody track first, unchanged
    rank: int  # 1 = best
    critic_score: float  # raw critic output; only comparable within one model
    # 0-100, what the list shows: where the ranking score falls among the model's own
    # candidates on validation (50 = a typical candidate; models.ranking.score_percentile),
    # so it follows the order and tells candidates apart. A band, or an older project
    # file: the share of real accompaniments whose score is lower.
    percentile: float
    metrics: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    # What it was ranked by: critic units less fault penalties (models.ranking); NaN
    # where no ranking was made (older project files).
    score: float = math.nan
    reasons: list[str] = field(default_factory=list)  # what sets it apart, in words
    checks: dict[str, int] = field(default_factory=dict)  # fault counts (musical_checks)
    joins: list[float] = field(default_factory=list)  # beats where one section meets the next
    # Chord symbols as (beat, symbol), one per beat or bar as the style's harmony moves
    # ("G/B", "Am7"); shown above the candidate roll and written as MIDI markers.
    chords: list[tuple[float, str]] = field(default_factory=list)
    style: str = ""  # the style it was written in (core.styles); "" in older project files
    # 0-100: share of real accompaniments (validation) whose ranking score is lower, where
    # ``percentile`` is among the model's own candidates; NaN where it is this share itself
    real_share: float = math.nan
    # What the card was calibrated on: "" its held-out (validation) songs, "train" its
    # training songs (a folder of a few songs may have none held out; models.export)
    calibrated_on: str = ""
    # One sentence where the model is barely trained or the take's scores all tie
    # (``core.rough_model``), the same on every candidate of a take; "" where neither
    model_note: str = ""
