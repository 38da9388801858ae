"""A barely trained model says so, in one sentence (core.rough_model), decided from its card
and its candidates' scores; the shipped models do not."""

from __future__ import annotations

import json

import pytest

from composer_gui.core.rough_model import (
    WELL_TRAINED_ITERATIONS,
    is_barely_trained,
    rough_model_sentence,
)
from composer_gui.paths import resource_path

SESSION_20 = {"iterations": 20, "calibration": {"split": "train"}}  # the walk's own model


def test_session_20s_twenty_iterations_and_tied_scores_are_said_in_one_sentence():
    said = rough_model_sentence(SESSION_20, [66.0] * 8)
    assert said == (
        "This model has had only 20 training iterations (the shipped chorale model's music "
        "kept improving for its first 1,000), so its accompaniments are rough and its scores "
        "cannot tell them apart."
    )
    # scores that differ: only the training is said
    assert rough_model_sentence(SESSION_20, [66.0, 40.0]).endswith("accompaniments are rough.")


@pytest.mark.parametrize("name", ["composer-chorales", "composer-band"])
def test_the_shipped_models_are_not_called_barely_trained(name):
    path = resource_path("weights", f"{name}.json")
    if not path.is_file():
        pytest.skip(f"{name} is not installed")
    card = json.loads(path.read_text())
    assert not is_barely_trained(card)
    assert rough_model_sentence(card, [71.0, 55.0, 40.0]) == ""


def test_the_threshold_counts_iterations_from_scratch_only():
    assert is_barely_trained({"iterations": WELL_TRAINED_ITERATIONS - 1})
    assert not is_barely_trained({"iterations": WELL_TRAINED_ITERATIONS})
    # a fine-tune from before session 23 does not say how trained its start was: not judged
    assert not is_barely_trained({"iterations": 20, "initialized_from": "composer-band"})
    assert not is_barely_trained({})  # a card that does not say is not judged
    assert rough_model_sentence({"iterations": 0}, [50.0]).startswith(
        "This model has had no training (the shipped"
    )


def test_tied_scores_of_a_trained_model_are_said_and_one_candidate_is_no_tie():
    trained = {"iterations": 5000}
    assert rough_model_sentence(trained, [66.2, 65.8, 66.0]) == (
        "All 3 candidates score the same: the model's scores cannot tell them apart."
    )
    assert rough_model_sentence(trained, [66.0]) == ""
    # 66.5 and 66.3 read 67 and 66 in the list, yet nothing tells them apart
    assert rough_model_sentence(trained, [66.52, 66.4, 66.3]).startswith("All 3 candidates")
    assert rough_model_sentence(trained, [67.0, 66.0]) == ""


def test_scores_all_shown_under_one_say_the_melody_is_unlike_the_training_ones():
    trained = {"iterations": 5000}
    said = rough_model_sentence(trained, [0.3, 0.1, 0.0, 0.2])
    assert said.startswith("All 4 candidates score under 1")
    assert "cannot tell them apart" not in said
    # one of them shown as 1 or more: the plain tie is said
    assert "score the same" in rough_model_sentence(trained, [0.9, 0.6])


def test_a_fine_tune_is_judged_on_its_starts_iterations_and_its_own():
    """Session 23: a fine-tune's card records how trained its start was; 20 iterations on
    the shipped band model are well trained, 20 on a model of 20 from scratch are not."""
    of_shipped = {"iterations": 20, "initialized_from": "b", "initialized_from_iterations": 6000}
    assert not is_barely_trained(of_shipped)
    assert rough_model_sentence(of_shipped, [70.0, 50.0]) == ""
    of_rough = {"iterations": 20, "initialized_from": "mine", "initialized_from_iterations": 20}
    assert is_barely_trained(of_rough)
    assert rough_model_sentence(of_rough, [66.0] * 4) == (
        "This model has had only 40 training iterations, counting the model it was "
        "fine-tuned from (the shipped chorale model's music kept improving for its first "
        "1,000), so its accompaniments are rough and its scores cannot tell them apart."
    )
    of_nothing = {"iterations": 0, "initialized_from": "m", "initialized_from_iterations": 0}
    assert rough_model_sentence(of_nothing, [50.0]).startswith(
        "This model has had no training (the shipped"
    )
