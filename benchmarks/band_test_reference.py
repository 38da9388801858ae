"""The like-for-like yardstick of ``bench_band_styles``: the band model against MMA's real
parts, on the same melodies, in the same style and meter, judged by the same code.

Issue 17 asked the band's PCS and CTnCTR to be within 10% of the chorale model's. That
compares a four-track band with three voices: a chord and a pad over a bass sound more
pitch classes against each melody note than three voices do, and PCS counts every
melody-accompaniment pair, so real band parts score below Bach's voices whoever wrote
them (MMA's own renderings: PCS 0.38-0.71; Bach's voices 0.62). The fair question is
whether the model plays its style as well as the style's real parts do:

- melodies: the band dataset's *test* split, Bach's sopranos, never trained on;
- the reference: that split's accompaniment tracks, MMA's real renderings of Bach's own
  chords for that melody in that style and meter, written to a MIDI file laid out as the
  engine writes one (melody first, then bass, chords and pad; drums on channel 10);
- the model: the same melody through the engine (``Engine.generate(k=4, seed=0,
  style=...)``), written by the app's MIDI writer;
- both files judged by ``bench_band_styles.judge_band``: PCS, CTnCTR, bass on a chord
  tone at downbeats, drums in bars, empty bars, style named.

Judged only: the test split shapes nothing (the model is trained on the training split,
calibrated on the validation split).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import corpus_tunes as ct
import mido
import numpy as np

from models.pianoroll import LOWEST_PITCH
from models.tracks import TrackSpec

STEPS_PER_QUARTER = 4


def _notes_of(sounding: np.ndarray, onsets: np.ndarray, track: TrackSpec):
    """``(start step, end step, MIDI pitch)`` of a track's rolls (drums: one step each)."""
    notes = []
    for row in range(sounding.shape[1]):
        held, starts = sounding[:, row], onsets[:, row]
        step = 0
        while step < held.shape[0]:
            if held[step] or starts[step]:
                end = step + 1
                while end < held.shape[0] and held[end] and not starts[end]:
                    end += 1
                notes.append((step, end, track.row_pitch(row)))
                step = end
            else:
                step += 1
    return sorted(notes)


def from_first_bar(piece):
    """The piece from the bar of its first melody note on: the engine leaves out bars
    before a melody's first note, so the real parts are compared from there too."""
    first = int(np.flatnonzero(piece.melody >= 0)[0])
    bar = piece.meter.bar_steps
    cut = (first + piece.bar_phase) // bar * bar - piece.bar_phase
    if cut <= 0:
        return piece
    return replace(
        piece,
        melody=piece.melody[cut:],
        melody_onsets=piece.melody_onsets[cut:],
        sounding=[s[cut:] for s in piece.sounding],
        onsets=[o[cut:] for o in piece.onsets],
        bar_phase=0,
    )


def melody_steps(voice, onsets) -> list[tuple[int, int, int]]:
    """A melody roll (pitch index a step, -1 silent; onsets where a note is struck) as
    notes ``(start step, end step, MIDI pitch)``: a note lasts while its pitch holds and
    no new onset is struck."""
    notes, step = [], 0
    while step < voice.shape[0]:
        if voice[step] < 0:
            step += 1
            continue
        end = step + 1
        while end < voice.shape[0] and voice[end] == voice[step] and not onsets[end]:
            end += 1
        notes.append((step, end, int(voice[step]) + LOWEST_PITCH))
        step = end
    return notes


def piece_tune(piece, name: str) -> ct.Tune:
    """A band piece's melody as a benchmark tune (its meter and pickup kept)."""
    notes = [
        (a / STEPS_PER_QUARTER, b / STEPS_PER_QUARTER, p)
        for a, b, p in melody_steps(piece.melody, piece.melody_onsets)
    ]
    meter = piece.meter
    ref = ct.TuneRef("band test split", name.replace(".", "_"), 0, str(meter))
    return ct.Tune(
        ref,
        name,
        notes,
        [(0.0, meter.numerator, meter.denominator)],
        padding_quarters=int(piece.bar_phase) / STEPS_PER_QUARTER,
        meters={str(meter)},
    )


def write_real_parts(piece, tracks, tune: ct.Tune, path: Path) -> None:
    """The piece's melody and real tracks as a MIDI file in the engine's layout."""
    midi = mido.MidiFile(ticks_per_beat=ct.TICKS)
    per_step = ct.TICKS // STEPS_PER_QUARTER

    def track_of(name: str, channel: int, notes) -> mido.MidiTrack:
        events = [(0, 0, mido.MetaMessage("track_name", name=name))]
        if not midi.tracks:
            _, numerator, denominator = tune.signatures[0]
            events.append(
                (
                    0,
                    0,
                    mido.MetaMessage(
                        "time_signature", numerator=numerator, denominator=denominator
                    ),
                )
            )
        for a, b, pitch in notes:
            events.append((b * per_step, 1, mido.Message("note_off", channel=channel, note=pitch)))
            events.append(
                (a * per_step, 2, mido.Message("note_on", channel=channel, note=pitch, velocity=80))
            )
        out, now = mido.MidiTrack(), 0
        for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
            out.append(message.copy(time=tick - now))
            now = tick
        return out

    melody = [
        (round(a * STEPS_PER_QUARTER), round(b * STEPS_PER_QUARTER), p) for a, b, p in tune.notes
    ]
    midi.tracks.append(track_of("melody", 0, melody))
    for i, (track, sounding, onsets) in enumerate(zip(tracks, piece.sounding, piece.onsets)):
        channel = 9 if track.is_drums else i + 1
        midi.tracks.append(track_of(track.name, channel, _notes_of(sounding, onsets, track)))
    midi.save(path)


def test_pieces(data, style_index: int, signature: tuple[int, int], count: int) -> list[int]:
    """The first ``count`` test pieces (by name) of one style in one meter."""
    found = [
        i
        for i in range(len(data))
        if int(data.piece_styles[i]) == style_index
        and tuple(int(v) for v in data.meters[i]) == signature
    ]
    return sorted(found, key=lambda i: str(data.names[i]))[:count]


def reference_rows(bench, engine, data, styles, meters, count, classifiers, work: Path):
    """Per style and meter: MMA's real parts, then the model, on the same test melodies
    (``bench`` is ``bench_band_styles``, whose judge and summary both rows share)."""
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for meter in meters:
        signature = tuple(int(v) for v in meter.split("/"))
        for style in styles:
            if signature not in style.grooves:
                continue
            chosen = test_pieces(data, list(data.styles).index(style.name), signature, count)
            if not chosen:
                continue
            playing = ("drums", *(t for t, names in style.sources.items() if names))
            real, model, refused = [], [], []
            for i in chosen:
                piece = from_first_bar(data.piece(i))
                tune = piece_tune(piece, f"{piece.name}")
                stem = "".join(c if c.isalnum() else "_" for c in piece.name)
                real_file = work / f"{stem}-mma.mid"
                write_real_parts(piece, data.tracks, tune, real_file)
                real.append(bench.judge_band(tune, real_file, playing, classifiers.get(meter)))
                out = bench.run_engine(engine, tune, work, style.name, "model")
                if isinstance(out, str):
                    refused.append(out)
                else:
                    model.append(bench.judge_band(tune, out, playing, classifiers.get(meter)))
            real_row = bench.summarise(style.name, meter, real, [], {})
            model_row = bench.summarise(style.name, meter, model, refused, real_row)
            real_row["style"] = f"{style.name}: MMA's real parts"
            model_row["style"] = f"{style.name}: band model"
            rows += [real_row, model_row]
    return rows


def reference_verdicts(rows: list[dict], targets: dict) -> list[str]:
    """Per style and meter, the model against the real parts: its PCS and CTnCTR at least
    ``targets["ratio"]`` of theirs, and the band targets on the same melodies."""
    out = []
    for real, model in zip(rows[::2], rows[1::2], strict=True):
        checks = {
            "PCS >= 0.9x MMA's": model["pcs_ratio"] >= targets["ratio"],
            "CTnCTR >= 0.9x MMA's": model["ctnctr_ratio"] >= targets["ratio"],
            "bass on chord tone >= 85%": model["bass_on_chord"] >= targets["bass_on_chord"],
            "drums >= 95% of bars": model["drum_bars"] >= targets["drum_bars"],
        }
        missed = [k for k, ok in checks.items() if not ok]
        style = model["style"].split(":")[0]
        out.append(
            f"- {style} {model['meter']} ({model['tunes']} melodies): "
            + ("all met" if not missed else "NOT met: " + ", ".join(missed))
            + f"; style named right: model {100 * model['style_right']:.0f}%, "
            f"MMA's own {100 * real['style_right']:.0f}%"
        )
    return out
