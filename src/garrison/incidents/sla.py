"""SLA clocks: deadlines per grade, warnings at 80 %, breaches, and measured times.

A clock starts at one milestone of the incident (detection, recovery) and stops at another
(confirmation, the report to the security department, escalation, recovery, the post-incident
report, the review meeting). Its length depends on the grade; a grade without a length has no
such clock. Everything here is pure: the store keeps the deadlines, and the worker's sweep asks
:meth:`Deadline.state` what is due (so clocks survive restarts).

Defaults come from the source documents (REQUIREMENTS.md C3): confirm within 15 minutes (001),
report within 1 hour of detection (000 §5.2.1), escalate to the command group within 2 hours
for grade II and above, recover within the RTO (red 1 h, orange 4 h, yellow 8 h; 001), the
post-incident report within 72 hours of recovery (000, 001) and the review meeting within 7
days.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from garrison.incidents.grading import Grade


class Milestone(StrEnum):
    """Moments in an incident's life that start or stop clocks."""

    DETECTED = "detected"  # the first alert (or the reporter's observation)
    OPENED = "opened"
    CONFIRMED = "confirmed"  # triage done: it is an incident
    REPORTED = "reported"  # reported to the security department / management
    ESCALATED = "escalated"  # the command group (应急指挥部) took charge
    CONTAINED = "contained"
    RECOVERED = "recovered"
    REPORT_FILED = "report_filed"  # the post-incident report (安全事件处置报告)
    REVIEWED = "reviewed"  # the review meeting was held
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ClockRule:
    """One kind of clock.

    Attributes:
        kind: Its name (``confirm``, ``report``, ...).
        starts: The milestone that starts it.
        stops: The milestone that stops it (meets it).
        minutes: Its length per grade; a grade missing here has no such clock.
    """

    kind: str
    starts: Milestone
    stops: Milestone
    minutes: Mapping[Grade, int]


_ALL = (Grade.I, Grade.II, Grade.III, Grade.IV)

DEFAULT_RULES: tuple[ClockRule, ...] = (
    ClockRule("confirm", Milestone.DETECTED, Milestone.CONFIRMED, dict.fromkeys(_ALL, 15)),
    ClockRule("report", Milestone.DETECTED, Milestone.REPORTED, dict.fromkeys(_ALL, 60)),
    ClockRule("escalate", Milestone.DETECTED, Milestone.ESCALATED, {Grade.I: 120, Grade.II: 120}),
    ClockRule(
        "recover",
        Milestone.DETECTED,
        Milestone.RECOVERED,
        {Grade.I: 60, Grade.II: 240, Grade.III: 480},
    ),
    ClockRule(
        "post_report", Milestone.RECOVERED, Milestone.REPORT_FILED, dict.fromkeys(_ALL, 72 * 60)
    ),
    ClockRule("review", Milestone.RECOVERED, Milestone.REVIEWED, dict.fromkeys(_ALL, 7 * 24 * 60)),
)

#: Recovery point objectives (the data loss tolerated), per grade, in minutes.
DEFAULT_RPO: Mapping[Grade, int] = {Grade.I: 5, Grade.II: 30, Grade.III: 60}


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    """The clocks in force.

    Attributes:
        rules: The kinds of clock.
        warn_ratio: Share of a clock's time after which it warns (0.8: at 80 %).
        rpo_minutes: Recovery point objective per grade (a target shown with the incident).
    """

    rules: tuple[ClockRule, ...] = DEFAULT_RULES
    warn_ratio: float = 0.8
    rpo_minutes: Mapping[Grade, int] = field(default_factory=lambda: dict(DEFAULT_RPO))


class ClockState(StrEnum):
    """Where a clock stands at a given moment."""

    RUNNING = "running"
    WARNING = "warning"  # past the warning point, not yet due
    BREACHED = "breached"  # due and not met
    MET = "met"
    MET_LATE = "met_late"


@dataclass(frozen=True, slots=True)
class Deadline:
    """One running or finished clock of an incident.

    Attributes:
        kind: The clock's kind.
        start: When it started.
        due: When it is due.
        warn_at: When it warns.
        met_at: When its stopping milestone was reached, if it was.
    """

    kind: str
    start: datetime
    due: datetime
    warn_at: datetime
    met_at: datetime | None = None

    def state(self, now: datetime) -> ClockState:
        """Where the clock stands at ``now``."""
        if self.met_at is not None and self.met_at <= now:
            return ClockState.MET if self.met_at <= self.due else ClockState.MET_LATE
        if now >= self.due:
            return ClockState.BREACHED
        if now >= self.warn_at:
            return ClockState.WARNING
        return ClockState.RUNNING

    def remaining(self, now: datetime) -> timedelta:
        """Time left until due (negative once overdue)."""
        return self.due - now


def deadlines(
    grade: Grade, milestones: Mapping[Milestone, datetime], policy: SlaPolicy | None = None
) -> list[Deadline]:
    """The clocks of an incident of ``grade`` that have started.

    Args:
        grade: The incident's grade (clocks depend on it).
        milestones: The milestones reached, with their times.
        policy: The clocks in force (default: the source documents').
    """
    policy = policy or SlaPolicy()
    found = []
    for rule in policy.rules:
        minutes = rule.minutes.get(grade)
        start = milestones.get(rule.starts)
        if minutes is None or start is None:
            continue
        length = timedelta(minutes=minutes)
        found.append(
            Deadline(
                kind=rule.kind,
                start=start,
                due=start + length,
                warn_at=start + length * policy.warn_ratio,
                met_at=milestones.get(rule.stops),
            )
        )
    return found


#: Measured times: name -> (from, to).
MEASURES: dict[str, tuple[Milestone, Milestone]] = {
    "time_to_acknowledge": (Milestone.DETECTED, Milestone.CONFIRMED),
    "time_to_contain": (Milestone.DETECTED, Milestone.CONTAINED),
    "time_to_recover": (Milestone.DETECTED, Milestone.RECOVERED),
    "time_to_close": (Milestone.DETECTED, Milestone.CLOSED),
}


def measures(
    milestones: Mapping[Milestone, datetime], first_event: datetime | None = None
) -> dict[str, timedelta | None]:
    """Time to detect (from the first event), acknowledge, contain, recover and close."""
    detected = milestones.get(Milestone.DETECTED)
    found: dict[str, timedelta | None] = {
        "time_to_detect": detected - first_event if detected and first_event else None
    }
    for name, (start, end) in MEASURES.items():
        a, b = milestones.get(start), milestones.get(end)
        found[name] = b - a if a is not None and b is not None else None
    return found
