"""The Document state machine with derandomize off, to explore other seeds by hand.

Not collected by pytest (the name is not ``test_*``); CI runs the derandomized machine in
``test_document_states.py``. Every rule and check is that file's. Usage::

    N=300 S=40 nice -n 10 .venv/bin/python -m pytest \\
        tests/composer_gui/core/explore_document_states.py -q -p no:cacheprovider \\
        --hypothesis-seed=5

``N`` is max_examples (200, CI's), ``S`` stateful_step_count (30, CI's). No example
database is read or written, so a seed's run is the same each time; a failure prints its
shrunk sequence, to be written as a plain test (session 21, docs/app.md).
"""

import os

from hypothesis import HealthCheck, settings

from tests.composer_gui.core.test_document_states import DocumentMachine


class ExploredMachine(DocumentMachine):
    pass


ExploredMachine.TestCase.settings = settings(
    derandomize=False,
    database=None,
    max_examples=int(os.environ.get("N", 200)),
    stateful_step_count=int(os.environ.get("S", 30)),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
test_explored = ExploredMachine.TestCase
