"""One short audio sample per band style, rendered by the built-in synth, and listened to by
its spectrum: are the drums, the bass and the chords there?

Recorded command (writes ``docs/audio/band-<style>.ogg``, prints the figures, ~1 minute):

    python benchmarks/band_audio_check.py

Each sample is the best of 4 candidates (seed 0) of the shipped band model in that style
on a sample melody: the first 4 bars of Ode to Joy (4/4), or all 8 bars of Amazing Grace
(3/4) for the waltz, at the style's tempo, rendered by ``core.synth.render_arrangement``
(FluidSynth, the General MIDI bank, drums on channel 10; each style's own programs,
checked before rendering, and its mix, ``BandStyle.levels``), downmixed to mono and
written as OGG Vorbis.  The check reads the OGG file back (what a reader hears) and compares it
with the same band rendered without each part (``band_audio_real_parts.band_figures``):

- bass: the energy under 200 Hz, with the bass over without it;
- drums: the energy of 5-12 kHz, with the drums over without them, and the drum onsets
  per beat there (spectral flux peaks above the loudest 5% the rest of the band makes);
- chords (chords and pad): the energy of 200-2000 Hz, with them over without them, and
  the pitch classes per frame (chroma of 100-2000 Hz, classes within 10 dB of the
  frame's strongest) they add.

A part is present when what it adds reaches the range its style's real parts show,
rendered the same way (``band_audio_ranges``: a fraction of their median, the fraction
chosen on the band data's validation split; its pieces are not the ones judged). Each
style's sample is printed with those figures, the real range, the verdict, the test
split's real parts judged by the same rule, and the notes each track plays a bar beside
MMA's. The real parts' figures come from ``docs/benchmarks/band-audio-real-parts.json``
(``python benchmarks/band_audio_real_parts.py`` writes it).

``--check-only`` reads the files already in ``docs/audio`` and writes nothing (it still renders
the band, whole and without each part, to measure the file and to compare it with it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "audio"
FRAME, HOP = 4096, 1024
STALE = 0.01  # of the file's RMS: over it, the file is not the product's rendering


def sample_melody(meter: tuple[int, int]):
    from composer_gui.core.arrangement import Arrangement, Track
    from composer_gui.core.midi_file import read_melody
    from composer_gui.paths import resource_path

    name, beats = ("ode_to_joy", 16) if meter == (4, 4) else ("amazing_grace", 24)
    melody = read_melody(resource_path("melodies", f"{name}.mid"))
    notes = [n for n in melody.tracks[0].notes if n.start_beat < beats]
    return name, Arrangement([Track("melody", notes)], melody.tempo_bpm, melody.time_signature)


def mono(audio: np.ndarray) -> np.ndarray:
    return audio.mean(axis=1) if audio.ndim == 2 else audio


def power_spectrum(audio: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """``(frame, bin)`` power of Hann-windowed frames, and the bins' frequencies."""
    x = mono(audio).astype(np.float64)
    n_frames = max(1, 1 + (len(x) - FRAME) // HOP)
    frames = np.stack([x[i * HOP : i * HOP + FRAME] for i in range(n_frames)])
    power = np.abs(np.fft.rfft(frames * np.hanning(FRAME), axis=1)) ** 2
    return power, np.fft.rfftfreq(FRAME, 1 / rate)


def band_energy(power, freqs, low: float, high: float) -> float:
    return float(power[:, (freqs >= low) & (freqs < high)].sum())


def high_flux(power, freqs) -> np.ndarray:
    """Positive spectral flux of the 5-12 kHz band per frame (where hits show)."""
    magnitude = np.sqrt(power[:, (freqs >= 5000) & (freqs < 12000)])
    return np.maximum(np.diff(magnitude, axis=0), 0).sum(axis=1)


def onsets(flux: np.ndarray, threshold: float) -> int:
    """Local peaks of the flux above ``threshold``."""
    inner = flux[1:-1]
    return int(((inner > threshold) & (inner >= flux[:-2]) & (inner > flux[2:])).sum())


def pitch_classes_per_frame(power, freqs) -> float:
    """Pitch classes within 10 dB of the frame's strongest (100-2000 Hz), loud frames."""
    band = (freqs >= 100) & (freqs <= 2000)
    classes = (np.round(12 * np.log2(freqs[band] / 440.0)) + 9) % 12
    chroma = np.stack([power[:, band][:, classes == pc].sum(axis=1) for pc in range(12)], 1)
    loud = chroma.sum(axis=1) > 1e-3 * chroma.sum(axis=1).max()
    per_frame = (chroma >= chroma.max(axis=1, keepdims=True) * 0.1).sum(axis=1)
    return float(per_frame[loud].mean()) if loud.any() else 0.0


def figures(heard, rate, without: dict[str, np.ndarray], tempo_bpm: float) -> dict:
    """The sample (read back from its file) against the band rendered without each part."""
    power, freqs = power_spectrum(heard, rate)
    parts = {k: power_spectrum(v, rate)[0] for k, v in without.items()}
    beats = len(mono(heard)) / rate * tempo_bpm / 60
    quiet = high_flux(parts["drums"], freqs)
    threshold = float(np.percentile(quiet, 95))  # the loudest 5% of flux the rest makes
    return {
        "bass_low_ratio": band_energy(power, freqs, 20, 200)
        / max(band_energy(parts["bass"], freqs, 20, 200), 1e-12),
        "drums_high_ratio": band_energy(power, freqs, 5000, 12000)
        / max(band_energy(parts["drums"], freqs, 5000, 12000), 1e-12),
        "drum_onsets_per_beat": onsets(high_flux(power, freqs), threshold) / beats,
        "chords_mid_ratio": band_energy(power, freqs, 200, 2000)
        / max(band_energy(parts["chords"], freqs, 200, 2000), 1e-12),
        "classes_per_frame": pitch_classes_per_frame(power, freqs),
        "classes_without_chords": pitch_classes_per_frame(parts["chords"], freqs),
    }


def render_samples(check_only: bool) -> list[dict]:
    """Each style's sample (written unless ``check_only``), read back from its file, with
    its figures against the band without each part and its tracks' notes per bar."""
    import soundfile
    from band_audio_real_parts import band_figures, notes_per_bar, sample_signature, through_ogg

    from composer_gui.core.engine import Engine
    from composer_gui.core.synth import SAMPLE_RATE, render_arrangement
    from composer_gui.paths import resource_path
    from models.band_styles import STYLES

    engine = Engine(resource_path("weights", "composer-band.safetensors"), "cpu")
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for style in STYLES:
        name, melody = sample_melody(sample_signature(style))
        melody.tempo_bpm = float(style.tempo_bpm)
        path = OUT / f"band-{style.name.replace(' ', '-')}.ogg"
        best = engine.generate(melody, k=4, seed=0, style=style.name)[0].arrangement
        best.tempo_bpm = float(style.tempo_bpm)
        # The style's own General MIDI programs (models.band_styles), as the app plays it.
        programs = {t.name: t.program for t in best.tracks[1:] if not t.is_drum}
        expected = {t: p for t, p in style.programs.items() if t != "drums"}
        if programs != expected:
            raise SystemExit(f"{style.name}: programs {programs}, the style's {expected}")
        audio = mono(render_arrangement(best, tail_seconds=0.5))
        if not check_only:
            soundfile.write(path, audio, SAMPLE_RATE, format="OGG", subtype="VORBIS")
        heard, rate = soundfile.read(path)
        # Is the file still what the product plays? The fresh rendering through the same
        # codec against the file: 0 when the notes are the same (0.6-0.8 when the first
        # choice had changed, session 12), and then the figures below mean nothing.
        fresh = through_ogg(audio, SAMPLE_RATE)
        n = min(len(fresh), len(heard))
        drift = np.sqrt(np.mean((fresh[:n] - heard[:n]) ** 2) / max(np.mean(heard**2), 1e-20))
        n_bars = 4 if sample_signature(style) == (4, 4) else 8
        results.append(
            {
                "style": style.name,
                "melody": name,
                "file": str(path.relative_to(ROOT)),
                "kB": round(path.stat().st_size / 1024, 1),
                "seconds": round(len(heard) / rate, 1),
                "programs": programs,
                "drift": float(drift) if len(fresh) == len(heard) else float("inf"),
                "notes_per_bar": notes_per_bar(best, n_bars),
                **band_figures(best, heard),
            }
        )
    return results


def report(results: list[dict], record: dict) -> int:
    """Print each style's sample against its real parts' range; how many styles miss a
    part or have a stale file (each counted)."""
    import band_audio_ranges as bar

    fraction, valid_rate = bar.choose_fraction(record["valid"])
    medians = {s: bar.medians_of(rows) for s, rows in record["valid"].items()}
    test_rate = bar.pass_rate(record["test"], fraction, judges=record["valid"])
    print(
        f"rule: a part is present when each of its contributions is at least {fraction:.2f}"
        f" x the median of its style's real parts (validation split, {record['mix']});"
        f" chosen on validation (leave one out: {valid_rate:.0%} of real parts present);"
        f" held out, the test split's real parts: {test_rate:.0%} present"
    )
    failed = 0
    for r in results:
        style = r["style"]
        ranges = bar.part_ranges(record["valid"][style])
        verdict = bar.present(r, medians[style], fraction)
        have = bar.contributions(r)
        tests = [bar.present(t, medians[style], fraction) for t in record["test"][style]]
        print(
            f"\n{style}: {r['file']} ({r['kB']} kB, {r['seconds']} s, {r['melody']}; "
            f"the file against a fresh rendering: {r['drift']:.3f} of its RMS)"
        )
        if r["drift"] > STALE:
            print("  STALE: the file is not what the product plays; render it again")
            failed += 1
        for part, named in bar.CONTRIBUTIONS.items():
            cells = []
            for name, _ in named:
                v = ranges[part][name]
                cells.append(
                    f"{name} {have[part][name]:6.2f} (real {v['min']:.2f}/{v['q1']:.2f}/"
                    f"{v['median']:.2f}/{v['max']:.2f}, needs {fraction * v['median']:.2f})"
                )
            real_ok = sum(t[part] for t in tests)
            print(
                f"  {part:<6} {'present' if verdict[part] else 'MISSING':<7}  "
                + "  ".join(cells)
                + f"  test real parts present {real_ok}/{len(tests)}"
            )
        real_notes = {
            t: float(np.median([row["notes_per_bar"][t] for row in record["valid"][style]]))
            for t in r["notes_per_bar"]
        }
        print(
            "  notes a bar, sample (MMA's median): "
            + ", ".join(f"{t} {n:.1f} ({real_notes[t]:.1f})" for t, n in r["notes_per_bar"].items())
        )
        failed += not all(verdict.values())
    print(
        "\ncontributions: low/high/mid dB = the band's energy under 200 Hz / 5-12 kHz / "
        "200-2000 Hz with the part over without it; hits/beat = drum onsets above 5 kHz; "
        "classes+ = pitch classes a frame the chords and pad add. real: min/q1/median/max "
        "of the style's validation pieces rendered the same way."
    )
    for r in results:
        print(f"{r['style']}: GM programs {r['programs']}")
    return failed


def main() -> None:
    import json

    from band_audio_real_parts import RECORD

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-only", action="store_true")
    parser.add_argument("--real", type=Path, default=RECORD, help="band_audio_real_parts' json")
    args = parser.parse_args()
    if not args.real.exists():
        raise SystemExit(f"{args.real} is missing: run benchmarks/band_audio_real_parts.py")
    record = json.loads(args.real.read_text())
    sys.exit(1 if report(render_samples(args.check_only), record) else 0)


if __name__ == "__main__":
    main()
