"""Conversion between :class:`Event` objects and table rows, and the batch digest.

The digest of a batch is computed from exactly the column values that are stored, so that
``verify`` can recompute it from the database and detect any change to any stored event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from garrison.events import schema
from garrison.events.model import Event

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
GENESIS = "0" * 64

_PROMOTED = (
    ("kind", schema.KIND, 32),
    ("category", schema.CATEGORY, 64),
    ("action", schema.ACTION, 128),
    ("outcome", schema.OUTCOME, 16),
    ("source_ip", schema.SOURCE_IP, 64),
    ("destination_ip", schema.DESTINATION_IP, 64),
    ("user_name", schema.USER_NAME, 256),
    ("host_name", schema.HOST_NAME, 256),
)


def to_micros(when: datetime) -> int:
    """Aware datetime -> integer microseconds since the epoch."""
    return (when - EPOCH) // _US


def from_micros(value: int) -> datetime:
    """Integer microseconds since the epoch -> aware UTC datetime."""
    return EPOCH + timedelta(microseconds=value)


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None
    text = value if isinstance(value, str) else str(value)
    return text[:limit]


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def event_to_row(event: Event, batch_seq: int) -> dict[str, Any]:
    """Build the ``events`` row of one event."""
    fields = event.fields
    row: dict[str, Any] = {
        "id": event.id,
        "ts": to_micros(event.timestamp),
        "dataset": event.dataset[:64],
        "batch_seq": batch_seq,
        "fields": orjson.dumps(fields, default=_default, option=orjson.OPT_NON_STR_KEYS).decode(),
        "original": event.original.replace("\x00", "\ufffd"),
    }
    get = fields.get
    for column, name, limit in _PROMOTED:
        value = get(name)
        # Most promoted values are short strings: skip the general conversion for them.
        if value is None or (type(value) is str and len(value) <= limit):
            row[column] = value
        else:
            row[column] = _text(value, limit)
    return row


def plain(row: Any) -> dict[str, Any]:
    """A result row as a dict with plain ``str`` keys (orjson rejects str subclasses)."""
    return {str(key): value for key, value in row._mapping.items()}


def row_to_event(row: Mapping[str, Any]) -> Event:
    """Rebuild an event from its stored row."""
    return Event(
        id=row["id"],
        timestamp=from_micros(row["ts"]),
        dataset=row["dataset"],
        original=row["original"],
        fields=orjson.loads(row["fields"]),
    )


def digest_rows(rows: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 over the hashed columns of rows, in id order (order-independent input)."""
    h = hashlib.sha256()
    for row in sorted(rows, key=lambda r: str(r["id"])):
        h.update(
            f"{row['id']}\x1f{row['ts']}\x1f{row['dataset']}\x1f".encode()
            + row["fields"].encode("utf-8", "surrogatepass")
            + b"\x1f"
            + row["original"].encode("utf-8", "surrogatepass")
            + b"\x1e"
        )
    return h.hexdigest()


def chain_hash(prev_hash: str, seq: int, count: int, digest: str) -> str:
    """Hash of one batch link: binds it to its predecessor, position, size and content."""
    return hashlib.sha256(f"{prev_hash}:{seq}:{count}:{digest}".encode()).hexdigest()
