"""Tests for garrison.correlate.windows and garrison.correlate.conditions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError
from garrison.correlate.conditions import Condition
from garrison.correlate.windows import (
    CorrelationKind,
    CorrelationState,
    Hit,
    WindowSpec,
)

T0 = FrozenClock(datetime(2024, 5, 1, 12, 0, tzinfo=UTC)).now()
US = timedelta(microseconds=1)
FIVE_MIN = timedelta(minutes=5)
G = ("10.0.0.1",)


def _count_state(
    cond: dict[str, int], timespan: timedelta = FIVE_MIN, **kw: Any
) -> CorrelationState:
    spec = WindowSpec("r1", CorrelationKind.EVENT_COUNT, timespan, Condition.parse(cond), **kw)
    return CorrelationState(spec)


def _feed(state: CorrelationState, times: list[datetime], group: tuple[str, ...] = G) -> list[Hit]:
    hits = []
    for i, when in enumerate(times):
        hit = state.observe(group, when, f"e{i}")
        if hit is not None:
            hits.append(hit)
    return hits


# -- conditions -------------------------------------------------------------------------------


def test_condition_parse_ignores_field_and_checks_bounds() -> None:
    cond = Condition.parse({"field": "user.name", "gt": 2, "lte": 4})
    assert cond.bounds == (("gt", 2), ("lte", 4))
    assert [cond.matches(n) for n in range(6)] == [False, False, False, True, True, False]
    assert not cond.eager
    assert Condition.parse({"gte": 5}).eager
    assert not Condition.parse({"eq": 5}).eager


@pytest.mark.parametrize("bad", [{"ge": 5}, {"gte": "5"}, {"gte": True}, {"lt": -1}, {}])
def test_condition_rejects_bad_specs(bad: dict[str, object]) -> None:
    with pytest.raises(InputError):
        Condition.parse(bad)


def test_spec_validation() -> None:
    with pytest.raises(ValueError, match="condition"):
        WindowSpec("r", CorrelationKind.EVENT_COUNT, FIVE_MIN)
    with pytest.raises(ValueError, match="referenced rules"):
        WindowSpec("r", CorrelationKind.TEMPORAL, FIVE_MIN)
    with pytest.raises(ValueError, match="timespan"):
        WindowSpec("r", CorrelationKind.TEMPORAL, timedelta(0), rules=("a",))
    with pytest.raises(ValueError, match="caps"):
        WindowSpec("r", CorrelationKind.TEMPORAL, FIVE_MIN, rules=("a",), max_items=0)


def test_naive_timestamp_is_refused() -> None:
    state = _count_state({"gte": 1})
    with pytest.raises(ValueError, match="aware"):
        state.observe(G, datetime(2024, 5, 1), "e")


# -- event_count: boundaries, bursts, reset ---------------------------------------------------


def test_window_is_inclusive_at_exactly_timespan() -> None:
    hits = _feed(_count_state({"gte": 2}), [T0, T0 + FIVE_MIN])
    assert len(hits) == 1
    assert (hits[0].first_seen, hits[0].last_seen, hits[0].count) == (T0, T0 + FIVE_MIN, 2)
    assert hits[0].event_ids == ("e0", "e1")
    assert hits[0].key == ("r1", G)


def test_window_excludes_one_microsecond_past_timespan() -> None:
    state = _count_state({"gte": 2})
    assert _feed(state, [T0, T0 + FIVE_MIN + US]) == []
    # the first event slid out; a third one right after pairs with the second
    assert state.observe(G, T0 + FIVE_MIN + 2 * US, "e2") is not None


def test_burst_of_1000_same_timestamp_fires_once_per_fill() -> None:
    hits = _feed(_count_state({"gte": 5}), [T0] * 1000)
    assert len(hits) == 200
    assert all(h.count == 5 for h in hits)
    assert hits[1].event_ids == ("e5", "e6", "e7", "e8", "e9")


def test_reset_after_firing_twelve_failures() -> None:
    times = [T0 + timedelta(seconds=10 * i) for i in range(12)]
    hits = _feed(_count_state({"gte": 5}), times)
    assert [h.last_seen for h in hits] == [times[4], times[9]]
    assert [h.first_seen for h in hits] == [times[0], times[5]]


def test_gt_condition() -> None:
    hits = _feed(_count_state({"gt": 3}), [T0] * 4)
    assert len(hits) == 1
    assert hits[0].count == 4


def test_groups_are_independent() -> None:
    state = _count_state({"gte": 2})
    assert state.observe(("a",), T0, "1") is None
    assert state.observe(("b",), T0, "2") is None
    hit = state.observe(("a",), T0, "3")
    assert hit is not None
    assert hit.group == ("a",)


# -- lateness ---------------------------------------------------------------------------------


def test_out_of_order_within_lateness_is_counted_in_time_order() -> None:
    state = _count_state({"gte": 3}, timespan=timedelta(seconds=30))
    assert state.observe(G, T0 + timedelta(seconds=10), "a") is None
    assert state.observe(G, T0 + timedelta(seconds=5), "late") is None
    hit = state.observe(G, T0 + timedelta(seconds=20), "c")
    assert hit is not None
    assert hit.first_seen == T0 + timedelta(seconds=5)
    assert hit.event_ids == ("late", "a", "c")
    assert state.stats.late_dropped == 0


def test_event_older_than_watermark_minus_timespan_is_dropped() -> None:
    state = _count_state({"gte": 1}, timespan=timedelta(seconds=30))
    newest = T0 + timedelta(hours=1)
    assert state.observe(("x",), newest, "n") is not None
    limit = newest - timedelta(seconds=60) - timedelta(seconds=30)
    assert state.observe(("y",), limit - US, "too-late") is None
    assert state.stats.late_dropped == 1
    assert state.observe(("y",), limit, "just-in-time") is not None


def test_event_outside_group_window_is_dropped() -> None:
    state = _count_state({"gte": 3}, timespan=timedelta(seconds=10))
    state.observe(G, T0 + timedelta(seconds=30), "a")
    assert state.observe(G, T0 + timedelta(seconds=19), "old") is None
    assert state.stats.late_dropped == 1
    state.observe(G, T0 + timedelta(seconds=20), "edge")  # exactly timespan before newest
    assert state.stats.late_dropped == 1


def test_late_event_after_firing_is_not_counted_twice() -> None:
    state = _count_state({"gte": 2})
    assert _feed(state, [T0 + timedelta(seconds=5), T0 + timedelta(seconds=6)])
    assert state.observe(G, T0 + timedelta(seconds=4), "late") is None
    assert state.stats.late_dropped == 1


# -- memory bounds ----------------------------------------------------------------------------


def test_many_keys_bounded_by_group_cap() -> None:
    state = _count_state({"gte": 2}, max_groups=1000)
    for i in range(10_000):
        state.observe((f"10.0.{i // 256}.{i % 256}",), T0 + timedelta(milliseconds=i), str(i))
    assert len(state) == 1000
    assert state.stats.groups == 1000
    assert state.stats.evicted_groups == 9000
    # the newest groups survive
    assert state.observe(("10.0.39.15",), T0 + timedelta(seconds=10), "x") is not None


def test_expire_drops_idle_groups() -> None:
    state = _count_state({"gte": 5})
    for i in range(100):
        state.observe((i,), T0, str(i))
    assert state.expire(T0 + FIVE_MIN + timedelta(seconds=60)) == []
    assert len(state) == 100  # newest == horizon: kept
    assert state.expire(T0 + FIVE_MIN + timedelta(seconds=60) + US) == []
    assert len(state) == 0


def test_lazy_sweep_in_observe() -> None:
    state = _count_state({"gte": 5}, timespan=timedelta(seconds=10), lateness=timedelta(0))
    for i in range(50):
        state.observe((i,), T0, str(i))
    state.observe(("other",), T0 + timedelta(seconds=30), "x")
    assert len(state) == 1


def test_overflow_keeps_counting_but_bounds_items() -> None:
    state = _count_state({"gte": 50}, max_items=10, max_hit_ids=5)
    hits = _feed(state, [T0 + timedelta(seconds=i) for i in range(50)])
    assert len(hits) == 1
    assert hits[0].count == 50
    assert hits[0].first_seen == T0 + timedelta(seconds=39)  # newest forgotten item
    assert hits[0].event_ids == ("e40", "e41", "e42", "e43", "e44")
    assert state.stats.overflow == 40


def test_overflowed_items_leave_the_window() -> None:
    state = _count_state({"gte": 15}, timespan=timedelta(seconds=10), max_items=5)
    _feed(state, [T0] * 10)
    assert state.stats.overflow == 5
    # 11 s later everything (kept and forgotten) is out of the window
    hits = _feed(state, [T0 + timedelta(seconds=11)] * 14)
    assert hits == []


# -- value_count ------------------------------------------------------------------------------


def _value_state(cond: dict[str, int]) -> CorrelationState:
    return CorrelationState(
        WindowSpec("spray", CorrelationKind.VALUE_COUNT, FIVE_MIN, Condition.parse(cond))
    )


def test_value_count_ignores_repeated_and_missing_values() -> None:
    state = _value_state({"gte": 3})
    assert state.observe(G, T0, "1", "alice") is None
    assert state.observe(G, T0, "2", "alice") is None
    assert state.observe(G, T0, "3", None) is None
    assert state.observe(G, T0, "4", "bob") is None
    hit = state.observe(G, T0 + timedelta(seconds=1), "5", "carol")
    assert hit is not None
    assert hit.count == 3
    assert hit.values == ("alice", "bob", "carol")
    assert hit.event_ids == ("1", "2", "4", "5")


def test_value_count_unhashable_values() -> None:
    state = _value_state({"gte": 2})
    state.observe(G, T0, "1", ["a"])
    assert state.observe(G, T0, "2", ["b"]) is not None


# -- temporal ---------------------------------------------------------------------------------


def _temporal(kind: CorrelationKind) -> CorrelationState:
    return CorrelationState(WindowSpec("t", kind, FIVE_MIN, rules=("recon", "login", "exfil")))


def test_temporal_all_rules_any_order() -> None:
    state = _temporal(CorrelationKind.TEMPORAL)
    assert state.observe(G, T0, "1", "exfil") is None
    assert state.observe(G, T0, "2", "exfil") is None
    assert state.observe(G, T0, "3", "recon") is None
    hit = state.observe(G, T0 + timedelta(minutes=1), "4", "login")
    assert hit is not None
    assert set(hit.values) == {"recon", "login", "exfil"}
    assert hit.count == 4


def test_temporal_missing_one_rule_or_too_slow() -> None:
    state = _temporal(CorrelationKind.TEMPORAL)
    state.observe(G, T0, "1", "recon")
    state.observe(G, T0, "2", "login")
    assert state.observe(G, T0 + timedelta(seconds=1), "3", "login") is None
    # exfil arrives after recon/login slid out
    assert state.observe(G, T0 + FIVE_MIN + US, "4", "exfil") is None


def test_temporal_unknown_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="not a rule"):
        _temporal(CorrelationKind.TEMPORAL).observe(G, T0, "1", "other")


def test_temporal_ordered_right_order_fires() -> None:
    state = _temporal(CorrelationKind.TEMPORAL_ORDERED)
    state.observe(G, T0, "1", "recon")
    state.observe(G, T0 + timedelta(seconds=1), "2", "exfil")  # noise, out of order
    state.observe(G, T0 + timedelta(seconds=2), "3", "login")
    hit = state.observe(G, T0 + timedelta(seconds=3), "4", "exfil")
    assert hit is not None
    assert hit.event_ids == ("1", "2", "3", "4")


def test_temporal_ordered_wrong_order_does_not_fire() -> None:
    state = _temporal(CorrelationKind.TEMPORAL_ORDERED)
    state.observe(G, T0, "1", "exfil")
    state.observe(G, T0 + timedelta(seconds=1), "2", "login")
    assert state.observe(G, T0 + timedelta(seconds=2), "3", "recon") is None


def test_temporal_ordered_uses_event_time_not_arrival() -> None:
    state = _temporal(CorrelationKind.TEMPORAL_ORDERED)
    state.observe(G, T0 + timedelta(seconds=2), "3", "exfil")
    state.observe(G, T0 + timedelta(seconds=1), "2", "login")
    assert state.observe(G, T0, "1", "recon") is not None


# -- deferred (at most / exactly) -------------------------------------------------------------


def test_at_most_is_decided_on_expiry() -> None:
    state = _count_state({"lte": 3})
    assert _feed(state, [T0, T0 + timedelta(seconds=1)], group=("quiet",)) == []
    assert _feed(state, [T0] * 5, group=("busy",)) == []
    closes = T0 + FIVE_MIN + timedelta(seconds=60)
    assert state.expire(closes) == []  # watermark == window end: still open
    hits = state.expire(closes + US)
    assert [(h.group, h.count, h.first_seen, h.last_seen) for h in hits] == [
        (("quiet",), 2, T0, T0 + timedelta(seconds=1))
    ]
    assert state.expire(closes + timedelta(minutes=10)) == []
    assert len(state) == 0


def test_at_most_window_closed_lazily_and_reopened() -> None:
    state = _count_state({"lt": 2}, lateness=timedelta(0))
    state.observe(G, T0, "1")
    state.observe(G, T0 + FIVE_MIN, "2")  # boundary: same window
    state.observe(G, T0 + FIVE_MIN + US, "3")  # next window; first one not closed yet
    assert state.observe(G, T0 + FIVE_MIN * 3, "4") is None  # closes windows 1 and 2
    hits = state.expire(T0 + FIVE_MIN * 3)
    assert [(h.count, h.event_ids) for h in hits] == [(1, ("3",))]
    # a late event for a closed window is refused
    assert state.observe(G, T0 + FIVE_MIN * 2, "late") is None
    assert state.stats.late_dropped == 1
    hits = state.expire(T0 + FIVE_MIN * 5)
    assert [h.event_ids for h in hits] == [("4",)]


def test_eq_condition_is_deferred() -> None:
    state = _count_state({"eq": 3})
    assert _feed(state, [T0] * 3) == []
    assert _feed(state, [T0] * 4, group=("other",)) == []
    hits = state.expire(T0 + timedelta(hours=1))
    assert [h.group for h in hits] == [G]


# -- properties -------------------------------------------------------------------------------

_offsets = st.lists(st.integers(min_value=0, max_value=20_000), min_size=0, max_size=60)


def _reference_eager(times: list[datetime], timespan: timedelta, cond: Condition) -> list[int]:
    """Brute force: fire at i when the unconsumed events within timespan of t_i satisfy cond."""
    fires: list[int] = []
    start = 0
    for i, t in enumerate(times):
        window = [u for u in times[start : i + 1] if t - u <= timespan]
        if cond.matches(len(window)):
            fires.append(i)
            start = i + 1
    return fires


def _reference_tumbling(
    times: list[datetime], timespan: timedelta, cond: Condition
) -> list[tuple[int, int]]:
    """Brute force: windows open at the first unassigned event; (first index, count) of hits."""
    hits: list[tuple[int, int]] = []
    i = 0
    while i < len(times):
        j = i
        while j < len(times) and times[j] - times[i] <= timespan:
            j += 1
        if cond.matches(j - i):
            hits.append((i, j - i))
        i = j
    return hits


@settings(max_examples=300, deadline=None)
@given(
    offsets=_offsets,
    span_ms=st.integers(min_value=1, max_value=3_000),
    op=st.sampled_from(["gt", "gte"]),
    threshold=st.integers(min_value=1, max_value=6),
    groups=st.integers(min_value=1, max_value=3),
)
def test_event_count_matches_reference(
    offsets: list[int], span_ms: int, op: str, threshold: int, groups: int
) -> None:
    timespan = timedelta(milliseconds=span_ms)
    cond = Condition.parse({op: threshold})
    state = CorrelationState(
        WindowSpec("p", CorrelationKind.EVENT_COUNT, timespan, cond, lateness=timedelta(0))
    )
    times = [T0 + timedelta(milliseconds=o) for o in sorted(offsets)]
    fired: dict[int, list[int]] = {g: [] for g in range(groups)}
    per_group: dict[int, list[datetime]] = {g: [] for g in range(groups)}
    for i, when in enumerate(times):
        g = i % groups
        per_group[g].append(when)
        if state.observe((g,), when, str(i)) is not None:
            fired[g].append(len(per_group[g]) - 1)
    for g in range(groups):
        assert fired[g] == _reference_eager(per_group[g], timespan, cond)


@settings(max_examples=200, deadline=None)
@given(
    offsets=_offsets,
    span_ms=st.integers(min_value=1, max_value=3_000),
    lateness_ms=st.integers(min_value=0, max_value=2_000),
    op=st.sampled_from(["lt", "lte", "eq"]),
    threshold=st.integers(min_value=1, max_value=4),
)
def test_deferred_count_matches_tumbling_reference(
    offsets: list[int], span_ms: int, lateness_ms: int, op: str, threshold: int
) -> None:
    timespan = timedelta(milliseconds=span_ms)
    cond = Condition.parse({op: threshold})
    spec = WindowSpec(
        "p",
        CorrelationKind.EVENT_COUNT,
        timespan,
        cond,
        lateness=timedelta(milliseconds=lateness_ms),
    )
    state = CorrelationState(spec)
    times = [T0 + timedelta(milliseconds=o) for o in sorted(offsets)]
    hits: list[Hit] = []
    for i, when in enumerate(times):
        assert state.observe(G, when, str(i)) is None
        if i % 7 == 0:
            hits.extend(state.expire(when))
    hits.extend(state.expire(T0 + timedelta(days=1)))
    expected = _reference_tumbling(times, timespan, cond)
    assert [(h.first_seen, h.count) for h in hits] == [(times[i], n) for i, n in expected]
    assert len(state) == 0
