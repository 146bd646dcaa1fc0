"""What a post-incident report (《安全事件处置报告》) is made of.

These values are the report's own input, independent of how incidents are stored: the incident
service maps its record onto them. Codes (grade, category, phase, statuses) are English
identifiers checked here and translated when rendering; everything else is text shown as given
(after masking personal data). Times must be timezone-aware and are kept in UTC; the renderer
shows them in the reader's zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

from garrison.core.errors import InputError

Grade = Literal["I", "II", "III", "IV"]
#: GB/T 20986-2023 categories, in the standard's order.
Category = Literal[
    "malware",
    "network_attack",
    "data_security",
    "content_security",
    "equipment_failure",
    "violation",
    "hidden_danger",
    "abnormal_behaviour",
    "force_majeure",
    "other",
]
#: Asset importance: 特别重要 / 重要 / 一般.
Importance = Literal["critical", "important", "general"]
TimelineKind = Literal["alert", "event", "action", "note", "phase"]
#: Response phases, in order (detect → triage/confirm → contain → eradicate → recover → review).
Phase = Literal["detect", "triage", "contain", "eradicate", "recover", "review"]
TaskStatus = Literal["open", "in_progress", "done", "skipped", "cancelled"]
SlaStatus = Literal["met", "breached", "open"]

GRADES: tuple[Grade, ...] = get_args(Grade)
CATEGORIES: tuple[Category, ...] = get_args(Category)
IMPORTANCES: tuple[Importance, ...] = get_args(Importance)
TIMELINE_KINDS: tuple[TimelineKind, ...] = get_args(TimelineKind)
PHASES: tuple[Phase, ...] = get_args(Phase)
TASK_STATUSES: tuple[TaskStatus, ...] = get_args(TaskStatus)
SLA_STATUSES: tuple[SlaStatus, ...] = get_args(SlaStatus)

_HEX = frozenset("0123456789abcdef")


def _choice(value: object, allowed: tuple[str, ...], what: str) -> None:
    if value not in allowed:
        raise InputError(
            f"unknown {what} {value!r} in report data",
            hint=f"use one of: {', '.join(allowed)}",
        )


def _utc(owner: object, name: str) -> None:
    """Check that a datetime field is aware and store it in UTC."""
    value = getattr(owner, name)
    if value is None:
        return
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InputError(
            f"{type(owner).__name__}.{name} must be a timezone-aware datetime, got {value!r}",
            hint="pass datetime values with tzinfo (UTC)",
        )
    # Frozen dataclasses: normalising in __post_init__ is the documented way to set a field.
    object.__setattr__(owner, name, value.astimezone(UTC))


def _non_negative(owner: object, name: str) -> None:
    value = getattr(owner, name)
    if value is not None and value < timedelta(0):
        raise InputError(f"{type(owner).__name__}.{name} must not be negative, got {value}")


@dataclass(frozen=True, slots=True)
class AffectedAsset:
    """An asset the incident touched.

    Attributes:
        name: Host name, system or service name.
        importance: ``critical`` (特别重要), ``important`` (重要) or ``general`` (一般).
        owner: The person or team responsible for it.
    """

    name: str
    importance: Importance
    owner: str

    def __post_init__(self) -> None:
        _choice(self.importance, IMPORTANCES, "asset importance")


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of the incident's course.

    Attributes:
        at: When it happened.
        kind: ``alert``, ``event``, ``action``, ``note`` or ``phase`` (a phase change).
        actor: Who did it (a person, ``system``, a playbook), if anyone.
        text: What happened.
    """

    at: datetime
    kind: TimelineKind
    text: str
    actor: str | None = None

    def __post_init__(self) -> None:
        _utc(self, "at")
        _choice(self.kind, TIMELINE_KINDS, "timeline kind")


@dataclass(frozen=True, slots=True)
class PhaseAction:
    """A task or action taken in one response phase.

    Attributes:
        phase: The phase it belongs to.
        title: What was (to be) done.
        owner: Who was responsible.
        status: ``open``, ``in_progress``, ``done``, ``skipped`` or ``cancelled``.
        done_at: When it was finished, if it was.
    """

    phase: Phase
    title: str
    owner: str | None = None
    status: TaskStatus = "done"
    done_at: datetime | None = None

    def __post_init__(self) -> None:
        _choice(self.phase, PHASES, "phase")
        _choice(self.status, TASK_STATUSES, "task status")
        _utc(self, "done_at")


@dataclass(frozen=True, slots=True)
class Losses:
    """The assessed loss.

    Attributes:
        text: Description of the loss and impact.
        amount: Estimated financial loss, if assessed.
        currency: ISO 4217 code of ``amount``.
    """

    text: str
    amount: Decimal | None = None
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if self.amount is not None and (not self.amount.is_finite() or self.amount < 0):
            raise InputError(f"loss amount must be a finite, non-negative number: {self.amount}")
        if len(self.currency) != 3 or not self.currency.isascii() or not self.currency.isupper():
            raise InputError(
                f"currency must be an ISO 4217 code, got {self.currency!r}", hint="e.g. CNY"
            )


@dataclass(frozen=True, slots=True)
class SlaResult:
    """How one SLA clock ended.

    Attributes:
        name: The clock: a known code (``confirm``, ``report``, ``escalate``, ``recover``,
            ``rpo``, ``post_incident_report``, ``review_meeting``) is translated; any other text
            is shown as given.
        deadline: When it was due.
        status: ``met``, ``breached`` or ``open`` (still running when the report was made).
        met_at: When it was met (also for a late one), if it was.
        duration: Time taken from the clock's start to ``met_at``, if known.
    """

    name: str
    deadline: datetime
    status: SlaStatus
    met_at: datetime | None = None
    duration: timedelta | None = None

    def __post_init__(self) -> None:
        _utc(self, "deadline")
        _utc(self, "met_at")
        _choice(self.status, SLA_STATUSES, "SLA status")
        _non_negative(self, "duration")


@dataclass(frozen=True, slots=True)
class MeasuredTimes:
    """Response times measured on the incident (``None`` where the step never happened)."""

    time_to_detect: timedelta | None = None
    time_to_acknowledge: timedelta | None = None
    time_to_contain: timedelta | None = None
    time_to_recover: timedelta | None = None
    time_to_close: timedelta | None = None

    def __post_init__(self) -> None:
        for item in fields(self):
            _non_negative(self, item.name)


@dataclass(frozen=True, slots=True)
class Attachment:
    """Evidence or a document attached to the incident.

    Attributes:
        name: File name.
        sha256: Hex SHA-256 of its content (64 characters).
        size: Size in bytes.
    """

    name: str
    sha256: str
    size: int

    def __post_init__(self) -> None:
        digest = self.sha256.lower()
        if len(digest) != 64 or not set(digest) <= _HEX:
            raise InputError(f"attachment {self.name!r}: sha256 must be 64 hex digits")
        object.__setattr__(self, "sha256", digest)
        if self.size < 0:
            raise InputError(f"attachment {self.name!r}: size must not be negative")


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything a 《安全事件处置报告》 / Security Incident Handling Report shows.

    Attributes:
        incident_id: The incident's identifier, shown as given (not masked).
        title: The incident's title.
        summary: Summary of the incident (free text; line breaks are kept).
        grade: GB/T 20986 grade ``I`` (特别重大, red) ... ``IV`` (一般, blue).
        category: GB/T 20986-2023 category code (``malware``, ``network_attack``, ...).
        subcategory: The subcategory's display name, as the caller's taxonomy names it.
        detected_at: When the incident was first detected.
        opened_at: When the incident record was opened.
        closed_at: When it was closed, if it is.
        generated_at: When the report is made (from the caller's clock).
        reporter: Who reported it.
        handlers: Who handled it.
        assets: Affected assets.
        timeline: The course of the incident, in any order (rendered by time).
        actions: Tasks and actions, each tagged with its phase (rendered grouped by phase).
        losses: The assessed loss.
        root_cause: The root cause analysis.
        sla: SLA clock results.
        measured: Measured response times.
        improvements: Improvement measures, one per item.
        attachments: Attached files.
    """

    incident_id: str
    title: str
    summary: str
    grade: Grade
    category: Category
    detected_at: datetime
    opened_at: datetime
    generated_at: datetime
    reporter: str
    subcategory: str | None = None
    closed_at: datetime | None = None
    handlers: tuple[str, ...] = ()
    assets: tuple[AffectedAsset, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    actions: tuple[PhaseAction, ...] = ()
    losses: Losses | None = None
    root_cause: str = ""
    sla: tuple[SlaResult, ...] = ()
    measured: MeasuredTimes = field(default_factory=MeasuredTimes)
    improvements: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def __post_init__(self) -> None:
        _choice(self.grade, GRADES, "grade")
        _choice(self.category, CATEGORIES, "category")
        for name in ("detected_at", "opened_at", "generated_at", "closed_at"):
            _utc(self, name)
        for name in _SEQUENCES:
            value: Any = getattr(self, name)
            if not isinstance(value, tuple):
                # Lists are accepted for convenience but stored as tuples so the value stays
                # hashable and immutable like the rest of the record.
                object.__setattr__(self, name, tuple(value))


_SEQUENCES = ("handlers", "assets", "timeline", "actions", "sla", "improvements", "attachments")
