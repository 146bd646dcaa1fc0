"""Stored alerts and suppressions: listing, snoozing, muting; every change audited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from garrison.alerts.model import Alert, StoredAlert
from garrison.alerts.query import LEVELS, AlertFilter
from garrison.alerts.suppress import Suppression
from garrison.alerts.triage import RESOLUTIONS, transition
from garrison.core.clock import Clock
from garrison.core.errors import InputError, NotFoundError
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros
from garrison.storage.sql.detection import suppression_from_row


def _alert(row: Any) -> StoredAlert:
    return StoredAlert(
        id=row.id,
        alert=Alert(
            rule_id=row.rule_id,
            title=row.title,
            level=row.level,
            tags=tuple(orjson.loads(row.tags)),
            author=row.author,
            group=orjson.loads(row.grouping),
            count=row._mapping["count"],
            first_seen=from_micros(row.first_seen),
            last_seen=from_micros(row.last_seen),
            event_ids=tuple(orjson.loads(row.event_ids)),
        ),
        kind=row.kind,
        status=row.status,
        suppression_id=row.suppression_id,
        created_at=from_micros(row.created_at),
        updated_at=from_micros(row.updated_at),
        resolution=row.resolution,
        status_reason=row.status_reason,
        status_by=row.status_by,
        status_at=from_micros(row.status_at) if row.status_at is not None else None,
    )


class AlertRepository:
    """Reads alerts; creates and removes suppressions (audited)."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        """Use ``engine`` and ``clock``."""
        self.engine = engine
        self.clock = clock

    def search(self, where: AlertFilter) -> list[StoredAlert]:
        """Alerts matching ``where``, most recently seen first."""
        alerts = t.alerts
        query = sa.select(alerts).order_by(alerts.c.last_seen.desc(), alerts.c.id.desc())
        if where.statuses:
            query = query.where(alerts.c.status.in_(where.statuses))
        else:
            query = query.where(alerts.c.status != "suppressed")
        if where.min_level is not None:
            query = query.where(alerts.c.level.in_(LEVELS[LEVELS.index(where.min_level) :]))
        if where.rule_id:
            query = query.where(alerts.c.rule_id == where.rule_id)
        if where.since is not None:
            query = query.where(alerts.c.last_seen >= to_micros(where.since))
        query = query.limit(where.limit).offset(where.offset)
        with self.engine.connect() as conn:
            return [_alert(row) for row in conn.execute(query)]

    def get(self, alert_id: int) -> StoredAlert:
        """One alert.

        Raises:
            InputError: If there is no such alert.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.alerts).where(t.alerts.c.id == alert_id)).first()
        if row is None:
            raise NotFoundError(f"no alert {alert_id}", hint="see 'garrison alerts list'")
        return _alert(row)

    def triage(
        self,
        alert_id: int,
        action: str,
        *,
        actor: str,
        reason: str,
        resolution: str | None = None,
    ) -> StoredAlert:
        """Acknowledge, close (with a verdict) or reopen an alert; audited.

        Raises:
            NotFoundError: If there is no such alert.
            InputError: If the action does not apply or lacks a verdict or reason.
        """
        if not reason.strip():
            raise InputError("a status change needs a reason (it is audited)")
        alerts = t.alerts
        now = to_micros(self.clock.now())
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(alerts).where(alerts.c.id == alert_id)).first()
            if row is None:
                raise NotFoundError(f"no alert {alert_id}", hint="see 'garrison alerts list'")
            status = transition(row.status, action, resolution)
            conn.execute(
                alerts.update()
                .where(alerts.c.id == alert_id)
                .values(
                    status=status,
                    resolution=resolution if action == "close" else None,
                    status_reason=reason,
                    status_by=actor[:256],
                    status_at=now,
                    updated_at=now,
                )
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action=f"alert.{action}",
                target=f"alert:{alert_id}",
                details={
                    "from": row.status,
                    "to": status,
                    "resolution": resolution,
                    "reason": reason,
                    "rule_id": row.rule_id,
                },
            )
        return self.get(alert_id)

    def verdicts(self) -> list[dict[str, Any]]:
        """Per rule: closed alerts by verdict and the false-positive rate."""
        alerts = t.alerts
        query = (
            sa.select(alerts.c.rule_id, alerts.c.title, alerts.c.resolution, sa.func.count())
            .where(alerts.c.status == "closed")
            .group_by(alerts.c.rule_id, alerts.c.title, alerts.c.resolution)
        )
        rules: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for rule_id, title, resolution, n in conn.execute(query):
                entry = rules.setdefault(
                    rule_id,
                    {
                        "rule_id": rule_id,
                        "title": title,
                        "closed": 0,
                        **{r: 0 for r in RESOLUTIONS},
                    },
                )
                entry["closed"] += n
                if resolution in RESOLUTIONS:
                    entry[resolution] += n
        for entry in rules.values():
            entry["false_positive_rate"] = round(entry["false_positive"] / entry["closed"], 4)
        return sorted(rules.values(), key=lambda e: (-e["false_positive_rate"], e["rule_id"]))

    def count(self) -> dict[str, int]:
        """Alerts per status."""
        alerts = t.alerts
        query = sa.select(alerts.c.status, sa.func.count()).group_by(alerts.c.status)
        with self.engine.connect() as conn:
            return {status: n for status, n in conn.execute(query)}

    def suppress(
        self,
        *,
        actor: str,
        reason: str,
        rule_id: str | None = None,
        conditions: Mapping[str, str] | None = None,
        duration: timedelta | None = None,
    ) -> Suppression:
        """Create a suppression (``duration`` makes it a snooze) and audit it.

        Raises:
            InputError: If it would match nothing specific or has no reason.
        """
        now = self.clock.now()
        if duration is not None and duration <= timedelta(0):
            raise InputError("a snooze needs a positive duration")
        until = now + duration if duration is not None else None
        item = Suppression(None, rule_id, dict(conditions or {}), reason, actor, now, until)
        table = t.suppressions
        with self.engine.begin() as conn:
            key = conn.execute(
                table.insert().values(
                    rule_id=rule_id,
                    conditions=orjson.dumps(dict(item.conditions)).decode(),
                    reason=reason,
                    created_by=actor[:256],
                    created_at=to_micros(now),
                    until=to_micros(until) if until is not None else None,
                    hits=0,
                )
            ).inserted_primary_key
            assert key is not None  # noqa: S101 - an insert always has one
            ident = int(key[0])
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="suppression.create",
                target=f"suppression:{ident}",
                details={
                    "rule_id": rule_id,
                    "conditions": dict(item.conditions),
                    "reason": reason,
                    "until": until.isoformat() if until is not None else None,
                },
            )
        return Suppression(ident, rule_id, item.conditions, reason, actor, now, until)

    def snooze(self, alert_id: int, duration: timedelta, *, actor: str, reason: str) -> Suppression:
        """Mute an alert's rule for its group (or its rule alone) for ``duration``."""
        stored = self.get(alert_id)
        conditions = {k: str(v) for k, v in stored.alert.group.items() if v is not None}
        return self.suppress(
            actor=actor,
            reason=reason,
            rule_id=stored.alert.rule_id,
            conditions=conditions,
            duration=duration,
        )

    def suppressions(self, *, include_removed: bool = False) -> list[dict[str, Any]]:
        """Every suppression with its hit count, newest first."""
        table = t.suppressions
        query = sa.select(table).order_by(table.c.id.desc())
        if not include_removed:
            query = query.where(table.c.removed_at.is_(None))
        now = self.clock.now()
        found = []
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                item = suppression_from_row(row)
                found.append(
                    {
                        "id": row.id,
                        "rule_id": row.rule_id,
                        "conditions": dict(item.conditions),
                        "reason": row.reason,
                        "created_by": row.created_by,
                        "created_at": item.created_at.isoformat().replace("+00:00", "Z"),
                        "until": item.until.isoformat().replace("+00:00", "Z")
                        if item.until
                        else None,
                        "active": row.removed_at is None and item.active(now),
                        "hits": row.hits,
                        "last_hit": from_micros(row.last_hit).isoformat().replace("+00:00", "Z")
                        if row.last_hit is not None
                        else None,
                    }
                )
        return found

    def unsuppress(self, suppression_id: int, *, actor: str, reason: str) -> None:
        """Remove a suppression (kept for the record) and audit it.

        Raises:
            InputError: If there is no such active suppression.
        """
        table = t.suppressions
        with self.engine.begin() as conn:
            done = conn.execute(
                table.update()
                .where(table.c.id == suppression_id, table.c.removed_at.is_(None))
                .values(removed_at=to_micros(self.clock.now()), removed_by=actor[:256])
            ).rowcount
            if not done:
                raise InputError(f"no active suppression {suppression_id}")
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="suppression.remove",
                target=f"suppression:{suppression_id}",
                details={"reason": reason},
            )
