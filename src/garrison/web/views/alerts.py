"""The alert queue (filters, acknowledge/close/suppress in place) and the alert detail page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from garrison.alerts.query import LEVELS, STATUSES, AlertFilter
from garrison.alerts.triage import RESOLUTIONS
from garrison.core.errors import GarrisonError, NotFoundError
from garrison.platform import Platform
from garrison.web.auth import Viewer, page
from garrison.web.i18n import N_, translations
from garrison.web.render import render

router = APIRouter()

PAGE_SIZE = 50
Ident = Annotated[int, Path(ge=1, le=2**63 - 1)]
Reader = Annotated[Viewer, Depends(page("read"))]
Writer = Annotated[Viewer, Depends(page("write"))]

RESOLUTION_LABELS = {
    "true_positive": N_("True positive"),
    "false_positive": N_("False positive"),
    "benign": N_("Benign (expected activity)"),
}
#: Snooze choices in the suppress dialog; ``0`` mutes until the suppression is removed.
SNOOZES = {
    "60": N_("1 hour"),
    "480": N_("8 hours"),
    "1440": N_("24 hours"),
    "10080": N_("7 days"),
    "0": N_("Until removed"),
}


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _message(text: str) -> dict[str, str]:
    # A header for the toast in console.js; percent-encoded because headers are Latin-1.
    return {"X-Garrison-Message": quote(text)}


@router.get("/alerts", include_in_schema=False)
def queue(
    request: Request,
    viewer: Reader,
    status: Annotated[list[str] | None, Query()] = None,
    level: Annotated[str | None, Query(max_length=16)] = None,
    rule: Annotated[str | None, Query(max_length=256)] = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The alert queue: open alerts first by default, newest first."""
    gettext = translations(viewer.language).gettext
    chosen = tuple(s for s in (status or ["new", "acknowledged"]) if s in STATUSES)
    where = AlertFilter(
        statuses=chosen,
        min_level=level if level in LEVELS else None,
        rule_id=rule or None,
        limit=PAGE_SIZE + 1,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    found = _platform(request).alerts.search(where)
    template = (
        "alerts_rows.html" if request.headers.get("hx-target") == "alert-rows" else "alerts.html"
    )
    return render(
        request,
        template,
        viewer=viewer,
        language=viewer.language,
        title=gettext("Alerts"),
        alerts=found[:PAGE_SIZE],
        more=len(found) > PAGE_SIZE,
        page=page_number,
        statuses=STATUSES,
        chosen=chosen,
        levels=LEVELS,
        level=level or "",
        rule=rule or "",
        resolutions=RESOLUTION_LABELS,
        snoozes=SNOOZES,
        query=request.url.query,
    )


def _row(request: Request, viewer: Viewer, alert_id: int, message: str) -> HTMLResponse:
    stored = _platform(request).alerts.get(alert_id)
    return render(
        request,
        "alert_row.html",
        viewer=viewer,
        language=viewer.language,
        headers=_message(message),
        alert=stored,
        resolutions=RESOLUTION_LABELS,
        snoozes=SNOOZES,
    )


@router.post("/alerts/{alert_id}/acknowledge", include_in_schema=False)
def acknowledge(request: Request, viewer: Writer, alert_id: Ident) -> HTMLResponse:
    """Acknowledge an alert: someone is looking at it."""
    gettext = translations(viewer.language).gettext
    _platform(request).alerts.triage(
        alert_id, "acknowledge", actor=viewer.actor, reason="acknowledged in the console"
    )
    return _row(request, viewer, alert_id, gettext("Alert acknowledged"))


@router.post("/alerts/{alert_id}/reopen", include_in_schema=False)
def reopen(
    request: Request,
    viewer: Writer,
    alert_id: Ident,
    reason: Annotated[str, Form(min_length=1, max_length=2000)] = "reopened in the console",
) -> HTMLResponse:
    """Reopen a closed alert."""
    gettext = translations(viewer.language).gettext
    _platform(request).alerts.triage(alert_id, "reopen", actor=viewer.actor, reason=reason)
    return _row(request, viewer, alert_id, gettext("Alert reopened"))


@router.post("/alerts/{alert_id}/close", include_in_schema=False)
def close(
    request: Request,
    viewer: Writer,
    alert_id: Ident,
    resolution: Annotated[Literal["true_positive", "false_positive", "benign"], Form()],
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Close an alert with a verdict and a reason."""
    assert resolution in RESOLUTIONS  # noqa: S101 - the Literal above is the same list
    gettext = translations(viewer.language).gettext
    _platform(request).alerts.triage(
        alert_id, "close", actor=viewer.actor, reason=reason, resolution=resolution
    )
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
    return _row(request, viewer, alert_id, gettext("Alert closed"))


@router.post("/alerts/{alert_id}/suppress", include_in_schema=False)
def suppress(
    request: Request,
    viewer: Writer,
    alert_id: Ident,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    minutes: Annotated[Literal["60", "480", "1440", "10080", "0"], Form()] = "1440",
) -> Response:
    """Mute this alert's rule for this alert's group (a snooze, or until removed)."""
    gettext = translations(viewer.language).gettext
    platform = _platform(request)
    stored = platform.alerts.get(alert_id)
    if minutes == "0":
        conditions = {k: str(v) for k, v in stored.alert.group.items() if v is not None}
        platform.alerts.suppress(
            actor=viewer.actor, reason=reason, rule_id=stored.alert.rule_id, conditions=conditions
        )
    else:
        platform.alerts.snooze(
            alert_id, timedelta(minutes=int(minutes)), actor=viewer.actor, reason=reason
        )
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/alerts/{alert_id}", status_code=303)
    return _row(request, viewer, alert_id, gettext("Suppression created: later matches are muted"))


@router.get("/alerts/{alert_id}", include_in_schema=False)
def detail(request: Request, viewer: Reader, alert_id: Ident) -> HTMLResponse:
    """One alert: what matched, the rule as written, ATT&CK links, its history."""
    platform = _platform(request)
    gettext = translations(viewer.language).gettext
    stored = platform.alerts.get(alert_id)
    try:
        rule_text: str | None = platform.rulebook.source(stored.alert.rule_id)
    except NotFoundError:
        rule_text = None  # a rule removed since, or Garrison's own (account lockout)
    except GarrisonError:
        rule_text = None
    events = platform.events_by_id(list(stored.alert.event_ids))
    history = platform.audit_entries(limit=100, target=f"alert:{alert_id}")
    return render(
        request,
        "alert.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Alert") + f" #{alert_id}",
        alert=stored,
        rule_text=rule_text,
        events=events,
        history=history,
        resolutions=RESOLUTION_LABELS,
        snoozes=SNOOZES,
    )
