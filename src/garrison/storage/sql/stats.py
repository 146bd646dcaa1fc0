"""Aggregates for the web console's overview page: time series, breakdowns and top lists.

Everything is counted in SQL. Rows are put into time buckets with integer arithmetic on the
stored microseconds, ``(ts - since) // width``: SQLAlchemy renders ``//`` on integer columns as
plain ``/``, which is integer division on SQLite (integer operands) and on PostgreSQL (bigint).
The ``/`` operator must not be used: SQLAlchemy 2 renders it as true division
(``CAST(... AS NUMERIC)`` on PostgreSQL, ``+ 0.0`` on SQLite), which yields fractional buckets.
The range is half-open, ``[since, until)``, and only rows with ``ts >= since`` are bucketed, so
the dividend is never negative and truncating and flooring division agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.alerts.query import LEVELS, STATUSES
from garrison.core.errors import InputError
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros

#: Series name of alerts without a level.
UNKNOWN_LEVEL = "unknown"
#: Most buckets one overview may ask for.
MAX_BUCKETS = 1000
#: Longest top list one overview may ask for.
MAX_TOP = 1000
#: Spans :func:`choose_range` knows: bucket width and number of buckets.
SPANS: dict[str, tuple[timedelta, int]] = {
    "24h": (timedelta(hours=1), 24),
    "7d": (timedelta(hours=6), 28),
    "30d": (timedelta(days=1), 30),
}

_SECOND_US = 1_000_000
_US = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Bucket:
    """Rows counted in one time bucket.

    Attributes:
        start: Start of the bucket (inclusive); it ends at ``start + width``.
        count: Rows whose time falls in the bucket.
    """

    start: datetime
    count: int


@dataclass(frozen=True, slots=True)
class Overview:
    """What the overview page shows for one time range.

    Attributes:
        since: Start of the range (inclusive), UTC.
        until: End of the range (exclusive), UTC.
        width: Width of every bucket.
        events: Events per bucket by event time; every bucket, empty ones included.
        alerts: Alerts per bucket by first sighting, one full-length series per level present
            in the range (``"unknown"`` for alerts without a level), most severe last.
        levels: Alerts in the range per level (same keys and order as ``alerts``).
        statuses: Alerts in the range per status.
        top_rules: ``(rule_id, title, alerts)`` of the rules with the most alerts that are not
            suppressed, most first, ties by rule id; the title is that of the rule's newest
            alert in the range.
        top_sources: ``(source_ip, events)`` of the busiest source addresses, most first, ties
            by address; events without a source address are left out.
        top_datasets: ``(dataset, events)`` of the busiest datasets, most first, ties by name.
        total_events: Events in the range.
        total_alerts: Alerts in the range, whatever their status.
    """

    since: datetime
    until: datetime
    width: timedelta
    events: list[Bucket]
    alerts: dict[str, list[Bucket]]
    levels: dict[str, int]
    statuses: dict[str, int]
    top_rules: list[tuple[str, str, int]]
    top_sources: list[tuple[str, int]]
    top_datasets: list[tuple[str, int]]
    total_events: int
    total_alerts: int


def _check_aware(**values: datetime) -> None:
    for name, value in values.items():
        if value.tzinfo is None or value.utcoffset() is None:
            raise InputError(f"{name} must be a timezone-aware time, got {value.isoformat()}")


def bucket_width(since: datetime, until: datetime, buckets: int) -> timedelta:
    """The width of each of ``buckets`` buckets over ``[since, until)``.

    The width is rounded up to a whole second (so bucket labels stay readable) and is at least
    one second; ``buckets`` buckets of it therefore always cover the range.

    Raises:
        InputError: If the range is empty or ``buckets`` is not in 1..1000.
    """
    _check_aware(since=since, until=until)
    if until <= since:
        raise InputError(
            f"the end of the range ({until.isoformat()}) must be after its start "
            f"({since.isoformat()})"
        )
    if not 1 <= buckets <= MAX_BUCKETS:
        raise InputError(f"buckets must be between 1 and {MAX_BUCKETS}, got {buckets}")
    span_us = (until - since) // _US
    # Ceiling division in integers: float division loses microseconds on long spans.
    seconds = -(-span_us // (buckets * _SECOND_US))
    return timedelta(seconds=max(seconds, 1))


def choose_range(now: datetime, span: str) -> tuple[datetime, datetime, int]:
    """The range and bucket count shown for a named span ending now.

    ``24h`` is 24 buckets of an hour, ``7d`` 28 buckets of six hours, ``30d`` 30 buckets of a
    day. The range ends at the end of the bucket that contains ``now``, bucket edges being
    multiples of the width since the UNIX epoch (whole hours; 00, 06, 12, 18 h; midnights,
    all UTC), so the current, partly elapsed bucket is the last one and the edges do not
    shift as time passes.

    Returns:
        ``(since, until, buckets)``, times in UTC.

    Raises:
        InputError: If ``span`` is not one of the known spans.
    """
    _check_aware(now=now)
    if span not in SPANS:
        raise InputError(f"unknown span {span!r}", hint=f"one of {', '.join(SPANS)}")
    width, buckets = SPANS[span]
    width_us = width // _US
    # An instant exactly on an edge starts a new bucket (the range is half-open), so it is
    # always "floor + one width", never plain rounding up, which would leave ``now`` outside.
    until_us = (to_micros(now) // width_us + 1) * width_us
    return from_micros(until_us - buckets * width_us), from_micros(until_us), buckets


def _bucket_index(column: sa.ColumnElement[int], since_us: int, width_us: int) -> Any:
    # Typed BigInteger binds keep both operands integers on PostgreSQL (rendered ``::BIGINT``),
    # and ``//`` (not ``/``) renders integer division on both backends: see the module doc.
    since = sa.literal(since_us, sa.BigInteger)
    width = sa.literal(width_us, sa.BigInteger)
    return ((column - since) // width).label("bucket")


def _ordered(counts: Mapping[str, int], known: Iterable[str]) -> dict[str, int]:
    """``counts`` with the ``known`` keys first in their order, then others, then unknown."""
    known = tuple(known)
    rest = sorted(k for k in counts if k not in known and k != UNKNOWN_LEVEL)
    keys = [k for k in known if k in counts] + rest
    if UNKNOWN_LEVEL in counts:
        keys.append(UNKNOWN_LEVEL)
    return {k: counts[k] for k in keys}


def _text_order(column: sa.ColumnElement[str], dialect: str) -> sa.ColumnElement[str]:
    # Ties are broken by code point order, as Python sorts: SQLite's default BINARY collation
    # does that, PostgreSQL needs "C" since a database may default to a locale (en_US) order.
    return sa.collate(column, "C") if dialect == "postgresql" else column


def _top(
    conn: Connection, column: sa.ColumnElement[str], where: Any, top: int
) -> list[tuple[str, int]]:
    count = sa.func.count().label("n")
    query = (
        sa.select(column, count)
        .where(where)
        .group_by(column)
        .order_by(count.desc(), _text_order(column, conn.dialect.name))
        .limit(top)
    )
    return [(str(value), int(n)) for value, n in conn.execute(query)]


def _series(counts: Mapping[int, int], since_us: int, width_us: int, n: int) -> list[Bucket]:
    return [Bucket(from_micros(since_us + i * width_us), counts.get(i, 0)) for i in range(n)]


def overview(
    engine: Engine, since: datetime, until: datetime, *, buckets: int = 24, top: int = 10
) -> Overview:
    """Event and alert counts over ``[since, until)`` for the overview page.

    Events are placed by their event time, alerts by when they were first seen. The bucket
    width comes from :func:`bucket_width`; because it is rounded up to a whole second, fewer
    than ``buckets`` buckets may be needed to cover the range, and only those are returned
    (no bucket starts at or after ``until``). With :func:`choose_range` there are always
    exactly ``buckets``.

    Args:
        engine: Database to read.
        since: Start of the range (inclusive), timezone-aware.
        until: End of the range (exclusive), timezone-aware.
        buckets: Number of buckets asked for, 1..1000.
        top: Length of each top list, 1..1000.

    Raises:
        InputError: If the range is empty, a time is naive, or ``buckets`` or ``top`` is out
            of bounds.
    """
    width = bucket_width(since, until, buckets)
    if not 1 <= top <= MAX_TOP:
        raise InputError(f"top must be between 1 and {MAX_TOP}, got {top}")
    since_us, until_us = to_micros(since), to_micros(until)
    width_us = width // _US
    n = -(-(until_us - since_us) // width_us)

    events, alerts = t.events, t.alerts
    in_events = sa.and_(events.c.ts >= since_us, events.c.ts < until_us)
    in_alerts = sa.and_(alerts.c.first_seen >= since_us, alerts.c.first_seen < until_us)

    # Grouping happens on a subquery's column. PostgreSQL matches a GROUP BY expression to the
    # select list only if their bind parameters are the same ones, and the same expression
    # built twice gets new parameter names ("must appear in the GROUP BY clause").
    event_rows = (
        sa.select(_bucket_index(events.c.ts, since_us, width_us)).where(in_events).subquery()
    )
    event_query = sa.select(event_rows.c.bucket, sa.func.count()).group_by(event_rows.c.bucket)

    level = sa.func.coalesce(alerts.c.level, UNKNOWN_LEVEL).label("level")
    alert_rows = (
        sa.select(_bucket_index(alerts.c.first_seen, since_us, width_us), level, alerts.c.status)
        .where(in_alerts)
        .subquery()
    )
    # One query gives the series, the level and the status breakdowns, so they always agree.
    alert_query = sa.select(
        alert_rows.c.bucket, alert_rows.c.level, alert_rows.c.status, sa.func.count()
    ).group_by(alert_rows.c.bucket, alert_rows.c.level, alert_rows.c.status)

    with engine.connect() as conn:
        event_counts = {int(b): int(c) for b, c in conn.execute(event_query)}
        per_level: dict[str, dict[int, int]] = {}
        levels: dict[str, int] = {}
        statuses: dict[str, int] = {}
        for b, lvl, status, c in conn.execute(alert_query):
            series = per_level.setdefault(lvl, {})
            series[int(b)] = series.get(int(b), 0) + int(c)
            levels[lvl] = levels.get(lvl, 0) + int(c)
            statuses[status] = statuses.get(status, 0) + int(c)
        top_rules = _top_rules(conn, sa.and_(in_alerts, alerts.c.status != "suppressed"), top)
        top_sources = _top(
            conn, events.c.source_ip, sa.and_(in_events, events.c.source_ip.is_not(None)), top
        )
        top_datasets = _top(conn, events.c.dataset, in_events, top)

    levels = _ordered(levels, LEVELS)
    return Overview(
        since=from_micros(since_us),
        until=from_micros(until_us),
        width=width,
        events=_series(event_counts, since_us, width_us, n),
        alerts={lvl: _series(per_level[lvl], since_us, width_us, n) for lvl in levels},
        levels=levels,
        statuses=_ordered(statuses, STATUSES),
        top_rules=top_rules,
        top_sources=top_sources,
        top_datasets=top_datasets,
        total_events=sum(event_counts.values()),
        total_alerts=sum(levels.values()),
    )


def _top_rules(conn: Connection, where: Any, top: int) -> list[tuple[str, str, int]]:
    alerts = t.alerts
    count = sa.func.count().label("n")
    ranked = conn.execute(
        sa.select(alerts.c.rule_id, count, sa.func.max(alerts.c.id))
        .where(where)
        .group_by(alerts.c.rule_id)
        .order_by(count.desc(), _text_order(alerts.c.rule_id, conn.dialect.name))
        .limit(top)
    ).all()
    if not ranked:
        return []
    # A rule's title can change between versions: show the one of its newest alert, fetched
    # by primary key rather than grouped on, so one rule never appears twice.
    newest = sa.select(alerts.c.id, alerts.c.title).where(alerts.c.id.in_([r[2] for r in ranked]))
    titles = {row.id: row.title for row in conn.execute(newest)}
    return [(str(rule_id), str(titles[last]), int(n)) for rule_id, n, last in ranked]
