"""Stored SLA deadlines: kept in step with grade and milestones, swept for warnings and breaches.

The sweep claims each warning and breach with a conditional update (``... WHERE warned_at IS
NULL``), so with several workers each one is reported exactly once, and a restart loses none:
the deadlines are rows, not timers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock
from garrison.incidents.grading import Grade
from garrison.incidents.sla import Deadline, Milestone, SlaPolicy, deadlines
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros
from garrison.storage.sql.outbox import enqueue


def _deadline(row: Any) -> Deadline:
    return Deadline(
        kind=row.kind,
        start=from_micros(row.start),
        due=from_micros(row.due),
        warn_at=from_micros(row.warn_at),
        met_at=from_micros(row.met_at) if row.met_at is not None else None,
    )


def load_deadlines(conn: Connection, incident_id: int) -> list[Deadline]:
    """An incident's stored deadlines, soonest first."""
    table = t.incident_deadlines
    rows = conn.execute(
        sa.select(table).where(table.c.incident_id == incident_id).order_by(table.c.due)
    )
    return [_deadline(r) for r in rows]


def sync_deadlines(
    conn: Connection,
    incident_id: int,
    grade: Grade,
    milestones: Mapping[Milestone, datetime],
    policy: SlaPolicy,
    now: datetime,
) -> None:
    """Make the stored deadlines what the grade and milestones give.

    A clock whose due time moves keeps its warning and breach records only if they still hold;
    a clock the grade no longer has is removed unless it was met (it stays on record).
    """
    table = t.incident_deadlines
    wanted = {d.kind: d for d in deadlines(grade, milestones, policy)}
    stored = {
        r.kind: r for r in conn.execute(sa.select(table).where(table.c.incident_id == incident_id))
    }
    for kind, row in stored.items():
        if kind not in wanted and row.met_at is None:
            conn.execute(table.delete().where(table.c.id == row.id))
    for kind, d in wanted.items():
        values = {
            "start": to_micros(d.start),
            "due": to_micros(d.due),
            "warn_at": to_micros(d.warn_at),
            "met_at": to_micros(d.met_at) if d.met_at is not None else None,
        }
        existing = stored.get(kind)
        if existing is None:
            conn.execute(table.insert().values(incident_id=incident_id, kind=kind, **values))
            continue
        row = existing
        if row.warned_at is not None and d.warn_at > now:
            values["warned_at"] = None
        if row.breached_at is not None and d.due > now:
            values["breached_at"] = None
        conn.execute(table.update().where(table.c.id == row.id).values(**values))


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """A clock that just crossed its warning point or its due time.

    Attributes:
        incident_id: Whose clock.
        kind: Which clock (``confirm``, ``report``, ...).
        event: ``warning`` or ``breach``.
        due: When it is (was) due.
        grade: The incident's grade.
        title: The incident's title.
    """

    incident_id: int
    kind: str
    event: str
    due: datetime
    grade: Grade
    title: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "incident_id": self.incident_id,
            "kind": self.kind,
            "event": self.event,
            "due": self.due.isoformat().replace("+00:00", "Z"),
            "grade": self.grade.value,
            "title": self.title,
        }


def sweep(engine: Engine, clock: Clock) -> list[ClockEvent]:
    """Claim every warning and breach that is due and not yet reported; record them.

    Returns:
        The events claimed by this call (each is returned by exactly one sweep).
    """
    now = to_micros(clock.now())
    table = t.incident_deadlines
    found: list[ClockEvent] = []
    with engine.begin() as conn:
        for event, mark, threshold in (
            ("breach", table.c.breached_at, table.c.due),
            ("warning", table.c.warned_at, table.c.warn_at),
        ):
            rows = conn.execute(
                sa.select(table, t.incidents.c.grade, t.incidents.c.title)
                .join(t.incidents, t.incidents.c.id == table.c.incident_id)
                .where(table.c.met_at.is_(None), mark.is_(None), threshold <= now)
                .order_by(table.c.due)
            ).all()
            for row in rows:
                if event == "warning" and row.due <= now:
                    # Already breached: the breach says it; a warning now would be noise.
                    conn.execute(table.update().where(table.c.id == row.id).values(warned_at=now))
                    continue
                claimed = conn.execute(
                    table.update()
                    .where(table.c.id == row.id, mark.is_(None))
                    .values({mark.key: now})
                ).rowcount
                if not claimed:
                    continue  # another worker took it
                item = ClockEvent(
                    row.incident_id,
                    row.kind,
                    event,
                    from_micros(row.due),
                    Grade(row.grade),
                    row.title,
                )
                found.append(item)
                enqueue(
                    conn,
                    clock,
                    f"sla.{event}",
                    row.incident_id,
                    {
                        "incident_id": f"INC-{row.incident_id}",
                        "title": row.title,
                        "grade": row.grade,
                        "deadline_kind": row.kind,
                        "deadline": item.due,
                    },
                )
                conn.execute(
                    t.incident_timeline.insert().values(
                        incident_id=row.incident_id,
                        at=now,
                        kind="sla",
                        actor="system",
                        text=f"{row.kind} {event}",
                        data=orjson.dumps(item.to_dict()).decode(),
                    )
                )
                audit.append(
                    conn,
                    clock,
                    actor="system",
                    action=f"incident.sla_{event}",
                    target=f"incident:{row.incident_id}",
                    details={"clock": row.kind, "due": item.to_dict()["due"]},
                )
    return found
