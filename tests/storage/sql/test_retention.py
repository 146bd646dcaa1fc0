"""Retention archives whole batches, keeps the chain verifiable, and archives restore."""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path

import orjson
import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import IntegrityError
from garrison.storage.sql.engine import make_engine, upgrade
from garrison.storage.sql.events import SqlEventStore
from garrison.storage.sql.integrity import verify
from garrison.storage.sql.retention import restore_archive, run_retention
from tests.storage.sql.test_events import T0, make_events


def test_old_batches_are_archived_and_deleted(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    store.append(make_events(10), source="old")  # events on 2026-11-01
    clock.advance(timedelta(days=200))
    store.append(make_events(5, stream="new", start=100), source="new")
    # the second batch is also old by event time: give it fresh timestamps instead
    report = run_retention(store.engine, tmp_path, clock, days=180)
    assert report.batches == 2 and report.events == 15
    assert store.count() == 0
    files = sorted(tmp_path.rglob("*.ndjson.gz"))
    assert [f.name for f in files] == ["events-2026-11-01-1-2.ndjson.gz"]
    manifest = orjson.loads(files[0].with_name(files[0].name + ".manifest.json").read_bytes())
    assert manifest["events"] == 15 and [b["seq"] for b in manifest["batches"]] == [1, 2]
    assert verify(store.engine, tmp_path).ok


def test_recent_batches_stay(store: SqlEventStore, clock: FrozenClock, tmp_path: Path) -> None:
    store.append(make_events(10), source="recent")
    clock.set(T0 + timedelta(days=30))
    report = run_retention(store.engine, tmp_path, clock, days=180)
    assert report.events == 0 and store.count() == 10


def test_dry_run_changes_nothing(store: SqlEventStore, clock: FrozenClock, tmp_path: Path) -> None:
    store.append(make_events(10), source="old")
    clock.set(T0 + timedelta(days=365))
    report = run_retention(store.engine, tmp_path, clock, days=180, dry_run=True)
    assert report.events == 10 and store.count() == 10
    assert not list(tmp_path.rglob("*.gz"))


def test_restore_in_place_verifies_again(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    store.append(make_events(10), source="old")
    clock.set(T0 + timedelta(days=365))
    run_retention(store.engine, tmp_path, clock, days=180)
    archive = next(tmp_path.rglob("*.ndjson.gz"))
    report = restore_archive(store, archive, tmp_path)
    assert (report.events, report.restored, report.in_place) == (10, 10, True)
    assert store.count() == 10
    assert verify(store.engine, tmp_path).ok


def test_restore_into_another_database(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    store.append(make_events(10), source="old")
    clock.set(T0 + timedelta(days=365))
    run_retention(store.engine, tmp_path / "a", clock, days=180)
    archive = next((tmp_path / "a").rglob("*.ndjson.gz"))
    other = SqlEventStore(make_engine(f"sqlite:///{tmp_path / 'other.db'}"), clock)
    upgrade(other.engine)
    other.append(make_events(3, stream="mine"), source="mine")
    report = restore_archive(other, archive, tmp_path)
    assert (report.restored, report.in_place) == (10, False)
    assert other.count() == 13
    assert verify(other.engine, tmp_path).ok


def test_tampered_archive_is_refused_and_reported(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    store.append(make_events(10), source="old")
    clock.set(T0 + timedelta(days=365))
    run_retention(store.engine, tmp_path, clock, days=180)
    archive = next(tmp_path.rglob("*.ndjson.gz"))
    rows = gzip.decompress(archive.read_bytes()).replace(b"line 3", b"line X")
    archive.write_bytes(gzip.compress(rows))
    with pytest.raises(IntegrityError):
        restore_archive(store, archive, tmp_path)
    problems = verify(store.engine, tmp_path).problems
    assert problems and all(p.kind == "archive" for p in problems)
