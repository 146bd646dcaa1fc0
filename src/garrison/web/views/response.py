"""The response console: playbooks (list, a playbook's graph and YAML) and starting runs.

Runs start through the application's :class:`~garrison.automation.Automation`, as from the
CLI and the API. A dry run plans every step and changes nothing (``write``); a real run
changes hosts, so it needs ``admin`` and a ticked confirmation. A run goes as far as it can
at once (an approval makes it wait); the page then opens the run.

The run and approval pages live in ``response_runs``; its routes are included here so that
the console registers one router.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from garrison.core.errors import ForbiddenError, GarrisonError, InputError
from garrison.respond.loader import Loaded
from garrison.web.auth import Viewer
from garrison.web.i18n import translations
from garrison.web.render import render
from garrison.web.views import response_runs
from garrison.web.views.response_common import (
    PlaybookId,
    Reader,
    Writer,
    automation,
    labels,
    triggers_of,
)
from garrison.web.views.response_graph import layout

router = APIRouter()
router.include_router(response_runs.router)

#: Runs of a playbook listed on its page.
RECENT_RUNS = 10
#: Longest value a form field of an input may hold.
MAX_INPUT = 4096


@router.get("/response", include_in_schema=False)
def response_home(_: Reader) -> Response:
    """The section's first page: the runs."""
    return RedirectResponse("/response/runs", status_code=303)


@router.get("/response/playbooks", include_in_schema=False)
def playbooks(request: Request, viewer: Reader) -> HTMLResponse:
    """Every playbook with its trigger, steps and source; the problems of broken files."""
    gettext = translations(viewer.language).gettext
    catalog = automation(request).catalog(reload=True)  # show edits and lint problems now
    rows = sorted(catalog.playbooks.values(), key=lambda p: p.playbook.id)
    return render(
        request,
        "response_playbooks.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Response"),
        rows=rows,
        problems=catalog.problems,
        names=labels(viewer.language),
        triggers_of=triggers_of,
        waiting=len(automation(request).runs.approvals(status="waiting")),
    )


def playbook_page(
    request: Request,
    viewer: Viewer,
    loaded: Loaded,
    *,
    values: dict[str, str] | None = None,
    alert: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """A playbook: facts, graph, steps, inputs form, recent runs, YAML (with a form error)."""
    gettext = translations(viewer.language).gettext
    p = loaded.playbook
    service = automation(request)
    graph = layout(p, words={"approval": gettext("Approval")})
    return render(
        request,
        "response_playbook.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("Playbook") + " " + p.id,
        loaded=loaded,
        playbook=p,
        playbook_title=p.title_in(viewer.language),
        trigger=p.trigger,
        triggers=triggers_of(p),
        graph=graph,
        runs=service.runs.list(playbook=p.id, limit=RECENT_RUNS),
        values=values or {},
        alert=alert,
        error=error,
        names=labels(viewer.language),
        waiting=len(service.runs.approvals(status="waiting")),
    )


@router.get("/response/playbooks/{playbook_id}", include_in_schema=False)
def playbook(request: Request, viewer: Reader, playbook_id: PlaybookId) -> HTMLResponse:
    """A playbook's graph, steps and YAML, with the dry-run and run forms."""
    return playbook_page(request, viewer, automation(request).known(playbook_id))


def _form_text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


@router.post("/response/playbooks/{playbook_id}/start", include_in_schema=False)
async def start(request: Request, viewer: Writer, playbook_id: PlaybookId) -> Response:
    """Start a dry run (``mode=dry``) or, for administrators who confirm, a real run."""
    gettext = translations(viewer.language).gettext
    service = automation(request)
    loaded = service.known(playbook_id)
    form = await request.form()
    dry_run = form.get("mode") != "run"
    values = {
        name: _form_text(form.get(f"input.{name}"))[:MAX_INPUT] for name in loaded.playbook.inputs
    }
    alert = _form_text(form.get("alert"))[:20]
    if not dry_run:
        if not viewer.can("admin"):
            raise ForbiddenError("a real run needs the 'admin' scope", hint="start a dry run")
        if form.get("confirm") != "yes":
            message = gettext("Tick the confirmation to run the playbook for real.")
            return await run_in_threadpool(
                playbook_page,
                request,
                viewer,
                loaded,
                values=values,
                alert=alert,
                error=message,
                status_code=400,
            )
    given: dict[str, Any] = {name: value for name, value in values.items() if value}
    try:
        if alert and not (alert.isdigit() and 1 <= int(alert) < 2**63):
            raise InputError(gettext("The alert is given by its number."))
        run = await run_in_threadpool(
            service.start_manual,
            playbook_id,
            actor=viewer.actor,
            inputs=given,
            dry_run=dry_run,
            alert_id=int(alert) if alert else None,
        )
    except GarrisonError as exc:
        # Bad inputs or an unknown alert: shown above the form, with what was typed.
        message = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        return await run_in_threadpool(
            playbook_page,
            request,
            viewer,
            loaded,
            values=values,
            alert=alert,
            error=message,
            status_code=400,
        )
    return RedirectResponse(f"/response/runs/{run.id}", status_code=303)
