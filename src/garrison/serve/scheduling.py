"""The worker's scheduler: the leader runs due jobs; every run leaves a history row.

Any number of ``garrison serve`` processes may share one database. Each tick, a process tries
to take (or keep) the leader lease; only the leader claims due jobs and runs them, so a job
runs once whatever the number of workers (``docs/scheduler.md``). While a long job runs, the
loop keeps renewing the lease from the event loop, so a slow retention run does not hand the
lead to another worker halfway.

Jobs come from three places: the built-in ones (:data:`BUILTIN`, added once so that users may
change or disable them), playbooks with a ``trigger.schedule`` (one ``playbook.<id>`` job each,
kept in step with the playbook files), and the jobs users add (``garrison jobs add``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from dataclasses import replace
from datetime import datetime, timedelta

from garrison.automation import Automation
from garrison.compliance import Compliance
from garrison.core.errors import GarrisonError, InputError, NotFoundError
from garrison.platform import Platform
from garrison.scheduler.jobs import JobSpec
from garrison.serve.jobkinds import Services, kind_of
from garrison.storage.sql.jobs import LEADER, JobRun, StoredJob

log = logging.getLogger(__name__)

#: How long a leader's lease lasts without renewal; another worker takes over after it.
LEASE_TTL = timedelta(seconds=60)
#: Prefix of the jobs that playbooks' ``trigger.schedule`` keep.
PLAYBOOK_PREFIX = "playbook."
#: Jobs every installation has; added once, then the user's to change, disable or remove.
BUILTIN: tuple[JobSpec, ...] = (
    # Scan targets carry their own schedules inside the scan window; this job runs them.
    JobSpec("scans", "scans", "* * * * *", missed="skip"),
    JobSpec("housekeeping", "housekeeping", "15 3 * * *"),
    # Off until enabled: deleting events is a decision ("garrison jobs enable retention").
    JobSpec("retention", "retention", "30 3 * * *", enabled=False),
)


def worker_id() -> str:
    """A name unique to this process and start: host, pid and a random part."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{secrets.token_hex(4)}"


class Scheduler:
    """Runs due jobs when this process is the leader."""

    def __init__(
        self,
        platform: Platform,
        *,
        automation: Automation | None = None,
        compliance: Compliance | None = None,
        holder: str | None = None,
        ttl: timedelta = LEASE_TTL,
    ) -> None:
        """Wire the scheduler to ``platform``.

        Args:
            platform: The platform.
            automation: The response service (a new one by default).
            compliance: The compliance service (a new one by default).
            holder: This worker's name (see :func:`worker_id`).
            ttl: How long the leader lease lasts without renewal.
        """
        self.platform = platform
        self.jobs = platform.jobs
        self.holder = holder or worker_id()
        self.ttl = ttl
        self.services = Services(
            platform,
            compliance or Compliance(platform),
            automation or Automation(platform),
            self.jobs,
        )

    # -- the job table ------------------------------------------------------------------

    def add(self, spec: JobSpec, *, actor: str) -> StoredJob:
        """Add or replace a job after checking its kind and arguments.

        Raises:
            InputError: For an unknown kind or bad arguments.
        """
        kind_of(spec.kind).check(spec.args)
        return self.jobs.upsert(spec, actor=actor)

    def ensure_builtin(self) -> list[str]:
        """Add the built-in jobs that are missing; return their names."""
        added = []
        for spec in BUILTIN:
            try:
                self.jobs.get(spec.name)
            except NotFoundError:
                self.jobs.upsert(spec, actor="system")
                added.append(spec.name)
        return added

    def sync_playbooks(self) -> list[str]:
        """Keep one ``playbook.<id>`` job per playbook with a ``trigger.schedule``.

        A job is added for a new schedule, changed when the cron expression changed (its
        enabled state is kept), and removed when the playbook or its schedule is gone.

        Returns:
            What changed, as ``+name``, ``~name`` and ``-name``.
        """
        wanted: dict[str, JobSpec] = {}
        for playbook_id, loaded in self.services.automation.catalog(reload=True).playbooks.items():
            cron = loaded.playbook.trigger.schedule
            if cron is None:
                continue
            name = PLAYBOOK_PREFIX + playbook_id
            try:
                wanted[name] = JobSpec(name, "playbook", cron, args={"playbook": playbook_id})
            except InputError as exc:  # an id too long for a job name, a cron that never fires
                log.warning("playbook %s cannot be scheduled: %s", playbook_id, exc.message)
        have = {j.name: j for j in self.jobs.list() if j.name.startswith(PLAYBOOK_PREFIX)}
        changes = []
        for name, spec in wanted.items():
            old = have.get(name)
            if old is None:
                self.jobs.upsert(spec, actor="system")
                changes.append("+" + name)
            elif (old.spec.kind, old.spec.cron, old.spec.args) != (spec.kind, spec.cron, spec.args):
                self.jobs.upsert(replace(spec, enabled=old.spec.enabled), actor="system")
                changes.append("~" + name)
        for name in sorted(set(have) - set(wanted)):
            self.jobs.remove(name, actor="system")
            changes.append("-" + name)
        return changes

    # -- running ----------------------------------------------------------------------

    def is_leader(self) -> bool:
        """Take or keep the leader lease; whether this worker holds it now."""
        return self.jobs.acquire(LEADER, self.holder, self.ttl)

    def renew(self) -> bool:
        """Extend the lease this worker holds (while a long job runs)."""
        return self.jobs.renew(LEADER, self.holder, self.ttl)

    def release(self) -> None:
        """Give the lease up (on shutdown) so another worker leads at once."""
        with contextlib.suppress(GarrisonError):
            self.jobs.release(LEADER, self.holder)

    def tick(self) -> list[JobRun]:
        """One pass: when leader, claim the due slots and run them, oldest first."""
        if not self.is_leader():
            return []
        done = []
        for job, slots in self.jobs.claim_due(self.platform.clock.now(), self.holder):
            for slot in slots:
                done.append(self._run(job.spec, slot, self.holder))
        return done

    def run_now(self, name: str, *, actor: str) -> JobRun:
        """Run a job once now, outside its schedule (it keeps its schedule).

        Raises:
            NotFoundError: For an unknown job.
        """
        spec = self.jobs.get(name).spec
        return self._run(spec, self.platform.clock.now(), actor)

    def _run(self, spec: JobSpec, slot: datetime, holder: str) -> JobRun:
        run_id = self.jobs.start_run(spec.name, slot, holder=holder)
        summary: str | None = None
        error: str | None = None
        try:
            kind = kind_of(spec.kind)
            summary = kind.run(self.services, kind.check(spec.args), slot)
        except GarrisonError as exc:
            error = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
            log.warning("job %s (%s) failed: %s", spec.name, slot.isoformat(), error)
            ok = False
        except Exception as exc:  # a job's bug must not stop the scheduler
            log.exception("job %s (%s) failed", spec.name, slot.isoformat())
            ok, error = False, f"{type(exc).__name__}: {exc}"
        else:
            ok = True
            log.info("job %s (%s): %s", spec.name, slot.isoformat(), summary)
        return self.jobs.finish_run(run_id, ok, summary=summary, error=error)


async def schedule_forever(scheduler: Scheduler, interval: float = 15.0) -> None:
    """Tick every ``interval`` seconds until cancelled; give the lease up when stopped.

    A tick runs in a worker thread. While it runs, the loop renews the lease every
    ``interval`` seconds, so the lead stays with this worker through a long job. A failing
    tick is logged and the next one goes on.
    """
    try:
        while True:
            tick = asyncio.ensure_future(asyncio.to_thread(scheduler.tick))
            while True:
                finished, _ = await asyncio.wait({tick}, timeout=interval)
                if finished:
                    break
                try:
                    await asyncio.to_thread(scheduler.renew)
                except Exception:  # the job goes on; the next tick will tell
                    log.exception("could not renew the scheduler lease")
            try:
                tick.result()
            except Exception:  # the loop must survive any one failing tick
                log.exception("scheduler tick failed; retrying in %.0f s", interval)
            await asyncio.sleep(interval)
    finally:
        await asyncio.to_thread(scheduler.release)
