"""Fixtures shared by the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory in a clean working directory, with no Garrison environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GARRISON_DATABASE_URL", raising=False)
    monkeypatch.delenv("GARRISON_HOME", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path / "data"
