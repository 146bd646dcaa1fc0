"""Overview aggregates: bucketing done in SQL agrees with Python, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.errors import InputError
from garrison.storage.sql import stats
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import to_micros
from garrison.storage.sql.engine import make_engine, upgrade
from garrison.storage.sql.stats import Bucket

SINCE = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
UNTIL = SINCE + timedelta(hours=24)
HOUR = timedelta(hours=1)
_ids = itertools.count(1)


def event(when: datetime, *, dataset: str = "linux.auth", source_ip: str | None = None) -> Any:
    n = next(_ids)
    return {
        "id": f"e{n:031d}",
        "ts": to_micros(when),
        "dataset": dataset,
        "source_ip": source_ip,
        "batch_seq": 1,
        "fields": "{}",
        "original": f"line {n}",
    }


def alert(
    when: datetime,
    *,
    rule_id: str = "r1",
    title: str = "Rule one",
    level: str | None = "high",
    status: str = "new",
) -> Any:
    n = next(_ids)
    return {
        "fingerprint": f"{n:064d}",
        "rule_id": rule_id,
        "title": title,
        "level": level,
        "tags": "[]",
        "kind": "single",
        "grouping": "{}",
        "count": 1,
        "first_seen": to_micros(when),
        "last_seen": to_micros(when),
        "event_ids": "[]",
        "status": status,
        "created_at": to_micros(when),
        "updated_at": to_micros(when),
    }


def insert(engine: sa.Engine, events: Sequence[Any] = (), alerts: Sequence[Any] = ()) -> None:
    with engine.begin() as conn:
        if events:
            conn.execute(t.events.insert(), list(events))
        if alerts:
            conn.execute(t.alerts.insert(), list(alerts))


def series(counts: dict[int, int], n: int = 24, width: timedelta = HOUR) -> list[Bucket]:
    return [Bucket(SINCE + i * width, counts.get(i, 0)) for i in range(n)]


# -- overview on both backends -----------------------------------------------------------------


def test_empty_database_gives_full_zero_series(engine: sa.Engine) -> None:
    view = stats.overview(engine, SINCE, UNTIL)
    assert (view.since, view.until, view.width) == (SINCE, UNTIL, HOUR)
    assert view.events == series({})
    assert view.alerts == {}
    assert (view.levels, view.statuses) == ({}, {})
    assert (view.top_rules, view.top_sources, view.top_datasets) == ([], [], [])
    assert (view.total_events, view.total_alerts) == (0, 0)


def test_every_field_is_counted(engine: sa.Engine) -> None:
    us = timedelta(microseconds=1)
    insert(
        engine,
        events=[
            event(SINCE, source_ip="10.0.0.2"),  # exactly at since: counted, first bucket
            event(SINCE + HOUR - us, source_ip="10.0.0.2"),  # last instant of bucket 0
            event(SINCE + HOUR, source_ip="10.0.0.10", dataset="windows.security"),
            event(SINCE + timedelta(hours=5, minutes=30), dataset="windows.security"),
            event(UNTIL - us, source_ip="10.0.0.10", dataset="nginx.access"),
            event(SINCE - us, source_ip="10.0.0.99"),  # before the range
            event(UNTIL, source_ip="10.0.0.99"),  # exactly at until: not counted
        ],
        alerts=[
            alert(SINCE, level="high", status="new"),
            alert(SINCE + 2 * HOUR, level="high", status="acknowledged"),
            alert(SINCE + 2 * HOUR, level="critical", rule_id="r2", title="Old title"),
            alert(SINCE + 3 * HOUR, level="critical", rule_id="r2", title="New title"),
            alert(SINCE + 3 * HOUR, level=None, rule_id="r3", title="No level", status="closed"),
            alert(SINCE + 4 * HOUR, level="low", rule_id="r4", status="suppressed"),
            alert(SINCE + 4 * HOUR, level="low", rule_id="r4", status="suppressed"),
            alert(UNTIL, level="medium", rule_id="r5"),  # out of range
            alert(SINCE - us, level="medium", rule_id="r5"),  # out of range
        ],
    )
    view = stats.overview(engine, SINCE, UNTIL, top=2)
    assert view.events == series({0: 2, 1: 1, 5: 1, 23: 1})
    assert view.total_events == 5
    assert list(view.alerts) == ["low", "high", "critical", "unknown"]  # by severity
    assert view.alerts == {
        "low": series({4: 2}),
        "high": series({0: 1, 2: 1}),
        "critical": series({2: 1, 3: 1}),
        "unknown": series({3: 1}),
    }
    assert view.levels == {"low": 2, "high": 2, "critical": 2, "unknown": 1}
    assert list(view.statuses.items()) == [
        ("new", 3),
        ("acknowledged", 1),
        ("closed", 1),
        ("suppressed", 2),
    ]
    assert view.total_alerts == 7
    # r4 has as many alerts as r1/r2 but only suppressed ones; r2 shows its newest title.
    assert view.top_rules == [("r1", "Rule one", 2), ("r2", "New title", 2)]
    assert view.top_sources == [("10.0.0.10", 2), ("10.0.0.2", 2)]  # ties by address text
    assert view.top_datasets == [("linux.auth", 2), ("windows.security", 2)]
    full = stats.overview(engine, SINCE, UNTIL)
    assert full.top_rules == [("r1", "Rule one", 2), ("r2", "New title", 2), ("r3", "No level", 1)]
    assert full.top_datasets[-1] == ("nginx.access", 1)


def test_ties_use_code_point_order_on_every_backend(engine: sa.Engine) -> None:
    # A locale collation (en_US) would sort "a-c" between "ab" and "ad", and "B" after "a".
    names = ["ad", "a-c", "B", "ab"]
    insert(engine, events=[event(SINCE, dataset=name) for name in names])
    view = stats.overview(engine, SINCE, UNTIL)
    assert view.top_datasets == [(name, 1) for name in sorted(names)]


def test_range_that_is_not_a_whole_number_of_buckets(engine: sa.Engine) -> None:
    since = SINCE + timedelta(microseconds=250)
    until = since + timedelta(seconds=10)
    insert(engine, events=[event(since + timedelta(seconds=s)) for s in (0, 1.9, 2, 9.5, 10)])
    # 10 s in 6 buckets: each 2 s wide (rounded up); five buckets cover the range.
    view = stats.overview(engine, since, until, buckets=6)
    assert view.width == timedelta(seconds=2)
    assert [b.count for b in view.events] == [2, 1, 0, 0, 1]
    assert [b.start for b in view.events] == [since + timedelta(seconds=s) for s in range(0, 10, 2)]
    assert view.total_events == 4


def test_far_from_the_epoch_and_huge_spans_stay_exact(engine: sa.Engine) -> None:
    since = datetime(1901, 1, 1, tzinfo=UTC)  # negative microseconds since the epoch
    until = datetime(2999, 1, 1, tzinfo=UTC)
    insert(engine, events=[event(since), event(until - timedelta(microseconds=1))])
    view = stats.overview(engine, since, until, buckets=1000)
    assert len(view.events) == 1000
    assert (view.events[0].count, view.events[-1].count, view.total_events) == (1, 1, 2)


def test_non_utc_input_comes_back_in_utc(engine: sa.Engine) -> None:
    beijing = timezone(timedelta(hours=8))
    insert(engine, events=[event(SINCE)])
    view = stats.overview(engine, SINCE.astimezone(beijing), UNTIL.astimezone(beijing))
    assert view.since == SINCE and view.since.tzinfo is UTC
    assert view.events[0] == Bucket(SINCE, 1)


# -- input errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "until", "buckets", "message"),
    [
        (UNTIL, SINCE, 24, "must be after its start"),
        (SINCE, SINCE, 24, "must be after its start"),
        (SINCE, UNTIL, 0, "between 1 and 1000"),
        (SINCE, UNTIL, 1001, "between 1 and 1000"),
        (SINCE.replace(tzinfo=None), UNTIL, 24, "timezone-aware"),
    ],
)
def test_bad_ranges_are_input_errors(
    since: datetime, until: datetime, buckets: int, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        stats.bucket_width(since, until, buckets)
    # overview checks before touching the database.
    with pytest.raises(InputError, match=message):
        stats.overview(sa.create_engine("sqlite://"), since, until, buckets=buckets)


@pytest.mark.parametrize("top", [0, -1, 1001])
def test_bad_top_is_an_input_error(top: int) -> None:
    with pytest.raises(InputError, match="top must be"):
        stats.overview(sa.create_engine("sqlite://"), SINCE, UNTIL, top=top)


@pytest.mark.parametrize(
    ("span", "buckets", "expected"),
    [
        (timedelta(hours=24), 24, timedelta(hours=1)),
        (timedelta(hours=24), 7, timedelta(seconds=12343)),  # 12342.857… s rounded up
        (timedelta(microseconds=1), 1, timedelta(seconds=1)),  # at least one second
        (timedelta(seconds=1000, microseconds=1), 1000, timedelta(seconds=2)),
        (timedelta(days=30), 1000, timedelta(seconds=2592)),
    ],
)
def test_bucket_width(span: timedelta, buckets: int, expected: timedelta) -> None:
    assert stats.bucket_width(SINCE, SINCE + span, buckets) == expected


# -- choose_range ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "span", "since", "until", "buckets"),
    [
        ("2026-11-23T12:34:56.789", "24h", "2026-11-22T13:00", "2026-11-23T13:00", 24),
        # Exactly on an edge: that instant opens the last bucket, so it is inside the range.
        ("2026-11-23T12:00", "24h", "2026-11-22T13:00", "2026-11-23T13:00", 24),
        ("2026-11-23T12:34", "7d", "2026-11-16T18:00", "2026-11-23T18:00", 28),
        ("2026-11-23T05:59:59.999999", "7d", "2026-11-16T06:00", "2026-11-23T06:00", 28),
        ("2026-11-23T23:59", "30d", "2026-10-25T00:00", "2026-11-24T00:00", 30),
        ("2026-11-23T00:00", "30d", "2026-10-25T00:00", "2026-11-24T00:00", 30),
    ],
)
def test_choose_range(now: str, span: str, since: str, until: str, buckets: int) -> None:
    def utc(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)

    got = stats.choose_range(utc(now), span)
    assert got == (utc(since), utc(until), buckets)
    assert got[0].tzinfo is UTC and got[1].tzinfo is UTC
    # The width divides the range exactly, so overview returns exactly that many buckets.
    assert (got[1] - got[0]) / buckets == stats.bucket_width(*got)


def test_choose_range_aligns_to_utc_not_local_time() -> None:
    beijing = timezone(timedelta(hours=8))
    now = datetime(2026, 11, 23, 7, 30, tzinfo=beijing)  # 2026-11-22 23:30 UTC
    since, until, _ = stats.choose_range(now, "30d")
    assert until == datetime(2026, 11, 23, tzinfo=UTC)
    assert since == datetime(2026, 10, 24, tzinfo=UTC)


def test_unknown_span_lists_the_allowed_ones() -> None:
    with pytest.raises(InputError, match="unknown span '1y'") as caught:
        stats.choose_range(datetime(2026, 11, 23, tzinfo=UTC), "1y")
    assert caught.value.hint == "one of 24h, 7d, 30d"
    with pytest.raises(InputError, match="timezone-aware"):
        stats.choose_range(datetime(2026, 11, 23), "24h")  # naive on purpose


# -- property: SQL bucketing == Python bucketing (SQLite only, for speed) ------------------------


@pytest.fixture(scope="module")
def memory_engine() -> Iterator[sa.Engine]:
    """One migrated in-memory SQLite engine shared by every example."""
    eng = make_engine("sqlite://")
    upgrade(eng)
    yield eng
    eng.dispose()


_EDGE = to_micros(SINCE)
_offsets = st.integers(min_value=-(10**10), max_value=10**11)  # about -3 h .. +28 h around SINCE


@settings(max_examples=50, deadline=None)
@given(
    offsets=st.lists(_offsets, max_size=60),
    span_us=st.integers(min_value=1, max_value=10**11),
    buckets=st.integers(min_value=1, max_value=200),
)
def test_sql_bucketing_matches_python(
    memory_engine: sa.Engine, offsets: list[int], span_us: int, buckets: int
) -> None:
    since = SINCE
    until = SINCE + timedelta(microseconds=span_us)
    # Edges and their neighbours are where off-by-one bugs live: always include some.
    offsets = [*offsets, 0, -1, span_us - 1, span_us]
    with memory_engine.begin() as conn:
        conn.execute(t.events.delete())
    insert(memory_engine, events=[event(SINCE + timedelta(microseconds=o)) for o in offsets])

    view = stats.overview(memory_engine, since, until, buckets=buckets)

    width_us = stats.bucket_width(since, until, buckets) // timedelta(microseconds=1)
    inside = [o for o in offsets if 0 <= o < span_us]
    expected = Counter(o // width_us for o in inside)
    n = -(-span_us // width_us)
    assert 1 <= len(view.events) == n <= buckets
    assert [b.count for b in view.events] == [expected.get(i, 0) for i in range(n)]
    assert [to_micros(b.start) for b in view.events] == [_EDGE + i * width_us for i in range(n)]
    assert sum(b.count for b in view.events) == view.total_events == len(inside)
