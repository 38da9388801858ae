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
with the melody alone rendered the same way in the same run:

- bass: share of the energy under 200 Hz, against the melody alone's (target 3x or more);
- drums: onsets per beat in the band above 5 kHz (spectral flux peaks; the melody's piano
  has little there; target 1 or more a beat) and that band's energy share against the
  melody alone's;
- chords: pitch classes sounding per frame (chroma of 100-2000 Hz, classes within 10 dB
  of the frame's strongest; target 3 or more, the melody alone about 1-2).

``--check-only`` reads the files already in ``docs/audio`` and renders only the melodies.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "audio"
FRAME, HOP = 4096, 1024
TARGETS = {"bass": 2.0, "drums": 1.5, "hits_per_beat": 1.0, "chords": 1.3, "classes": 3.0}


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
    import soundfile

    from composer_gui.core.engine import Engine
    from composer_gui.core.synth import SAMPLE_RATE, Mix, render_arrangement
    from composer_gui.paths import resource_path
    from models.band_styles import STYLES

    engine = Engine(resource_path("weights", "composer-band.safetensors"), "cpu")
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    for style in STYLES:
        meter = (4, 4) if (4, 4) in style.grooves else (3, 4)
        name, melody = sample_melody(meter)
        melody.tempo_bpm = float(style.tempo_bpm)
        path = OUT / f"band-{style.name.replace(' ', '-')}.ogg"
        best = engine.generate(melody, k=4, seed=0, style=style.name)[0].arrangement
        best.tempo_bpm = float(style.tempo_bpm)
        # The style's own General MIDI programs (models.band_styles), as the app plays it.
        programs = {t.name: t.program for t in best.tracks[1:] if not t.is_drum}
        expected = {t: p for t, p in style.programs.items() if t != "drums"}
        if programs != expected:
            raise SystemExit(f"{style.name}: programs {programs}, the style's {expected}")
        if not check_only:
            audio = mono(render_arrangement(best, tail_seconds=0.5))
            soundfile.write(path, audio, SAMPLE_RATE, format="OGG", subtype="VORBIS")
        heard, rate = soundfile.read(path)
        index = {t.name: i for i, t in enumerate(best.tracks)}
        muted = {"drums": {index["drums"]}, "bass": {index["bass"]}}
        muted["chords"] = {index["chords"], index["pad"]}
        without = {
            part: render_arrangement(best, Mix(muted=frozenset(m)), tail_seconds=0.5)
            for part, m in muted.items()
        }
        results.append(
            {
                "style": style.name,
                "melody": name,
                "file": str(path.relative_to(ROOT)),
                "kB": round(path.stat().st_size / 1024, 1),
                "seconds": round(len(heard) / rate, 1),
                "programs": programs,
                **figures(heard, rate, without, style.tempo_bpm),
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args()
    results = render_samples(args.check_only)
    print(
        f"{'style':<11} {'file':<32} {'kB':>5} {'s':>5}  {'bass <200Hz x':>13}  "
        f"{'drums 5-12kHz x':>15}  {'hits/beat':>9}  {'chords 0.2-2kHz x':>17}  "
        f"{'classes (w/o chords)':>20}  verdict"
    )
    failed = 0
    for r in results:
        ok = {
            "bass": r["bass_low_ratio"] >= TARGETS["bass"],
            "drums": r["drums_high_ratio"] >= TARGETS["drums"]
            and r["drum_onsets_per_beat"] >= TARGETS["hits_per_beat"],
            "chords": r["chords_mid_ratio"] >= TARGETS["chords"]
            and r["classes_per_frame"] >= TARGETS["classes"],
        }
        missing = [k for k, v in ok.items() if not v]
        failed += bool(missing)
        print(
            f"{r['style']:<11} {r['file']:<32} {r['kB']:>5} {r['seconds']:>5}  "
            f"{r['bass_low_ratio']:>13.1f}  {r['drums_high_ratio']:>15.1f}  "
            f"{r['drum_onsets_per_beat']:>9.2f}  {r['chords_mid_ratio']:>17.2f}  "
            f"{r['classes_per_frame']:>11.1f} ({r['classes_without_chords']:.1f})     "
            + ("drums, bass, chords heard" if not missing else "MISSING: " + ", ".join(missing))
        )
    print("x: the sample's energy in that band over the same band rendered without the part")
    for r in results:
        print(f"{r['style']}: GM programs {r['programs']}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
