"""The engine boundary: a generation passes as one request through either host."""

from __future__ import annotations

import pickle

from composer_gui.core.arrangement import Arrangement, Note, Track
from composer_gui.core.generate_request import GenerateRequest
from composer_gui.ui.workers import LazyEngine, generate_candidates


class Recorder:
    """An engine that remembers how it was called."""

    device_name = "recorder"

    def __init__(self) -> None:
        self.calls = []

    def generate(self, melody, **options):
        self.calls.append((melody, options))
        return ["a candidate"]


def test_a_request_reaches_the_engine_whole_through_the_in_process_host():
    melody = Arrangement([Track("melody", [Note(60, 0.0, 1.0)])])
    request = GenerateRequest(
        melody, k=3, seed=7, density=0.2, preset="strings", allow_long="first"
    )
    holder = LazyEngine()
    holder.engine = Recorder()
    progress = []
    assert generate_candidates(holder, request, progress=progress.append) == ["a candidate"]
    ((got, options),) = holder.engine.calls
    assert got is melody
    assert options["k"] == 3 and options["seed"] == 7 and options["density"] == 0.2
    assert options["preset"] == "strings" and options["allow_long"] == "first"
    assert options["progress"] == progress.append


def test_a_request_crosses_into_the_child_process_as_it_is():
    request = GenerateRequest(Arrangement([Track("melody", [Note(60, 0.0, 1.0)])]), k=2)
    assert pickle.loads(pickle.dumps(request)) == request
