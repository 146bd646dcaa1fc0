"""The notification outbox: written in the transaction that causes the notification.

An incident opened, a clock that warned or breached, an escalation: each writes a row here in
the same transaction as the change itself, so a crash can neither lose a notification nor send
one for a change that did not happen. The worker drains the outbox (:func:`pending`,
:func:`finish`); a failed send is retried at later passes up to :data:`MAX_ATTEMPTS` times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros

MAX_ATTEMPTS = 5
PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Notification:
    """One queued notification.

    Attributes:
        id: Its number.
        event: ``incident.new``, ``sla.warning``, ``sla.breach``, ``incident.escalated``...
        incident_id: The incident it is about.
        values: The template values (times as aware datetimes).
        attempts: Sends tried so far.
    """

    id: int
    event: str
    incident_id: int | None
    values: dict[str, Any]
    attempts: int


def _encode(values: dict[str, Any]) -> str:
    plain = {
        k: {"$time": v.isoformat()} if isinstance(v, datetime) else v for k, v in values.items()
    }
    return orjson.dumps(plain).decode()


def _decode(text: str) -> dict[str, Any]:
    return {
        k: datetime.fromisoformat(v["$time"]) if isinstance(v, dict) and "$time" in v else v
        for k, v in orjson.loads(text).items()
    }


def enqueue(
    conn: Connection, clock: Clock, event: str, incident_id: int | None, values: dict[str, Any]
) -> None:
    """Queue a notification inside the caller's transaction."""
    conn.execute(
        t.notifications.insert().values(
            event=event,
            incident_id=incident_id,
            payload=_encode(values),
            created_at=to_micros(clock.now()),
            status=PENDING,
            attempts=0,
        )
    )


def pending(engine: Engine, limit: int = 100) -> list[Notification]:
    """Queued notifications, oldest first."""
    table = t.notifications
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table).where(table.c.status == PENDING).order_by(table.c.id).limit(limit)
        )
        return [
            Notification(r.id, r.event, r.incident_id, _decode(r.payload), r.attempts) for r in rows
        ]


def finish(
    engine: Engine,
    clock: Clock,
    item: Notification,
    *,
    ok: bool,
    result: list[dict[str, Any]],
    final: bool = False,
) -> str:
    """Record a send: ``sent``, or back to pending (``failed`` after the last attempt, or at
    once when ``final``: a problem no retry can fix).

    Returns:
        The new status.
    """
    attempts = item.attempts + 1
    status = "sent" if ok else (PENDING if attempts < MAX_ATTEMPTS and not final else "failed")
    if ok and not result:
        status = "unrouted"  # no channel carries this event: nothing was sent
    with engine.begin() as conn:
        conn.execute(
            t.notifications.update()
            .where(t.notifications.c.id == item.id)
            .values(
                status=status,
                attempts=attempts,
                finished_at=to_micros(clock.now()) if status != PENDING else None,
                result=orjson.dumps(result).decode(),
            )
        )
        if item.incident_id is not None and status != PENDING:
            channels = sorted({str(r["channel"]) for r in result if r.get("channel")})
            errors = [str(r["error"]) for r in result if r.get("error") and not r.get("channel")]
            conn.execute(
                t.incident_timeline.insert().values(
                    incident_id=item.incident_id,
                    at=to_micros(clock.now()),
                    kind="action",
                    actor="system:notify",
                    text=f"notification {item.event} {status}"
                    + (f": {', '.join(channels or errors)}" if channels or errors else ""),
                    data=orjson.dumps({"notification": item.id, "status": status}).decode(),
                )
            )
    return status


def history(engine: Engine, incident_id: int) -> list[dict[str, Any]]:
    """The notifications of an incident, oldest first."""
    table = t.notifications
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table).where(table.c.incident_id == incident_id).order_by(table.c.id)
        )
        return [
            {
                "id": r.id,
                "event": r.event,
                "status": r.status,
                "attempts": r.attempts,
                "created_at": from_micros(r.created_at).isoformat().replace("+00:00", "Z"),
                "result": orjson.loads(r.result) if r.result else [],
            }
            for r in rows
        ]
