"""Response phases and the transitions between them (000 §5.2.2, 002).

detect → triage → contain → eradicate → recover → review → closed. Each step goes one phase
forward; triage may also close an incident that turned out not to be one (a false alarm).
Entering a phase reaches a milestone that stops or starts SLA clocks.
"""

from __future__ import annotations

from enum import StrEnum

from garrison.core.errors import InputError
from garrison.incidents.sla import Milestone


class Phase(StrEnum):
    """Where the response stands."""

    DETECT = "detect"
    TRIAGE = "triage"
    CONTAIN = "contain"
    ERADICATE = "eradicate"
    RECOVER = "recover"
    REVIEW = "review"
    CLOSED = "closed"


ORDER = tuple(Phase)

#: Milestone reached on entering a phase.
ENTERING: dict[Phase, Milestone] = {
    Phase.CONTAIN: Milestone.CONFIRMED,
    Phase.ERADICATE: Milestone.CONTAINED,
    Phase.REVIEW: Milestone.RECOVERED,
    Phase.CLOSED: Milestone.CLOSED,
}


def allowed(current: Phase) -> tuple[Phase, ...]:
    """The phases ``current`` may move to."""
    if current is Phase.CLOSED:
        return ()
    following = ORDER[ORDER.index(current) + 1]
    if current is Phase.TRIAGE:
        return (following, Phase.CLOSED)
    return (following,)


def transition(current: Phase, target: Phase) -> Phase:
    """Check a phase change.

    Raises:
        InputError: If ``target`` does not follow ``current``.
    """
    if target not in allowed(current):
        choices = ", ".join(allowed(current)) or "none: the incident is closed"
        raise InputError(
            f"an incident in phase {current} cannot move to {target}", hint=f"allowed: {choices}"
        )
    return target
