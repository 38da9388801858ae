"""The window's state machine with a chosen seed and size, to explore by hand.

Not collected by pytest (the name is not ``test_*``); CI runs ``test_window_states.py``
with its own settings (25 examples of 15 steps). Every rule and check is that file's.
Usage::

    N=100 S=30 QT_QPA_PLATFORM=offscreen nice -n 10 .venv/bin/python -m pytest \\
        tests/composer_gui/ui/explore_window_states.py -q -p no:cacheprovider \\
        --hypothesis-seed=5

``N`` is max_examples (25, CI's), ``S`` stateful_step_count (15, CI's). Derandomize is
off and no example database is read or written, so a seed's run is the same each time;
a failure prints its shrunk sequence, to be written as a plain test. Session 23's sweep
(``sweep_window_states.sh`` beside this file) is recorded in docs/app.md.
"""

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.composer_gui.ui.test_window_states import WindowMachine

pytestmark = [pytest.mark.gui, pytest.mark.jack]


def test_explored(qapp, jack_server):
    run_state_machine_as_test(
        WindowMachine,
        settings=settings(
            derandomize=False,
            database=None,
            max_examples=int(os.environ.get("N", 25)),
            stateful_step_count=int(os.environ.get("S", 15)),
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
