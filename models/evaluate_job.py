"""The ``composer-gui evaluate`` job: a model measured on a split, as text and JSON, and,
with ``update_card``, its figures and critic calibration written into its model card.

A chorale model is measured by ``models.evaluate`` (the table against real Bach, the
transposition check, the critic's ranking). A band model's tracks are of any kinds, so it
is measured per track kind (``models.track_metrics``): each track's measures on the
model's candidates beside the same measures on the split's real tracks, by meter, and
where the model's median candidate sits among the critic's scores of the real windows.
Which job runs is the model's: its tracks decide, and the dataset must be of the same
kind, tracks and styles (a band model's figures on another band's rows would be wrong).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from models.build_dataset import Dataset, voices_to_roll
from models.errors import DatasetError
from models.evaluate import (
    HEADLINE,
    _row,
    candidate_calibration,
    critic_calibration,
    evaluation_table,
    percentile,
    ranking_quality,
    targets_met,
    transposition_correlation,
    windows,
)
from models.pianoroll import N_PITCHES
from models.sampling import candidate_probabilities, melody_condition, pad_length


def format_table(table: dict[str, dict[str, float]]) -> str:
    columns = [*HEADLINE, "diversity"]
    titles = ["empty bars", "pc/bar", "qualified", "polyphony", "in-key", "tonal dist", "diversity"]
    lines = [f"{'':<16}" + "".join(f"{t:>11}" for t in titles)]
    for row_name, row in table.items():
        cells = "".join(
            f"{row[c]:>11.3f}" if c in row and not math.isnan(row[c]) else f"{'-':>11}"
            for c in columns
        )
        lines.append(f"{row_name:<16}{cells}")
    return "\n".join(lines)


def _write_card(model_path: Path, card: dict) -> None:
    path = Path(model_path).with_suffix(".json")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(card, indent=2) + "\n")
    tmp.replace(path)


def _calibration_split(split: str) -> str:
    """The critic is calibrated on the validation split, never the split being measured."""
    return "valid" if split != "valid" else "train"


def run_evaluation(
    model_path,
    data_dir,
    split: str,
    k: int = 4,
    bars: int = 8,
    update_card: bool = False,
) -> dict:
    """Measure the model at ``model_path`` on ``split`` of the dataset in ``data_dir``:
    ``{"text": ..., "json": ...}``; a band model by its tracks, the chorale by Bach's."""
    from models.band_pieces import is_band_dataset
    from models.checkpoint import load_model
    from models.tracks import CHORALE_TRACKS

    generator, critic, card = load_model(model_path)
    band_model = tuple(generator.config.track_specs) != CHORALE_TRACKS
    if band_model != is_band_dataset(data_dir):
        wanted = (
            "a band dataset ('composer-gui dataset build --band' or '--songs DIR')"
            if band_model
            else "the chorale dataset ('composer-gui dataset build')"
        )
        kind = "band" if band_model else "chorale"
        raise DatasetError(
            f"{Path(model_path).name} is a {kind} model; measure it on {wanted}, not on {data_dir}."
        )
    if band_model:
        return band_evaluation(
            generator, critic, card, model_path, data_dir, split, k, bars, update_card
        )
    return chorale_evaluation(
        generator, critic, card, model_path, data_dir, split, k, bars, update_card
    )


def chorale_evaluation(
    generator, critic, card, model_path, data_dir, split, k, bars, update_card
) -> dict:
    """Table, conditioning, ranking and calibration of a chorale model.

    With ``update_card`` the figures and the critic calibration (from the validation
    split, never the split being measured) are written into the model card.
    """
    from models.build_dataset import load_split, read_manifest

    started = time.monotonic()
    data = load_split(data_dir, split)
    table = evaluation_table(generator, data, k=k, bars=bars)
    table["model (raw network)"] = raw_network_row(generator, data, bars=bars)
    transposition = transposition_correlation(generator, data, k=k, bars=bars)
    ranking = ranking_quality(generator, critic, data, table["bach"], k=16, bars=bars)
    met = targets_met(table)
    result_json = {
        "model": str(model_path),
        "split": split,
        "data_hash": read_manifest(data_dir)["content_hash"],
        "bars": bars,
        "candidates": k,
        "table": table,
        "transposition_correlation": transposition,
        "critic_top_beats_median": ranking,
        "targets_met": met,
    }
    text = "\n".join(
        [
            format_table(table),
            "",
            f"transposition: accompaniment follows the melody (circular correlation) "
            f"{transposition:.3f}  (target >= 0.8)",
            f"critic ranking: top of 16 closer to Bach's metrics than the median for "
            f"{100 * ranking['critic']:.0f}% of melodies (target >= 70%; Bach's own "
            f"accompaniment would be for {100 * ranking['bach_own']:.0f}%); closer to Bach's "
            f"harmony for {100 * ranking['harmony']:.0f}% (a consensus pick without the "
            f"critic: {100 * ranking['consensus']:.0f}%); fewer parallel octaves and fifths "
            f"for {100 * ranking['voice_leading']:.0f}%",
            "targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in met.items()),
            f"({time.monotonic() - started:.0f} s)",
        ]
    )
    if update_card:
        calibration_split = _calibration_split(split)
        held_out = load_split(data_dir, calibration_split)
        real = critic_calibration(critic, held_out, bars)
        candidates = candidate_calibration(generator, critic, held_out, bars)
        card["calibration"] = {
            "split": calibration_split,
            "bars": bars,
            "quantiles": real,  # what Candidate.percentile reads
            "candidate_quantiles": candidates,
            "candidate_median_on_real_scale": percentile(candidates[50], real),
        }
        # The number the app shows: the ranking score among the candidates and Bach.
        from models.ranking import checked_calibration

        card["calibration"] |= checked_calibration(
            critic, held_out, real, bars, generator=generator
        )
        card["metrics"] = {split: result_json | {"model": Path(model_path).name}}
        _write_card(model_path, card)
    return {"text": text, "json": result_json}


def _same_band(generator, data, data_dir) -> None:
    """Refuse a dataset whose tracks or styles are not the model's, naming the first
    difference: its rows would be read as the model's pitches, its styles as others."""
    model_tracks = tuple(generator.config.track_specs)

    def rows(tracks) -> list[tuple]:  # a program heard differently measures the same
        return [(t.name, t.kind, t.low, t.high) for t in tracks]

    if rows(data.tracks) != rows(model_tracks):
        mine = ", ".join(f"{t.name} ({t.kind} {t.low}-{t.high})" for t in model_tracks)
        theirs = ", ".join(f"{t.name} ({t.kind} {t.low}-{t.high})" for t in data.tracks)
        raise DatasetError(
            f"The model's tracks are {mine}, the dataset's in {data_dir} are {theirs}; "
            "measure a model on the kind of dataset it was trained on."
        )
    styles = tuple(generator.config.styles)
    if len(data.styles) > 1 and data.styles != styles:
        raise DatasetError(
            f"The model plays the styles {', '.join(styles) or 'one style'}, the dataset in "
            f"{data_dir} has {', '.join(data.styles)}; measure it on its own kind of data."
        )


def band_evaluation(
    generator, critic, card, model_path, data_dir, split, k, bars, update_card
) -> dict:
    """A band model per track kind: each track's measures (``models.track_metrics``) on
    the model's candidates and on the split's real tracks, by meter, and the critic's
    view: where the median candidate sits among its scores of the split's real windows.

    With ``update_card`` the critic calibration from the validation split (as ``train
    --export`` writes it, ``models.band_evaluate.band_calibration``) and the figures go
    into the card.
    """
    from models.band_evaluate import band_calibration
    from models.band_pieces import load_band_split
    from models.track_metrics import band_metrics_table, format_band_metrics

    started = time.monotonic()
    data = load_band_split(data_dir, split)
    _same_band(generator, data, data_dir)
    table = band_metrics_table(generator, data, bars=bars, k=k)
    on_split = band_calibration(generator, critic, data, bars, k=k, max_windows=100)
    median = on_split["candidate_median_on_real_scale"]
    result_json = {
        "model": str(model_path),
        "kind": "band",
        "split": split,
        "bars": bars,
        "candidates": k,
        "tracks": [t.name for t in data.tracks],
        "styles": list(data.styles),
        "table": table,
        "candidate_median_among_real": median,
    }
    text = "\n".join(
        [
            f"{Path(model_path).stem} on the {split} split: each track's measures on the "
            f"model's candidates ({k} a window of {bars} bars) and on the real tracks",
            format_band_metrics(table),
            "",
            f"critic: the median candidate scores above {median:.0f}% of the split's real "
            "windows (50% would be as real as the data)",
            f"({time.monotonic() - started:.0f} s)",
        ]
    )
    if update_card:
        calibration_split = _calibration_split(split)
        held_out = load_band_split(data_dir, calibration_split)
        card["calibration"] = {
            "split": calibration_split,
            **band_calibration(generator, critic, held_out, bars),
        }
        card["metrics"] = {split: result_json | {"model": Path(model_path).name}}
        _write_card(model_path, card)
    return {"text": text, "json": result_json}


def raw_network_row(generator, data: Dataset, bars: int = 8, seed: int = 0) -> dict[str, float]:
    """Metrics of the plain argmax voices before clean-up: what the network itself writes
    (clean-up removes every note shorter than two steps, so qualified notes would read 1.0)."""
    from models.cleanup import labels_to_roll, voice_labels

    wins = windows(data, bars)
    rolls = []
    for i, w in enumerate(wins):
        t = w.voices.shape[1]
        n = pad_length(t, generator.config.time_multiple)
        device = next(generator.parameters()).device
        cond = melody_condition(w.voices[0], w.onsets[0], w.meter, 0, n, device)
        probs = candidate_probabilities(generator, cond, 2, seed + i).cpu().numpy()
        melody = voices_to_roll(w.voices[:1])
        rolls.append(
            np.stack(
                [
                    np.concatenate([melody, labels_to_roll(voice_labels(p[:, :t]), N_PITCHES)])
                    for p in probs
                ]
            )
        )
    return _row(rolls, [w.steps_per_bar for w in wins])
