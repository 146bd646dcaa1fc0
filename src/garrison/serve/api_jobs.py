"""REST API v1: the scheduler's jobs and their history.

Reading needs ``read``; adding, removing and running a job by hand need ``admin`` (jobs
delete events, write files and start playbooks). Arguments are checked against the job's
kind before anything is stored, as in ``garrison jobs add``.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from garrison.scheduler.jobs import MAX_CATCH_UP, NAME, JobSpec
from garrison.serve.api import Admin, Reader
from garrison.serve.scheduling import Scheduler
from garrison.storage.sql.jobs import LEADER, RunStatus

JobName = Annotated[str, PathParam(pattern=f"^{NAME.pattern}$")]
_LOCK = threading.Lock()


def scheduler_of(app: FastAPI) -> Scheduler:
    """The application's scheduler service (``app.state.scheduler``), built at first use.

    It never leads: ``garrison serve``'s worker loop does. The API uses it to edit jobs and
    to run one by hand, and adds the built-in jobs so that the list is complete.
    """
    found: Scheduler | None = getattr(app.state, "scheduler", None)
    if found is None:
        with _LOCK:
            found = getattr(app.state, "scheduler", None)
            if found is None:
                found = Scheduler(app.state.platform, holder="api")
                found.ensure_builtin()
                app.state.scheduler = found
    return found


class JobIn(BaseModel):
    """A job as ``PUT /jobs/{name}`` takes it."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=32)
    cron: str = Field(min_length=1, max_length=128)
    args: dict[str, Any] = Field(default_factory=dict)
    timezone: str | None = Field(default=None, max_length=64)
    missed: Literal["once", "all", "skip"] = "once"
    catch_up: int = Field(default=24, ge=1, le=MAX_CATCH_UP)
    enabled: bool = True


def create_jobs_router() -> APIRouter:
    """The job routes (the scheduler comes from the request's application)."""
    router = APIRouter(prefix="/api/v1")

    @router.get("/jobs", tags=["jobs"])
    def list_jobs(request: Request, _: Reader) -> dict[str, Any]:
        """Every job with its schedule and next run, and which worker leads."""
        scheduler = scheduler_of(request.app)
        return {
            "leader": scheduler.jobs.holder(LEADER),
            "jobs": [j.to_json() for j in scheduler.jobs.list()],
        }

    @router.get("/jobs/history", tags=["jobs"])
    def job_history(
        request: Request,
        _: Reader,
        job: Annotated[str | None, Query(max_length=64)] = None,
        status: Annotated[RunStatus | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> list[dict[str, Any]]:
        """Runs of jobs, newest first."""
        found = scheduler_of(request.app).jobs.history(job=job, status=status, limit=limit)
        return [r.to_json() for r in found]

    @router.get("/jobs/{name}", tags=["jobs"])
    def get_job(request: Request, _: Reader, name: JobName) -> dict[str, Any]:
        """One job."""
        return scheduler_of(request.app).jobs.get(name).to_json()

    @router.put("/jobs/{name}", tags=["jobs"])
    def put_job(request: Request, who: Admin, name: JobName, body: JobIn) -> dict[str, Any]:
        """Add a job or replace the one of this name."""
        spec = JobSpec.from_json({"name": name, **body.model_dump()})
        return scheduler_of(request.app).add(spec, actor=who.actor).to_json()

    @router.delete("/jobs/{name}", tags=["jobs"], status_code=204)
    def delete_job(request: Request, who: Admin, name: JobName) -> Response:
        """Remove a job (its history stays)."""
        scheduler_of(request.app).jobs.remove(name, actor=who.actor)
        return Response(status_code=204)

    @router.post("/jobs/{name}/run", tags=["jobs"], status_code=201)
    async def run_job(request: Request, who: Admin, name: JobName) -> dict[str, Any]:
        """Run a job once now; the answer is its history row (``status`` ok or failed)."""
        scheduler = scheduler_of(request.app)
        record = await run_in_threadpool(scheduler.run_now, name, actor=who.actor)
        return record.to_json()

    return router
