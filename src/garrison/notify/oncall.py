"""The 7×24 on-call roster: who is paged at a given instant.

A rotation hands the pager from member to member every ``shift`` (12 h, a week), starting at
``start`` and extending both ways in time, so every instant has exactly one member on call.
Overrides (holidays, swaps) replace the rotation on ``[from, to)``; when overrides overlap, the
one listed last wins, as it is the most recent decision. Everything here is pure.

YAML::

    oncall:
      members: [alice, bob, carol]
      start: 2026-01-05T09:00:00+08:00
      shift: 1w            # or 12h, 1d12h, PT12H, seconds
      overrides:
        - {from: 2026-02-16T09:00:00+08:00, to: 2026-02-23T09:00:00+08:00, member: dave}
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from garrison.core.errors import InputError

_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
MAX_SEGMENTS = 10_000


def parse_duration(value: Any) -> Any:
    """Turn ``1w``, ``12h``, ``1d12h``, ``90m`` into a timedelta; pass anything else through.

    Other forms (ISO 8601 ``PT12H``, seconds, timedelta) are left to pydantic.
    """
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip().lower())
        if match and any(match.groups()):
            weeks, days, hours, minutes = (int(g) if g else 0 for g in match.groups())
            return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("times must carry a time zone (e.g. +08:00 or Z)")
    return value


class Override(BaseModel):
    """Someone covers ``[from, to)`` instead of the rotation."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    member: str = Field(min_length=1)

    @field_validator("start", "end")
    @classmethod
    def _zone(cls, value: datetime) -> datetime:
        return _aware(value)

    @model_validator(mode="after")
    def _ordered(self) -> Override:
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")
        return self


class Roster(BaseModel):
    """A rotation with its overrides."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    members: tuple[str, ...] = Field(min_length=1)
    start: datetime
    shift: timedelta
    overrides: tuple[Override, ...] = ()

    @field_validator("start")
    @classmethod
    def _zone(cls, value: datetime) -> datetime:
        return _aware(value)

    @field_validator("shift", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return parse_duration(value)

    @field_validator("shift")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("shift must be at least one minute")
        return value

    @field_validator("members")
    @classmethod
    def _names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not name.strip() for name in value):
            raise ValueError("member names must not be empty")
        return value


@dataclass(frozen=True, slots=True)
class Shift:
    """One person on call over ``[start, end)``."""

    start: datetime
    end: datetime
    member: str


def rotation_member(roster: Roster, at: datetime) -> str:
    """Who the rotation alone puts on call at ``at`` (overrides ignored)."""
    # Floor division of timedeltas is exact (microseconds) and rounds down for instants
    # before ``start`` too, so the rotation extends backwards without a gap.
    index = (at - roster.start) // roster.shift
    return roster.members[index % len(roster.members)]


def on_call(roster: Roster, at: datetime) -> str:
    """Who is on call at ``at`` (aware): the last override covering it, else the rotation.

    Raises:
        InputError: If ``at`` has no time zone.
    """
    if at.tzinfo is None:
        raise InputError("on_call needs an aware time")
    for override in reversed(roster.overrides):
        if override.start <= at < override.end:
            return override.member
    return rotation_member(roster, at)


def timeline(roster: Roster, start: datetime, end: datetime) -> list[Shift]:
    """The on-call shifts covering ``[start, end)``, contiguous, adjacent ones differing.

    Raises:
        InputError: If the range is empty, naive, or would have more than 10 000 shifts.
    """
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise InputError("timeline needs aware times with start before end")
    if (end - start) // roster.shift > MAX_SEGMENTS:
        raise InputError("timeline range too long for this shift length", hint="ask for less")
    # The answer can only change at a rotation boundary or at an override's edge.
    first = roster.start + ((start - roster.start) // roster.shift) * roster.shift
    cuts = {start, end}
    boundary = first + roster.shift
    while boundary < end:
        cuts.add(boundary)
        boundary += roster.shift
    for override in roster.overrides:
        cuts.update(t for t in (override.start, override.end) if start < t < end)
    points = sorted(cuts)
    shifts: list[Shift] = []
    for begin, finish in itertools.pairwise(points):
        member = on_call(roster, begin)
        if shifts and shifts[-1].member == member:
            shifts[-1] = Shift(shifts[-1].start, finish, member)
        else:
            shifts.append(Shift(begin, finish, member))
    return shifts
