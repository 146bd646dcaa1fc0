"""The rule book: the text of a rule as written, for the console."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.core.errors import NotFoundError
from garrison.platform import Platform
from garrison.settings import Settings

TWO_RULES = """title: First
id: 11111111-1111-4111-8111-111111111111
logsource: {product: linux, service: auth}
detection:
    sel: {event.action: ssh_login}
    condition: sel
level: low
---
title: Second
id: 22222222-2222-4222-8222-222222222222
logsource: {product: linux, service: auth}
detection:
    sel: {event.action: sudo}
    condition: sel
level: high
"""


def test_source_returns_only_the_document_of_the_rule(tmp_path: Path) -> None:
    platform = Platform.open(Settings(home=tmp_path / "home"))
    try:
        platform.rulebook.upload("mine.yml", TWO_RULES, actor="user:li.na")
        second = platform.rulebook.source("22222222-2222-4222-8222-222222222222")
        assert second.startswith("title: Second\n") and "First" not in second
        builtin = platform.rulebook.catalog()[0]["id"]
        assert f"id: {builtin}" in platform.rulebook.source(builtin)
        with pytest.raises(NotFoundError):
            platform.rulebook.source("no-such-rule")
    finally:
        platform.close()
