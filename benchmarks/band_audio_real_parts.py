"""The band audio check (``band_audio_check``) on MMA's real parts: when a style's sample
misses a part, is it the rendering or the model's notes?

Each style's real parts (the band data's test split: ``--pieces`` pieces a style with no
pickup, their first 4 bars of 4/4 or 8 bars of 3/4, the meters of the samples) are
rendered exactly as the model's sample is: the chorale's soprano at velocity 80, the
style's programs, the built-in synth, and checked by ``band_audio_check.figures`` against
the same band rendered without each part. Where MMA's own parts miss a check as the
model's sample does, the cause is the rendering or the check; where they pass and the
sample misses, it is the notes. ``--flat`` renders every band track at velocity 64 (the
engine before session 11) instead of the style's mix (``BandStyle.levels``).

    python benchmarks/band_audio_real_parts.py [--flat] [--pieces 5]

Judges only: nothing here shapes the model or the mix.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import band_audio_check as bac  # noqa: E402


def real_arrangement(piece, data, style, n_steps: int, flat: bool):
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/data/band-mma-v2"))
    parser.add_argument("--pieces", type=int, default=5)
    parser.add_argument("--flat", action="store_true", help="every band track at velocity 64")
    args = parser.parse_args()
    from composer_gui.core.synth import SAMPLE_RATE, Mix, render_arrangement
    from models.band_pieces import load_band_split
    from models.band_styles import STYLES

    data = load_band_split(args.data, "test")
    print(f"mix: {'flat, velocity 64' if args.flat else 'the style mix (BandStyle.levels)'}")
    for style in STYLES:
        signature = (4, 4) if (4, 4) in style.grooves else (3, 4)
        n_steps = 64 if signature == (4, 4) else 96
        index = data.styles.index(style.name)
        pieces = [
            p
            for p in data.pieces()
            if int(p.style) == index
            and p.meter.signature == signature
            and p.bar_phase == 0
            and p.n_steps >= n_steps
        ][: args.pieces]
        rows = []
        for piece in pieces:
            band = real_arrangement(piece, data, style, n_steps, args.flat)
            heard = bac.mono(render_arrangement(band, tail_seconds=0.5))
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
            rows.append(bac.figures(heard, SAMPLE_RATE, without, style.tempo_bpm))
        median = {k: float(np.median([r[k] for r in rows])) for k in rows[0]}
        print(
            f"{style.name:<11} {len(rows)} pieces, median: bass {median['bass_low_ratio']:.2f}x  "
            f"drums {median['drums_high_ratio']:.2f}x, {median['drum_onsets_per_beat']:.2f} "
            f"hits/beat  chords {median['chords_mid_ratio']:.2f}x, "
            f"{median['classes_per_frame']:.1f} classes  (bass under 2x in "
            f"{sum(r['bass_low_ratio'] < bac.TARGETS['bass'] for r in rows)} of {len(rows)})"
        )


if __name__ == "__main__":
    main()
