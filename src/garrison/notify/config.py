"""Notification settings: channels, people, roles, the on-call roster and routes.

Everything is checked when loaded: routes name existing channels and roles, roles and the
roster name existing people, so a typo fails at start-up instead of silently paging nobody.
Two roles are built in: ``on_call`` (whoever the roster names at the time of sending) and
``assignee`` (the people the caller names for this one notification, e.g. a task's owner).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from garrison.core.errors import ConfigError
from garrison.core.timezones import resolve_zone
from garrison.notify.base import HANDLE_PATTERN, ChannelConfig, EventKind, Language, Recipient
from garrison.notify.catalog import GRADES
from garrison.notify.oncall import Roster
from garrison.notify.registry import parse_channel_config, validation_message

BUILTIN_ROLES = ("on_call", "assignee")


class Route(BaseModel):
    """Which channels carry which events, to whom.

    Attributes:
        events: Event kinds this route applies to.
        channels: Channel names to send through.
        roles: Roles whose members receive it (``on_call``, ``assignee`` or configured ones).
        grades: Only for incidents of these grades (``None``: all grades, and events without one).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    events: tuple[EventKind, ...] = Field(min_length=1)
    channels: tuple[str, ...] = Field(min_length=1)
    roles: tuple[str, ...] = ()
    grades: tuple[str, ...] | None = None

    @field_validator("grades")
    @classmethod
    def _grades(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and any(grade not in GRADES for grade in value):
            raise ValueError("grades must be I, II, III or IV")
        return value


class RetrySettings(BaseModel):
    """Backoff between attempts (see :class:`garrison.notify.retry.RetryPolicy`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    attempts: int = Field(default=4, ge=1, le=10)
    base: float = Field(default=1.0, ge=0)
    factor: float = Field(default=2.0, ge=1)
    cap: float = Field(default=60.0, ge=0)
    jitter: float = Field(default=0.5, ge=0, le=1)


class NotifyConfig(BaseModel):
    """All notification settings.

    Attributes:
        channels: Channel name -> settings (``type`` picks the model).
        people: Person id -> contact details (the id is the key).
        roles: Role name -> person ids (``command_group``, ``technical_team``, ...).
        oncall: The on-call roster (members are person ids).
        routes: Which events go where.
        timezone: Zone times are shown in (IANA name).
        default_language: Language when a channel has no recipients to take it from.
        retry: Backoff between attempts.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    channels: dict[str, ChannelConfig] = Field(default_factory=dict)
    people: dict[str, Recipient] = Field(default_factory=dict)
    roles: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    oncall: Roster | None = None
    routes: tuple[Route, ...] = ()
    timezone: str = "UTC"
    default_language: Language = "zh-CN"
    retry: RetrySettings = RetrySettings()

    @field_validator("channels", mode="before")
    @classmethod
    def _channels(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        return {str(name): parse_channel_config(str(name), cfg) for name, cfg in value.items()}

    @field_validator("people", mode="before")
    @classmethod
    def _people(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        # The id is the mapping key; repeating it inside the entry is allowed, not required.
        return {
            key: {**entry, "id": key} if isinstance(entry, Mapping) else entry
            for key, entry in value.items()
        }

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        resolve_zone(value)
        return value

    @model_validator(mode="after")
    def _references(self) -> NotifyConfig:
        for name in self.channels:
            if not re.fullmatch(HANDLE_PATTERN, name):
                raise ValueError(f"channel name {name!r} may use letters, digits and _.:+- only")
        for role, members in self.roles.items():
            if role in BUILTIN_ROLES:
                raise ValueError(f"role {role!r} is built in and cannot be defined")
            self._known_people(members, f"role {role!r}")
        if self.oncall is not None:
            self._known_people(self.oncall.members, "oncall.members")
            self._known_people([o.member for o in self.oncall.overrides], "oncall.overrides")
        for index, route in enumerate(self.routes):
            for channel in route.channels:
                if channel not in self.channels:
                    raise ValueError(f"routes[{index}]: unknown channel {channel!r}")
            for role in route.roles:
                if role not in self.roles and role not in BUILTIN_ROLES:
                    raise ValueError(f"routes[{index}]: unknown role {role!r}")
                if role == "on_call" and self.oncall is None:
                    raise ValueError(f"routes[{index}]: role 'on_call' needs an oncall roster")
        return self

    def _known_people(self, ids: Any, where: str) -> None:
        unknown = sorted(set(ids) - set(self.people))
        if unknown:
            raise ValueError(f"{where}: unknown people {', '.join(unknown)}")


def load_config(data: Mapping[str, Any]) -> NotifyConfig:
    """Validate a notification configuration (a dict from YAML or settings).

    Raises:
        ConfigError: With every problem by location; values (secrets) are never quoted.
    """
    try:
        return NotifyConfig.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(f"notification settings: {validation_message(exc)}") from None
