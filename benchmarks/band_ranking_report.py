"""The tables ``bench_band_ranking`` prints and records (markdown, and the JSON beside it)."""

from __future__ import annotations

import math

import band_ranking_measures as brm
import numpy as np
from bench_ranking_heldout import tune_interval

from models.band_negatives import TRIAL_KINDS

MD_HEAD = """# A band's ranking on held-out melodies (issue 18, per band style)

Written by `benchmarks/bench_band_ranking.py` (the method is its docstring; the measures
and spoiled renderings are `benchmarks/band_ranking_measures.py`'s). Each dated section
is one run; the test split is run once, at the end, whatever it shows.

"First choice beats the median" counts a tie as half; the share of ties is printed
apart. *Shaped* measures judge something band_ranking's checks also judge (written apart:
chords harsh against the melody on the beat, the bass off the chords, drum bars keeping
no pattern, chords out of key), so they are not evidence; *held out* ones (CTnCTR, MCTD)
only judge. The column "MMA's own vs median" asks the same of MMA's real rendering of the
melody and its chart: whether the measures call the real thing better than a typical
candidate.
"""
TARGET_REAL = 0.9


def _share(values) -> tuple[float | None, float | None, int]:
    values = [v for v in values if v is not None]
    if not values:
        return None, None, 0
    return float(np.mean(values)), float(np.mean([v == 0.5 for v in values])), len(values)


def interval(values, melodies) -> tuple[float, float] | None:
    """The chorale benchmark's bootstrap 90% interval over melodies
    (``bench_ranking_heldout.tune_interval``) of the sets' mean, the sets without a figure
    left out with their melody: a melody's seeds, and its takes in several styles, share
    it, so the melody and not the set is the unit resampled."""
    kept = [(v, m) for v, m in zip(values, melodies, strict=True) if v is not None]
    if not kept:
        return None
    return tune_interval([v for v, _ in kept], [m for _, m in kept])


def _span(bounds: tuple[float, float] | None) -> str:
    return "" if bounds is None else f" [{100 * bounds[0]:.0f}-{100 * bounds[1]:.0f}]"


def _cell(values, ties: bool = True, melodies=None) -> str:
    """``mean% (ties%)``, and with ``melodies`` (one a value) its interval over them."""
    mean, tie, _ = _share(values)
    if mean is None:
        return "-"
    text = f"{100 * mean:.0f}% ({100 * tie:.0f}%)" if ties else f"{100 * mean:.0f}%"
    return text + ("" if melodies is None else _span(interval(values, melodies)))


def _clean(value):
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _melodies(sets: list[dict]) -> list[str]:
    """Each set's melody (``"melody"``; a set without one, hand-made, is a unit of its own)."""
    return [s.get("melody") or f"set {i}" for i, s in enumerate(sets)]


def tables(
    rows,
    real_above,
    spoiled_below,
    real_measures,
    skipped,
    above_melodies=None,
    spoiled_melodies=None,
) -> tuple[list[str], dict]:
    """The tables, and the JSON beside them.  ``above_melodies`` (keyed as ``real_above``)
    and ``spoiled_melodies`` (as ``spoiled_below``) name each value's melody, for the
    intervals of "MMA's own above the median" and "above each spoiled copy"."""
    above_melodies = above_melodies or {}
    spoiled_melodies = spoiled_melodies or {}
    measures = list(brm.BAND_MEASURES) + sorted(
        {k for r in rows.values() for s in r for k in s if k.startswith("check:")}
    )
    mma = [s for (_, _, src), r in rows.items() if src == "band" for s in r]
    groups = {
        "band data melodies": [s for (_, _, src), r in rows.items() if src == "band" for s in r],
        "folk tunes": [s for (_, _, src), r in rows.items() if src == "folk" for s in r],
    }
    groups["all"] = groups["band data melodies"] + groups["folk tunes"]
    sizes = ", ".join(f"{name} {len(sets)}" for name, sets in groups.items())
    text = [
        "First choice better than the median of its 16 candidates (ties in brackets), "
        f"[a bootstrap 90% interval over melodies]; sets: {sizes}.",
        "",
        "| measure | | " + " | ".join(groups) + " | MMA's own vs median |",
        "|---|---|" + "---|" * (len(groups) + 1),
    ]
    for name in measures:
        if name.startswith("check:"):
            label, held = f"band_ranking's check `{name[6:]}` (fewer)", "the ranking's own"
        else:
            label = brm.BAND_MEASURES[name][1]
            held = "shaped" if name in brm.SHAPED_BY_CHECKS else "**held out**"
        cells = [
            _cell([s.get(name) for s in sets], melodies=_melodies(sets)) for sets in groups.values()
        ]
        cells.append(_cell([s.get(f"mma:{name}") for s in mma], melodies=_melodies(mma)))
        text.append(f"| {label} | {held} | " + " | ".join(cells) + " |")
    kinds = list(brm.SPOILED)
    short = ("pcs_beats", "pcs_beats_chords", "ctnctr", "bass_on_chord", "groove", "wrong_notes")
    text += [
        "",
        "Per style and meter, both melody sources together (first choice above the median; "
        "MMA's own rendering above the median of the candidates, target 90%; MMA's own "
        "above each spoiled copy, target 90%; windows in brackets):",
        "",
        "| style | meter | sets | "
        + " | ".join(short)
        + " | MMA > median | "
        + " | ".join(brm.SPOILED[k] for k in kinds)
        + " |",
        "|---|---|---|" + "---|" * (len(short) + 1 + len(kinds)),
    ]
    per_row = {}
    for style, meter in sorted({(s, m) for s, m, _ in rows}):
        sets = rows.get((style, meter, "band"), []) + rows.get((style, meter, "folk"), [])
        cells = [_cell([s.get(n) for s in sets], ties=False) for n in short]
        above = _share(real_above.get((style, meter), []))
        spoiled = {k: _share(spoiled_below.get((style, meter), {}).get(k, [])) for k in kinds}
        cells.append("-" if above[0] is None else f"{100 * above[0]:.0f}% ({above[2]})")
        cells += ["-" if v[0] is None else f"{100 * v[0]:.0f}% ({v[2]})" for v in spoiled.values()]
        text.append(f"| {style} | {meter} | {len(sets)} | " + " | ".join(cells) + " |")
        per_row[f"{style} {meter}"] = {
            "sets": len(sets),
            "first_beats_median": {n: _share([s.get(n) for s in sets])[0] for n in measures},
            "mma_above_median": above[0],
            "mma_above_spoiled": {k: v[0] for k, v in spoiled.items()},
            "mma_measures": {
                n: float(np.nanmean([m[n] for m in real_measures.get((style, meter), [])]))
                if real_measures.get((style, meter))
                else None
                for n in brm.BAND_MEASURES
            },
        }
    above_values = [v for vs in real_above.values() for v in vs]
    above_units = _units(real_above, above_melodies)
    above_all = _share(above_values)
    spoiled_all = {
        k: _share([v for row in spoiled_below.values() for v in row.get(k, [])]) for k in kinds
    }
    text += [
        "",
        f"- MMA's own rendering above the median of the 16 candidates: "
        f"{_cell(above_values, melodies=above_units)} of {above_all[2]} sets "
        f"(target 90%)",
    ]
    spoiled_spans = {}
    for kind, (mean, _, n) in spoiled_all.items():
        values = {key: row.get(kind, []) for key, row in spoiled_below.items()}
        named = {key: row[kind] for key, row in spoiled_melodies.items() if kind in row}
        spoiled_spans[kind] = interval([v for vs in values.values() for v in vs],
                                       _units(values, named))  # fmt: skip
        if mean is not None:
            text.append(
                f"- MMA's own scored above it {brm.SPOILED[kind]}: {100 * mean:.0f}%"
                f"{_span(spoiled_spans[kind])} of {n} windows (target 90%)"
            )
    if any(skipped.values()):
        text.append(
            "- skipped: "
            + ", ".join(f"{' '.join(map(str, k))}: {v}" for k, v in sorted(skipped.items()) if v)
            + " (a window whose melody the engine reads shifted, with a pickup or a later "
            "first bar; a folk tune the engine refuses)"
        )
    result = {
        "shaped_by_checks": sorted(brm.SHAPED_BY_CHECKS),
        "overall": {
            g: {n: _share([s.get(n) for s in sets])[:2] for n in measures}
            for g, sets in groups.items()
        },
        "overall_intervals": {
            g: {n: interval([s.get(n) for s in sets], _melodies(sets)) for n in measures}
            for g, sets in groups.items()
        },
        "rows": per_row,
        "mma_above_median": above_all[0],
        "mma_above_median_interval": interval(above_values, above_units),
        "mma_above_spoiled": {k: v[0] for k, v in spoiled_all.items()},
        "mma_above_spoiled_intervals": spoiled_spans,
        "skipped": {" ".join(map(str, k)): v for k, v in skipped.items()},
    }
    return text, _clean(result)


def _units(values: dict, melodies: dict) -> list[str]:
    """The melody of each value of ``values`` (lists under keys) flattened as they are,
    from ``melodies`` (lists under the same keys); where it has none, each value its own."""
    units = []
    for key, vs in values.items():
        named = melodies.get(key)
        units += list(named) if named is not None else [f"{key} {i}" for i in range(len(vs))]
    return units


def negatives_lines(extra: dict, held_out: tuple[str, ...]) -> tuple[list[str], dict]:
    """The critic alone's "real above median", and how often MMA's own rendering is scored
    above each spoiled copy: ``models.band_negatives``' kinds by the ranking and by the
    critic alone, the benchmark's own five by the critic alone; each with its interval
    over melodies where ``extra`` names them (``"above_melodies"``, ``"melodies"``)."""
    above = [v for vs in extra["critic_above"].values() for v in vs]
    above_units = _units(extra["critic_above"], extra.get("above_melodies", {}))
    mean, tie, n = _share(above)
    text = [
        "",
        "The critic alone (its raw score, without band_ranking's checks), the same sets:",
        "",
        f"- MMA's own rendering above the median of the 16 candidates, by the critic alone: "
        f"{_cell(above, melodies=above_units)} of {n} sets (target 90%)",
        "",
        "MMA's own scored above each spoiled copy (`models.band_negatives`' kinds; "
        "*held out* never trained the critic):",
        "",
        "| spoiled | | ranking | critic alone | windows |",
        "|---|---|---|---|---|",
    ]
    labels = [k for k in extra["critic"] if k.startswith("neg:")]
    labels += [k for k in extra["critic"] if not k.startswith("neg:")]
    result = {"critic_mma_above_median": mean, "critic_mma_above_median_ties": tie}
    result["critic_mma_above_median_interval"] = interval(above, above_units)
    result["spoiled_rejected"] = {}
    for label in labels:
        kind = label[4:] if label.startswith("neg:") else label
        base = kind.split(",")[0]
        role = "**held out**" if base in held_out else "trained"
        if base in TRIAL_KINDS:  # trained only by a trial's config, not the shipped critic
            role = "trial kind (not in the shipped training)"
        if not label.startswith("neg:"):
            role = f"benchmark's `{kind}`"
        melodies = extra.get("melodies", {}).get(label)
        ranked_values = extra["ranked"].get(label, [])
        ranked = _share(ranked_values)[0]
        critic, _, n = _share(extra["critic"][label])
        # a kind the ranking reads is read on every window the critic reads it on
        ranked_span = interval(ranked_values, melodies) if melodies and ranked_values else None
        critic_span = interval(extra["critic"][label], melodies) if melodies else None
        cell = "-" if ranked is None else f"{100 * ranked:.0f}%{_span(ranked_span)}"
        text.append(f"| {kind} | {role} | {cell} | {100 * critic:.0f}%{_span(critic_span)} | {n} |")
        result["spoiled_rejected"][label] = {
            "ranking": ranked,
            "critic": critic,
            "windows": n,
            "ranking_interval": ranked_span,
            "critic_interval": critic_span,
        }
    per_row = {
        f"{style} {meter}": _share(v)[0] for (style, meter), v in extra["critic_above"].items()
    }
    result["critic_mma_above_median_rows"] = per_row
    return text, _clean(result)
