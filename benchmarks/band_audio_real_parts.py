"""The band audio check (``band_audio_check``) on MMA's real parts, rendered as the model's
samples are: the range of each part's contribution that a style's real parts show.

Each style's real parts (a band data split's pieces of that style with no pickup, their
first 4 bars of 4/4 or 8 bars of 3/4, the meters of the samples) are rendered exactly as
the model's sample is: the chorale's soprano at velocity 80, the style's programs and
mix (``BandStyle.levels``), the built-in synth, written to OGG Vorbis and read back, and
measured by ``band_audio_check.figures`` against the same band rendered without each part.

The *validation* split's pieces set each style's range (``band_audio_check`` judges its
samples against it); the *test* split's are judged against that range, as the samples
are, to show how often a real part passes the rule. Nothing here shapes the model or the
mix. Results are written to ``docs/benchmarks/band-audio-real-parts.json`` (about 6
minutes on a loaded 2-core machine for 10 pieces a style and split):

    python benchmarks/band_audio_real_parts.py [--pieces 10] [--flat]

``--flat`` renders every band track at velocity 64 (the engine before session 11) and
writes nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_audio_check as bac  # noqa: E402
import band_audio_ranges as bar  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "docs" / "benchmarks" / "band-audio-real-parts.json"
DATA = Path("/work/data/band-mma-v2")


def sample_signature(style) -> tuple[int, int]:
    """The meter a style's sample is in (``band_audio_check.sample_melody``'s)."""
    return (4, 4) if (4, 4) in style.grooves else (3, 4)


def real_arrangement(piece, data, style, n_steps: int, flat: bool = False):
    """The piece's melody and real tracks as an arrangement the synth renders."""
    from composer_gui.core.arrangement import Arrangement, Note, Track
    from composer_gui.core.instruments import track_velocities
    from composer_gui.core.track_notes import accompaniment_tracks
    from models.pianoroll import LOWEST_PITCH

    melody, notes, step = piece.melody[:n_steps], [], 0
    while step < n_steps:
        if melody[step] < 0:
            step += 1
            continue
        end = step + 1
        while end < n_steps and melody[end] == melody[step] and not piece.melody_onsets[end]:
            end += 1
        pitch = int(melody[step]) + LOWEST_PITCH
        notes.append(Note(pitch, step / 4, (end - step) / 4, 80))
        step = end
    parts = [(s[:n_steps], o[:n_steps]) for s, o in zip(piece.sounding, piece.onsets)]
    programs = [style.programs.get(t.name, t.program) for t in data.tracks]
    velocity = 64 if flat else track_velocities(data.tracks, 64, style.name)
    tracks = accompaniment_tracks(parts, data.tracks, programs, 0, velocity)
    signature = tuple(piece.meter.signature)
    return Arrangement([Track("melody", notes), *tracks], float(style.tempo_bpm), signature)


def through_ogg(audio: np.ndarray, rate: int) -> np.ndarray:
    """``audio`` downmixed to mono, written as OGG Vorbis and read back, as the samples
    are heard (the codec trims the highest band a little)."""
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, bac.mono(audio), rate, format="OGG", subtype="VORBIS")
    buffer.seek(0)
    return soundfile.read(buffer)[0]


def band_figures(band, heard: np.ndarray | None = None) -> dict:
    """``band_audio_check.figures`` of an arrangement with tracks named melody, drums,
    bass, chords, pad: ``heard`` (the sample's file, read back) or the band rendered and
    passed through OGG, against the band rendered without each part."""
    from composer_gui.core.synth import SAMPLE_RATE, Mix, render_arrangement

    if heard is None:
        heard = through_ogg(render_arrangement(band, tail_seconds=0.5), SAMPLE_RATE)
    where = {t.name: i for i, t in enumerate(band.tracks)}
    muted = {
        "drums": {where["drums"]},
        "bass": {where["bass"]},
        "chords": {where["chords"], where["pad"]},
    }
    without = {
        part: render_arrangement(band, Mix(muted=frozenset(m)), tail_seconds=0.5)
        for part, m in muted.items()
    }
    return bac.figures(heard, SAMPLE_RATE, without, band.tempo_bpm)


def notes_per_bar(band, n_bars: int) -> dict[str, float]:
    """Notes (drums: hits) each band track starts per bar in the first ``n_bars`` bars."""
    end = n_bars * band.beats_per_bar()
    return {
        t.name: sum(n.start_beat < end - 1e-6 for n in t.notes) / n_bars for t in band.tracks[1:]
    }


def style_pieces(data, style, count: int) -> list:
    """The first ``count`` pieces of ``style`` in the sample's meter, no pickup, long
    enough for the sample's bars."""
    signature = sample_signature(style)
    n_steps = 64 if signature == (4, 4) else 96
    index = data.styles.index(style.name)
    return [
        p
        for p in data.pieces()
        if int(p.style) == index
        and p.meter.signature == signature
        and p.bar_phase == 0
        and p.n_steps >= n_steps
    ][:count]


def real_rows(split: str, count: int, flat: bool = False, data_dir: Path = DATA) -> dict:
    """``{style: [figures and notes per bar of each piece]}`` of one split."""
    from models.band_pieces import load_band_split
    from models.band_styles import STYLES

    data = load_band_split(data_dir, split)
    out = {}
    for style in STYLES:
        n_bars = 4 if sample_signature(style) == (4, 4) else 8
        rows = []
        for piece in style_pieces(data, style, count):
            band = real_arrangement(piece, data, style, n_bars * piece.meter.bar_steps, flat)
            rows.append({**band_figures(band), "notes_per_bar": notes_per_bar(band, n_bars)})
        out[style.name] = rows
        print(f"  {split} {style.name}: {len(rows)} pieces", file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--pieces", type=int, default=10, help="pieces a style and split")
    parser.add_argument("--flat", action="store_true", help="every band track at velocity 64")
    parser.add_argument("--out", type=Path, default=RECORD)
    args = parser.parse_args()
    record = {
        "data": str(args.data),
        "mix": "flat, velocity 64" if args.flat else "the style mix (BandStyle.levels)",
        "pieces": args.pieces,
        **{split: real_rows(split, args.pieces, args.flat, args.data) for split in bar.SPLITS},
    }
    if not args.flat:
        args.out.write_text(json.dumps(record, indent=1) + "\n")
    print(f"mix: {record['mix']}")
    for split in bar.SPLITS:
        for style, rows in record[split].items():
            ranges = bar.part_ranges(rows)
            print(f"{split:<5} {style:<11} {len(rows):>2} pieces  " + bar.format_ranges(ranges))


if __name__ == "__main__":
    main()
