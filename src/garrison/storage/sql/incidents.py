"""Incidents on SQLite and PostgreSQL: open, attach alerts, grade, move through phases.

Every change is one transaction that also writes the incident's timeline and the audit trail.
SLA deadlines are stored (so clocks survive restarts) and re-derived from the grade and the
milestones whenever either changes (:mod:`garrison.storage.sql.incident_clocks`).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock
from garrison.core.errors import InputError, NotFoundError
from garrison.incidents.assets import affected
from garrison.incidents.grading import Grade, check_category, grade_of
from garrison.incidents.model import Incident, Task, TimelineEntry
from garrison.incidents.phases import ENTERING, Phase, transition
from garrison.incidents.policy import TYPE_CATEGORY, entities
from garrison.incidents.policy import incident_type as _suggested_type
from garrison.incidents.sla import Milestone, SlaPolicy
from garrison.incidents.tasks import ROLES, TYPES, TaskTemplate, load_templates, plan
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.assets import load_assets
from garrison.storage.sql.codec import from_micros, to_micros
from garrison.storage.sql.incident_clocks import load_deadlines, sync_deadlines
from garrison.storage.sql.outbox import enqueue
from garrison.storage.sql.search import events_by_id

#: Milestones people mark by hand (the rest come from phase changes).
MARKS = (Milestone.REPORTED, Milestone.ESCALATED, Milestone.REPORT_FILED, Milestone.REVIEWED)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _incident(row: Any) -> Incident:
    stones = {Milestone(k): from_micros(v) for k, v in orjson.loads(row.milestones).items()}
    return Incident(
        id=row.id,
        title=row.title,
        type=row.type,
        category=row.category,
        subcategory=row.subcategory,
        grade=Grade(row.grade),
        computed_grade=Grade(row.computed_grade),
        grade_reason=row.grade_reason,
        importance=row.importance,
        loss=row.loss,
        impact=row.impact,
        phase=Phase(row.phase),
        entities=tuple(orjson.loads(row.entities)),
        assets=tuple(orjson.loads(row.assets)),
        milestones=stones,
        first_event_at=from_micros(row.first_event_at) if row.first_event_at else None,
        summary=row.summary,
        root_cause=row.root_cause,
        losses=row.losses,
        improvements=row.improvements,
        opened_by=row.opened_by,
        owner=row.owner,
        created_at=from_micros(row.created_at),
        updated_at=from_micros(row.updated_at),
    )


def _task(row: Any) -> Task:
    return Task(
        id=row.id,
        phase=Phase(row.phase),
        role=row.role,
        title_zh=row.title_zh,
        title_en=row.title_en,
        owner=row.owner,
        due=from_micros(row.due),
        done_at=from_micros(row.done_at) if row.done_at else None,
        done_by=row.done_by,
    )


class IncidentStore:
    """Opens, changes and reads incidents."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        sla: SlaPolicy | None = None,
        templates: dict[str, list[TaskTemplate]] | None = None,
    ) -> None:
        """Use ``engine`` and ``clock``; ``sla`` and ``templates`` default to the built-ins."""
        self.engine = engine
        self.clock = clock
        self.sla = sla or SlaPolicy()
        self.templates = templates or load_templates()

    # -- reading ---------------------------------------------------------------------------

    def get(self, incident_id: int) -> Incident:
        """One incident with its deadlines, alerts and tasks.

        Raises:
            NotFoundError: If there is none with this id.
        """
        with self.engine.connect() as conn:
            return self._get(conn, incident_id)

    def _get(self, conn: Connection, incident_id: int) -> Incident:
        row = conn.execute(sa.select(t.incidents).where(t.incidents.c.id == incident_id)).first()
        if row is None:
            raise NotFoundError(f"no incident {incident_id}", hint="see 'garrison incidents list'")
        alerts = conn.execute(
            sa.select(t.incident_alerts.c.alert_id)
            .where(t.incident_alerts.c.incident_id == incident_id)
            .order_by(t.incident_alerts.c.alert_id)
        ).scalars()
        tasks = conn.execute(
            sa.select(t.incident_tasks)
            .where(t.incident_tasks.c.incident_id == incident_id)
            .order_by(t.incident_tasks.c.due, t.incident_tasks.c.id)
        )
        return replace(
            _incident(row),
            deadlines=tuple(load_deadlines(conn, incident_id)),
            alert_ids=tuple(int(a) for a in alerts),
            tasks=tuple(_task(r) for r in tasks),
        )

    def list(self, *, open_only: bool = True, limit: int = 100) -> list[Incident]:
        """Incidents, most severe and newest first."""
        query = sa.select(t.incidents.c.id).order_by(t.incidents.c.grade, t.incidents.c.id.desc())
        if open_only:
            query = query.where(t.incidents.c.phase != Phase.CLOSED.value)
        with self.engine.connect() as conn:
            ids = list(conn.execute(query.limit(limit)).scalars())
            return [self._get(conn, int(i)) for i in ids]

    def timeline(self, incident_id: int) -> builtins.list[TimelineEntry]:
        """The incident's timeline, oldest first."""
        table = t.incident_timeline
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table)
                .where(table.c.incident_id == incident_id)
                .order_by(table.c.at, table.c.id)
            )
            return [
                TimelineEntry(from_micros(r.at), r.kind, r.actor, r.text, orjson.loads(r.data))
                for r in rows
            ]

    def incident_of(self, alert_id: int) -> int | None:
        """The incident an alert is attached to, if any."""
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(t.incident_alerts.c.incident_id).where(
                    t.incident_alerts.c.alert_id == alert_id
                )
            ).scalar()
        return int(found) if found is not None else None

    # -- writing helpers -------------------------------------------------------------------

    def _log(
        self,
        conn: Connection,
        incident_id: int,
        kind: str,
        actor: str,
        text: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            t.incident_timeline.insert().values(
                incident_id=incident_id,
                at=to_micros(self.clock.now()),
                kind=kind,
                actor=actor[:256],
                text=text,
                data=_json(data or {}),
            )
        )

    def _alert_rows(self, conn: Connection, alert_ids: Sequence[int]) -> builtins.list[Any]:
        rows = list(conn.execute(sa.select(t.alerts).where(t.alerts.c.id.in_(alert_ids))))
        missing = set(alert_ids) - {r.id for r in rows}
        if missing:
            raise NotFoundError(f"no alert {min(missing)}", hint="see 'garrison alerts list'")
        taken = conn.execute(
            sa.select(t.incident_alerts).where(t.incident_alerts.c.alert_id.in_(alert_ids))
        ).first()
        if taken is not None:
            raise InputError(
                f"alert {taken.alert_id} already belongs to incident {taken.incident_id}"
            )
        return rows

    def _entities(self, conn: Connection, rows: Iterable[Any]) -> tuple[set[str], set[str]]:
        attach: set[str] = set()
        scope: set[str] = set()
        for row in rows:
            # A few events show who acted and what was hit; all of them add nothing more.
            events = events_by_id(conn, orjson.loads(row.event_ids)[:20])
            a, s = entities(orjson.loads(row.grouping), events)
            attach |= a
            scope |= s
        return attach, scope

    def _attach_rows(
        self, conn: Connection, incident_id: int, rows: Sequence[Any], actor: str
    ) -> None:
        now = to_micros(self.clock.now())
        for row in rows:
            conn.execute(
                t.incident_alerts.insert().values(
                    alert_id=row.id, incident_id=incident_id, attached_at=now, attached_by=actor
                )
            )
            self._log(
                conn,
                incident_id,
                "alert",
                actor,
                row.title,
                {"alert_id": row.id, "level": row.level, "rule_id": row.rule_id},
            )

    # -- opening ---------------------------------------------------------------------------

    def open(
        self,
        title: str,
        *,
        actor: str,
        alert_ids: Sequence[int] = (),
        incident_type: str | None = None,
        category: str | None = None,
        subcategory: str | None = None,
        loss: str = "considerable",
        impact: str = "general",
        grade: Grade | None = None,
        grade_reason: str | None = None,
        summary: str | None = None,
    ) -> Incident:
        """Open an incident, optionally from alerts; grade it, plan its tasks, start clocks.

        The grade follows from the most important affected asset (found from the alerts'
        hosts and addresses) and the assessed loss and impact; a different ``grade`` needs a
        ``grade_reason``.

        Raises:
            InputError: On an empty title, unknown values, an alert already in an incident, or
                an overriding grade without a reason.
            NotFoundError: On an unknown alert.
        """
        title = title.strip()
        if not title or len(title) > 512:
            raise InputError("an incident needs a title of 1-512 characters")
        now = self.clock.now()
        with self.engine.begin() as conn:
            rows = self._alert_rows(conn, list(alert_ids)) if alert_ids else []
            attach, scope = self._entities(conn, rows)
            hit = affected(load_assets(conn), attach | scope)
            importance = hit[0].importance if hit else "general"
            computed = grade_of(importance, loss, impact)
            chosen = grade or computed
            if chosen is not computed and not (grade_reason or "").strip():
                raise InputError(
                    f"grade {chosen} differs from the computed grade {computed}: give a reason"
                )
            tags = [tag for r in rows for tag in orjson.loads(r.tags)]
            kind = incident_type or _suggested_type(tags)
            if kind not in TYPES:
                raise InputError(f"unknown incident type {kind!r}", hint=", ".join(TYPES))
            default_category, default_sub = TYPE_CATEGORY.get(kind, ("other", "other"))
            cat, sub = check_category(
                category or default_category, subcategory if category else default_sub
            )
            detected = min((from_micros(r.created_at) for r in rows), default=now)
            first_event = min((from_micros(r.first_seen) for r in rows), default=None)
            stones = {Milestone.DETECTED: detected, Milestone.OPENED: now}
            key = conn.execute(
                t.incidents.insert().values(
                    title=title,
                    type=kind,
                    category=cat,
                    subcategory=sub,
                    grade=chosen.value,
                    computed_grade=computed.value,
                    grade_reason=grade_reason if chosen is not computed else None,
                    importance=importance,
                    loss=loss,
                    impact=impact,
                    phase=Phase.TRIAGE.value,
                    entities=_json(sorted(attach | scope)),
                    assets=_json([a.name for a in hit]),
                    milestones=_json({m.value: to_micros(v) for m, v in stones.items()}),
                    first_event_at=to_micros(first_event) if first_event else None,
                    summary=summary,
                    opened_by=actor[:256],
                    created_at=to_micros(now),
                    updated_at=to_micros(now),
                )
            ).inserted_primary_key
            assert key is not None  # noqa: S101 - an insert always has one
            incident_id = int(key[0])
            self._log(
                conn,
                incident_id,
                "action",
                actor,
                "incident opened",
                {"grade": chosen.value, "type": kind, "assets": [a.name for a in hit]},
            )
            self._attach_rows(conn, incident_id, rows, actor)
            for task in plan(kind, now, self.templates):
                conn.execute(
                    t.incident_tasks.insert().values(
                        incident_id=incident_id,
                        phase=task.phase.value,
                        role=task.role,
                        title_zh=task.title_zh,
                        title_en=task.title_en,
                        due=to_micros(task.due),
                    )
                )
            sync_deadlines(conn, incident_id, chosen, stones, self.sla, now)
            enqueue(
                conn,
                self.clock,
                "incident.new",
                incident_id,
                {
                    "incident_id": f"INC-{incident_id}",
                    "title": title,
                    "grade": chosen.value,
                    "category": cat,
                },
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="incident.open",
                target=f"incident:{incident_id}",
                details={"grade": chosen.value, "alerts": list(alert_ids), "type": kind},
            )
            return self._get(conn, incident_id)

    def attach(self, incident_id: int, alert_ids: Sequence[int], *, actor: str) -> Incident:
        """Attach alerts to an open incident (its entities and assets grow; grade unchanged).

        Raises:
            InputError: If the incident is closed or an alert belongs to another incident.
        """
        with self.engine.begin() as conn:
            current = self._get(conn, incident_id)
            if not current.is_open:
                raise InputError(f"incident {incident_id} is closed")
            rows = self._alert_rows(conn, list(alert_ids))
            attach, scope = self._entities(conn, rows)
            known = set(current.entities) | attach | scope
            hit = affected(load_assets(conn), known)
            conn.execute(
                t.incidents.update()
                .where(t.incidents.c.id == incident_id)
                .values(
                    entities=_json(sorted(known)),
                    assets=_json([a.name for a in hit]),
                    updated_at=to_micros(self.clock.now()),
                )
            )
            self._attach_rows(conn, incident_id, rows, actor)
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="incident.attach",
                target=f"incident:{incident_id}",
                details={"alerts": list(alert_ids)},
            )
            return self._get(conn, incident_id)

    # -- changing --------------------------------------------------------------------------

    def _reach(
        self, conn: Connection, incident: Incident, milestone: Milestone, extra: dict[str, Any]
    ) -> None:
        now = self.clock.now()
        stones = dict(incident.milestones)
        stones.setdefault(milestone, now)
        conn.execute(
            t.incidents.update()
            .where(t.incidents.c.id == incident.id)
            .values(
                milestones=_json({m.value: to_micros(v) for m, v in stones.items()}),
                updated_at=to_micros(now),
                **extra,
            )
        )
        sync_deadlines(conn, incident.id, incident.grade, stones, self.sla, now)

    def transition(self, incident_id: int, target: Phase, *, actor: str, reason: str) -> Incident:
        """Move an incident to its next phase (invalid moves are refused).

        Raises:
            InputError: On an invalid transition or an empty reason.
        """
        if not reason.strip():
            raise InputError("a phase change needs a reason (it is audited)")
        with self.engine.begin() as conn:
            current = self._get(conn, incident_id)
            transition(current.phase, target)
            milestone = ENTERING.get(target)
            values = {"phase": target.value}
            if milestone is not None:
                self._reach(conn, current, milestone, values)
            else:
                conn.execute(
                    t.incidents.update()
                    .where(t.incidents.c.id == incident_id)
                    .values(updated_at=to_micros(self.clock.now()), **values)
                )
            self._log(
                conn, incident_id, "phase", actor, reason, {"from": current.phase, "to": target}
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="incident.transition",
                target=f"incident:{incident_id}",
                details={"from": current.phase.value, "to": target.value, "reason": reason},
            )
            return self._get(conn, incident_id)

    def mark(
        self, incident_id: int, milestone: Milestone, *, actor: str, note: str = ""
    ) -> Incident:
        """Record a milestone people reach by hand: reported, escalated, report filed, reviewed.

        Raises:
            InputError: For any other milestone.
        """
        if milestone not in MARKS:
            raise InputError(f"{milestone} is reached by a phase change", hint=", ".join(MARKS))
        with self.engine.begin() as conn:
            current = self._get(conn, incident_id)
            if milestone in current.milestones:
                raise InputError(
                    f"{milestone.value} was already recorded for incident {incident_id}"
                )
            self._reach(conn, current, milestone, {})
            self._log(
                conn, incident_id, "action", actor, note or milestone.value, {"mark": milestone}
            )
            if milestone is Milestone.ESCALATED:
                values: dict[str, Any] = {
                    "incident_id": f"INC-{incident_id}",
                    "title": current.title,
                    "grade": current.grade.value,
                    "who": "应急指挥部 / command group",
                }
                if note:
                    values["reason"] = note
                enqueue(conn, self.clock, "incident.escalated", incident_id, values)
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="incident.mark",
                target=f"incident:{incident_id}",
                details={"milestone": milestone.value, "note": note},
            )
            return self._get(conn, incident_id)

    def regrade(self, incident_id: int, grade: Grade, *, actor: str, reason: str) -> Incident:
        """Override the grade (audited); the clocks follow the new grade.

        Raises:
            InputError: Without a reason.
        """
        if not reason.strip():
            raise InputError("changing the grade needs a reason (it is audited)")
        with self.engine.begin() as conn:
            current = self._get(conn, incident_id)
            conn.execute(
                t.incidents.update()
                .where(t.incidents.c.id == incident_id)
                .values(
                    grade=grade.value,
                    grade_reason=reason if grade is not current.computed_grade else None,
                    updated_at=to_micros(self.clock.now()),
                )
            )
            sync_deadlines(conn, incident_id, grade, current.milestones, self.sla, self.clock.now())
            self._log(conn, incident_id, "action", actor, reason, {"grade": [current.grade, grade]})
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="incident.regrade",
                target=f"incident:{incident_id}",
                details={"from": current.grade.value, "to": grade.value, "reason": reason},
            )
            return self._get(conn, incident_id)

    def note(self, incident_id: int, text: str, *, actor: str) -> None:
        """Add a note to the timeline."""
        if not text.strip() or len(text) > 10_000:
            raise InputError("a note holds 1-10000 characters")
        with self.engine.begin() as conn:
            self._get(conn, incident_id)
            self._log(conn, incident_id, "note", actor, text)

    def add_task(
        self, incident_id: int, title: str, *, role: str, due: datetime, actor: str
    ) -> int:
        """Add a task to an open incident in its current phase (audited); return its id.

        Raises:
            NotFoundError: On an unknown incident.
            InputError: On an empty title, an unknown role or a closed incident.
        """
        title = title.strip()
        if not title or len(title) > 500:
            raise InputError("a task needs a title of 1-500 characters")
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", hint=", ".join(ROLES))
        with self.engine.begin() as conn:
            incident = self._get(conn, incident_id)
            if incident.phase is Phase.CLOSED:
                raise InputError(f"incident {incident_id} is closed")
            key = conn.execute(
                t.incident_tasks.insert().values(
                    incident_id=incident_id,
                    phase=incident.phase.value,
                    role=role,
                    title_zh=title,
                    title_en=title,
                    due=to_micros(due),
                )
            ).inserted_primary_key
            assert key is not None  # noqa: S101 - an insert always has one
            self._log(conn, incident_id, "action", actor, f"task added: {title}", {"role": role})
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="incident.task_add",
                target=f"incident:{incident_id}",
                details={"task": int(key[0]), "role": role},
            )
            return int(key[0])

    def assign_task(self, task_id: int, owner: str, *, actor: str) -> None:
        """Give a task an owner (audited); the owner is notified (``task.assigned``).

        Raises:
            NotFoundError: On an unknown task or user.
        """
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(t.incident_tasks).where(t.incident_tasks.c.id == task_id)
            ).first()
            if row is None:
                raise NotFoundError(f"no task {task_id}")
            user = conn.execute(sa.select(t.users.c.name).where(t.users.c.name == owner)).first()
            if user is None:
                raise NotFoundError(f"no user {owner!r}", hint="see 'garrison users list'")
            conn.execute(
                t.incident_tasks.update()
                .where(t.incident_tasks.c.id == task_id)
                .values(owner=owner)
            )
            self._log(
                conn,
                row.incident_id,
                "action",
                actor,
                f"{row.title_en} → {owner}",
                {"task": task_id},
            )
            incident_title = conn.execute(
                sa.select(t.incidents.c.title).where(t.incidents.c.id == row.incident_id)
            ).scalar_one()
            enqueue(
                conn,
                self.clock,
                "task.assigned",
                row.incident_id,
                {
                    "incident_id": f"INC-{row.incident_id}",
                    "title": incident_title,
                    "task": f"{row.title_zh} / {row.title_en}",
                    "who": owner,
                    "due": from_micros(row.due),
                    "$people": [owner],
                },
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="incident.task_assign",
                target=f"incident:{row.incident_id}",
                details={"task": task_id, "owner": owner},
            )

    def complete_task(self, task_id: int, *, actor: str) -> None:
        """Mark a task done (audited)."""
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(t.incident_tasks).where(t.incident_tasks.c.id == task_id)
            ).first()
            if row is None:
                raise NotFoundError(f"no task {task_id}")
            if row.done_at is not None:
                raise InputError(f"task {task_id} is already done", hint=f"by {row.done_by}")
            conn.execute(
                t.incident_tasks.update()
                .where(t.incident_tasks.c.id == task_id)
                .values(done_at=to_micros(self.clock.now()), done_by=actor[:256])
            )
            self._log(conn, row.incident_id, "action", actor, row.title_en, {"task": task_id})
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="incident.task_done",
                target=f"incident:{row.incident_id}",
                details={"task": task_id},
            )


def open_incidents_sharing(conn: Connection, wanted: set[str]) -> int | None:
    """The newest open incident sharing an attacker-side entity with ``wanted``."""
    if not wanted:
        return None
    rows = conn.execute(
        sa.select(t.incidents.c.id, t.incidents.c.entities)
        .where(t.incidents.c.phase != Phase.CLOSED.value)
        .order_by(t.incidents.c.id.desc())
    )
    for row in rows:
        if wanted & set(orjson.loads(row.entities)):
            return int(row.id)
    return None
