"""``receive``: one network delivery of records, parsed and stored (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import sqlalchemy as sa

from garrison.core.clock import FrozenClock
from garrison.events.model import Event
from garrison.ingest.options import IngestOptions
from garrison.search.request import SearchRequest
from garrison.serve.receiver import receive
from garrison.storage.sql import tables as t
from garrison.storage.sql.events import SqlEventStore
from garrison.storage.sql.search import search_events

AUTH = [
    b"<38>Nov 23 08:14:24 web01 sshd[4124]: Failed password for root from 203.0.113.45 "
    b"port 50024 ssh2",
    b"<38>Nov 23 08:14:30 web01 sshd[4130]: Failed password for invalid user oracle from "
    b"203.0.113.46 port 50030 ssh2",
]
#: RFC 5424 with the nil HOSTNAME ("-"): the parser gives no host.name.
NO_HOST = (
    b"<86>1 2026-11-23T08:15:00Z - sshd 42 - - "
    b"Accepted password for alice from 192.0.2.5 port 50100 ssh2"
)
ACCESS = (
    b'203.0.113.9 - - [21/Nov/2026:18:01:02 +0800] "GET /index.html HTTP/1.1" 200 612 "-" '
    b'"curl/8.4.0"'
)


def deliver(
    store: SqlEventStore,
    clock: FrozenClock,
    records: list[bytes],
    *,
    origin: str = "http:web01",
    idempotent: bool = True,
    format: str | None = "syslog",
    **kwargs: Any,
) -> dict[str, Any]:
    options = IngestOptions(format=format, batch_size=kwargs.pop("batch_size", 5000))
    summary = receive(
        records,
        origin=origin,
        sink=store,
        options=options,
        clock=clock,
        idempotent=idempotent,
        **kwargs,
    )
    return summary.to_dict()


def all_events(store: SqlEventStore) -> list[Event]:
    """Every stored event, by time, then by offset in its delivery."""
    found = search_events(store.engine, SearchRequest(limit=1000), now=store.clock.now(), tz=UTC)
    return sorted(found, key=lambda e: (e.timestamp, e.get("log.offset")))


# -- ids ---------------------------------------------------------------------------------------


def test_idempotent_delivery_is_stored_once(store: SqlEventStore, clock: FrozenClock) -> None:
    first = deliver(store, clock, AUTH)
    ids = {e.id for e in all_events(store)}
    again = deliver(store, clock, AUTH)

    assert (first["stored"], first["duplicates"]) == (2, 0)
    assert (again["stored"], again["duplicates"]) == (0, 2)
    assert again["events"] == 2
    assert {e.id for e in all_events(store)} == ids
    assert store.count() == 2


def test_idempotent_ids_depend_on_origin_and_on_the_whole_body(
    store: SqlEventStore, clock: FrozenClock
) -> None:
    deliver(store, clock, AUTH)
    other_origin = deliver(store, clock, AUTH, origin="http:web02")
    other_body = deliver(store, clock, [*AUTH, NO_HOST])

    # Idempotence is per delivery: another pusher, or a different batch, is new data.
    assert other_origin["stored"] == 2
    assert other_body["stored"] == 3
    assert store.count() == 7


def test_non_idempotent_deliveries_are_unique_by_arrival(
    store: SqlEventStore, clock: FrozenClock
) -> None:
    first = deliver(
        store, clock, [AUTH[0], AUTH[0]], origin="syslog-udp:10.0.0.5", idempotent=False
    )
    again = deliver(store, clock, [AUTH[0]], origin="syslog-udp:10.0.0.5", idempotent=False)

    assert (first["stored"], again["stored"]) == (2, 1)
    events = all_events(store)
    assert len(events) == 3
    assert len({e.id for e in events}) == 3
    assert {e.original for e in events} == {AUTH[0].decode()}


def test_records_get_offsets_and_the_batch_names_the_origin(
    store: SqlEventStore, clock: FrozenClock
) -> None:
    deliver(store, clock, [AUTH[0] + b"\r\n", b"x\x00y", AUTH[1]], origin="syslog-tcp:10.0.0.7")

    events = sorted(all_events(store), key=lambda e: e.get("log.offset"))
    assert [e.get("log.offset") for e in events] == [
        0,
        len(AUTH[0]) + 3,
        len(AUTH[0]) + 3 + 4,
    ]
    assert events[0].original == AUTH[0].decode()  # line ending removed
    assert events[1].original == "x\ufffdy"  # NUL is not storable on PostgreSQL
    assert events[1].unparsed
    with store.engine.connect() as conn:
        sources = conn.execute(sa.select(t.batches.c.source)).scalars().all()
    assert sources == ["syslog-tcp:10.0.0.7"]


def test_small_batches_are_all_counted(store: SqlEventStore, clock: FrozenClock) -> None:
    records = [AUTH[0].replace(b"50024", str(50000 + i).encode()) for i in range(5)]

    summary = deliver(store, clock, records, batch_size=2)

    assert (summary["records"], summary["events"], summary["stored"]) == (5, 5, 5)
    with store.engine.connect() as conn:
        batches = conn.execute(sa.select(sa.func.count()).select_from(t.batches)).scalar_one()
    assert batches == 3


def test_empty_delivery_stores_nothing(store: SqlEventStore, clock: FrozenClock) -> None:
    summary = deliver(store, clock, [])

    assert summary == {
        "files": 1,
        "records": 0,
        "events": 0,
        "unparsed": 0,
        "stored": 0,
        "duplicates": 0,
        "unreadable": 0,
        "by_dataset": {},
        "formats": {},
        "errors": [],
    }
    assert store.count() == 0


# -- extra fields ------------------------------------------------------------------------------


def test_extra_host_name_only_fills_a_missing_host(
    store: SqlEventStore, clock: FrozenClock
) -> None:
    deliver(store, clock, [AUTH[0], NO_HOST], extra={"host.name": "pusher"})

    by_user = {e.get("user.name"): e for e in all_events(store)}
    assert by_user["root"].get("host.name") == "web01"  # the record's own host wins
    assert by_user["alice"].get("host.name") == "pusher"


def test_extra_also_fills_unparsed_events(store: SqlEventStore, clock: FrozenClock) -> None:
    deliver(store, clock, [b"not syslog at all"], extra={"host.name": "pusher"})

    (event,) = all_events(store)
    assert event.unparsed
    assert event.get("host.name") == "pusher"


def test_without_extra_no_host_is_invented(store: SqlEventStore, clock: FrozenClock) -> None:
    deliver(store, clock, [NO_HOST])

    (event,) = all_events(store)
    assert "host.name" not in event.fields
    assert event.get("user.name") == "alice"


# -- format ------------------------------------------------------------------------------------


def test_forced_format_parses_everything_with_it(store: SqlEventStore, clock: FrozenClock) -> None:
    summary = deliver(store, clock, [ACCESS, AUTH[0]], format="access")

    assert summary["formats"] == {"http:web01": "access"}
    assert summary["by_dataset"] == {"web.access": 2}
    assert summary["unparsed"] == 1  # the syslog line is not an access log, yet it is kept
    assert store.count() == 2


def test_format_is_detected_when_not_forced(store: SqlEventStore, clock: FrozenClock) -> None:
    syslog_summary = deliver(store, clock, AUTH, format=None, origin="http:a")
    access_summary = deliver(store, clock, [ACCESS], format=None, origin="http:b")
    unknown_summary = deliver(store, clock, [b"hello", b"world"], format=None, origin="http:c")

    assert syslog_summary["formats"] == {"http:a": "syslog"}
    assert syslog_summary["by_dataset"] == {"linux.auth": 2}
    assert access_summary["formats"] == {"http:b": "access"}
    assert access_summary["by_dataset"] == {"web.access": 1}
    assert unknown_summary["formats"] == {"http:c": "unknown"}
    assert (unknown_summary["unparsed"], unknown_summary["stored"]) == (2, 2)
    assert store.count() == 5


def test_timestamps_come_from_the_records_or_the_clock(
    store: SqlEventStore, clock: FrozenClock
) -> None:
    deliver(store, clock, [AUTH[0], b"no time here"])

    parsed, unparsed = all_events(store)
    assert parsed.timestamp.isoformat() == "2026-11-23T08:14:24+00:00"
    assert unparsed.timestamp == clock.now()
