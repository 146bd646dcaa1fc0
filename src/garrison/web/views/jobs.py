"""The scheduled jobs page: what runs when, which worker leads, and how each run went.

Everyone who reads sees the jobs (schedule, policy, next run in the viewer's zone, the last
run's outcome) and the history, filtered by job and status with plain GET parameters.
Administrators switch a job off or on (audited in the job store); adding jobs and running one
by hand stay with ``garrison jobs`` and ``/api/v1/jobs``, which check arguments per kind.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from garrison.platform import Platform
from garrison.scheduler.jobs import NAME
from garrison.storage.sql.jobs import LEADER, STATUSES
from garrison.web.auth import Viewer, page
from garrison.web.i18n import N_, translations
from garrison.web.render import render

router = APIRouter()

Reader = Annotated[Viewer, Depends(page("read"))]
Admin = Annotated[Viewer, Depends(page("admin"))]
JobName = Annotated[str, PathParam(pattern=f"^{NAME.pattern}$")]

#: Runs the history shows.
HISTORY_SHOWN = 100
#: Labels of run statuses.
STATUS_LABELS: dict[str, str] = {
    "running": N_("In progress"),
    "ok": N_("Succeeded"),
    "failed": N_("Failure"),
    "skipped": N_("Skipped"),
    "abandoned": N_("Abandoned"),
}
#: What each missed-run policy does, in a word or two.
POLICIES: dict[str, str] = {
    "once": N_("Run once"),
    "all": N_("Catch up"),
    "skip": N_("Skip"),
}
#: Kinds of job.
KINDS: dict[str, str] = {
    "scans": N_("Scheduled scans"),
    "scan": N_("Scan a target"),
    "retention": N_("Retention"),
    "housekeeping": N_("Housekeeping"),
    "report": N_("Audit report"),
    "playbook": N_("Playbook"),
}


#: Notices after a change.
DONE: dict[str, str] = {
    "enable": N_("The job is on again; it runs from its next slot."),
    "disable": N_("The job is off; it keeps its history."),
}


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


@router.get("/jobs", include_in_schema=False)
def jobs_page(
    request: Request,
    viewer: Reader,
    job: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    """Jobs with their next and last runs, then the history."""
    gettext = translations(viewer.language).gettext
    store = _platform(request).jobs
    jobs = store.list()
    status = status if status in STATUSES else ""
    history = store.history(job=job or None, status=status or None, limit=HISTORY_SHOWN)
    return render(
        request,
        "jobs.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Scheduled jobs"),
        jobs=jobs,
        last=store.last_runs(),
        history=history,
        leader=store.holder(LEADER),
        job=job,
        status=status,
        statuses=STATUSES,
        status_labels={k: gettext(v) for k, v in STATUS_LABELS.items()},
        policies={k: gettext(v) for k, v in POLICIES.items()},
        kinds={k: gettext(v) for k, v in KINDS.items()},
        done=gettext(DONE[done]) if done in DONE else "",
    )


@router.post("/jobs/{name}/{switch}", include_in_schema=False)
def switch_job(
    request: Request, viewer: Admin, name: JobName, switch: Literal["enable", "disable"]
) -> Response:
    """Switch a job on (scheduled from now, missed slots not caught up) or off."""
    store = _platform(request).jobs
    if switch == "enable":
        store.enable(name, actor=viewer.actor)
    else:
        store.disable(name, actor=viewer.actor)
    return RedirectResponse(f"/jobs?done={switch}", status_code=303)
