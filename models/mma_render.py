"""A chord chart rendered by MMA into a band, read back as each band track's notes.

Musical MIDI Accompaniment (Debian's ``mma``, GPL-2+) turns a chord chart into drums,
bass, chord, arpeggio and strum tracks in one of its grooves. The chart written here
carries a real harmony (``models.build_band_dataset`` takes it from the chorales' four
voices), the key signature, the tempo and one chord symbol or "/" per MMA beat; MMA's
random timing and velocity are seeded, so a rendering is reproducible. Its MIDI file is
read back with mido, track by track by MMA's track names (``BandStyle.band_track``), onto
the 16th-note grid.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from models.band_notes import Note
from models.band_styles import BandStyle, Groove
from models.chord_symbols import COMMON_NAMES, NO_CHORD, chord_root
from models.errors import DatasetError
from models.pianoroll import STEPS_PER_BEAT, bar_name, bars_in

MMA = "mma"
# Our suffixes MMA spells differently: its "dim" is the diminished seventh.
_MMA_SUFFIX = {"dim": "mb5", "mmaj7": "mM7"}


def mma_available() -> bool:
    return shutil.which(MMA) is not None


def mma_chord(symbol: str, inversion: bool = True) -> str:
    """A symbol of ``models.chord_symbols`` in MMA's chord names ("z" for no chord);
    without ``inversion`` the slash bass is dropped (the chord in root position)."""
    if symbol == NO_CHORD:
        return "z"
    head, slash, bass = symbol.partition("/")
    root_len = 2 if len(head) > 1 and head[1] in "#b" else 1
    suffix = head[root_len:]
    # MMA reads C# and Db alike but not E# or Cb: roots and basses by pitch class.
    root = COMMON_NAMES[chord_root(head)]
    if slash and inversion:
        bass = COMMON_NAMES[chord_root(bass)]
    else:
        slash = bass = ""
    return root + _MMA_SUFFIX.get(suffix, suffix) + slash + bass


def key_signature(fifths: int) -> str:
    """MMA's ``KeySig`` argument for a signature of ``fifths`` sharps (< 0: flats)."""
    return f"{abs(fifths)}{'#' if fifths > 0 else 'b'}" if fifths else "C"


def chart_text(
    symbols: Sequence[tuple[int, str]],
    n_steps: int,
    groove: Groove,
    tempo_bpm: int,
    key_fifths: int = 0,
    seed: int = 1,
) -> str:
    """The MMA file for a harmony: ``symbols`` are ``(step, symbol)`` changes (the first at
    step 0) on a grid whose step 0 is a downbeat of the groove's bar; one chart line per
    rendered bar (``Groove.bar_beats``), a chord at each beat it changes on and "/" where
    it holds. A change that falls between beats is heard from the beat it falls in. Chords
    are written in root position: MMA's bass takes a slash note as its root and plays the
    fifth above it (a C# under D/F#), so inversions would put the band's bass off the
    chord."""
    bar_steps = groove.bar_steps
    n_bars = max(1, bars_in(n_steps, bar_steps))
    by_beat: dict[int, str] = {}
    for step, symbol in symbols:
        by_beat.setdefault(step // groove.beat_steps, symbol)
    lines = [
        "// Rendered by Composer from a real harmony (models.mma_render).",
        f"RndSeed {seed}",
        f"Tempo {tempo_bpm}",
        f"KeySig {key_signature(key_fifths)}",
        f"Groove {groove.name}",
    ]
    if groove.cut_to:  # every bar the groove's first beats (Groove.cut_to)
        lines.append(f"Truncate {groove.cut_to} Side=Left Count={n_bars}")
    current = NO_CHORD
    for bar in range(n_bars):
        cells = []
        for beat in range(bar * groove.bar_beats, (bar + 1) * groove.bar_beats):
            symbol = by_beat.get(beat)
            if symbol is not None and symbol != current:
                current = symbol
                cells.append(mma_chord(symbol, inversion=False))
            else:  # a bar opens with its chord named, for whoever reads the chart
                cells.append("/" if cells else mma_chord(current, inversion=False))
        lines.append(f"{bar_name(bar)} {' '.join(cells)}")
    return "\n".join(lines) + "\n"


def render(chart: str, work_dir: Path | None = None) -> bytes:
    """MMA's MIDI file for a chart, as bytes; raises DatasetError with MMA's message."""
    if not mma_available():
        raise DatasetError("MMA is not installed; install it with 'apt-get install mma'.")
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        source, out = Path(tmp) / "chart.mma", Path(tmp) / "chart.mid"
        source.write_text(chart)
        done = subprocess.run(
            [MMA, str(source), "-f", str(out)], capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0 or not out.is_file():
            message = (done.stderr or done.stdout).strip().splitlines()
            errors = [line for line in message if "Error" in line] or message[-1:]
            raise DatasetError(f"MMA could not render the chart: {' '.join(errors)}")
        return out.read_bytes()


def read_band(
    midi: bytes, style: BandStyle, n_steps: int, beat_steps: int = STEPS_PER_BEAT
) -> tuple[dict[str, list[Note]], set[str]]:
    """Each band track's notes in a rendering, and the MMA tracks that had notes but no
    band track (the style's ``ignored`` ones are expected; any other is a mapping fault).
    ``beat_steps``: the grid steps of one MMA beat (``Groove.beat_steps``)."""
    import io

    import mido

    midi_file = mido.MidiFile(file=io.BytesIO(midi))
    ticks_per_step = midi_file.ticks_per_beat / beat_steps
    notes: dict[str, list[Note]] = {}
    unmapped: set[str] = set()
    for track in midi_file.tracks:
        tick, started = 0, {}
        found: list[Note] = []
        for message in track:
            tick += message.time
            if message.type == "note_on" and message.velocity > 0:
                started.setdefault((message.channel, message.note), tick)
            elif message.type in ("note_off", "note_on"):
                begin = started.pop((message.channel, message.note), None)
                if begin is None:
                    continue
                start = max(0, int(round(begin / ticks_per_step)))
                end = max(start + 1, int(round(tick / ticks_per_step)))
                if start < n_steps:
                    found.append((start, min(end, n_steps), message.note))
        if not found:
            continue
        band = style.band_track(track.name)
        if band is None:
            if track.name not in style.ignored:
                unmapped.add(track.name)
            continue
        notes.setdefault(band, []).extend(found)
    return notes, unmapped
