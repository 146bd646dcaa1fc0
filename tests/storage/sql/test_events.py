"""The SQL event store: dedupe, batches, checkpoints, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from garrison.events.model import Event
from garrison.ingest.sink import Checkpoint
from garrison.normalize.base import ParseContext
from garrison.storage.sql import tables as t
from garrison.storage.sql.events import SqlEventStore
from garrison.storage.sql.search import events_by_id

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def make_events(n: int, stream: str = "s1", start: int = 0) -> list[Event]:
    ctx = ParseContext(stream=stream, now=T0)
    return [
        ctx.make(
            timestamp=T0 + timedelta(seconds=i),
            dataset="linux.auth",
            original=f"line {i} \u4e2d\u6587",
            offset=i * 10,
            fields={
                "source.ip": f"10.0.0.{i % 5}",
                "user.name": "root",
                "n": i,
                "tags": ["a", "b"],
            },
        )
        for i in range(start, start + n)
    ]


def test_append_stores_each_event_once(store: SqlEventStore) -> None:
    events = make_events(20)
    first = store.append(events, source="f")
    again = store.append(events, source="f")
    assert (first.stored, first.duplicates, first.seq) == (20, 0, 1)
    assert (again.stored, again.duplicates, again.seq) == (0, 20, None)
    assert store.count() == 20


def test_duplicates_within_one_batch_are_collapsed(store: SqlEventStore) -> None:
    events = make_events(5)
    result = store.append(events + events[:2], source="f")
    assert (result.stored, result.duplicates) == (5, 2)


def test_partial_overlap_forms_a_batch_of_new_events_only(store: SqlEventStore) -> None:
    store.append(make_events(10), source="f")
    result = store.append(make_events(15), source="f")
    assert (result.stored, result.duplicates, result.seq) == (5, 10, 2)
    with store.engine.connect() as conn:
        counts = dict(conn.execute(sa.select(t.batches.c.seq, t.batches.c.event_count)).all())
    assert counts == {1: 10, 2: 5}


def test_promoted_columns_and_fields_round_trip(store: SqlEventStore) -> None:
    store.append(make_events(1), source="f")
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(t.events)).one()
    assert row.source_ip == "10.0.0.0"
    assert row.user_name == "root"
    assert row.ts == int((T0 - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1_000_000
    assert row.original == "line 0 \u4e2d\u6587"


def test_checkpoint_is_saved_with_the_batch(store: SqlEventStore) -> None:
    cp = Checkpoint(key="/var/log/auth.log", stream="abc", device=1, inode=2, offset=300)
    store.append(make_events(3), source="f", checkpoint=cp)
    assert store.load_checkpoint("/var/log/auth.log") == cp
    moved = Checkpoint(key="/var/log/auth.log", stream="abc", device=1, inode=2, offset=900)
    store.append([], source="f", checkpoint=moved)
    assert store.load_checkpoint("/var/log/auth.log") == moved
    assert store.load_checkpoint("/nope") is None


def test_nul_characters_are_stored_safely(store: SqlEventStore) -> None:
    ctx = ParseContext(stream="nul", now=T0)
    event = ctx.make(
        timestamp=None, dataset="x", original="a\x00b", offset=0, fields={"k": "v\x00w"}
    )
    assert store.append([event], source="f").stored == 1


def test_events_by_id_returns_stored_events_oldest_first(store: SqlEventStore) -> None:
    events = make_events(5)
    store.append(events, source="f")
    wanted = [events[3].id, events[1].id, "0" * 32]
    found = events_by_id(store.engine, wanted)
    assert [e.id for e in found] == [events[1].id, events[3].id]
    assert found[0].get("source.ip") == "10.0.0.1"
    assert events_by_id(store.engine, []) == []
