"""Merging two incidents into one, and splitting alerts off into a new incident.

Merging moves the alerts, tasks, evidence and timeline of one incident into another and closes
the emptied one with a pointer to where everything went; its clocks stop (the target's run on).
Splitting detaches alerts from an incident and opens a new one from them, graded afresh.
Both are one transaction each, audited.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from garrison.core.errors import InputError
from garrison.incidents.assets import affected
from garrison.incidents.model import Incident
from garrison.incidents.phases import Phase
from garrison.incidents.sla import Milestone
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.assets import load_assets
from garrison.storage.sql.codec import to_micros
from garrison.storage.sql.incidents import IncidentStore


def merge(
    store: IncidentStore, target_id: int, source_id: int, *, actor: str, reason: str
) -> Incident:
    """Merge incident ``source_id`` into ``target_id``.

    Raises:
        InputError: Merging an incident into itself, a closed one, or without a reason.
    """
    if target_id == source_id:
        raise InputError("an incident cannot be merged into itself")
    if not reason.strip():
        raise InputError("merging needs a reason (it is audited)")
    now = store.clock.now()
    with store.engine.begin() as conn:
        target = store._get(conn, target_id)
        source = store._get(conn, source_id)
        if not target.is_open or not source.is_open:
            raise InputError("only open incidents can be merged")
        for table in (t.incident_alerts, t.incident_tasks, t.incident_timeline, t.evidence):
            conn.execute(
                table.update().where(table.c.incident_id == source_id).values(incident_id=target_id)
            )
        entities = sorted(set(target.entities) | set(source.entities))
        hit = affected(load_assets(conn), entities)
        conn.execute(
            t.incidents.update()
            .where(t.incidents.c.id == target_id)
            .values(
                entities=orjson.dumps(entities).decode(),
                assets=orjson.dumps([a.name for a in hit]).decode(),
                updated_at=to_micros(now),
            )
        )
        stones = {m.value: to_micros(v) for m, v in source.milestones.items()}
        stones[Milestone.CLOSED.value] = to_micros(now)
        conn.execute(
            t.incidents.update()
            .where(t.incidents.c.id == source_id)
            .values(
                phase=Phase.CLOSED.value,
                milestones=orjson.dumps(stones).decode(),
                summary=f"Merged into incident {target_id}: {reason}",
                updated_at=to_micros(now),
            )
        )
        conn.execute(
            t.incident_deadlines.delete().where(
                t.incident_deadlines.c.incident_id == source_id,
                t.incident_deadlines.c.met_at.is_(None),
            )
        )
        for incident_id, text in (
            (target_id, f"incident {source_id} merged in: {reason}"),
            (source_id, f"merged into incident {target_id}: {reason}"),
        ):
            store._log(conn, incident_id, "action", actor, text, {"merge": [source_id, target_id]})
        audit.append(
            conn,
            store.clock,
            actor=actor,
            action="incident.merge",
            target=f"incident:{target_id}",
            details={"source": source_id, "reason": reason},
        )
        return store._get(conn, target_id)


def split(
    store: IncidentStore,
    incident_id: int,
    alert_ids: Sequence[int],
    *,
    title: str,
    actor: str,
    reason: str,
) -> Incident:
    """Detach ``alert_ids`` from an incident and open a new incident from them.

    Raises:
        InputError: When an alert is not in the incident, all alerts would leave, or no reason.
    """
    if not reason.strip():
        raise InputError("splitting needs a reason (it is audited)")
    if not title.strip() or len(title.strip()) > 512:
        # Checked first: the new incident must open once the alerts have left the old one.
        raise InputError("the new incident needs a title of 1-512 characters")
    with store.engine.begin() as conn:
        current = store._get(conn, incident_id)
        strangers = set(alert_ids) - set(current.alert_ids)
        if strangers:
            raise InputError(f"alert {min(strangers)} is not in incident {incident_id}")
        if not alert_ids or set(alert_ids) == set(current.alert_ids):
            raise InputError("a split moves some, not all, of the incident's alerts")
        conn.execute(
            t.incident_alerts.delete().where(t.incident_alerts.c.alert_id.in_(list(alert_ids)))
        )
        store._log(
            conn,
            incident_id,
            "action",
            actor,
            f"alerts split off: {reason}",
            {"alerts": list(alert_ids)},
        )
        audit.append(
            conn,
            store.clock,
            actor=actor,
            action="incident.split",
            target=f"incident:{incident_id}",
            details={"alerts": list(alert_ids), "reason": reason},
        )
    return store.open(
        title,
        actor=actor,
        alert_ids=alert_ids,
        loss=current.loss,
        impact=current.impact,
        summary=f"Split from incident {incident_id}: {reason}",
    )
