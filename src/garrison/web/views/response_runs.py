"""The response console's runs (list, one run step by step, cancel) and the approval inbox.

A run's page shows each step with its status, attempts, resolved arguments, the exact
commands it ran (or, in a dry run, would run), its output and error, and the approvals with
who decided. Approvers answer in the inbox or on the run's page; the buttons are shown only
to people the approval lists, and :meth:`Automation.decide` checks again. Deadlines are shown
in the site's time zone (the ``timezone`` setting), as approvers in other zones must agree on
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from garrison.core.errors import ForbiddenError, InputError
from garrison.core.timezones import resolve_zone
from garrison.respond.playbook import Playbook
from garrison.respond.runs import ApprovalRecord, StepRecord
from garrison.web.auth import Viewer
from garrison.web.i18n import translations
from garrison.web.render import render
from garrison.web.views.response_common import (
    DONE,
    RUN_STATUSES,
    Ident,
    Reader,
    Writer,
    approvals_given,
    automation,
    labels,
    may_decide,
    pretty,
    who,
)
from garrison.web.views.response_graph import Graph, layout

router = APIRouter()

#: Runs per page of the list.
RUNS_SHOWN = 50
#: Decided approvals listed under the inbox.
DECIDED_SHOWN = 20
Comment = Annotated[str, Form(max_length=2000)]


@dataclass(frozen=True, slots=True)
class StepView:
    """A step record as the run's page shows it."""

    record: StepRecord
    name: str
    args: str
    output: str
    commands: tuple[str, ...]
    others: tuple[str, ...]


def _steps(records: list[StepRecord], playbook: Playbook | None) -> list[StepView]:
    shown = []
    for record in records:
        name = ""
        if playbook is not None:
            try:
                name = playbook.step(record.step).name
            except KeyError:  # an undo record, or a step renamed since
                name = ""
        effects = [e for e in record.effects if isinstance(e, dict)]
        shown.append(
            StepView(
                record=record,
                name=name,
                args=pretty(record.args) if record.args else "",
                output=pretty(record.output) if record.output else "",
                commands=tuple(
                    str(e.get("detail", "")) for e in effects if e.get("kind") == "command"
                ),
                others=tuple(
                    str(e.get("detail", "")) for e in effects if e.get("kind") != "command"
                ),
            )
        )
    return shown


def _site_zone(request: Request) -> tzinfo:
    return resolve_zone(automation(request).platform.settings.timezone)


def _waiting(request: Request) -> int:
    return len(automation(request).runs.approvals(status="waiting"))


@router.get("/response/runs", include_in_schema=False)
def runs(
    request: Request,
    viewer: Reader,
    playbook: Annotated[str, Query(max_length=64)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> HTMLResponse:
    """Runs, newest first, filtered by playbook and status (a filtered view is a link)."""
    gettext = translations(viewer.language).gettext
    service = automation(request)
    status = status if status in RUN_STATUSES else ""
    found = service.runs.list(
        playbook=playbook or None, status=status or None, limit=RUNS_SHOWN + 1, before=before
    )
    more = len(found) > RUNS_SHOWN
    found = found[:RUNS_SHOWN]
    return render(
        request,
        "response_runs.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Response"),
        runs=found,
        more=more,
        older=found[-1].id if more and found else None,
        before=before,
        playbook=playbook,
        status=status,
        playbook_ids=sorted(service.catalog().playbooks),
        run_statuses=RUN_STATUSES,
        names=labels(viewer.language),
        who=who,
        waiting=_waiting(request),
    )


def run_page(
    request: Request,
    viewer: Viewer,
    run_id: int,
    *,
    notice: str = "",
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """A run, step by step, with its approvals (and a notice after a refused change)."""
    gettext = translations(viewer.language).gettext
    service = automation(request)
    run, records, approvals = service.view(run_id)
    loaded = service.catalog().playbooks.get(run.playbook)
    playbook = loaded.playbook if loaded is not None else None
    graph: Graph | None = None
    if playbook is not None:
        statuses = {r.step: r.status for r in records}
        graph = layout(playbook, statuses=statuses, words={"approval": gettext("Approval")})
    return render(
        request,
        "response_run.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("Run") + f" #{run.id}",
        run=run,
        playbook=playbook,
        playbook_title=playbook.title_in(viewer.language) if playbook else run.playbook,
        same_revision=loaded is not None and loaded.revision == run.revision,
        steps=_steps(records, playbook),
        approvals=approvals,
        graph=graph,
        context=pretty(run.context) if run.context else "",
        inputs=pretty(run.inputs) if run.inputs else "",
        notice=notice,
        done=gettext(DONE[done]) if done in DONE else "",
        names=labels(viewer.language),
        who=who,
        given=approvals_given,
        may_decide=lambda approval: may_decide(approval, viewer),
        site_zone=_site_zone(request),
        site_zone_name=service.platform.settings.timezone,
        waiting=_waiting(request),
    )


@router.get("/response/runs/{run_id}", include_in_schema=False)
def run(
    request: Request,
    viewer: Reader,
    run_id: Ident,
    done: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    """One run: each step with arguments, commands, output and error; approvals; cancel."""
    return run_page(request, viewer, run_id, done=done)


@router.post("/response/runs/{run_id}/cancel", include_in_schema=False)
def cancel(request: Request, viewer: Writer, run_id: Ident, reason: Comment = "") -> Response:
    """Cancel an unfinished run with a reason (audited)."""
    gettext = translations(viewer.language).gettext
    service = automation(request)
    service.runs.get(run_id)  # 404 before anything else
    if not reason.strip():
        notice = gettext("Say why the run is cancelled.")
        return run_page(request, viewer, run_id, notice=notice, status_code=400)
    try:
        service.cancel(run_id, actor=viewer.actor, reason=reason.strip())
    except InputError as exc:  # it finished meanwhile
        return run_page(request, viewer, run_id, notice=exc.message, status_code=400)
    return RedirectResponse(f"/response/runs/{run_id}?done=cancelled", status_code=303)


def approvals_page(
    request: Request,
    viewer: Viewer,
    *,
    notice: str = "",
    done: str = "",
    done_run: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The inbox: waiting approvals, soonest deadline first, then the latest decided."""
    gettext = translations(viewer.language).gettext
    service = automation(request)
    waiting = service.runs.approvals(status="waiting")
    decided = [a for a in service.runs.approvals(status=None, limit=500) if a.status != "waiting"]
    decided.sort(key=lambda a: (a.decided_at or a.requested_at, a.id), reverse=True)
    playbooks = {a.run_id: service.runs.get(a.run_id).playbook for a in [*waiting, *decided]}
    return render(
        request,
        "response_approvals.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("Response"),
        approvals=waiting,
        decided=decided[:DECIDED_SHOWN],
        playbooks=playbooks,
        notice=notice,
        done=gettext(DONE[done]) if done in DONE else "",
        done_run=done_run,
        names=labels(viewer.language),
        who=who,
        given=approvals_given,
        may_decide=lambda approval: may_decide(approval, viewer),
        site_zone=_site_zone(request),
        site_zone_name=service.platform.settings.timezone,
        waiting=len(waiting),
    )


@router.get("/response/approvals", include_in_schema=False)
def approvals(
    request: Request,
    viewer: Reader,
    done: Annotated[str, Query(max_length=16)] = "",
    run_id: Annotated[int | None, Query(alias="run", ge=1, le=2**63 - 1)] = None,
) -> HTMLResponse:
    """Approvals waiting for a decision, with Approve / Reject for those who may decide."""
    return approvals_page(request, viewer, done=done, done_run=run_id)


@router.post("/response/approvals/{approval_id}/{decision}", include_in_schema=False)
def decide(
    request: Request,
    viewer: Writer,
    approval_id: Ident,
    decision: Literal["approve", "reject"],
    comment: Comment = "",
    back: Annotated[Literal["inbox", "run"], Form()] = "inbox",
) -> Response:
    """Approve or reject with a comment; the run goes on (or stops) at once."""
    service = automation(request)
    found: ApprovalRecord = service.runs.approval_by_id(approval_id)  # 404 first
    try:
        record = service.decide(
            approval_id,
            user=viewer.actor,
            roles=[viewer.role],
            decision=decision,
            comment=comment.strip(),
        )
    except (InputError, ForbiddenError) as exc:
        status = 403 if isinstance(exc, ForbiddenError) else 400
        if back == "run":
            return run_page(request, viewer, found.run_id, notice=exc.message, status_code=status)
        return approvals_page(request, viewer, notice=exc.message, status_code=status)
    if back == "run":
        return RedirectResponse(f"/response/runs/{record.run_id}?done={decision}", status_code=303)
    return RedirectResponse(
        f"/response/approvals?done={decision}&run={record.run_id}", status_code=303
    )
