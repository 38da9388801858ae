"""Fixtures of the engine's tests: the engine loaded with the tiny random-weight chorale
model (``engine``) and with the tiny band model (``band_engine``), once per module."""

from __future__ import annotations

import pytest

from tests.support.model_files import loaded_engine


@pytest.fixture(scope="module")
def engine(tiny_model):
    return loaded_engine(tiny_model)


@pytest.fixture(scope="module")
def band_engine(band_model):
    return loaded_engine(band_model)
