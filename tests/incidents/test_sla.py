"""SLA clocks with a frozen clock: the defaults of the source documents, warnings, breaches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from garrison.incidents.grading import Grade
from garrison.incidents.sla import (
    ClockState,
    Deadline,
    Milestone,
    SlaPolicy,
    deadlines,
    measures,
)

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _by_kind(found: list[Deadline]) -> dict[str, Deadline]:
    return {d.kind: d for d in found}


def test_default_clocks_per_grade() -> None:
    red = _by_kind(deadlines(Grade.I, {Milestone.DETECTED: T0}))
    assert red["confirm"].due == T0 + timedelta(minutes=15)
    assert red["report"].due == T0 + timedelta(hours=1)
    assert red["escalate"].due == T0 + timedelta(hours=2)
    assert red["recover"].due == T0 + timedelta(hours=1)
    assert "post_report" not in red  # starts only at recovery
    yellow = _by_kind(deadlines(Grade.III, {Milestone.DETECTED: T0}))
    assert "escalate" not in yellow and yellow["recover"].due == T0 + timedelta(hours=8)
    blue = _by_kind(deadlines(Grade.IV, {Milestone.DETECTED: T0}))
    assert set(blue) == {"confirm", "report"}
    recovered = T0 + timedelta(hours=3)
    after = _by_kind(deadlines(Grade.II, {Milestone.DETECTED: T0, Milestone.RECOVERED: recovered}))
    assert after["post_report"].due == recovered + timedelta(hours=72)
    assert after["review"].due == recovered + timedelta(days=7)
    assert after["recover"].state(recovered) is ClockState.MET  # 3 h within orange's 4 h


def test_a_clock_warns_at_80_percent_then_breaches_unless_met() -> None:
    confirm = _by_kind(deadlines(Grade.III, {Milestone.DETECTED: T0}))["confirm"]
    assert confirm.warn_at == T0 + timedelta(minutes=12)
    assert confirm.state(T0 + timedelta(minutes=11, seconds=59)) is ClockState.RUNNING
    assert confirm.state(T0 + timedelta(minutes=12)) is ClockState.WARNING
    assert confirm.state(T0 + timedelta(minutes=15)) is ClockState.BREACHED
    assert confirm.remaining(T0 + timedelta(minutes=16)) == timedelta(minutes=-1)
    late = _by_kind(
        deadlines(
            Grade.III,
            {Milestone.DETECTED: T0, Milestone.CONFIRMED: T0 + timedelta(minutes=20)},
        )
    )["confirm"]
    assert late.state(T0 + timedelta(minutes=17)) is ClockState.BREACHED
    assert late.state(T0 + timedelta(hours=1)) is ClockState.MET_LATE


def test_policy_is_configurable() -> None:
    policy = SlaPolicy(warn_ratio=0.5)
    confirm = _by_kind(deadlines(Grade.IV, {Milestone.DETECTED: T0}, policy))["confirm"]
    assert confirm.warn_at == T0 + timedelta(minutes=7, seconds=30)


_ORDER = [ClockState.RUNNING, ClockState.WARNING, ClockState.BREACHED]


@given(
    minutes=st.integers(min_value=1, max_value=10_000),
    offsets=st.lists(st.integers(min_value=0, max_value=20_000), min_size=2, max_size=6),
)
def test_an_unmet_clock_only_moves_forward(minutes: int, offsets: list[int]) -> None:
    deadline = Deadline(
        "x", T0, T0 + timedelta(minutes=minutes), T0 + timedelta(minutes=minutes) * 0.8
    )
    states = [deadline.state(T0 + timedelta(minutes=m)) for m in sorted(offsets)]
    assert [_ORDER.index(s) for s in states] == sorted(_ORDER.index(s) for s in states)
    for m in offsets:
        now = T0 + timedelta(minutes=m)
        assert (deadline.state(now) is ClockState.BREACHED) == (now >= deadline.due)


def test_measured_times() -> None:
    times = {
        Milestone.DETECTED: T0,
        Milestone.CONFIRMED: T0 + timedelta(minutes=9),
        Milestone.CONTAINED: T0 + timedelta(minutes=40),
    }
    found = measures(times, first_event=T0 - timedelta(minutes=2))
    assert found["time_to_detect"] == timedelta(minutes=2)
    assert found["time_to_acknowledge"] == timedelta(minutes=9)
    assert found["time_to_contain"] == timedelta(minutes=40)
    assert found["time_to_recover"] is None and found["time_to_close"] is None
