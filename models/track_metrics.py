"""Metrics per track kind, for a band model's candidates against its data's own values.

Every track gets what applies to its kind, on the ``(sounding, onsets)`` rolls that
``models.sampling.clean_candidates`` returns (bars are ``steps_per_bar`` long, a last
partial bar counts as a bar):

- every track: ``empty_bars`` (share of bars where nothing sounds or, for drums, is
  struck) and ``notes_per_bar`` (notes started per non-empty bar);
- pitched tracks (voice, bass, chords): ``pitch_classes_per_bar`` (distinct pitch
  classes sounding in a non-empty bar, MuseGAN's UPC);
- chords: ``notes_per_chord`` (notes struck together, averaged over the chords);
- drums: ``bars_with_drums`` and ``hits_per_bar_<group>`` for each group of the kit
  (kick, snare, hi-hat, toms, cymbals, percussion);
- the band together (``"band"``): ``bass_on_chord_tone_downbeats``, the share of bar
  starts where the bass plays a pitch class the chords tracks sound.

``compare_to_data`` puts the candidates' mean beside the data's own, track by track,
so a table can say "the bass plays 3.9 notes a bar, the data 4.0".
"""

from __future__ import annotations

import numpy as np

from models.pianoroll import bars_in
from models.track_cleanup import pitch_classes
from models.tracks import DRUM_KIT, TrackSpec

# Kit rows by group, by name in DRUM_KIT, so the groups follow the kit if it changes.
KIT_GROUPS = {
    "kick": ("kick",),
    "snare": ("snare", "side stick", "hand clap"),
    "hihat": ("closed hi-hat", "pedal hi-hat", "open hi-hat"),
    "toms": ("floor tom", "low tom", "mid tom", "high tom"),
    "cymbals": ("crash", "ride", "ride bell"),
    "percussion": ("tambourine", "cowbell", "shaker", "low conga", "high conga", "claves"),
}
_KIT_NAMES = [name for name, _ in DRUM_KIT]
KIT_GROUP_ROWS = {g: [_KIT_NAMES.index(n) for n in names] for g, names in KIT_GROUPS.items()}


def _bars(roll: np.ndarray, steps_per_bar: int) -> np.ndarray:
    """``(step, rows)`` → ``(bar, steps_per_bar, rows)``, the last bar padded silent."""
    n_bars = max(1, bars_in(roll.shape[0], steps_per_bar))
    padded = np.zeros((n_bars * steps_per_bar, roll.shape[1]), dtype=bool)
    padded[: roll.shape[0]] = roll
    return padded.reshape(n_bars, steps_per_bar, roll.shape[1])


def _mean(values) -> float:
    values = np.asarray(values, dtype=np.float64)
    return float(values.mean()) if values.size else float("nan")


def track_kind_metrics(
    sounding: np.ndarray, onsets: np.ndarray, track: TrackSpec, steps_per_bar: int
) -> dict[str, float]:
    """The metrics that apply to one track's rolls ``(step, rows)``."""
    heard = onsets if track.is_drums else sounding
    bars = _bars(heard, steps_per_bar)
    started = _bars(onsets, steps_per_bar)
    playing = bars.any(axis=(1, 2))
    out = {
        "empty_bars": float(1.0 - playing.mean()),
        "notes_per_bar": _mean(started.sum(axis=(1, 2))[playing]),
    }
    if not track.is_drums:
        pitches = np.array([track.row_pitch(r) for r in range(track.n_rows)])
        classes = np.zeros((track.n_rows, 12), dtype=bool)
        classes[np.arange(track.n_rows), pitches % 12] = True
        per_bar = (bars.any(axis=1).astype(int) @ classes.astype(int)) > 0  # (bar, 12)
        out["pitch_classes_per_bar"] = _mean(per_bar.sum(axis=1)[playing])
    if track.kind == "chords":
        struck = onsets.sum(axis=1)
        out["notes_per_chord"] = _mean(struck[struck > 0])
    if track.is_drums:
        out["bars_with_drums"] = float(playing.mean())
        for group, rows in KIT_GROUP_ROWS.items():
            out[f"hits_per_bar_{group}"] = _mean(started[:, :, rows].sum(axis=(1, 2)))
    return out


def bass_on_chord_tones(
    candidate: list[tuple[np.ndarray, np.ndarray]],
    tracks: tuple[TrackSpec, ...],
    steps_per_bar: int,
) -> float:
    """Share of downbeats (bar starts) where the bass sounds a pitch class that a chords
    track sounds then; NaN without a bass and a chords track, or with no such downbeat."""
    bass = [i for i, t in enumerate(tracks) if t.kind == "bass"]
    chords = [i for i, t in enumerate(tracks) if t.kind == "chords"]
    if not bass or not chords:
        return float("nan")
    downbeats = np.arange(0, candidate[bass[0]][0].shape[0], steps_per_bar)
    low = pitch_classes(candidate[bass[0]][0], tracks[bass[0]])[downbeats]
    harmony = np.zeros_like(low)
    for i in chords:
        harmony |= pitch_classes(candidate[i][0], tracks[i])[downbeats]
    judged = low.any(axis=1) & harmony.any(axis=1)
    return _mean((low & harmony).any(axis=1)[judged])


def candidate_metrics(
    candidates: list[list[tuple[np.ndarray, np.ndarray]]],
    tracks: tuple[TrackSpec, ...],
    steps_per_bar: int,
) -> dict[str, dict[str, float]]:
    """Per track name, each metric's mean over the candidates (or real windows)."""
    out: dict[str, dict[str, float]] = {}
    for t, track in enumerate(tracks):
        rows = [track_kind_metrics(*c[t], track, steps_per_bar) for c in candidates]
        out[track.name] = {k: float(np.nanmean([r[k] for r in rows])) for k in rows[0]}
    agreement = [bass_on_chord_tones(c, tracks, steps_per_bar) for c in candidates]
    if not np.isnan(agreement).all():
        out["band"] = {"bass_on_chord_tone_downbeats": float(np.nanmean(agreement))}
    return out


def compare_to_data(
    generated: dict[str, dict[str, float]], data: dict[str, dict[str, float]]
) -> dict[str, dict[str, dict[str, float]]]:
    """``{track: {metric: {"model": x, "data": y}}}`` for the metrics both have."""
    return {
        name: {
            metric: {"model": value, "data": data[name][metric]}
            for metric, value in metrics.items()
            if metric in data.get(name, {})
        }
        for name, metrics in generated.items()
    }


def band_metrics_table(
    generator, data, bars: int = 4, k: int = 2, seed: int = 0, max_windows: int = 120
) -> dict:
    """The model's candidates on a band split's windows (at most ``max_windows``, spread
    over the split) against those windows' own tracks, per track and metric
    (``compare_to_data``), grouped by meter."""
    from models.band_evaluate import band_candidates, band_windows, spread

    by_meter: dict[int, tuple[list, list]] = {}
    for i, window in enumerate(spread(band_windows(data, bars), max_windows)):
        _, candidates = band_candidates(generator, window, k, seed + i)
        real, generated = by_meter.setdefault(window.meter.bar_steps, ([], []))
        real.append(window.tracks)
        generated.extend(candidates)
    tracks = generator.tracks
    return {
        f"{steps}-step bars": compare_to_data(
            candidate_metrics(generated, tracks, steps), candidate_metrics(real, tracks, steps)
        )
        for steps, (real, generated) in sorted(by_meter.items())
    }


def format_band_metrics(table: dict) -> str:
    """The table as text, one line per track and metric: model, then data."""
    lines = []
    for meter, tracks in table.items():
        lines.append(meter)
        for name, metrics in tracks.items():
            for metric, pair in metrics.items():
                model, real = pair["model"], pair["data"]
                lines.append(f"  {name:<10} {metric:<26} model {model:6.2f}   data {real:6.2f}")
    return "\n".join(lines)
