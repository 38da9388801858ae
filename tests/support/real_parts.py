"""How a test reacts when a real part (JACK, FluidSynth, a soundfont) is missing.

Locally such a test is skipped with the reason; in CI (``COMPOSER_REQUIRE_REAL_PARTS=1``,
set by ``.ci/run``) it fails, so a missing install step can never turn CI green.
"""

import os

import pytest


def require(condition: bool, what: str) -> None:
    if condition:
        return
    message = f"{what} is missing (scripts/system-deps.sh installs it)"
    if os.environ.get("COMPOSER_REQUIRE_REAL_PARTS") == "1":
        pytest.fail(message)
    pytest.skip(message)


def needs(condition: bool, what: str):
    """A test decorator: the test runs only where ``condition`` holds, and otherwise skips
    locally and fails in CI (``require``), unlike ``pytest.mark.skipif``, which would skip
    in CI too."""
    import functools

    def decorate(test):
        @functools.wraps(test)
        def wrapper(*args, **kwargs):
            require(condition, what)
            return test(*args, **kwargs)

        return wrapper

    return decorate
