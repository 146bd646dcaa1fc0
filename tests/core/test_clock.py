"""Clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from garrison.core.clock import FrozenClock, SystemClock
from garrison.core.errors import ConfigError
from garrison.core.timezones import resolve_zone


def test_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8))))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2026, 1, 1, 0, 5, tzinfo=UTC)


def test_frozen_clock_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        FrozenClock(datetime(2026, 1, 1))


def test_system_clock_is_utc() -> None:
    assert SystemClock().now().tzinfo is UTC


def test_zones() -> None:
    assert resolve_zone("UTC") is UTC
    assert str(resolve_zone("Asia/Shanghai")) == "Asia/Shanghai"
    assert resolve_zone("local") is not None
    with pytest.raises(ConfigError) as info:
        resolve_zone("Nowhere/City")
    assert "IANA" in (info.value.hint or "")
