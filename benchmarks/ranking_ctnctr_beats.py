"""Where the chorales' first choice and the median candidate differ on the melody's note
in the chord, read as a musician reads it.  Validation only (issue 18, eighth pass).

Recorded command (docs/ranking.md, "Eighth pass: what the CTnCTR miss is"; its output is
docs/benchmarks/ranking-ctnctr-beats-valid.txt):

    python benchmarks/ranking_ctnctr_beats.py --seeds 6

The same 234 sets as ``ranking_ctnctr_chord_tones.py`` (the chorales' validation split,
one 8-bar window a chorale, 16 candidates a seed from ``Engine.generate``, seeds
``1000 * s + i``).  CTnCTR (``harmony_measures.ctnctr``) on these candidates is mostly the
share of melody steps whose pitch class the accompaniment sounds (``in_chord``); the
*median candidate* of a set is the one whose CTnCTR is nearest the set's median (the
figure the first choice is judged against; ties to the better ranked).  For every melody
note where the first choice's chord and the median candidate's differ in sounding the
note (counted in steps, as CTnCTR counts), the note is read as a musician would:

- where it is (bar:beat, on or off the beat), the melody note, its length and its shape
  (approached and left by step or leap: passing, neighbour, held over, appoggiatura...);
- each chord's notes, lowest first, and what the note is against the chord that does
  *not* sound it: **completes the triad** (the accompaniment plays the triad's other two
  tones and the melody is its only copy of the third tone: the voicing a textbook
  teaches for a third or a leading note), **completes a seventh chord**, **over a thin
  chord** (melody and accompaniment together two pitch classes or fewer), or a
  **non-chord tone** (a second, seventh or tritone against some voice), CTnCTR crediting
  it or not (resolved by step to a chord tone);
- the ranking's view: each candidate's critic units and its checks' penalties for the
  whole take (``models.ranking``), and each graded check's grade at that beat
  (``models.consonance``: 0 good, 1 bad).

Printed: the in-chord shares (first, median, Bach); how often the first choice beats the
median on CTnCTR and on a proposed reading of it, the melody's note in a triad or seventh
chord of all four voices (``in_four_voice_chord``), each with its bootstrap 90% interval
over chorales (``bench_ranking_heldout``'s); where the steps they differ on come
from (by what the note is against the chord without it, by place in the beat, by the
melody's shape), the same for Bach against the first choice, the graded checks at the
beats where they differ, and a few notes per chorale (seed 0's set).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ranking_heldout as bh  # noqa: E402

from composer_gui.core.chorale_take import chorale_ranking  # noqa: E402
from composer_gui.core.engine import Engine, accompaniment_roll, melody_on_grid  # noqa: E402
from models import harmony_measures as hm  # noqa: E402
from models.build_dataset import default_cache_dir, load_split  # noqa: E402
from models.chord_symbols import name_chord, pitch_name  # noqa: E402
from models.consonance import GRADED_MEASURES, beat_steps  # noqa: E402
from models.evaluate import windows  # noqa: E402
from models.musical_checks import SHAPING_MEASURES, shaping_rates  # noqa: E402
from models.ranking import WEIGHTS, critic_units  # noqa: E402

TRIADS = {"major": (0, 4, 7), "minor": (0, 3, 7), "diminished": (0, 3, 6)}
SEVENTHS = {"dominant": (0, 4, 7, 10), "minor": (0, 3, 7, 10), "half-diminished": (0, 3, 6, 10),
            "major": (0, 4, 7, 11), "diminished": (0, 3, 6, 9)}  # fmt: skip
ROLES = {0: "root", 3: "third", 4: "third", 6: "fifth", 7: "fifth", 9: "seventh",
         10: "seventh", 11: "seventh"}  # fmt: skip
DISSONANT = {1, 2, 6, 10, 11}  # the melody a second, tritone or seventh above a voice


def note_name(midi: int) -> str:
    return f"{pitch_name(midi % 12)}{midi // 12 - 1}"


def melody_notes(arrangement) -> list[tuple[int, int, int]]:
    return [
        (round(n.start_beat * 4), round(n.end_beat * 4), n.pitch)
        for n in arrangement.tracks[0].notes
    ]


def sounding(texture: hm.Texture, step: int) -> list[int]:
    """The accompaniment's MIDI pitches at ``step``, lowest first."""
    return sorted(int(p) for p in np.flatnonzero(texture.parts[:, step].any(axis=0)))


def shape(notes, k: int) -> str:
    """The melody's motion into and out of note ``k`` (rests break a line)."""
    a, b, p = notes[k]
    before = notes[k - 1][2] if k > 0 and notes[k - 1][1] == a else None
    after = notes[k + 1][2] if k + 1 < len(notes) and notes[k + 1][0] == b else None
    into = None if before is None else p - before
    out = None if after is None else after - p
    step = lambda x: x is not None and 1 <= abs(x) <= 2  # noqa: E731
    leap = lambda x: x is not None and abs(x) > 2  # noqa: E731
    if into == 0:
        return "repeated, left down by step" if out in (-1, -2) else "repeated"
    if step(into) and step(out):
        return "passing" if into * out > 0 else "neighbour"
    if leap(into) and step(out):
        return "leapt to, left by step"
    if step(into) and leap(out):
        return "stepped to, left by leap"
    if leap(into) and leap(out):
        return "leapt to and from"
    if out == 0:
        return "struck again next"
    return "phrase edge"


def against(melody: int, chord: list[int], credited: bool) -> str:
    """What the melody's note is against an accompaniment that does not sound its pitch
    class (see the module's docstring)."""
    classes = {p % 12 for p in chord}
    m = melody % 12
    together = classes | {m}
    if len(together) <= 2:
        return "over a thin chord"
    for shape_ in TRIADS.values():
        for root in range(12):
            if together == {(root + i) % 12 for i in shape_}:
                return f"completes the triad (melody its {ROLES[(m - root) % 12]})"
    for name, shape_ in SEVENTHS.items():
        for root in range(12):
            if together == {(root + i) % 12 for i in shape_}:
                return f"completes a {name} seventh (melody its {ROLES[(m - root) % 12]})"
    if any((m - c) % 12 in DISSONANT for c in classes) or (m - min(chord)) % 12 == 5:
        return "non-chord tone, " + ("credited (resolves by step)" if credited else "not credited")
    return "consonant, an incomplete chord"


def role(melody: int, chord: list[int]) -> str:
    """The melody's place in the chord (:func:`place_in_chord`, read once per chord)."""
    classes = frozenset(p % 12 for p in chord)
    return place_in_chord(melody % 12, classes, min(chord) % 12 if chord else melody % 12)


def in_four_voice_chord(texture: hm.Texture) -> float:
    """Share of CTnCTR's counted steps whose melody note is in a triad or seventh chord of
    all four voices (a proposed reading of "the melody on chord tones", not a measure)."""
    counted = hm.ctnctr_steps(texture)[0]
    steps = np.flatnonzero(counted)
    if steps.size == 0:
        return np.nan
    places = [role(int(texture.melody[t]), sounding(texture, t)) for t in steps]
    return float(np.mean([place != "in no triad" for place in places]))


@functools.cache
def place_in_chord(m: int, classes: frozenset, bass: int) -> str:
    """The melody's place in the chord all four voices sound: root, third, fifth or
    seventh of the triad or seventh chord they make (an incomplete one read with the bass
    as its root where it can be), or "in no triad" (a non-chord tone somewhere)."""
    together = set(classes) | {m}
    for shapes in (TRIADS, SEVENTHS):
        for shape_ in shapes.values():
            for root in range(12):
                if together == {(root + i) % 12 for i in shape_}:
                    return ROLES[(m - root) % 12]
    fits = [
        (root != bass, ROLES[(m - root) % 12])
        for shape_ in TRIADS.values()
        for root in range(12)
        if together <= {(root + i) % 12 for i in shape_}
    ]
    return min(fits)[1] + " (incomplete)" if fits else "in no triad"


def credited_steps(texture: hm.Texture) -> np.ndarray:
    """``(step,)``: the melody steps CTnCTR credits as proper non-chord tones."""
    return hm.ctnctr_steps(texture)[2]


def held(texture: hm.Texture) -> np.ndarray:
    """``(step,)`` 1 where the chord sounds the melody's pitch class, 0 where it sounds
    without it, NaN where either is silent (CTnCTR counts only steps with both)."""
    counted, chord_tone, _ = hm.ctnctr_steps(texture)
    return np.where(counted, chord_tone.astype(float), np.nan)


class Tally:
    """Steps where one accompaniment sounds the melody's note and the other does not,
    summed by a description of the note (one side's view: the chord without it)."""

    def __init__(self) -> None:
        self.by: dict[str, Counter] = defaultdict(Counter)
        self.steps = 0

    def add(self, sign: int, count: int, labels: dict[str, str]) -> None:
        for key, label in labels.items():
            self.by[key][(label, sign)] += count

    def lines(self, title: str, a: str, b: str) -> list[str]:
        out = [f"### {title}", ""]
        for key, counts in self.by.items():
            labels = sorted(
                {label for label, _ in counts},
                key=lambda x: (-sum(counts[(x, s)] for s in (1, -1)), x),
            )  # a tie in steps goes by name, so every run prints one order
            out += [f"| {key} | steps only {a} sounds it | steps only {b} sounds it | net |",
                    "|---|---|---|---|"]  # fmt: skip
            for label in labels:
                plus, minus = counts[(label, 1)], counts[(label, -1)]
                net = 100 * (plus - minus) / max(1, self.steps)
                out.append(f"| {label} | {plus} | {minus} | {net:+.2f} pts |")
            out.append("")
        return out


def describe(notes, k, texture_without, credited, step) -> dict[str, str]:
    a, b, p = notes[k]
    chord = sounding(texture_without, step)
    beat = "on the beat" if texture_without.beat_starts[a] else "off the beat"
    length = {1: "16th", 2: "8th", 3: "dotted 8th", 4: "quarter"}.get(b - a, "longer")
    return {
        "against the chord without it": against(p, chord, bool(credited[step])),
        "place": beat,
        "length": length,
        "melody's shape": shape(notes, k),
        "accompaniment pitch classes": f"{len({c % 12 for c in chord})}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--examples", type=int, default=2, help="notes printed per chorale")
    args = parser.parse_args()
    started = time.perf_counter()
    engine = Engine(None, "cpu")
    engine.load()
    quantiles = engine.card["calibration"]["quantiles"]
    tallies = {"first vs median": Tally(), "Bach vs first": Tally()}
    shares = defaultdict(list)
    roles = {side: Counter() for side in ("first", "median", "Bach")}  # (role, doubled) steps
    grades_at = defaultdict(list)  # (check, side) -> grades where they differ
    examples: list[str] = []
    outcomes, tunes_of = defaultdict(list), defaultdict(list)
    sets = 0
    for i, w in enumerate(windows(load_split(args.data, "valid"), 8)):
        melody = bh.chorale_melody(w)
        grid = melody_on_grid(melody)
        signatures = [(0.0, *w.meter.signature)]
        lines = [bh.voice_notes(w.voices[v], w.onsets[v]) for v in range(4)]
        bach = hm.texture_from_notes(lines[0], lines[1:], [(0, *w.meter.signature)])
        beat_at, bar_of, beat_of = beat_steps(grid.n_steps, grid.meters, grid.bar_phase)
        for s in range(args.seeds):
            candidates = engine.generate(melody, k=16, seed=1000 * s + i)
            textures = [bh.texture_of(c.arrangement, signatures, 0.0) for c in candidates]
            ctn = np.array([hm.ctnctr(t) for t in textures])
            scores = np.array([c.score for c in candidates])
            order = np.argsort(-scores, kind="stable")
            first = int(order[0])
            gap = np.abs(ctn - np.nanmedian(ctn))
            median = int(min(order, key=lambda c: (gap[c], list(order).index(c))))
            rolls = np.stack([accompaniment_roll(melody, c.arrangement) for c in candidates])
            raw = np.array([c.critic_score for c in candidates])
            _, checks = chorale_ranking(grid, rolls, raw, {"quantiles": quantiles})
            critic = critic_units(raw, quantiles)
            penalties = shaping_rates(checks) * np.array([WEIGHTS[n] for n in SHAPING_MEASURES])
            notes = melody_notes(candidates[0].arrangement)
            sets += 1
            # first choice against the median, CTnCTR and the four-voice reading, by tune
            ranked = [textures[c] for c in order]
            for reading, values in (
                ("CTnCTR", [ctn[c] for c in order]),
                ("melody in a chord of the four voices", [in_four_voice_chord(t) for t in ranked]),
            ):
                judged = bh.first_beats_median(values, True)
                if judged is not None:
                    outcomes[reading].append(judged[0])
                    tunes_of[reading].append(w.name)
            h = {"first": held(textures[first]), "median": held(textures[median])}
            h["Bach"] = held(bach) if bach.n_steps == textures[first].n_steps else None
            sides = {"first": textures[first], "median": textures[median], "Bach": bach}
            for side, v in h.items():
                if v is None:
                    continue
                shares[side].append(np.nanmean(v))
                for step in np.flatnonzero(~np.isnan(v)):
                    m = int(sides[side].melody[step])
                    key = (role(m, sounding(sides[side], step)), bool(v[step]))
                    roles[side][key] += 1
            pairs = [("first vs median", textures[first], textures[median])]
            if h["Bach"] is not None:
                pairs.append(("Bach vs first", bach, textures[first]))
            for name, t_one, t_other in pairs:
                tally = tallies[name]
                h_one, h_other = held(t_one), held(t_other)
                both = ~np.isnan(h_one) & ~np.isnan(h_other)
                tally.steps += int(both.sum())
                cred = {id(t_one): credited_steps(t_one), id(t_other): credited_steps(t_other)}
                for k, (a, b, _) in enumerate(notes):
                    for step in range(a, min(b, grid.n_steps)):
                        if not both[step] or h_one[step] == h_other[step]:
                            continue
                        sign = 1 if h_one[step] > h_other[step] else -1
                        without = t_other if sign > 0 else t_one
                        tally.add(sign, 1, describe(notes, k, without, cred[id(without)], step))
            # the graded checks at the beats whose onset step the two differ on
            for step in np.flatnonzero(
                ~np.isnan(h["first"]) & ~np.isnan(h["median"]) & (h["first"] != h["median"])
            ):
                if step not in set(beat_at.tolist()):
                    continue
                j = int(np.searchsorted(beat_at, step))
                who = "first" if h["first"][step] > h["median"][step] else "median"
                for check in GRADED_MEASURES:
                    for side, c in (("first", first), ("median", median)):
                        g = checks[c].beats.grades[check][j] if checks[c].beats else np.nan
                        grades_at[(who, check, side)].append(g)
            if s == 0:
                examples += example_lines(
                    w.name, notes, textures, first, median, h, checks, critic, penalties,
                    beat_at, bar_of, beat_of, grid.n_steps, args.examples,
                )  # fmt: skip
    out = [
        f"{sets} validation sets (39 chorales x {args.seeds} seeds); "
        f"{time.perf_counter() - started:.0f} s.",
        "",
        "Share of melody steps (under a chord) whose pitch class the accompaniment sounds:",
        "",
    ]
    out += [f"- {side}: {100 * np.mean(v):.1f}%" for side, v in shares.items()]
    out += [
        "",
        "First choice beats the median (a tie half; ties; bootstrap 90% interval over "
        "chorales, bench_ranking_heldout.tune_interval):",
        "",
    ]
    for reading, values in outcomes.items():
        low, high = bh.tune_interval(values, tunes_of[reading])
        ties = np.mean([v == 0.5 for v in values])
        out.append(
            f"- {reading}: {100 * np.mean(values):.0f}% (ties {100 * ties:.0f}%) "
            f"[{100 * low:.0f}-{100 * high:.0f}] of {len(values)} sets"
        )
    out.append("")
    out += [
        "### The melody's place in the chord of all four voices, and how often the "
        "accompaniment doubles it there",
        "",
        "Per side: the share of melody steps where the melody is the chord's root, third... "
        "and, in brackets, the share of those steps whose pitch class the accompaniment "
        "sounds too (CTnCTR's chord tones are the sum of share x doubled).",
        "",
        "| the melody is the chord's | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    names = sorted({r for c in roles.values() for r, _ in c}, key=lambda r: (-sum(
        roles["Bach"][(r, d)] for d in (True, False)), r))  # fmt: skip
    for r in names:
        cells = []
        for counts in roles.values():
            total = sum(counts.values())
            n = counts[(r, True)] + counts[(r, False)]
            doubled = counts[(r, True)] / n if n else float("nan")
            cells.append(f"{100 * n / max(1, total):.1f}% ({100 * doubled:.0f}%)")
        out.append(f"| {r} | " + " | ".join(cells) + " |")
    out.append("")
    out += tallies["first vs median"].lines(
        "First choice against the median candidate (net: points of in-chord share)",
        "the first choice", "the median",
    )  # fmt: skip
    out += tallies["Bach vs first"].lines(
        "Bach's own against the first choice", "Bach", "the first choice"
    )
    out += [
        "### The graded checks at the beats where they differ (mean grade, 0 good, 1 bad)",
        "",
        "| beats where the chord with the melody's note is | beats | check | first | median |",
        "|---|---|---|---|---|",
    ]
    for who in ("first", "median"):
        for check in GRADED_MEASURES:
            f = np.array(grades_at[(who, check, "first")], dtype=float)
            m = np.array(grades_at[(who, check, "median")], dtype=float)
            out.append(
                f"| the {who}'s | {f.size} | {check} | {np.nanmean(f):.3f} | {np.nanmean(m):.3f} |"
            )
    out += ["", "### A few notes per chorale (seed 0's set)", ""] + examples
    print("\n".join(out))


def example_lines(name, notes, textures, first, median, h, checks, critic, penalties,
                  beat_at, bar_of, beat_of, n_steps, count) -> list[str]:  # fmt: skip
    """The notes where the two differ most (in steps), as a musician reads them."""
    found = []
    for k, (a, b, _) in enumerate(notes):
        span = slice(a, min(b, n_steps))
        d = np.nansum(h["first"][span]) - np.nansum(h["median"][span])
        if d != 0:
            found.append((-abs(d), k))
    found.sort()
    out = []
    for _, k in found[:count]:
        a0, b, p = notes[k]
        span = np.arange(a0, min(b, n_steps))
        differ = span[
            ~np.isnan(h["first"][span])
            & ~np.isnan(h["median"][span])
            & (h["first"][span] != h["median"][span])
        ]
        a = int(differ[0]) if differ.size else a0  # the first step where they differ
        j = int(np.searchsorted(beat_at, a, side="right")) - 1
        offset = (a - beat_at[j]) / 4 if j >= 0 else 0.0
        where = f"{bar_of[j]}:{beat_of[j] + offset:g}" if j >= 0 else f"step {a}"
        sides = []
        for side, c in (("first", first), ("median", median)):
            chord = sounding(textures[c], a)
            sounds = "sounds it" if h[side][a] == 1 else "without it"
            place = role(p, chord)
            sounds += f" (melody {place if place.startswith('in no') else 'the ' + place})"
            cred = credited_steps(textures[c])[a]
            view = "" if h[side][a] == 1 else f", {against(p, chord, bool(cred))}"
            grades = ", ".join(
                f"{g[:5]} {checks[c].beats.grades[g][j]:.2f}"
                for g in ("melody_discord", "thin_beats", "weak_bass")
            )
            top = np.argsort(-penalties[c])[:2]
            pen = ", ".join(f"{SHAPING_MEASURES[t]} -{penalties[c][t]:.2f}" for t in top)
            sides.append(
                f"{side}: {' '.join(map(note_name, chord))} ({name_chord(chord + [p])}) "
                f"{sounds}{view}; beat: {grades}; take: critic {critic[c]:+.2f}, {pen}"
            )
        out.append(
            f"- **{name} {where}** {note_name(p)} ({(b - a0) / 4:g} beat, "
            f"{shape(notes, k)}): " + " | ".join(sides)
        )
    return out


if __name__ == "__main__":
    main()
