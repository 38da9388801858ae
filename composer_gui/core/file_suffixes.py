"""The file suffixes Composer reads, in one place: MIDI files, scores, and both.

``midi_file.read_arrangement`` reads every suffix in ``READABLE_SUFFIXES`` (a score is
read by ``score_file.read_score``); the app's Open dialog, drag and drop and the samples
folder ask this module. Datasets for training stay MIDI only (``MIDI_SUFFIXES``): a folder
of a musician's songs is multi-track MIDI, and a score's parts carry no drums or
performance to learn from.
"""

from __future__ import annotations

from pathlib import Path

MIDI_SUFFIXES = (".mid", ".midi", ".smf")
ABC_SUFFIXES = (".abc",)
MUSICXML_SUFFIXES = (".musicxml", ".xml", ".mxl")
SCORE_SUFFIXES = ABC_SUFFIXES + MUSICXML_SUFFIXES
READABLE_SUFFIXES = MIDI_SUFFIXES + SCORE_SUFFIXES


def is_score(path: str | Path) -> bool:
    """A file read as notation (ABC or MusicXML) rather than as MIDI, by its suffix."""
    return Path(path).suffix.lower() in SCORE_SUFFIXES


def dialog_pattern(suffixes: tuple[str, ...]) -> str:
    """The suffixes as a file dialog's filter reads them: ``*.mid *.midi ...``."""
    return " ".join(f"*{suffix}" for suffix in suffixes)
