"""Turning alerts into incidents as they arrive: open by policy, attach by shared entities.

The worker calls :meth:`IncidentAutomation.step` after each detection pass. It reads the alerts
stored since its cursor (kept in the database, so nothing is seen twice or missed across
restarts) and, for each one not yet in an incident:

* attaches it to the newest open incident that shares an attacker-side entity (source address
  or account) with it;
* otherwise, when the policy says so (a critical alert, or a listed rule), opens an incident
  and takes along the recent unattached alerts that share its entities, so that a brute force
  followed by a successful login becomes **one** incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.core.clock import Clock
from garrison.incidents.policy import OpenPolicy, entities
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import to_micros
from garrison.storage.sql.incidents import IncidentStore, open_incidents_sharing
from garrison.storage.sql.search import events_by_id

ACTOR = "system:incidents"
_BATCH = 500
_LIVE = ("new", "acknowledged")


@dataclass
class AutomationReport:
    """What one step did."""

    opened: list[int] = field(default_factory=list)
    attached: dict[int, list[int]] = field(default_factory=dict)


class IncidentAutomation:
    """Applies the incident policy to newly stored alerts."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        store: IncidentStore,
        policy: OpenPolicy,
        *,
        window: timedelta = timedelta(hours=24),
    ) -> None:
        """Use ``store`` for incidents; ``window`` bounds which older alerts join a new one."""
        self.engine = engine
        self.clock = clock
        self.store = store
        self.policy = policy
        self.window = window

    def _attach_keys(self, row: Any) -> set[str]:
        events = events_by_id(self.engine, orjson.loads(row.event_ids)[:20])
        return entities(orjson.loads(row.grouping), events)[0]

    def _cursor(self) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(t.incident_cursor.c.alert_id)).scalar()
        return int(found or 0)

    def _advance(self, alert_id: int) -> None:
        with self.engine.begin() as conn:
            if conn.execute(t.incident_cursor.update().values(alert_id=alert_id)).rowcount == 0:
                conn.execute(t.incident_cursor.insert().values(id=1, alert_id=alert_id))

    def step(self) -> AutomationReport:
        """Handle the alerts stored since the last step."""
        report = AutomationReport()
        cursor = self._cursor()
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.alerts)
                .where(t.alerts.c.id > cursor)
                .order_by(t.alerts.c.id)
                .limit(_BATCH)
            ).all()
        for row in rows:
            if row.status in _LIVE and self.store.incident_of(row.id) is None:
                self._handle(row, report)
            cursor = row.id
        if rows:
            self._advance(cursor)
        return report

    def _handle(self, row: Any, report: AutomationReport) -> None:
        keys = self._attach_keys(row)
        alert_id = int(row.id)
        with self.engine.connect() as conn:
            target = open_incidents_sharing(conn, keys)
        if target is not None:
            self.store.attach(target, [alert_id], actor=ACTOR)
            report.attached.setdefault(target, []).append(alert_id)
            return
        if not self.policy.opens(row.level, row.rule_id):
            return
        companions = self._companions(alert_id, keys)
        incident = self.store.open(
            row.title,
            actor=ACTOR,
            alert_ids=[alert_id, *companions],
            loss=self.policy.loss,
            impact=self.policy.impact,
        )
        report.opened.append(incident.id)

    def _companions(self, alert_id: int, keys: set[str]) -> list[int]:
        """Recent live alerts, in no incident, that share an attacker-side entity."""
        if not keys:
            return []
        since = to_micros(self.clock.now() - self.window)
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.alerts)
                .where(
                    t.alerts.c.id != alert_id,
                    t.alerts.c.status.in_(_LIVE),
                    t.alerts.c.last_seen >= since,
                    ~t.alerts.c.id.in_(sa.select(t.incident_alerts.c.alert_id)),
                )
                .order_by(t.alerts.c.id)
                .limit(_BATCH)
            ).all()
        return [int(r.id) for r in rows if keys & self._attach_keys(r)]
