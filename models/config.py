"""The GAN's configuration: one small frozen dataclass, saved beside the weights.

Defaults are the shipped model's.  They are sized for a 2-core CPU (see MODEL-NOTES.md):
1-D convolutions over time with pitch as channels cost a few percent of DeepComposer's
2-D U-Net per sample while being fully convolutional in time, so one pass accompanies
1 to 32 bars.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

LOSSES = ("wgan-gp", "wgan-clip", "bce")

# What the critic's ranking stage (models/critic_ranking.py) labels a candidate against:
# "own", Bach's accompaniment of that melody; "corpus", the mean of Bach's window metrics
# over the training split (the ranking target's reading, on the training split's Bach);
# "sampled", how often a candidate is the closer one against Bach's average over random
# held-out-sized samples of training chorales (what the target's own split is).
# It lives here, beside LOSSES, because the command line's choices are read from this
# module, which imports neither numpy nor torch.
CLOSENESS_TO = ("own", "corpus", "sampled")

# The phrase lengths a band may learn (``phrase_bars``; ``train --phrase-bars`` and the
# Train window's Phrase box): 2 to 16 bars, 0 for no phrase position. Four is the
# shipped band's (MMA's fills and walks close 4-bar phrases); past 16 a "phrase" is a
# section, and each bar of it is one more channel of the condition.
PHRASE_BARS_RANGE = (2, 16)


@dataclass(frozen=True)
class GanConfig:
    # tracks: what the model writes, as ``TrackSpec.to_dict`` dicts (models/tracks.py);
    # empty is the chorale model's alto, tenor and bass, so older cards load unchanged.
    tracks: tuple[dict, ...] = ()
    # Style names; with more than one, a style one-hot joins the melody condition of
    # both networks (models/encoding.py: with_style), so one model plays several styles.
    styles: tuple[str, ...] = ()
    # Bars of a phrase; over 0, the condition says which bar of the phrase a step is in
    # (models/encoding.py: with_phrase; pianoroll.phrase_bars_of), so the band can play
    # MMA's walk in bar 4 of 4 (issue 17). 0, the default, is no such channels: cards
    # without the field (the chorale's, the band's before it) read as before.
    phrase_bars: int = 0
    # data
    window_bars: int = 4  # training crops; the networks themselves take any length
    transpose: bool = True  # all transpositions that keep every voice in range
    # Draw windows so each meter in the data gets an equal share (the re-timed chorales
    # differ in length by meter: 6/4 copies are twice as long, 3/4 chorales are few);
    # False draws by length, as the shipped model's first stages did.
    balance_meters: bool = False
    # With balance_meters, each meter's share times its weight, as "6/8=2,2/2=2" (meters
    # not named weigh 1): a fine-tune can lean toward the meters it accompanies worst.
    meter_weights: str = ""
    # generator: 1-D U-Net over time, pitch as channels
    g_channels: tuple[int, ...] = (96, 128, 192, 256)  # one per time resolution, /1 /2 /4 /8
    noise_channels: int = 32  # noise per position at the bottleneck (every half bar)
    # critic: strided 1-D convolutions scoring patches, averaged over time
    d_channels: tuple[int, ...] = (96, 160, 256, 256)
    # Hidden units of the critic's bar head (models/critic.py), which the ranking stage
    # adds and trains (models/critic_ranking.py); 0 is none, as the GAN trains it (its
    # 0/1 pitch-class features pass no gradient to the generator, so GAN training with a
    # head would train the head alone on that term).
    critic_bar_head: int = 0
    # losses (see models/losses.py)
    loss: str = "wgan-gp"
    # Weight of the adversarial term in the generator's loss.  0 is the same model trained
    # on reconstruction alone: the critic is neither trained nor asked, so the seeds'
    # experiment (scripts/seeds_experiment.sh) can say what the critic adds.
    adversarial_weight: float = 1.0
    gp_lambda: float = 10.0
    clip_value: float = 0.01
    critic_steps: int = 5
    recon_weight: float = 10.0  # cross-entropy to Bach's voices, best of `candidates_per_melody`
    candidates_per_melody: int = 2
    # Share of the critic's fakes that are spoiled real music (chorales: models/negatives.py;
    # bands: models/band_negatives.py), so the critic must judge how the accompaniment fits
    # the melody; 0 turns them off.
    critic_negatives: float = 0.0
    # The kinds of spoiled music shown (bands: models/band_negatives.py, () is its
    # TRAINED_KINDS; chorales: models/negatives.py, () is its KINDS), what the shipped
    # critics were trained with. A trial names more (session 14's band groove kind:
    # scripts/band_critic_groove.json; session 15's chorale beat_dissonance:
    # scripts/chorale_critic_dissonance.json) without changing what every other run, an
    # in-app fine-tune included, is shown.
    critic_negative_kinds: tuple[str, ...] = ()
    # Whether the gradient penalty is also taken between real music and its spoiled copies
    # (as every shipped critic was trained); False is session 15's diagnostic trial: the
    # fine-tuned critics lost the subtle kinds they were shown, and the penalty on points
    # between a real window and its near copy is the first suspect (docs/ranking.md).
    critic_negative_gp: bool = True
    # Train the critic alone: the generator (and its EMA) stay as they start, so a
    # fine-tune of the critic (--init-from) keeps the candidates the product writes now.
    critic_only: bool = False
    # The generator's fakes are drawn like the app's candidates: beat-held Gumbel noise
    # at a random variety up to this (models/sampling.py), so the critic learns to tell
    # the app's good candidates from its bad ones; 0 shows the critic plain argmax voices.
    train_variety: float = 0.0
    # optimisation
    batch_size: int = 16
    iterations: int = 2000  # generator updates
    lr_g: float = 5e-4
    lr_d: float = 5e-4
    betas: tuple[float, float] = (0.5, 0.9)
    ema_decay: float = 0.995  # the shipped generator is an exponential moving average
    seed: int = 0

    def __post_init__(self) -> None:
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {self.loss!r}")
        if self.adversarial_weight < 0:
            raise ValueError("adversarial_weight must be 0 (reconstruction only) or more")
        if self.adversarial_weight == 0 and self.recon_weight == 0:
            raise ValueError("with adversarial_weight 0, recon_weight must be positive")
        if not 0.0 <= self.critic_negatives < 1.0:
            raise ValueError("critic_negatives must be in [0, 1)")
        if not 0.0 <= self.train_variety <= 1.0:
            raise ValueError("train_variety must be in [0, 1]")
        weights = self.meter_weight_map  # validates the text
        if weights and not self.balance_meters:
            raise ValueError("meter_weights needs balance_meters (it weighs each meter's share)")
        if self.critic_negative_kinds:
            from models.band_negatives import JUDGE_KINDS, SPOILERS
            from models.negatives import SPOILERS as CHORALE_SPOILERS

            judges = sorted(set(self.critic_negative_kinds) & set(JUDGE_KINDS))
            if judges:  # held-out groove judges (session 23): training on one spends it
                raise ValueError(f"{', '.join(judges)} only judge a critic; train on others")
            known = [k for k in SPOILERS if k not in JUDGE_KINDS]
            known += [k for k in CHORALE_SPOILERS if k not in SPOILERS]
            unknown = sorted(set(self.critic_negative_kinds) - set(known))
            if unknown:
                raise ValueError(f"no spoiled kind {', '.join(unknown)}: {', '.join(known)}")
        if self.phrase_bars < 0:
            raise ValueError("phrase_bars must be 0 (no phrase position) or a number of bars")
        if self.critic_bar_head < 0:
            raise ValueError("critic_bar_head must be 0 (none) or a number of hidden units")
        if len(self.g_channels) < 2:
            raise ValueError("g_channels needs at least two resolutions")
        specs = self.track_specs  # validates every track dict
        if self.critic_only and self.adversarial_weight == 0:
            raise ValueError("critic_only needs the critic: adversarial_weight must be over 0")
        if not self.is_chorale_layout and (self.critic_bar_head or self.train_variety):
            raise ValueError(
                "critic_bar_head and train_variety work on three voices "
                f"only; this model has tracks {', '.join(t.name for t in specs)}"
            )

    @cached_property
    def track_specs(self) -> tuple:
        """The tracks as ``TrackSpec`` (``CHORALE_TRACKS`` where none are listed)."""
        from models.tracks import CHORALE_TRACKS, TrackSpec

        return tuple(TrackSpec.from_dict(dict(t)) for t in self.tracks) or CHORALE_TRACKS

    @property
    def meter_weight_map(self) -> dict[tuple[int, int], float]:
        """``meter_weights`` read: {(numerator, denominator): weight}."""
        out: dict[tuple[int, int], float] = {}
        for item in filter(None, (x.strip() for x in self.meter_weights.split(","))):
            try:
                meter, weight = item.split("=")
                numerator, denominator = (int(n) for n in meter.split("/"))
                out[(numerator, denominator)] = float(weight)
            except ValueError:
                raise ValueError(
                    f"meter_weights item {item!r} is not like 6/8=2; write meters and "
                    'weights as "6/8=2,2/2=1.5"'
                ) from None
            if out[(numerator, denominator)] <= 0:
                raise ValueError(f"meter_weights: {item!r} must weigh more than 0")
        return out

    @property
    def is_chorale_layout(self) -> bool:
        """Three monophonic voices on the full grid: the networks' original output layout
        ``(B, voice, T, pitch-or-rest)``, which the chorale code paths read (voices with
        an onset output are not: they go the band's way)."""
        from models.pianoroll import N_PITCHES

        specs = self.track_specs
        return len(specs) == 3 and all(
            t.monophonic and t.n_rows == N_PITCHES and not t.onsets for t in specs
        )

    @property
    def n_style_channels(self) -> int:
        """Condition channels the style adds: its one-hot, none for a single style."""
        return len(self.styles) if len(self.styles) > 1 else 0

    @property
    def n_condition_channels(self) -> int:
        """Channels of the networks' condition: melody and positions, style, phrase."""
        from models.encoding import N_CONDITION_FEATURES

        return N_CONDITION_FEATURES + self.n_style_channels + self.phrase_bars

    @property
    def time_multiple(self) -> int:
        """Lengths the generator accepts are multiples of this many steps."""
        return 2 ** (len(self.g_channels) - 1)

    def to_dict(self) -> dict:
        values = dataclasses.asdict(self)
        if not self.phrase_bars:  # cards of models without it stay as they were
            del values["phrase_bars"]
        if not self.critic_negative_kinds:
            del values["critic_negative_kinds"]
        if self.critic_negative_gp:  # cards of models trained as before stay as they were
            del values["critic_negative_gp"]
        return values

    @classmethod
    def from_dict(cls, values: dict) -> GanConfig:
        """Rebuild from a model card, refusing keys this code does not know."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(unknown)}")
        fixed = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        if "tracks" in fixed:  # a card's JSON list of track dicts
            fixed["tracks"] = tuple(dict(t) for t in fixed["tracks"])
        return cls(**fixed)

    def replace(self, **changes) -> GanConfig:
        return dataclasses.replace(self, **changes)
