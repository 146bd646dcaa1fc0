"""The incident page's actions (phases, milestones, grade, alerts, notes, tasks) and report.

Each change goes through :class:`~garrison.storage.sql.incidents.IncidentStore`, which writes
the timeline and the audit trail. In-place (htmx) changes answer with the refreshed page body
and a toast, or with a toast of the error; plain forms redirect back to the page, or show it
again with the error when the store refused the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from garrison.core.errors import InputError, NotFoundError
from garrison.incidents.grading import Grade
from garrison.incidents.model import Incident
from garrison.incidents.phases import Phase
from garrison.incidents.sla import Milestone
from garrison.storage.sql.incidents import MARKS
from garrison.web.auth import Viewer
from garrison.web.i18n import translations
from garrison.web.views.incident_labels import DONE, PHASES
from garrison.web.views.incidents import (
    Ident,
    Reader,
    Reason,
    Writer,
    _alert_ids,
    _detail,
    _explain,
    _is_htmx,
    _message,
    _platform,
)

router = APIRouter()


def _act(
    request: Request,
    viewer: Viewer,
    incident_id: int,
    change: Callable[[Incident], object],
    done: str,
) -> Response:
    """Carry out a change and answer as the request expects (htmx or a plain form)."""
    gettext = translations(viewer.language).gettext
    incident = _platform(request).incidents.get(incident_id)  # 404 before anything else
    try:
        change(incident)
    except (InputError, NotFoundError) as exc:
        if _is_htmx(request):
            # The app's handler answers htmx with a toast; nothing on the page changes.
            raise InputError(_explain(exc)) from exc
        return _detail(request, viewer, incident_id, notice=_explain(exc), status_code=400)
    if _is_htmx(request):
        return _detail(
            request, viewer, incident_id, partial=True, headers=_message(gettext(DONE[done]))
        )
    return RedirectResponse(f"/incidents/{incident_id}?done={done}", status_code=303)


@router.post("/incidents/{incident_id}/transition", include_in_schema=False)
def transition(
    request: Request,
    viewer: Writer,
    incident_id: Ident,
    phase: Annotated[str, Form(max_length=32)] = "",
    reason: Reason = "",
) -> Response:
    """Move the incident to an allowed next phase, with a reason (audited)."""

    def change(_: Incident) -> None:
        if phase not in PHASES:
            raise InputError(f"unknown phase {phase!r}", hint=", ".join(PHASES))
        if len(reason) > 2000:
            raise InputError("the reason holds at most 2000 characters")
        _platform(request).incidents.transition(
            incident_id, Phase(phase), actor=viewer.actor, reason=reason.strip()
        )

    return _act(request, viewer, incident_id, change, "transition")


@router.post("/incidents/{incident_id}/mark", include_in_schema=False)
def mark(
    request: Request,
    viewer: Writer,
    incident_id: Ident,
    milestone: Annotated[str, Form(max_length=32)] = "",
    note: Reason = "",
) -> Response:
    """Record a milestone reached by hand: reported, escalated, report filed, reviewed."""

    def change(_: Incident) -> None:
        if milestone not in {m.value for m in MARKS}:
            raise InputError(f"unknown milestone {milestone!r}", hint=", ".join(MARKS))
        if len(note) > 2000:
            raise InputError("the note holds at most 2000 characters")
        _platform(request).incidents.mark(
            incident_id, Milestone(milestone), actor=viewer.actor, note=note.strip()
        )

    return _act(request, viewer, incident_id, change, "mark")


@router.post("/incidents/{incident_id}/regrade", include_in_schema=False)
def regrade(
    request: Request,
    viewer: Writer,
    incident_id: Ident,
    grade: Annotated[str, Form(max_length=8)] = "",
    reason: Reason = "",
) -> Response:
    """Override the grade with a reason (audited); the clocks follow the new grade."""

    def change(_: Incident) -> None:
        if grade not in {g.value for g in Grade}:
            raise InputError(f"unknown grade {grade!r}", hint="I, II, III or IV")
        if len(reason) > 2000:
            raise InputError("the reason holds at most 2000 characters")
        _platform(request).incidents.regrade(
            incident_id, Grade(grade), actor=viewer.actor, reason=reason.strip()
        )

    return _act(request, viewer, incident_id, change, "regrade")


@router.post("/incidents/{incident_id}/alerts", include_in_schema=False)
def attach(
    request: Request,
    viewer: Writer,
    incident_id: Ident,
    alert_ids: Annotated[str, Form(max_length=50_000)] = "",
) -> Response:
    """Attach alerts (numbers separated by commas) to the open incident."""

    def change(_: Incident) -> None:
        wanted = _alert_ids(alert_ids)
        if not wanted:
            raise InputError("give the numbers of the alerts to attach")
        _platform(request).incidents.attach(incident_id, wanted, actor=viewer.actor)

    return _act(request, viewer, incident_id, change, "attach")


@router.post("/incidents/{incident_id}/notes", include_in_schema=False)
def add_note(
    request: Request,
    viewer: Writer,
    incident_id: Ident,
    text: Annotated[str, Form(max_length=40_000)] = "",
) -> Response:
    """Add a note to the timeline."""

    def change(_: Incident) -> None:
        _platform(request).incidents.note(incident_id, text.strip(), actor=viewer.actor)

    return _act(request, viewer, incident_id, change, "note")


@router.post("/incidents/{incident_id}/tasks/{task_id}/done", include_in_schema=False)
def task_done(request: Request, viewer: Writer, incident_id: Ident, task_id: Ident) -> Response:
    """Mark one of the incident's tasks done (audited)."""
    incident = _platform(request).incidents.get(incident_id)
    task = next((t for t in incident.tasks if t.id == task_id), None)
    if task is None:
        raise NotFoundError(f"incident {incident_id} has no task {task_id}")

    def change(_: Incident) -> None:
        # The store refuses a task done twice.
        _platform(request).incidents.complete_task(task_id, actor=viewer.actor)

    return _act(request, viewer, incident_id, change, "task")


@router.get("/incidents/{incident_id}/report", include_in_schema=False)
def report(
    request: Request,
    viewer: Reader,
    incident_id: Ident,
    lang: Annotated[Literal["zh-CN", "en"], Query()] = "zh-CN",
    report_format: Annotated[Literal["pdf", "html"], Query(alias="format")] = "pdf",
) -> Response:
    """The post-incident report (安全事件处置报告), personal data masked, as a download."""
    body = _platform(request).incident_report(incident_id, language=lang, fmt=report_format)
    media = "application/pdf" if report_format == "pdf" else "text/html; charset=utf-8"
    name = f"incident-{incident_id}-{lang}.{report_format}"
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
