"""``accompany``'s ranking as a terminal table, and as JSON.

The chorale's measures are headline figures over its three voices, one column each. A
band's are per track and per kind (``models.track_metrics`` via ``core.band_take``: a
drum track has hits, a chord track chord sizes), so as columns they read "–" for most
rows; each band candidate gets one line per track instead, under its score and reasons,
with the measures that track has, in the musician's words of ``core.metric_words``.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

from composer_gui.core.metric_words import (
    metric_label,
    metric_legend,
    metric_text,
    reference_words,
    shown_among_words,
    split_key,
)

if TYPE_CHECKING:
    from composer_gui.core.arrangement import Arrangement
    from composer_gui.core.candidate import Candidate

# The chorale table's columns (metric keys; the titles a musician reads come from metric_words).
TABLE_COLUMNS = (
    "in_key_ratio",
    "tonal_distance",
    "qualified_note_rate",
    "polyphony",
    "pitch_classes_per_bar",
)

SCORE_WORDS = (
    "score: what it is ranked by, the critic's score less penalties for clashes with the "
    "melody, parallel fifths and octaves, leaps, beats that are harsh, thin or weak in the "
    "bass, and beats without a passing note; why: what sets it apart from the others"
)
# A band is ranked by its own checks (models.band_ranking.BAND_CHECKS), not the chorale's.
BAND_SCORE_WORDS = (
    "score: what it is ranked by, the critic's score less penalties for chords that clash "
    "with the melody on the beat, a bass off the chords, drums that keep no pattern and "
    "chord notes out of the melody's key; why: what sets it apart from the others"
)


def score_words(candidate: Candidate) -> str:
    """What the "score %" column is (``core.metric_words.score_line``'s words): where the
    score falls among the model's own candidates where its card has them, else the share
    of the reference (Bach, the style's real renderings) whose score is lower."""
    on = candidate.calibrated_on
    if math.isfinite(candidate.real_share):
        return (
            f"where the score falls among {shown_among_words(candidate.style, on)} (50 is "
            f"typical; the first here is above {candidate.real_share:.0f}% of "
            f"{reference_words(candidate.style, on)})"
        )
    return f"share of {reference_words(candidate.style, on)} whose score is lower"


def track_measures(metrics: dict[str, float]) -> dict[str, dict[str, float]]:
    """``{track: {metric: value}}`` of a candidate's per-track keys ("bass.notes_per_bar",
    "alto/in_key_ratio"), tracks and metrics in the order the engine wrote them."""
    out: dict[str, dict[str, float]] = {}
    for key, value in metrics.items():
        track, metric = split_key(key)
        if track:
            out.setdefault(track, {})[metric] = value
    return out


def headline_measures(metrics: dict[str, float]) -> dict[str, float]:
    """The measures over the whole accompaniment (no track in the key)."""
    return {k: v for k, v in metrics.items() if not split_key(k)[0]}


def _rounded(value: float) -> float | None:
    """4 decimals for JSON; NaN (nothing to measure) as null, which JSON can read."""
    return None if value != value else round(float(value), 4)


def candidate_json(c: Candidate, file: str | None) -> dict:
    """One candidate of ``accompany --json``: its rank, score, reasons, measures, chords."""
    return {
        "rank": c.rank,
        "percentile": round(c.percentile, 1),
        "real_share": _rounded(c.real_share),
        "critic_score": round(c.critic_score, 4),
        "score": round(c.score, 4),
        "reasons": list(c.reasons),
        "checks": dict(c.checks),
        "metrics": {k: _rounded(v) for k, v in headline_measures(c.metrics).items()},
        "track_metrics": {
            track: {k: _rounded(v) for k, v in measures.items()}
            for track, measures in track_measures(c.metrics).items()
        },
        "chords": [{"beat": beat, "symbol": symbol} for beat, symbol in c.chords],
        "file": file,
    }


def is_band(candidates: list[Candidate]) -> bool:
    """A band's candidates: every measure is a track's (the chorale has headline ones)."""
    metrics = candidates[0].metrics
    return bool(metrics) and not headline_measures(metrics)


def _silent_everywhere(candidates: list[Candidate], key: str) -> bool:
    """A drum group no candidate plays (toms, percussion in a style without them): left
    out of the lines, so the ones it plays stand out."""
    return key.split(".", 1)[1].startswith("hits_per_bar_") and all(
        not c.metrics.get(key) for c in candidates
    )


def band_lines(c: Candidate, shown: list[str]) -> list[str]:
    """One line per track: "bass   silent bars 0%, notes struck a bar 3.9, ..."."""
    tracks = track_measures({k: c.metrics[k] for k in shown if k in c.metrics})
    width = max(len(name) for name in tracks) if tracks else 0
    lines = []
    for track, measures in tracks.items():
        cells = ", ".join(
            f"{metric_label(m).lower()} {metric_text(m, v)}" for m, v in measures.items()
        )
        lines.append(f"{'':>6}{track:<{width}}  {cells}")
    return lines


def print_table(candidates: list[Candidate], engine, args, out=None) -> None:
    """The ranking as a musician reads it in a terminal: a header, one row per candidate
    (rank, score %, score, measures, why), its chords under it, then a key."""
    out = out or sys.stdout
    style = candidates[0].style
    print(
        f"{len(candidates)} candidates for {args.input.name} in the {style} style "
        f"(seed {candidates[0].seed}, {engine.device_name}); best written to {args.output}",
        file=out,
    )
    if candidates[0].model_note:  # a barely trained model, or scores that all tie
        print(candidates[0].model_note, file=out)
    band = is_band(candidates)
    words = BAND_SCORE_WORDS if band else SCORE_WORDS
    print(f"score %: {score_words(candidates[0])}; {words}", file=out)
    arrangement = candidates[0].arrangement
    if band:
        shown = [k for k in candidates[0].metrics if not _silent_everywhere(candidates, k)]
        print(f"{'rank':>4}  {'score %':>8}  {'score':>7}  why", file=out)
        for c in candidates:
            why = "; ".join(c.reasons) or "-"
            print(f"{c.rank:>4}  {c.percentile:>8.1f}  {c.score:>7.2f}  {why}", file=out)
            for line in band_lines(c, shown):
                print(line, file=out)
            print(f"{'':>6}chords: {chord_line(c.chords, arrangement)}", file=out)
        keys = dict.fromkeys(split_key(k)[1] for k in shown)
    else:
        width = max(len(metric_label(key)) for key in TABLE_COLUMNS)
        header = f"{'rank':>4}  {'score %':>8}  {'score':>7}  " + "  ".join(
            f"{metric_label(key):>{width}}" for key in TABLE_COLUMNS
        )
        print(header + "  why", file=out)
        for c in candidates:
            values = "  ".join(
                f"{metric_text(key, c.metrics.get(key, float('nan'))):>{width}}"
                for key in TABLE_COLUMNS
            )
            why = "; ".join(c.reasons) or "-"
            print(f"{c.rank:>4}  {c.percentile:>8.1f}  {c.score:>7.2f}  {values}  {why}", file=out)
            print(f"{'':>4}  chords: {chord_line(c.chords, arrangement)}", file=out)
        keys = TABLE_COLUMNS
    for key in keys:
        print(f"  {metric_legend(key)}", file=out)


def chord_line(chords: list[tuple[float, str]], arrangement: Arrangement) -> str:
    """Chord symbols as a lead sheet reads them, bars between bar lines: ``| C G/B | Am |``.

    The bars are the ones accompanied (``melody_grid.accompanied_bars``), not the file's:
    an unbarred stretch (han1 #390's 26 quarters written as one bar) shows its bars of
    4/4, as the engine named a chord for each (session 18 printed them as one bar)."""
    if not chords:
        return "-"
    from bisect import bisect_right

    from composer_gui.core.melody_grid import accompanied_bars

    starts = accompanied_bars(arrangement).bar_starts(chords[-1][0] + 1e-6)
    bars: dict[int, list[str]] = {}
    for beat, symbol in chords:
        bars.setdefault(max(0, bisect_right(starts, beat + 1e-9) - 1), []).append(symbol)
    # A bar with no new chord keeps the last one, written "%" as a lead sheet repeats it.
    cells = [" ".join(bars.get(bar, ["%"])) for bar in range(max(bars) + 1)]
    return "| " + " | ".join(cells) + " |"
