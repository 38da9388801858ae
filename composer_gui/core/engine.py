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
3. checks each candidate for the faults a musician hears (``models.musical_checks``),
   ranks by the critic's score less their penalties (``models.ranking``), folds
   near-identical candidates, says in a few words what sets each apart, and reads the
   ranking score as a percentile among the ranking scores of real Bach (the model card's
   calibration), so the number shown follows the order;
4. builds arrangements whose melody track is the user's own, note for note, then one
   track per ``TrackSpec`` of the model's card (``models.tracks``): names, kinds, default
   programs and channels come from the model (drums on channel 10), and each candidate
   gets its chord symbols.

The chorale model (three voices) takes the path above whole, its sections joined voice
to voice and ranked in ``core.chorale_take``. A model with other tracks (a band: drums,
bass, chords) is drawn, scored and folded the same way, its sections chained draw for
draw, its faults checked on its monophonic tracks only (``core.band_take``). Which
compute device it runs on is ``core.devices``'.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from composer_gui.core.arrangement import Arrangement
from composer_gui.core.band_take import (  # noqa: F401 (NEAR_IDENTICAL, fold_...: API)
    NEAR_IDENTICAL,
    band_take,
    fold_near_identical,
)
from composer_gui.core.candidate import Candidate
from composer_gui.core.chorale_take import (  # noqa: F401 (accompaniment_roll: API)
    accompaniment_roll,
    chorale_ranking,
    chorale_take,
)
from composer_gui.core.chords import candidate_chords
from composer_gui.core.devices import available_devices, resolve_device  # noqa: F401 (API)
from composer_gui.core.errors import ComposerError, ModelLoadError
from composer_gui.core.instruments import DEFAULT_PRESET, track_programs, track_velocities
from composer_gui.core.melody_grid import (  # noqa: F401 (check_melody, sections...: API)
    JOIN_CHOICES,
    PICKUP_AUTO,
    MelodyGrid,
    Pickup,
    chain_sections,
    check_melody,
    melody_on_grid,
    melody_warnings,
    notated_meters,
    sections,
)
from composer_gui.core.metric_words import calibrated_on
from composer_gui.core.rough_model import rough_model_sentence
from composer_gui.core.style_meters import refuse_style_meters
from composer_gui.core.track_notes import accompaniment_tracks, per_track
from composer_gui.paths import resource_path
from models.pianoroll import N_PITCHES
from models.tracks import CHORALE_TRACKS, TrackSpec

DEFAULT_MODEL = "composer-chorales"
SPARE = 0.25  # draw this many more than k, so k different ones survive folding


class CancelledError(ComposerError):
    """The user cancelled the generation."""


def default_model_path() -> Path:
    return resource_path("weights", f"{DEFAULT_MODEL}.safetensors")


class Engine:
    """Loads the model once (lazily, thread-safe) and generates ranked candidates."""

    def __init__(self, model_path: Path | None = None, device: str = "auto"):
        self.model_path = Path(model_path) if model_path else default_model_path()
        self.requested_device = device
        self._lock = threading.Lock()
        self._generator = None
        self._critic = None
        self.card: dict = {}
        self.tracks: tuple[TrackSpec, ...] = CHORALE_TRACKS  # the loaded model's, from its card
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
            if self.model_path.is_file() and self.model_path.suffix not in (
                ".safetensors",
                ".json",
            ):  # a tune or anything else given as the model: there, but not a model
                raise ModelLoadError(
                    f"{self.model_path.name} is not a model file; a model is a "
                    ".safetensors file with its .json card beside it."
                )
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
            # The networks' own list (their config, from the card) is what they write.
            self.tracks = tuple(generator.config.track_specs)
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
        style: str | None = None,
        pickup: Pickup = PICKUP_AUTO,
    ) -> list[Candidate]:
        """k ranked candidates (fewer only if the model cannot find k different ones).

        ``style`` is one of the model's styles (``core.styles.card_styles``); None is its
        first. It is recorded on each candidate. ``pickup`` is the musician's setting of
        where the first downbeat is (``melody_grid.Pickup``)."""
        from models.ranking import real_share, score_percentile

        if not 1 <= k <= 64:
            raise ComposerError(f"Ask for 1 to 64 candidates, not {k}.")
        for name, value in (("density", density), ("variety", variety)):
            if not 0.0 <= value <= 1.0:
                raise ComposerError(f"The {name} must be between 0 and 1, not {value}.")
        melody = check_melody(melody, allow_long)
        grid = melody_on_grid(melody, pickup)  # a pickup it cannot take, before the model
        refuse_style_meters(self.model_path, melody, style)  # a meter it never learnt
        seed = int(np.random.default_rng().integers(2**31)) if seed is None else int(seed)

        def step(fraction: float) -> None:
            if cancel is not None and cancel.is_set():
                raise CancelledError("Generation cancelled.")
            if progress:
                progress(fraction)

        step(0.0)
        self.load()
        style = self.style_name(style)
        programs = track_programs(preset, self.tracks, style)
        step(0.2)
        n_drawn = k + math.ceil(k * SPARE)
        if tuple(self.tracks) == CHORALE_TRACKS:
            drawn = chorale_take(self, grid, n_drawn, k, seed, density, variety, step)
        else:
            index = self.style_index(style)
            drawn = band_take(self, grid, n_drawn, k, seed, density, variety, step, index)
        scores, ranking, chosen, parts_of, metrics, reasons_of, checks_of, joins = drawn
        step(0.85)

        velocity = int(
            np.clip(np.mean([n.velocity for n in melody.tracks[0].notes]) * 0.8, 30, 110)
        )
        velocities = track_velocities(self.tracks, velocity, style)
        # Write the accompaniment back near the user's register, but never more than an
        # octave away from where the model wrote it, so the bass stays a bass.
        back = int(np.clip(-grid.shift, -12, 12))
        calibration = self.card["calibration"]
        # Chords are named on the bars accompanied (a found or given pickup's short bar
        # first, ``notated_meters``); the candidate keeps the file's meters (issue 16)
        chord_signature, chord_changes = notated_meters(melody, grid)
        candidates = []
        for rank, (i, m) in enumerate(zip(chosen, metrics), start=1):
            tracks = [melody.tracks[0]] + accompaniment_tracks(
                parts_of(i), self.tracks, programs, back, velocities, grid.first_beat
            )
            arrangement = Arrangement(
                tracks,
                melody.tempo_bpm,
                melody.time_signature,
                list(melody.tempo_changes),
                list(melody.meter_changes),
            )
            barred = Arrangement(
                tracks, time_signature=chord_signature, meter_changes=chord_changes
            )
            chords = candidate_chords(barred, self.tracks, self.card, style)
            arrangement.markers = list(chords)
            candidates.append(
                Candidate(
                    arrangement,
                    rank,
                    float(scores[i]),
                    score_percentile(float(ranking[i]), calibration),
                    m,
                    seed,
                    float(ranking[i]),
                    reasons_of(rank - 1),
                    checks_of(i),
                    joins,
                    chords=chords,
                    style=style,
                    real_share=real_share(float(ranking[i]), calibration)
                    if "ranked_candidate_quantiles" in calibration
                    else math.nan,
                    calibrated_on=calibrated_on(calibration),
                )
            )
        note = rough_model_sentence(self.card, [c.percentile for c in candidates])
        for candidate in candidates:
            candidate.model_note = note
        step(1.0)
        return candidates

    def style_index(self, name: str) -> int:
        """The place of the style ``name`` in the model's ``config.styles`` (0 for one)."""
        from composer_gui.core.styles import card_styles

        return next(s.index for s in card_styles(self.card, self.model_path) if s.name == name)

    def style_name(self, style: str | None) -> str:
        """The loaded model's style called ``style`` (its first for None), as the card
        spells it; one sentence naming the model's styles for any other."""
        from composer_gui.core.styles import card_styles, style_key

        styles = card_styles(self.card, self.model_path)
        if style is None:
            return styles[0].name
        for known in styles:
            if style_key(known.name) == style_key(style):
                return known.name
        names = ", ".join(s.name for s in styles)
        raise ComposerError(
            f"The model {self.model_path.stem} has no style '{style}'; its styles are {names}."
        )

    def draw_sections(
        self, grid, n_first, n_later, seed, density, variety, step, style_index=0
    ) -> tuple[list[tuple[int, int]], list]:
        """Every section of the melody (``melody_grid.sections``: bars ``(first, end)``)
        drawn in one batched pass (``models.sampling.draw_candidates``), ``n_first``
        times for the first and ``n_later`` for each later one, section i with seed
        ``seed + i``: the sections, and per section its candidates (one ``(sounding,
        onsets)`` pair per track, ``(T, rows)`` bool) with the critic's score of each.
        Both takes (the chorale's and ``band_take``) draw here and differ only in how
        they join the sections; ``style_index`` is read by a model of several styles."""
        import torch

        from models.sampling import critic_scores, draw_candidates, stack_voices

        parts = sections(grid.n_bars)
        drawn = []
        for index, (first, end) in enumerate(parts):
            a, b = grid.bar_starts[first], grid.bar_starts[end]
            cond, cleaned = draw_candidates(
                self._generator,
                grid.voice[a:b],
                grid.onsets[a:b],
                grid.meters_from(a),
                grid.phase_at(a),
                n_first if index == 0 else n_later,
                seed + index,
                density,
                variety,
                style_index,
                grid.bar_number(first),
            )
            cleaned = [per_track(c, len(self.tracks)) for c in cleaned]
            # Chorale voices are scored as one roll array: the same scores as the
            # per-track form (``tests/models/test_chorale_unchanged.py``), 9% faster.
            scored = cleaned
            if self._generator.config.is_chorale_layout:
                scored = stack_voices(cleaned)[0].astype(np.float32)
            with torch.inference_mode():
                drawn.append((cleaned, critic_scores(self._critic, cond, scored)))
            step(0.2 + 0.5 * (index + 1) / len(parts))
        return parts, drawn

    def _score(self, cond, rolls: np.ndarray) -> np.ndarray:
        """The critic's score of each accompaniment ``(c, 3, T, P)`` given the condition."""
        import torch

        from models.sampling import critic_scores

        with torch.inference_mode():
            return critic_scores(self._critic, cond, rolls.astype(np.float32))

    def score_accompaniments(self, melody: Arrangement, rolls: np.ndarray) -> np.ndarray:
        """The ranking score ``generate`` ranks by (``Candidate.score``), for accompaniments
        from elsewhere (Bach's own, a spoiled copy), so they can be ranked among the
        candidates: ``rolls`` ``(c, 3, T, P)`` on the grid of ``melody_on_grid(melody)``
        (pitch index = MIDI pitch + its shift - LOWEST_PITCH), for a melody of at most
        MAX_BARS bars."""
        from models.sampling import melody_condition, pad_length

        self.load()
        if self._generator.config.tracks:  # its style and phrase channels, its tracks' rolls
            raise ValueError(
                "score_accompaniments scores a chorale model's voices; a band's takes are "
                "scored by benchmarks/bench_band_ranking.take_scores"
            )
        grid = melody_on_grid(check_melody(melody))
        n = pad_length(grid.n_steps, self._generator.config.time_multiple)
        device = next(self._generator.parameters()).device
        cond = melody_condition(grid.voice, grid.onsets, grid.meters, grid.bar_phase, n, device)
        padded = np.zeros((rolls.shape[0], rolls.shape[1], grid.n_steps, N_PITCHES), dtype=bool)
        t = min(grid.n_steps, rolls.shape[2])
        padded[:, :, :t] = rolls[:, :, :t]
        scores = self._score(cond, padded)
        return chorale_ranking(grid, padded, scores, self.card["calibration"])[0]
