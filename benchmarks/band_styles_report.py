"""The tables and verdicts ``bench_band_styles`` writes (its rows are its docstring's)."""

from __future__ import annotations

import math


def fmt(value, pct=False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{100 * value:.0f}%" if pct else f"{value:.3f}"


def table(rows: list[dict]) -> list[str]:
    head = (
        "| style | meter | tunes | melody kept | PCS (ratio) | CTnCTR (ratio) | band data's "
        "PCS / CTnCTR | bass on chord "
        "tone, downbeats | drums in bars | empty bars (tracks that play) | style named right "
        "(pieces / bars) |"
    )
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        empty = ", ".join(f"{t} {100 * v:.1f}%" for t, v in r.get("empty_bars", {}).items())
        lines.append(
            f"| {r['style']} | {r['meter']} | {r['tunes']} | {fmt(r['melody_kept'], True)} | "
            f"{fmt(r['pcs'])} ({fmt(r.get('pcs_ratio'))}) | "
            f"{fmt(r['ctnctr'])} ({fmt(r.get('ctnctr_ratio'))}) | "
            f"{fmt(r.get('data_pcs'))} / {fmt(r.get('data_ctnctr'))} | "
            f"{fmt(r.get('bass_on_chord'), True)} | {fmt(r.get('drum_bars'), True)} | "
            f"{empty or '-'} | {fmt(r.get('style_right'), True)} / "
            f"{fmt(r.get('bars_right'), True)} |"
        )
    return lines


def verdicts(rows: list[dict], targets: dict) -> list[str]:
    """Each target, met or not, per band row."""
    out = []
    for r in rows:
        if r["style"] == "chorale model":
            continue
        checks = {
            "melody 100%": r["melody_kept"] == 1.0,
            "PCS >= 0.9x chorale": r["pcs_ratio"] >= targets["ratio"],
            "CTnCTR >= 0.9x chorale": r["ctnctr_ratio"] >= targets["ratio"],
            "bass on chord tone >= 85%": r["bass_on_chord"] >= targets["bass_on_chord"],
            "drums >= 95% of bars": r["drum_bars"] >= targets["drum_bars"],
            # A style's own rests are no fault (MMA's swing pad rests a 2/4 bar in four):
            # inner bars empty no more often than in its real parts (the test split).
            "no more empty bars than its real parts": all(
                v <= r.get("data_empty_bars", {}).get(t, 0.0) + 1e-9
                for t, v in r.get("empty_inner_bars", {}).items()
            ),
            "style named >= 80%": r["style_right"] >= targets["style_right"],
        }
        unmeasured = [k for k in checks if k.startswith("style") and math.isnan(r["style_right"])]
        missed = [k for k, ok in checks.items() if not ok and k not in unmeasured]
        refused = f"; {len(r['refused'])} refused" if r["refused"] else ""
        if r["tunes_with_empty_bars"]:
            inner = r["tunes_with_empty_inner_bars"]
            data_empty = ", ".join(
                f"{t} {100 * v:.1f}%" for t, v in r.get("data_empty_bars", {}).items() if v > 0
            )
            refused += (
                f"; empty bars in {r['tunes_with_empty_bars']} tunes, "
                f"{r['tunes_with_empty_bars'] - inner} of them only the last, partial bar"
                f" (the band data's own empty bars: {data_empty or 'none'})"
            )
        out.append(
            f"- {r['style']} {r['meter']}: "
            + ("all met" if not missed else "NOT met: " + ", ".join(missed))
            + refused
            + ("; " + ", ".join(unmeasured) + ": not measured" if unmeasured else "")
        )
    return out
