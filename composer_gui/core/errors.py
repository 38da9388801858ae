"""Errors a musician can act on.

Every failure the core expects (bad files, missing ports, a wrong model) is raised as a
subclass of ``ComposerError`` whose text is one sentence naming the problem and the next
step. The command line prints it to stderr; the app shows it in a dialog.
"""


class ComposerError(Exception):
    """Base of every error whose message is meant for the user."""


class MidiFileError(ComposerError):
    """A MIDI file that cannot be read or holds nothing usable."""


class NoMelodyError(MidiFileError):
    """A readable MIDI file with no track that can serve as the melody."""


class ScoreFileError(MidiFileError):
    """A score (ABC or MusicXML) that cannot be read: a MidiFileError, so every reader
    of melody files that answers one answers this too."""


class MeterError(ComposerError):
    """A time signature the model cannot accompany."""


class MidiPortError(ComposerError):
    """A MIDI port that is missing, vanished or cannot be opened."""


class UnknownPortError(MidiPortError):
    """No port of that name now: its text is for the command line; the window names its
    own way out (``name`` and ``kind``, "input" or "output")."""

    def __init__(self, message: str, kind: str, name: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name


class ModelLoadError(ComposerError):
    """A model file that is missing, truncated or made for another grid."""
