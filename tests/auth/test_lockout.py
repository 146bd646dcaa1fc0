from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from garrison.auth.lockout import LockoutPolicy

T0 = datetime(2026, 12, 2, 12, tzinfo=UTC)
POLICY = LockoutPolicy()


def test_five_failures_in_five_minutes_lock_for_fifteen() -> None:
    failures = [T0 + timedelta(seconds=s) for s in (0, 60, 120, 180)]
    assert POLICY.lock_until(failures, failures[-1]) is None
    fifth = T0 + timedelta(seconds=299)
    assert POLICY.lock_until([*failures, fifth], fifth) == fifth + timedelta(minutes=15)
    late = T0 + timedelta(seconds=300)  # the first failure has left the window
    assert POLICY.lock_until([*failures, late], late) is None


@given(st.lists(st.integers(min_value=0, max_value=1200), max_size=12))
def test_locks_exactly_when_the_window_holds_enough_failures(offsets: list[int]) -> None:
    now = T0 + timedelta(seconds=1200)
    failures = [T0 + timedelta(seconds=o) for o in offsets]
    inside = sum(1 for f in failures if now - timedelta(minutes=5) < f <= now)
    assert (POLICY.lock_until(failures, now) is not None) is (inside >= 5)
