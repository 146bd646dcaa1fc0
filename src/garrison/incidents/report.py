"""From an incident's record to the post-incident report's data (《安全事件处置报告》)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from garrison.incidents.assets import Asset
from garrison.incidents.model import Incident
from garrison.incidents.model import TimelineEntry as IncidentEntry
from garrison.incidents.phases import Phase
from garrison.incidents.sla import Milestone, measures
from garrison.reports.model import (
    AffectedAsset,
    Category,
    Importance,
    MeasuredTimes,
    PhaseAction,
    ReportData,
    SlaResult,
    SlaStatus,
    TimelineEntry,
    TimelineKind,
)
from garrison.reports.model import Phase as ReportPhase

#: Our clock names -> the report's.
_SLA_NAMES = {"post_report": "post_incident_report", "review": "review_meeting"}
#: Our timeline kinds -> the report's (SLA warnings and breaches are actions of the system).
_KINDS = {"sla": "action"}


def _person(actor: str) -> str:
    return actor.split(":", 1)[1] if actor.startswith(("user:", "cli:", "token:")) else actor


def report_data(
    incident: Incident,
    timeline: Iterable[IncidentEntry],
    assets: Iterable[Asset],
    *,
    now: datetime,
    language: str,
) -> ReportData:
    """The report of ``incident`` as of ``now``, with tasks titled in ``language``."""
    entries = list(timeline)
    known = {a.name: a for a in assets}
    people = sorted(
        {_person(e.actor) for e in entries if e.actor.startswith(("user:", "cli:"))}
        | {_person(t.done_by) for t in incident.tasks if t.done_by}
    )
    sla = []
    for d in incident.deadlines:
        met = d.met_at is not None and d.met_at <= now
        status: SlaStatus
        if d.met_at is not None and met:
            status = "met" if d.met_at <= d.due else "breached"
        else:
            status = "breached" if now >= d.due else "open"
        sla.append(
            SlaResult(
                name=_SLA_NAMES.get(d.kind, d.kind),
                deadline=d.due,
                status=status,
                met_at=d.met_at if met else None,
                duration=d.met_at - d.start if met and d.met_at else None,
            )
        )
    times = measures(incident.milestones, incident.first_event_at)
    return ReportData(
        incident_id=f"INC-{incident.id}",
        title=incident.title,
        summary=incident.summary or "",
        grade=incident.grade.value,
        category=cast(Category, incident.category),
        subcategory=incident.subcategory,
        detected_at=incident.milestones.get(Milestone.DETECTED, incident.created_at),
        opened_at=incident.milestones.get(Milestone.OPENED, incident.created_at),
        closed_at=incident.milestones.get(Milestone.CLOSED),
        generated_at=now,
        reporter=_person(incident.opened_by),
        handlers=tuple(people),
        assets=tuple(
            AffectedAsset(
                name=name,
                importance=cast(Importance, known[name].importance if name in known else "general"),
                owner=(known[name].owner or "—") if name in known else "—",
            )
            for name in incident.assets
        ),
        timeline=tuple(
            TimelineEntry(
                at=e.at,
                kind=cast(TimelineKind, _KINDS.get(e.kind, e.kind)),
                text=e.text,
                actor=_person(e.actor),
            )
            for e in entries
        ),
        actions=tuple(
            PhaseAction(
                phase=cast(ReportPhase, t.phase.value),
                title=t.title_zh if language == "zh-CN" else t.title_en,
                owner=t.owner or (t.done_by and _person(t.done_by)),
                status="done" if t.done_at else "open",
                done_at=t.done_at,
            )
            for t in incident.tasks
            if t.phase is not Phase.CLOSED
        ),
        losses=None,
        root_cause=incident.root_cause or "",
        sla=tuple(sla),
        measured=MeasuredTimes(**{k: v for k, v in times.items()}),
        improvements=tuple(
            line.strip() for line in (incident.improvements or "").splitlines() if line.strip()
        ),
    )
