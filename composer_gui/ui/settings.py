"""Every QSettings key the app reads, with its type and default, in one table.

Widgets call ``settings.get(KEY)`` and ``settings.put(KEY, value)`` instead of touching
QSettings directly, so a key is never spelled twice and a value read back from the
registry or an .ini file always has the type the code expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

from composer_gui.core.tune import NewTune

ORGANIZATION = "Composer"


@dataclass(frozen=True)
class Key:
    name: str
    default: Any

    @property
    def kind(self) -> type:
        return type(self.default)


# MIDI
MIDI_API = Key("midi/api", "")  # "" = the platform's default (rtmidi's first)
MIDI_INPUT = Key("midi/input", "")  # "" = none chosen yet
MIDI_OUTPUT = Key("midi/output", "")  # "" = built-in synth
MIDI_THRU = Key("midi/thru", True)
# Audio and synth
AUDIO_DRIVER = Key("audio/driver", "")  # "" = FluidSynth's default for the platform
SOUNDFONT = Key("audio/soundfont", "")  # "" = search the usual places
# Model
COMPUTE_DEVICE = Key("model/device", "auto")  # auto | cpu | cuda
MODEL_FILE = Key("model/file", "")  # "" = the shipped model
TRAINED_MODELS = Key("model/trained", "")  # "Use this model"'s model files, one a line
CANDIDATE_COUNT = Key("model/candidates", 8)
DENSITY = Key("model/density", 0.5)
VARIETY = Key("model/variety", 0.5)
PRESET = Key("model/preset", "organ")
STYLE = Key("model/style", "chorale")  # the Style box (core.styles)
# Recording
# a new melody's record settings: their defaults are NewTune's (read by NewTune.read)
TEMPO_BPM = Key("record/tempo", NewTune.tempo_bpm)
BARS = Key("record/bars", NewTune.bars)
METER = Key("record/meter", NewTune().meter_text)
COUNT_IN = Key("record/count_in", True)
METRONOME = Key("record/metronome", True)
# Window
GEOMETRY = Key("window/geometry", QByteArray())
STATE = Key("window/state", QByteArray())
LAST_FOLDER = Key("window/last_folder", "")
COMPACT = Key("window/compact", False)

ALL_KEYS = (
    MIDI_API,
    MIDI_INPUT,
    MIDI_OUTPUT,
    MIDI_THRU,
    AUDIO_DRIVER,
    SOUNDFONT,
    COMPUTE_DEVICE,
    MODEL_FILE,
    TRAINED_MODELS,
    CANDIDATE_COUNT,
    DENSITY,
    VARIETY,
    PRESET,
    TEMPO_BPM,
    BARS,
    METER,
    COUNT_IN,
    METRONOME,
    GEOMETRY,
    STATE,
    LAST_FOLDER,
    COMPACT,
)


def store() -> QSettings:
    """The app's settings store (per user, in the platform's usual place).

    Uses the application's organization and name (set by ``app.run_app``), so tests can
    point it at a scratch store by setting other names.
    """
    return QSettings()


def get(key: Key) -> Any:
    value = store().value(key.name, key.default)
    return _coerce(value, key.default)


def last_folder() -> Path:
    """Where the file dialogs open: the folder last used, else the home folder (with none
    used yet they opened where the app was started from, the source tree in a tryout)."""
    last = get(LAST_FOLDER)
    folder = Path(last) if last else Path.home()
    return folder if folder.is_dir() else Path.home()


def remember_folder(chosen: Path) -> None:
    """The folder of a file chosen in any dialog (Open, Save As, Export, a model file,
    a soundfont), or a folder chosen itself (the Train window's songs), is where the
    next one opens: only Open recorded it, so Save As into a project folder was
    forgotten at the next Open."""
    chosen = Path(chosen)
    put(LAST_FOLDER, str(chosen if chosen.is_dir() else chosen.parent))


def dialog_start(current: str = "") -> str:
    """Where a dialog for a field opens: the file or folder the field names when it is
    there (a chosen model file's own folder, it selected), else the folder last used
    (``last_folder``); Preferences and the Train window opened where the app started."""
    if current.strip() and Path(current.strip()).exists():
        return current.strip()
    return str(last_folder())


def put(key: Key, value: Any) -> None:
    store().setValue(key.name, value)


def trained_models() -> list[str]:
    """The models "Use this model" installed, oldest first (the Style box offers each)."""
    return [line for line in get(TRAINED_MODELS).splitlines() if line.strip()]


def remember_trained_model(path: str) -> None:
    put(TRAINED_MODELS, "\n".join([*(p for p in trained_models() if p != path), path]))
    changes().trained_models_changed.emit("", path)


class Changes(QObject):
    """What the settings changed, for the widgets that show it (the Style box)."""

    # (old path, new path): a model added ("", new), renamed (old, new), removed (old, "")
    trained_models_changed = Signal(str, str)


_changes: Changes | None = None


def changes() -> Changes:
    global _changes
    if _changes is None:
        _changes = Changes()
    return _changes


def rename_trained_model(path: str, name: str) -> str:
    """Rename a trained model's files and card, in its place in the list; the model file
    in use follows.  Returns the new path (``core/trained_models.rename_model`` raises
    a ComposerError with one sentence when the name cannot be taken)."""
    from composer_gui.core.trained_models import rename_model

    new = str(rename_model(Path(path), name))
    put(TRAINED_MODELS, "\n".join(new if p == path else p for p in trained_models()))
    if _is_model_in_use(path):
        put(MODEL_FILE, new)
    changes().trained_models_changed.emit(path, new)
    return new


def remove_trained_model(path: str) -> bool:
    """Delete a trained model's files and drop it from the list; returns whether it was
    the model file in use, which falls back to the shipped one ("")."""
    from composer_gui.core.trained_models import remove_model

    remove_model(Path(path))
    put(TRAINED_MODELS, "\n".join(p for p in trained_models() if p != path))
    in_use = _is_model_in_use(path)
    if in_use:
        put(MODEL_FILE, "")
    changes().trained_models_changed.emit(path, "")
    return in_use


def same_model(text: str, path: str | Path) -> bool:
    """Whether a model file as typed or saved (with or without its suffix) is ``path``."""
    return bool(text) and Path(text).with_suffix(".safetensors") == Path(path)


def _is_model_in_use(path: str) -> bool:
    """Whether Preferences' model file is ``path``."""
    return same_model(get(MODEL_FILE), path)


def _coerce(value: Any, default: Any) -> Any:
    """QSettings hands back strings from .ini files: turn them into the default's type."""
    if value is None:
        return default
    kind = type(default)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    try:
        if kind is bool:
            return str(value).strip().lower() in ("1", "true", "yes", "on")
        if kind is int:
            return int(float(value))
        if kind is float:
            return float(value)
        if kind is str:
            return str(value)
        if kind is QByteArray:
            return QByteArray(value)
    except (TypeError, ValueError):
        return default
    return default
