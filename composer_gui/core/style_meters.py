"""Which meters a style has learnt, and the one sentence for a tune in any other (#16, #17).

A style's network column only plays the meters its training data had: the shipped rock
never saw 6/8, and asked for a jig it breaks its pattern with a kick a bar. So a tune is
accompanied in a style only where every bar's meter is one the style learnt; else the
musician is told, in one sentence, the meters the style plays and the styles that play
the tune's. The command line (through the engine) and the Style box ask this module, so
both answer alike.

What a style learnt is read from its model card, so a fine-tune or a model of the
musician's own answers from its own data (``learnt_meters``):

1. the card's ``data.style_meters`` (``{style: ["6/8", ...]}``), where a card records it;
2. a band card whose data were rendered from ``models.band_styles``' grooves (the
   shipped band, or a model trained on that dataset): the meters of those grooves;
3. the shipped chorale model: every meter Composer accompanies (it was trained on the
   chorales re-timed into each, ``models.retime``), as before;
4. otherwise (an older model of the musician's own whose card does not say) the meters
   are unknown (None): the style is not refused, and nothing is said.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from models.pianoroll import ACCOMPANIED_METERS, Meter, bar_name

if TYPE_CHECKING:
    from composer_gui.core.arrangement import Arrangement
    from composer_gui.core.styles import Style

Signature = tuple[int, int]
BAND_STYLES_SOURCE = "models.band_styles"  # what a dataset rendered from the grooves says


def _signature(entry) -> Signature | None:
    """``"6/8"`` or ``[6, 8]`` as ``(6, 8)``; None for anything else."""
    try:
        if isinstance(entry, str):
            numerator, denominator = entry.split("/")
            return int(numerator), int(denominator)
        numerator, denominator = entry
        return int(numerator), int(denominator)
    except (TypeError, ValueError):
        return None


def learnt_meters(card: dict, name: str, chorale: bool = False) -> tuple[Signature, ...] | None:
    """The meters the card's style ``name`` was trained in, or None where the card cannot
    say; ``chorale`` is the shipped chorale model (it plays every accompanied meter)."""
    data = card.get("data") if isinstance(card.get("data"), dict) else {}
    recorded = data.get("style_meters")
    if isinstance(recorded, dict) and isinstance(recorded.get(name), list):
        found = [_signature(entry) for entry in recorded[name]]
        return tuple(s for s in found if s is not None)
    if BAND_STYLES_SOURCE in str(data.get("source", "")):
        from models.band_styles import style_named

        try:
            return tuple(m.signature for m in style_named(name).meters)
        except ValueError:
            return None  # a style of that data's card not in band_styles: cannot say
    if chorale:
        return tuple(ACCOMPANIED_METERS)
    return None


def plays(style: Style, meter: Meter) -> bool:
    """Whether ``style`` plays ``meter``: learnt it, or its card cannot say."""
    return style.meters is None or meter.signature in style.meters


def tune_meters(melody: Arrangement) -> dict[Meter, list[int]]:
    """Each meter of the tune with the bars in it, as the musician names them
    (``pianoroll.bar_name``: from 1); a first bar written as its own shorter time
    signature (a pickup, ``melody_grid.pickup_bar``) is left out, as ``check_melody``
    leaves it: it is accompanied in the meter that follows; a short bar or an unbarred
    stretch is in the meter it is accompanied in (``melody_grid.accompanied_bars``)."""
    from composer_gui.core.melody_grid import accompanied_bars, pickup_bar

    pickup = pickup_bar(melody)
    melody = accompanied_bars(melody)
    starts = melody.bar_starts() or [0.0]
    bars: dict[Meter, list[int]] = {}
    for place, beat in enumerate(starts):
        meter = melody.meter_at(beat)
        if place == 0 and pickup is not None and meter == pickup:
            continue
        bars.setdefault(meter, []).append(bar_name(place))
    return bars


def unlearnt(style: Style, melody: Arrangement) -> list[Meter]:
    """The meters of ``melody`` that ``style`` never learnt, in the tune's order."""
    return [m for m in tune_meters(melody) if not plays(style, m)]


def _listed(words: list[str], last: str = "and") -> str:
    """ "a, b and c" (or "a, b or c")."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _bar_ranges(numbers: list[int]) -> str:
    """``[5, 6, 7, 12]`` as "bars 5-7 and 12"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
    return ("bar " if parts == [str(numbers[0])] else "bars ") + _listed(parts)


def meter_refusal(style: Style, melody: Arrangement, styles: list[Style]) -> str | None:
    """The one sentence refusing ``style`` for ``melody`` (a meter it never learnt), naming
    the meters it plays and the ``styles`` that play every meter of the tune; None when
    the style plays the tune."""
    meters = tune_meters(melody)
    missing = unlearnt(style, melody)
    if not missing:
        return None
    learnt = _listed([str(Meter.of(s)) for s in style.meters or ()])
    others = [
        s.shown
        for s in styles
        if s.shown != style.shown and s.meters is not None and all(plays(s, m) for m in meters)
    ]
    if others:
        choose = f"choose {_listed(others, 'or')}"
    else:
        choose = "no installed style plays all of its meters"
    if len(meters) == 1:
        return f"{style.shown} plays {learnt}; for this {missing[0]} tune {choose}."
    where = "; ".join(f"{m} in {_bar_ranges(meters[m])}" for m in missing)
    return f"{style.shown} plays {learnt}, and this tune is in {where}; {choose}."


def refuse_style_meters(model_path: Path, melody: Arrangement, style: str | None) -> None:
    """Raise ``MeterError`` with ``meter_refusal``'s sentence where the model's style
    ``style`` (its first for None) never learnt a meter of ``melody``: the engine asks
    before it loads the model. The other styles named are those installed, and the
    model's own."""
    from composer_gui.core.errors import MeterError
    from composer_gui.core.styles import style_key, styles_with

    styles = styles_with(model_path)
    own = [s for s in styles if s.model_path.resolve() == Path(model_path).resolve()]
    if style is not None:
        own = [s for s in own if style_key(s.name) == style_key(style)]
    if own and (refusal := meter_refusal(own[0], melody, styles)):
        raise MeterError(refusal)
