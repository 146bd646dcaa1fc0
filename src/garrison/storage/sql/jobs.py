"""Scheduled jobs in the database: the jobs, the leader lease, claims and the run history.

Several workers may share one database; the one holding the ``scheduler`` lease is the leader
and alone claims due jobs. A claim computes each due job's slots by its missed-run policy and,
in the same transaction, moves the job's ``next_run`` and ``last_slot`` on (only if no other
claimer moved them first) and writes a ``running`` history row per slot, so a slot is claimed
once and a crash after the claim leaves a row the next leader marks ``abandoned``.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal, get_args

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.core.clock import Clock
from garrison.core.errors import InputError, NotFoundError
from garrison.scheduler.jobs import JobSpec, catch_up, next_fire
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros

#: The lease whose holder runs the jobs.
LEADER = "scheduler"
#: Run statuses: claimed or running, finished well or not, let go by policy, lost in a crash.
RunStatus = Literal["running", "ok", "failed", "skipped", "abandoned"]
STATUSES: tuple[str, ...] = get_args(RunStatus)
#: Longest summary or error text kept per run.
MAX_TEXT = 4000
_HOLDER_CHARS = 128


@dataclass(frozen=True, slots=True)
class StoredJob:
    """A job with its schedule state.

    Attributes:
        spec: What runs and when.
        next_run: When it is next due (``None`` while disabled).
        last_slot: Watermark: slots at or before it were handled (run or skipped).
        created_by / created_at / updated_at: Bookkeeping.
    """

    spec: JobSpec
    next_run: datetime | None
    last_slot: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def name(self) -> str:
        """The job's name."""
        return self.spec.name

    def to_json(self) -> dict[str, Any]:
        """The API form."""
        return {
            **self.spec.to_json(),
            "next_run": _iso(self.next_run),
            "last_slot": _iso(self.last_slot),
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class JobRun:
    """One run (or skipped range) of a job.

    Attributes:
        id: Its id.
        job: The job's name.
        slot: The scheduled time it ran for (for ``skipped``: the last slot let go).
        started / finished / duration: Timing (``finished`` is ``None`` while running).
        status: One of :data:`STATUSES`.
        holder: The worker that ran it.
        summary / error: What happened, in one line each.
    """

    id: int
    job: str
    slot: datetime
    started: datetime
    finished: datetime | None
    duration: timedelta | None
    status: str
    holder: str
    summary: str | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        """The API form."""
        return {
            "id": self.id,
            "job": self.job,
            "slot": self.slot.isoformat(),
            "started": self.started.isoformat(),
            "finished": _iso(self.finished),
            "duration": self.duration.total_seconds() if self.duration is not None else None,
            "status": self.status,
            "holder": self.holder,
            "summary": self.summary,
            "error": self.error,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: int | None) -> datetime | None:
    return from_micros(value) if value is not None else None


def _job(row: Any) -> StoredJob:
    spec = JobSpec(
        name=row.name,
        kind=row.kind,
        cron=row.cron,
        args=orjson.loads(row.args),
        timezone=row.timezone,
        missed=row.missed,
        catch_up=int(row.catch_up),
        enabled=bool(row.enabled),
    )
    return StoredJob(
        spec=spec,
        next_run=_time(row.next_run),
        last_slot=_time(row.last_slot),
        created_by=row.created_by,
        created_at=from_micros(row.created_at),
        updated_at=from_micros(row.updated_at),
    )


def _run(row: Any) -> JobRun:
    return JobRun(
        id=int(row.id),
        job=row.job,
        slot=from_micros(row.slot),
        started=from_micros(row.started_at),
        finished=_time(row.finished_at),
        duration=timedelta(microseconds=row.duration) if row.duration is not None else None,
        status=row.status,
        holder=row.holder,
        summary=row.summary,
        error=row.error,
    )


def _check_lease(name: str, holder: str, ttl: timedelta | None = None) -> None:
    if not name or len(name) > 64:
        raise InputError("a lease name is 1-64 characters")
    if not holder or len(holder) > _HOLDER_CHARS:
        raise InputError(f"a lease holder is 1-{_HOLDER_CHARS} characters")
    if ttl is not None and ttl <= timedelta(0):
        raise InputError("a lease needs a positive time to live")


class JobStore:
    """Jobs, leases and run history on SQLite or PostgreSQL."""

    def __init__(
        self, engine: Engine, clock: Clock, *, zone: tzinfo = UTC, lease: str = LEADER
    ) -> None:
        """Use ``engine`` and ``clock``.

        Args:
            engine: The database.
            clock: The platform clock.
            zone: The site's zone (cron expressions of jobs without their own zone).
            lease: The lease a worker must hold to claim jobs.
        """
        self.engine = engine
        self.clock = clock
        self.zone = zone
        self.lease = lease

    # -- jobs -----------------------------------------------------------------------------

    def upsert(self, spec: JobSpec, *, actor: str) -> StoredJob:
        """Add a job, or replace the one of the same name; audited.

        A new or re-enabled job, or one whose schedule changed, starts counting slots from
        now (no catch-up of slots from before the change); other changes keep its state.
        """
        now = self.clock.now()
        table = t.jobs
        values: dict[str, Any] = {
            "kind": spec.kind,
            "cron": spec.cron,
            "args": orjson.dumps(spec.args).decode(),
            "timezone": spec.timezone,
            "missed": spec.missed,
            "catch_up": spec.catch_up,
            "enabled": spec.enabled,
            "updated_at": to_micros(now),
        }
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(table).where(table.c.name == spec.name).with_for_update()
            ).first()
            old = _job(row) if row is not None else None
            restart = (
                old is None
                or old.next_run is None
                or (old.spec.cron, old.spec.timezone) != (spec.cron, spec.timezone)
            )
            if not spec.enabled:
                values["next_run"] = None
            elif restart:
                values["next_run"] = to_micros(next_fire(spec, now, self.zone))
                values["last_slot"] = to_micros(now)
            if old is None:
                conn.execute(
                    table.insert().values(
                        name=spec.name, created_by=actor[:256], created_at=to_micros(now), **values
                    )
                )
            else:
                conn.execute(table.update().where(table.c.name == spec.name).values(**values))
            details = {**spec.to_json(), "args": sorted(spec.args)}
            self._audit(conn, actor, "job.update" if old else "job.add", spec.name, details)
        return self.get(spec.name)

    def list(self, *, enabled: bool | None = None) -> builtins.list[StoredJob]:
        """Every job, by name."""
        query = sa.select(t.jobs).order_by(t.jobs.c.name)
        if enabled is not None:
            query = query.where(t.jobs.c.enabled.is_(enabled))
        with self.engine.connect() as conn:
            return [_job(r) for r in conn.execute(query)]

    def get(self, name: str) -> StoredJob:
        """One job.

        Raises:
            NotFoundError: When there is none of this name.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.jobs).where(t.jobs.c.name == name)).first()
        if row is None:
            raise NotFoundError(f"no job {name[:64]!r}", hint="see 'garrison jobs list'")
        return _job(row)

    def enable(self, name: str, *, actor: str) -> StoredJob:
        """Schedule a job again from now (slots missed while disabled are not run)."""
        return self.upsert(replace(self.get(name).spec, enabled=True), actor=actor)

    def disable(self, name: str, *, actor: str) -> StoredJob:
        """Stop scheduling a job (it stays listed, with its history)."""
        return self.upsert(replace(self.get(name).spec, enabled=False), actor=actor)

    def remove(self, name: str, *, actor: str) -> None:
        """Remove a job (its history stays); audited.

        Raises:
            NotFoundError: When there is none of this name.
        """
        with self.engine.begin() as conn:
            if not conn.execute(t.jobs.delete().where(t.jobs.c.name == name)).rowcount:
                raise NotFoundError(f"no job {name[:64]!r}")
            self._audit(conn, actor, "job.remove", name, {})

    def _audit(
        self, conn: Connection, actor: str, action: str, name: str, details: dict[str, Any]
    ) -> None:
        audit.append(
            conn, self.clock, actor=actor, action=action, target=f"job:{name}", details=details
        )

    # -- leases ---------------------------------------------------------------------------

    def acquire(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Take the lease ``name`` for ``ttl``, or extend it if ``holder`` has it already.

        One statement takes a free, expired or own lease; a missing lease row is inserted, and
        of two workers inserting it at once the primary key lets exactly one win.

        Returns:
            Whether ``holder`` holds the lease now.
        """
        _check_lease(name, holder, ttl)
        now = to_micros(self.clock.now())
        table = t.leases
        with self.engine.begin() as conn:
            taken = conn.execute(
                table.update()
                .where(table.c.name == name)
                .where(sa.or_(table.c.holder == holder, table.c.until < now))
                .values(
                    holder=holder,
                    until=now + ttl // timedelta(microseconds=1),
                    # Set from the old row: a renewal keeps when the holder first took it.
                    acquired_at=sa.case((table.c.holder == holder, table.c.acquired_at), else_=now),
                )
            ).rowcount
        if taken:
            return True
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    table.insert().values(
                        name=name,
                        holder=holder,
                        acquired_at=now,
                        until=now + ttl // timedelta(microseconds=1),
                    )
                )
        except sa.exc.IntegrityError:
            return False  # someone else holds it, or inserted it a moment ago
        return True

    def renew(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Extend a lease ``holder`` still has (nobody took it over); ``False`` otherwise."""
        _check_lease(name, holder, ttl)
        now = to_micros(self.clock.now())
        table = t.leases
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    table.update()
                    .where(table.c.name == name)
                    .where(table.c.holder == holder)
                    .values(until=now + ttl // timedelta(microseconds=1))
                ).rowcount
            )

    def release(self, name: str, holder: str) -> bool:
        """Give the lease up (on shutdown) so another worker takes over at once."""
        _check_lease(name, holder)
        table = t.leases
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    table.delete().where(table.c.name == name).where(table.c.holder == holder)
                ).rowcount
            )

    def holder(self, name: str) -> str | None:
        """Who holds the lease ``name`` now (``None``: nobody, or it expired)."""
        now = to_micros(self.clock.now())
        table = t.leases
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(table.c.holder).where(table.c.name == name).where(table.c.until >= now)
            ).scalar_one_or_none()
        return str(value) if value is not None else None

    # -- claims ---------------------------------------------------------------------------

    def claim_due(
        self, now: datetime, holder: str
    ) -> builtins.list[tuple[StoredJob, builtins.list[datetime]]]:
        """Claim every due job's slots; only the holder of the leader lease gets any.

        In one transaction: the lease row is locked (a takeover waits for the claim), running
        rows of workers that hold no lease any more become ``abandoned``, and each due job is
        moved on from the ``next_run`` read (a concurrent claimer moves it first or not at all),
        with a ``running`` row per slot to run and one ``skipped`` row for the slots let go.

        Returns:
            ``(job, slots)`` pairs, slots oldest first; run each with :meth:`start_run`.
        """
        _check_lease(self.lease, holder)
        at = to_micros(now)
        table = t.jobs
        claims: builtins.list[tuple[StoredJob, builtins.list[datetime]]] = []
        with self.engine.begin() as conn:
            lease = conn.execute(
                sa.select(t.leases).where(t.leases.c.name == self.lease).with_for_update()
            ).first()
            if lease is None or lease.holder != holder or lease.until < at:
                return []
            self._abandon(conn, holder, at)
            rows = conn.execute(
                sa.select(table)
                .where(table.c.enabled.is_(True))
                .where(table.c.next_run.is_not(None))
                .where(table.c.next_run <= at)
                .order_by(table.c.next_run, table.c.name)
            ).all()
            for row in rows:
                claim = self._claim_one(conn, row, now, holder)
                if claim is not None:
                    claims.append(claim)
        return claims

    def _claim_one(
        self, conn: Connection, row: Any, now: datetime, holder: str
    ) -> tuple[StoredJob, builtins.list[datetime]] | None:
        at = to_micros(now)
        try:
            job = _job(row)
            mark = job.last_slot or job.created_at
            plan = catch_up(job.spec, mark, now, self.zone)
            following = next_fire(job.spec, now, self.zone)
        except InputError as exc:
            # A stored job that cannot be scheduled any more (edited by hand, a zone gone from
            # the system): unschedule it, visibly, rather than fail every claim.
            if self._move(conn, row, None, row.last_slot):
                self._insert_run(conn, row.name, now, holder, at, "failed", None, exc.message)
            return None
        watermark = plan.latest or mark
        if not self._move(conn, row, to_micros(following), to_micros(watermark)):
            return None  # another claimer took this job
        if plan.skipped is not None:
            first, last = plan.skipped
            note = (
                f"missed slots {first.isoformat()} to {last.isoformat()} not run "
                f"(missed-run policy {job.spec.missed!r})"
            )
            self._insert_run(conn, job.name, last, holder, at, "skipped", note)
        for slot in plan.run:
            self._insert_run(conn, job.name, slot, holder, at, "running", None)
        return replace(job, next_run=following, last_slot=watermark), list(plan.run)

    @staticmethod
    def _move(conn: Connection, row: Any, next_run: int | None, last_slot: int | None) -> bool:
        """Move a job on from the ``next_run`` read; ``False`` if another claimer did first."""
        table = t.jobs
        return bool(
            conn.execute(
                table.update()
                .where(table.c.id == row.id)
                .where(table.c.next_run == row.next_run)
                .values(next_run=next_run, last_slot=last_slot)
            ).rowcount
        )

    def _abandon(self, conn: Connection, holder: str, at: int) -> int:
        """Mark ``running`` rows of workers without a live lease as ``abandoned``."""
        runs = t.job_runs
        live = sa.select(t.leases.c.holder).where(t.leases.c.until >= at)
        return int(
            conn.execute(
                runs.update()
                .where(runs.c.status == "running")
                .where(runs.c.holder != holder)
                .where(runs.c.holder.not_in(live))
                .values(
                    status="abandoned",
                    finished_at=at,
                    error="the worker running it stopped (its lease expired)",
                )
            ).rowcount
        )

    # -- history --------------------------------------------------------------------------

    def _insert_run(
        self,
        conn: Connection,
        job: str,
        slot: datetime,
        holder: str,
        at: int,
        status: str,
        summary: str | None,
        error: str | None = None,
    ) -> int:
        done = at if status != "running" else None
        key = conn.execute(
            t.job_runs.insert().values(
                job=job,
                slot=to_micros(slot),
                started_at=at,
                finished_at=done,
                duration=0 if done is not None else None,
                status=status,
                holder=holder[:_HOLDER_CHARS],
                summary=summary,
                error=error,
            )
        ).inserted_primary_key
        assert key is not None  # noqa: S101 - an insert always has one
        return int(key[0])

    def start_run(self, job: str, slot: datetime, *, holder: str) -> int:
        """Start the run of ``job`` for ``slot``: the claimed row, or a new one (a manual run).

        Raises:
            InputError: When this slot of the job was run (or let go) already.
            NotFoundError: For a manual run of a job that does not exist.
        """
        _check_lease(self.lease, holder)
        at = to_micros(self.clock.now())
        runs = t.job_runs
        try:
            with self.engine.begin() as conn:
                row = conn.execute(
                    sa.select(runs)
                    .where(runs.c.job == job)
                    .where(runs.c.slot == to_micros(slot))
                    .with_for_update()
                ).first()
                if row is not None:
                    if row.status != "running" or row.holder != holder:
                        raise InputError(
                            f"job {job!r} slot {slot.isoformat()} was handled already "
                            f"(run {row.id}: {row.status})"
                        )
                    conn.execute(runs.update().where(runs.c.id == row.id).values(started_at=at))
                    return int(row.id)
                if conn.execute(sa.select(t.jobs.c.id).where(t.jobs.c.name == job)).first() is None:
                    raise NotFoundError(f"no job {job[:64]!r}")
                return self._insert_run(conn, job, slot, holder, at, "running", None)
        except sa.exc.IntegrityError:
            raise InputError(f"job {job!r} slot {slot.isoformat()} is being run already") from None

    def finish_run(
        self,
        run_id: int,
        ok: bool,
        *,
        summary: str | None = None,
        error: str | None = None,
        duration: timedelta | None = None,
    ) -> JobRun:
        """Record how a run ended (also for one marked ``abandoned`` that finished after all).

        Raises:
            NotFoundError: When there is no such run.
            InputError: When it finished already.
        """
        now = to_micros(self.clock.now())
        runs = t.job_runs
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(runs).where(runs.c.id == run_id).with_for_update()).first()
            if row is None:
                raise NotFoundError(f"no job run {run_id}")
            if row.status not in ("running", "abandoned"):
                raise InputError(f"job run {run_id} finished already ({row.status})")
            took = (
                duration // timedelta(microseconds=1)
                if duration is not None
                else max(0, now - row.started_at)
            )
            conn.execute(
                runs.update()
                .where(runs.c.id == run_id)
                .values(
                    status="ok" if ok else "failed",
                    finished_at=now,
                    duration=took,
                    summary=summary[:MAX_TEXT] if summary is not None else None,
                    error=error[:MAX_TEXT] if error is not None else None,
                )
            )
        return self.run(run_id)

    def run(self, run_id: int) -> JobRun:
        """One run.

        Raises:
            NotFoundError: When there is no such run.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.job_runs).where(t.job_runs.c.id == run_id)).first()
        if row is None:
            raise NotFoundError(f"no job run {run_id}")
        return _run(row)

    def history(
        self,
        job: str | None = None,
        limit: int = 50,
        *,
        status: str | None = None,
        before: int | None = None,
    ) -> builtins.list[JobRun]:
        """Runs, newest first; ``before`` (a run id) pages back."""
        runs = t.job_runs
        query = sa.select(runs).order_by(runs.c.id.desc()).limit(max(1, min(limit, 1000)))
        if job is not None:
            query = query.where(runs.c.job == job)
        if status is not None:
            query = query.where(runs.c.status == status)
        if before is not None:
            query = query.where(runs.c.id < before)
        with self.engine.connect() as conn:
            return [_run(r) for r in conn.execute(query)]

    def last_runs(self) -> dict[str, JobRun]:
        """The newest run of each job that has run, by job name (one query)."""
        runs = t.job_runs
        newest = sa.select(sa.func.max(runs.c.id)).group_by(runs.c.job).scalar_subquery()
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(runs).where(runs.c.id.in_(newest)))
            return {row.job: _run(row) for row in rows}

    def prune_history(self, keep_days: int) -> int:
        """Delete finished runs that started more than ``keep_days`` ago; return how many."""
        if keep_days < 1:
            raise InputError("keep at least one day of job history")
        cutoff = to_micros(self.clock.now() - timedelta(days=keep_days))
        runs = t.job_runs
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    runs.delete()
                    .where(runs.c.started_at < cutoff)
                    .where(runs.c.status != "running")
                ).rowcount
            )
