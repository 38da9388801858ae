"""What CTnCTR reads on the chorales: the melody's note in the chord.  Validation only.

Recorded command (docs/ranking.md, "Seventh pass"):

    python benchmarks/ranking_ctnctr_chord_tones.py --seeds 6

CTnCTR (``harmony_measures.ctnctr``) counts a melody step as a chord tone when the
accompaniment sounds its pitch class there (doubles it, in any octave), and credits a
non-chord tone only when it resolves by step to a chord tone. On the chorales'
validation split, 16 candidates a seed from ``Engine.generate``: per candidate, the share
of melody steps whose pitch class the accompaniment sounds (``in_chord``, CTnCTR's chord
tones alone); printed: its mean in-take Spearman correlation with CTnCTR, the first
choice and the median candidate on both, and Bach's own, to tell whether the first
choice's CTnCTR miss is its chords holding the melody's note less often than the others'
(and than Bach's) or its non-chord tones.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ranking_heldout as bh  # noqa: E402
import ranking_compound as rc  # noqa: E402

from composer_gui.core.engine import Engine  # noqa: E402
from models import harmony_measures as hm  # noqa: E402
from models.build_dataset import default_cache_dir, load_split  # noqa: E402
from models.evaluate import windows  # noqa: E402


def in_chord_share(texture: hm.Texture) -> float:
    """Share of the melody's sounding steps whose pitch class the accompaniment sounds
    (CTnCTR's chord tones)."""
    chord = hm.chord_pitch_classes(texture)  # (step, 12)
    steps = np.flatnonzero(texture.melody >= 0)
    if steps.size == 0:
        return np.nan
    return float(chord[steps, texture.melody[steps] % 12].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_cache_dir() / "bach-chorales")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    engine = Engine(None, "cpu")
    engine.load()
    rho, first, median, bach = [], [], [], []
    for i, w in enumerate(windows(load_split(args.data, "valid"), 8)):
        melody = bh.chorale_melody(w)
        signatures = [(0.0, *w.meter.signature)]
        lines = [bh.voice_notes(w.voices[v], w.onsets[v]) for v in range(4)]
        real = hm.texture_from_notes(lines[0], lines[1:], [(0, *w.meter.signature)])
        bach.append((in_chord_share(real), hm.ctnctr(real)))
        for s in range(args.seeds):
            candidates = engine.generate(melody, k=16, seed=1000 * s + i)
            textures = [bh.texture_of(c.arrangement, signatures, 0.0) for c in candidates]
            d = np.array([in_chord_share(t) for t in textures])
            c = np.array([hm.ctnctr(t) for t in textures])
            rho.append(rc.spearman(d, c))
            top = int(np.argmax([x.score for x in candidates]))
            first.append((d[top], c[top]))
            median.append((np.nanmedian(d), np.nanmedian(c)))
    first, median, bach = np.array(first), np.array(median), np.array(bach)
    print(
        f"{len(first)} validation sets; mean in-take Spearman(in chord, CTnCTR) "
        f"{np.nanmean(rho):.2f}"
    )
    print(f"{'':<28} {'in chord':>8} {'CTnCTR':>8}")
    for name, rows in (("first choice", first), ("median candidate", median), ("Bach", bach)):
        print(f"{name:<28} {np.nanmean(rows[:, 0]):8.3f} {np.nanmean(rows[:, 1]):8.3f}")
    wins = np.mean(first[:, 0] < median[:, 0])
    print(
        "first choice has the melody in its chord less often than the median: "
        f"{100 * wins:.0f}% of sets"
    )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
