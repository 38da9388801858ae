"""Whether a model is barely trained, or its scores tie, said in one sentence.

One rule for every place that shows a take (``accompany``'s output, the window's status
bar and the candidates' tooltips): the engine stamps the sentence on each candidate
(``Candidate.model_note``), and they print it.  Session 20's walk trained a model on four
songs for 20 iterations: its 8 candidates all scored 66 and its drums struck 120 notes a
bar, and nothing said the model was barely trained.
"""

from __future__ import annotations

# Training iterations from scratch below which a model is called barely trained.  From the
# shipped chorale model's own record (docs/training/shipped/report.md and its
# chorales-metrics.png): trained from scratch for 2,500 iterations, its music's distance
# to Bach (validation) fell until about iteration 1,000 and then held.  (The shipped band
# model's first run had 7,905; DeepComposer's GAN trained 1,000.)  Chosen from that
# record alone, before any own model's take was read against it.
WELL_TRAINED_ITERATIONS = 1000


def is_barely_trained(card: dict) -> bool:
    """A model trained for fewer than ``WELL_TRAINED_ITERATIONS`` iterations in all, a
    fine-tune's start's counted (``models.checkpoint.training_iterations``); a card that
    does not say (no iterations, or a fine-tune that does not record its start's) is not
    judged."""
    from models.checkpoint import training_iterations  # torch: not at the window's start

    total = training_iterations(card)
    return total is not None and total < WELL_TRAINED_ITERATIONS


# Scores closer than this (out of 100) are tied: the window shows whole numbers.  First
# written as "the same whole number", which session 20's 20-iteration model (re-made here,
# ode_to_joy, seed 1: 66.5 to 66.3) missed by rounding 66.5x up and the rest down; so this
# figure was shaped by that run, and judges nothing.
TIE_POINTS = 1.0


# The list shows a score under this as "<1" (ui/candidates.py): nearly every calibration
# accompaniment scored higher.  Session 21's walk met a rock take whose 8 candidates all
# read "<1": tied as shown, yet "the scores cannot tell them apart" would be untrue there
# (the raw scores order them), and the musician's question is why they are all so low.
SHOWN_AS_UNDER_ONE = 0.5


def scores_tied(percentiles: list[float]) -> bool:
    """Two or more candidates whose shown scores all lie within ``TIE_POINTS``."""
    return len(percentiles) > 1 and max(percentiles) - min(percentiles) < TIE_POINTS


def rough_model_sentence(card: dict, percentiles: list[float]) -> str:
    """One sentence a musician reads beside a take, or "" where there is nothing to say."""
    tied = scores_tied(percentiles)
    if is_barely_trained(card):
        from models.checkpoint import training_iterations

        n = training_iterations(card)
        had = f"only {n} training iteration{'s' if n != 1 else ''}" if n else "no training"
        if n and card.get("initialized_from"):
            had += ", counting the model it was fine-tuned from"
        rough = (
            f"This model has had {had} (the shipped chorale model's music kept improving "
            f"for its first {WELL_TRAINED_ITERATIONS:,}), so its accompaniments are rough"
        )
        return f"{rough} and its scores cannot tell them apart." if tied else f"{rough}."
    if tied and max(percentiles) < SHOWN_AS_UNDER_ONE:
        return (
            f"All {len(percentiles)} candidates score under 1, below nearly every "
            "accompaniment the model was calibrated on: this melody is unlike the ones it "
            "learnt from, so take their order as a rough guide."
        )
    if tied:
        return (
            f"All {len(percentiles)} candidates score the same: the model's scores cannot "
            "tell them apart."
        )
    return ""
