"""Context that single events do not carry, added before rules see them.

Two policy scenarios need state or configuration that a Sigma rule cannot express:

* **Login outside working hours** needs the organisation's calendar (working hours, weekdays,
  public holidays and the make-up working days of the Chinese holiday schedule, 调休).
  Authentication events get ``garrison.off_hours`` (``true``/``false``).
* **Login from an IP not seen for that account** needs a per-account baseline of source
  addresses over the last 30 days. Successful logins with a user and a source address get
  ``garrison.new_source_ip``: ``true`` when the account has a baseline and the address is not
  in it. An account's first login ever is not "new": there is nothing to compare with.

The rules in the built-in pack then select on these fields like on any other. The fields are
added to a copy of the event; stored events (and their hash chain) never change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol

from garrison.events import schema
from garrison.events.model import Event

OFF_HOURS = "garrison.off_hours"
NEW_SOURCE_IP = "garrison.new_source_ip"


@dataclass(frozen=True)
class WorkCalendar:
    """When people are expected to log in.

    Attributes:
        zone: The organisation's time zone.
        start: Start of the working day (inclusive).
        end: End of the working day (exclusive).
        workdays: ISO weekdays that are working days (1 = Monday).
        holidays: Dates off even on a working weekday.
        extra_workdays: Dates worked even on a weekend (调休).
    """

    zone: tzinfo
    start: time = time(8, 0)
    end: time = time(20, 0)
    workdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_time(self, when: datetime) -> bool:
        """Return whether ``when`` (aware) falls within working hours of a working day."""
        local = when.astimezone(self.zone)
        day = local.date()
        if day in self.extra_workdays:
            working_day = True
        elif day in self.holidays:
            working_day = False
        else:
            working_day = local.isoweekday() in self.workdays
        clock = local.time().replace(tzinfo=None)
        if self.start <= self.end:
            in_hours = self.start <= clock < self.end
        else:  # a night shift: 20:00-08:00
            in_hours = clock >= self.start or clock < self.end
        return working_day and in_hours


class LoginBaseline(Protocol):
    """Where each account's known source addresses are kept."""

    def observe(self, user: str, address: str, when: datetime, window: timedelta) -> bool:
        """Record a login; return whether the address is new for a known account.

        Args:
            user: Account name (lowercased by the caller).
            address: Source address.
            when: Login time.
            window: How long an address stays known after its last login.
        """


class MemoryBaseline:
    """A :class:`LoginBaseline` held in memory (one-shot hunts, tests)."""

    def __init__(self) -> None:
        """Start with no account known."""
        self._seen: dict[str, dict[str, datetime]] = {}

    def observe(self, user: str, address: str, when: datetime, window: timedelta) -> bool:
        """Record a login; return whether the address is new for a known account."""
        known = self._seen.setdefault(user, {})
        recent = {a for a, last in known.items() if when - last <= window and last - when <= window}
        new = bool(recent) and address not in recent
        if address not in known or when > known[address]:
            known[address] = when
        return new


def _is_authentication(event: Event) -> bool:
    category = event.fields.get(schema.CATEGORY)
    if isinstance(category, list):
        return "authentication" in category
    return category == "authentication"


class Enricher:
    """Adds the calendar and baseline fields to authentication events."""

    def __init__(
        self,
        calendar: WorkCalendar | None,
        baseline: LoginBaseline | None,
        *,
        window: timedelta = timedelta(days=30),
    ) -> None:
        """Enrich with ``calendar`` and ``baseline`` (either may be ``None`` to skip it)."""
        self.calendar = calendar
        self.baseline = baseline
        self.window = window

    def enrich(self, event: Event) -> Event:
        """Return ``event`` with the fields added if it is an authentication event."""
        if event.unparsed or not _is_authentication(event):
            return event
        fields = event.fields
        added: dict[str, Any] = {}
        if self.calendar is not None:
            added[OFF_HOURS] = not self.calendar.is_working_time(event.timestamp)
        if self.baseline is not None and fields.get(schema.OUTCOME) == "success":
            user = fields.get(schema.USER_NAME)
            address = fields.get(schema.SOURCE_IP)
            if isinstance(user, str) and user and isinstance(address, str) and address:
                added[NEW_SOURCE_IP] = self.baseline.observe(
                    user.lower(), address, event.timestamp, self.window
                )
        return replace(event, fields={**fields, **added}) if added else event
