"""The compliance console: scan targets, "scan now", target editing, and the recent scans.

Scans run through :class:`~garrison.compliance.Compliance`, as from the CLI, the API and the
schedule, so a scan started here is stored, scored and alerted on the same way. A scan takes
seconds to minutes: it runs in a worker thread and the page then opens the stored scan.

Reading needs ``read``; scanning a stored target needs ``write``; adding, changing and
removing targets needs ``admin`` (a target makes Garrison read a host, a URL or local paths).
The scan pages, finding pages and the compliance charts live in ``checks_scans`` and
``checks_compliance``; their routes are included here so the console registers one router.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from garrison.checks.scan import KINDS
from garrison.checks.targets import NAME, ScanTarget
from garrison.compliance import Compliance
from garrison.core.errors import GarrisonError, InputError
from garrison.storage.sql.scans import StoredScan
from garrison.web.auth import Viewer, page
from garrison.web.i18n import translations
from garrison.web.render import render
from garrison.web.views import checks_compliance, checks_scans
from garrison.web.views.checks_common import (
    DONE,
    Score,
    counts_text,
    dengbao_score,
    labels,
    platform_of,
    score_class,
    score_text,
    scores,
    who,
)

router = APIRouter()
router.include_router(checks_scans.router)
router.include_router(checks_compliance.router)

Reader = Annotated[Viewer, Depends(page("read"))]
Writer = Annotated[Viewer, Depends(page("write"))]
Admin = Annotated[Viewer, Depends(page("admin"))]
TargetName = Annotated[str, Path(pattern=NAME.pattern)]

#: Scans listed per page of the recent-scans table.
SCANS_SHOWN = 20
#: Target options the form edits; other options of a target are kept as they are.
FORM_OPTIONS = ("key_file", "known_hosts")


@dataclass(frozen=True, slots=True)
class TargetRow:
    """A scan target with its latest scan and that scan's scores."""

    target: ScanTarget
    latest: StoredScan | None
    scores: tuple[Score, ...]


def _empty_form(request: Request) -> dict[str, Any]:
    return {
        "mode": "new",
        "name": "",
        "kind": "host",
        "address": "",
        "schedule": platform_of(request).settings.checks.schedule,
        "enabled": True,
        "key_file": "",
        "known_hosts": "",
    }


def _form_of(target: ScanTarget) -> dict[str, Any]:
    return {
        "mode": "edit",
        "name": target.name,
        "kind": target.kind,
        "address": target.address,
        "schedule": target.schedule or "",
        "enabled": target.enabled,
        **{key: str(target.options.get(key, "")) for key in FORM_OPTIONS},
    }


def targets_page(
    request: Request,
    viewer: Viewer,
    *,
    before: int | None = None,
    edit: str = "",
    form: dict[str, Any] | None = None,
    form_error: str = "",
    notice: str = "",
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The targets and recent scans; the target form open when editing or after an error."""
    gettext = translations(viewer.language).gettext
    store = platform_of(request).scans
    rows = []
    for target in store.targets():
        latest = store.latest(target.name)
        shown = tuple(scores(latest, viewer.language)) if latest is not None else ()
        rows.append(TargetRow(target, latest, shown))
    recent = store.scans(limit=SCANS_SHOWN + 1, before=before)
    more = len(recent) > SCANS_SHOWN
    recent = recent[:SCANS_SHOWN]
    if form is None and edit and viewer.can("admin"):
        chosen = next((r.target for r in rows if r.target.name == edit), None)
        form = _form_of(chosen) if chosen is not None else None
    show_form = form is not None
    return render(
        request,
        "checks_targets.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("Compliance"),
        rows=rows,
        recent=recent,
        more=more,
        before=before,
        older=recent[-1].id if more and recent else None,
        form=form or _empty_form(request),
        form_error=form_error,
        show_form=show_form,
        notice=notice,
        done=gettext(DONE[done]) if done in DONE else "",
        kinds=KINDS,
        names=labels(viewer.language),
        counts_text=counts_text,
        dengbao_score=dengbao_score,
        score_text=score_text,
        score_class=score_class,
        who=lambda actor: who(actor, viewer.language),
    )


@router.get("/checks", include_in_schema=False)
def targets(
    request: Request,
    viewer: Reader,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    edit: Annotated[str, Query(max_length=128)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    """Scan targets with their latest scores, the recent scans, and (admins) the target form."""
    return targets_page(request, viewer, before=before, edit=edit, done=done)


@router.post("/checks/targets", include_in_schema=False)
def save_target(
    request: Request,
    viewer: Admin,
    mode: Annotated[str, Form(max_length=8)] = "new",
    name: Annotated[str, Form(max_length=512)] = "",
    kind: Annotated[str, Form(max_length=16)] = "host",
    address: Annotated[str, Form(max_length=4096)] = "",
    schedule: Annotated[str, Form(max_length=128)] = "",
    enabled: Annotated[str, Form(max_length=8)] = "",
    key_file: Annotated[str, Form(max_length=1024)] = "",
    known_hosts: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Add a target, or change one (``mode=edit``); a refused form is shown again with why."""
    mode = "edit" if mode == "edit" else "new"
    name, address, schedule = name.strip(), address.strip(), schedule.strip()
    chosen = {"key_file": key_file.strip(), "known_hosts": known_hosts.strip()}
    form: dict[str, Any] = {
        "mode": mode,
        "name": name,
        "kind": kind,
        "address": address,
        "schedule": schedule,
        "enabled": bool(enabled),
        **chosen,
    }
    store = platform_of(request).scans
    try:
        current = next((t for t in store.targets() if t.name == name), None)
        if mode == "new" and current is not None:
            raise InputError(
                f"a scan target named {name!r} already exists",
                hint="choose another name, or edit that target",
            )
        if mode == "edit" and current is None:
            raise InputError(f"no scan target {name!r}")
        options: dict[str, Any] = dict(current.options) if current is not None else {}
        for key, value in chosen.items():
            options.pop(key, None)
            if value:
                options[key] = value
        target = ScanTarget(name, kind, address, options, schedule or None, bool(enabled))
        Compliance(platform_of(request)).save_target(target, actor=viewer.actor)
    except InputError as exc:
        message = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
        return targets_page(request, viewer, form=form, form_error=message, status_code=400)
    done = "added" if mode == "new" else "saved"
    return RedirectResponse(f"/checks?done={done}", status_code=303)


@router.post("/checks/targets/{name}/remove", include_in_schema=False)
def remove_target(request: Request, viewer: Admin, name: TargetName) -> Response:
    """Remove a target; its scans stay in the history."""
    platform_of(request).scans.remove_target(name, actor=viewer.actor)
    return RedirectResponse("/checks?done=removed", status_code=303)


@router.post("/checks/targets/{name}/run", include_in_schema=False)
async def scan_now(request: Request, viewer: Writer, name: TargetName) -> Response:
    """Scan a stored target now (in a worker thread), then open the stored scan."""
    platform = platform_of(request)
    await run_in_threadpool(platform.scans.target, name)  # 404 for an unknown target
    try:
        outcome = await run_in_threadpool(Compliance(platform).run_target, name, actor=viewer.actor)
    except (GarrisonError, OSError) as exc:
        # An unreachable host or a missing path: said on the page, not as a server error.
        gettext = translations(viewer.language).gettext
        reason = exc.message if isinstance(exc, GarrisonError) else (exc.strerror or str(exc))
        notice = gettext("The scan of %(name)s failed: %(reason)s") % {
            "name": name,
            "reason": reason,
        }
        return await run_in_threadpool(
            targets_page, request, viewer, notice=notice, status_code=400
        )
    if outcome.stored is None:  # pragma: no cover - run_target always stores
        return RedirectResponse("/checks", status_code=303)
    return RedirectResponse(f"/checks/scans/{outcome.stored.id}", status_code=303)
