"""Fixtures for the evidence tests: in-memory keyrings for each algorithm."""

from __future__ import annotations

import pytest

from garrison.core.clock import FrozenClock
from garrison.evidence.algorithms import Algorithm
from garrison.evidence.keys import Keyring, generate_key


@pytest.fixture(params=list(Algorithm), ids=lambda a: a.value)
def algorithm(request: pytest.FixtureRequest) -> Algorithm:
    """Each supported algorithm in turn."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def keyring(algorithm: Algorithm, clock: FrozenClock) -> Keyring:
    """An in-memory keyring whose current key uses ``algorithm``."""
    return Keyring([generate_key(algorithm, clock=clock)])
