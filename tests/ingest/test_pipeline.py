"""One-shot ingest end to end into a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest

from garrison.core.clock import FrozenClock
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.storage.sql.events import SqlEventStore

DATA = Path(__file__).parents[1] / "data"
AUTH = DATA / "syslog" / "auth.log"


def run(
    store: SqlEventStore, clock: FrozenClock, *paths: Path | str, **opts: object
) -> IngestSummary:
    summary = IngestSummary()
    options = IngestOptions(year=2026, batch_size=7, **opts)  # type: ignore[arg-type]
    for path in paths:
        ingest_path(str(path), sink=store, summary=summary, options=options, clock=clock)
    return summary


def test_same_file_twice_is_stored_once(store: SqlEventStore, clock: FrozenClock) -> None:
    first = run(store, clock, AUTH)
    assert first.formats == {str(AUTH): "syslog"}
    assert first.records == sum(1 for _ in AUTH.open(encoding="utf-8"))
    assert first.stored == first.events > 0
    second = run(store, clock, AUTH)
    assert second.stored == 0 and second.duplicates == first.events
    assert store.count() == first.events


def test_rotated_gzip_copy_is_recognised_as_the_same_events(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    first = run(store, clock, AUTH)
    rotated = tmp_path / "auth.log.2.gz"
    rotated.write_bytes(gzip.compress(AUTH.read_bytes()))
    again = run(store, clock, rotated)
    assert again.stored == 0 and again.duplicates == first.events


def test_truncated_gzip_keeps_what_was_read(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    lines = AUTH.read_text(encoding="utf-8").splitlines()
    text = "".join(f"{lines[i % len(lines)]} #{i}\n" for i in range(20000))
    data = gzip.compress(text.encode())
    broken = tmp_path / "broken.gz"
    broken.write_bytes(data[: len(data) // 2])
    summary = run(store, clock, broken)
    assert summary.errors and "truncated" in summary.errors[0]["error"]
    assert summary.errors[0]["path"] == str(broken)
    assert 1000 < summary.stored < 20000


def test_unreadable_file_is_reported_and_the_run_goes_on(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.log"
    folder = tmp_path / "dir"
    folder.mkdir()
    summary = run(store, clock, missing, folder, AUTH)
    assert [e["path"] for e in summary.errors] == [str(missing), str(folder)]
    assert summary.files == 3 and summary.stored > 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_permission_denied_is_reported(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.log"
    shutil.copy(AUTH, secret)
    secret.chmod(0)
    summary = run(store, clock, secret)
    assert "ermission" in summary.errors[0]["error"]


def test_binary_garbage_is_stored_unparsed_with_reason(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 8 + b"\n\xff\xfe\x00\x01\n")
    summary = run(store, clock, junk)
    assert summary.formats[str(junk)] == "unknown"
    assert summary.events == summary.unparsed > 0
    events = _all(store)
    assert all(e.fields["event.kind"] == "pipeline_error" for e in events)
    assert all("format not recognised" in e.fields["error.message"] for e in events)
    assert all("\x00" not in e.original for e in events)


def test_empty_file_is_counted_and_stores_nothing(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    summary = run(store, clock, empty)
    assert (summary.files, summary.records, summary.events, summary.errors) == (1, 0, 0, [])


def test_oversize_line_becomes_an_unparsed_event(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    path = tmp_path / "big.log"
    path.write_bytes(AUTH.read_bytes() + b"A" * (1024 * 1024 + 5) + b"\n")
    summary = run(store, clock, path)
    reasons = [e.fields.get("error.message", "") for e in _all(store)]
    assert any("exceeds the 1 MiB limit" in r for r in reasons)
    assert summary.records == sum(1 for _ in AUTH.open(encoding="utf-8")) + 1


def test_mixed_good_and_bad_lines_lose_nothing(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.log"
    good = AUTH.read_text(encoding="utf-8").splitlines()[:20]
    path.write_text("\n".join([*good, "%%% not syslog %%%", 'unterminated "quote']) + "\n")
    summary = run(store, clock, path)
    assert summary.formats[str(path)] == "syslog"
    assert summary.unparsed == 2
    stored = {e.original for e in _all(store)}
    assert "%%% not syslog %%%" in stored and 'unterminated "quote' in stored


def test_forced_format_overrides_detection(store: SqlEventStore, clock: FrozenClock) -> None:
    summary = run(store, clock, AUTH, format="access")
    assert summary.formats[str(AUTH)] == "access"
    assert summary.unparsed == summary.events


def _all(store: SqlEventStore) -> list:  # type: ignore[type-arg]
    import sqlalchemy as sa

    from garrison.storage.sql import tables as t
    from garrison.storage.sql.codec import row_to_event

    with store.engine.connect() as conn:
        return [row_to_event(r._mapping) for r in conn.execute(sa.select(t.events))]


def test_cloudtrail_file_on_one_long_line_is_parsed(
    store: SqlEventStore, clock: FrozenClock, tmp_path: Path
) -> None:
    import orjson

    record = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "userName": "alice",
            "arn": "arn:aws:iam::1:user/alice",
        },
        "eventTime": "2026-11-23T02:25:00Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "requestParameters": {"bucketName": "b", "key": "x" * 300},
    }
    records = [{**record, "eventID": f"id-{i}"} for i in range(4000)]
    path = tmp_path / "123_CloudTrail_us-east-1.json"
    path.write_bytes(orjson.dumps({"Records": records}))
    assert path.stat().st_size > 1024 * 1024
    summary = run(store, clock, path)
    assert summary.formats[str(path)] == "cloudtrail"
    assert (summary.events, summary.unparsed) == (4000, 0)
