"""Is "best first" true for a band, on held-out melodies and held-out measures?  Issue 18's
"the same figures for each band style".

Recorded command (figures in docs/benchmarks/band-ranking.md; the test split run once):

    python benchmarks/bench_band_ranking.py --split test --pieces 10 --folk 8 --seeds 2

Melodies, per style and each meter it plays (``models.band_styles``): 8-bar windows of the
band data's ``--split`` (Bach's sopranos under MMA's renderings of their chords, the first
window of ``--pieces`` pieces spread over the split), and ``--folk`` music21 folk tunes in
that meter (``bench_band_styles.choose_tunes``: the band was trained on chorales only, so
none is in its data; their first 8 bars). ``--split valid`` is for choices; its folk tunes
are another seeded draw with the test run's left out. Each melody gets 16 candidates per
seed from ``Engine.generate(style=...)``: the engine's one drawing path and its ranking,
so whatever ranks a band's take is what gets measured.

Printed: how often the first choice is better than the median candidate on each measure
of ``band_ranking_measures`` (a tie counts half, and the share of ties is printed apart;
chance is 50%), marked *shaped* where band_ranking's checks judge the same thing and
*held out* otherwise; the same for band_ranking's own checks (what the ranking adds to
the critic: not evidence). On the split's windows, MMA's own rendering of the melody and
its chart scored with the take's ranking score (``take_scores``, checked against the
candidates' own scores) ranks above the median of the 16 for what share (target 90%),
and above each kind of spoiled rendering for what share (target 90% each). Beside these,
the same asked of the critic alone (its raw scores: the issue's "real above median" read
without band_ranking's checks, which judge the candidates by what the real one is), and of
the spoiled kinds of ``models.band_negatives`` (those that train the critic and those held
out as judges), drawn from their own seeded stream so the five above are unchanged;
the held-out shuffle also on the copies that move 10%+ of the hits (``band_shuffle_change``).
Each figure over sets or windows is printed with its bootstrap 90% interval over melodies
(``bench_ranking_heldout.tune_interval``, the chorale benchmark's): a soprano MMA renders
in several styles and meters, and a folk tune read in several styles, is one melody, so
its sets are resampled together and an interval does not read seeds as evidence.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_ranking_measures as brm  # noqa: E402
import bench_band_styles as bbs  # noqa: E402
import bench_ranking_heldout  # noqa: E402
import corpus_tunes as ct  # noqa: E402
from band_test_reference import melody_steps  # noqa: E402
from bench_ranking_heldout import folk_melody  # noqa: E402

from composer_gui.core.arrangement import Arrangement, Note, Track  # noqa: E402
from composer_gui.core.engine import Engine  # noqa: E402
from composer_gui.core.errors import ComposerError  # noqa: E402
from composer_gui.core.melody_grid import melody_on_grid  # noqa: E402
from composer_gui.core.track_notes import track_rolls  # noqa: E402
from models.band_evaluate import band_windows, spread  # noqa: E402
from models.band_negatives import HELD_OUT_KINDS, KINDS, spoil_window  # noqa: E402
from models.band_pieces import load_band_split  # noqa: E402
from models.band_ranking import BAND_CHECKS, band_checks, band_faults, band_ranking  # noqa: E402
from models.band_styles import STYLES  # noqa: E402
from models.pianoroll import STEPS_PER_BEAT, meter_positions  # noqa: E402
from models.sampling import critic_scores, melody_condition, pad_length  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks"
K = 16


def first_beats_median(values: list[float], higher_is_better: bool) -> float | None:
    """The chorale benchmark's outcome (1 better than the median, 0.5 a tie, 0 worse) of
    a set, without its "beatable" flag, which the band tables do not print."""
    judged = bench_ranking_heldout.first_beats_median(values, higher_is_better)
    return None if judged is None else judged[0]


def band_data_dir() -> Path:
    """The band data the shipped model was trained on: ``dataset build --band``'s cache,
    else this project's build of it (``/work/data/band-mma-v2``)."""
    from models.build_dataset import default_cache_dir

    cached = default_cache_dir() / "band-mma"
    return cached if cached.is_dir() else Path("/work/data/band-mma-v2")


def from_first_bar(window):
    """The window from its first bar with a melody note (the engine leaves silent bars
    before a melody out; a chorale's pickup re-barred in 2/4 or 6/8 leaves one)."""
    first = int(np.flatnonzero(window.melody >= 0)[0])
    cut = first // window.meter.bar_steps * window.meter.bar_steps
    if cut == 0:
        return window
    tracks = [(s[cut:], o[cut:]) for s, o in window.tracks]
    melody, onsets = window.melody[cut:], window.melody_onsets[cut:]
    return replace(window, melody=melody, melody_onsets=onsets, tracks=tracks)


def on_own_grid(window) -> bool:
    """Whether the engine reads the window's melody as it is (no shift, no pickup found
    in it, from its first bar): then MMA's tracks line up with the candidates'."""
    grid = melody_on_grid(window_melody(window))
    return not (grid.shift or grid.bar_phase or grid.first_beat) and grid.n_steps == window.n_steps


def window_melody(window) -> Arrangement:
    notes = [
        Note(pitch, a / STEPS_PER_BEAT, (b - a) / STEPS_PER_BEAT, 80)
        for a, b, pitch in melody_steps(window.melody, window.melody_onsets)
    ]
    return Arrangement([Track("melody", notes)], 100.0, window.meter.signature)


def take_scores(engine: Engine, grid, style_index: int, candidates, raw=False) -> np.ndarray:
    """The score a band's take ranks by (``band_take``: the critic less the bass's faults,
    ``models.band_ranking``) for accompaniments from anywhere, per track ``(sounding,
    onsets)`` on the grid of ``grid`` (a melody of one section)."""
    generator = engine._generator
    n = pad_length(grid.n_steps, generator.config.time_multiple)
    device = next(generator.parameters()).device
    cond = melody_condition(
        grid.voice, grid.onsets, grid.meters, grid.bar_phase, n, device,
        style_index, generator.config.n_style_channels, generator.config.phrase_bars,
    )  # fmt: skip
    scores = critic_scores(engine._critic, cond, candidates)
    if raw:  # the critic's own scores (band_ranking_choice ranks them again)
        return scores
    checks = band_checks(engine.tracks, grid.voice, candidates, grid.meters, grid.bar_phase)
    return band_ranking(scores, checks, engine.card["calibration"]["quantiles"])


def arrangement_notes(arrangement: Arrangement) -> tuple[list, dict]:
    def steps(track):
        return [(round(n.start_beat * 4), round(n.end_beat * 4), n.pitch) for n in track.notes]

    return steps(arrangement.tracks[0]), {t.name: steps(t) for t in arrangement.tracks[1:]}


DUMP: list[dict] = []  # per set, with --dump: what a ranking could be chosen from


def judge_take(
    candidates, signatures, phase, key=None, engine=None, melody_name: str = ""
) -> dict[str, float | None]:
    """First choice against the median of the take, on every measure, and under
    ``"melody"`` the melody it accompanies (the unit the intervals resample); with ``key``
    (and ``--dump``) the take is kept: its candidates' measures, scores and rolls."""
    judged = [
        brm.judge_band(*arrangement_notes(c.arrangement), signatures, phase) for c in candidates
    ]
    if key is not None:
        melody = Arrangement([candidates[0].arrangement.tracks[0]], 100.0, signatures[0][1:])
        grid = melody_on_grid(melody)
        back = int(np.clip(-grid.shift, -12, 12))
        rolls = [
            track_rolls(
                c.arrangement.tracks[1:], engine.tracks, grid.n_steps, back, grid.first_beat
            )
            for c in candidates
        ]
        DUMP.append(
            {
                "key": key,
                "measures": np.array([[j[n] for n in brm.BAND_MEASURES] for j in judged]),
                "critic": np.array([c.critic_score for c in candidates]),
                "score": np.array([c.score for c in candidates]),
                "voice": grid.voice,
                "meters": [(s, m.signature) for s, m in grid.meters],
                "bar_phase": grid.bar_phase,
                "rolls": [
                    np.packbits(np.concatenate([a for a, _ in r] + [b for _, b in r], 1), 1)
                    for r in rolls
                ],
            }
        )
    return {
        name: first_beats_median([j[name] for j in judged], higher)
        for name, (higher, _) in brm.BAND_MEASURES.items()
    } | {"melody": melody_name}


def window_melody_name(window) -> str:
    """The melody a band window plays, for the intervals: the piece's name before its
    style and meter (``bwv112.5@rock@4-4``), since MMA renders one soprano in several."""
    return "band " + window.name.split("@")[0]


def judge_checks(engine, grid, candidates) -> dict[str, float | None]:
    """First choice against the median on band_ranking's own checks (fewer is better)."""
    rolls = [track_rolls(c.arrangement.tracks[1:], engine.tracks, grid.n_steps) for c in candidates]
    faults = band_faults(engine.tracks, grid.voice, rolls, grid.meters, grid.bar_phase)
    return {
        name: first_beats_median(faults[:, i].tolist(), False) for i, name in enumerate(BAND_CHECKS)
    }


def mma_against_median(real: dict, candidates, signatures) -> dict[str, float | None]:
    """MMA's own rendering against the median candidate on every measure (as the first
    choice is judged): is the real rendering what the measures call better?"""
    judged = [brm.judge_band(*arrangement_notes(c.arrangement), signatures, 0) for c in candidates]
    return {
        f"mma:{name}": first_beats_median([real[name]] + [j[name] for j in judged], higher)
        for name, (higher, _) in brm.BAND_MEASURES.items()
    }


def real_judged(window, tracks) -> dict[str, float]:
    parts = {t.name: brm.track_notes(s, o, t) for t, (s, o) in zip(tracks, window.tracks)}
    melody, _ = arrangement_notes(window_melody(window))
    return brm.judge_band(melody, parts, [(0, *window.meter.signature)])


def folk_tunes(refs, meter: str, count: int, split: str) -> list[ct.Tune]:
    """The test run's tunes (seed 0); for validation, seed 1's with those left out."""
    if split == "test" or count == 0:
        return bbs.choose_tunes(refs, meter, count, 0)
    taken = {t.ref for t in bbs.choose_tunes(refs, meter, count, 0)}
    return [t for t in bbs.choose_tunes(refs, meter, 2 * count, 1) if t.ref not in taken][:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("valid", "test"), default="valid")
    parser.add_argument("--data", type=Path, default=None, help="the band data (its splits)")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--pieces", type=int, default=10, help="windows per style and meter")
    parser.add_argument("--folk", type=int, default=8, help="folk tunes per style and meter")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--styles", default=None, help="comma-separated (quick runs)")
    parser.add_argument("--out", type=Path, default=None, help="json (default: docs, test)")
    parser.add_argument("--dump", type=Path, default=None, help="every take (a pickle)")
    parser.add_argument(
        "--pickup-at-zero",
        action="store_true",
        help="give folk tunes with the pickup at tick 0 under the first meter (before session 16)",
    )
    args = parser.parse_args()
    dump = args.dump is not None
    from composer_gui.paths import resource_path

    started = time.perf_counter()
    model = args.model or Path(resource_path("weights", "composer-band.safetensors"))
    engine = Engine(model, "cpu")
    engine.load()
    data = load_band_split(args.data or band_data_dir(), args.split)
    windows = band_windows(data, 8)
    refs = ct.index_tunes() if args.folk else []
    wanted = set(args.styles.split(",")) if args.styles else None

    rows: dict[tuple, list[dict]] = defaultdict(list)  # (style, meter, source) -> sets
    real_above, spoiled_below = defaultdict(list), defaultdict(lambda: defaultdict(list))
    real_measures, skipped, rescore_error = defaultdict(list), defaultdict(int), 0.0
    rng = np.random.default_rng(0)
    negatives_rng = np.random.default_rng(1)  # models.band_negatives' own stream
    # "ranked": the take's ranking score; "critic": the critic alone
    extra = {"critic_above": defaultdict(list), "ranked": defaultdict(list)}
    extra["critic"] = defaultdict(list)
    # the melody of each value above (the unit of the intervals over melodies)
    extra["above_melodies"], extra["melodies"] = defaultdict(list), defaultdict(list)
    extra["spoiled_melodies"] = defaultdict(lambda: defaultdict(list))
    for style in STYLES:
        if wanted and style.name not in wanted:
            continue
        index = list(data.styles).index(style.name)
        for signature in style.grooves:
            meter = f"{signature[0]}/{signature[1]}"
            pool = [w for w in windows if w.style == index and w.meter.signature == signature]
            usable = [w for w in map(from_first_bar, pool) if on_own_grid(w)]
            skipped[(style.name, meter)] += len(pool) - len(usable)
            pool = spread(usable, args.pieces)
            for j, window in enumerate(pool):
                melody = window_melody(window)
                grid = melody_on_grid(melody)
                other = pool[(j + 1) % len(pool)].tracks
                spoiled = [
                    brm.spoil(kind, engine.tracks, window.tracks, other, window.meter, rng)
                    for kind in brm.SPOILED
                ]
                real, *others = take_scores(engine, grid, index, [window.tracks, *spoiled])
                real_critic = score_negatives(
                    engine, grid, index, window, pool[(j + 1) % len(pool)], negatives_rng,
                    spoiled, extra,
                )  # fmt: skip
                for kind, score, tracks in zip(brm.SPOILED, others, spoiled):
                    same = all(np.array_equal(a[0], b[0]) for a, b in zip(tracks, window.tracks))
                    if not same:  # a steady groove shuffled is the same groove
                        v = 0.5 if real == score else float(real > score)
                        spoiled_below[(style.name, meter)][kind].append(v)
                        extra["spoiled_melodies"][(style.name, meter)][kind].append(
                            window_melody_name(window)
                        )
                mma = real_judged(window, engine.tracks)
                real_measures[(style.name, meter)].append(mma)
                signatures = [(0, *signature)]
                for s in range(args.seeds):
                    candidates = engine.generate(melody, k=K, seed=1000 * s + j, style=style.name)
                    judged = judge_take(
                        candidates,
                        signatures,
                        0,
                        (style.name, meter, "band", j, s) if dump else None,
                        engine,
                        window_melody_name(window),
                    )
                    judged |= {
                        f"check:{k}": v for k, v in judge_checks(engine, grid, candidates).items()
                    }
                    judged |= mma_against_median(mma, candidates, signatures)
                    rows[(style.name, meter, "band")].append(judged)
                    median = float(np.median([c.score for c in candidates]))
                    real_above[(style.name, meter)].append(
                        0.5 if real == median else float(real > median)
                    )
                    median = float(np.median([c.critic_score for c in candidates]))
                    extra["critic_above"][(style.name, meter)].append(
                        0.5 if real_critic == median else float(real_critic > median)
                    )
                    extra["above_melodies"][(style.name, meter)].append(window_melody_name(window))
                    if s == 0:
                        rolls = [
                            track_rolls(c.arrangement.tracks[1:], engine.tracks, grid.n_steps)
                            for c in candidates
                        ]
                        again = take_scores(engine, grid, index, rolls)
                        error = np.max(np.abs(again - [c.score for c in candidates]))
                        rescore_error = max(rescore_error, float(error))
            for j, tune in enumerate(folk_tunes(refs, meter, args.folk, args.split)):
                # The tune's notated bars (its pickup as a short first bar), as the
                # chorale benchmark gives them since session 16; --pickup-at-zero reads
                # the tunes as before (the pickup at tick 0, for the detector to find).
                melody, signatures, phase = folk_melody(tune, 8, pickup_at_zero=args.pickup_at_zero)
                steps = [(round(q * 4), a, b) for q, a, b in signatures]
                for s in range(args.seeds):
                    try:
                        candidates = engine.generate(
                            melody, k=K, seed=1000 * s + j, style=style.name
                        )
                    except ComposerError:
                        skipped[(style.name, meter, "folk")] += 1
                        break
                    rows[(style.name, meter, "folk")].append(
                        judge_take(
                            candidates,
                            steps,
                            round(phase * 4),
                            (style.name, meter, "folk", j, s) if dump else None,
                            engine,
                            f"folk {tune.ref}",
                        )
                    )
            print(
                f"{style.name} {meter}: {len(rows[(style.name, meter, 'band')])} band sets, "
                f"{len(rows[(style.name, meter, 'folk')])} folk sets "
                f"({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    if dump:
        import pickle  # the benchmark's own file, read back by its analysis; never a model

        args.dump.write_bytes(pickle.dumps(DUMP))
    report(args, engine, rows, real_above, spoiled_below, real_measures, skipped, rescore_error,
           time.perf_counter() - started, extra)  # fmt: skip


def score_negatives(engine, grid, index, window, neighbour, rng, spoiled, extra) -> float:
    """The critic alone's score of MMA's rendering; records, per kind, whether the real
    one is scored above each spoiled copy: the benchmark's own five (``spoiled``) by the
    critic alone, and ``models.band_negatives``' kinds by the ranking and by the critic."""
    positions = np.stack(meter_positions([(0, window.meter)], window.n_steps, 0))
    negatives = {}
    for kind in KINDS:
        other = neighbour.tracks if neighbour is not window else None
        negatives[kind] = spoil_window(kind, engine.tracks, window.tracks, positions, rng, other)
    ranked = take_scores(engine, grid, index, [window.tracks, *negatives.values()])
    raw = take_scores(engine, grid, index, [window.tracks, *negatives.values(), *spoiled], True)
    labels = [f"neg:{k}" for k in KINDS] + list(brm.SPOILED)
    copies = [*negatives.values(), *spoiled]
    for i, (label, tracks) in enumerate(zip(labels, copies, strict=True)):
        if all(np.array_equal(a[0], b[0]) for a, b in zip(tracks, window.tracks)):
            continue  # a steady groove shuffled is the same groove
        labelled = [label]
        shuffled = label == "neg:drums_shuffled"
        if shuffled and brm.moved_hits(engine.tracks, window.tracks, tracks) >= MOVED:
            labelled.append(SHUFFLED_MOVED)  # the reading of band_shuffle_change.py
        for name in labelled:
            if name.startswith("neg:"):
                v = ranked[0] - ranked[1 + i]
                extra["ranked"][name].append(0.5 if v == 0 else float(v > 0))
            v = raw[0] - raw[1 + i]
            extra["critic"][name].append(0.5 if v == 0 else float(v > 0))
            extra["melodies"][name].append(window_melody_name(window))
    return float(raw[0])


MOVED = 0.10
SHUFFLED_MOVED = "neg:drums_shuffled, 10%+ of hits moved"


def report(args, engine, rows, real_above, spoiled_below, real_measures, skipped, error, seconds,
           extra):  # fmt: skip
    import band_ranking_report as rep

    text, result = rep.tables(
        rows, real_above, spoiled_below, real_measures, skipped, extra["above_melodies"],
        extra["spoiled_melodies"],
    )  # fmt: skip
    more, more_result = rep.negatives_lines(extra, HELD_OUT_KINDS)
    text, result = text + more, result | more_result
    command = " ".join(["python", *sys.argv])
    head = [
        f"## {args.split} split, {datetime.date.today().isoformat()}",
        "",
        f"`{command}`, {seconds:.0f} s; model `{engine.model_path.name}`. "
        f"Re-scoring the engine's own candidates with `take_scores`: max difference {error:.2g}.",
        "",
    ]
    print("\n".join(head + text))
    result |= {"command": command, "split": args.split, "seconds": round(seconds)}
    result |= {"model": engine.model_path.name, "rescore_max_difference": error}
    out = args.out or (DOCS / "band-ranking.json" if args.split == "test" else None)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1, default=_no_nan) + "\n")
    if args.split == "test" and args.out is None:
        md = DOCS / "band-ranking.md"
        before = md.read_text() if md.exists() else rep.MD_HEAD
        md.write_text(before.rstrip("\n") + "\n\n" + "\n".join(head + text) + "\n")


def _no_nan(value):
    return None if isinstance(value, float) and math.isnan(value) else str(value)


if __name__ == "__main__":
    main()
