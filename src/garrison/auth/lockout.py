"""Login throttling: too many failures in a window lock the account for a while.

Default (000 §3.1): 5 failures within 5 minutes lock the account for 15 minutes. Pure code:
the caller keeps the failure times and the lock end, and passes the time in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    """When an account is locked.

    Attributes:
        max_failures: Failures within ``window`` that lock the account.
        window: The sliding window failures are counted in.
        duration: How long the lock lasts.
    """

    max_failures: int = 5
    window: timedelta = timedelta(minutes=5)
    duration: timedelta = timedelta(minutes=15)

    def recent(self, failures: Sequence[datetime], now: datetime) -> list[datetime]:
        """The failures still inside the window at ``now``."""
        return [f for f in failures if now - self.window < f <= now]

    def lock_until(self, failures: Sequence[datetime], now: datetime) -> datetime | None:
        """After a failure at ``now`` (included in ``failures``): the lock's end, or ``None``."""
        if len(self.recent(failures, now)) >= self.max_failures:
            return now + self.duration
        return None
