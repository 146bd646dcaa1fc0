"""Hash-chain verification detects altered, deleted and inserted data."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from garrison.storage.sql import tables as t
from garrison.storage.sql.events import SqlEventStore
from garrison.storage.sql.integrity import verify
from tests.storage.sql.test_events import make_events


@pytest.fixture
def filled(store: SqlEventStore) -> SqlEventStore:
    for i in range(4):
        store.append(make_events(10, start=i * 10), source=f"batch{i}")
    return store


def kinds(store: SqlEventStore, tmp_path: Path) -> list[tuple[str, int | None]]:
    return [(p.kind, p.seq) for p in verify(store.engine, tmp_path).problems]


def test_untouched_chain_verifies(filled: SqlEventStore, tmp_path: Path) -> None:
    report = verify(filled.engine, tmp_path)
    assert report.ok
    assert (report.batches, report.events) == (4, 40)


def test_altered_event_is_detected(filled: SqlEventStore, tmp_path: Path) -> None:
    with filled.engine.begin() as conn:
        conn.execute(t.events.update().where(t.events.c.batch_seq == 2).values(original="forged"))
    assert kinds(filled, tmp_path) == [("altered", 2)]


def test_altered_json_fields_are_detected(filled: SqlEventStore, tmp_path: Path) -> None:
    with filled.engine.begin() as conn:
        victim = conn.execute(
            sa.select(t.events.c.id).where(t.events.c.batch_seq == 3).limit(1)
        ).scalar_one()
        conn.execute(
            t.events.update().where(t.events.c.id == victim).values(fields='{"user.name":"x"}')
        )
    assert kinds(filled, tmp_path) == [("altered", 3)]


def test_deleted_event_is_detected(filled: SqlEventStore, tmp_path: Path) -> None:
    with filled.engine.begin() as conn:
        victim = conn.execute(
            sa.select(t.events.c.id).where(t.events.c.batch_seq == 1).limit(1)
        ).scalar_one()
        conn.execute(t.events.delete().where(t.events.c.id == victim))
    problems = verify(filled.engine, tmp_path).problems
    assert [(p.kind, p.seq) for p in problems] == [("altered", 1)]
    assert "9 events, 10 were stored" in problems[0].detail


def test_missing_batch_is_detected(filled: SqlEventStore, tmp_path: Path) -> None:
    with filled.engine.begin() as conn:
        conn.execute(t.events.delete().where(t.events.c.batch_seq == 2))
        conn.execute(t.batches.delete().where(t.batches.c.seq == 2))
    found = kinds(filled, tmp_path)
    assert ("missing", 2) in found
    assert ("altered", 3) in found  # its link to the predecessor no longer matches


def test_removed_tail_is_detected(filled: SqlEventStore, tmp_path: Path) -> None:
    with filled.engine.begin() as conn:
        conn.execute(t.events.delete().where(t.events.c.batch_seq == 4))
        conn.execute(t.batches.delete().where(t.batches.c.seq == 4))
    assert ("missing", 4) in kinds(filled, tmp_path)


def test_rewritten_batch_record_is_detected(filled: SqlEventStore, tmp_path: Path) -> None:
    with filled.engine.begin() as conn:
        conn.execute(t.batches.update().where(t.batches.c.seq == 1).values(event_count=9))
    assert ("altered", 1) in kinds(filled, tmp_path)


def test_event_inserted_around_the_chain_is_detected(filled: SqlEventStore, tmp_path: Path) -> None:
    extra = make_events(1, stream="other")[0]
    from garrison.storage.sql.codec import event_to_row

    with filled.engine.begin() as conn:
        conn.execute(t.events.insert().values(**event_to_row(extra, 99)))
    assert ("orphan", None) in kinds(filled, tmp_path)
