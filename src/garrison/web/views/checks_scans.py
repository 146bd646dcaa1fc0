"""A scan's page (scores, changes since the previous scan, findings), its downloads, a finding.

The findings table filters by status, severity, check and framework with plain GET
parameters (so a filtered view is a link); the filter form also works through htmx, which
swaps only the table. Downloads: the audit report (《网络安全审计报告》, PDF or HTML, Chinese
or English) and the failures as SARIF.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import orjson
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from garrison.checks.metadata import CHECK_ID
from garrison.compliance import Compliance
from garrison.web.auth import Viewer, page
from garrison.web.i18n import translations
from garrison.web.render import render
from garrison.web.views.checks_common import (
    FRAMEWORKS,
    SEVERITY_CLASS,
    check_title,
    counts_text,
    diff,
    duration_text,
    in_framework,
    is_htmx,
    labels,
    metadata,
    ordered,
    platform_of,
    scores,
    who,
)

router = APIRouter()

Reader = Annotated[Viewer, Depends(page("read"))]
Ident = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
StatusText = Literal["pass", "fail", "manual", "not_applicable", "error"]
SeverityText = Literal["critical", "high", "medium", "low", "info"]
FrameworkText = Literal[
    "", "dengbao", "cis_linux", "cis_docker", "cis_kubernetes", "iso27001", "nist_csf"
]

#: Most findings the table shows (the rest are counted; filters narrow them down).
FINDINGS_SHOWN = 1000
#: Failures listed per group of the "changes since the previous scan" box.
CHANGES_SHOWN = 50
REPORTS = (("zh-CN", "pdf"), ("zh-CN", "html"), ("en", "pdf"), ("en", "html"))


@router.get("/checks/scans/{scan_id}", include_in_schema=False)
def scan_page(
    request: Request,
    viewer: Reader,
    scan_id: Ident,
    status: Annotated[list[StatusText] | None, Query()] = None,
    severity: Annotated[list[SeverityText] | None, Query()] = None,
    check: Annotated[str, Query(max_length=96, pattern=f"^({CHECK_ID.pattern[1:-1]})?$")] = "",
    framework: Annotated[FrameworkText, Query()] = "",
) -> HTMLResponse:
    """A scan: who ran it and when, scores per framework, changes, findings (filtered)."""
    gettext = translations(viewer.language).gettext
    store = platform_of(request).scans
    stored = store.get(scan_id)
    statuses = list(dict.fromkeys(status or ()))
    severities = list(dict.fromkeys(severity or ()))
    everything = store.findings(scan_id)
    chosen = store.findings(scan_id, statuses=statuses, severities=severities, check_id=check)
    if framework:
        chosen = [f for f in chosen if in_framework(f.finding, framework)]
    shown = ordered(chosen)
    filtered = bool(statuses or severities or check or framework)
    context: dict[str, Any] = {
        "scan": stored,
        "findings": shown[:FINDINGS_SHOWN],
        "matched": len(shown),
        "truncated": len(shown) > FINDINGS_SHOWN,
        "filtered": filtered,
        "chosen_statuses": statuses,
        "chosen_severities": severities,
        "check": check,
        "framework": framework,
        "names": labels(viewer.language),
        "severity_class": SEVERITY_CLASS,
        "title_of": lambda check_id: check_title(check_id, viewer.language),
    }
    if is_htmx(request):
        return render(
            request, "checks_findings.html", viewer=viewer, language=viewer.language, **context
        )
    previous = store.previous(stored)
    changes = (
        diff(stored, everything, previous, store.findings(previous.id))
        if previous is not None
        else None
    )
    check_ids = sorted({f.finding.check_id for f in everything})
    return render(
        request,
        "checks_scan.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Scan") + f" #{stored.id}",
        previous=previous,
        changes=changes,
        changes_shown=CHANGES_SHOWN,
        scores=scores(stored, viewer.language),
        counts=counts_text(stored.counts),
        duration=duration_text(stored, viewer.language),
        ran_by=who(stored.created_by, viewer.language),
        check_ids=check_ids,
        frameworks=[f for f in FRAMEWORKS if f in stored.scores] or list(FRAMEWORKS),
        reports=REPORTS,
        **context,
    )


@router.get("/checks/scans/{scan_id}/report", include_in_schema=False)
async def report(
    request: Request,
    viewer: Reader,
    scan_id: Ident,
    lang: Annotated[Literal["zh-CN", "en"], Query()] = "zh-CN",
    report_format: Annotated[Literal["pdf", "html"], Query(alias="format")] = "pdf",
) -> Response:
    """The scan's audit report (《网络安全审计报告》) as a download."""
    platform = platform_of(request)
    await run_in_threadpool(platform.scans.get, scan_id)  # 404 before the slow part
    body = await run_in_threadpool(Compliance(platform).report, [scan_id], lang, report_format)
    media = "application/pdf" if report_format == "pdf" else "text/html; charset=utf-8"
    name = f"audit-report-{scan_id}-{lang}.{report_format}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/checks/scans/{scan_id}/sarif", include_in_schema=False)
def sarif(request: Request, viewer: Reader, scan_id: Ident) -> Response:
    """The scan's failures as a SARIF 2.1.0 log, as a download."""
    platform = platform_of(request)
    platform.scans.get(scan_id)
    log = Compliance(platform).sarif(scan_id)
    return Response(
        orjson.dumps(log, option=orjson.OPT_INDENT_2),
        media_type="application/sarif+json",
        headers={"Content-Disposition": f'attachment; filename="scan-{scan_id}.sarif"'},
    )


def _link(reference: str) -> str | None:
    """A reference as a link target: only http(s) URLs are links, the rest is text."""
    parts = urlsplit(reference)
    return reference if parts.scheme in ("http", "https") and parts.netloc else None


@router.get("/checks/findings/{finding_id}", include_in_schema=False)
def finding_page(request: Request, viewer: Reader, finding_id: Ident) -> HTMLResponse:
    """A finding with its check's explanation, remediation, references and mappings."""
    gettext = translations(viewer.language).gettext
    store = platform_of(request).scans
    stored = store.finding(finding_id)
    scan = store.get(stored.scan_id)
    meta = metadata().get(stored.finding.check_id)
    references = [(r, _link(r)) for r in meta.references] if meta is not None else []
    mappings = {k: tuple(v) for k, v in stored.finding.frameworks.items() if v}
    if not mappings and meta is not None:
        mappings = {k: tuple(v) for k, v in meta.mappings.model_dump().items() if v}
    return render(
        request,
        "checks_finding.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Finding") + f" #{stored.id}",
        stored=stored,
        finding=stored.finding,
        scan=scan,
        meta=meta,
        check_title=check_title(stored.finding.check_id, viewer.language),
        references=references,
        mappings=mappings,
        names=labels(viewer.language),
        severity_class=SEVERITY_CLASS,
    )
