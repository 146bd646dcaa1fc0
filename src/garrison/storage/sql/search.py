"""Running searches and timelines against the events table."""

from __future__ import annotations

from datetime import datetime, tzinfo

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.events.model import Event
from garrison.search.query import parse
from garrison.search.request import SearchRequest
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import plain, row_to_event, to_micros
from garrison.storage.sql.query_sql import compile_where, json_field

_EVENT_COLUMNS = (
    t.events.c.id,
    t.events.c.ts,
    t.events.c.dataset,
    t.events.c.fields,
    t.events.c.original,
)


def _entity_clause(engine: Engine, kind: str, value: str) -> sa.ColumnElement[bool]:
    # Exact matches on the indexed columns: a timeline must stay fast on a large store.
    c = t.events.c
    if kind == "ip":
        return sa.or_(c.source_ip == value, c.destination_ip == value)
    if kind == "user":
        target = json_field("user.target.name", engine.dialect.name)
        return sa.or_(c.user_name == value, target == value)
    return c.host_name == value


def search_events(
    engine: Engine, request: SearchRequest, *, now: datetime, tz: tzinfo
) -> list[Event]:
    """Return the events matching ``request``, newest first unless asked otherwise.

    Args:
        engine: The database.
        request: What to find.
        now: What relative times in the query (``now-1h``) count from.
        tz: Zone of zone-less times in the query.

    Raises:
        QuerySyntaxError: If the query text is invalid.
    """
    node = parse(request.query)
    clauses: list[sa.ColumnElement[bool]] = [
        compile_where(node, engine.dialect.name, now=now, tz=tz)
    ]
    if request.since is not None:
        clauses.append(t.events.c.ts >= to_micros(request.since))
    if request.until is not None:
        clauses.append(t.events.c.ts < to_micros(request.until))
    if request.entity is not None:
        clauses.append(_entity_clause(engine, *request.entity))
    order = t.events.c.ts.desc() if request.newest_first else t.events.c.ts.asc()
    tiebreak = t.events.c.id.desc() if request.newest_first else t.events.c.id.asc()
    query = (
        sa.select(*_EVENT_COLUMNS)
        .select_from(t.events)
        .where(sa.and_(*clauses))
        .order_by(order, tiebreak)
        .limit(max(request.limit, 0))
    )
    with engine.connect() as conn:
        return [row_to_event(plain(row)) for row in conn.execute(query)]


def events_by_id(source: Engine | Connection, ids: list[str]) -> list[Event]:
    """The stored events with these ids, oldest first (ids not stored are left out).

    ``source`` may be a connection inside the caller's transaction (SQLite allows one writer:
    a second connection would wait for it).
    """
    if not ids:
        return []
    query = (
        sa.select(*_EVENT_COLUMNS)
        .where(t.events.c.id.in_(ids))
        .order_by(t.events.c.ts.asc(), t.events.c.id.asc())
    )
    if isinstance(source, Connection):
        return [row_to_event(plain(row)) for row in source.execute(query)]
    with source.connect() as conn:
        return [row_to_event(plain(row)) for row in conn.execute(query)]
