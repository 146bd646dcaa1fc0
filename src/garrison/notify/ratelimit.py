"""Token buckets that keep each channel under its receiver's rate limit.

DingTalk and WeCom robots accept about 20 messages a minute and block a robot that sends
more, so a burst of SLA breaches must not go out all at once. The arithmetic is pure and
exact: time is counted in whole microseconds and tokens are fractions, so the guarantee
"never more than ``burst + rate * t`` sends in any window of length ``t``" holds without
rounding slack (a property test checks it).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from garrison.core.clock import Clock

_US = Fraction(1, 1_000_000)


@dataclass(frozen=True, slots=True)
class RateSpec:
    """A bucket's shape.

    Attributes:
        rate: Tokens added per second.
        burst: Bucket capacity: sends allowed at once.
    """

    rate: Fraction
    burst: int

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("rate must be positive and burst at least 1")

    @classmethod
    def per_minute(cls, per_minute: float, burst: int) -> RateSpec:
        """A spec allowing ``per_minute`` sends a minute after an initial ``burst``."""
        return cls(rate=Fraction(per_minute) / 60, burst=burst)


@dataclass(frozen=True, slots=True)
class BucketState:
    """Tokens left at a moment.

    Attributes:
        tokens: Tokens available at ``updated`` (0 to burst).
        updated: When ``tokens`` was computed.
    """

    tokens: Fraction
    updated: datetime


def full(spec: RateSpec, now: datetime) -> BucketState:
    """A bucket that has not been used yet."""
    return BucketState(Fraction(spec.burst), now)


def refill(spec: RateSpec, state: BucketState, now: datetime) -> BucketState:
    """The state at ``now``; a clock that went backwards adds nothing."""
    if now <= state.updated:
        return state
    elapsed_us = (now - state.updated) // timedelta(microseconds=1)
    tokens = min(Fraction(spec.burst), state.tokens + spec.rate * elapsed_us * _US)
    return BucketState(tokens, now)


def try_take(spec: RateSpec, state: BucketState, now: datetime) -> tuple[bool, BucketState]:
    """Take one token if there is one; returns whether it was taken and the new state."""
    current = refill(spec, state, now)
    if current.tokens >= 1:
        return True, BucketState(current.tokens - 1, current.updated)
    return False, current


def wait_time(spec: RateSpec, state: BucketState, now: datetime) -> timedelta:
    """How long until a token is available (zero if one is), rounded up to a microsecond."""
    current = refill(spec, state, now)
    if current.tokens >= 1:
        return timedelta(0)
    micros = math.ceil((1 - current.tokens) / spec.rate / _US)
    return timedelta(microseconds=micros)


class RateLimiter:
    """One bucket per key (channel name), read against an injected clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._specs: dict[str, RateSpec] = {}
        self._states: dict[str, BucketState] = {}
        self._lock = threading.Lock()

    def configure(self, key: str, spec: RateSpec) -> None:
        """Set (or replace) the bucket of ``key``, starting full."""
        with self._lock:
            self._specs[key] = spec
            self._states[key] = full(spec, self._clock.now())

    def try_acquire(self, key: str) -> bool:
        """Take a token for ``key`` if one is available; unknown keys are not limited."""
        with self._lock:
            spec = self._specs.get(key)
            if spec is None:
                return True
            taken, self._states[key] = try_take(spec, self._states[key], self._clock.now())
            return taken

    def wait_seconds(self, key: str) -> float:
        """Seconds until ``key`` has a token."""
        with self._lock:
            spec = self._specs.get(key)
            if spec is None:
                return 0.0
            return wait_time(spec, self._states[key], self._clock.now()).total_seconds()
