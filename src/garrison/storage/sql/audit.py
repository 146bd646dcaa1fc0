"""The audit trail: every state change, appended to a hash chain.

Each entry's hash covers its sequence number, time, actor, action, target, details and the
previous entry's hash, so changing, deleting or reordering any entry breaks every later link;
:func:`verify` finds the first broken one. Appends lock the newest entry's position (the
primary key refuses a second entry with the same sequence number), so concurrent writers
serialise instead of forking the chain.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import GENESIS, from_micros, to_micros

_LOCK_KEY = 0x6761_7564  # "gaud": the audit chain's advisory lock


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded change.

    Attributes:
        seq: Position in the chain (1-based).
        at: When.
        actor: Who (``user:<name>``, ``token:<name>``, ``cli:<os user>``, ``system``).
        action: What, as ``noun.verb`` (``suppression.create``).
        target: What it was done to.
        details: Parameters of the change (never secrets).
    """

    seq: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "details": self.details,
        }


def _link(prev: str, seq: int, ts: int, actor: str, action: str, target: str, details: str) -> str:
    payload = orjson.dumps([prev, seq, ts, actor, action, target, details])
    return hashlib.sha256(payload).hexdigest()


def append(
    conn: Connection,
    clock: Clock,
    *,
    actor: str,
    action: str,
    target: str,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Append one entry inside the caller's transaction; return its sequence number."""
    if conn.dialect.name == "postgresql":
        # Serialise appenders until commit (SQLite's immediate transactions already do).
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    last = conn.execute(
        sa.select(t.audit_log.c.seq, t.audit_log.c.hash).order_by(t.audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last is not None else (1, GENESIS)
    ts = to_micros(clock.now())
    text = orjson.dumps(dict(details or {}), option=orjson.OPT_SORT_KEYS).decode()
    actor, action, target = actor[:256], action[:64], target[:512]
    conn.execute(
        t.audit_log.insert(),
        {
            "seq": seq,
            "ts": ts,
            "actor": actor,
            "action": action,
            "target": target,
            "details": text,
            "prev_hash": prev,
            "hash": _link(prev, seq, ts, actor, action, target, text),
        },
    )
    return seq


def entries(
    engine: Engine,
    *,
    limit: int = 100,
    action: str | None = None,
    target: str | None = None,
    actor: str | None = None,
    before: int | None = None,
) -> list[AuditEntry]:
    """The newest entries first.

    Args:
        engine: The database.
        limit: At most this many.
        action: Only this action (prefix match: ``suppression.``).
        target: Only entries about this target (exact: ``alert:42``).
        actor: Only entries by this actor (exact: ``user:li.na``).
        before: Only entries with a smaller sequence number (paging).
    """
    query = sa.select(t.audit_log).order_by(t.audit_log.c.seq.desc()).limit(limit)
    if action:
        query = query.where(t.audit_log.c.action.startswith(action, autoescape=True))
    if target:
        query = query.where(t.audit_log.c.target == target)
    if actor:
        query = query.where(t.audit_log.c.actor == actor)
    if before is not None:
        query = query.where(t.audit_log.c.seq < before)
    with engine.connect() as conn:
        return [_entry(row) for row in conn.execute(query)]


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=from_micros(row.ts),
        actor=row.actor,
        action=row.action,
        target=row.target,
        details=orjson.loads(row.details),
    )


def iter_entries(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
    batch: int = 1000,
) -> Iterator[AuditEntry]:
    """Entries in chain order (oldest first), read in batches (exports of any size)."""
    table = t.audit_log
    after = 0
    while True:
        query = sa.select(table).where(table.c.seq > after).order_by(table.c.seq).limit(batch)
        if since is not None:
            query = query.where(table.c.ts >= to_micros(since))
        if until is not None:
            query = query.where(table.c.ts < to_micros(until))
        if action:
            query = query.where(table.c.action.startswith(action, autoescape=True))
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield _entry(row)
        after = rows[-1].seq


_CSV_FIELDS = ("seq", "at", "actor", "action", "target", "details")
#: A spreadsheet runs a cell that starts with one of these as a formula; audit values can come
#: from attackers (a login name), so such cells get a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def to_ndjson(entries: Iterable[AuditEntry]) -> Iterator[bytes]:
    """One JSON object per line."""
    for entry in entries:
        yield orjson.dumps(entry.to_dict()) + b"\n"


def to_csv(entries: Iterable[AuditEntry]) -> Iterator[bytes]:
    """CSV with a header row (UTF-8 with BOM, so spreadsheet tools read Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_CSV_FIELDS)
    yield ("\ufeff" + buffer.getvalue()).encode()
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        data = entry.to_dict()
        data["details"] = orjson.dumps(data["details"], option=orjson.OPT_SORT_KEYS).decode()
        writer.writerow([_cell(str(data[name])) for name in _CSV_FIELDS])
        yield buffer.getvalue().encode()


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Result of :func:`verify`.

    Attributes:
        entries: Entries checked.
        broken_at: Sequence number of the first entry that does not verify, if any.
        reason: Why it does not.
    """

    entries: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the whole chain verifies."""
        return self.broken_at is None


def verify(engine: Engine) -> AuditReport:
    """Recompute every link of the audit chain."""
    prev, expected, count = GENESIS, 1, 0
    query = sa.select(t.audit_log).order_by(t.audit_log.c.seq)
    with engine.connect() as conn:
        for row in conn.execute(query):
            count += 1
            if row.seq != expected:
                return AuditReport(count, expected, f"entry {expected} is missing")
            if row.prev_hash != prev:
                return AuditReport(count, row.seq, "link to the previous entry is broken")
            digest = _link(prev, row.seq, row.ts, row.actor, row.action, row.target, row.details)
            if digest != row.hash:
                return AuditReport(count, row.seq, "entry was changed after it was written")
            prev, expected = row.hash, expected + 1
    return AuditReport(count)
