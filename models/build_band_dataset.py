"""The band dataset from real harmony: Bach's chorale chords rendered by MMA in each style.

For every chorale of the music21 corpus (public domain; music21 is BSD): a chord per beat
from its four real voices (``models.chord_symbols``), reduced to the style's harmonic
rhythm (the chord that lasts longest in the bar or half bar, the strong beat's on a tie),
written as an MMA chord chart with the chorale's key signature (estimated from its notes),
its meter and the style's tempo, rendered by MMA (GPL-2+) in the style's groove for each
meter the style plays, and read back into the band's four tracks. The melody is the
chorale's soprano, on the same grid. No harmony here was written by a model.

A chorale in 4/4 also gives its 2/4 reading (the same notes barred in two, its chords
reduced per 2/4 bar) for the styles that play 2/4, and its 6/8 reading (re-timed into
dotted-quarter beats by ``models.retime.to_compound``, barred in 6/8) for those that
play 6/8. Chorales in other meters (3/2 and the
few that change meter) are reported as skipped. Every rendering of one chorale shares the
chorale's group (its BWV number), so a held-out chorale is held out in every style.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.band_notes import Note, measured_tracks, track_rolls
from models.band_pieces import BandPiece, write_band_dataset
from models.band_styles import BAND_TRACKS, STYLES, BandStyle
from models.build_dataset import REST, BuildReport, Piece, chorale_pieces
from models.chord_symbols import (
    NO_CHORD,
    chord_symbols_of_pitches,
    reduce_symbols,
    span_starts,
)
from models.errors import DatasetError
from models.mma_render import chart_text, read_band, render
from models.pianoroll import LOWEST_PITCH, Meter, bars_in
from models.retime import to_compound

SOURCE = (
    "Bach chorales of the music21 corpus (their soprano as the melody; a chord per beat "
    "from their four voices, reduced to each style's harmonic rhythm) rendered as chord "
    "charts by MMA 21.09 (Musical MIDI Accompaniment) in the grooves of models.band_styles"
)
LICENCE = (
    "Chorales: J. S. Bach, public domain (music21 corpus, music21 under the BSD licence); "
    "accompaniment rendered by MMA's grooves (GPL-2+); the dataset itself adds no other work"
)
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)


def key_fifths(piece: Piece) -> int:
    """The key signature (sharps > 0, flats < 0) whose scale holds the most of the
    chorale's sounding steps; on a tie the one with fewer accidentals."""
    voiced = piece.voices[piece.voices != REST].astype(int) + LOWEST_PITCH
    counts = np.bincount(voiced % 12, minlength=12)
    best, best_score = 0, -1
    for fifths in sorted(range(-6, 7), key=abs):
        tonic = (7 * fifths) % 12
        score = int(sum(counts[(tonic + i) % 12] for i in MAJOR_SCALE))
        if score > best_score:
            best, best_score = fifths, score
    return best


@dataclass
class Harmony:
    """One chorale on whole bars: its melody, its chord per beat, its key signature."""

    piece: Piece
    melody: np.ndarray  # (step,) int8, soprano, REST where silent
    melody_onsets: np.ndarray
    beats: list[tuple[int, str]]  # (step, symbol) per beat, N.C. filled by the chord before
    key_fifths: int

    @property
    def n_steps(self) -> int:
        return int(self.melody.shape[0])


def chorale_harmony(piece: Piece) -> Harmony:
    """The chorale padded to whole bars (its pickup preceded by rests, so step 0 is a
    downbeat; the band plays the pickup's chord through them) and its chord per beat."""
    bar = piece.meter.bar_steps
    front = piece.bar_phase
    n_steps = bars_in(front + piece.n_steps, bar) * bar
    voices = np.full((piece.voices.shape[0], n_steps), REST, dtype=np.int8)
    onsets = np.zeros((piece.voices.shape[0], n_steps), dtype=bool)
    voices[:, front : front + piece.n_steps] = piece.voices
    onsets[:, front : front + piece.n_steps] = piece.onsets
    sounding = np.zeros((n_steps, 128), dtype=bool)
    for voice in voices:
        steps = np.flatnonzero(voice != REST)
        sounding[steps, voice[steps].astype(int) + LOWEST_PITCH] = True
    fifths = key_fifths(piece)
    beats = chord_symbols_of_pitches(
        sounding, [(0, piece.meter)], 0, "beat", key_fifths=fifths, merge=False
    )
    heard = [s for _, s in beats if s != NO_CHORD]
    if not heard:
        raise DatasetError("no chord sounds in it")
    filled, current = [], heard[0]
    for step, symbol in beats:
        current = symbol if symbol != NO_CHORD else current
        filled.append((step, current))
    return Harmony(piece, voices[0], onsets[0], filled, fifths)


def style_chords(harmony: Harmony, style: BandStyle, meter: Meter) -> list[tuple[int, str]]:
    """The harmony reduced to the style's harmonic rhythm in ``meter``."""
    spans = span_starts([(0, meter)], harmony.n_steps, 0, style.harmonic_rhythm)
    return reduce_symbols(harmony.beats, spans, harmony.n_steps)


def renderings(
    harmony: Harmony, style: BandStyle, only: frozenset[tuple[int, int]] | None = None
) -> list[tuple[Meter, dict[str, list[Note]]]]:
    """The style's band for the chorale in each meter it plays that the chorale gives:
    its own, 2/4 from 4/4, and 6/8 from its compound re-timing (12/8); ``only``: just
    these meter signatures (a rebuild of one meter's renderings)."""
    meters = [harmony.piece.meter]
    if harmony.piece.meter.signature == (4, 4):
        meters.append(Meter(2, 4))
    if harmony.piece.meter.signature == (12, 8):
        meters = [Meter(6, 8)]
    out = []
    for meter in meters:
        if not style.plays(meter) or (only is not None and meter.signature not in only):
            continue
        groove = style.grooves[meter.signature]
        if harmony.n_steps % groove.bar_steps:
            continue  # bars that do not fill the groove's bars
        chart = chart_text(
            style_chords(harmony, style, meter),
            harmony.n_steps,
            groove,
            style.tempo_bpm,
            harmony.key_fifths,
            seed=zlib.crc32(f"{harmony.piece.name}/{style.name}".encode()) % 10_000,
        )
        notes, unmapped = read_band(render(chart), style, harmony.n_steps, groove.beat_steps)
        if unmapped:
            raise DatasetError(
                f"style {style.name}: MMA tracks {', '.join(sorted(unmapped))} have no band track"
            )
        out.append((meter, notes))
    return out


def band_pieces_from_chorales(
    limit: int | None = None,
    styles: tuple[BandStyle, ...] = STYLES,
    report: BuildReport | None = None,
    progress: Callable[[int, int], None] | None = None,
    only: frozenset[tuple[int, int]] | None = None,
) -> tuple[list[BandPiece], tuple]:
    """Every chorale in every style and meter it fits (``only``: in these meters), with
    the tracks' measured ranges."""
    report = report if report is not None else BuildReport()
    collected: list[tuple[Harmony, int, Meter, dict[str, list[Note]]]] = []
    for done, total, piece in chorale_pieces(limit, report):
        if progress is not None:
            progress(done, total)
        if piece is None:
            continue
        if not any(s.plays(piece.meter) for s in styles):
            report.skipped.append((piece.name, f"no style plays {piece.meter}"))
            continue
        try:
            harmony = chorale_harmony(piece)
        except DatasetError as error:
            report.skipped.append((piece.name, str(error)))
            continue
        harmonies = [harmony]
        wants_68 = only is None or (6, 8) in only
        if (
            piece.meter.signature == (4, 4)
            and wants_68
            and any(s.plays(Meter(6, 8)) for s in styles)
        ):
            harmonies.append(chorale_harmony(to_compound(piece)))
        for index, style in enumerate(styles):  # the dataset's own style list
            for each in harmonies:
                for meter, notes in renderings(each, style, only):
                    collected.append((each, index, meter, notes))
    tracks = measured_tracks(BAND_TRACKS, (notes for *_, notes in collected))
    pieces = []
    for harmony, index, meter, notes in collected:
        rolls = [track_rolls(notes.get(t.name, []), t, harmony.n_steps) for t in tracks]
        pieces.append(
            BandPiece(
                name=f"{harmony.piece.name.split('@')[0]}@{styles[index].name}"
                f"@{meter.numerator}-{meter.denominator}",
                melody=harmony.melody,
                melody_onsets=harmony.melody_onsets,
                sounding=[r[0] for r in rolls],
                onsets=[r[1] for r in rolls],
                meter=meter,
                bar_phase=0,
                group=harmony.piece.group,
                style=index,
            )
        )
    return pieces, tracks


def build_band_mma(
    out_dir: Path,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    styles: tuple[BandStyle, ...] = STYLES,
) -> tuple[dict, BuildReport]:
    """Build and write the MMA band dataset (every shipped style, or ``styles``: the Train
    window's choice of one); returns its manifest and the report."""
    report = BuildReport()
    pieces, tracks = band_pieces_from_chorales(limit, styles, report, progress)
    manifest = write_band_dataset(
        pieces,
        tracks,
        tuple(s.name for s in styles),
        Path(out_dir),
        SOURCE,
        report,
        LICENCE,
    )
    return manifest, report
