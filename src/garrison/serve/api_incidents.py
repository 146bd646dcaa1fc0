"""REST API v1: incidents (open, attach, phases, milestones, grade, notes, tasks) and assets.

Scopes as elsewhere: reading needs ``read``, changing incidents ``write``, replacing the asset
list ``admin``. Every change is audited with the token's or the person's name.
"""

from __future__ import annotations

import tempfile
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from garrison.core.errors import RequestTooLargeError
from garrison.incidents.assets import Asset, parse_csv, parse_yaml
from garrison.incidents.grading import IMPACT, LOSS, Grade
from garrison.incidents.phases import Phase
from garrison.incidents.sla import Milestone
from garrison.platform import Platform
from garrison.serve.api import Admin, Ident, Reader, Writer
from garrison.storage.sql.incident_merge import merge, split

GradeText = Literal["I", "II", "III", "IV"]


class IncidentIn(BaseModel):
    """A new incident."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=512)
    alert_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list, max_length=1000
    )
    type: str | None = Field(default=None, max_length=32)
    category: str | None = Field(default=None, max_length=32)
    subcategory: str | None = Field(default=None, max_length=64)
    loss: str = Field(default="considerable", description=", ".join(LOSS))
    impact: str = Field(default="general", description=", ".join(IMPACT))
    grade: GradeText | None = None
    grade_reason: str | None = Field(default=None, max_length=2000)
    summary: str | None = Field(default=None, max_length=20_000)


class TransitionIn(BaseModel):
    """A phase change."""

    model_config = ConfigDict(extra="forbid")

    phase: Phase
    reason: str = Field(min_length=1, max_length=2000)


class MarkIn(BaseModel):
    """A milestone reached by hand."""

    model_config = ConfigDict(extra="forbid")

    milestone: Literal["reported", "escalated", "report_filed", "reviewed"]
    note: str = Field(default="", max_length=2000)


class RegradeIn(BaseModel):
    """A grade override."""

    model_config = ConfigDict(extra="forbid")

    grade: GradeText
    reason: str = Field(min_length=1, max_length=2000)


class AttachIn(BaseModel):
    """Alerts to attach."""

    model_config = ConfigDict(extra="forbid")

    alert_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        min_length=1, max_length=1000
    )


class NoteIn(BaseModel):
    """A note for the timeline."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=10_000)


class MergeIn(BaseModel):
    """An incident to merge into this one."""

    model_config = ConfigDict(extra="forbid")

    source_id: int = Field(ge=1, le=2**63 - 1)
    reason: str = Field(min_length=1, max_length=2000)


class SplitIn(BaseModel):
    """Alerts to move into a new incident."""

    model_config = ConfigDict(extra="forbid")

    alert_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        min_length=1, max_length=1000
    )
    title: str = Field(min_length=1, max_length=512)
    reason: str = Field(min_length=1, max_length=2000)


class EventEvidenceIn(BaseModel):
    """A stored event to attach as evidence."""

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(pattern="^[0-9a-f]{32}$")
    description: str | None = Field(default=None, max_length=2000)


class AssetIn(BaseModel):
    """One asset."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=256)
    importance: Literal["critical", "important", "general"]
    owner: str | None = Field(default=None, max_length=256)
    addresses: list[Annotated[str, Field(max_length=256)]] = Field(
        default_factory=list, max_length=1000
    )
    kind: str | None = Field(default=None, max_length=64)
    description: str | None = Field(default=None, max_length=2000)


class AssetImportIn(BaseModel):
    """An asset file's text."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "yaml"]
    content: str = Field(min_length=1, max_length=5 * 1024 * 1024)
    replace: bool = False


def create_incident_router(platform: Platform) -> APIRouter:
    """The incident and asset routes around a platform."""
    router = APIRouter(prefix="/api/v1")

    def _out(incident_id: int) -> dict[str, Any]:
        return platform.incidents.get(incident_id).to_dict(platform.now())

    @router.get("/incidents", tags=["incidents"])
    def list_incidents(
        _: Reader,
        include_closed: bool = False,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        """Incidents, most severe and newest first, with the state of each SLA clock."""
        now = platform.now()
        found = platform.incidents.list(open_only=not include_closed, limit=limit)
        return [i.to_dict(now) for i in found]

    @router.get("/incidents/{incident_id}", tags=["incidents"])
    def get_incident(_: Reader, incident_id: Ident) -> dict[str, Any]:
        """One incident with its clocks, tasks and timeline."""
        data = _out(incident_id)
        data["timeline"] = [e.to_dict() for e in platform.incidents.timeline(incident_id)]
        return data

    @router.post("/incidents", tags=["incidents"], status_code=201)
    def open_incident(who: Writer, body: IncidentIn) -> dict[str, Any]:
        """Open an incident (from alerts or by hand); graded from the affected assets."""
        incident = platform.incidents.open(
            body.title,
            actor=who.actor,
            alert_ids=body.alert_ids,
            incident_type=body.type,
            category=body.category,
            subcategory=body.subcategory,
            loss=body.loss,
            impact=body.impact,
            grade=Grade(body.grade) if body.grade else None,
            grade_reason=body.grade_reason,
            summary=body.summary,
        )
        return incident.to_dict(platform.now())

    @router.post("/incidents/{incident_id}/transition", tags=["incidents"])
    def transition(who: Writer, incident_id: Ident, body: TransitionIn) -> dict[str, Any]:
        """Move to the next phase (invalid moves answer 400)."""
        platform.incidents.transition(incident_id, body.phase, actor=who.actor, reason=body.reason)
        return _out(incident_id)

    @router.post("/incidents/{incident_id}/mark", tags=["incidents"])
    def mark(who: Writer, incident_id: Ident, body: MarkIn) -> dict[str, Any]:
        """Record a milestone reached by hand (reported, escalated, report filed, reviewed)."""
        platform.incidents.mark(
            incident_id, Milestone(body.milestone), actor=who.actor, note=body.note
        )
        return _out(incident_id)

    @router.post("/incidents/{incident_id}/regrade", tags=["incidents"])
    def regrade(who: Writer, incident_id: Ident, body: RegradeIn) -> dict[str, Any]:
        """Override the grade with a reason; the clocks follow."""
        platform.incidents.regrade(
            incident_id, Grade(body.grade), actor=who.actor, reason=body.reason
        )
        return _out(incident_id)

    @router.post("/incidents/{incident_id}/alerts", tags=["incidents"])
    def attach(who: Writer, incident_id: Ident, body: AttachIn) -> dict[str, Any]:
        """Attach alerts to an open incident."""
        return platform.incidents.attach(incident_id, body.alert_ids, actor=who.actor).to_dict(
            platform.now()
        )

    @router.post("/incidents/{incident_id}/notes", tags=["incidents"], status_code=201)
    def note(who: Writer, incident_id: Ident, body: NoteIn) -> dict[str, str]:
        """Add a note to the timeline."""
        platform.incidents.note(incident_id, body.text, actor=who.actor)
        return {"status": "added"}

    @router.post("/incidents/tasks/{task_id}/done", tags=["incidents"])
    def task_done(who: Writer, task_id: Ident) -> dict[str, str]:
        """Mark a response task done."""
        platform.incidents.complete_task(task_id, actor=who.actor)
        return {"status": "done"}

    @router.get("/incidents/{incident_id}/report", tags=["incidents"])
    def incident_report(
        _: Reader,
        incident_id: Ident,
        lang: Literal["zh-CN", "en"] = "zh-CN",
        format: Literal["pdf", "html"] = "pdf",
    ) -> Response:
        """The post-incident report (安全事件处置报告), personal data masked, as a download."""
        body = platform.incident_report(incident_id, language=lang, fmt=format)
        media = "application/pdf" if format == "pdf" else "text/html; charset=utf-8"
        name = f"incident-{incident_id}-{lang}.{format}"
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.post("/incidents/{incident_id}/merge", tags=["incidents"])
    def merge_incident(who: Writer, incident_id: Ident, body: MergeIn) -> dict[str, Any]:
        """Merge another open incident into this one (its alerts, tasks, evidence, timeline)."""
        return merge(
            platform.incidents, incident_id, body.source_id, actor=who.actor, reason=body.reason
        ).to_dict(platform.now())

    @router.post("/incidents/{incident_id}/split", tags=["incidents"], status_code=201)
    def split_incident(who: Writer, incident_id: Ident, body: SplitIn) -> dict[str, Any]:
        """Move some alerts into a new incident (graded afresh); returns the new incident."""
        return split(
            platform.incidents,
            incident_id,
            body.alert_ids,
            title=body.title,
            actor=who.actor,
            reason=body.reason,
        ).to_dict(platform.now())

    @router.get("/incidents/{incident_id}/evidence", tags=["evidence"])
    def list_evidence(_: Reader, incident_id: Ident) -> list[dict[str, Any]]:
        """An incident's evidence (files, events, notes) with SHA-256, size, who and when."""
        platform.incidents.get(incident_id)
        return [e.to_dict() for e in platform.evidence.list(incident_id)]

    @router.post("/incidents/{incident_id}/evidence", tags=["evidence"], status_code=201)
    async def add_evidence(
        who: Writer,
        incident_id: Ident,
        request: Request,
        name: Annotated[str, Query(min_length=1, max_length=256)],
        description: Annotated[str | None, Query(max_length=2000)] = None,
    ) -> dict[str, Any]:
        """Upload a file as evidence (the raw request body); it is sealed at rest.

        The body may be up to ``max_evidence_bytes`` (settings); it is spooled to a temporary
        file, not held in memory.
        """
        limit = platform.settings.max_evidence_bytes
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise RequestTooLargeError(f"evidence exceeds {limit} bytes")
                spool.write(chunk)
            spool.seek(0)
            item = await run_in_threadpool(
                platform.evidence.add_file,
                incident_id,
                name,
                spool,  # type: ignore[arg-type]
                actor=who.actor,
                description=description,
            )
        return item.to_dict()

    @router.post("/incidents/{incident_id}/evidence/events", tags=["evidence"], status_code=201)
    def add_event_evidence(
        who: Writer, incident_id: Ident, body: EventEvidenceIn
    ) -> dict[str, Any]:
        """Attach a stored event as evidence."""
        return platform.evidence.add_event(
            incident_id, body.event_id, actor=who.actor, description=body.description
        ).to_dict()

    @router.get("/evidence/{evidence_id}", tags=["evidence"])
    def download_evidence(
        who: Reader, evidence_id: Annotated[str, PathParam(pattern="^[0-9a-f]{32}$")]
    ) -> Response:
        """Download an evidence file (checked against its SHA-256; the access is logged)."""
        item, data = platform.evidence.read(evidence_id, actor=who.actor)
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in item.name)
        return Response(
            data,
            media_type="application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{safe}"',
                "X-Content-SHA256": item.sha256 or "",
            },
        )

    @router.get("/evidence/{evidence_id}/custody", tags=["evidence"])
    def evidence_custody(
        _: Reader, evidence_id: Annotated[str, PathParam(pattern="^[0-9a-f]{32}$")]
    ) -> list[dict[str, Any]]:
        """Every access to one piece of evidence, oldest first."""
        return platform.evidence.custody(evidence_id)

    @router.get("/responders", tags=["incidents"])
    def list_responders(_: Reader) -> dict[str, list[str]]:
        """The response roles (command, technical, communication) and their members."""
        return platform.responders.members()

    @router.post("/responders/{role}/{user}", tags=["incidents"])
    def add_responder(
        who: Admin,
        role: Literal["command", "technical", "communication"],
        user: Annotated[str, PathParam(max_length=64)],
    ) -> dict[str, list[str]]:
        """Put a user in a response role (audited)."""
        platform.responders.add(role, user, actor=who.actor)
        return platform.responders.members()

    @router.delete("/responders/{role}/{user}", tags=["incidents"])
    def remove_responder(
        who: Admin,
        role: Literal["command", "technical", "communication"],
        user: Annotated[str, PathParam(max_length=64)],
    ) -> dict[str, list[str]]:
        """Take a user out of a response role (audited)."""
        platform.responders.remove(role, user, actor=who.actor)
        return platform.responders.members()

    @router.get("/assets", tags=["assets"])
    def list_assets(_: Reader) -> list[dict[str, object]]:
        """The asset list."""
        return [a.to_dict() for a in platform.assets.list()]

    @router.put("/assets", tags=["assets"])
    def put_assets(who: Admin, body: list[AssetIn]) -> dict[str, int]:
        """Replace the asset list (audited)."""
        assets = [
            Asset(a.name, a.importance, a.owner, tuple(a.addresses), a.kind, a.description)
            for a in body
        ]
        return {"imported": platform.assets.upsert(assets, actor=who.actor, replace=True)}

    @router.post("/assets/import", tags=["assets"])
    def import_assets(who: Admin, body: AssetImportIn) -> dict[str, int]:
        """Import a CSV or YAML asset file (all or nothing; problems answer 400 with places)."""
        parse = parse_csv if body.format == "csv" else parse_yaml
        assets = parse(body.content, f"assets.{body.format}")
        return {"imported": platform.assets.upsert(assets, actor=who.actor, replace=body.replace)}

    return router
