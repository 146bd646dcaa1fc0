"""REST API v1: baseline checks, scans with their findings and scores, targets, reports.

Scopes: reading needs ``read``; scanning a stored target needs ``write``; ad-hoc scans (which
read this server's files or reach any address) and changing targets need ``admin``. Scans run
in a worker thread so the server keeps answering.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from garrison.checks.loader import all_checks
from garrison.checks.scan import KINDS
from garrison.checks.targets import ScanTarget
from garrison.compliance import Compliance, Outcome
from garrison.core.errors import InputError
from garrison.platform import Platform
from garrison.serve.api import Admin, Ident, Reader, Writer

TargetName = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
StatusText = Literal["pass", "fail", "manual", "not_applicable", "error"]
SeverityText = Literal["critical", "high", "medium", "low", "info"]


class ScanIn(BaseModel):
    """An ad-hoc scan."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["host", "web", "config"]
    address: str = Field(
        min_length=1,
        max_length=4096,
        description="host: 'local' or ssh://user@host[:port]; web: a URL; config: paths",
    )
    checks: list[Annotated[str, Field(max_length=96)]] = Field(default_factory=list, max_length=500)
    options: dict[str, str | bool | list[str]] = Field(default_factory=dict, max_length=20)


class TargetIn(BaseModel):
    """A scan target."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["host", "web", "config"]
    address: str = Field(min_length=1, max_length=4096)
    schedule: str | None = Field(
        default=None, max_length=128, description="cron, e.g. '0 7 * * 1-5'"
    )
    enabled: bool = True
    options: dict[str, str | bool | list[str]] = Field(default_factory=dict, max_length=20)


def _outcome(outcome: Outcome) -> dict[str, Any]:
    data: dict[str, Any] = outcome.stored.to_json() if outcome.stored else {}
    data["previous_id"] = outcome.previous.id if outcome.previous else None
    data["alerted"] = len(outcome.alerted)
    data["failures"] = [f.to_json() for f in outcome.scan.failed()]
    return data


def _target(target: ScanTarget) -> dict[str, Any]:
    return {
        "id": target.id,
        "name": target.name,
        "kind": target.kind,
        "address": target.address,
        "schedule": target.schedule,
        "enabled": target.enabled,
        "next_run": target.next_run.isoformat() if target.next_run else None,
        "options": dict(target.options),
    }


def create_checks_router(platform: Platform) -> APIRouter:
    """The check, scan and scan-target routes around a platform."""
    router = APIRouter(prefix="/api/v1")
    compliance = Compliance(platform)

    @router.get("/checks", tags=["checks"])
    def list_checks(_: Reader) -> list[dict[str, Any]]:
        """Every check with its metadata (titles in both languages, severity, mappings)."""
        return [c.metadata.model_dump(by_alias=True, mode="json") for c in all_checks()]

    @router.get("/scans", tags=["checks"])
    def list_scans(
        _: Reader,
        target: Annotated[str | None, Query(max_length=512)] = None,
        kind: Annotated[str | None, Query(pattern="^(host|web|config)$")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    ) -> list[dict[str, Any]]:
        """Scans, newest first, with counts by status and scores per framework."""
        found = platform.scans.scans(target=target, kind=kind, limit=limit, before=before)
        return [s.to_json() for s in found]

    @router.post("/scans", tags=["checks"], status_code=201)
    async def run_scan(who: Admin, body: ScanIn) -> dict[str, Any]:
        """Run an ad-hoc scan now and store it (admin: it reads this server or any address)."""
        if body.kind not in KINDS:  # pragma: no cover - the schema already says so
            raise InputError(f"unknown kind {body.kind!r}")
        outcome = await run_in_threadpool(
            compliance.scan,
            body.kind,
            body.address,
            actor=who.actor,
            options=dict(body.options),
            ids=tuple(body.checks),
        )
        return _outcome(outcome)

    @router.get("/scans/{scan_id}", tags=["checks"])
    def get_scan(_: Reader, scan_id: Ident) -> dict[str, Any]:
        """One scan with the id of the previous scan of the same target."""
        stored = platform.scans.get(scan_id)
        previous = platform.scans.previous(stored)
        data = stored.to_json()
        data["previous_id"] = previous.id if previous else None
        return data

    @router.get("/scans/{scan_id}/findings", tags=["checks"])
    def scan_findings(
        _: Reader,
        scan_id: Ident,
        status: Annotated[list[StatusText] | None, Query()] = None,
        severity: Annotated[list[SeverityText] | None, Query()] = None,
        check_id: Annotated[str | None, Query(max_length=96)] = None,
    ) -> list[dict[str, Any]]:
        """The findings of a scan (the ``--json`` form plus ids), filtered."""
        found = platform.scans.findings(
            scan_id, statuses=status or (), severities=severity or (), check_id=check_id
        )
        return [{"id": f.id, "scan_id": f.scan_id, **f.finding.to_json()} for f in found]

    @router.get("/findings/{finding_id}", tags=["checks"])
    def get_finding(_: Reader, finding_id: Ident) -> dict[str, Any]:
        """One finding."""
        found = platform.scans.finding(finding_id)
        return {"id": found.id, "scan_id": found.scan_id, **found.finding.to_json()}

    @router.get("/scans/{scan_id}/report", tags=["checks"])
    async def scan_report(
        _: Reader,
        scan_id: Ident,
        format: Annotated[Literal["pdf", "html"], Query()] = "pdf",
        language: Annotated[Literal["zh-CN", "en"], Query()] = "zh-CN",
    ) -> Response:
        """The audit report (《网络安全审计报告》) of a scan, PDF or HTML."""
        platform.scans.get(scan_id)
        data = await run_in_threadpool(compliance.report, [scan_id], language, format)
        media = "application/pdf" if format == "pdf" else "text/html; charset=utf-8"
        name = f"audit-report-{scan_id}-{language}.{format}"
        return Response(
            data,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.get("/scans/{scan_id}/sarif", tags=["checks"])
    def scan_sarif(_: Reader, scan_id: Ident) -> dict[str, Any]:
        """The scan's failures as a SARIF 2.1.0 log, for code-scanning tools."""
        return compliance.sarif(scan_id)

    @router.get("/scan-targets", tags=["checks"])
    def list_targets(_: Reader) -> list[dict[str, Any]]:
        """Scan targets with their schedules and next runs."""
        return [_target(t) for t in platform.scans.targets()]

    @router.put("/scan-targets/{name}", tags=["checks"])
    def put_target(who: Admin, name: TargetName, body: TargetIn) -> dict[str, Any]:
        """Add or replace a scan target; a schedule runs inside the scan window."""
        target = ScanTarget(
            name, body.kind, body.address, dict(body.options), body.schedule, body.enabled
        )
        return _target(compliance.save_target(target, actor=who.actor))

    @router.delete("/scan-targets/{name}", tags=["checks"], status_code=204)
    def delete_target(who: Admin, name: TargetName) -> Response:
        """Remove a scan target (its scans stay in the history)."""
        platform.scans.remove_target(name, actor=who.actor)
        return Response(status_code=204)

    @router.post("/scan-targets/{name}/run", tags=["checks"], status_code=201)
    async def run_target(who: Writer, name: TargetName) -> dict[str, Any]:
        """Scan a stored target now."""
        outcome = await run_in_threadpool(compliance.run_target, name, actor=who.actor)
        return _outcome(outcome)

    return router
