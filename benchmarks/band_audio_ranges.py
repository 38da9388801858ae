"""When is a part of a band sample "present"? Against the range its style's real parts show.

A part's *contribution* is what the band audio check (``band_audio_check.figures``)
measures of it, put so that 0 is "not there":

- bass: the band's energy under 200 Hz with the bass over without it, in dB;
- drums: the same of 5-12 kHz without the drums, in dB, and the drum hits per beat;
- chords (chords and pad): the same of 200-2000 Hz, in dB, and the pitch classes per
  frame they add (with them less without them).

A part is present when each of its contributions is at least ``fraction`` of the median
that style's real parts show on the band data's *validation* split, rendered the same
way (``band_audio_real_parts``). One fraction serves every style and part: the largest
of :data:`FRACTIONS` under which at least :data:`REAL_PASS` of the validation pieces'
parts pass, each piece judged against the median of the *other* validation pieces of its
style (leave one out, so no piece sets its own bar). The test split's real parts and the
model's samples are judged against the validation range; neither chooses anything.
"""

from __future__ import annotations

import math

import numpy as np

SPLITS = ("valid", "test")
REAL_PASS = 0.95  # the share of held-out real parts a presence rule must call present
FRACTIONS = tuple(round(f, 2) for f in np.arange(0.95, 0.0, -0.05))
# part: its contributions (name, how it is read from band_audio_check.figures).
CONTRIBUTIONS = {
    "bass": (("low dB", lambda r: _db(r["bass_low_ratio"])),),
    "drums": (
        ("high dB", lambda r: _db(r["drums_high_ratio"])),
        ("hits/beat", lambda r: r["drum_onsets_per_beat"]),
    ),
    "chords": (
        ("mid dB", lambda r: _db(r["chords_mid_ratio"])),
        ("classes+", lambda r: r["classes_per_frame"] - r["classes_without_chords"]),
    ),
}


def _db(ratio: float) -> float:
    return 10.0 * math.log10(max(ratio, 1e-12))


def contributions(row: dict) -> dict[str, dict[str, float]]:
    """``{part: {contribution: value}}`` of one rendering's figures."""
    return {p: {name: float(read(row)) for name, read in c} for p, c in CONTRIBUTIONS.items()}


def part_ranges(rows: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """``{part: {contribution: {min, q1, median, q3, max}}}`` over real renderings."""
    values = [contributions(r) for r in rows]
    out: dict = {}
    for part, named in CONTRIBUTIONS.items():
        out[part] = {}
        for name, _ in named:
            v = np.array([x[part][name] for x in values])
            q = np.percentile(v, [0, 25, 50, 75, 100]) if v.size else [math.nan] * 5
            out[part][name] = dict(zip(("min", "q1", "median", "q3", "max"), map(float, q)))
    return out


def present(row: dict, medians: dict[str, dict[str, float]], fraction: float) -> dict[str, bool]:
    """``{part: present}``: every contribution at least ``fraction`` of the style's median
    (a median at or under 0 means the style's real parts show nothing to compare with)."""
    have = contributions(row)
    return {
        part: all(
            medians[part][name] > 0 and have[part][name] >= fraction * medians[part][name]
            for name in named
        )
        for part, named in have.items()
    }


def medians_of(rows: list[dict]) -> dict[str, dict[str, float]]:
    return {p: {n: v["median"] for n, v in c.items()} for p, c in part_ranges(rows).items()}


def pass_rate(rows_by_style: dict[str, list[dict]], fraction: float, judges=None) -> float:
    """The share of (piece, part) present; each piece against ``judges``' medians of its
    style, or, where ``judges`` is None, against the other pieces of its own split."""
    passed = total = 0
    for style, rows in rows_by_style.items():
        for i, row in enumerate(rows):
            others = judges[style] if judges is not None else rows[:i] + rows[i + 1 :]
            if not others:
                continue
            verdict = present(row, medians_of(others), fraction)
            passed += sum(verdict.values())
            total += len(verdict)
    return passed / total if total else math.nan


def choose_fraction(valid: dict[str, list[dict]]) -> tuple[float, float]:
    """The largest of :data:`FRACTIONS` whose leave-one-out pass rate on the validation
    pieces reaches :data:`REAL_PASS`, and that rate."""
    for fraction in FRACTIONS:
        rate = pass_rate(valid, fraction)
        if rate >= REAL_PASS:
            return fraction, rate
    return FRACTIONS[-1], pass_rate(valid, FRACTIONS[-1])


def format_ranges(ranges: dict) -> str:
    """One line: each contribution's median and the range between quartiles."""
    return "  ".join(
        f"{part} {name} {v['median']:.2f} [{v['q1']:.2f}-{v['q3']:.2f}]"
        for part, named in ranges.items()
        for name, v in named.items()
    )
