"""When scheduled scans run: a cron expression, held inside a daily window.

Policy (source 001): baseline scans run on working days 07:00–09:00, away from business peaks.
A run the cron expression places outside the window waits for the next opening of the window;
a run missed while Garrison was down is not run late outside the window either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo

from croniter import croniter

from garrison.core.errors import InputError

#: Working days at 07:00 (source 001: 工作日07:00-09:00).
DEFAULT_CRON = "0 7 * * 1-5"


def validate_cron(expression: str) -> str:
    """A five-field cron expression, checked.

    Raises:
        InputError: When croniter cannot read it.
    """
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise InputError(
            f"bad schedule {expression!r}",
            hint="five cron fields: minute hour day month weekday, e.g. '0 7 * * 1-5'",
        )
    return expression


@dataclass(frozen=True, slots=True)
class Window:
    """A daily time window (local time) in which scans may start; ``end`` is exclusive."""

    start: time = time(7, 0)
    end: time = time(9, 0)

    @classmethod
    def parse(cls, text: str) -> Window:
        """``"07:00-09:00"``.

        Raises:
            InputError: When it is not two ``HH:MM`` times with start before end.
        """
        try:
            first, second = (time.fromisoformat(p.strip()) for p in text.split("-"))
        except ValueError as exc:
            raise InputError(f"bad scan window {text!r}", hint="write HH:MM-HH:MM") from exc
        if first >= second:
            raise InputError(f"bad scan window {text!r}: it must start before it ends")
        return cls(first, second)

    def contains(self, local: datetime) -> bool:
        """Whether a local time falls inside the window."""
        return self.start <= local.time().replace(tzinfo=None) < self.end


def next_run(
    expression: str, after: datetime, zone: tzinfo, window: Window | None = Window()
) -> datetime:
    """The next start after ``after`` (UTC): the cron expression's days, the window's hours.

    The expression is read in ``zone`` (the site's time zone). A fire time inside the window is
    used as it is; one outside it moves to the window's opening on that same day when that is
    still ahead (earlier or later than the fire time), so ``0 12 * * 1-5`` and ``0 3 * * 1-5``
    both scan on working days at 07:00: a schedule never starts a scan in business hours, nor
    on a day the expression excludes.
    """
    fires = croniter(validate_cron(expression), after.astimezone(zone))
    for _ in range(_MAX_STEPS):
        fire: datetime = fires.get_next(datetime)
        if window is None or window.contains(fire):
            return fire.astimezone(UTC)
        opening = fire.replace(
            hour=window.start.hour, minute=window.start.minute, second=0, microsecond=0
        )
        if opening > after:
            return opening.astimezone(UTC)
    raise InputError(f"schedule {expression!r} never fires inside the scan window")


#: Fire times looked at before giving up (a minute-level schedule reaches any window well before).
_MAX_STEPS = 5000
