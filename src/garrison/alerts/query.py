"""Which stored alerts to list: the filter shared by the CLI, the API and the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from garrison.core.errors import InputError

STATUSES = ("new", "acknowledged", "closed", "suppressed")
LEVELS = ("informational", "low", "medium", "high", "critical")


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Which alerts to list.

    Attributes:
        statuses: Keep these statuses (empty: all but ``suppressed``).
        min_level: Keep this level and above.
        rule_id: Keep alerts of this rule.
        since: Keep alerts last seen at or after this time.
        limit: At most this many, newest first.
        offset: Skip this many (paging).
    """

    statuses: tuple[str, ...] = ()
    min_level: str | None = None
    rule_id: str | None = None
    since: datetime | None = None
    limit: int = 100
    offset: int = 0

    def __post_init__(self) -> None:
        bad = [s for s in self.statuses if s not in STATUSES]
        if bad:
            raise InputError(f"unknown status {bad[0]!r}", hint=f"one of {', '.join(STATUSES)}")
        if self.min_level is not None and self.min_level not in LEVELS:
            raise InputError(
                f"unknown level {self.min_level!r}", hint=f"one of {', '.join(LEVELS)}"
            )
        if not 1 <= self.limit <= 10_000 or self.offset < 0:
            raise InputError("limit must be 1-10000 and offset not negative")
