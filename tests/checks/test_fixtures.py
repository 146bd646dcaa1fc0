"""Every check, in every area, ships a failing and a passing fixture in its mirrored folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.checks.loader import all_checks

HERE = Path(__file__).parent


@pytest.mark.parametrize("check", all_checks(), ids=lambda c: c.metadata.id)
def test_check_has_fail_and_pass_fixtures(check: type) -> None:
    meta = check.metadata  # type: ignore[attr-defined]
    folder = HERE / meta.area / meta.id
    names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    assert any(n.startswith("fail") for n in names), f"{folder}: no fail fixture"
    assert any(n.startswith("pass") for n in names), f"{folder}: no pass fixture"
