"""A training run's figures in a musician's words, for the ``train`` command's progress line
and the Train window: one reading of the log's rows.

``models/train.py`` logs the Wasserstein estimate (``wasserstein``: the critic's mean score
of the songs less its mean score of what the model writes, the seeds' Earth Mover's
Distance estimate) and the reconstruction (``reconstruction``: how far the best of the
model's candidates is from the songs' own parts, its cross-entropy).  Session 20's walk
read "W +70.91 rec 116.89" and it meant nothing; the words say what each figure measures
and which way it has gone lately.  The exact figures stay in ``log.csv`` (every column),
in the words themselves (two decimals) and in the Train window's tooltip.
"""

from __future__ import annotations

import math

# Which way a figure has gone: the mean of its last TREND_ROWS logged values against the
# mean of the TREND_ROWS before them (one logged row is noisy: the estimate is a
# difference of two means of one batch).  A change under TREND_SHARE of the earlier
# mean's size is "about level".  Set before reading any run against it.
TREND_ROWS = 5
TREND_SHARE = 0.05


def trend(values: list[float]) -> str:
    """ "falling", "rising", "about level", or "" while too few values are logged."""
    values = [v for v in values if math.isfinite(v)]
    if len(values) < 2 * TREND_ROWS:
        return ""
    recent = sum(values[-TREND_ROWS:]) / TREND_ROWS
    earlier = sum(values[-2 * TREND_ROWS : -TREND_ROWS]) / TREND_ROWS
    margin = TREND_SHARE * max(abs(earlier), 1e-9)
    if recent < earlier - margin:
        return "falling"
    if recent > earlier + margin:
        return "rising"
    return "about level"


# The figures said, in the order said: (log.csv column, its short name for a terminal's
# one line, the words before and after the number in the window's sentence).
SAID = (
    ("wasserstein", "from the songs", "the critic puts its music", "from the songs"),
    ("reconstruction", "parts", "its best parts", "from the songs' own"),
)


def progress_words(rows: list[dict], short: bool = False) -> str:
    """The newest logged row in words: "the critic puts its music 70.91 from the songs
    (falling); its best parts 116.89 from the songs' own (about level)", or ``short`` (a
    terminal's progress line, after ``LEGEND``) "from the songs 70.91 (falling), parts
    116.89 (about level)".  A figure the run does not log (the critic of a
    reconstruction-only run: NaN) is left out."""
    if not rows:
        return ""
    parts = []
    for key, name, before, after in SAID:
        values = [float(r.get(key, math.nan)) for r in rows]
        if math.isfinite(values[-1]):
            way = trend(values)
            said = f"{name} {values[-1]:.2f}" if short else f"{before} {values[-1]:.2f} {after}"
            parts.append(said + (f" ({way})" if way else ""))
    return (", " if short else "; ").join(parts)


LEGEND = (
    "'from the songs' is how far the critic hears the model's music from the songs (the "
    "Wasserstein estimate: it should fall as the model learns, after an early rise while "
    "the critic learns); 'parts' is how far its best candidate's parts are from the songs' "
    "own (the reconstruction: lower is closer)."
)
WORDS_MEANING = (
    "The critic's figure is how far it hears the model's music from the songs (the "
    "Wasserstein estimate: its score of the songs less its score of the model's music); "
    "it should fall as the model learns, after a rise while the critic itself learns. "
    "The parts' figure is how far the model's best candidate is from the songs' own parts "
    "(the reconstruction); lower is closer. Falling or rising compares the last "
    f"{TREND_ROWS} logged rows with the {TREND_ROWS} before."
)


def exact_figures(row: dict) -> str:
    """The newest row's every logged figure by its log.csv name, one a line (a tooltip)."""
    return "\n".join(
        f"{key}: {value:.6g}"
        for key, value in row.items()
        if key != "iteration" and isinstance(value, float) and math.isfinite(value)
    )
