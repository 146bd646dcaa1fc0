"""The detection store: cursor, alerts, unsettled correlation matches, login baseline.

Implements :class:`garrison.alerts.live.DetectionStore`. A detection transaction holds the
detection lock until it ends: on PostgreSQL a ``SELECT ... FOR UPDATE`` of the cursor row, on
SQLite the immediate write transaction. So two processes (``garrison serve`` and a
``garrison ingest`` run) never detect on the same events twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.alerts.live import canonical_group, group_hash
from garrison.alerts.model import AlertMeta
from garrison.alerts.suppress import Suppression
from garrison.core.clock import Clock
from garrison.correlate.episodes import Episode, Observation
from garrison.events.model import Event
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, plain, row_to_event, to_micros

CURSOR = "live"
CLOSED = "closed"
_CHUNK = 500


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def suppression_from_row(row: Any) -> Suppression:
    """Rebuild a suppression from its row."""
    return Suppression(
        id=row.id,
        rule_id=row.rule_id,
        conditions=orjson.loads(row.conditions),
        reason=row.reason,
        created_by=row.created_by,
        created_at=from_micros(row.created_at),
        until=from_micros(row.until) if row.until is not None else None,
    )


def save_alert(
    conn: Connection,
    meta: AlertMeta,
    print_: str,
    episode: Episode,
    *,
    status: str,
    suppression_id: int | None,
    now: int,
) -> None:
    """Insert an episode as a new alert (sets ``episode.ref``), or grow its stored alert.

    The one writer of alert rows: live detection and Garrison's own alerts (account lockouts)
    both go through it.
    """
    alerts = t.alerts
    values: dict[str, Any] = {
        "count": episode.count,
        "first_seen": to_micros(episode.first),
        "last_seen": to_micros(episode.last),
        "event_ids": orjson.dumps(episode.event_ids).decode(),
        "updated_at": now,
    }
    if episode.ref is not None:
        conn.execute(alerts.update().where(alerts.c.id == episode.ref).values(**values))
        return
    grouping = dict(zip(meta.group_by, episode.group, strict=True))
    values.update(
        fingerprint=print_,
        rule_id=meta.rule_id[:256],
        title=meta.title[:512],
        level=meta.level,
        tags=orjson.dumps(list(meta.tags)).decode(),
        author=(meta.author or None) and meta.author[:512],
        kind=meta.kind,
        grouping=orjson.dumps(grouping).decode(),
        status=status,
        suppression_id=suppression_id,
        created_at=now,
    )
    key = conn.execute(alerts.insert().values(**values)).inserted_primary_key
    assert key is not None  # noqa: S101 - an insert always has one
    episode.ref = int(key[0])


class SqlLoginBaseline:
    """The login baseline in the ``login_baseline`` table, inside a transaction."""

    def __init__(self, conn: Connection) -> None:
        """Use ``conn`` (the detection transaction)."""
        self.conn = conn

    def observe(self, user: str, address: str, when: datetime, window: timedelta) -> bool:
        """Record a login; return whether the address is new for a known account."""
        table = t.login_baseline
        user = user[:256]
        address = address[:64]
        ts = to_micros(when)
        span = window // timedelta(microseconds=1)
        rows = self.conn.execute(
            sa.select(table.c.source_ip, table.c.last_seen).where(table.c.user_name == user)
        ).all()
        recent = {r.source_ip for r in rows if abs(ts - r.last_seen) <= span}
        known = {r.source_ip: r.last_seen for r in rows}
        if address not in known:
            self.conn.execute(
                table.insert(), {"user_name": user, "source_ip": address, "last_seen": ts}
            )
        elif ts > known[address]:
            self.conn.execute(
                table.update()
                .where(table.c.user_name == user, table.c.source_ip == address)
                .values(last_seen=ts)
            )
        return bool(recent) and address not in recent


class SqlDetectionTransaction:
    """One detection step's view of the database (see the protocol in ``alerts/live.py``)."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        """Lock the cursor and remember where it is."""
        self.conn = conn
        self.clock = clock
        self.baseline = SqlLoginBaseline(conn)
        state = t.detection_state
        query = sa.select(state.c.batch_seq, state.c.max_ts).where(state.c.name == CURSOR)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            conn.execute(
                state.insert(),
                {"name": CURSOR, "batch_seq": 0, "max_ts": None, "updated_at": self._now()},
            )
            row = conn.execute(query).first()
        assert row is not None  # noqa: S101 - inserted above
        self.cursor: int = row.batch_seq
        self._max_ts: int | None = row.max_ts
        self._read_to = self.cursor

    def _now(self) -> int:
        return to_micros(self.clock.now())

    def read_events(self, max_events: int) -> list[Event]:
        """Events of the batches after the cursor, whole batches, ``max_events`` or more."""
        batches = t.batches
        rows = self.conn.execute(
            sa.select(batches.c.seq, batches.c.event_count)
            .where(batches.c.seq > self.cursor, batches.c.archive.is_(None))
            .order_by(batches.c.seq)
            .limit(max(1, max_events))
        ).all()
        last, total = self.cursor, 0
        for row in rows:
            if total and total + row.event_count > max_events:
                break
            last, total = row.seq, total + row.event_count
        if last == self.cursor:
            return []
        self._read_to = last
        events = t.events
        result = self.conn.execute(
            sa.select(events)
            .where(events.c.batch_seq > self.cursor, events.c.batch_seq <= last)
            .order_by(events.c.batch_seq, events.c.id)
        )
        return [row_to_event(plain(row)) for row in result]

    def max_event_time(self) -> datetime | None:
        """The newest event time seen by detection."""
        return from_micros(self._max_ts) if self._max_ts is not None else None

    def suppressions(self) -> list[Suppression]:
        """Suppressions not removed."""
        table = t.suppressions
        rows = self.conn.execute(sa.select(table).where(table.c.removed_at.is_(None)))
        return [suppression_from_row(row) for row in rows]

    def open_episodes(self, fingerprints: Sequence[str]) -> dict[str, Episode]:
        """The newest not-closed alert of each fingerprint."""
        alerts = t.alerts
        found: dict[str, Episode] = {}
        for chunk in _chunks(list(fingerprints)):
            newest = (
                sa.select(sa.func.max(alerts.c.id))
                .where(alerts.c.fingerprint.in_(chunk))
                .group_by(alerts.c.fingerprint)
            )
            rows = self.conn.execute(
                sa.select(alerts).where(alerts.c.id.in_(newest), alerts.c.status != CLOSED)
            )
            for row in rows:
                found[row.fingerprint] = Episode(
                    group=tuple(orjson.loads(row.grouping).values()),
                    first=from_micros(row.first_seen),
                    last=from_micros(row.last_seen),
                    count=row._mapping["count"],
                    event_ids=orjson.loads(row.event_ids),
                    ref=row.id,
                )
        return found

    def save_episode(
        self,
        meta: AlertMeta,
        print_: str,
        episode: Episode,
        *,
        status: str,
        suppression_id: int | None,
    ) -> None:
        """Insert a new alert or grow an existing one (its status is left alone)."""
        save_alert(
            self.conn,
            meta,
            print_,
            episode,
            status=status,
            suppression_id=suppression_id,
            now=self._now(),
        )

    def observations(self, rule_id: str, hashes: Sequence[str]) -> dict[str, list[Observation]]:
        """Unsettled matches of the given groups."""
        table = t.correlation_matches
        found: dict[str, list[Observation]] = {}
        for chunk in _chunks(list(dict.fromkeys(hashes))):
            rows = self.conn.execute(
                sa.select(table)
                .where(table.c.rule_key == rule_id, table.c.group_hash.in_(chunk))
                .order_by(table.c.ts, table.c.seq)
            )
            for row in rows:
                value = orjson.loads(row.value) if row.value is not None else None
                item = Observation(from_micros(row.ts), row.seq, row.event_id, value)
                found.setdefault(row.group_hash, []).append(item)
        return found

    def unsettled_groups(self, rule_id: str) -> list[tuple[Any, ...]]:
        """Groups of a correlation with unsettled matches."""
        table = t.correlation_matches
        rows = self.conn.execute(
            sa.select(table.c.grouping).where(table.c.rule_key == rule_id).distinct()
        )
        return [tuple(orjson.loads(row.grouping)) for row in rows]

    def replace_observations(
        self, rule_id: str, group: tuple[Any, ...], items: Sequence[Observation]
    ) -> None:
        """Make ``items`` the group's unsettled matches."""
        table = t.correlation_matches
        digest = group_hash(group)
        self.conn.execute(
            table.delete().where(table.c.rule_key == rule_id, table.c.group_hash == digest)
        )
        if items:
            text = canonical_group(group)
            self.conn.execute(
                table.insert(),
                [
                    {
                        "rule_key": rule_id,
                        "group_hash": digest,
                        "grouping": text,
                        "ts": to_micros(o.when),
                        "seq": o.seq,
                        "event_id": o.event_id,
                        "value": orjson.dumps(o.value, default=str).decode()
                        if o.value is not None
                        else None,
                    }
                    for o in items
                ],
            )

    def prune_observations(self, rule_id: str, before: datetime) -> None:
        """Forget matches that no window can use any more."""
        table = t.correlation_matches
        self.conn.execute(
            table.delete().where(table.c.rule_key == rule_id, table.c.ts < to_micros(before))
        )

    def record_suppression_hits(self, hits: Mapping[int, int]) -> None:
        """Add hit counts to suppressions."""
        table = t.suppressions
        now = self._now()
        for ident, count in hits.items():
            self.conn.execute(
                table.update()
                .where(table.c.id == ident)
                .values(hits=table.c.hits + count, last_hit=now)
            )

    def advance(self, max_event_time: datetime | None) -> None:
        """Move the cursor past what was read."""
        ts = to_micros(max_event_time) if max_event_time is not None else self._max_ts
        self.conn.execute(
            t.detection_state.update()
            .where(t.detection_state.c.name == CURSOR)
            .values(batch_seq=self._read_to, max_ts=ts, updated_at=self._now())
        )


class SqlDetectionStore:
    """Opens detection transactions on an engine."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        """Use ``engine`` and ``clock``."""
        self.engine = engine
        self.clock = clock

    @contextmanager
    def transaction(self) -> Iterator[SqlDetectionTransaction]:
        """One detection step's transaction (commits on success, rolls back on error)."""
        with self.engine.begin() as conn:
            yield SqlDetectionTransaction(conn, self.clock)


def lag(engine: Engine) -> int:
    """Stored batches that live detection has not read yet."""
    with engine.connect() as conn:
        head = conn.execute(sa.select(sa.func.max(t.chain_head.c.seq))).scalar() or 0
        done = conn.execute(
            sa.select(t.detection_state.c.batch_seq).where(t.detection_state.c.name == CURSOR)
        ).scalar()
    return max(0, int(head) - int(done or 0))
