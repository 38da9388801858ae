"""The engine: a melody in, k ranked multi-track candidates out, with the shipped model.

Used by the app (from a worker thread) and by ``composer-gui accompany``.  The model is
loaded lazily on first use and kept warm.  One ``generate`` call:

1. checks the melody (notes, meters) and lays it on the grid as one voice (its top
   line), octave-shifted into the model's range for conditioning only, from its first
   bar with notes, with the position in beat and bar of its own meter map;
2. runs all candidates in one batched pass (a melody over 32 bars in one pass per
   section of at most 32 bars, each candidate chained across the joins to the draw
   whose voices continue where its own ended), cleans each into playable notes and
   lets the critic score each (melody, candidate) pair;
3. folds near-identical candidates, ranks by score, and reads the score as a percentile
   among the critic's scores of real Bach (the calibration in the model card);
4. builds arrangements whose melody track is the user's own, note for note.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.errors import ComposerError, ModelLoadError
from composer_gui.core.instruments import DEFAULT_PRESET, TRACK_CHANNELS, preset_programs
from composer_gui.core.melody_grid import (  # noqa: F401 (check_melody, sections: API)
    JOIN_CHOICES,
    MelodyGrid,
    chain_sections,
    check_melody,
    melody_on_grid,
    melody_warnings,
    sections,
)
from composer_gui.paths import resource_path
from models.pianoroll import (
    ACCOMPANIED_METERS,
    ACCOMPANIMENT_TRACKS,
    N_PITCHES,
    STEPS_PER_BEAT,
)

DEFAULT_MODEL = "composer-chorales"
SUPPORTED_METERS = ACCOMPANIED_METERS
NEAR_IDENTICAL = 0.9  # Jaccard similarity of accompaniment cells above which two fold
SPARE = 0.25  # draw this many more than k, so k different ones survive folding


class CancelledError(ComposerError):
    """The user cancelled the generation."""


@dataclass
class Candidate:
    arrangement: Arrangement  # melody track first, unchanged
    rank: int  # 1 = best
    critic_score: float  # raw critic output; only comparable within one model
    percentile: float  # 0-100: share of real Bach accompaniments the critic scores lower
    metrics: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    joins: list[float] = field(default_factory=list)  # beats where one section meets the next


def default_model_path() -> Path:
    return resource_path("weights", f"{DEFAULT_MODEL}.safetensors")


def available_devices() -> list[str]:
    import torch

    devices = ["cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        devices.append("mps")
    return devices


def resolve_device(name: str = "auto") -> str:
    """``auto`` picks CUDA, then Apple's MPS, then the CPU."""
    available = available_devices()
    if name == "auto":
        return available[-1] if len(available) > 1 else "cpu"
    if name.split(":")[0] not in available:
        raise ComposerError(
            f"The compute device '{name}' is not available here; "
            f"choose one of {', '.join(['auto', *available])}."
        )
    return name


class Engine:
    """Loads the model once (lazily, thread-safe) and generates ranked candidates."""

    def __init__(self, model_path: Path | None = None, device: str = "auto"):
        self.model_path = Path(model_path) if model_path else default_model_path()
        self.requested_device = device
        self._lock = threading.Lock()
        self._generator = None
        self._critic = None
        self.card: dict = {}
        self.device_name = "not loaded"

    @property
    def loaded(self) -> bool:
        return self._generator is not None

    def load(self) -> None:
        with self._lock:
            if self._generator is not None:
                return
            import torch

            from models.checkpoint import load_model
            from models.errors import ModelFileError

            device = resolve_device(self.requested_device)
            if not self.model_path.with_suffix(".safetensors").is_file():
                raise ModelLoadError(
                    f"The model file {self.model_path} is missing; reinstall Composer or "
                    "choose a model in Preferences."
                )
            try:
                generator, critic, card = load_model(self.model_path, device)
            except ModelFileError as error:
                raise ModelLoadError(str(error)) from None
            if "calibration" not in card:
                raise ModelLoadError(
                    f"{self.model_path.name} has no critic calibration in its model card; "
                    "finish it with 'composer-gui evaluate --calibrate'."
                )
            self._generator, self._critic, self.card = generator, critic, card
            self.device_name = (
                f"cuda ({torch.cuda.get_device_name(0)})" if device.startswith("cuda") else device
            )

    def generate(
        self,
        melody: Arrangement,
        k: int = 8,
        seed: int | None = None,
        density: float = 0.5,
        variety: float = 0.5,
        preset: str = DEFAULT_PRESET,
        cancel: threading.Event | None = None,
        progress: Callable[[float], None] | None = None,
        allow_long: str | None = None,
    ) -> list[Candidate]:
        """k ranked candidates (fewer only if the model cannot find k different ones)."""
        from models.evaluate import percentile
        from models.metrics import piece_metrics

        if not 1 <= k <= 64:
            raise ComposerError(f"Ask for 1 to 64 candidates, not {k}.")
        for name, value in (("density", density), ("variety", variety)):
            if not 0.0 <= value <= 1.0:
                raise ComposerError(f"The {name} must be between 0 and 1, not {value}.")
        programs = preset_programs(preset)
        melody = check_melody(melody, allow_long)
        seed = int(np.random.default_rng().integers(2**31)) if seed is None else int(seed)

        def step(fraction: float) -> None:
            if cancel is not None and cancel.is_set():
                raise CancelledError("Generation cancelled.")
            if progress:
                progress(fraction)

        step(0.0)
        self.load()
        step(0.2)
        grid = melody_on_grid(melody)
        parts = sections(grid.n_bars)
        n_drawn = k + math.ceil(k * SPARE)
        section_rolls, section_onsets, section_scores = [], [], []
        for index, (first, end) in enumerate(parts):
            a, b = grid.bar_starts[first], grid.bar_starts[end]
            rolls, onsets, scores = self._draw(
                grid.voice[a:b],
                grid.onsets[a:b],
                grid.meters_from(a),
                grid.phase_at(a),
                n_drawn if index == 0 else n_drawn * JOIN_CHOICES,
                seed + index,
                density,
                variety,
            )
            section_rolls.append(rolls)
            section_onsets.append(onsets)
            section_scores.append(scores)
            step(0.2 + 0.5 * (index + 1) / len(parts))
        # A candidate is one draw per section, chained so its voices continue across
        # each join; its score is the bar-weighted mean of its sections' scores.
        chains = chain_sections(section_rolls, section_scores)
        rolls = np.concatenate([r[c] for r, c in zip(section_rolls, chains)], axis=2)
        onsets = np.concatenate([o[c] for o, c in zip(section_onsets, chains)], axis=2)
        weights = [end - first for first, end in parts]
        scores = sum(w * sc[c] for w, sc, c in zip(weights, section_scores, chains)) / grid.n_bars
        joins = [
            grid.first_beat + grid.bar_starts[first] / STEPS_PER_BEAT for first, _ in parts[1:]
        ]

        chosen = _fold_near_identical(rolls, scores, k)
        melody_roll = np.zeros((1, grid.n_steps, N_PITCHES), dtype=bool)
        sounding = grid.voice >= 0
        melody_roll[0, np.flatnonzero(sounding), grid.voice[sounding]] = True
        full = [np.concatenate([melody_roll, rolls[i]]) for i in chosen]
        metrics = piece_metrics(full, grid.meters[0][1].bar_steps)
        step(0.85)

        calibration = self.card["calibration"]["quantiles"]
        velocity = int(
            np.clip(np.mean([n.velocity for n in melody.tracks[0].notes]) * 0.8, 30, 110)
        )
        # Write the accompaniment back near the user's register, but never more than an
        # octave away from where the model wrote it, so the bass stays a bass.
        back = int(np.clip(-grid.shift, -12, 12))
        candidates = []
        for rank, (i, m) in enumerate(zip(chosen, metrics), start=1):
            tracks = [melody.tracks[0]] + _accompaniment_tracks(
                rolls[i], onsets[i], programs, back, velocity, grid.first_beat
            )
            arrangement = Arrangement(
                tracks,
                melody.tempo_bpm,
                melody.time_signature,
                list(melody.tempo_changes),
                list(melody.meter_changes),
            )
            candidates.append(
                Candidate(
                    arrangement,
                    rank,
                    float(scores[i]),
                    percentile(float(scores[i]), calibration),
                    m,
                    seed,
                    joins,
                )
            )
        step(1.0)
        return candidates

    def _draw(self, voice, onsets, meters, bar_phase, n_drawn, seed, density, variety):
        """One batched pass over (a section of) the melody grid: cleaned rolls and onsets
        ``(c, 3, T, P)`` and the critic's score of each."""
        import torch

        from models.sampling import (
            candidate_probabilities,
            clean_candidates,
            critic_scores,
            melody_condition,
            pad_length,
        )

        generator, critic = self._generator, self._critic
        device = next(generator.parameters()).device
        n = pad_length(voice.shape[0], generator.config.time_multiple)
        cond = melody_condition(voice, onsets, meters, bar_phase, n, device)
        with torch.inference_mode():
            probs = candidate_probabilities(generator, cond, n_drawn, seed, variety)
        cleaned = clean_candidates(probs, density, voice.shape[0])
        rolls = np.stack([roll for roll, _ in cleaned])
        with torch.inference_mode():
            scores = critic_scores(critic, cond, rolls.astype(np.float32))
        return rolls, np.stack([o for _, o in cleaned]), scores


def _fold_near_identical(rolls: np.ndarray, scores: np.ndarray, k: int) -> list[int]:
    """Indices of up to k candidates, best score first, skipping near-copies of better ones."""
    import torch

    # In torch, not numpy: numpy's BLAS threads would fight torch's still-spinning ones.
    cells = torch.from_numpy(rolls.reshape(rolls.shape[0], -1)).float()
    shared = (cells @ cells.T).numpy()
    sizes = np.diag(shared)
    either = sizes[:, None] + sizes[None, :] - shared
    similarity = np.divide(shared, either, out=np.ones_like(shared), where=either > 0)
    kept: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if all(similarity[i, j] < NEAR_IDENTICAL for j in kept):
            kept.append(int(i))
        if len(kept) == k:
            break
    return kept


def _accompaniment_tracks(
    roll, onsets, programs, shift: int, velocity: int, offset_beats: float = 0.0
) -> list[Track]:
    from models.cleanup import roll_to_note_list

    tracks = [
        Track(name, [], programs[i], TRACK_CHANNELS[name])
        for i, name in enumerate(ACCOMPANIMENT_TRACKS)
    ]
    for track, pitch, start, length in roll_to_note_list(roll, onsets):
        start_beat = offset_beats + start / STEPS_PER_BEAT
        note = Note(int(pitch + shift), start_beat, length / STEPS_PER_BEAT, velocity)
        tracks[track].notes.append(note)
    return tracks
