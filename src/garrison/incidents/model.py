"""What an incident is, as the store returns it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from garrison.incidents.grading import Grade
from garrison.incidents.phases import Phase
from garrison.incidents.sla import Deadline, Milestone


def _iso(when: datetime | None) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


@dataclass(frozen=True, slots=True)
class Task:
    """A response task."""

    id: int
    phase: Phase
    role: str
    title_zh: str
    title_en: str
    owner: str | None
    due: datetime
    done_at: datetime | None
    done_by: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "phase": self.phase.value,
            "role": self.role,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "owner": self.owner,
            "due": _iso(self.due),
            "done_at": _iso(self.done_at),
            "done_by": self.done_by,
        }


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """Something that happened in an incident (alert, phase change, note, SLA event...)."""

    at: datetime
    kind: str
    actor: str
    text: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "at": _iso(self.at),
            "kind": self.kind,
            "actor": self.actor,
            "text": self.text,
            "data": self.data,
        }


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident with its grade, phase, clocks and work.

    Attributes:
        id: Its number.
        title: Short description.
        type: Incident type (task templates): ``brute_force``, ``malware``, ...
        category: GB/T 20986 category code, with ``subcategory``.
        grade: The grade in force; ``computed_grade`` is what the rules gave, and
            ``grade_reason`` why someone overrode it.
        importance: Of the most important affected asset; ``loss`` and ``impact`` as assessed.
        phase: Where the response stands.
        entities: Attacker-side and affected entities (``ip:...``, ``user:...``, ``host:...``).
        assets: Names of the affected assets, most important first.
        milestones: Moments reached (detected, confirmed, ...).
        deadlines: The SLA clocks.
        alert_ids: Alerts attached.
        tasks: Response tasks.
    """

    id: int
    title: str
    type: str
    category: str
    subcategory: str | None
    grade: Grade
    computed_grade: Grade
    grade_reason: str | None
    importance: str
    loss: str
    impact: str
    phase: Phase
    entities: tuple[str, ...]
    assets: tuple[str, ...]
    milestones: dict[Milestone, datetime]
    first_event_at: datetime | None
    summary: str | None
    root_cause: str | None
    losses: str | None
    improvements: str | None
    opened_by: str
    owner: str | None
    created_at: datetime
    updated_at: datetime
    deadlines: tuple[Deadline, ...] = ()
    alert_ids: tuple[int, ...] = ()
    tasks: tuple[Task, ...] = field(default_factory=tuple)

    @property
    def is_open(self) -> bool:
        """Not closed yet."""
        return self.phase is not Phase.CLOSED

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """JSON-ready form; with ``now``, each deadline carries its state."""
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "category": self.category,
            "subcategory": self.subcategory,
            "grade": self.grade.value,
            "colour": self.grade.colour,
            "computed_grade": self.computed_grade.value,
            "grade_reason": self.grade_reason,
            "importance": self.importance,
            "loss": self.loss,
            "impact": self.impact,
            "phase": self.phase.value,
            "entities": list(self.entities),
            "assets": list(self.assets),
            "milestones": {m.value: _iso(t) for m, t in self.milestones.items()},
            "first_event_at": _iso(self.first_event_at),
            "summary": self.summary,
            "root_cause": self.root_cause,
            "losses": self.losses,
            "improvements": self.improvements,
            "opened_by": self.opened_by,
            "owner": self.owner,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "deadlines": [
                {
                    "kind": d.kind,
                    "start": _iso(d.start),
                    "due": _iso(d.due),
                    "warn_at": _iso(d.warn_at),
                    "met_at": _iso(d.met_at),
                    **({"state": d.state(now).value} if now is not None else {}),
                }
                for d in self.deadlines
            ],
            "alert_ids": list(self.alert_ids),
            "tasks": [t.to_dict() for t in self.tasks],
        }
