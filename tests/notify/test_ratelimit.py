"""Token bucket: exact property "never more than burst + rate * t sends in any window"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.notify.ratelimit import RateLimiter, RateSpec, full, try_take, wait_time

T0 = datetime(2026, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)

specs = st.builds(
    RateSpec,
    rate=st.fractions(min_value=Fraction(1, 3600), max_value=100),
    burst=st.integers(1, 20),
)
# Request times: microsecond gaps from tiny to an hour, so both bursts and refills happen.
gaps = st.lists(st.integers(0, 3_600_000_000), min_size=1, max_size=120)


def _accepted(spec: RateSpec, offsets: list[int]) -> list[int]:
    state = full(spec, T0)
    taken: list[int] = []
    now_us = 0
    for gap in offsets:
        now_us += gap
        ok, state = try_take(spec, state, T0 + now_us * US)
        if ok:
            taken.append(now_us)
    return taken


@settings(max_examples=300, deadline=None)
@given(specs, gaps)
def test_never_more_than_burst_plus_rate_times_window(spec: RateSpec, offsets: list[int]) -> None:
    taken = _accepted(spec, offsets)
    for i in range(len(taken)):
        for j in range(i, len(taken)):
            window_seconds = Fraction(taken[j] - taken[i], 1_000_000)
            assert j - i + 1 <= spec.burst + spec.rate * window_seconds


@given(specs, st.integers(0, 3_600_000_000))
def test_waiting_the_advertised_time_yields_a_token(spec: RateSpec, gap: int) -> None:
    state = full(spec, T0)
    for _ in range(spec.burst):
        ok, state = try_take(spec, state, T0)
        assert ok
    now = T0 + gap * US
    wait = wait_time(spec, state, now)
    ok, _ = try_take(spec, state, now + wait)
    assert ok
    if wait > US:
        ok, _ = try_take(spec, state, now + wait - US)
        assert not ok


def test_burst_then_rate() -> None:
    spec = RateSpec.per_minute(20, burst=5)
    state = full(spec, T0)
    results = []
    for _ in range(7):
        ok, state = try_take(spec, state, T0)
        results.append(ok)
    assert results == [True] * 5 + [False] * 2
    assert wait_time(spec, state, T0) == timedelta(seconds=3)
    assert try_take(spec, state, T0 + timedelta(seconds=3))[0]


def test_clock_going_backwards_adds_nothing() -> None:
    spec = RateSpec(rate=Fraction(1), burst=1)
    _, state = try_take(spec, full(spec, T0), T0)
    ok, _ = try_take(spec, state, T0 - timedelta(hours=1))
    assert not ok


def test_limiter_per_key() -> None:
    clock = FrozenClock(T0)
    limiter = RateLimiter(clock)
    limiter.configure("ding", RateSpec.per_minute(60, burst=1))
    assert limiter.try_acquire("ding")
    assert not limiter.try_acquire("ding")
    assert limiter.wait_seconds("ding") == 1.0
    assert limiter.try_acquire("other")  # unknown keys are not limited
    clock.advance(timedelta(seconds=1))
    assert limiter.try_acquire("ding")


def test_bad_spec() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateSpec(rate=Fraction(0), burst=1)
