"""Playbook runs in the database: the queue, the journal of steps, approvals, decisions.

Runs are claimed with a lease (``owner``, ``lease_until``): a worker that dies leaves its
lease to expire and the next worker picks the run up where the journal says it stopped.
Every state change is audited.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock
from garrison.core.errors import ForbiddenError, InputError, NotFoundError
from garrison.respond.runs import (
    ApprovalRecord,
    ApprovalStatus,
    Decision,
    RunRecord,
    StepRecord,
)
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.alerts import _alert
from garrison.storage.sql.codec import from_micros, to_micros

ACTIVE = ("running", "waiting")


def _dump(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def _load(text: str | None) -> Any:
    return orjson.loads(text) if text else None


def _time(value: int | None) -> datetime | None:
    return from_micros(value) if value is not None else None


def _micros(value: datetime | None) -> int | None:
    return to_micros(value) if value is not None else None


def _run(row: Any) -> RunRecord:
    return RunRecord(
        id=int(row.id),
        playbook=row.playbook,
        revision=row.revision,
        trigger=row.trigger,
        subject=row.subject,
        status=row.status,
        dry_run=bool(row.dry_run),
        inputs=_load(row.inputs) or {},
        context=_load(row.context) or {},
        created_by=row.created_by,
        created_at=from_micros(row.created_at),
        started_at=_time(row.started_at),
        finished_at=_time(row.finished_at),
        wake_at=_time(row.wake_at),
        error=row.error,
    )


def _step(row: Any) -> StepRecord:
    return StepRecord(
        step=row.step,
        item=int(row.item),
        kind=row.kind,
        action=row.action,
        status=row.status,
        attempts=int(row.attempts),
        args=_load(row.args),
        output=_load(row.output),
        effects=_load(row.effects) or [],
        undo=_load(row.undo),
        error=row.error,
        started_at=_time(row.started_at),
        finished_at=_time(row.finished_at),
    )


class RunStore:
    """Playbook runs (see the module docstring); implements the engine's ``Journal``."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    # -- runs ---------------------------------------------------------------------------------

    def create(
        self,
        playbook: str,
        revision: str,
        *,
        trigger: str,
        subject: str | None,
        dry_run: bool,
        inputs: Mapping[str, Any],
        context: Mapping[str, Any],
        created_by: str,
        dedupe: str | None = None,
    ) -> RunRecord | None:
        """Queue a run; ``None`` when ``dedupe`` says this subject already started one."""
        now = self.clock.now()
        table = t.playbook_runs
        try:
            with self.engine.begin() as conn:
                key = conn.execute(
                    table.insert().values(
                        playbook=playbook,
                        revision=revision,
                        trigger=trigger,
                        subject=subject,
                        dedupe=dedupe,
                        status="pending",
                        dry_run=dry_run,
                        inputs=_dump(dict(inputs)),
                        context=_dump(dict(context)),
                        created_by=created_by[:256],
                        created_at=to_micros(now),
                        wake_at=to_micros(now),
                    )
                ).inserted_primary_key
                assert key is not None  # noqa: S101 - an insert always has one
                run_id = int(key[0])
                audit.append(
                    conn,
                    self.clock,
                    actor=created_by,
                    action="playbook.run",
                    target=f"run:{run_id}",
                    details={
                        "playbook": playbook,
                        "trigger": trigger,
                        "subject": subject,
                        "dry_run": dry_run,
                    },
                )
                return self._get(conn, run_id)
        except sa.exc.IntegrityError:
            if dedupe is None:
                raise
            return None

    def _get(self, conn: Connection, run_id: int) -> RunRecord:
        row = conn.execute(sa.select(t.playbook_runs).where(t.playbook_runs.c.id == run_id)).first()
        if row is None:
            raise NotFoundError(f"no playbook run {run_id}")
        return _run(row)

    def get(self, run_id: int) -> RunRecord:
        """One run.

        Raises:
            NotFoundError: If there is none.
        """
        with self.engine.connect() as conn:
            return self._get(conn, run_id)

    def list(
        self,
        *,
        playbook: str | None = None,
        status: str | None = None,
        limit: int = 100,
        before: int | None = None,
    ) -> builtins.list[RunRecord]:
        """Runs, newest first."""
        table = t.playbook_runs
        query = sa.select(table).order_by(table.c.id.desc()).limit(max(1, min(limit, 1000)))
        if playbook:
            query = query.where(table.c.playbook == playbook)
        if status:
            query = query.where(table.c.status == status)
        if before:
            query = query.where(table.c.id < before)
        with self.engine.connect() as conn:
            return [_run(r) for r in conn.execute(query)]

    def active_counts(self) -> dict[str, int]:
        """Running or waiting runs per playbook."""
        table = t.playbook_runs
        query = (
            sa.select(table.c.playbook, sa.func.count())
            .where(table.c.status.in_(ACTIVE))
            .group_by(table.c.playbook)
        )
        with self.engine.connect() as conn:
            return {row[0]: int(row[1]) for row in conn.execute(query)}

    def claim(
        self, owner: str, *, limits: Mapping[str, int], lease: timedelta, batch: int = 20
    ) -> builtins.list[RunRecord]:
        """Runs due now that no live worker holds, leased to ``owner``.

        A pending run of a playbook already at its concurrency limit stays queued. A run
        whose lease expired (its worker died) is claimed again.
        """
        now = to_micros(self.clock.now())
        until = to_micros(self.clock.now() + lease)
        table = t.playbook_runs
        query = (
            sa.select(table.c.id, table.c.playbook, table.c.status)
            .where(table.c.status.in_(("pending", *ACTIVE)))
            .where(sa.or_(table.c.wake_at.is_(None), table.c.wake_at <= now))
            .where(sa.or_(table.c.lease_until.is_(None), table.c.lease_until < now))
            .order_by(table.c.id)
            .limit(batch * 5)
        )
        claimed: builtins.list[RunRecord] = []
        active = self.active_counts()
        with self.engine.connect() as conn:
            candidates = builtins.list(conn.execute(query))
        for row in candidates:
            if len(claimed) >= batch:
                break
            if row.status == "pending":
                limit = limits.get(row.playbook)
                if limit is not None and active.get(row.playbook, 0) >= limit:
                    continue
            with self.engine.begin() as conn:
                got = conn.execute(
                    table.update()
                    .where(table.c.id == row.id)
                    .where(sa.or_(table.c.lease_until.is_(None), table.c.lease_until < now))
                    .values(owner=owner[:64], lease_until=until)
                ).rowcount
                if got:
                    if row.status == "pending":
                        active[row.playbook] = active.get(row.playbook, 0) + 1
                    claimed.append(self._get(conn, row.id))
        return claimed

    def claim_one(self, run_id: int, owner: str, *, lease: timedelta) -> builtins.list[RunRecord]:
        """Lease one unfinished run now, whatever its wake time (``[]`` when held)."""
        return _claim_one(self, run_id, owner, lease)

    def release(self, run_id: int, owner: str) -> None:
        """Give up the lease of a run."""
        table = t.playbook_runs
        with self.engine.begin() as conn:
            conn.execute(
                table.update()
                .where(table.c.id == run_id)
                .where(table.c.owner == owner[:64])
                .values(owner=None, lease_until=None)
            )

    def update_run(self, run: RunRecord) -> None:
        """Store a run's status, times and error (audited when it finishes)."""
        table = t.playbook_runs
        with self.engine.begin() as conn:
            before = conn.execute(sa.select(table.c.status).where(table.c.id == run.id)).scalar()
            conn.execute(
                table.update()
                .where(table.c.id == run.id)
                .values(
                    status=run.status,
                    started_at=_micros(run.started_at),
                    finished_at=_micros(run.finished_at),
                    wake_at=_micros(run.wake_at),
                    error=run.error,
                )
            )
            if run.finished and before != run.status:
                audit.append(
                    conn,
                    self.clock,
                    actor=f"playbook:{run.playbook}",
                    action=f"playbook.{run.status}",
                    target=f"run:{run.id}",
                    details={"error": run.error} if run.error else {},
                )

    def cancel(self, run_id: int, *, actor: str, reason: str) -> RunRecord:
        """Cancel an unfinished run (its waiting approvals end too).

        Raises:
            NotFoundError: If there is no such run.
            InputError: If it has already finished.
        """
        now = to_micros(self.clock.now())
        with self.engine.begin() as conn:
            run = self._get(conn, run_id)
            if run.finished:
                raise InputError(f"run {run_id} has already {run.status}")
            conn.execute(
                t.playbook_runs.update()
                .where(t.playbook_runs.c.id == run_id)
                .values(status="cancelled", finished_at=now, wake_at=None, error=reason[:2000])
            )
            conn.execute(
                t.playbook_approvals.update()
                .where(t.playbook_approvals.c.run_id == run_id)
                .where(t.playbook_approvals.c.status == "waiting")
                .values(status="cancelled", decided_at=now)
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="playbook.cancel",
                target=f"run:{run_id}",
                details={"reason": reason},
            )
            return self._get(conn, run_id)

    # -- the journal ---------------------------------------------------------------------------

    def steps(self, run_id: int) -> builtins.list[StepRecord]:
        """Every step record of a run, in the order first saved."""
        table = t.playbook_steps
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table).where(table.c.run_id == run_id).order_by(table.c.id)
            )
            return [_step(r) for r in rows]

    def save_step(self, run_id: int, record: StepRecord) -> None:
        """Insert or replace the record of ``(step, item)``."""
        table = t.playbook_steps
        values = {
            "kind": record.kind,
            "action": record.action,
            "status": record.status,
            "attempts": record.attempts,
            "args": _dump(record.args) if record.args is not None else None,
            "output": _dump(record.output) if record.output is not None else None,
            "effects": _dump(record.effects),
            "undo": _dump(record.undo) if record.undo is not None else None,
            "error": record.error,
            "started_at": _micros(record.started_at),
            "finished_at": _micros(record.finished_at),
        }
        with self.engine.begin() as conn:
            done = conn.execute(
                table.update()
                .where(table.c.run_id == run_id)
                .where(table.c.step == record.step)
                .where(table.c.item == record.item)
                .values(**values)
            ).rowcount
            if not done:
                conn.execute(
                    table.insert().values(
                        run_id=run_id, step=record.step, item=record.item, **values
                    )
                )
            if record.wake_at is not None:
                conn.execute(
                    t.playbook_runs.update()
                    .where(t.playbook_runs.c.id == run_id)
                    .values(wake_at=to_micros(record.wake_at))
                )

    # -- approvals -----------------------------------------------------------------------------

    def _approval(self, conn: Connection, row: Any) -> ApprovalRecord:
        decisions = conn.execute(
            sa.select(t.playbook_decisions)
            .where(t.playbook_decisions.c.approval_id == row.id)
            .order_by(t.playbook_decisions.c.id)
        )
        return ApprovalRecord(
            id=int(row.id),
            run_id=int(row.run_id),
            step=row.step,
            status=row.status,
            required=int(row.required),
            approvers=_load(row.approvers) or {},
            message=row.message,
            on_timeout=row.on_timeout,
            requested_at=from_micros(row.requested_at),
            due_at=from_micros(row.due_at),
            decided_at=_time(row.decided_at),
            decisions=tuple(
                Decision(d.actor, d.decision, d.comment, from_micros(d.decided_at))
                for d in decisions
            ),
        )

    def approval(self, run_id: int, step: str) -> ApprovalRecord | None:
        """The approval of a step, if requested."""
        table = t.playbook_approvals
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(table).where(table.c.run_id == run_id).where(table.c.step == step)
            ).first()
            return self._approval(conn, row) if row is not None else None

    def approval_by_id(self, approval_id: int) -> ApprovalRecord:
        """One approval.

        Raises:
            NotFoundError: If there is none.
        """
        table = t.playbook_approvals
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(table).where(table.c.id == approval_id)).first()
            if row is None:
                raise NotFoundError(f"no approval {approval_id}")
            return self._approval(conn, row)

    def approvals(
        self, *, status: str | None = "waiting", limit: int = 100
    ) -> builtins.list[ApprovalRecord]:
        """Approvals (the inbox: waiting ones), oldest deadline first."""
        table = t.playbook_approvals
        query = sa.select(table).order_by(table.c.due_at).limit(max(1, min(limit, 1000)))
        if status:
            query = query.where(table.c.status == status)
        with self.engine.connect() as conn:
            return [self._approval(conn, r) for r in conn.execute(query)]

    def request_approval(
        self,
        run_id: int,
        step: str,
        *,
        required: int,
        approvers: dict[str, builtins.list[str]],
        message: str,
        on_timeout: str,
        due_at: datetime,
    ) -> ApprovalRecord:
        """Open an approval (an existing one is returned); notifies the approvers' roles."""
        found = self.approval(run_id, step)
        if found is not None:
            return found
        table = t.playbook_approvals
        with self.engine.begin() as conn:
            conn.execute(
                table.insert().values(
                    run_id=run_id,
                    step=step,
                    status="waiting",
                    required=required,
                    approvers=_dump(approvers),
                    message=message,
                    on_timeout=on_timeout,
                    requested_at=to_micros(self.clock.now()),
                    due_at=to_micros(due_at),
                )
            )
            audit.append(
                conn,
                self.clock,
                actor="playbook",
                action="playbook.approval.request",
                target=f"run:{run_id}",
                details={"step": step, "required": required, "approvers": approvers},
            )
        found = self.approval(run_id, step)
        assert found is not None  # noqa: S101 - inserted above
        return found

    def close_approval(self, approval_id: int, status: ApprovalStatus) -> None:
        """End an approval that timed out or whose run ended."""
        table = t.playbook_approvals
        with self.engine.begin() as conn:
            conn.execute(
                table.update()
                .where(table.c.id == approval_id)
                .where(table.c.status == "waiting")
                .values(status=status, decided_at=to_micros(self.clock.now()))
            )

    def decide(
        self,
        approval_id: int,
        *,
        actor: str,
        roles: builtins.list[str],
        decision: Literal["approve", "reject"],
        comment: str = "",
    ) -> ApprovalRecord:
        """Record one person's decision; wake the run so it goes on at once.

        Args:
            approval_id: The approval.
            actor: Who decides (a user name).
            roles: The roles that person holds (checked against the approvers).
            decision: ``approve`` or ``reject``.
            comment: Why.

        Raises:
            NotFoundError: If there is no such approval.
            InputError: If it is no longer waiting, or this person already decided.
            ForbiddenError: If this person may not decide it.
        """
        now = self.clock.now()
        table = t.playbook_approvals
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(table).where(table.c.id == approval_id)).first()
            if row is None:
                raise NotFoundError(f"no approval {approval_id}")
            record = self._approval(conn, row)
            if record.status != "waiting":
                raise InputError(f"approval {approval_id} is {record.status}, not waiting")
            if now >= record.due_at:
                raise InputError(f"approval {approval_id} passed its deadline")
            if not record.allows(actor, roles):
                raise ForbiddenError(f"{actor} may not decide approval {approval_id}")
            if any(d.actor == actor for d in record.decisions):
                raise InputError(f"{actor} already decided approval {approval_id}")
            conn.execute(
                t.playbook_decisions.insert().values(
                    approval_id=approval_id,
                    actor=actor[:256],
                    decision=decision,
                    comment=comment[:2000],
                    decided_at=to_micros(now),
                )
            )
            approved = sum(1 for d in record.decisions if d.decision == "approve") + (
                decision == "approve"
            )
            status: ApprovalStatus = record.status
            if decision == "reject":
                status = "rejected"
            elif approved >= record.required:
                status = "approved"
            if status != "waiting":
                conn.execute(
                    table.update()
                    .where(table.c.id == approval_id)
                    .values(status=status, decided_at=to_micros(now))
                )
            conn.execute(
                t.playbook_runs.update()
                .where(t.playbook_runs.c.id == record.run_id)
                .where(t.playbook_runs.c.status == "waiting")
                .values(wake_at=to_micros(now))
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action=f"playbook.approval.{decision}",
                target=f"run:{record.run_id}",
                details={"approval": approval_id, "step": record.step, "comment": comment},
            )
            row = conn.execute(sa.select(table).where(table.c.id == approval_id)).first()
            return self._approval(conn, row)


class TriggerFeed:
    """New alerts and incidents for playbook triggers, read past a stored cursor."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def cursor(self, name: str) -> int | None:
        """The last id handled for ``name`` (``None`` before the first pass)."""
        table = t.response_cursors
        with self.engine.connect() as conn:
            value = conn.execute(sa.select(table.c.value).where(table.c.name == name)).scalar()
        return int(value) if value is not None else None

    def advance(self, name: str, old: int | None, new: int) -> bool:
        """Move the cursor from ``old`` to ``new``; ``False`` when another worker moved it."""
        table = t.response_cursors
        try:
            with self.engine.begin() as conn:
                if old is None:
                    conn.execute(table.insert().values(name=name, value=new))
                    return True
                return bool(
                    conn.execute(
                        table.update()
                        .where(table.c.name == name)
                        .where(table.c.value == old)
                        .values(value=new)
                    ).rowcount
                )
        except sa.exc.IntegrityError:
            return False

    def alerts_after(self, after: int, since: datetime, limit: int = 500) -> builtins.list[Any]:
        """Alerts with an id above ``after`` created at or after ``since``, oldest first."""
        table = t.alerts
        query = (
            sa.select(table)
            .where(table.c.id > after)
            .where(table.c.created_at >= to_micros(since))
            .order_by(table.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_alert(row) for row in conn.execute(query)]

    def max_alert_id(self) -> int:
        """The highest alert id (0 when there is none)."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(t.alerts.c.id))).scalar() or 0)

    def incidents_after(self, after: int, since: datetime, limit: int = 200) -> builtins.list[int]:
        """Ids of incidents above ``after`` opened at or after ``since``, oldest first."""
        table = t.incidents
        query = (
            sa.select(table.c.id)
            .where(table.c.id > after)
            .where(table.c.created_at >= to_micros(since))
            .order_by(table.c.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [int(r[0]) for r in conn.execute(query)]


def _claim_one(store: RunStore, run_id: int, owner: str, lease: timedelta) -> list[RunRecord]:
    """Lease one unfinished run to ``owner`` if no live worker holds it (``[]`` otherwise)."""
    now = to_micros(store.clock.now())
    table = t.playbook_runs
    with store.engine.begin() as conn:
        got = conn.execute(
            table.update()
            .where(table.c.id == run_id)
            .where(table.c.status.in_(("pending", *ACTIVE)))
            .where(sa.or_(table.c.lease_until.is_(None), table.c.lease_until < now))
            .values(owner=owner[:64], lease_until=to_micros(store.clock.now() + lease))
        ).rowcount
        return [store._get(conn, run_id)] if got else []
