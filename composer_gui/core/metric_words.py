"""The honest metrics (``models.metrics``) in a musician's words, for every place that shows them.

The metric keys stay the research names (``qualified_note_rate``, ``tonal_distance``): they
are what the JSON, the model card and docs/model.md use. Everything a musician reads (the
candidate list and its tooltip, ``accompany``'s table) goes through this table instead.
Per-track keys read as "Alto: in key": the chorale's ``alto/in_key_ratio`` and a band's
``bass.notes_per_bar`` (``core.band_take``, measures of ``models.track_metrics``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MetricWords:
    label: str  # a column title: two or three words
    form: str  # how its value is written
    meaning: str  # one clause for a tooltip: what the number says about the music


# In the order they are shown; "notes" is the engine's own count.
METRIC_WORDS: dict[str, MetricWords] = {
    "in_key_ratio": MetricWords("In key", "{:.0%}", "notes in the melody's key"),
    "empty_bar_rate": MetricWords("Silent bars", "{:.0%}", "bars where it does not play"),
    "pitch_classes_per_bar": MetricWords(
        "Notes per bar", "{:.1f}", "different note names in a bar"
    ),
    "polyphony": MetricWords("Voices at once", "{:.1f}", "notes sounding together"),
    "qualified_note_rate": MetricWords(
        "Held notes", "{:.0%}", "notes an eighth or longer; low sounds choppy"
    ),
    "tonal_distance": MetricWords(
        "Harmony gap", "{:.2f}", "how far its harmony strays from the melody's, 0 = none"
    ),
    "notes": MetricWords("Notes", "{:.0f}", "notes written"),
}
METRIC_WORDS["qualified_notes"] = METRIC_WORDS["qualified_note_rate"]  # older project files
# A band's measures per track kind (models.track_metrics), shown per track.
METRIC_WORDS.update(
    {
        "empty_bars": METRIC_WORDS["empty_bar_rate"],
        "notes_per_bar": MetricWords(
            "Notes struck a bar", "{:.1f}", "notes started in a bar it plays"
        ),
        "notes_per_chord": MetricWords("Chord size", "{:.1f}", "notes struck together"),
        "bars_with_drums": MetricWords("Bars with drums", "{:.0%}", "bars where a drum is hit"),
    }
)
for _group, _said in (
    ("kick", "kick"),
    ("snare", "snare"),
    ("hihat", "hi-hat"),
    ("toms", "tom"),
    ("cymbals", "cymbal"),
    ("percussion", "percussion"),
):
    METRIC_WORDS[f"hits_per_bar_{_group}"] = MetricWords(
        f"{_said.capitalize()} hits a bar", "{:.1f}", ""
    )


def split_key(key: str) -> tuple[str, str]:
    """``(track, metric)`` of a per-track key ("alto/in_key_ratio", "bass.notes_per_bar");
    ``("", key)`` of a headline one ("in_key_ratio")."""
    for separator in "/.":
        track, found, metric = key.partition(separator)
        if found:
            return track, metric
    return "", key


def reference_words(style: str, calibrated_on: str = "") -> str:
    """What a candidate's percentile is among: Bach's own for the chorales, the band
    renderings the band model was calibrated on (its validation split) for a band style;
    its training songs where the card was calibrated on them (``calibrated_on`` "train")."""
    if calibrated_on == "train":
        return f"the {style} style's real accompaniments (the songs it was trained on)"
    if style in ("chorale", ""):  # "": a candidate of a project file from before styles
        return "real Bach accompaniments (held-out chorales)"
    return f"the {style} style's real accompaniments (its validation split)"


def shown_among_words(style: str, calibrated_on: str = "") -> str:
    """What the shown score is a percentile among (``models.ranking.score_percentile``):
    the model's own candidates for the validation split's melodies, the chorales' or the
    band style's (a card calibrated before that places it among real music instead, and
    says so through ``reference_words``)."""
    if calibrated_on == "train":
        return f"the model's own candidates for the {style} style's training melodies"
    if style in ("chorale", ""):
        return "the model's own candidates for held-out chorale melodies"
    return f"the model's own candidates for the {style} style's held-out melodies"


def places_among_own(calibration: dict) -> bool:
    """Whether a card's shown number is a percentile among the model's own candidates
    (its calibration has ``ranked_candidate_quantiles``, which
    ``models.ranking.score_percentile`` reads) rather than among real music (a band card
    calibrated before them, a model of one's own from before, the tests' tiny ones)."""
    return "ranked_candidate_quantiles" in calibration


def calibrated_on(calibration: dict) -> str:
    """What a card's scores were calibrated on: "train" where it had no held-out songs
    (``models.export``: a folder of a few songs), else "" (its validation split)."""
    return "train" if calibration.get("split") == "train" else ""


def score_among_words(style: str, among_own: bool, calibrated_on: str = "") -> str:
    """What the shown number is a percentile among, for a card that places it among its
    own candidates (``among_own``) or among real music."""
    if among_own:
        return shown_among_words(style, calibrated_on)
    return reference_words(style, calibrated_on)


def score_line(candidate) -> str:
    """The tooltip's score line: the shown number, what it is among, and (for the
    chorales) the share of real Bach whose ranking score is lower."""
    on = getattr(candidate, "calibrated_on", "")
    if math.isfinite(getattr(candidate, "real_share", math.nan)):
        return (
            f"Score: {candidate.percentile:.0f} / 100 among "
            f"{shown_among_words(candidate.style, on)}"
            f" (50 is a typical candidate); above {candidate.real_share:.0f}% of "
            f"{reference_words(candidate.style, on)} (the critic with the musical checks; critic "
            f"alone {candidate.critic_score:.2f})"
        )
    return (
        f"Score: {candidate.percentile:.0f} / 100 among "
        f"{score_among_words(candidate.style, among_own=False, calibrated_on=on)} "
        f"(the critic with the musical checks; critic alone {candidate.critic_score:.2f})"
    )


def words_for(key: str) -> MetricWords:
    """The words for a headline or per-track key; an unknown key is spelled out plainly."""
    track, metric = split_key(key)
    words = METRIC_WORDS.get(metric) or MetricWords(
        metric.replace("_", " ").capitalize(), "{:.2f}", ""
    )
    if not track:
        return words
    return MetricWords(f"{track.capitalize()}: {words.label.lower()}", words.form, words.meaning)


def metric_label(key: str) -> str:
    return words_for(key).label


def metric_text(key: str, value: float) -> str:
    """The value as the musician reads it ("93%", "0.41"); nothing to measure is "–"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return words_for(key).form.format(value)


def metric_line(key: str, value: float) -> str:
    """ "In key: 93% (notes in the melody's key)": one line of a tooltip."""
    words = words_for(key)
    meaning = f" ({words.meaning})" if words.meaning else ""
    return f"{words.label}: {metric_text(key, value)}{meaning}"


def metric_legend(key: str) -> str:
    """ "Held notes: notes an eighth or longer; low sounds choppy": a table's key."""
    words = words_for(key)
    return f"{words.label}: {words.meaning}" if words.meaning else words.label
