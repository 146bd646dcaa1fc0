"""Fixtures of the web checks: the test CA, and real local servers playing YAML fixtures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.checks.web._harness import Pki, Running, Site, serve

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """One test CA for the whole session (its leaves are cached per kind)."""
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def site(pki: Pki) -> Iterator[Callable[[Path | Site], Running]]:
    """Start a server for a fixture file (or a :class:`Site`); stopped after the test."""
    with ExitStack() as stack:

        def start(spec: Path | Site) -> Running:
            loaded = spec if isinstance(spec, Site) else Site.load(spec)
            return stack.enter_context(serve(loaded, pki))

        yield start
